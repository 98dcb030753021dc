# The after-test check that looks from outside the implementation: no socket
# descriptor, no live handle and no socket file may outlive a passing test.

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from ._contract import Runtime
from .probes._fds import open_sockets

__all__ = ["call_passed_key", "check_leaks", "runtime_key", "socket_dirs_key"]

runtime_key = pytest.StashKey[tuple[Runtime, dict[str, int]]]()
socket_dirs_key = pytest.StashKey[list[Path]]()
call_passed_key = pytest.StashKey[bool]()


def check_leaks(item: pytest.Item) -> None:
    """Close the test's runtime; raise AssertionError naming what leaked."""
    problems: list[str] = []
    held = item.stash.get(runtime_key, None)
    if held is not None:
        del item.stash[runtime_key]
        rt, sockets_before = held
        sockets_after = open_sockets(rt.pid)
        alive = rt.close()
        leaked = sorted(set(sockets_after) - set(sockets_before))
        if alive:
            problems.append("handles still alive at the end of the test: " + "; ".join(alive))
        if leaked:
            problems.append(
                f"socket descriptors left open in pid {rt.pid}: "
                + ", ".join(f"fd {sockets_after[inode]} ({inode})" for inode in leaked)
            )
    for directory in item.stash.get(socket_dirs_key, []):
        left = sorted(str(p) for p in directory.iterdir() if stat.S_ISSOCK(p.lstat().st_mode))
        if left:
            problems.append("socket files left behind: " + ", ".join(left))
    passed = item.stash.get(call_passed_key, False)
    if problems and passed:
        # After a failing test the failure tells the story; leaks would be noise.
        raise AssertionError("resource leak after a passing test: " + " | ".join(problems))
