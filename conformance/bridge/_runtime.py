# A JavaScript runtime process as the kit's Runtime (conformance/_contract.py).

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from typing import Any

from ._errors import BridgeError
from ._proxies import JSModule
from ._session import Session

__all__ = ["BridgeRuntime"]


class BridgeRuntime:
    """One runtime child process, for one test."""

    def __init__(
        self, session: Session, *, has_net: bool = True, reuse: Callable[[Session], None] | None = None
    ) -> None:
        self._session = session
        self._has_net = has_net
        self._reuse = reuse
        self._abort_controller: Any = None

    @property
    def events(self) -> JSModule:
        return self._session.module("events")

    @property
    def net(self) -> JSModule | None:
        return self._session.module("net") if self._has_net else None

    @property
    def pid(self) -> int:
        return self._session.pid

    # Timers are node:timers' own (Deno's global setTimeout returns a number).
    def set_timeout(self, callback: Callable[..., object], ms: float = 0, *args: object) -> Any:
        return self._session.timer("timeout", callback, ms, args)

    def clear_timeout(self, timeout: Any) -> None:
        self._session.clear_timer("timeout", timeout)

    def set_immediate(self, callback: Callable[..., object], *args: object) -> Any:
        return self._session.timer("immediate", callback, 0, args)

    def clear_immediate(self, immediate: Any) -> None:
        self._session.clear_timer("immediate", immediate)

    def next_tick(self, callback: Callable[..., object], *args: object) -> None:
        self._session.timer("nextTick", callback, 0, args)

    def abort_controller(self) -> Any:
        if self._abort_controller is None:
            ready = self._session.wait_ready()
            self._abort_controller = self._session.request(["get", {"h": ready["global"]}, "AbortController"])
        return self._abort_controller()

    def run(self, main: Callable[[], object], timeout: float = 10.0) -> None:
        self._session.run(main, timeout)

    def inherit_fd(self, sock: socket.socket) -> int:
        # Deno can take the descriptor itself (pidfd_getfd through its FFI,
        # host.cjs grabFd), keeping its process and pid.
        if self._session.wait_ready().get("deno"):
            grabbed = self._session.request(["grabfd", sock.fileno()])
            if isinstance(grabbed, int):
                self._session.inherited()
                return grabbed
        # Otherwise: a child inherits descriptors only at spawn, so the (still
        # unused) child is replaced by one started with this one; the number
        # is the same in the child as here (pass_fds).
        duplicate = os.dup(sock.fileno())
        try:
            self._session.respawn([duplicate])
        except BridgeError as exc:
            raise BridgeError(f"inherit_fd: {exc}") from None
        finally:
            os.close(duplicate)
        return duplicate

    def evaluate(self, source: str) -> Any:
        """Evaluate JavaScript in the child's global scope and return the value.

        Not part of the kit's contract: the bridge's own tests use it to make
        the runtime misbehave (exit, hang, throw) on purpose.
        """
        return self._session.request(["eval", source])

    def close(self) -> list[str]:
        return self._session.close(self._reuse)

    def __repr__(self) -> str:
        return f"<BridgeRuntime {self._session.label} pid {self.pid}>"
