# mypy: enable-error-code="deprecated"
# Type-level cases for stubs/nodeapi/events.pyi, typeshed style (tests/REGRESSION.md there): this
# file is never run. mypy checks it (tests/test_typing.py): assert_type pins what a call returns,
# and a `# type: ignore[code]` marks a line mypy must reject, since warn_unused_ignores makes an
# ignore that is not needed an error of its own.
from __future__ import annotations

from collections.abc import Awaitable, Hashable
from typing import Any

from typing_extensions import assert_type

from nodeapi.events import EventEmitter, EventEmitterOptions, EventsModule, Listener, OnceWrapper
from nodeapi.net import Server


def listener(*args: object) -> None: ...


def takes_two(a: int, b: str) -> None: ...


def chain_methods_return_the_emitter(ee: EventEmitter) -> None:
    # Clause A8: these return the emitter, so calls chain.
    assert_type(ee.on("a", listener), EventEmitter)
    assert_type(ee.add_listener("a", listener).once("b", listener), EventEmitter)
    assert_type(ee.prepend_listener("a", listener).prepend_once_listener("b", listener), EventEmitter)
    assert_type(ee.off("a", listener).remove_listener("b", listener), EventEmitter)
    assert_type(ee.remove_all_listeners(), EventEmitter)
    assert_type(ee.remove_all_listeners("a"), EventEmitter)
    assert_type(ee.set_max_listeners(20), EventEmitter)
    assert_type(ee.set_max_listeners(float("inf")), EventEmitter)


def chain_methods_keep_the_subtype(server: Server) -> None:
    # Self, not EventEmitter: a Server's chain stays a Server.
    assert_type(server.set_max_listeners(1).remove_all_listeners("x"), Server)
    assert_type(server.off("connection", listener), Server)


def queries(ee: EventEmitter) -> None:
    assert_type(ee.emit("a"), bool)
    assert_type(ee.emit("a", 1, "two", None), bool)
    assert_type(ee.event_names(), list[Hashable])
    assert_type(ee.listener_count("a"), int)
    assert_type(ee.listener_count("a", listener), int)
    assert_type(ee.listeners("a"), list[Listener])
    assert_type(ee.raw_listeners("a"), list[Listener])
    assert_type(ee.get_max_listeners(), float)


def once_wrapper(wrapper: OnceWrapper) -> None:
    # Clause A11: raw_listeners() gives the wrapper, whose .listener is the original function.
    assert_type(wrapper.listener, Listener)
    wrapper(1, 2)


def event_names_are_property_keys(ee: EventEmitter, events: EventsModule) -> None:
    # CONFORMANCE.md 1.2: str, int (a JS property key) or a symbol object.
    ee.on("data", listener)
    ee.on(1, listener)
    ee.on(object(), listener)
    ee.on(events.error_monitor, listener)
    ee.emit(events.error_monitor, ValueError())
    ee.on(["not", "hashable"], listener)  # type: ignore[arg-type]
    ee.on({"not": "hashable"}, listener)  # type: ignore[arg-type]


def listeners_are_any_callables(ee: EventEmitter) -> None:
    ee.on("a", takes_two)
    ee.on("a", lambda: None)
    ee.on("a", print)

    async def coroutine_listener(value: int) -> None: ...

    ee.on("a", coroutine_listener)  # CONFORMANCE.md 1.4: run on the loop
    ee.on("a", "not callable")  # type: ignore[arg-type]
    ee.on("a", None)  # type: ignore[arg-type]


def positions_not_names(ee: EventEmitter) -> None:
    # JavaScript has no keyword arguments: the binding fixes positions only.
    ee.on(event_name="a", listener=listener)  # type: ignore[call-arg]
    ee.listener_count("a", listener=listener)  # type: ignore[call-arg]


def constructor_and_options(events: EventsModule) -> None:
    assert_type(events.EventEmitter(), EventEmitter)
    assert_type(events.EventEmitter(None), EventEmitter)
    assert_type(events.EventEmitter({}), EventEmitter)
    assert_type(events.EventEmitter({"capture_rejections": True}), EventEmitter)
    events.EventEmitter({"captureRejections": True})  # type: ignore[arg-type]
    events.EventEmitter({"capture_rejections": 1})  # type: ignore[arg-type]
    events.EventEmitter(options={})  # type: ignore[call-arg]
    # The same mistakes, named precisely where the dict is typed on its own:
    misspelled: EventEmitterOptions = {"captureRejections": True}  # type: ignore[typeddict-unknown-key]
    wrong_type: EventEmitterOptions = {"capture_rejections": 1}  # type: ignore[typeddict-item]


def class_properties(events: EventsModule, ee: EventEmitter) -> None:
    # CONFORMANCE.md 1.1: the settable module properties live on the class.
    cls = events.EventEmitter
    assert_type(cls.default_max_listeners, float)
    cls.default_max_listeners = 20
    cls.default_max_listeners = float("inf")
    cls.default_max_listeners = "20"  # type: ignore[assignment]
    assert_type(cls.capture_rejections, bool)
    cls.capture_rejections = True
    assert_type(cls.error_monitor, Hashable)
    assert_type(cls.capture_rejection_symbol, str)
    cls.error_monitor = object()  # type: ignore[misc]
    # They are class properties, not the instances'.
    ee.default_max_listeners  # type: ignore[attr-defined]


def isinstance_works_on_the_class(events: EventsModule, value: object) -> None:
    if isinstance(value, events.EventEmitter):
        assert_type(value, EventEmitter)


def module_functions(events: EventsModule, ee: EventEmitter, server: Server) -> None:
    assert_type(events.once(ee, "a"), Awaitable[list[Any]])
    assert_type(events.once(server, "listening"), Awaitable[list[Any]])  # any emitter, not only its own
    events.set_max_listeners(5)
    events.set_max_listeners(5, ee, server)
    assert_type(events.get_max_listeners(ee), float)
    assert_type(events.error_monitor, Hashable)
    assert_type(events.capture_rejection_symbol, str)
    assert_type(events.MaxListenersExceededWarning, type[Warning])
    events.once("not an emitter", "a")  # type: ignore[arg-type]
    # Clause A24: deprecated since Node v3.2.0 (the instance method is the one to use).
    events.listener_count(ee, "a")  # type: ignore[deprecated]


async def awaiting_once(events: EventsModule, ee: EventEmitter) -> None:
    args = await events.once(ee, "a")
    assert_type(args, list[Any])
