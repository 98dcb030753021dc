# EventEmitter: lib/events.js (Node 24) in Python, clause by clause.
#
# Storage, as in Node: `_events` maps an event key to its listener when there
# is one (stored bare: "Optimize the case of one listener", lib/events.js
# _addListener) or to a tuple of listeners when there are several. Node 24
# makes emit iterate the live array and copies it before any change made
# while it is being emitted (kEmitting, ensureMutableListenerArray); an
# immutable tuple gives the same snapshot (clause A4) with no bookkeeping:
# every change builds a new tuple, and an emit keeps iterating the one it read.
#
# Node's prototype fields (`EventEmitter.prototype._events = undefined`,
# `_maxListeners`, `[kCapture]`) are class attributes here, so every method
# works on an instance whose __init__ has not run yet (clause A45): reads fall
# through to the class, and the first listener creates the instance's dict.
#
# Dynamic dispatch is kept where Node has it: once() calls self.on(), the
# once wrapper calls remove_listener(), remove_all_listeners() calls
# remove_listener(), so a subclass overriding one of them sees what it would
# see in Node.

from __future__ import annotations

import math
from abc import ABCMeta
from collections.abc import Callable, Hashable, Mapping
from types import MappingProxyType
from typing import Any, Self

from .._errors import NodeError, err_invalid_arg_type, err_out_of_range
from ._capture import capture_rejection_symbol, listener_returned
from ._names import Symbol, error_monitor, event_key, is_error_key, own_keys_order
from ._warning import warn_max_listeners_exceeded

__all__ = ["EventEmitter", "Listener", "module_state", "restore_module_state"]

Listener = Callable[..., object]

# The `_events` of an instance that has no listener store yet (Node's
# `prototype._events = undefined`): read-only, so emit() needs no branch for
# it, and every path that writes checks for it first.
_NO_EVENTS: dict[Hashable, Any] = MappingProxyType({})  # type: ignore[assignment]
_ABSENT = object()


class _Defaults:
    # `let defaultMaxListeners = 10` in lib/events.js: module state, which
    # reference._implementation saves and restores around each test process.
    max_listeners: float = 10


def _validate_number(value: object, name: str) -> float:
    # lib/internal/validators.js validateNumber(value, name, 0): a JavaScript
    # number is an int or float here, never a bool (clauses A30, A37).
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise err_invalid_arg_type(name, "of type number", value)
    if math.isnan(value) or value < 0:
        raise err_out_of_range(name, ">= 0", value)
    return value


def _check_listener(listener: object) -> None:
    # validateFunction(listener, 'listener'): a callable (clause A20).
    if not callable(listener):
        raise err_invalid_arg_type("listener", "of type function", listener)


def _js_truthy(value: object) -> bool:
    # JavaScript truthiness, for `if (opts?.captureRejections)` (clause A43):
    # [] and {} are truthy, NaN is falsy.
    if value is None or value is False:
        return False
    if isinstance(value, (int, float)):
        return value == value and value != 0
    if isinstance(value, (str, bytes)):
        return len(value) > 0
    return True


def _unhandled_error(args: tuple[object, ...]) -> Exception:
    # lib/events.js getUnhandledErrorException (clauses A25, A26): an Error is
    # thrown as it is, anything else is wrapped, and kept as `context`.
    error = args[0] if args else None
    if isinstance(error, Exception):
        return error
    return NodeError("ERR_UNHANDLED_ERROR", f"Unhandled error. ({error!r})", context=error)


class _OnceWrapper:
    """What once() registers (lib/events.js _onceWrap); ``listener`` is the original."""

    __slots__ = ("_fired", "_name", "_target", "listener")

    def __init__(self, target: EventEmitter, name: object, listener: Listener) -> None:
        self._fired = False
        self._target = target
        self._name = name
        self.listener = listener

    def __call__(self, *args: object) -> object:
        # Removed first, then called (clause A10); a second call does nothing.
        if self._fired:
            return None
        self._fired = True
        self._target.remove_listener(self._name, self)
        return self.listener(*args)

    def __repr__(self) -> str:
        return f"<once wrapper of {self.listener!r}>"


