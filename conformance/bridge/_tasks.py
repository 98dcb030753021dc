# Python coroutines driven by the JavaScript event loop.
#
# A coroutine in the binding is a JS async function (CONFORMANCE.md 1.4,
# 1.5): it runs at once up to its first await, and then wherever the awaited
# promise settles. No asyncio: the runtime's own loop is the scheduler. Task
# steps the coroutine; when it awaits a JSPromise, it registers then-callbacks
# (Python functions called from the JS loop) that step it again.
#
# An async listener's coroutine is a Promise in JS (host.cjs pyTask): already
# settled if the coroutine finished in its first step, else pending until Task
# settles it. `run(main)` with a coroutine main is the script's top-level await:
# an exception it raises after its first step is thrown in the child on the
# next tick, an uncaught exception, which ends run() with it.

from __future__ import annotations

from collections.abc import Callable, Coroutine, Generator, Iterator
from typing import TYPE_CHECKING, Any

from ._proxies import JSPromise

if TYPE_CHECKING:
    from ._session import Session

__all__ = ["Task", "thenable_then"]

PENDING, FULFILLED, REJECTED = 0, 1, 2


class Task:
    def __init__(
        self,
        session: Session,
        coro: Coroutine[Any, Any, Any] | Generator[Any, Any, Any],
        *,
        script: bool = False,
        then: tuple[Any, Any] | None = None,
    ) -> None:
        self._session = session
        self._coro = coro
        self._script = script
        self._then = then  # a thenable's (on_fulfilled, on_rejected): call one when done
        self.id = session.new_task_id()
        self.state = PENDING
        self.result: Any = None
        self._has_promise = False  # JS holds a pending Promise for this task

    def start(self) -> None:
        """Run the first step, synchronously (as calling an async function does)."""
        self._step(None, None)

    def wire_value(self) -> dict[str, Any]:
        """The coroutine as a value for JS: a settled or a pending Promise."""
        value = self._session.encode(self.result) if self.state != PENDING else None
        if self.state == PENDING:
            self._has_promise = True
        return {"r": self.id, "st": self.state, "v": value}

    # ------------------------------------------------------------------

    def _step(self, value: Any, error: BaseException | None) -> None:
        try:
            if error is not None:
                awaited = self._coro.throw(error)
            else:
                awaited = self._coro.send(value)
        except StopIteration as done:
            self._settle(FULFILLED, done.value)
            return
        except BaseException as exc:
            self._settle(REJECTED, exc)
            return
        self._wait_for(awaited)

    def _wait_for(self, awaited: object) -> None:
        if isinstance(awaited, JSPromise) and awaited._s is self._session:
            self._session.request(["then", {"h": awaited._h}, self._session.encode(self._fulfilled), self._session.encode(self._rejected)])
        elif awaited is None:
            # A bare `yield` (asyncio.sleep(0)): resume on the next loop turn.
            self._session.request(["timer", "immediate", self._session.encode(self._fulfilled), 0, [None]])
        else:
            self._step(
                None,
                TypeError(
                    f"a coroutine run by a JavaScript runtime can await only what the runtime returns "
                    f"(promises such as events.once() or aclose()), not {awaited!r}"
                ),
            )

    def _fulfilled(self, value: Any = None) -> None:
        self._step(value, None)
        self._raise_if_script_failed()

    def _rejected(self, reason: Any = None) -> None:
        self._step(None, self._session.as_exception(reason))
        self._raise_if_script_failed()

    def _raise_if_script_failed(self) -> None:
        # The script's exception ends the process at once, live handles or
        # not: have the child throw it from a nextTick, an uncaught exception
        # there (not an unhandled rejection, which Bun reports only later).
        if self._script and self.state == REJECTED:
            self._session.request(["fail", self._session.encode(self.result)])

    def _settle(self, state: int, result: Any) -> None:
        self.state = state
        self.result = result
        if self._then is not None:
            callback = self._then[0] if state == FULFILLED else self._then[1]
            if callable(callback):
                callback(result)
        if self._has_promise:
            self._session.request(["settle", self.id, state == FULFILLED, self._session.encode(result)])


def thenable_then(session: Session, awaitable: Any) -> Callable[..., None]:
    """The ``then`` a JS caller reads from a Python awaitable: ``__await__()`` runs now.

    An exception from ``__await__`` is thrown into JS by the getter, which is
    how Node's addCatch sees a ``then`` getter that throws (clause A41).
    """
    iterator = awaitable.__await__()

    def then(on_fulfilled: Any = None, on_rejected: Any = None) -> None:
        Task(session, _generator(iterator), then=(on_fulfilled, on_rejected)).start()

    return then


def _generator(iterator: Iterator[Any]) -> Generator[Any, Any, Any]:
    return (yield from iterator)
