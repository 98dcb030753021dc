# node:events in the Python binding (CONFORMANCE.md 1.1-1.6), as Protocols: any class with this
# shape is an EventEmitter, so mypy can prove a third-party implementation has it:
#
#     _: type[nodeapi.events.EventEmitter] = theirs.EventEmitter          # the instances' API
#     _: nodeapi.events.EventEmitterConstructor = theirs.EventEmitter     # `EventEmitter(options)`
#     _: nodeapi.events.EventsModule = theirs_events_module               # the module
#
# Parameters are positional-only: JavaScript has no keyword arguments, so the binding fixes
# positions, never Python parameter names (an implementation may name them as it likes).
from abc import ABCMeta
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, Protocol, TypedDict, type_check_only
from typing_extensions import Self, TypeAlias, deprecated

__all__ = [
    "EventEmitter",
    "EventEmitterConstructor",
    "EventEmitterOptions",
    "EventName",
    "EventsModule",
    "Listener",
    "MaxListenersExceededWarning",
    "OnceWrapper",
]

# str, a symbol object (any other hashable, e.g. object()), or an int, which names the event
# its decimal string names, as a JavaScript property key does (CONFORMANCE.md 1.2, clause A21).
EventName: TypeAlias = Hashable
# Listeners get the emitted arguments only (no `this`, CONFORMANCE.md 1.4); what they return is
# ignored, except that a coroutine is run on the loop (capture_rejections, clause A39).
Listener: TypeAlias = Callable[..., object]

class EventEmitterOptions(TypedDict, total=False):
    capture_rejections: bool

class OnceWrapper(Protocol):
    # What raw_listeners() holds for a once() listener (clause A11): calling it removes it first.
    @property
    def listener(self) -> Listener: ...
    def __call__(self, *args: Any) -> object: ...

# Settable module-level properties of node:events live on the class, where assignment can be
# validated (CONFORMANCE.md 1.1): a metaclass property, so `type[EventEmitter]` has them too.
@type_check_only
class _EventEmitterMeta(ABCMeta):
    @property
    def default_max_listeners(cls) -> float: ...  # an int, or math.inf
    @default_max_listeners.setter
    def default_max_listeners(cls, value: float, /) -> None: ...
    @property
    def capture_rejections(cls) -> bool: ...
    @capture_rejections.setter
    def capture_rejections(cls, value: bool, /) -> None: ...
    @property
    def error_monitor(cls) -> Hashable: ...
    @property
    def capture_rejection_symbol(cls) -> str: ...  # "nodejs_rejection"

class EventEmitter(Protocol, metaclass=_EventEmitterMeta):
    def __init__(self, options: EventEmitterOptions | None = None, /) -> None: ...
    def add_listener(self, event_name: EventName, listener: Listener, /) -> Self: ...
    def on(self, event_name: EventName, listener: Listener, /) -> Self: ...
    def prepend_listener(self, event_name: EventName, listener: Listener, /) -> Self: ...
    def once(self, event_name: EventName, listener: Listener, /) -> Self: ...
    def prepend_once_listener(self, event_name: EventName, listener: Listener, /) -> Self: ...
    def remove_listener(self, event_name: EventName, listener: Listener, /) -> Self: ...
    def off(self, event_name: EventName, listener: Listener, /) -> Self: ...
    def remove_all_listeners(self, event_name: EventName | None = None, /) -> Self: ...
    def emit(self, event_name: EventName, /, *args: object) -> bool: ...
    def event_names(self) -> list[EventName]: ...
    def listener_count(self, event_name: EventName, listener: Listener | None = None, /) -> int: ...
    def listeners(self, event_name: EventName, /) -> list[Listener]: ...
    def raw_listeners(self, event_name: EventName, /) -> list[Listener]: ...  # once() listeners as OnceWrapper
    def get_max_listeners(self) -> float: ...
    def set_max_listeners(self, n: float, /) -> Self: ...

class EventEmitterConstructor(Protocol):
    # `new EventEmitter(options)`: the class object's call. A separate Protocol because mypy checks
    # a class object against a Protocol either on the class or on its metaclass, never both, and the
    # class-level properties may live on either (conformance.typecheck reads them one by one).
    def __call__(self, options: EventEmitterOptions | None = None, /) -> EventEmitter: ...

class MaxListenersExceededWarning(Protocol):
    # The fields of the warning (clause A33); the class itself is a Warning subclass, which a
    # Protocol cannot say, so EventsModule.MaxListenersExceededWarning is a type[Warning].
    @property
    def emitter(self) -> EventEmitter: ...
    @property
    def type(self) -> EventName: ...
    @property
    def count(self) -> int: ...

# Inside EventsModule the name EventEmitter is the property.
_Emitter: TypeAlias = EventEmitter

class EventsModule(Protocol):
    @property
    def EventEmitter(self) -> type[EventEmitter]: ...
    @property
    def MaxListenersExceededWarning(self) -> type[Warning]: ...
    @property
    def error_monitor(self) -> Hashable: ...
    @property
    def capture_rejection_symbol(self) -> str: ...
    # A Promise of the emitted arguments; rejects on 'error' unless waiting for 'error' (A46).
    def once(self, emitter: _Emitter, event_name: EventName, /) -> Awaitable[list[Any]]: ...
    def set_max_listeners(self, n: float, /, *targets: _Emitter) -> None: ...
    def get_max_listeners(self, emitter: _Emitter, /) -> float: ...
    @deprecated("Deprecated since Node v3.2.0: use emitter.listener_count() (clause A24).")
    def listener_count(self, emitter: _Emitter, event_name: EventName, /) -> int: ...
