"""node:events: adding and removing listeners: on/add_listener (A6, A7),
chaining (A8), prepend_listener / prepend_once_listener (A9), once and its
wrapper (A10, A11), remove_listener/off (A13, A14), listener validation (A20)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from conformance.suite._net_helpers import raises_node_error

from ._events_helpers import named_listener

if TYPE_CHECKING:
    from nodeapi.events import EventEmitter, EventsModule


@pytest.mark.clause("A6")
def test_on_appends_and_does_not_check_for_duplicates(events: EventsModule) -> None:
    emitter = events.EventEmitter()
    calls: list[str] = []
    listener = named_listener(calls, "f")
    other = named_listener(calls, "g")
    emitter.on("data", listener)
    emitter.add_listener("data", other)
    emitter.on("data", listener)
    emitter.add_listener("data", listener)

    assert emitter.raw_listeners("data") == [listener, other, listener, listener]
    assert emitter.listener_count("data") == 4
    emitter.emit("data")
    assert calls == ["f", "g", "f", "f"]


@pytest.mark.clause("A7")
def test_add_listener_is_on_and_remove_listener_is_off(events: EventsModule) -> None:
    cls = events.EventEmitter
    assert cls.on is cls.add_listener
    assert cls.off is cls.remove_listener
    emitter = cls()
    assert emitter.on == emitter.add_listener
    assert emitter.off == emitter.remove_listener


def _chained_calls(emitter: EventEmitter) -> dict[str, object]:
    def listener() -> None:
        pass

    return {
        "on": emitter.on("a", listener),
        "add_listener": emitter.add_listener("a", listener),
        "once": emitter.once("a", listener),
        "prepend_listener": emitter.prepend_listener("a", listener),
        "prepend_once_listener": emitter.prepend_once_listener("a", listener),
        "off": emitter.off("a", listener),
        "remove_listener": emitter.remove_listener("a", listener),
        "remove_listener (unknown)": emitter.remove_listener("unknown", listener),
        "remove_all_listeners(name)": emitter.remove_all_listeners("a"),
        "remove_all_listeners()": emitter.remove_all_listeners(),
        "set_max_listeners": emitter.set_max_listeners(20),
    }


@pytest.mark.clause("A8")
def test_mutating_methods_return_the_emitter(events: EventsModule) -> None:
    emitter = events.EventEmitter()
    results = _chained_calls(emitter)
    assert {name: result is emitter for name, result in results.items()} == dict.fromkeys(results, True)


@pytest.mark.clause("A8")
def test_calls_can_be_chained(events: EventsModule) -> None:
    calls: list[str] = []
    emitter = (
        events.EventEmitter()
        .on("data", named_listener(calls, "on"))
        .prepend_listener("data", named_listener(calls, "prepend"))
        .once("data", named_listener(calls, "once"))
        .set_max_listeners(3)
    )
    emitter.emit("data")
    assert calls == ["prepend", "on", "once"]
    assert emitter.get_max_listeners() == 3


@pytest.mark.clause("A9")
def test_prepend_listener_and_prepend_once_listener_add_at_the_front(events: EventsModule) -> None:
    # The doc's example: on(A), prepend_listener(B), prepend_once_listener(C).
    emitter = events.EventEmitter()
    calls: list[str] = []
    emitter.on("data", named_listener(calls, "A"))
    emitter.prepend_listener("data", named_listener(calls, "B"))
    emitter.prepend_once_listener("data", named_listener(calls, "C"))

    emitter.emit("data")
    assert calls == ["C", "B", "A"]
    calls.clear()
    emitter.emit("data")
    assert calls == ["B", "A"]


@pytest.mark.clause("A9")
def test_prepend_listener_on_an_event_without_listeners_adds_it(events: EventsModule) -> None:
    emitter = events.EventEmitter()
    calls: list[str] = []
    emitter.prepend_listener("data", named_listener(calls, "only"))
    assert emitter.emit("data") is True
    assert calls == ["only"]


@pytest.mark.clause("A10")
def test_once_removes_the_listener_before_calling_it(events: EventsModule) -> None:
    emitter = events.EventEmitter()
    seen: list[tuple[object, int, int]] = []

    def listener(value: object) -> None:
        seen.append((value, emitter.listener_count("data"), len(emitter.raw_listeners("data"))))

    emitter.once("data", listener)
    assert emitter.listener_count("data") == 1
    assert emitter.emit("data", "v") is True
    assert seen == [("v", 0, 0)]
    assert emitter.emit("data", "w") is False
    assert seen == [("v", 0, 0)]


@pytest.mark.clause("A10")
def test_a_once_listener_that_emits_its_own_event_is_not_called_again(events: EventsModule) -> None:
    emitter = events.EventEmitter()
    depth: list[int] = []

    def listener(level: int) -> None:
        depth.append(level)
        emitter.emit("data", level + 1)

    emitter.once("data", listener)
    emitter.emit("data", 0)
    assert depth == [0]


@pytest.mark.clause("A10")
def test_once_among_other_listeners_runs_exactly_once(events: EventsModule) -> None:
    emitter = events.EventEmitter()
    calls: list[str] = []
    emitter.on("data", named_listener(calls, "on"))
    emitter.once("data", named_listener(calls, "once"))
    emitter.on("data", named_listener(calls, "on2"))
    emitter.emit("data")
    emitter.emit("data")
    assert calls == ["on", "once", "on2", "on", "on2"]


@pytest.mark.clause("A11")
def test_raw_listeners_has_the_once_wrapper_and_listeners_the_original(events: EventsModule) -> None:
    emitter = events.EventEmitter()
    calls: list[object] = []

    def listener(*args: object) -> None:
        calls.append(args)

    emitter.once("data", listener)
    (wrapper,) = emitter.raw_listeners("data")
    assert wrapper is not listener
    assert getattr(wrapper, "listener") is listener
    assert emitter.listeners("data") == [listener]
    assert emitter.listeners("data")[0] is listener


@pytest.mark.clause("A11")
def test_calling_the_wrappers_listener_keeps_the_registration_calling_the_wrapper_removes_it(
    events: EventsModule,
) -> None:
    emitter = events.EventEmitter()
    calls: list[tuple[object, ...]] = []

    def listener(*args: object) -> None:
        calls.append(args)

    emitter.once("data", listener)
    (wrapper,) = emitter.raw_listeners("data")

    getattr(wrapper, "listener")("direct")
    assert calls == [("direct",)]
    assert emitter.listener_count("data") == 1

    wrapper("through the wrapper")
    assert calls == [("direct",), ("through the wrapper",)]
    assert emitter.listener_count("data") == 0
    assert emitter.emit("data", "late") is False


@pytest.mark.clause("A13")
def test_remove_listener_removes_the_most_recent_registration_only(events: EventsModule) -> None:
    emitter = events.EventEmitter()
    calls: list[str] = []
    f = named_listener(calls, "f")
    g = named_listener(calls, "g")
    emitter.on("data", f)
    emitter.on("data", g)
    emitter.on("data", f)

    emitter.remove_listener("data", f)
    assert emitter.raw_listeners("data") == [f, g]
    emitter.remove_listener("data", f)
    assert emitter.raw_listeners("data") == [g]


@pytest.mark.clause("A13")
def test_remove_listener_matches_a_once_wrapper_by_its_original(events: EventsModule) -> None:
    # The doc's example: after on(f) then once(f), off(f) removes the once.
    emitter = events.EventEmitter()
    calls: list[str] = []
    f = named_listener(calls, "f")
    emitter.on("data", f)
    emitter.once("data", f)

    emitter.off("data", f)
    assert emitter.raw_listeners("data") == [f]
    emitter.emit("data")
    emitter.emit("data")
    assert calls == ["f", "f"]


@pytest.mark.clause("A13")
def test_remove_listener_removes_a_lone_once_listener_by_its_original(events: EventsModule) -> None:
    emitter = events.EventEmitter()
    calls: list[str] = []
    f = named_listener(calls, "f")
    emitter.once("data", f)
    emitter.remove_listener("data", f)
    assert emitter.listener_count("data") == 0
    assert emitter.emit("data") is False
    assert calls == []


@pytest.mark.clause("A14")
def test_removing_an_unknown_listener_or_event_is_a_silent_no_op(events: EventsModule) -> None:
    emitter = events.EventEmitter()
    removed: list[object] = []
    emitter.on("removeListener", lambda *args: removed.append(args))
    calls: list[str] = []
    f = named_listener(calls, "f")
    stranger = named_listener(calls, "stranger")
    emitter.on("data", f)

    assert emitter.remove_listener("data", stranger) is emitter
    assert emitter.remove_listener("nothing", f) is emitter
    assert emitter.off("nothing", stranger) is emitter
    assert emitter.raw_listeners("data") == [f]
    assert removed == []


_NOT_CALLABLE = [None, "listener", 1, 1.5, True, object(), ["a list"], {"a": "dict"}]
_ADDERS = ["on", "add_listener", "once", "prepend_listener", "prepend_once_listener"]


@pytest.mark.parametrize("value", _NOT_CALLABLE, ids=lambda v: type(v).__name__)
@pytest.mark.parametrize("method", _ADDERS)
@pytest.mark.clause("A20")
def test_adding_a_non_callable_raises_err_invalid_arg_type(events: EventsModule, method: str, value: object) -> None:
    emitter = events.EventEmitter()
    announced: list[object] = []
    emitter.on("newListener", lambda *args: announced.append(args))
    with raises_node_error(TypeError, "ERR_INVALID_ARG_TYPE"):
        getattr(emitter, method)("data", value)
    # Checked before anything happens: nothing announced, nothing added.
    assert announced == []
    assert emitter.listener_count("data") == 0


@pytest.mark.parametrize("value", _NOT_CALLABLE, ids=lambda v: type(v).__name__)
@pytest.mark.parametrize("method", ["remove_listener", "off"])
@pytest.mark.clause("A20")
def test_removing_a_non_callable_raises_err_invalid_arg_type(events: EventsModule, method: str, value: object) -> None:
    emitter = events.EventEmitter()
    emitter.on("data", lambda: None)
    with raises_node_error(TypeError, "ERR_INVALID_ARG_TYPE"):
        getattr(emitter, method)("data", value)
    # Also for an event that has no listener at all.
    with raises_node_error(TypeError, "ERR_INVALID_ARG_TYPE"):
        getattr(emitter, method)("nothing", value)
    assert emitter.listener_count("data") == 1
