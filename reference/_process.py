# The process model: what a Node process gives every module, on asyncio.
#
# Node runs a script, then its event loop until nothing ref'd is left (an
# active handle such as a listening server, an open socket or a timer, or a
# queued callback). Between callbacks it drains the process.nextTick queue.
# An exception that escapes a callback ends the process with that exception.
#
# Process reproduces exactly that on an asyncio loop (or a uvloop one, which is
# libuv like Node's):
#   * Handle is the base of everything that can keep the process alive; it is
#     counted while active and ref'd, and ref()/unref() mean what they mean in
#     Node (lib/timers.js, lib/net.js Server.prototype.ref/unref);
#   * invoke() is the boundary every callback into user code crosses: it
#     catches what escapes (the "uncaught exception") and drains the tick
#     queue afterwards, as Node's processTicksAndRejections does;
#   * run(main) runs main as the script, then the loop until idle.

from __future__ import annotations

import asyncio
import collections
import math
import os
import threading
import warnings
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from typing_extensions import Self

__all__ = [
    "Handle",
    "Immediate",
    "Process",
    "Timeout",
    "current_process",
    "set_current_process",
]

T = TypeVar("T")

# lib/internal/timers.js: delays outside [1, 2**31 - 1] ms become 1 ms.
TIMEOUT_MAX = 2**31 - 1


class Handle:
    """Something that keeps the process alive while active and ref'd."""

    def __init__(self, process: Process) -> None:
        self._process = process
        self._active = False
        self._has_ref = True

    # -- the public ref API (server.ref(), socket.unref(), timeout.has_ref()) --

    def ref(self) -> Self:
        if not self._has_ref:
            self._has_ref = True
            if self._active:
                self._process._add_ref(1)
        return self

    def unref(self) -> Self:
        if self._has_ref:
            self._has_ref = False
            if self._active:
                self._process._add_ref(-1)
        return self

    def has_ref(self) -> bool:
        return self._has_ref

    # -- for subclasses --

    def _activate(self) -> None:
        if not self._active:
            self._active = True
            self._process._handles.add(self)
            if self._has_ref:
                self._process._add_ref(1)

    def _deactivate(self) -> None:
        if self._active:
            self._active = False
            self._process._handles.discard(self)
            if self._has_ref:
                self._process._add_ref(-1)

    def _describe(self) -> str:
        return type(self).__name__

    def _force_close(self) -> None:
        """Release everything now; the process is ending."""
        self._deactivate()


class Timeout(Handle):
    """What ``set_timeout`` returns (Node's ``Timeout``)."""

    def __init__(
        self, process: Process, callback: Callable[..., object], ms: float, args: tuple[object, ...], repeat: bool
    ) -> None:
        super().__init__(process)
        self._callback = callback
        self._args = args
        self._delay = _timer_delay(ms)
        self._repeat = repeat
        self._timer: asyncio.TimerHandle | None = None
        self._schedule()

    def _schedule(self) -> None:
        self._timer = self._process.loop.call_later(self._delay / 1000, self._fire)
        self._activate()

    def _fire(self) -> None:
        self._timer = None
        if self._repeat:
            self._schedule()
        else:
            self._deactivate()
        self._process.invoke(self._callback, *self._args)

    def refresh(self) -> Timeout:
        """Restart the timer with its original delay (``timeout.refresh()``)."""
        if self._timer is not None:
            self._timer.cancel()
            self._schedule()
        return self

    def close(self) -> Timeout:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._deactivate()
        return self

    def _describe(self) -> str:
        name = getattr(self._callback, "__qualname__", repr(self._callback))
        return f"Timeout({self._delay:g} ms, {name})"

    def _force_close(self) -> None:
        self.close()


class Immediate(Handle):
    """What ``set_immediate`` returns (Node's ``Immediate``)."""

    def __init__(self, process: Process, callback: Callable[..., object], args: tuple[object, ...]) -> None:
        super().__init__(process)
        self._callback: Callable[..., object] | None = callback
        self._args = args
        self._activate()

    def _run(self) -> None:
        callback, self._callback = self._callback, None
        self._deactivate()
        if callback is not None:
            self._process.invoke(callback, *self._args)

    def _cancel(self) -> None:
        self._callback = None
        self._deactivate()

    def _describe(self) -> str:
        return f"Immediate({getattr(self._callback, '__qualname__', self._callback)!r})"

    def _force_close(self) -> None:
        self._cancel()


def _timer_delay(ms: object) -> float:
    # lib/internal/timers.js Timeout constructor: `after *= 1; if (!(after >= 1
    # && after <= TIMEOUT_MAX)) after = 1` (with a warning above the maximum).
    try:
        after = float(ms)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 1.0
    if math.isnan(after) or not 1 <= after <= TIMEOUT_MAX:
        if after > TIMEOUT_MAX:
            warnings.warn(
                f"{after} does not fit into a 32-bit signed integer. Timeout duration was set to 1.",
                TimeoutOverflowWarning,
                stacklevel=4,
            )
        return 1.0
    return after


