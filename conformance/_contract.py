# The implementation contract: what an implementation hands the kit, and what a
# test may rely on. Everything the suite touches goes through these two
# Protocols, so a Python port, a JavaScript runtime behind the bridge and an
# adapter around a third-party library are graded on exactly the same terms.
#
# Two levels, because Node has two:
#   * an Implementation is the installed thing (name, version, features); it is
#     loaded once per pytest session from an entry point;
#   * a Runtime is one Node *process*: its own event loop, its own module state
#     (EventEmitter.default_max_listeners, capture_rejections), its own handles.
#     Every test gets a fresh one, which is what makes the suite isolation-safe.
#
# The Python binding of the JavaScript API (names, values, errors, callbacks)
# is part of the spec; CONFORMANCE.md writes it out.

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from nodeapi.abort import AbortController
    from nodeapi.events import EventsModule
    from nodeapi.net import NetModule
    from nodeapi.timers import Immediate, Timeout
else:  # the stubs are type-only (stubs/nodeapi); at run time anything goes
    EventsModule = NetModule = Immediate = Timeout = AbortController = Any

__all__ = ["Implementation", "Runtime"]


@runtime_checkable
class Runtime(Protocol):
    """One Node process under test.

    Calls made outside :meth:`run` behave like the synchronous part of a Node
    script: they run at once, and anything they schedule waits for ``run``.
    """

    @property
    def events(self) -> EventsModule:
        """The ``node:events`` module, in the Python binding."""

    @property
    def net(self) -> NetModule | None:
        """The ``node:net`` module, or None when the implementation has none
        (then it must not declare the ``net`` feature)."""

    @property
    def pid(self) -> int:
        """The OS process that owns this runtime's sockets. The probes read its
        file descriptors and socket options from outside (``/proc``,
        ``pidfd_getfd``), so they never ask the implementation what it did."""

    def set_timeout(self, callback: Callable[..., object], ms: float = 0, *args: object) -> Timeout:
        """``setTimeout``: a ref'd timer unless unref'ed."""

    def clear_timeout(self, timeout: Timeout | None) -> None:
        """``clearTimeout``."""

    def set_immediate(self, callback: Callable[..., object], *args: object) -> Immediate:
        """``setImmediate``."""

    def clear_immediate(self, immediate: Immediate | None) -> None:
        """``clearImmediate``."""

    def next_tick(self, callback: Callable[..., object], *args: object) -> None:
        """``process.nextTick``."""

    def abort_controller(self) -> AbortController:
        """``new AbortController()`` (a Node global). Needs the ``net-signal`` feature."""

    def run(self, main: Callable[[], object], timeout: float = 10.0) -> None:
        """Run ``main`` as the script, then the loop until it is idle.

        Idle means what it means to a Node process: no ref'd handle (listening
        server, open socket, timer, pending lookup) and no queued callback.
        ``main`` may return an awaitable (a coroutine); it is then driven like
        a module's top-level ``await``, awaiting only awaitables the runtime
        itself returns (``events.once``, ``aclose``); if the loop goes idle
        while it is still pending, ``run`` raises RuntimeError, as Node exits
        with "unsettled top-level await".

        An exception that escapes a callback (an unhandled ``'error'``, a
        listener that raises) ends ``run`` with that same exception object, as
        it ends a Node process. ``timeout`` seconds without going idle end
        ``run`` with ``TimeoutError`` whose message lists the live handles.
        ``run`` may be called again on the same runtime, like a second script
        in the same process.
        """

    def inherit_fd(self, sock: socket.socket) -> int:
        """Make ``sock`` available inside the runtime as a parent process does
        at spawn, and return its descriptor number there (for
        ``listen({'fd': n})``). The runtime owns the descriptor afterwards; the
        caller may close ``sock``. Needs the ``net-fd`` feature.

        A runtime whose process can only inherit at spawn may start it anew
        here, when nothing has run in it yet (the bridge does); ``pid`` then
        changes, and the new process must hold no socket of its own beyond the
        inherited one: the leak check compares the end of the test with the
        sockets held at its start."""

    def close(self) -> list[str]:
        """End the process: close whatever is still alive, release every
        descriptor. Returns a description of each handle that had to be closed
        here (the kit reports them as leaks)."""


@runtime_checkable
class Implementation(Protocol):
    """What an entry point in ``node_net_conformance.implementations`` loads to.

    The entry point's value is either an object of this shape or a callable
    with no arguments that returns one.
    """

    @property
    def name(self) -> str:
        """The name users pass to ``--impl``; equal to the entry-point name."""

    @property
    def version(self) -> str:
        """The implementation's own version."""

    @property
    def node_version(self) -> str:
        """The Node release whose behaviour the implementation follows, e.g.
        ``"24.11.1"``: tests of behaviour that changed between Node releases
        are gated on it (``node_version`` marker), not guessed."""

    @property
    def features(self) -> frozenset[str]:
        """Optional features it supports, each named in the kit's registry
        (``conformance/data/features.toml``)."""

    @property
    def expected_failures(self) -> Path | None:
        """A TOML file of expected failures, or None. See CONFORMANCE.md."""

    def describe(self) -> str:
        """One line for the report header: what it runs on."""

    def start(self) -> Runtime:
        """A fresh runtime (a new Node process) for one test."""
