# The reference as an implementation of the kit's contract
# (conformance.Implementation), registered as the entry points `reference`
# (asyncio) and `reference-uvloop`.

from __future__ import annotations

import asyncio
import os
import platform
import socket
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from conformance import feature_registry

from . import __version__, events, net
from ._abort import AbortController
from ._process import Immediate, Process, Timeout, set_current_process

if TYPE_CHECKING:
    from nodeapi.events import EventsModule
    from nodeapi.net import NetModule
    from nodeapi.timers import Immediate as AnyImmediate, Timeout as AnyTimeout

__all__ = ["ReferenceImplementation", "ReferenceRuntime", "asyncio_implementation", "uvloop_implementation"]

# The Node release whose documented behaviour the reference follows: the one
# the suite was proven on (conformance._version.SPEC_NODE_VERSION).
NODE_VERSION = "24.21.0"

# The reference supports every optional feature the kit knows of: it must
# pass the whole suite, so a feature added to the registry is one it owes.
FEATURES = frozenset(feature_registry())


class ReferenceRuntime:
    """One reference process for one test."""

    def __init__(self, loop_factory: Callable[[], asyncio.AbstractEventLoop] | None) -> None:
        self._process = Process(loop_factory)
        self._previous = set_current_process(self._process)
        # Module-level state a test may change (events.EventEmitter.default_max_listeners,
        # .capture_rejections) belongs to the process, so it is restored when it ends.
        self._saved_events_state = events._module_state()

    @property
    def events(self) -> EventsModule:
        return events

    @property
    def net(self) -> NetModule:
        return net

    @property
    def pid(self) -> int:
        return os.getpid()

    def set_timeout(self, callback: Callable[..., object], ms: float = 0, *args: object) -> Timeout:
        return self._process.set_timeout(callback, ms, *args)

    def clear_timeout(self, timeout: AnyTimeout | None) -> None:
        # Like clearTimeout: anything that is not one of this process's timers is ignored.
        if isinstance(timeout, Timeout):
            self._process.clear_timeout(timeout)

    def set_immediate(self, callback: Callable[..., object], *args: object) -> Immediate:
        return self._process.set_immediate(callback, *args)

    def clear_immediate(self, immediate: AnyImmediate | None) -> None:
        if isinstance(immediate, Immediate):
            self._process.clear_immediate(immediate)

    def next_tick(self, callback: Callable[..., object], *args: object) -> None:
        self._process.next_tick(callback, *args)

    def abort_controller(self) -> AbortController:
        return AbortController()

    def run(self, main: Callable[[], object], timeout: float = 10.0) -> None:
        self._process.run(main, timeout)

    def inherit_fd(self, sock: socket.socket) -> int:
        # Same process: a duplicate descriptor is what a child would inherit.
        return os.dup(sock.fileno())

    def close(self) -> list[str]:
        try:
            return self._process.close()
        finally:
            events._restore_module_state(self._saved_events_state)
            set_current_process(self._previous)


class ReferenceImplementation:
    def __init__(self, name: str, loop_factory: Callable[[], asyncio.AbstractEventLoop] | None, loop_name: str) -> None:
        self._name = name
        self._loop_factory = loop_factory
        self._loop_name = loop_name

    @property
    def name(self) -> str:
        return self._name

    @property
    def version(self) -> str:
        return __version__

    @property
    def node_version(self) -> str:
        return NODE_VERSION

    @property
    def features(self) -> frozenset[str]:
        return FEATURES

    @property
    def expected_failures(self) -> Path | None:
        return None

    def describe(self) -> str:
        return f"Python {platform.python_version()} on {self._loop_name}"

    def start(self) -> ReferenceRuntime:
        return ReferenceRuntime(self._loop_factory)


def asyncio_implementation() -> ReferenceImplementation:
    return ReferenceImplementation("reference", None, "asyncio")


def uvloop_implementation() -> ReferenceImplementation:
    try:
        import uvloop
    except ImportError as exc:
        raise RuntimeError("reference-uvloop needs uvloop: pip install 'node-net-conformance[uvloop]'") from exc
    return ReferenceImplementation("reference-uvloop", uvloop.new_event_loop, f"uvloop {metadata.version('uvloop')}")
