"""node:events: coroutine listeners and capture_rejections (clauses A39-A44).

In the binding a listener that is a coroutine function returns a coroutine,
which the runtime runs on its loop (CONFORMANCE.md 1.4). With
capture_rejections its exception goes to ``nodejs_rejection(err, event,
*args)`` or to ``'error'``; without, it is an unhandled rejection, which ends
``run()`` with that exception.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any

import pytest

from conformance.suite._net_helpers import raises_node_error

if TYPE_CHECKING:
    from nodeapi.events import EventsModule

    from conformance import Runtime

capture = pytest.mark.requires("events-capture-rejections")


def _failing(failure: BaseException) -> Any:
    async def listener(*args: object) -> None:
        raise failure

    return listener


# ------------------------------------------------------------------ routing


@capture
@pytest.mark.clause("A39")
def test_a_rejection_is_emitted_as_error_after_emit_has_returned(runtime: Runtime, events: EventsModule) -> None:
    emitter = events.EventEmitter({"capture_rejections": True})
    failure = ValueError("rejected")
    seen: list[tuple[object, ...]] = []
    emitter.on("data", _failing(failure))
    emitter.on("error", lambda *args: seen.append(args))
    during: list[object] = []

    def main() -> None:
        during.append(emitter.emit("data", 1, 2))
        during.append(list(seen))

    runtime.run(main, timeout=5)
    assert during == [True, []]
    assert seen == [(failure,)]


@capture
@pytest.mark.requires("events-subclass")
@pytest.mark.clause("A39")
def test_a_rejection_goes_to_nodejs_rejection_with_the_event_and_its_arguments(
    runtime: Runtime, events: EventsModule
) -> None:
    seen: list[tuple[object, ...]] = []
    base: Any = events.EventEmitter

    class WithRejectionHandler(base):  # type: ignore[misc]
        def nodejs_rejection(self, error: BaseException, event: object, *args: object) -> None:
            seen.append((error, event, *args))

    emitter = WithRejectionHandler({"capture_rejections": True})
    failure = ValueError("rejected")
    errors: list[object] = []
    emitter.on("data", _failing(failure))
    emitter.on("error", errors.append)
    during: list[object] = []

    def main() -> None:
        during.append(emitter.emit("data", "a", 2))
        during.append(list(seen))

    runtime.run(main, timeout=5)
    assert during == [True, []]
    assert seen == [(failure, "data", "a", 2)]
    assert errors == []
    assert events.capture_rejection_symbol == "nodejs_rejection"


@capture
@pytest.mark.clause("A39")
def test_a_coroutine_listener_that_completes_runs_and_emits_nothing(runtime: Runtime, events: EventsModule) -> None:
    emitter = events.EventEmitter({"capture_rejections": True})
    ran: list[object] = []
    errors: list[object] = []

    async def listener(value: object) -> str:
        ran.append(value)
        return "a result"

    emitter.on("data", listener)
    emitter.on("error", errors.append)
    runtime.run(lambda: emitter.emit("data", "payload"), timeout=5)
    assert ran == ["payload"]
    assert errors == []


@capture
@pytest.mark.clause("A40")
def test_an_async_error_listener_that_raises_is_an_unhandled_rejection_not_a_loop(
    runtime: Runtime, events: EventsModule
) -> None:
    emitter = events.EventEmitter({"capture_rejections": True})
    first, second = ValueError("first"), RuntimeError("from the error listener")
    handled: list[object] = []

    async def error_listener(error: object) -> None:
        handled.append(error)
        raise second

    emitter.on("data", _failing(first))
    emitter.on("error", error_listener)

    with pytest.raises(RuntimeError) as info:
        runtime.run(lambda: emitter.emit("data"), timeout=5)
    assert info.value is second
    assert handled == [first]


@capture
@pytest.mark.requires("events-subclass")
@pytest.mark.clause("A40")
def test_a_nodejs_rejection_that_raises_asynchronously_is_an_unhandled_rejection(
    runtime: Runtime, events: EventsModule
) -> None:
    first, second = ValueError("first"), RuntimeError("from nodejs_rejection")
    seen: list[object] = []
    base: Any = events.EventEmitter

    class WithRejectionHandler(base):  # type: ignore[misc]
        async def nodejs_rejection(self, error: BaseException, event: object, *args: object) -> None:
            seen.append(error)
            raise second

    emitter = WithRejectionHandler({"capture_rejections": True})
    emitter.on("data", _failing(first))

    with pytest.raises(RuntimeError) as info:
        runtime.run(lambda: emitter.emit("data"), timeout=5)
    assert info.value is second
    assert seen == [first]


class _AwaitRaises:
    """An awaitable whose ``__await__`` raises: Python's "then getter that throws"."""

    def __init__(self, failure: BaseException) -> None:
        self.failure = failure
        self.calls = 0

    def __await__(self) -> Generator[Any, None, None]:
        self.calls += 1
        raise self.failure


