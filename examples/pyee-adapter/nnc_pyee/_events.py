# pyee's EventEmitter under the binding's names (CONFORMANCE.md section 1).
#
# The adapter translates names and return values only (Node's methods return
# the emitter so calls chain; pyee's return the listener), never semantics:
# what pyee does differently from Node must show up as failing tests, which
# expected-failures.toml then lists clause by clause. Methods pyee does not
# have at all raise NotImplementedError naming the Node method.

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from pyee.asyncio import AsyncIOEventEmitter

__all__ = [
    "EventEmitter",
    "capture_rejection_symbol",
    "error_monitor",
    "get_max_listeners",
    "listener_count",
    "once",
    "set_max_listeners",
]

Listener = Callable[..., Any]

# Node's well-known symbols; pyee has no equivalent, so listeners on them are
# ordinary events.
error_monitor = object()
capture_rejection_symbol = "nodejs_rejection"


def _missing(node_name: str) -> NotImplementedError:
    return NotImplementedError(f"pyee has no equivalent of EventEmitter.{node_name}")


class EventEmitter(AsyncIOEventEmitter):
    # Node's module-level settings; pyee has no listener limit.
    default_max_listeners = 10
    capture_rejections = False

    def __init__(self, options: dict[str, Any] | None = None) -> None:
        # AsyncIOEventEmitter schedules coroutine listeners on a loop and sends
        # their exceptions to 'error': pyee's own capture of rejections.
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = asyncio.get_event_loop_policy().get_event_loop()
        super().__init__(loop=loop)

    def on(self, event_name: Any, listener: Listener) -> EventEmitter:
        super().add_listener(event_name, listener)
        return self

    def add_listener(self, event_name: Any, listener: Listener) -> EventEmitter:  # type: ignore[override]
        return self.on(event_name, listener)

    def once(self, event_name: Any, listener: Listener | None = None) -> EventEmitter:  # type: ignore[override]
        super().once(event_name, listener)
        return self

    def remove_listener(self, event_name: Any, listener: Listener) -> EventEmitter:  # type: ignore[override]
        super().remove_listener(event_name, listener)
        return self

    def off(self, event_name: Any, listener: Listener) -> EventEmitter:
        return self.remove_listener(event_name, listener)

    def remove_all_listeners(self, event_name: Any = None) -> EventEmitter:  # type: ignore[override]
        super().remove_all_listeners(event_name)
        return self

    def event_names(self) -> list[Any]:  # type: ignore[override]
        return list(super().event_names())

    def listener_count(self, event_name: Any, listener: Listener | None = None) -> int:
        listeners = self.listeners(event_name)
        return len(listeners) if listener is None else listeners.count(listener)

    def raw_listeners(self, event_name: Any) -> list[Listener]:
        raise _missing("rawListeners")

    def prepend_listener(self, event_name: Any, listener: Listener) -> EventEmitter:
        raise _missing("prependListener")

    def prepend_once_listener(self, event_name: Any, listener: Listener) -> EventEmitter:
        raise _missing("prependOnceListener")

    def set_max_listeners(self, n: float) -> EventEmitter:
        raise _missing("setMaxListeners")

    def get_max_listeners(self) -> float:
        raise _missing("getMaxListeners")


def once(emitter: EventEmitter, event_name: Any) -> Awaitable[list[Any]]:
    raise NotImplementedError("pyee has no equivalent of events.once(emitter, name)")


def set_max_listeners(n: float, *targets: EventEmitter) -> None:
    raise NotImplementedError("pyee has no equivalent of events.setMaxListeners")


def get_max_listeners(emitter: EventEmitter) -> float:
    raise NotImplementedError("pyee has no equivalent of events.getMaxListeners")


def listener_count(emitter: EventEmitter, event_name: Any) -> int:
    return emitter.listener_count(event_name)
