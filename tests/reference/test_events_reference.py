"""Details of reference.events that the conformance suite does not pin: Node
quirks the reference reproduces, the choices it made where the binding is
open, and its contract with reference._implementation."""

from __future__ import annotations

import abc
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

from reference import NodeError, events
from reference._process import Process, set_current_process

EventEmitter = events.EventEmitter


@pytest.fixture
def process() -> Iterator[Process]:
    """A process of its own, current for the test, with the events module state restored after it."""
    state = events._module_state()
    proc = Process()
    previous = set_current_process(proc)
    try:
        yield proc
    finally:
        proc.close()
        set_current_process(previous)
        events._restore_module_state(state)


def _leaks(caught: list[warnings.WarningMessage]) -> list[Any]:
    return [w.message for w in caught if isinstance(w.message, events.MaxListenersExceededWarning)]


def test_module_state_round_trips(process: Process) -> None:
    saved = events._module_state()
    EventEmitter.default_max_listeners = 3
    EventEmitter.capture_rejections = True
    assert events._module_state() != saved
    events._restore_module_state(saved)
    assert (EventEmitter.default_max_listeners, EventEmitter.capture_rejections) == (10, False)


def test_statics_live_on_the_class_not_on_instances() -> None:
    # Node: `emitter.errorMonitor` and `emitter.defaultMaxListeners` are undefined.
    emitter = EventEmitter()
    for name in ("error_monitor", "capture_rejection_symbol", "default_max_listeners", "capture_rejections"):
        assert hasattr(EventEmitter, name)
        assert not hasattr(emitter, name)
    assert repr(events.error_monitor) == "Symbol(events.errorMonitor)"


def test_the_raw_name_reaches_new_listener_remove_listener_and_the_warning(process: Process) -> None:
    # lib/events.js passes `type` as given: a number stays a number there, while
    # event_names() lists the key (checked on Node 24).
    emitter = EventEmitter().set_max_listeners(1)
    seen: list[tuple[str, object]] = []
    emitter.on("removeListener", lambda name, listener: seen.append(("removed", name)))
    emitter.on("newListener", lambda name, listener: seen.append(("new", name)))

    def listener() -> None:
        pass

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        process.run(lambda: (emitter.on(1, listener), emitter.on(1, listener)))
    emitter.off(1, listener)
    emitter.remove_all_listeners()
    assert seen[:3] == [("new", 1), ("new", 1), ("removed", 1)]
    assert ("removed", "1") in seen[3:]
    assert [(w.type, w.count) for w in _leaks(caught)] == [(1, 2)]
    assert emitter.event_names() == []


def test_a_limit_set_before_the_constructor_survives_it_unless_it_was_zero() -> None:
    # `this._maxListeners ||= undefined` in EventEmitter.init (checked on Node 24).
    class Early(EventEmitter):
        def __init__(self, limit: float) -> None:
            self.set_max_listeners(limit)
            super().__init__()

    assert Early(5).get_max_listeners() == 5
    assert Early(0).get_max_listeners() == 10


def test_an_explicit_false_option_does_not_override_a_class_default_of_true(process: Process) -> None:
    # `if (opts?.captureRejections)` only looks at truthy values (checked on Node 24).
    EventEmitter.capture_rejections = True
    emitter = EventEmitter({"capture_rejections": False})
    errors: list[object] = []
    failure = ValueError("captured anyway")

    async def listener() -> None:
        raise failure

    emitter.on("data", listener)
    emitter.on("error", errors.append)
    process.run(lambda: emitter.emit("data"), timeout=5)
    assert errors == [failure]


def test_off_finds_a_bound_method_registered_earlier() -> None:
    # A new bound-method object on every attribute access; equal when it is
    # the same method of the same object.
    class Handler:
        def __init__(self) -> None:
            self.calls = 0

        def on_data(self) -> None:
            self.calls += 1

    handler, other = Handler(), Handler()
    emitter = EventEmitter()
    emitter.on("data", handler.on_data)
    emitter.on("data", other.on_data)
    assert emitter.listener_count("data", handler.on_data) == 1
    emitter.off("data", handler.on_data)
    emitter.emit("data")
    assert (handler.calls, other.calls) == (0, 1)


def test_names_that_are_not_str_or_int() -> None:
    emitter = EventEmitter()
    calls: list[str] = []
    emitter.on(True, lambda: calls.append("True"))
    emitter.on(("a", "tuple"), lambda: calls.append("tuple"))
    emitter.emit(1)
    emitter.emit("True")
    emitter.emit(("a", "tuple"))
    emitter.emit(True)
    assert calls == ["tuple", "True"]
    with pytest.raises(TypeError):
        emitter.on(["unhashable"], lambda: None)
    assert emitter.event_names() == [True, ("a", "tuple")]


def test_remove_all_listeners_with_a_none_symbol_and_remove_listener_listeners_terminates() -> None:
    emitter = EventEmitter()
    removed: list[object] = []
    emitter.on("removeListener", lambda name, listener: removed.append(name))
    emitter.on(None, lambda: None)
    emitter.on("data", lambda: None)
    emitter.remove_all_listeners()
    assert removed == ["data", None]
    assert emitter.event_names() == []


@pytest.mark.parametrize("args", [(), (1,), (1, 2), (1, 2, 3)])
@pytest.mark.parametrize("count", [1, 2, 5])
def test_every_arity_reaches_every_listener(args: tuple[object, ...], count: int) -> None:
    emitter = EventEmitter()
    calls: list[tuple[int, tuple[object, ...]]] = []
    for index in range(count):
        emitter.on("data", lambda *got, index=index: calls.append((index, got)))
    assert emitter.emit("data", *args) is True
    assert calls == [(index, args) for index in range(count)]


def test_a_non_awaitable_return_value_is_ignored_even_with_capture(process: Process) -> None:
    emitter = EventEmitter({"capture_rejections": True})
    emitter.on("data", lambda: 42)
    emitter.on("data", lambda: "text")
    assert emitter.emit("data") is True


def test_once_rejects_with_err_unhandled_error_for_a_non_exception(process: Process) -> None:
    # A future cannot fail with a non-exception; the reference wraps it as emit() would.
    emitter = EventEmitter()
    outcome: list[object] = []

    async def main() -> None:
        pending = events.once(emitter, "ready")
        emitter.emit("error", "just a string")
        try:
            await pending
        except NodeError as error:
            outcome.append((error.code, getattr(error, "context")))

    process.run(main, timeout=5)
    assert outcome == [("ERR_UNHANDLED_ERROR", "just a string")]


def test_an_emitter_can_be_mixed_with_an_abc() -> None:
    class Service(EventEmitter, abc.ABC):
        @abc.abstractmethod
        def start(self) -> None: ...

    class Concrete(Service):
        def start(self) -> None:
            self.emit("started")

    started: list[bool] = []
    service = Concrete()
    service.on("started", lambda: started.append(True))
    service.start()
    assert started == [True]
    with pytest.raises(TypeError):
        Service()  # type: ignore[abstract]


def test_the_once_wrapper_says_what_it_wraps() -> None:
    def on_ready() -> None:
        pass

    emitter = EventEmitter().once("ready", on_ready)
    (wrapper,) = emitter.raw_listeners("ready")
    assert "on_ready" in repr(wrapper)