@capture
@pytest.mark.clause("A41")
def test_an_awaitable_whose_await_raises_is_emitted_as_error_synchronously(
    runtime: Runtime, events: EventsModule
) -> None:
    emitter = events.EventEmitter({"capture_rejections": True})
    failure = ValueError("__await__ failed")
    awaitable = _AwaitRaises(failure)
    seen: list[object] = []
    emitter.on("data", lambda: awaitable)
    emitter.on("error", seen.append)
    during: list[object] = []

    def main() -> None:
        during.append(emitter.emit("data"))
        during.append(list(seen))

    runtime.run(main, timeout=5)
    assert during == [True, [failure]]
    assert seen == [failure]
    assert awaitable.calls == 1


@capture
@pytest.mark.clause("A41")
def test_without_an_error_listener_that_error_propagates_out_of_emit(events: EventsModule) -> None:
    emitter = events.EventEmitter({"capture_rejections": True})
    failure = ValueError("__await__ failed")
    emitter.on("data", lambda: _AwaitRaises(failure))
    with pytest.raises(ValueError) as info:
        emitter.emit("data")
    assert info.value is failure


# ------------------------------------------------------------ no capture


@capture
@pytest.mark.parametrize("options", [None, {}, {"capture_rejections": False}], ids=["none", "empty", "false"])
@pytest.mark.clause("A42")
def test_without_capture_a_raising_coroutine_listener_is_an_unhandled_rejection(
    runtime: Runtime, events: EventsModule, options: Any
) -> None:
    emitter = events.EventEmitter(options)
    failure = ValueError("not captured")
    errors: list[object] = []
    emitter.on("data", _failing(failure))
    emitter.on("error", errors.append)
    returned: list[bool] = []

    with pytest.raises(ValueError) as info:
        runtime.run(lambda: returned.append(emitter.emit("data")), timeout=5)
    assert info.value is failure
    assert returned == [True]
    assert errors == []


@capture
@pytest.mark.clause("A42")
def test_without_capture_coroutine_listeners_still_run(runtime: Runtime, events: EventsModule) -> None:
    emitter = events.EventEmitter()
    ran: list[object] = []

    async def listener(value: object) -> None:
        ran.append(value)

    emitter.on("data", listener)
    emitter.on("data", listener)
    runtime.run(lambda: emitter.emit("data", 7), timeout=5)
    assert ran == [7, 7]


# ------------------------------------------------------------- validation


@pytest.mark.parametrize("value", [1, "yes", 2.5, ["list"], {"a": 1}], ids=lambda v: type(v).__name__)
@pytest.mark.clause("A43")
def test_a_truthy_non_boolean_capture_rejections_option_raises_err_invalid_arg_type(
    events: EventsModule, value: Any
) -> None:
    with raises_node_error(TypeError, "ERR_INVALID_ARG_TYPE"):
        events.EventEmitter({"capture_rejections": value})


