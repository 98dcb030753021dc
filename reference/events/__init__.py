# node:events in the Python binding (CONFORMANCE.md 1.6).
#
#     from reference import events, run
#
#     emitter = events.EventEmitter()
#     emitter.on("greet", lambda name: print("hello", name))
#     emitter.emit("greet", "world")
#
# Layout: _emitter (EventEmitter and its module state), _names (event names,
# symbols, Reflect.ownKeys order), _capture (what a listener's return value
# means: coroutines and captureRejections), _warning (the listener-leak
# warning), _functions (once, set_max_listeners, get_max_listeners,
# listener_count).

from __future__ import annotations

from ._capture import capture_rejection_symbol
from ._emitter import EventEmitter, Listener, module_state, restore_module_state
from ._functions import get_max_listeners, listener_count, once, set_max_listeners
from ._names import Symbol, error_monitor
from ._warning import MaxListenersExceededWarning

__all__ = [
    "EventEmitter",
    "Listener",
    "MaxListenersExceededWarning",
    "Symbol",
    "capture_rejection_symbol",
    "error_monitor",
    "get_max_listeners",
    "listener_count",
    "once",
    "set_max_listeners",
]


# reference._implementation saves this when a runtime (a Node process) starts
# and restores it when it closes, so EventEmitter.default_max_listeners and
# EventEmitter.capture_rejections set by one test never leak into the next.
def _module_state() -> tuple[float, bool]:
    return module_state()


def _restore_module_state(state: tuple[float, bool]) -> None:
    restore_module_state(state)
