"""node:events: the listener limit and the leak warning: defaults (A29, A36),
set_max_listeners and default_max_listeners validation (A30, A37), what 0 and
infinity mean (A31), the MaxListenersExceededWarning (A32-A35), and the
module-level set_max_listeners / get_max_listeners (A38).

The warning goes through process.emitWarning, which the binding maps to
warnings.warn on the next tick (CONFORMANCE.md 1.5), so these tests add
listeners inside runtime.run and look at what warnings.warn received.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import pytest

from conformance.suite._net_helpers import raises_node_error

if TYPE_CHECKING:
    from nodeapi.events import EventEmitter, EventsModule

    from conformance import Runtime

WARNING_NAME = "MaxListenersExceededWarning"


def _listener() -> Callable[..., None]:
    def listener(*args: object) -> None:
        pass

    return listener


@contextmanager
def _leak_warnings() -> Iterator[list[Any]]:
    """Collect the MaxListenersExceededWarning instances warned inside the block."""
    found: list[Any] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield found
    found.extend(w.message for w in caught if type(w.message).__name__ == WARNING_NAME)


def _add(emitter: EventEmitter, name: object, count: int) -> None:
    for _ in range(count):
        emitter.on(name, _listener())


# ----------------------------------------------------------------- defaults


@pytest.mark.clause("A29")
def test_the_default_maximum_is_ten(events: EventsModule) -> None:
    assert events.EventEmitter.default_max_listeners == 10
    assert events.EventEmitter().get_max_listeners() == 10
    assert events.get_max_listeners(events.EventEmitter()) == 10


@pytest.mark.clause("A29")
def test_get_max_listeners_returns_the_instances_own_value(events: EventsModule) -> None:
    emitter = events.EventEmitter()
    emitter.set_max_listeners(3)
    assert emitter.get_max_listeners() == 3
    assert events.EventEmitter().get_max_listeners() == 10


@pytest.mark.requires("process-warnings")
@pytest.mark.clause("A29", "A32")
def test_ten_listeners_do_not_warn_the_eleventh_does(runtime: Runtime, events: EventsModule) -> None:
    emitter = events.EventEmitter()
    counts: list[int] = []

    def main() -> None:
        _add(emitter, "data", 10)
        runtime.set_timeout(eleventh, 1)

    def eleventh() -> None:
        counts.append(len(found))
        emitter.on("data", _listener())

    with _leak_warnings() as found:
        runtime.run(main, timeout=5)
    assert counts == [0]
    assert len(found) == 1


# ------------------------------------------------------------- validation


@pytest.mark.parametrize("value", [0, 1, 2.5, 100, math.inf])
@pytest.mark.clause("A30")
def test_set_max_listeners_accepts_any_number_from_zero(events: EventsModule, value: float) -> None:
    emitter = events.EventEmitter()
    assert emitter.set_max_listeners(value) is emitter
    assert emitter.get_max_listeners() == value


@pytest.mark.parametrize("value", [-1, -0.5, -math.inf, math.nan])
@pytest.mark.clause("A30")
def test_set_max_listeners_rejects_negative_numbers_and_nan_with_err_out_of_range(
    events: EventsModule, value: float
) -> None:
    emitter = events.EventEmitter().set_max_listeners(4)
    with raises_node_error(ValueError, "ERR_OUT_OF_RANGE"):
        emitter.set_max_listeners(value)
    assert emitter.get_max_listeners() == 4


@pytest.mark.parametrize("value", ["5", None, True, [5], object()], ids=lambda v: type(v).__name__)
@pytest.mark.clause("A30")
def test_set_max_listeners_rejects_non_numbers_with_err_invalid_arg_type(events: EventsModule, value: object) -> None:
    emitter = events.EventEmitter().set_max_listeners(4)
    with raises_node_error(TypeError, "ERR_INVALID_ARG_TYPE"):
        emitter.set_max_listeners(value)  # type: ignore[arg-type]
    assert emitter.get_max_listeners() == 4


@pytest.mark.parametrize("value", [0, 3, 2.5, math.inf])
@pytest.mark.clause("A37")
def test_default_max_listeners_accepts_any_number_from_zero(events: EventsModule, value: float) -> None:
    events.EventEmitter.default_max_listeners = value
    assert events.EventEmitter.default_max_listeners == value
    assert events.EventEmitter().get_max_listeners() == value


@pytest.mark.parametrize("value", [-1, math.nan])
@pytest.mark.clause("A37")
def test_default_max_listeners_rejects_negative_numbers_and_nan_with_err_out_of_range(
    events: EventsModule, value: float
) -> None:
    with raises_node_error(ValueError, "ERR_OUT_OF_RANGE"):
        events.EventEmitter.default_max_listeners = value
    assert events.EventEmitter.default_max_listeners == 10


@pytest.mark.parametrize("value", ["5", None, False, object()], ids=lambda v: type(v).__name__)
@pytest.mark.clause("A37")
def test_default_max_listeners_rejects_non_numbers_with_err_invalid_arg_type(
    events: EventsModule, value: object
) -> None:
    with raises_node_error(TypeError, "ERR_INVALID_ARG_TYPE"):
        events.EventEmitter.default_max_listeners = value  # type: ignore[assignment]
    assert events.EventEmitter.default_max_listeners == 10


# ----------------------------------------------------------------- warning


@pytest.mark.requires("process-warnings")
@pytest.mark.parametrize("limit", [0, math.inf])
@pytest.mark.clause("A31")
def test_zero_or_infinity_means_unlimited(runtime: Runtime, events: EventsModule, limit: float) -> None:
    emitter = events.EventEmitter().set_max_listeners(limit)

    with _leak_warnings() as found:
        runtime.run(lambda: _add(emitter, "data", 30), timeout=5)
    assert found == []
    assert emitter.listener_count("data") == 30


@pytest.mark.requires("process-warnings")
@pytest.mark.clause("A32")
def test_the_limit_only_warns_once_per_event_and_every_listener_is_added(
    runtime: Runtime, events: EventsModule
) -> None:
    emitter = events.EventEmitter()
    calls: list[int] = []

    def main() -> None:
        for index in range(15):
            emitter.on("data", lambda index=index: calls.append(index))
        _add(emitter, "other", 11)

    with _leak_warnings() as found:
        runtime.run(main, timeout=5)
    assert sorted((w.type, w.count) for w in found) == [("data", 11), ("other", 11)]
    assert emitter.listener_count("data") == 15
    emitter.emit("data")
    assert calls == list(range(15))


@pytest.mark.requires("process-warnings")
@pytest.mark.clause("A32")
def test_prepend_and_once_listeners_count_towards_the_limit(runtime: Runtime, events: EventsModule) -> None:
    prepended = events.EventEmitter().set_max_listeners(1)
    onced = events.EventEmitter().set_max_listeners(1)

    def main() -> None:
        prepended.prepend_listener("a", _listener())
        prepended.prepend_listener("a", _listener())
        onced.once("b", _listener())
        onced.prepend_once_listener("b", _listener())

    with _leak_warnings() as found:
        runtime.run(main, timeout=5)
    assert sorted((w.type, w.count) for w in found) == [("a", 2), ("b", 2)]
    assert [w.emitter for w in sorted(found, key=lambda w: str(w.type))] == [prepended, onced]


@pytest.mark.requires("process-warnings")
@pytest.mark.clause("A33")
def test_the_warning_is_a_max_listeners_exceeded_warning_with_emitter_type_and_count(
    runtime: Runtime, events: EventsModule
) -> None:
    emitter = events.EventEmitter()

    with _leak_warnings() as found:
        runtime.run(lambda: _add(emitter, "foo", 11), timeout=5)
    assert len(found) == 1
    warning = found[0]
    assert (warning.emitter, warning.type, warning.count) == (emitter, "foo", 11)
    assert warning.emitter is emitter
    assert type(warning).__name__ == WARNING_NAME
    assert type(warning) is events.MaxListenersExceededWarning
    assert isinstance(warning, Warning)


@pytest.mark.requires("process-warnings")
@pytest.mark.clause("A33")
def test_the_warnings_type_is_the_symbol_for_a_symbol_event(runtime: Runtime, events: EventsModule) -> None:
    emitter = events.EventEmitter().set_max_listeners(2)
    symbol = object()

    with _leak_warnings() as found:
        runtime.run(lambda: _add(emitter, symbol, 3), timeout=5)
    assert [(w.type, w.count) for w in found] == [(symbol, 3)]


@pytest.mark.requires("process-warnings")
@pytest.mark.clause("A34")
def test_the_warning_arrives_after_the_call_that_exceeded_the_limit(runtime: Runtime, events: EventsModule) -> None:
    emitter = events.EventEmitter()
    during: list[int] = []

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")

        def main() -> None:
            _add(emitter, "data", 11)
            during.append(sum(type(w.message).__name__ == WARNING_NAME for w in caught))

        runtime.run(main, timeout=5)
    assert during == [0]
    assert sum(type(w.message).__name__ == WARNING_NAME for w in caught) == 1


@pytest.mark.requires("process-warnings")
@pytest.mark.clause("A35")
def test_the_warning_comes_again_after_the_listeners_fell_back_to_one(runtime: Runtime, events: EventsModule) -> None:
    emitter = events.EventEmitter().set_max_listeners(2)
    f = _listener()

    def main() -> None:
        for _ in range(3):
            emitter.on("data", f)  # warns (3 > 2)
        emitter.off("data", f)
        emitter.on("data", f)  # 3 again, but this array has warned
        emitter.off("data", f)
        emitter.off("data", f)  # down to one listener: the array is gone
        emitter.on("data", f)
        emitter.on("data", f)  # 3 again, in a new array: warns again

    with _leak_warnings() as found:
        runtime.run(main, timeout=5)
    assert [(w.type, w.count) for w in found] == [("data", 3), ("data", 3)]


@pytest.mark.requires("process-warnings")
@pytest.mark.clause("A35")
def test_removing_some_listeners_without_falling_to_one_does_not_warn_again(
    runtime: Runtime, events: EventsModule
) -> None:
    emitter = events.EventEmitter().set_max_listeners(2)
    f = _listener()

    def main() -> None:
        for _ in range(4):
            emitter.on("data", f)
        emitter.off("data", f)
        emitter.off("data", f)  # two left: still the array that warned
        emitter.on("data", f)
        emitter.on("data", f)

    with _leak_warnings() as found:
        runtime.run(main, timeout=5)
    assert [(w.type, w.count) for w in found] == [("data", 3)]


# ------------------------------------------------------- changing defaults


@pytest.mark.requires("process-warnings")
@pytest.mark.clause("A36")
def test_a_new_default_applies_to_existing_emitters_without_their_own_limit(
    runtime: Runtime, events: EventsModule
) -> None:
    older = events.EventEmitter()
    own = events.EventEmitter().set_max_listeners(5)
    events.EventEmitter.default_max_listeners = 1
    assert older.get_max_listeners() == 1
    assert own.get_max_listeners() == 5

    def main() -> None:
        _add(older, "data", 2)
        _add(own, "data", 2)

    with _leak_warnings() as found:
        runtime.run(main, timeout=5)
    assert [(w.emitter, w.count) for w in found] == [(older, 2)]


@pytest.mark.requires("process-warnings")
@pytest.mark.clause("A37")
def test_a_default_of_zero_means_unlimited(runtime: Runtime, events: EventsModule) -> None:
    events.EventEmitter.default_max_listeners = 0
    emitter = events.EventEmitter()

    with _leak_warnings() as found:
        runtime.run(lambda: _add(emitter, "data", 20), timeout=5)
    assert found == []


@pytest.mark.clause("A38")
def test_module_set_max_listeners_sets_each_target(events: EventsModule) -> None:
    first, second, untouched = events.EventEmitter(), events.EventEmitter(), events.EventEmitter()
    events.set_max_listeners(3, first, second)
    assert (first.get_max_listeners(), second.get_max_listeners()) == (3, 3)
    assert (events.get_max_listeners(first), events.get_max_listeners(second)) == (3, 3)
    assert untouched.get_max_listeners() == 10
    assert events.EventEmitter.default_max_listeners == 10


@pytest.mark.clause("A38")
def test_module_set_max_listeners_without_targets_sets_the_default(events: EventsModule) -> None:
    existing = events.EventEmitter()
    events.set_max_listeners(4)
    assert events.EventEmitter.default_max_listeners == 4
    assert events.EventEmitter().get_max_listeners() == 4
    assert existing.get_max_listeners() == 4


@pytest.mark.clause("A38")
def test_module_set_max_listeners_validates_the_number(events: EventsModule) -> None:
    emitter = events.EventEmitter()
    with raises_node_error(ValueError, "ERR_OUT_OF_RANGE"):
        events.set_max_listeners(-1, emitter)
    with raises_node_error(TypeError, "ERR_INVALID_ARG_TYPE"):
        events.set_max_listeners("3", emitter)  # type: ignore[arg-type]
    assert emitter.get_max_listeners() == 10
    assert events.EventEmitter.default_max_listeners == 10


@pytest.mark.clause("A38")
def test_module_functions_reject_what_is_not_an_emitter(events: EventsModule) -> None:
    with raises_node_error(TypeError, "ERR_INVALID_ARG_TYPE"):
        events.set_max_listeners(3, object())  # type: ignore[arg-type]
    with raises_node_error(TypeError, "ERR_INVALID_ARG_TYPE"):
        events.get_max_listeners(object())  # type: ignore[arg-type]
