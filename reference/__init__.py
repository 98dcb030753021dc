# The reference implementation: Node's node:events and node:net server API in
# Python, on asyncio (or uvloop), passing the whole conformance suite.
#
#     from reference import net, run
#
#     def main() -> None:
#         server = net.create_server(lambda c: c.pipe(c))
#         server.listen(8124, lambda: print("server bound"))
#
#     run(main)
#
# Layout: _process (the event loop and what a Node process gives every
# module: run, timers, nextTick, warnings), _errors (Node's errors in the
# Python binding), events/ (EventEmitter), net/ (Server, Socket).

from __future__ import annotations

from collections.abc import Callable

from . import events, net
from ._abort import AbortController, AbortSignal
from ._errors import AbortError, NodeError, NodeRangeError, NodeSystemError, NodeTypeError
from ._process import Immediate, Process, Timeout, current_process

__all__ = [
    "AbortController",
    "AbortError",
    "AbortSignal",
    "Immediate",
    "NodeError",
    "NodeRangeError",
    "NodeSystemError",
    "NodeTypeError",
    "Process",
    "Timeout",
    "clear_immediate",
    "clear_timeout",
    "events",
    "net",
    "next_tick",
    "run",
    "set_immediate",
    "set_interval",
    "set_timeout",
]

__version__ = "0.1.0"


def run(main: Callable[[], object] = lambda: None, timeout: float | None = None) -> None:
    """Run ``main`` as a Node script would run, then the loop until nothing ref'd is left."""
    current_process().run(main, timeout)


def set_timeout(callback: Callable[..., object], ms: float = 0, *args: object) -> Timeout:
    return current_process().set_timeout(callback, ms, *args)


def set_interval(callback: Callable[..., object], ms: float = 0, *args: object) -> Timeout:
    return current_process().set_interval(callback, ms, *args)


def clear_timeout(timeout: Timeout | None) -> None:
    current_process().clear_timeout(timeout)


def set_immediate(callback: Callable[..., object], *args: object) -> Immediate:
    return current_process().set_immediate(callback, *args)


def clear_immediate(immediate: Immediate | None) -> None:
    current_process().clear_immediate(immediate)


def next_tick(callback: Callable[..., object], *args: object) -> None:
    current_process().next_tick(callback, *args)
