# The listener-leak warning (clauses A32-A35).
#
# lib/events.js warnMaxListenersExceeded builds an Error named
# 'MaxListenersExceededWarning' with `emitter`, `type` and `count` and hands it
# to process.emitWarning, which delivers it on the next tick. The binding
# (CONFORMANCE.md 1.5) turns that into a Warning subclass of the same name,
# issued through warnings.warn by the process on its next tick.

from __future__ import annotations

from .._process import current_process

__all__ = ["MaxListenersExceededWarning", "warn_max_listeners_exceeded"]


class MaxListenersExceededWarning(Warning):
    """More listeners were added for one event than the emitter's maximum.

    ``emitter`` is the emitter, ``type`` the event name as it was passed to
    ``on`` (a number stays a number, as in Node), ``count`` the number of
    listeners at the time.
    """

    # Node's warning is an Error whose `name` is the class name.
    name = "MaxListenersExceededWarning"

    def __init__(self, message: str, emitter: object, type: object, count: int) -> None:
        super().__init__(message)
        self.message = message
        self.emitter = emitter
        self.type = type
        self.count = count


def _js_number(value: float) -> str:
    # String(n) for the "MaxListeners is N" part: 10, not 10.0.
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def warn_max_listeners_exceeded(emitter: object, name: object, count: int, maximum: float) -> None:
    # `inspect(target, { depth: -1 })` prints `[ClassName]`.
    message = (
        f"Possible EventEmitter memory leak detected. {count} {name} listeners added to "
        f"[{type(emitter).__name__}]. MaxListeners is {_js_number(maximum)}. "
        "Use emitter.set_max_listeners() to increase limit"
    )
    current_process().emit_warning(MaxListenersExceededWarning(message, emitter, name, count))