def _same_listener(stored: object, listener: object) -> bool:
    # Node: `list[i] === listener || list[i].listener === listener`. Identity
    # in JavaScript; here Python's equality, which is identity for functions
    # and what makes `off(name, obj.method)` find `on(name, obj.method)`
    # (a new bound-method object each time, equal when it is the same method
    # of the same object). The binding leaves this open.
    return stored == listener or getattr(stored, "listener", _ABSENT) == listener


class _EventEmitterType(ABCMeta):
    """The metaclass: Node's static properties of EventEmitter, with validating setters.

    Statics, as in Node: the class has them, instances do not
    (`emitter.errorMonitor` is undefined). It derives from ABCMeta (as
    stubs/nodeapi says) so that a user's class can mix EventEmitter with an
    ABC without a metaclass conflict.
    """

    @property
    def error_monitor(cls) -> Symbol:
        return error_monitor

    @property
    def capture_rejection_symbol(cls) -> str:
        return capture_rejection_symbol

    @property
    def default_max_listeners(cls) -> float:
        return _Defaults.max_listeners

    @default_max_listeners.setter
    def default_max_listeners(cls, value: float) -> None:
        # The defaultMaxListeners setter: validateNumber(arg, ..., 0), so 0 is
        # allowed, negative and NaN are RangeErrors (clause A37).
        _Defaults.max_listeners = _validate_number(value, "default_max_listeners")

    @property
    def capture_rejections(cls) -> bool:
        return EventEmitter._capture

    @capture_rejections.setter
    def capture_rejections(cls, value: bool) -> None:
        # validateBoolean(value, 'EventEmitter.captureRejections') and then
        # `EventEmitter.prototype[kCapture] = value`: assigning through a
        # subclass changes the one default too (clauses A43, A44).
        if not isinstance(value, bool):
            raise err_invalid_arg_type("EventEmitter.capture_rejections", "of type boolean", value)
        EventEmitter._capture = value


