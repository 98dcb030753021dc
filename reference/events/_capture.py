# What happens to a value a listener returns (clauses A2, A39-A42).
#
# Node ignores return values (A2) except under captureRejections, where a
# returned thenable gets `.then(undefined, onRejected)` and a rejection is
# routed, on the next tick, to `emitter[Symbol.for('nodejs.rejection')]` or to
# emit('error') with capture turned off (lib/events.js addCatch,
# emitUnhandledRejectionOrErr).
#
# Python has one difference that matters: a JavaScript async function runs by
# itself, a coroutine does not. So a coroutine a listener returns is always
# started on the process's loop (CONFORMANCE.md 1.4), captured or not; without
# capture its exception is an unhandled rejection, which ends run() (Node's
# default --unhandled-rejections=throw, clause A42).
#
# The Promise -> awaitable mapping makes "a thenable" any awaitable, and
# "read `then` once" (A41) calling `__await__()` once, synchronously, inside
# emit: if that raises, the error is emitted as 'error' at once, as Node does
# when the `then` getter throws. Non-coroutine awaitables (a Future, an
# object with `__await__`) are left alone without capture, as Node leaves a
# returned promise alone.

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Generator
from typing import TYPE_CHECKING, Any

from .._process import current_process

if TYPE_CHECKING:
    from ._emitter import EventEmitter

__all__ = ["capture_rejection_symbol", "listener_returned", "run_detached"]

# `events.captureRejectionSymbol` is Symbol.for('nodejs.rejection'); the
# binding makes it the name of a method (CONFORMANCE.md 1.1).
capture_rejection_symbol = "nodejs_rejection"


def listener_returned(emitter: EventEmitter, result: object, name: object, args: tuple[object, ...]) -> None:
    """A listener of ``emitter`` returned ``result`` (not None) for ``name``."""
    if emitter._capture:
        _capture(emitter, result, name, args)
    elif asyncio.iscoroutine(result):
        run_detached(result)


def run_detached(coro: Coroutine[Any, Any, object]) -> None:
    """Start a coroutine nobody awaits: its exception is an unhandled rejection."""
    process = current_process()
    process.create_task(_settle(coro, process.uncaught))


async def _settle(awaitable: Awaitable[object], on_rejection: Callable[[Exception], object]) -> None:
    # The outcome is handled inside the task's own step, not in a done
    # callback: the process may find the loop idle between a task finishing
    # and its done callbacks running, and end run() without the rejection.
    try:
        await awaitable
    except Exception as error:  # noqa: BLE001 - a rejection, whatever it is
        on_rejection(error)


class _Awaiting:
    # Awaits an iterator already obtained from `__await__()`, so that the
    # user's `__await__` is called exactly once (A41).
    __slots__ = ("_iterator",)

    def __init__(self, iterator: Generator[Any, None, object]) -> None:
        self._iterator = iterator

    def __await__(self) -> Generator[Any, None, object]:
        return self._iterator


def _capture(emitter: EventEmitter, result: object, name: object, args: tuple[object, ...]) -> None:
    # addCatch: `if (typeof then === 'function') then.call(...)`, inside a try
    # whose catch emits 'error' synchronously.
    if asyncio.iscoroutine(result):
        awaitable: Awaitable[object] = result
    else:
        await_method = getattr(type(result), "__await__", None)
        if not callable(await_method):
            return  # not a thenable: ignored, as Node ignores any other value
        try:
            awaitable = _Awaiting(await_method(result))
        except Exception as error:  # noqa: BLE001 - Node's `catch (err) { that.emit('error', err) }`
            emitter.emit("error", error)
            return
    process = current_process()

    def rejected(error: Exception) -> None:
        # "The callback is called with nextTick to avoid a follow-up
        # rejection from this promise" (lib/events.js addCatch).
        process.next_tick(_emit_rejection_or_error, emitter, error, name, args)

    process.create_task(_settle(awaitable, rejected))


def _emit_rejection_or_error(
    emitter: EventEmitter, error: BaseException, name: object, args: tuple[object, ...]
) -> None:
    handler = getattr(emitter, capture_rejection_symbol, None)
    if callable(handler):
        outcome = handler(error, name, *args)
        if asyncio.iscoroutine(outcome):
            run_detached(outcome)  # a rejecting nodejs_rejection is unhandled (A40)
        return
    # Capture is off while 'error' is emitted, so an async 'error' listener
    # that raises becomes an unhandled rejection instead of a loop (A40).
    # An exception from the emit is uncaught (the tick queue reports it).
    previous = emitter._capture
    try:
        emitter._capture = False
        emitter.emit("error", error)
    finally:
        emitter._capture = previous
