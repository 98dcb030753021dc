# AbortController and AbortSignal: Node's globals (WHATWG DOM, as Node's
# lib/internal/abort_controller.js realises them), in the Python binding.
#
#     controller = AbortController()
#     server.listen({"port": 0, "signal": controller.signal})
#     controller.abort()          # closes the server (clause J145)
#
# An AbortSignal is an EventTarget with one event, 'abort'. Listeners run
# synchronously inside abort(), in registration order, each with an Event
# whose `type` is 'abort' and `target` the signal; an exception a listener
# raises does not escape abort(): as in Node's EventTarget it is reported as
# an uncaught exception (on the next tick), which ends run().

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ._errors import err_invalid_arg_type
from ._process import current_process

__all__ = ["AbortController", "AbortSignal", "DOMException", "Event"]


class DOMException(Exception):
    """WHATWG ``DOMException``: what a signal aborts with by default.

    ``name`` is 'AbortError' (``code`` 20) for ``abort()`` without a reason and
    'TimeoutError' (``code`` 23) for ``AbortSignal.timeout``.
    """

    _LEGACY_CODES = {"AbortError": 20, "TimeoutError": 23}

    def __init__(self, message: str = "", name: str = "Error") -> None:
        super().__init__(message)
        self.message = message
        self.name = name
        self.code = self._LEGACY_CODES.get(name, 0)

    def __repr__(self) -> str:
        return f"DOMException({self.message!r}, {self.name!r})"


class Event:
    """The event object an 'abort' listener receives."""

    def __init__(self, type: str, target: AbortSignal | None = None) -> None:
        self.type = type
        self.target = target
        self.current_target = target
        self.default_prevented = False
        self.is_trusted = True

    def prevent_default(self) -> None:
        self.default_prevented = True

    def __repr__(self) -> str:
        return f"Event({self.type!r})"


class _Listener:
    __slots__ = ("callback", "once", "removed")

    def __init__(self, callback: Any, once: bool) -> None:
        self.callback = callback
        self.once = once
        self.removed = False


class AbortSignal:
    """``AbortSignal``: made by an AbortController (or the static factories)."""

    def __init__(self) -> None:
        self._aborted = False
        self._reason: object = None
        self._listeners: list[_Listener] = []
        self.onabort: Callable[[Event], object] | None = None

    # -- state ------------------------------------------------------------

    @property
    def aborted(self) -> bool:
        return self._aborted

    @property
    def reason(self) -> object:
        return self._reason

    def throw_if_aborted(self) -> None:
        if self._aborted:
            raise self._reason  # type: ignore[misc]  # a reason is whatever abort() got, as in JS

    # -- EventTarget ------------------------------------------------------

    def add_event_listener(self, type: str, listener: object, options: object = None) -> None:
        """``addEventListener(type, listener, {once})``; a duplicate is ignored, as in the DOM."""
        if listener is None:
            return
        if not callable(listener) and not callable(getattr(listener, "handle_event", None)):
            raise err_invalid_arg_type("listener", "an instance of EventListener", listener)
        if type != "abort":
            return  # the only event an AbortSignal ever dispatches
        once = bool(options.get("once")) if isinstance(options, dict) else False
        for entry in self._listeners:
            if entry.callback == listener and not entry.removed:
                return
        self._listeners.append(_Listener(listener, once))

    def remove_event_listener(self, type: str, listener: object, options: object = None) -> None:
        if type != "abort":
            return
        for index, entry in enumerate(self._listeners):
            if entry.callback == listener and not entry.removed:
                entry.removed = True
                del self._listeners[index]
                return

    def dispatch_event(self, event: Event) -> bool:
        event.target = event.current_target = self
        if event.type == "abort" and self.onabort is not None:
            self._call(self.onabort, event)
        for entry in list(self._listeners):
            if entry.removed:
                continue
            if entry.once:
                self.remove_event_listener(event.type, entry.callback)
            callback = entry.callback
            if not callable(callback):
                callback = callback.handle_event
            self._call(callback, event)
        return not event.default_prevented

    @staticmethod
    def _call(callback: Callable[[Event], object], event: Event) -> None:
        # lib/internal/event_target.js: a listener's exception is reported
        # through process.nextTick(() => { throw err }): it never stops the
        # dispatch nor escapes the dispatcher.
        try:
            callback(event)
        except Exception as exc:  # noqa: BLE001 - rethrown as the uncaught exception

            def rethrow(error: Exception = exc) -> None:
                raise error

            current_process().next_tick(rethrow)

    # -- the abort algorithm -----------------------------------------------

    def _abort(self, reason: object) -> None:
        if self._aborted:
            return
        self._aborted = True
        self._reason = DOMException("This operation was aborted", "AbortError") if reason is None else reason
        self.dispatch_event(Event("abort", self))

    # -- static factories --------------------------------------------------

    @classmethod
    def abort(cls, reason: object = None) -> AbortSignal:
        """``AbortSignal.abort(reason)``: a signal that is already aborted."""
        signal = cls()
        signal._aborted = True
        signal._reason = DOMException("This operation was aborted", "AbortError") if reason is None else reason
        return signal

    @classmethod
    def timeout(cls, ms: float) -> AbortSignal:
        """``AbortSignal.timeout(ms)``: aborts with a TimeoutError; its timer never keeps the process alive."""
        if isinstance(ms, bool) or not isinstance(ms, (int, float)):
            raise err_invalid_arg_type("delay", "of type number", ms)
        signal = cls()

        def expire() -> None:
            signal._abort(DOMException("The operation was aborted due to timeout", "TimeoutError"))

        current_process().set_timeout(expire, ms).unref()
        return signal

    @classmethod
    def any(cls, signals: Iterable[AbortSignal]) -> AbortSignal:
        """``AbortSignal.any(signals)``: aborts when the first of them does."""
        sources = list(signals)
        for index, source in enumerate(sources):
            if not isinstance(source, AbortSignal):
                raise err_invalid_arg_type(f"signals[{index}]", "an instance of AbortSignal", source)
        result = cls()
        for source in sources:
            if source.aborted:
                result._aborted = True
                result._reason = source.reason
                return result
        for source in sources:
            source.add_event_listener(
                "abort", lambda event, source=source: result._abort(source.reason), {"once": True}
            )
        return result

    def __repr__(self) -> str:
        return f"AbortSignal {{ aborted: {str(self._aborted).lower()} }}"


class AbortController:
    """``new AbortController()``."""

    def __init__(self) -> None:
        self._signal = AbortSignal()

    @property
    def signal(self) -> AbortSignal:
        return self._signal

    def abort(self, reason: object = None) -> None:
        """Abort the signal: 'abort' listeners run now, synchronously."""
        self._signal._abort(reason)

    def __repr__(self) -> str:
        return f"AbortController {{ signal: {self._signal!r} }}"
