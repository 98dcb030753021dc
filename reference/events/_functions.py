# The module-level functions of node:events: once(), setMaxListeners(),
# getMaxListeners(), listenerCount() (lib/events.js).

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from .._errors import NodeError, err_invalid_arg_type
from .._process import current_process
from ._emitter import EventEmitter, _Defaults, _validate_number
from ._names import event_key, is_error_key

if TYPE_CHECKING:
    # Any emitter of the binding's shape, not only ours (stubs/nodeapi).
    from nodeapi.events import EventEmitter as AnyEmitter

__all__ = ["get_max_listeners", "listener_count", "once", "set_max_listeners"]


def once(emitter: AnyEmitter, name: object) -> asyncio.Future[list[object]]:
    """``events.once(emitter, name)``: an awaitable of the next emit's arguments.

    The listeners are added now, as Node's async function adds them before
    its first await, so an emit right after this call settles it. It fails
    with the error if ``'error'`` is emitted first, unless ``name`` is
    ``'error'`` (clause A46).
    """
    future: asyncio.Future[list[object]] = current_process().loop.create_future()

    def reject(*args: object) -> None:
        emitter.remove_listener(name, resolve)
        if not future.done():
            future.set_exception(_rejection_reason(args))

    def resolve(*args: object) -> None:
        emitter.remove_listener("error", reject)
        if not future.done():
            future.set_result(list(args))

    emitter.once(name, resolve)
    if not is_error_key(event_key(name)):
        emitter.once("error", reject)
    return future


def _rejection_reason(args: tuple[object, ...]) -> BaseException:
    # A promise can reject with any value, a future only with an exception.
    # The binding leaves this open; a non-exception 'error' value (or none) is
    # wrapped as emit() wraps it (ERR_UNHANDLED_ERROR, the value as `context`).
    reason = args[0] if args else None
    if isinstance(reason, BaseException):
        return reason
    return NodeError("ERR_UNHANDLED_ERROR", f"Unhandled error. ({reason!r})", context=reason)


def set_max_listeners(n: float | None = None, /, *targets: object) -> None:
    """``events.setMaxListeners(n, ...targets)``; without targets, the default."""
    # `function(n = defaultMaxListeners, ...eventTargets)`: None is undefined.
    limit = _validate_number(_Defaults.max_listeners if n is None else n, "set_max_listeners")
    if not targets:
        _Defaults.max_listeners = limit
        return
    for target in targets:
        # Anything with a set_max_listeners method (an EventEmitter, or an
        # EventTarget that offers one); targets before a bad one keep theirs.
        setter = getattr(target, "set_max_listeners", None)
        if not callable(setter):
            raise err_invalid_arg_type("event_targets", "an instance of EventEmitter or EventTarget", target)
        setter(limit)


def get_max_listeners(emitter: object) -> float:
    """``events.getMaxListeners(emitter)``."""
    if isinstance(emitter, EventEmitter):
        # Node reads the field, not the method (lib/events.js _getMaxListeners).
        return EventEmitter.get_max_listeners(emitter)
    getter = getattr(emitter, "get_max_listeners", None)
    if not callable(getter):
        raise err_invalid_arg_type("emitter", "an instance of EventEmitter or EventTarget", emitter)
    result: float = getter()
    return result


def listener_count(emitter: object, name: object) -> int:
    """``events.listenerCount(emitter, name)``: deprecated in the docs only (DEP0033)."""
    counter = getattr(emitter, "listener_count", None)
    if not callable(counter):
        raise err_invalid_arg_type("emitter", "an instance of EventEmitter or EventTarget", emitter)
    count: int = counter(name)
    return count
