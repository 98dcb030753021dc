"""node:events: events.once(emitter, name), the awaitable of the next emit
(clause A46). Awaited from a coroutine main, the script's top-level await."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from nodeapi.events import EventsModule

    from conformance import Runtime


@pytest.mark.clause("A46")
def test_once_resolves_with_the_list_of_emitted_arguments(runtime: Runtime, events: EventsModule) -> None:
    emitter = events.EventEmitter()
    results: list[object] = []

    async def main() -> None:
        pending = events.once(emitter, "ready")
        runtime.set_timeout(lambda: emitter.emit("ready", 1, "two", None), 1)
        results.append(await pending)

    runtime.run(main, timeout=5)
    assert results == [[1, "two", None]]


@pytest.mark.clause("A46")
def test_once_listens_from_the_call_so_an_emit_right_after_it_counts(runtime: Runtime, events: EventsModule) -> None:
    emitter = events.EventEmitter()
    counts: list[tuple[int, int]] = []
    results: list[object] = []

    async def main() -> None:
        pending = events.once(emitter, "ready")
        counts.append((emitter.listener_count("ready"), emitter.listener_count("error")))
        assert emitter.emit("ready", "now") is True
        counts.append((emitter.listener_count("ready"), emitter.listener_count("error")))
        emitter.emit("ready", "later")
        results.append(await pending)

    runtime.run(main, timeout=5)
    # While waiting it listens for the event and for 'error'; it removes both.
    assert counts == [(1, 1), (0, 0)]
    assert results == [["now"]]


@pytest.mark.clause("A46")
def test_once_with_no_arguments_resolves_with_an_empty_list(runtime: Runtime, events: EventsModule) -> None:
    emitter = events.EventEmitter()
    results: list[object] = []

    async def main() -> None:
        pending = events.once(emitter, "ready")
        emitter.emit("ready")
        results.append(await pending)

    runtime.run(main, timeout=5)
    assert results == [[]]


@pytest.mark.clause("A46")
def test_once_rejects_when_error_is_emitted_first(runtime: Runtime, events: EventsModule) -> None:
    emitter = events.EventEmitter()
    failure = OSError(98, "address already in use")
    outcome: list[object] = []

    async def main() -> None:
        pending = events.once(emitter, "listening")
        # once() is listening for 'error', so this emit does not raise.
        outcome.append(emitter.emit("error", failure))
        try:
            await pending
        except OSError as error:
            outcome.append(error)
        outcome.append((emitter.listener_count("listening"), emitter.listener_count("error")))
        emitter.emit("listening")

    runtime.run(main, timeout=5)
    assert outcome == [True, failure, (0, 0)]
    assert outcome[1] is failure


@pytest.mark.clause("A46")
def test_once_for_error_resolves_with_the_error(runtime: Runtime, events: EventsModule) -> None:
    emitter = events.EventEmitter()
    failure = ValueError("awaited")
    outcome: list[object] = []

    async def main() -> None:
        pending = events.once(emitter, "error")
        outcome.append(emitter.listener_count("error"))
        emitter.emit("error", failure)
        outcome.append(await pending)

    runtime.run(main, timeout=5)
    assert outcome == [1, [failure]]


@pytest.mark.clause("A46")
def test_once_leaves_other_listeners_alone(runtime: Runtime, events: EventsModule) -> None:
    emitter = events.EventEmitter()
    seen: list[object] = []
    emitter.on("ready", seen.append)
    emitter.on("error", seen.append)
    results: list[object] = []

    async def main() -> None:
        pending = events.once(emitter, "ready")
        emitter.emit("ready", 1)
        results.append(await pending)
        emitter.emit("ready", 2)

    runtime.run(main, timeout=5)
    assert results == [[1]]
    assert seen == [1, 2]
    assert (emitter.listener_count("ready"), emitter.listener_count("error")) == (1, 1)
