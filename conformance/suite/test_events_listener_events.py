"""node:events: the 'newListener' and 'removeListener' events (clauses A15,
A16, A18, A19)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

from ._events_helpers import named_listener

if TYPE_CHECKING:
    from nodeapi.events import EventsModule


@pytest.mark.clause("A15")
def test_remove_listener_event_fires_after_the_removal_with_name_and_listener(events: EventsModule) -> None:
    emitter = events.EventEmitter()
    seen: list[tuple[object, object, int]] = []
    emitter.on("removeListener", lambda name, listener: seen.append((name, listener, emitter.listener_count(name))))
    calls: list[str] = []
    f = named_listener(calls, "f")
    g = named_listener(calls, "g")
    emitter.on("data", f)
    emitter.on("data", g)

    emitter.remove_listener("data", g)
    emitter.off("data", f)
    assert seen == [("data", g, 1), ("data", f, 0)]


@pytest.mark.clause("A15")
def test_remove_listener_event_gets_the_original_when_a_lone_once_listener_removes_itself(
    events: EventsModule,
) -> None:
    emitter = events.EventEmitter()
    seen: list[tuple[object, object]] = []
    emitter.on("removeListener", lambda name, listener: seen.append((name, listener)))
    calls: list[str] = []
    f = named_listener(calls, "f")
    emitter.once("data", f)

    emitter.emit("data")
    assert seen == [("data", f)]
    assert calls == ["f"]


@pytest.mark.clause("A15")
def test_remove_listener_event_for_a_once_listener_among_several_names_the_original(
    events: EventsModule,
) -> None:
    # Node passes the once wrapper here (lib/events.js removeListener passes
    # its argument on when the event has several listeners, and the wrapper
    # removes itself), so the kit accepts the original or a wrapper of it.
    emitter = events.EventEmitter()
    seen: list[tuple[object, object]] = []
    emitter.on("removeListener", lambda name, listener: seen.append((name, getattr(listener, "listener", listener))))
    calls: list[str] = []
    f = named_listener(calls, "f")
    g = named_listener(calls, "g")
    emitter.on("data", f)
    emitter.once("data", g)

    emitter.emit("data")
    assert seen == [("data", g)]
    assert emitter.raw_listeners("data") == [f]


@pytest.mark.clause("A15")
def test_remove_listener_event_gets_what_was_passed_when_removing_by_the_original(
    events: EventsModule,
) -> None:
    emitter = events.EventEmitter()
    seen: list[tuple[object, object]] = []
    emitter.on("removeListener", lambda name, listener: seen.append((name, listener)))
    calls: list[str] = []
    f = named_listener(calls, "f")
    g = named_listener(calls, "g")
    emitter.on("data", f)
    emitter.once("data", g)
    emitter.once("solo", g)

    emitter.off("data", g)
    emitter.off("solo", g)
    assert seen == [("data", g), ("solo", g)]


@pytest.mark.clause("A16")
def test_remove_all_listeners_for_a_name_announces_each_removal_newest_first(events: EventsModule) -> None:
    emitter = events.EventEmitter()
    seen: list[tuple[object, object]] = []
    emitter.on("removeListener", lambda name, listener: seen.append((name, listener)))
    calls: list[str] = []
    a1, a2, a3 = named_listener(calls, "a1"), named_listener(calls, "a2"), named_listener(calls, "a3")
    b1 = named_listener(calls, "b1")
    for listener in (a1, a2, a3):
        emitter.on("a", listener)
    emitter.on("b", b1)

    assert emitter.remove_all_listeners("a") is emitter
    assert seen == [("a", a3), ("a", a2), ("a", a1)]
    assert emitter.event_names() == ["removeListener", "b"]


@pytest.mark.clause("A16")
def test_remove_all_listeners_removes_the_remove_listener_listeners_last(events: EventsModule) -> None:
    # Checked on Node 24: every other event first (newest listener first
    # within each), then the 'removeListener' listeners, newest first, each
    # removal announced to those still registered.
    emitter = events.EventEmitter()
    seen: list[tuple[str, object, str]] = []
    calls: list[str] = []

    def watcher(tag: str) -> Callable[[object, object], None]:
        def watch(name: object, listener: object) -> None:
            seen.append((tag, name, getattr(listener, "__name__", "?")))

        watch.__name__ = tag
        return watch

    emitter.on("removeListener", watcher("r1"))
    emitter.on("removeListener", watcher("r2"))
    emitter.on("a", named_listener(calls, "a1"))
    emitter.on("a", named_listener(calls, "a2"))
    emitter.on("b", named_listener(calls, "b1"))

    emitter.remove_all_listeners()
    assert seen == [
        ("r1", "a", "a2"),
        ("r2", "a", "a2"),
        ("r1", "a", "a1"),
        ("r2", "a", "a1"),
        ("r1", "b", "b1"),
        ("r2", "b", "b1"),
        ("r1", "removeListener", "r2"),
    ]
    assert emitter.event_names() == []


@pytest.mark.clause("A16")
def test_remove_all_listeners_without_remove_listener_listeners_just_clears(events: EventsModule) -> None:
    emitter = events.EventEmitter()
    calls: list[str] = []
    emitter.on("a", named_listener(calls, "a"))
    emitter.once("b", named_listener(calls, "b"))
    emitter.on(events.error_monitor, named_listener(calls, "monitor"))

    assert emitter.remove_all_listeners() is emitter
    assert emitter.event_names() == []
    assert (emitter.emit("a"), emitter.emit("b")) == (False, False)
    assert calls == []


@pytest.mark.clause("A18")
def test_new_listener_fires_before_the_listener_is_added(events: EventsModule) -> None:
    emitter = events.EventEmitter()
    seen: list[tuple[object, object, int]] = []
    emitter.on("newListener", lambda name, listener: seen.append((name, listener, emitter.listener_count(name))))
    calls: list[str] = []
    f = named_listener(calls, "f")
    g = named_listener(calls, "g")

    emitter.on("data", f)
    emitter.prepend_listener("data", g)
    assert seen == [("data", f, 0), ("data", g, 1)]


@pytest.mark.clause("A18")
def test_new_listener_gets_the_original_of_a_once_listener(events: EventsModule) -> None:
    emitter = events.EventEmitter()
    seen: list[tuple[object, object]] = []
    emitter.on("newListener", lambda name, listener: seen.append((name, listener)))
    calls: list[str] = []
    f = named_listener(calls, "f")
    g = named_listener(calls, "g")

    emitter.once("data", f)
    emitter.prepend_once_listener("data", g)
    assert seen == [("data", f), ("data", g)]


@pytest.mark.clause("A18")
def test_a_listener_added_inside_new_listener_ends_up_before_the_one_being_added(events: EventsModule) -> None:
    # The doc's example prints B, then A.
    emitter = events.EventEmitter()
    calls: list[str] = []
    b = named_listener(calls, "B")

    def on_new_listener(name: object, listener: object) -> None:
        if name == "event":
            emitter.on("event", b)

    emitter.once("newListener", on_new_listener)
    emitter.on("event", named_listener(calls, "A"))
    emitter.emit("event")
    assert calls == ["B", "A"]


@pytest.mark.clause("A19")
def test_the_first_new_listener_listener_is_not_announced_the_second_is(events: EventsModule) -> None:
    emitter = events.EventEmitter()
    seen: list[tuple[object, object]] = []

    def first(name: object, listener: object) -> None:
        seen.append((name, listener))

    def second(name: object, listener: object) -> None:
        pass

    emitter.on("newListener", first)
    assert seen == []
    emitter.on("newListener", second)
    assert seen == [("newListener", second)]