class EventEmitter(metaclass=_EventEmitterType):
    """Node's ``EventEmitter`` (``node:events``) in the Python binding."""

    # Node's prototype fields (see the module comment).
    _events: dict[Hashable, Any] = _NO_EVENTS
    _max_listeners: float | None = None
    _capture: bool = False
    # The names whose listener tuple has warned (Node's `existing.warned`,
    # which lives on the array: clause A35). A name leaves the set when its
    # listeners stop being a tuple, as Node's array is then dropped.
    _warned: frozenset[Hashable] | set[Hashable] = frozenset()

    def __init__(self, options: Mapping[str, object] | None = None) -> None:
        # EventEmitter.init: listeners added before the constructor ran stay
        # (clause A45; Node calls this "shape mode").
        if self._events is _NO_EVENTS:
            self._events = {}
        # `this._maxListeners ||= undefined`: a limit set before the
        # constructor ran survives, unless it was 0 (checked on Node 24).
        if not self._max_listeners:
            self._max_listeners = None
        capture = options.get("capture_rejections") if isinstance(options, Mapping) else None
        if _js_truthy(capture):
            # A truthy non-boolean is a TypeError; a falsy one (0, '', None,
            # and False itself) means "the default", which is the class-wide
            # value even when it is True (clause A43, checked on Node 24).
            if not isinstance(capture, bool):
                raise err_invalid_arg_type("options.capture_rejections", "of type boolean", capture)
            self._capture = True
        else:
            self._capture = EventEmitter._capture

    # ------------------------------------------------------------------ emit

    def emit(self, event_name: object, /, *args: object) -> bool:
        """Call every listener of ``event_name`` now, in order; True if there was one."""
        # Fast path: a str name that is not 'error'. The arity branches only
        # let CPython call listeners with plain positional calls, which it
        # runs much faster than `listener(*args)`; they do the same thing.
        key: Any = event_name
        if key.__class__ is not str:
            key = event_key(key)
            if is_error_key(key):
                return self._emit_error(args)
        elif key == "error":
            return self._emit_error(args)
        handler = self._events.get(key)
        if handler is None:
            return False
        if handler.__class__ is tuple:
            if len(args) == 1:
                arg = args[0]
                for listener in handler:
                    result = listener(arg)
                    if result is not None:
                        listener_returned(self, result, event_name, args)
            else:
                for listener in handler:
                    result = listener(*args)
                    if result is not None:
                        listener_returned(self, result, event_name, args)
            return True
        result = handler(args[0]) if len(args) == 1 else handler(*args)
        if result is not None:
            # The event as it was passed, as Node hands `type` on (A39).
            listener_returned(self, result, event_name, args)
        return True

    def _emit_error(self, args: tuple[object, ...]) -> bool:
        # The 'error' rule (clauses A25, A26, A28): the error_monitor
        # listeners first, then the 'error' listeners, or a throw if there
        # are none. Node reads both from the store it saw on entry.
        events = self._events
        if error_monitor in events:
            self.emit(error_monitor, *args)
        handler = events.get("error")
        if handler is None:
            raise _unhandled_error(args)
        self._call_all(handler, "error", args)
        return True

    def _call_all(self, handler: Any, name: object, args: tuple[object, ...]) -> None:
        for listener in handler if handler.__class__ is tuple else (handler,):
            result = listener(*args)
            if result is not None:
                listener_returned(self, result, name, args)

    # ---------------------------------------------------------- adding

    def add_listener(self, event_name: object, listener: Listener) -> Self:
        """Append ``listener`` to ``event_name``'s listeners (``on``)."""
        return self._add_listener(event_name, listener, False)

    on = add_listener  # the same function object (clause A7)

    def prepend_listener(self, event_name: object, listener: Listener) -> Self:
        """Put ``listener`` in front of ``event_name``'s listeners."""
        return self._add_listener(event_name, listener, True)

    def once(self, event_name: object, listener: Listener) -> Self:
        """Add ``listener`` for the next ``event_name`` only."""
        _check_listener(listener)
        self.on(event_name, _OnceWrapper(self, event_name, listener))
        return self

    def prepend_once_listener(self, event_name: object, listener: Listener) -> Self:
        """Add ``listener`` in front, for the next ``event_name`` only."""
        _check_listener(listener)
        self.prepend_listener(event_name, _OnceWrapper(self, event_name, listener))
        return self

    def _add_listener(self, event_name: object, listener: Listener, prepend: bool) -> Self:
        # lib/events.js _addListener.
        _check_listener(listener)
        key = event_key(event_name)
        events = self._events
        if events is _NO_EVENTS:
            events = self._events = {}
            existing = None
        else:
            if "newListener" in events:
                # Before adding, with the original of a once wrapper (clause
                # A18); the name as it was passed (a number stays a number).
                original = getattr(listener, "listener", None)
                self.emit("newListener", event_name, listener if original is None else original)
                # A 'newListener' listener may have replaced the store.
                events = self._events
            existing = events.get(key)
        if existing is None:
            events[key] = listener
            return self
        if existing.__class__ is tuple:
            listeners = (listener, *existing) if prepend else (*existing, listener)
        else:
            listeners = (listener, existing) if prepend else (existing, listener)
        events[key] = listeners
        # The leak check (clauses A31-A35): not a limit, a warning, once per
        # listener array.
        maximum = self._max_listeners
        if maximum is None:
            maximum = _Defaults.max_listeners
        if 0 < maximum < len(listeners) and key not in self._warned:
            if not isinstance(self._warned, set):
                self._warned = set()
            self._warned.add(key)
            warn_max_listeners_exceeded(self, event_name, len(listeners), maximum)
        return self

    # -------------------------------------------------------- removing

    def remove_listener(self, event_name: object, listener: Listener) -> Self:
        """Remove the most recently added registration of ``listener`` (``off``)."""
        # lib/events.js removeListener (clauses A13-A15).
        _check_listener(listener)
        key = event_key(event_name)
        events = self._events
        stored = events.get(key)
        if stored is None:
            return self
        if stored.__class__ is not tuple:
            if not _same_listener(stored, listener):
                return self
            del events[key]
            if "removeListener" in events:
                # `list.listener || listener`: the original of a once wrapper.
                self.emit("removeListener", event_name, getattr(stored, "listener", None) or listener)
            return self
        for position in range(len(stored) - 1, -1, -1):
            if _same_listener(stored[position], listener):
                break
        else:
            return self
        remaining = stored[:position] + stored[position + 1 :]
        if len(remaining) == 1:
            # Back to a bare listener: Node drops the array, and its `warned`.
            events[key] = remaining[0]
            self._warned_discard(key)
        else:
            events[key] = remaining
        if "removeListener" in events:
            # Here Node passes the argument as given: when a once listener
            # among several removes itself, that is the wrapper (checked on
            # Node 20 and 24; clause A15).
            self.emit("removeListener", event_name, listener)
        return self

    off = remove_listener  # the same function object (clause A7)

    def remove_all_listeners(self, event_name: object = None) -> Self:
        """Remove every listener, or those of ``event_name``."""
        # lib/events.js removeAllListeners (clauses A16, A17). None stands
        # for Node's "no argument", so None cannot name one event here.
        events = self._events
        if events is _NO_EVENTS:
            return self
        if "removeListener" not in events:
            if event_name is None:
                self._events = {}
                self._warned = frozenset()
            else:
                key = event_key(event_name)
                if events.pop(key, None) is not None:
                    self._warned_discard(key)
            return self
        if event_name is None:
            # Every other event first, in Reflect.ownKeys order, then the
            # 'removeListener' listeners themselves.
            for key in own_keys_order(list(events)):
                if not (key.__class__ is str and key == "removeListener"):
                    self._remove_each_listener(key)
            self._remove_each_listener("removeListener")
            self._events = {}
            self._warned = frozenset()
            return self
        self._remove_each_listener(event_name)
        return self

    def _remove_each_listener(self, event_name: object) -> None:
        # One by one, so that each removal emits 'removeListener'. (Node
        # recurses into removeAllListeners(key); a helper keeps a symbol
        # that happens to be None from meaning "all" here.)
        stored = self._events.get(event_key(event_name))
        if stored is None:
            return
        if stored.__class__ is not tuple:
            self.remove_listener(event_name, stored)
        else:
            # LIFO. Node walks its live array, which removeListener shortens
            # in place; walking the tuple that was stored is the same unless a
            # 'removeListener' listener changes this event's listeners itself.
            for listener in reversed(stored):
                self.remove_listener(event_name, listener)

    def _warned_discard(self, key: Hashable) -> None:
        if key in self._warned and isinstance(self._warned, set):
            self._warned.discard(key)

    # ---------------------------------------------------------- reading

    def listeners(self, event_name: object) -> list[Listener]:
        """A new list of ``event_name``'s listeners, once wrappers unwrapped."""
        stored = self._events.get(event_key(event_name))
        if stored is None:
            return []
        result = list(stored) if stored.__class__ is tuple else [stored]
        for index, listener in enumerate(result):
            original = getattr(listener, "listener", None)
            if callable(original):
                result[index] = original
        return result

    def raw_listeners(self, event_name: object) -> list[Listener]:
        """A new list of ``event_name``'s listeners as stored (once wrappers included)."""
        stored = self._events.get(event_key(event_name))
        if stored is None:
            return []
        return list(stored) if stored.__class__ is tuple else [stored]

    def listener_count(self, event_name: object, listener: Listener | None = None) -> int:
        """How many listeners ``event_name`` has; with ``listener``, how many are it."""
        stored = self._events.get(event_key(event_name))
        if stored is None:
            return 0
        if stored.__class__ is not tuple:
            return 1 if listener is None or _same_listener(stored, listener) else 0
        if listener is None:
            return len(stored)
        return sum(1 for entry in stored if _same_listener(entry, listener))

    def event_names(self) -> list[Hashable]:
        """The names that have listeners, in ``Reflect.ownKeys`` order."""
        return own_keys_order(self._events)

    # ---------------------------------------------------- max listeners

    def set_max_listeners(self, n: float) -> Self:
        """Warn when an event gets more than ``n`` listeners (0 or inf: never)."""
        self._max_listeners = _validate_number(n, "set_max_listeners")
        return self

    def get_max_listeners(self) -> float:
        """The instance's limit, or the current default."""
        maximum = self._max_listeners
        return _Defaults.max_listeners if maximum is None else maximum


def module_state() -> tuple[float, bool]:
    return _Defaults.max_listeners, EventEmitter._capture


def restore_module_state(state: tuple[float, bool]) -> None:
    _Defaults.max_listeners, EventEmitter._capture = state