class TimeoutOverflowWarning(RuntimeWarning):
    """Node's ``TimeoutOverflowWarning``: a delay above 2**31 - 1 ms became 1 ms."""


class Process:
    """One Node process: an event loop, the tick and immediate queues, the ref count."""

    def __init__(self, loop_factory: Callable[[], asyncio.AbstractEventLoop] | None = None) -> None:
        self.loop = (loop_factory or asyncio.new_event_loop)()
        self.loop.set_exception_handler(self._loop_exception)
        self._handles: set[Handle] = set()
        self._refs = 0  # active ref'd handles + pending internal callbacks
        self._ticks: collections.deque[tuple[Callable[..., object], tuple[object, ...]]] = collections.deque()
        self._tick_drain_scheduled = False
        self._in_callback = 0
        self._immediates: list[Immediate] = []
        self._immediate_drain_scheduled = False
        self._tasks: set[asyncio.Task[Any]] = set()
        self._main: asyncio.Task[Any] | None = None
        self._idle: asyncio.Future[None] | None = None
        self._idle_check_scheduled = False
        self._halted = False
        self._closed = False

    # ------------------------------------------------------------------ refs

    def _add_ref(self, delta: int) -> None:
        self._refs += delta
        if self._refs == 0:
            self._schedule_idle_check()

    def begin_request(self) -> None:
        """Count an in-flight internal operation (a lookup, a pending close)."""
        self._add_ref(1)

    def end_request(self) -> None:
        self._add_ref(-1)

    # ------------------------------------------------------------ callbacks

    def invoke(self, callback: Callable[..., T], *args: object) -> T | None:
        """Call into user code from the loop: Node's callback boundary.

        An exception that escapes is the process's uncaught exception; the
        tick queue is drained after the outermost callback returns.
        """
        if self._halted:
            return None
        self._in_callback += 1
        try:
            return callback(*args)
        except Exception as exc:  # noqa: BLE001 - this *is* the uncaught-exception handler
            self.uncaught(exc)
            return None
        finally:
            self._in_callback -= 1
            if self._in_callback == 0:
                self._drain_ticks()

    def call_soon(self, callback: Callable[..., object], *args: object) -> None:
        """Run ``callback`` on a later loop turn through invoke(); it keeps the process alive."""
        self._add_ref(1)

        def run() -> None:
            self._add_ref(-1)
            self.invoke(callback, *args)

        self.loop.call_soon(run)

    def next_tick(self, callback: Callable[..., object], *args: object) -> None:
        """``process.nextTick``: after the current callback, before any I/O."""
        self._ticks.append((callback, args))
        if self._in_callback == 0 and not self._tick_drain_scheduled:
            # Called from the script (or from outside run()): the queue is
            # drained when the current synchronous code is done.
            self._tick_drain_scheduled = True
            self._add_ref(1)
            self.loop.call_soon(self._scheduled_tick_drain)

    def _scheduled_tick_drain(self) -> None:
        self._tick_drain_scheduled = False
        self._add_ref(-1)
        if self._in_callback == 0:
            self._drain_ticks()

    def _drain_ticks(self) -> None:
        ticks = self._ticks
        while ticks and not self._halted:
            callback, args = ticks.popleft()
            self._in_callback += 1
            try:
                callback(*args)
            except Exception as exc:  # noqa: BLE001
                self.uncaught(exc)
            finally:
                self._in_callback -= 1
        if not ticks and self._refs == 0:
            self._schedule_idle_check()

    def uncaught(self, exc: BaseException) -> None:
        """An exception escaped a callback: it ends run(), as it ends a Node process."""
        if self._halted:
            return
        self._halted = True
        self._ticks.clear()
        if self._idle is not None and not self._idle.done():
            self._idle.set_exception(exc)

    def _loop_exception(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        if isinstance(exc, Exception):
            self.uncaught(exc)
        elif self._idle is not None and not self._idle.done():
            self.uncaught(RuntimeError(context.get("message", "error in the event loop")))

    # --------------------------------------------------- timers, immediates

    def set_timeout(self, callback: Callable[..., object], ms: float = 0, *args: object) -> Timeout:
        return Timeout(self, callback, ms, args, repeat=False)

    def set_interval(self, callback: Callable[..., object], ms: float = 0, *args: object) -> Timeout:
        return Timeout(self, callback, ms, args, repeat=True)

    def clear_timeout(self, timeout: Timeout | None) -> None:
        if timeout is not None:
            timeout.close()

    clear_interval = clear_timeout

    def set_immediate(self, callback: Callable[..., object], *args: object) -> Immediate:
        immediate = Immediate(self, callback, args)
        self._immediates.append(immediate)
        if not self._immediate_drain_scheduled:
            self._immediate_drain_scheduled = True
            self.loop.call_soon(self._drain_immediates)
        return immediate

    def clear_immediate(self, immediate: Immediate | None) -> None:
        if immediate is not None:
            immediate._cancel()

    def _drain_immediates(self) -> None:
        # Immediates queued while these run wait for the next loop turn (Node's
        # check phase runs only the queue it started with).
        self._immediate_drain_scheduled = False
        batch, self._immediates = self._immediates, []
        for immediate in batch:
            immediate._run()

    # ----------------------------------------------------------- warnings

    def emit_warning(self, warning: Warning) -> None:
        """``process.emitWarning``: delivered on the next tick through ``warnings``."""
        self.next_tick(warnings.warn, warning)

    # -------------------------------------------------------------- tasks

    def create_task(self, coro: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        """Run a coroutine (an async listener) on the loop.

        Like a pending promise, it does not keep the process alive by itself.
        """
        task = self.loop.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    # ---------------------------------------------------------------- run

    def run(self, main: Callable[[], object], timeout: float | None = None) -> None:
        """Run ``main`` as the script, then the loop until the process is idle."""
        if self._closed:
            raise RuntimeError("this process has been closed")
        if self.loop.is_running():
            raise RuntimeError("run() cannot be nested inside a running loop")
        previous = set_current_process(self)
        self._halted = False
        try:
            self.loop.run_until_complete(self._run(main, timeout))
        finally:
            self._idle = None
            self._main = None
            set_current_process(previous)

    async def _run(self, main: Callable[[], object], timeout: float | None) -> None:
        self._idle = self.loop.create_future()
        result = self.invoke(main)
        if asyncio.iscoroutine(result):
            self._main = self.create_task(self._script(result))
        self._schedule_idle_check()
        if timeout is None:
            await self._idle
            return
        try:
            await asyncio.wait_for(asyncio.shield(self._idle), timeout)
        except TimeoutError:
            alive = self.describe_alive()
            raise TimeoutError(
                f"the loop was still busy after {timeout:g} s; alive: {'; '.join(alive) or 'nothing ref’d (a task?)'}"
            ) from None

    async def _script(self, coro: Coroutine[Any, Any, object]) -> None:
        # The script's top-level await: an exception is uncaught, as in an ES module.
        try:
            await coro
        except Exception as exc:  # noqa: BLE001
            self.uncaught(exc)
        finally:
            self._drain_ticks()
            self._schedule_idle_check()

    def _schedule_idle_check(self) -> None:
        if self._idle is not None and not self._idle_check_scheduled:
            self._idle_check_scheduled = True
            self.loop.call_soon(self._check_idle)

    def _check_idle(self) -> None:
        self._idle_check_scheduled = False
        idle = self._idle
        if idle is None or idle.done():
            return
        if self._refs or self._ticks or self._immediates:
            return
        # A task whose awaited future is done is about to run a step, and a
        # finished task still in the set has done callbacks pending (the set's
        # own discard is one of them): look again after they ran.
        if any(task.done() or _runnable(task) for task in self._tasks):
            self._schedule_idle_check()
            return
        if self._main is not None and not self._main.done():
            idle.set_exception(
                RuntimeError("the loop went idle while the script's top-level await was still pending")
            )
            return
        idle.set_result(None)

    # ------------------------------------------------------------ closing

    def describe_alive(self) -> list[str]:
        alive = [handle._describe() + ("" if handle._has_ref else " (unref'd)") for handle in self._handles]
        if self._ticks:
            alive.append(f"{len(self._ticks)} queued nextTick callback(s)")
        pending_tasks = [task for task in self._tasks if not task.done()]
        if pending_tasks:
            alive.append(f"{len(pending_tasks)} pending coroutine(s)")
        return sorted(alive)

    def close(self) -> list[str]:
        """End the process: force-close what is alive; return what that was."""
        if self._closed:
            return []
        alive = self.describe_alive()
        for handle in list(self._handles):
            handle._force_close()
        self._ticks.clear()
        for task in list(self._tasks):
            task.cancel()
        self._closed = True
        try:
            # Let transports and cancelled tasks finish closing their sockets.
            if not self.loop.is_running():
                self.loop.run_until_complete(asyncio.sleep(0))
                self.loop.run_until_complete(self.loop.shutdown_asyncgens())
        finally:
            self.loop.close()
        if _current.process is self:
            _current.process = None
        return alive

    @property
    def pid(self) -> int:
        return os.getpid()


def _runnable(task: asyncio.Task[Any]) -> bool:
    if task.done():
        return False
    waiter = getattr(task, "_fut_waiter", None)
    return waiter is None or waiter.done()


class _Current(threading.local):
    process: Process | None = None


_current = _Current()


def current_process() -> Process:
    """The process module-level calls act on (created on first use, like Node's own)."""
    process = _current.process
    if process is None or process._closed:
        process = _current.process = Process()
    return process


def set_current_process(process: Process | None) -> Process | None:
    previous, _current.process = _current.process, process
    return previous
