# Wildcard binds: the one place where a clause needs more than loopback.
#
# Servers in the suite bind 127.0.0.1, ::1 or Unix paths. A few clauses are
# about what an implementation does when no host is given (Node binds the
# dual-stack wildcard '::', D80): testing them binds every interface of the
# machine, if only for milliseconds. Those tests carry
# @pytest.mark.binds_wildcard and run only where that exposes nothing: in a
# private network namespace whose only interface is loopback (how CI runs the
# suite: README, "Run everything"), or when the user passes
# --allow-wildcard-bind. Elsewhere they skip and say why.
#
# An audit hook holds the rule for in-process implementations (the
# reference): a wildcard bind from a test without the marker is refused, so a
# test that forgot the marker fails loudly instead of exposing a port.

from __future__ import annotations

import socket
import sys
from typing import Any

import pytest

__all__ = ["WILDCARD_MARKER", "guard", "loopback_only", "skip_reason"]

WILDCARD_MARKER = "binds_wildcard"
_WILDCARD_HOSTS = {"", "::", "0.0.0.0", "::0"}


class _Guard:
    def __init__(self) -> None:
        self.item: pytest.Item | None = None
        self.allowed = False
        self.installed = False

    def hook(self, event: str, args: tuple[Any, ...]) -> None:
        if event != "socket.bind" or self.item is None or self.allowed:
            return
        sock, address = args
        if getattr(sock, "family", None) not in (socket.AF_INET, socket.AF_INET6):
            return
        if isinstance(address, tuple) and address and address[0] in _WILDCARD_HOSTS:
            raise PermissionError(
                f"{self.item.nodeid} binds the wildcard address {address[0]!r}; the kit allows that only in "
                f"tests marked @pytest.mark.{WILDCARD_MARKER} (servers in tests bind loopback)"
            )


guard = _Guard()


def loopback_only() -> bool:
    """True in a network namespace whose only interface is loopback."""
    try:
        names = [name for _, name in socket.if_nameindex()]
    except OSError:
        return False
    return names == ["lo"]


def skip_reason(config: pytest.Config) -> str | None:
    if config.getoption("allow_wildcard_bind") or loopback_only():
        return None
    return (
        "binds the wildcard address as its clause requires, which would expose a port on this machine's "
        "network interfaces; run the suite in a private network namespace (README: 'Run everything') "
        "or pass --allow-wildcard-bind"
    )


def install() -> None:
    if not guard.installed:
        sys.addaudithook(guard.hook)
        guard.installed = True
