"""Calls in both directions: nested callbacks, errors with their identity, coroutines, warnings."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from conformance.bridge import BridgeRuntime, JSError, JSTypeError


def test_a_listener_may_emit_while_js_is_inside_emit(rt: BridgeRuntime) -> None:
    emitter = rt.events.EventEmitter()
    seen: list[object] = []

    def outer(n: int) -> None:
        seen.append(("outer", n))
        if n < 3:
            assert emitter.emit("x", n + 1) is True
        seen.append(("after", n))

    emitter.on("x", outer)
    emitter.emit("x", 1)
    assert seen == [("outer", 1), ("outer", 2), ("outer", 3), ("after", 3), ("after", 2), ("after", 1)]


def test_nesting_goes_deep_both_ways(rt: BridgeRuntime) -> None:
    call_back = rt.evaluate("(f, n) => f(n)")

    def down(n: int) -> int:
        return n if n == 0 else call_back(down, n - 1) + 1

    assert down(40) == 40


def test_a_listener_may_close_the_server_inside_listening(rt: BridgeRuntime) -> None:
    assert rt.net is not None
    server = rt.net.create_server()
    events: list[str] = []
    server.on("close", lambda: events.append("close"))

    def listening() -> None:
        events.append("listening")
        server.close(lambda err: events.append(f"closed err={err}"))

    rt.run(lambda: server.listen(0, "127.0.0.1", listening), timeout=5)
    assert events == ["listening", "close", "closed err=None"]


def test_an_exception_from_a_listener_leaves_emit_as_the_same_object(rt: BridgeRuntime) -> None:
    emitter = rt.events.EventEmitter()
    failure = KeyError("mine")

    def raise_it() -> None:
        raise failure

    emitter.on("x", raise_it)
    with pytest.raises(KeyError) as info:
        emitter.emit("x")
    assert info.value is failure


def test_an_exception_in_a_loop_callback_ends_run_with_the_same_object(rt: BridgeRuntime) -> None:
    failure = RuntimeError("from a timer")

    def boom() -> None:
        raise failure

    with pytest.raises(RuntimeError) as info:
        rt.run(lambda: rt.set_timeout(boom, 1), timeout=5)
    assert info.value is failure
    rt.run(lambda: None, timeout=5)  # the runtime lives on, as the binding's run() may be called again


def test_a_python_exception_is_an_error_in_js(rt: BridgeRuntime) -> None:
    err = ValueError("as a value")
    err.code = "E_MINE"  # type: ignore[attr-defined]
    check = rt.evaluate("(e) => [e instanceof Error, e instanceof RangeError, e.message, e.code]")
    assert check(err) == [True, True, "as a value", "E_MINE"]
    emitter = rt.events.EventEmitter()
    with pytest.raises(ValueError) as info:
        emitter.emit("error", err)
    assert info.value is err


def test_js_errors_are_exceptions_with_node_fields(rt: BridgeRuntime) -> None:
    emitter = rt.events.EventEmitter()
    with pytest.raises(TypeError) as info:
        emitter.on("x", 5)
    assert isinstance(info.value, JSTypeError) and info.value.code == "ERR_INVALID_ARG_TYPE"
    with pytest.raises(JSError) as unhandled:
        emitter.emit("error", "text")
    assert unhandled.value.code == "ERR_UNHANDLED_ERROR"
    assert getattr(unhandled.value, "context") == "text"
    thrown = rt.evaluate("(e) => { throw e }")
    caught = unhandled.value
    with pytest.raises(JSError) as again:
        thrown(caught)
    assert again.value is caught


def test_error_first_callbacks_get_none(rt: BridgeRuntime) -> None:
    assert rt.net is not None
    server = rt.net.create_server()
    got: list[object] = []
    rt.run(lambda: server.close(got.append), timeout=5)
    assert len(got) == 1 and getattr(got[0], "code", None) == "ERR_SERVER_NOT_RUNNING"
    got.clear()
    rt.run(lambda: server.listen(0, "127.0.0.1", lambda: server.close(got.append)), timeout=5)
    assert got == [None]
    assert server.listeners("close") == []


def test_a_coroutine_main_awaits_js_promises(rt: BridgeRuntime) -> None:
    emitter = rt.events.EventEmitter()
    got: list[object] = []

    async def main() -> None:
        rt.set_timeout(lambda: emitter.emit("ready", 1, "two"), 5)
        got.append(await rt.events.once(emitter, "ready"))

    rt.run(main, timeout=5)
    assert got == [[1, "two"]]


def test_a_coroutine_main_that_raises_after_an_await_ends_run_with_that_exception(rt: BridgeRuntime) -> None:
    emitter = rt.events.EventEmitter()
    failure = LookupError("after the await")

    async def main() -> None:
        rt.set_immediate(lambda: emitter.emit("go"))
        await rt.events.once(emitter, "go")
        raise failure

    with pytest.raises(LookupError) as info:
        rt.run(main, timeout=5)
    assert info.value is failure


def test_async_with_disposes_a_server(rt: BridgeRuntime, tmp_path: Path) -> None:
    assert rt.net is not None
    server = rt.net.create_server()
    seen: list[object] = []

    async def main() -> None:
        async with server:
            server.listen(str(tmp_path / "s.sock"))  # a path binds at once (no lookup)
            seen.append(server.listening)
        seen.append(server.listening)

    rt.run(main, timeout=5)
    assert seen == [True, False]


def test_a_coroutine_main_that_never_finishes_is_reported(rt: BridgeRuntime) -> None:
    emitter = rt.events.EventEmitter()

    async def main() -> None:
        await rt.events.once(emitter, "never")

    with pytest.raises(RuntimeError, match="top-level await"):
        rt.run(main, timeout=5)


def test_an_async_listener_rejection_is_captured(rt: BridgeRuntime) -> None:
    emitter = rt.events.EventEmitter({"capture_rejections": True})
    failure = ValueError("async")
    errors: list[object] = []

    async def listener() -> None:
        await rt.events.once(emitter, "later")
        raise failure

    emitter.on("data", listener)
    emitter.on("error", errors.append)

    def main() -> None:
        emitter.emit("data")
        rt.set_immediate(lambda: emitter.emit("later"))

    rt.run(main, timeout=5)
    assert errors == [failure] and errors[0] is failure


def test_warnings_arrive_as_python_warnings(rt: BridgeRuntime) -> None:
    emitter = rt.events.EventEmitter()
    emitter.set_max_listeners(1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rt.run(lambda: [emitter.on("e", lambda: None) for _ in range(2)], timeout=5)
    found = [w.message for w in caught if type(w.message).__name__ == "MaxListenersExceededWarning"]
    assert len(found) == 1
    warning = found[0]
    assert isinstance(warning, rt.events.MaxListenersExceededWarning)
    assert (getattr(warning, "emitter"), getattr(warning, "type"), getattr(warning, "count")) == (emitter, "e", 2)


def test_a_python_subclass_overrides_what_js_calls(rt: BridgeRuntime) -> None:
    base = rt.events.EventEmitter
    seen: list[object] = []

    class Recorder(base):  # type: ignore[misc, valid-type]
        def __init__(self) -> None:
            self.on("early", lambda: seen.append("before the constructor"))  # clause A45
            super().__init__()
            self.label = "python attribute"

        def emit(self, name: object, *args: object) -> bool:
            seen.append(("emit", name, args))
            return bool(super().emit(name, *args))

    recorder = Recorder()
    recorder.emit("early")
    assert isinstance(recorder, base) and recorder.label == "python attribute"
    assert rt.evaluate("(r) => r instanceof require('events')")(recorder) is True
    assert rt.evaluate("(r) => r.emit('from js', 7)")(recorder) is False
    assert seen == [("emit", "early", ()), "before the constructor", ("emit", "from js", (7,))]


def test_a_python_subclass_receives_captured_rejections(rt: BridgeRuntime) -> None:
    seen: list[object] = []

    class Capturing(rt.events.EventEmitter):  # type: ignore[misc, name-defined]
        def nodejs_rejection(self, err: BaseException, event: str, *args: object) -> None:
            seen.append((err, event, args))

    emitter = Capturing({"capture_rejections": True})
    failure = ValueError("x")

    async def failing(*args: object) -> None:
        raise failure

    emitter.on("data", failing)
    rt.run(lambda: emitter.emit("data", 7), timeout=5)
    assert seen == [(failure, "data", (7,))]
