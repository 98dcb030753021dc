# The process around pyee: pyee is a library, not a runtime, so the adapter
# supplies the contract's process part (run, timers) on a plain asyncio loop.
# It counts what keeps a Node process alive (pending timers and immediates,
# coroutine listeners pyee scheduled) and ends run() when none is left.

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import Callable
from typing import Any

from . import _events

__all__ = ["PyeeRuntime"]


class _Timer:
    def __init__(self, runtime: PyeeRuntime, handle: asyncio.Handle) -> None:
        self._runtime = runtime
        self._handle: asyncio.Handle | None = handle
        self._ref = True

    def _done(self) -> None:
        if self._handle is not None:
            self._handle = None
            if self._ref:
                self._runtime._pending -= 1

    def cancel(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._done()

    def ref(self) -> _Timer:
        if not self._ref and self._handle is not None:
            self._runtime._pending += 1
        self._ref = True
        return self

    def unref(self) -> _Timer:
        if self._ref and self._handle is not None:
            self._runtime._pending -= 1
        self._ref = False
        return self

    def has_ref(self) -> bool:
        return self._ref


class PyeeRuntime:
    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._loop.set_exception_handler(self._on_loop_exception)
        self._pending = 0
        self._uncaught: BaseException | None = None
        asyncio.set_event_loop(self._loop)

    events: Any = _events
    net: Any = None

    @property
    def pid(self) -> int:
        return os.getpid()

    def _schedule(self, delay: float | None, callback: Callable[..., object], args: tuple[object, ...]) -> _Timer:
        timer: _Timer

        def fire() -> None:
            timer._done()
            try:
                callback(*args)
            except Exception as exc:  # noqa: BLE001 - the uncaught exception ends run()
                self._fail(exc)

        handle = self._loop.call_soon(fire) if delay is None else self._loop.call_later(delay, fire)
        timer = _Timer(self, handle)
        self._pending += 1
        return timer

    def set_timeout(self, callback: Callable[..., object], ms: float = 0, *args: object) -> _Timer:
        return self._schedule(max(float(ms), 1.0) / 1000, callback, args)

    def clear_timeout(self, timeout: _Timer | None) -> None:
        if timeout is not None:
            timeout.cancel()

    def set_immediate(self, callback: Callable[..., object], *args: object) -> _Timer:
        return self._schedule(None, callback, args)

    clear_immediate = clear_timeout

    def next_tick(self, callback: Callable[..., object], *args: object) -> None:
        self._schedule(None, callback, args)

    def abort_controller(self) -> Any:
        raise NotImplementedError("the pyee adapter has no AbortController (net is not supported)")

    def inherit_fd(self, sock: socket.socket) -> int:
        raise NotImplementedError("the pyee adapter has no net module")

    def _fail(self, exc: BaseException) -> None:
        if self._uncaught is None:
            self._uncaught = exc

    def _on_loop_exception(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        self._fail(exc if isinstance(exc, BaseException) else RuntimeError(context.get("message")))

    def run(self, main: Callable[[], object], timeout: float = 10.0) -> None:
        self._loop.run_until_complete(self._run(main, timeout))

    async def _run(self, main: Callable[[], object], timeout: float) -> None:
        self._uncaught = None
        deadline = self._loop.time() + timeout
        result = main()
        if asyncio.iscoroutine(result):
            await asyncio.wait_for(result, timeout)
        while True:
            if self._uncaught is not None:
                raise self._uncaught
            others = [t for t in asyncio.all_tasks(self._loop) if t is not asyncio.current_task()]
            if self._pending == 0 and not others:
                return
            if self._loop.time() > deadline:
                raise TimeoutError(f"still alive after {timeout} s: {self._pending} timer(s), {len(others)} task(s)")
            await asyncio.sleep(0.001)

    def close(self) -> list[str]:
        alive = [f"{self._pending} pending timer(s)"] if self._pending else []
        for task in asyncio.all_tasks(self._loop):
            task.cancel()
        self._loop.run_until_complete(asyncio.sleep(0))
        self._loop.close()
        asyncio.set_event_loop(None)
        return alive
