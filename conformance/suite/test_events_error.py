"""node:events: the 'error' rule (clauses A25, A26) and events.error_monitor
(A28)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from conformance.suite._net_helpers import raises_node_error

if TYPE_CHECKING:
    from nodeapi.events import EventsModule


@pytest.mark.parametrize("error", [ValueError("bad"), OSError(5, "io"), KeyError("k")], ids=lambda e: type(e).__name__)
@pytest.mark.clause("A25")
def test_an_unhandled_error_event_raises_the_exception_itself(events: EventsModule, error: Exception) -> None:
    emitter = events.EventEmitter()
    emitter.on("data", lambda *args: None)  # listeners of other events do not count
    with pytest.raises(type(error)) as info:
        emitter.emit("error", error)
    assert info.value is error


@pytest.mark.parametrize("value", ["a string", 42, {"reason": "a dict"}, ["a", "list"]], ids=lambda v: type(v).__name__)
@pytest.mark.clause("A25")
def test_an_unhandled_error_event_with_a_non_exception_raises_err_unhandled_error_with_context(
    events: EventsModule, value: object
) -> None:
    emitter = events.EventEmitter()
    with raises_node_error(Exception, "ERR_UNHANDLED_ERROR") as info:
        emitter.emit("error", value)
    assert getattr(info.value, "context") == value
    # A plain Error in Node: neither a TypeError nor a RangeError.
    assert not isinstance(info.value, (TypeError, ValueError))


class _Reason:
    """Not an exception, and not plain data that a bridge would copy."""


@pytest.mark.clause("A25")
def test_the_context_is_the_very_value_emitted(events: EventsModule) -> None:
    emitter = events.EventEmitter()
    value = _Reason()
    with raises_node_error(Exception, "ERR_UNHANDLED_ERROR") as info:
        emitter.emit("error", value, "more", "arguments")
    assert getattr(info.value, "context") is value


@pytest.mark.clause("A25")
def test_an_error_listener_handles_the_error_and_emit_returns_true(events: EventsModule) -> None:
    emitter = events.EventEmitter()
    seen: list[tuple[object, ...]] = []
    emitter.on("error", lambda *args: seen.append(args))
    error = ValueError("handled")
    assert emitter.emit("error", error, "extra") is True
    assert emitter.emit("error", "not an exception") is True
    assert seen == [(error, "extra"), ("not an exception",)]


@pytest.mark.clause("A25")
def test_the_rule_applies_again_once_the_last_error_listener_is_gone(events: EventsModule) -> None:
    emitter = events.EventEmitter()
    seen: list[object] = []
    emitter.once("error", seen.append)
    first, second = ValueError("first"), ValueError("second")
    assert emitter.emit("error", first) is True
    with pytest.raises(ValueError) as info:
        emitter.emit("error", second)
    assert info.value is second
    assert seen == [first]


@pytest.mark.clause("A26")
def test_error_without_an_argument_raises_err_unhandled_error_with_context_none(events: EventsModule) -> None:
    emitter = events.EventEmitter()
    with raises_node_error(Exception, "ERR_UNHANDLED_ERROR") as info:
        emitter.emit("error")
    assert getattr(info.value, "context") is None


@pytest.mark.clause("A26")
def test_error_with_none_raises_err_unhandled_error_with_context_none(events: EventsModule) -> None:
    emitter = events.EventEmitter()
    with raises_node_error(Exception, "ERR_UNHANDLED_ERROR") as info:
        emitter.emit("error", None)
    assert getattr(info.value, "context") is None


@pytest.mark.clause("A28")
def test_error_monitor_listeners_run_before_the_error_listeners(events: EventsModule) -> None:
    emitter = events.EventEmitter()
    calls: list[tuple[str, tuple[object, ...]]] = []
    emitter.on("error", lambda *args: calls.append(("error", args)))
    emitter.on(events.error_monitor, lambda *args: calls.append(("monitor", args)))
    emitter.on(events.error_monitor, lambda *args: calls.append(("monitor 2", args)))
    error = ValueError("watched")

    assert emitter.emit("error", error, 1) is True
    assert calls == [("monitor", (error, 1)), ("monitor 2", (error, 1)), ("error", (error, 1))]


@pytest.mark.clause("A28")
def test_a_monitor_alone_does_not_prevent_the_raise(events: EventsModule) -> None:
    emitter = events.EventEmitter()
    monitored: list[object] = []
    emitter.on(events.error_monitor, monitored.append)
    error = ValueError("still raised")

    with pytest.raises(ValueError) as info:
        emitter.emit("error", error)
    assert info.value is error
    assert monitored == [error]
    with raises_node_error(Exception, "ERR_UNHANDLED_ERROR"):
        emitter.emit("error", "value")
    assert monitored == [error, "value"]


@pytest.mark.clause("A28")
def test_only_error_events_reach_the_monitor(events: EventsModule) -> None:
    emitter = events.EventEmitter()
    monitored: list[object] = []
    emitter.on(events.error_monitor, monitored.append)
    emitter.on("data", lambda *args: None)
    emitter.on("failure", lambda *args: None)
    emitter.emit("data", 1)
    emitter.emit("failure", ValueError("not the error event"))
    assert monitored == []


@pytest.mark.clause("A28")
def test_error_monitor_is_the_same_symbol_on_the_module_and_the_class(events: EventsModule) -> None:
    assert events.error_monitor is events.EventEmitter.error_monitor
    assert not isinstance(events.error_monitor, (str, int))
    emitter = events.EventEmitter()
    emitter.on(events.error_monitor, lambda *args: None)
    assert emitter.event_names() == [events.error_monitor]