@pytest.mark.parametrize("value", [0, "", 0.0, None, False, True], ids=repr)
@pytest.mark.clause("A43")
def test_booleans_and_falsy_values_are_accepted_as_the_option(events: EventsModule, value: Any) -> None:
    emitter = events.EventEmitter({"capture_rejections": value})
    assert emitter.emit("nothing") is False


@capture
@pytest.mark.parametrize("value", [0, ""], ids=repr)
@pytest.mark.clause("A43")
def test_a_falsy_option_means_no_capture(runtime: Runtime, events: EventsModule, value: Any) -> None:
    emitter = events.EventEmitter({"capture_rejections": value})
    failure = ValueError("not captured")
    errors: list[object] = []
    emitter.on("data", _failing(failure))
    emitter.on("error", errors.append)

    with pytest.raises(ValueError) as info:
        runtime.run(lambda: emitter.emit("data"), timeout=5)
    assert info.value is failure
    assert errors == []


@pytest.mark.parametrize("value", [1, 0, "true", None], ids=repr)
@pytest.mark.clause("A43")
def test_assigning_a_non_boolean_to_the_class_property_raises_err_invalid_arg_type(
    events: EventsModule, value: object
) -> None:
    with raises_node_error(TypeError, "ERR_INVALID_ARG_TYPE"):
        events.EventEmitter.capture_rejections = value  # type: ignore[assignment]
    assert events.EventEmitter.capture_rejections is False


# ----------------------------------------------------------- the default


@pytest.mark.clause("A44")
def test_capture_rejections_is_false_by_default_and_settable(events: EventsModule) -> None:
    assert events.EventEmitter.capture_rejections is False
    events.EventEmitter.capture_rejections = True
    assert events.EventEmitter.capture_rejections is True
    events.EventEmitter.capture_rejections = False
    assert events.EventEmitter.capture_rejections is False


@pytest.mark.clause("A44")
def test_capture_rejection_symbol_names_the_nodejs_rejection_method(events: EventsModule) -> None:
    assert events.capture_rejection_symbol == "nodejs_rejection"
    assert events.EventEmitter.capture_rejection_symbol == "nodejs_rejection"


@capture
@pytest.mark.clause("A44")
def test_the_class_default_applies_to_emitters_created_afterwards(runtime: Runtime, events: EventsModule) -> None:
    events.EventEmitter.capture_rejections = True
    emitter = events.EventEmitter()
    failure = ValueError("captured by default")
    errors: list[object] = []
    emitter.on("data", _failing(failure))
    emitter.on("error", errors.append)

    runtime.run(lambda: emitter.emit("data"), timeout=5)
    assert errors == [failure]


@capture
@pytest.mark.clause("A44")
def test_the_class_default_does_not_change_emitters_created_before(runtime: Runtime, events: EventsModule) -> None:
    earlier = events.EventEmitter()
    events.EventEmitter.capture_rejections = True
    failure = ValueError("not captured")
    errors: list[object] = []
    earlier.on("data", _failing(failure))
    earlier.on("error", errors.append)

    with pytest.raises(ValueError) as info:
        runtime.run(lambda: earlier.emit("data"), timeout=5)
    assert info.value is failure
    assert errors == []


@capture
@pytest.mark.requires("events-subclass")
@pytest.mark.clause("A44")
def test_the_class_default_applies_to_subclasses_without_their_own_constructor(
    runtime: Runtime, events: EventsModule
) -> None:
    base: Any = events.EventEmitter

    class Plain(base):  # type: ignore[misc]
        pass

    events.EventEmitter.capture_rejections = True
    emitter = Plain()
    failure = ValueError("captured by default")
    errors: list[object] = []
    emitter.on("data", _failing(failure))
    emitter.on("error", errors.append)

    runtime.run(lambda: emitter.emit("data"), timeout=5)
    assert errors == [failure]
