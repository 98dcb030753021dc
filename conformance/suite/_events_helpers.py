# Small helpers shared by the node:events suite modules (test_events_*.py).

from __future__ import annotations

from collections.abc import Callable

__all__ = ["named_listener"]


def named_listener(calls: list[str], name: str) -> Callable[..., None]:
    """A distinct listener that records ``name`` in ``calls`` whenever it is called."""

    def listener(*args: object) -> None:
        calls.append(name)

    listener.__name__ = name
    return listener
