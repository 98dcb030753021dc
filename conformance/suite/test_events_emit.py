"""node:events: emit() (clauses A1, A2, A4, A5), event names (A21), and
emitters used before their constructor ran (A45)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from nodeapi.events import EventsModule


@pytest.mark.clause("A1")
def test_emit_calls_each_listener_synchronously_in_registration_order_with_the_arguments(
    events: EventsModule,
) -> None:
    emitter = events.EventEmitter()
    calls: list[tuple[str, tuple[object, ...]]] = []
    emitter.on("data", lambda *args: calls.append(("first", args)))
    emitter.on("data", lambda *args: calls.append(("second", args)))
    emitter.on("data", lambda *args: calls.append(("third", args)))
    payload = object()

    handled = emitter.emit("data", payload, 2, "three")

    # Synchronously: everything has run by the time emit() returns.
    assert calls == [
        ("first", (payload, 2, "three")),
        ("second", (payload, 2, "three")),
        ("third", (payload, 2, "three")),
    ]
    assert handled is True


@pytest.mark.clause("A1")
def test_emit_returns_false_when_the_event_has_no_listener(events: EventsModule) -> None:
    emitter = events.EventEmitter()
    emitter.on("other", lambda: None)
    assert emitter.emit("data") is False
    assert emitter.emit("data", 1, 2) is False


@pytest.mark.clause("A1")
def test_emit_with_no_arguments_calls_listeners_with_no_arguments(events: EventsModule) -> None:
    emitter = events.EventEmitter()
    calls: list[tuple[object, ...]] = []
    emitter.on("tick", lambda *args: calls.append(args))
    assert emitter.emit("tick") is True
    assert calls == [()]


@pytest.mark.clause("A1")
def test_a_listener_registered_once_per_event_gets_only_its_event(events: EventsModule) -> None:
    emitter = events.EventEmitter()
    calls: list[str] = []
    emitter.on("a", lambda: calls.append("a"))
    emitter.on("b", lambda: calls.append("b"))
    emitter.emit("b")
    emitter.emit("a")
    emitter.emit("b")
    assert calls == ["b", "a", "b"]


@pytest.mark.clause("A2")
def test_values_returned_by_listeners_are_ignored(events: EventsModule) -> None:
    emitter = events.EventEmitter()
    calls: list[str] = []

    def returns_false() -> bool:
        calls.append("false")
        return False

    def returns_a_value() -> object:
        calls.append("value")
        return {"stop": True}

    emitter.on("data", returns_false)
    emitter.on("data", returns_a_value)
    emitter.on("data", lambda: calls.append("last"))

    # Neither False nor any other value stops the emit or changes its result.
    assert emitter.emit("data") is True
    assert calls == ["false", "value", "last"]


@pytest.mark.clause("A4")
def test_a_listener_removed_during_emit_is_still_called_in_that_emit(events: EventsModule) -> None:
    emitter = events.EventEmitter()
    calls: list[str] = []

    def second() -> None:
        calls.append("second")

    def first() -> None:
        calls.append("first")
        emitter.remove_listener("data", second)

    emitter.on("data", first)
    emitter.on("data", second)

    emitter.emit("data")
    assert calls == ["first", "second"]
    calls.clear()
    emitter.emit("data")
    assert calls == ["first"]


@pytest.mark.clause("A4")
def test_remove_all_listeners_during_emit_does_not_stop_that_emit(events: EventsModule) -> None:
    emitter = events.EventEmitter()
    calls: list[str] = []

    def first() -> None:
        calls.append("first")
        emitter.remove_all_listeners()

    emitter.on("data", first)
    emitter.on("data", lambda: calls.append("second"))
    emitter.on("data", lambda: calls.append("third"))

    assert emitter.emit("data") is True
    assert calls == ["first", "second", "third"]
    assert emitter.emit("data") is False


@pytest.mark.clause("A4")
def test_a_listener_added_during_emit_waits_for_the_next_emit(events: EventsModule) -> None:
    emitter = events.EventEmitter()
    calls: list[str] = []

    def late() -> None:
        calls.append("late")

    def first() -> None:
        calls.append("first")
        emitter.on("data", late)
        emitter.prepend_listener("data", late)

    emitter.on("data", first)
    emitter.on("data", lambda: calls.append("second"))

    emitter.emit("data")
    assert calls == ["first", "second"]
    calls.clear()
    emitter.off("data", first)
    emitter.emit("data")
    assert calls == ["late", "second", "late"]


@pytest.mark.clause("A4")
def test_the_snapshot_holds_when_the_only_listener_adds_another(events: EventsModule) -> None:
    # One listener is stored differently from several in Node (bare, not in
    # an array); the snapshot rule holds across that change too.
    emitter = events.EventEmitter()
    calls: list[str] = []

    def added() -> None:
        calls.append("added")

    def only() -> None:
        calls.append("only")
        emitter.on("data", added)

    emitter.on("data", only)
    emitter.emit("data")
    assert calls == ["only"]
    calls.clear()
    emitter.emit("data")
    assert calls == ["only", "added"]


@pytest.mark.clause("A5")
def test_an_exception_from_a_listener_propagates_out_of_emit_and_stops_it(events: EventsModule) -> None:
    emitter = events.EventEmitter()
    calls: list[str] = []
    failure = RuntimeError("listener failed")

    def raising() -> None:
        calls.append("raising")
        raise failure

    emitter.on("data", lambda: calls.append("before"))
    emitter.on("data", raising)
    emitter.on("data", lambda: calls.append("after"))

    with pytest.raises(RuntimeError) as info:
        emitter.emit("data")
    assert info.value is failure
    assert calls == ["before", "raising"]
    # The emitter is unchanged and usable.
    assert emitter.listener_count("data") == 3


@pytest.mark.clause("A5")
def test_an_exception_from_the_only_listener_propagates_out_of_emit(events: EventsModule) -> None:
    emitter = events.EventEmitter()
    failure = KeyError("only")

    def raising(value: object) -> None:
        raise failure

    emitter.on("data", raising)
    with pytest.raises(KeyError) as info:
        emitter.emit("data", 1)
    assert info.value is failure


@pytest.mark.clause("A21")
def test_symbol_names_are_distinct_from_strings_and_from_each_other(events: EventsModule) -> None:
    emitter = events.EventEmitter()
    calls: list[str] = []
    first, second = object(), object()
    emitter.on(first, lambda: calls.append("first"))
    emitter.on(second, lambda: calls.append("second"))
    emitter.on(str(first), lambda: calls.append("string"))

    assert emitter.emit(first) is True
    assert emitter.emit(second) is True
    assert calls == ["first", "second"]
    assert emitter.listener_count(first) == 1
    assert emitter.listeners(second) == emitter.raw_listeners(second)


@pytest.mark.clause("A21")
def test_an_int_name_is_its_decimal_string(events: EventsModule) -> None:
    # A JavaScript property key: on(1) and on('1') name the same event.
    emitter = events.EventEmitter()
    calls: list[str] = []
    emitter.on(1, lambda: calls.append("int"))
    emitter.on("1", lambda: calls.append("str"))

    assert emitter.emit("1") is True
    assert emitter.emit(1) is True
    assert calls == ["int", "str", "int", "str"]
    assert emitter.event_names() == ["1"]
    assert emitter.listener_count(1) == 2


@pytest.mark.parametrize(
    "name", ["__proto__", "toString", "constructor", "hasOwnProperty", "__class__", "__dict__", "get", ""]
)
@pytest.mark.clause("A21")
def test_names_that_are_builtin_property_names_work_like_any_other(events: EventsModule, name: str) -> None:
    emitter = events.EventEmitter()
    calls: list[object] = []
    assert emitter.listener_count(name) == 0
    assert emitter.emit(name) is False
    emitter.on(name, calls.append)

    assert emitter.emit(name, 1) is True
    assert calls == [1]
    assert emitter.event_names() == [name]
    emitter.remove_all_listeners(name)
    assert emitter.event_names() == []


@pytest.mark.requires("events-subclass")
@pytest.mark.clause("A45")
def test_a_subclass_may_listen_and_emit_before_the_base_constructor_runs(events: EventsModule) -> None:
    calls: list[str] = []
    base: Any = events.EventEmitter

    class Early(base):  # type: ignore[misc]
        def __init__(self) -> None:
            # Before EventEmitter.__init__: nothing to emit to, then a listener.
            self.before = self.emit("setup")
            self.on("setup", lambda: calls.append("setup"))
            self.during = self.emit("setup")
            super().__init__()

    emitter = Early()
    assert (emitter.before, emitter.during) == (False, True)
    # What was added before the constructor ran is still there afterwards.
    assert emitter.listener_count("setup") == 1
    assert emitter.emit("setup") is True
    assert calls == ["setup", "setup"]


@pytest.mark.requires("events-subclass")
@pytest.mark.clause("A45")
def test_methods_work_on_an_instance_whose_constructor_never_ran(events: EventsModule) -> None:
    base: Any = events.EventEmitter

    class NeverInitialised(base):  # type: ignore[misc]
        def __init__(self) -> None:
            pass  # does not call EventEmitter.__init__

    emitter = NeverInitialised()
    assert emitter.emit("x") is False
    assert emitter.event_names() == []
    assert emitter.listeners("x") == []
    assert emitter.listener_count("x") == 0
    assert emitter.get_max_listeners() == events.EventEmitter.default_max_listeners
    assert emitter.remove_all_listeners() is emitter
    calls: list[object] = []
    emitter.on("x", calls.append)
    assert emitter.emit("x", 5) is True
    assert calls == [5]
    assert emitter.event_names() == ["x"]
