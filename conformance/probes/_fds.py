# Open descriptors of a process, read from /proc: the view from outside the
# implementation that tells whether it released every socket it opened.

from __future__ import annotations

import os
import sys

__all__ = ["open_sockets"]


def open_sockets(pid: int) -> dict[str, int]:
    """Map ``socket:[inode]`` -> descriptor number for each socket ``pid`` holds.

    Keyed by inode, not by number, so a descriptor number reused for another
    socket still counts as a different socket. Empty where /proc is missing
    (not Linux): the fd check is Linux-only and says so where it runs.
    """
    if not sys.platform.startswith("linux"):
        return {}
    fd_dir = f"/proc/{pid}/fd"
    sockets: dict[str, int] = {}
    try:
        names = os.listdir(fd_dir)
    except (FileNotFoundError, ProcessLookupError):
        return {}
    for name in names:
        try:
            target = os.readlink(f"{fd_dir}/{name}")
        except OSError:
            continue  # closed while we looked
        if target.startswith("socket:"):
            sockets[target] = int(name)
    return sockets
