"""node:events: reading an emitter: listeners / raw_listeners (A12, A17),
event_names (A22), listener_count (A23) and the deprecated module-level
listener_count (A24)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

from conformance.suite._net_helpers import raises_node_error

if TYPE_CHECKING:
    from nodeapi.events import EventsModule


def _listener() -> Callable[..., None]:
    def listener(*args: object) -> None:
        pass

    return listener


@pytest.mark.parametrize("reader", ["listeners", "raw_listeners"])
@pytest.mark.clause("A12")
def test_listener_lists_are_new_lists_that_do_not_affect_the_emitter(events: EventsModule, reader: str) -> None:
    emitter = events.EventEmitter()
    f, g = _listener(), _listener()
    emitter.on("data", f)
    emitter.on("data", g)

    first = getattr(emitter, reader)("data")
    second = getattr(emitter, reader)("data")
    assert first == second == [f, g]
    assert first is not second
    first.append(_listener())
    first.remove(f)
    second.clear()
    assert getattr(emitter, reader)("data") == [f, g]
    assert emitter.listener_count("data") == 2


@pytest.mark.parametrize("reader", ["listeners", "raw_listeners"])
@pytest.mark.clause("A12")
def test_a_single_listener_is_returned_in_a_new_list_too(events: EventsModule, reader: str) -> None:
    emitter = events.EventEmitter()
    f = _listener()
    emitter.on("data", f)
    result = getattr(emitter, reader)("data")
    assert result == [f]
    result.clear()
    assert getattr(emitter, reader)("data") == [f]


@pytest.mark.parametrize("reader", ["listeners", "raw_listeners"])
@pytest.mark.clause("A12")
def test_an_event_without_listeners_gives_an_empty_list(events: EventsModule, reader: str) -> None:
    emitter = events.EventEmitter()
    assert getattr(emitter, reader)("data") == []
    emitter.on("data", _listener())
    emitter.remove_all_listeners("data")
    assert getattr(emitter, reader)("data") == []


@pytest.mark.clause("A12")
def test_listeners_unwraps_once_wrappers_and_raw_listeners_does_not(events: EventsModule) -> None:
    emitter = events.EventEmitter()
    f, g = _listener(), _listener()
    emitter.on("data", f)
    emitter.once("data", g)

    assert emitter.listeners("data") == [f, g]
    raw = emitter.raw_listeners("data")
    assert raw[0] is f
    assert raw[1] is not g and getattr(raw[1], "listener") is g


@pytest.mark.clause("A17")
def test_remove_all_listeners_leaves_lists_returned_earlier_unchanged(events: EventsModule) -> None:
    emitter = events.EventEmitter()
    f, g = _listener(), _listener()
    emitter.on("data", f)
    emitter.on("data", g)
    emitter.on("other", f)
    before = emitter.listeners("data")
    raw_before = emitter.raw_listeners("data")
    single = emitter.listeners("other")

    emitter.remove_all_listeners("data")
    assert before == [f, g] and raw_before == [f, g]
    emitter.remove_all_listeners()
    assert before == [f, g] and single == [f]
    assert emitter.listeners("data") == []


@pytest.mark.clause("A22")
def test_event_names_follows_reflect_own_keys_order(events: EventsModule) -> None:
    # Integer-like names first in ascending order (as strings), then the other
    # strings in insertion order, then symbols in insertion order.
    emitter = events.EventEmitter()
    first_symbol, second_symbol = object(), object()
    for name in ["b", second_symbol, "10", 2, "a", first_symbol, "-1", "01", 0]:
        emitter.on(name, _listener())

    assert emitter.event_names() == ["0", "2", "10", "b", "a", "-1", "01", second_symbol, first_symbol]


@pytest.mark.clause("A22")
def test_event_names_keeps_insertion_order_and_drops_names_without_listeners(events: EventsModule) -> None:
    emitter = events.EventEmitter()
    f = _listener()
    emitter.on("z", f)
    emitter.on("y", f)
    emitter.once("x", f)
    assert emitter.event_names() == ["z", "y", "x"]

    emitter.emit("x")
    emitter.off("z", f)
    assert emitter.event_names() == ["y"]
    # Added again, a name goes to the end.
    emitter.on("z", f)
    assert emitter.event_names() == ["y", "z"]


@pytest.mark.clause("A22")
def test_event_names_is_empty_once_the_last_listener_is_gone(events: EventsModule) -> None:
    emitter = events.EventEmitter()
    assert emitter.event_names() == []
    f = _listener()
    emitter.on("data", f)
    emitter.on("data", f)
    emitter.off("data", f)
    assert emitter.event_names() == ["data"]
    emitter.off("data", f)
    assert emitter.event_names() == []


@pytest.mark.clause("A23")
def test_listener_count_counts_the_listeners_of_one_event(events: EventsModule) -> None:
    emitter = events.EventEmitter()
    f, g = _listener(), _listener()
    assert emitter.listener_count("data") == 0
    emitter.on("data", f)
    assert emitter.listener_count("data") == 1
    emitter.once("data", g)
    emitter.on("data", f)
    emitter.on("other", f)
    assert emitter.listener_count("data") == 3
    assert emitter.listener_count("nothing") == 0


@pytest.mark.clause("A23")
def test_listener_count_with_a_listener_counts_its_registrations_including_once(events: EventsModule) -> None:
    emitter = events.EventEmitter()
    f, g, h = _listener(), _listener(), _listener()
    emitter.on("data", f)
    emitter.once("data", f)
    emitter.on("data", g)
    emitter.prepend_once_listener("data", f)

    assert emitter.listener_count("data", f) == 3
    assert emitter.listener_count("data", g) == 1
    assert emitter.listener_count("data", h) == 0
    assert emitter.listener_count("nothing", f) == 0
    emitter.once("solo", h)
    assert emitter.listener_count("solo", h) == 1
    assert emitter.listener_count("solo", f) == 0


@pytest.mark.clause("A24")
def test_module_listener_count_gives_the_instance_count(events: EventsModule) -> None:
    emitter = events.EventEmitter()
    f = _listener()
    emitter.on("data", f)
    emitter.once("data", f)
    assert events.listener_count(emitter, "data") == emitter.listener_count("data") == 2
    assert events.listener_count(emitter, "nothing") == 0


@pytest.mark.clause("A24")
def test_module_listener_count_of_something_that_is_not_an_emitter_raises(events: EventsModule) -> None:
    with raises_node_error(TypeError, "ERR_INVALID_ARG_TYPE"):
        events.listener_count(object(), "data")  # type: ignore[arg-type]
