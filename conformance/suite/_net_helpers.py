# Small helpers shared by the node:net suite modules (test_net_*.py).
#
# Only what several modules need and what reads the same everywhere: the
# loopback listen that hands back a port, the check of a Node error's code and
# class, an event recorder, and a port held by a plain socket (to provoke
# EADDRINUSE without trusting the implementation under test). Parts 2 and 3
# append here; keep every helper small, typed and free of assertions about a
# particular clause.

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

import pytest

from conformance import Runtime

if TYPE_CHECKING:
    from nodeapi.net import NetModule, Server, ServerOpts, Socket

    from conformance.probes import PlainClient
else:  # the typed API lives in stubs/nodeapi (type-only)
    Server = Any

__all__ = [
    "LOOPBACK",
    "Log",
    "accept_one",
    "held_port",
    "in_order",
    "listen_loopback",
    "names",
    "poll_until",
    "port_of",
    "raises_node_error",
    "record",
]

LOOPBACK = "127.0.0.1"

E = TypeVar("E", bound=BaseException)


def port_of(server: Server) -> int:
    """The TCP port of a listening server (``server.address().port``)."""
    address = server.address()
    assert isinstance(address, Mapping), f"address() of a TCP server is an AddressInfo dict, got {address!r}"
    port = address["port"]
    assert isinstance(port, int) and not isinstance(port, bool), f"AddressInfo port is an int, got {port!r}"
    return port


def listen_loopback(server: Server, on_listening: Callable[[int], object] | None = None) -> None:
    """``server.listen(0, '127.0.0.1', cb)``; ``on_listening(port)`` runs from the
    listen callback. Call it inside ``runtime.run``: with a host, the bind waits
    for ``dns.lookup`` (D81), so the port is only known in the callback."""

    def listening() -> None:
        if on_listening is not None:
            on_listening(port_of(server))

    server.listen(0, LOOPBACK, listening)


def in_order(*steps: Callable[[], object]) -> Callable[..., None]:
    """A listener that runs ``steps`` in order and ignores what it is called with:
    ``server.listen(0, host, in_order(lambda: seen.append(1), server.close))``."""

    def listener(*args: object) -> None:
        for step in steps:
            step()

    return listener


@contextmanager
def raises_node_error(cls: type[E], code: str) -> Iterator[pytest.ExceptionInfo[E]]:
    """``pytest.raises(cls)`` that also checks Node's ``code`` (never the message)."""
    with pytest.raises(cls) as info:
        yield info
    assert getattr(info.value, "code", None) == code, f"expected code {code!r}, got {info.value!r}"


# What record() returns: (event name, the arguments it was emitted with), in order.
Log = list[tuple[str, Any]]


def names(log: Log) -> list[str]:
    """The event names of a log, in the order they were emitted."""
    return [name for name, _ in log]


def record(emitter: Any, *names: str) -> Log:
    """Listen for ``names`` on ``emitter``; return the list of (name, args) as emitted."""
    log: Log = []

    def listener_for(name: str) -> Callable[..., None]:
        return lambda *args: log.append((name, args))

    for name in names:
        emitter.on(name, listener_for(name))
    return log


@contextmanager
def held_port(host: str = LOOPBACK) -> Iterator[int]:
    """A port on ``host`` held by a plain listening socket for the block's duration.

    The holder listens, so a later bind on the same port fails with
    EADDRINUSE whatever SO_REUSEADDR the implementation sets (Linux refuses
    to share a port with a listening socket)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as holder:
        holder.bind((host, 0))
        holder.listen(1)
        yield holder.getsockname()[1]


def poll_until(runtime: Runtime, condition: Callable[[], bool], then: Callable[[], object], every_ms: float = 10) -> None:
    """Check ``condition`` on the runtime's loop every few ms; call ``then()`` once it holds.

    For what only a probe thread can see (a PlainClient's transcript): the
    thread cannot call into the runtime, the loop can look at the thread.
    Bounded by the run's timeout."""

    def check() -> None:
        if condition():
            then()
        else:
            runtime.set_timeout(check, every_ms)

    runtime.set_timeout(check, every_ms)


def accept_one(
    net: NetModule,
    runtime: Runtime,
    connect: Callable[..., PlainClient],
    on_connection: Callable[[Server, Socket, PlainClient], object],
    client_steps: Callable[[PlainClient], object] = lambda client: client.read_until_eof().close(),
    *,
    options: ServerOpts | None = None,
    host: str | None = LOOPBACK,
    path: str | None = None,
    close_server: bool = True,
    timeout: float = 5,
) -> PlainClient:
    """Serve one plain-socket client inside ``runtime.run`` and return it.

    Listens on ``host`` port 0 (``None``: no host, Node's dual-stack default),
    or on the IPC ``path``; connects a PlainClient (to 127.0.0.1 when the
    server listens on a wildcard), queues ``client_steps`` on it, and calls
    ``on_connection(server, socket, client)``. With ``close_server`` the server
    stops listening right after that call, so ``run`` returns once the
    accepted socket has closed: the test must see to that (end, destroy, or
    the client's own close)."""
    clients: list[PlainClient] = []

    def main() -> None:
        server = net.create_server(options)

        def on_socket(sock: Socket) -> None:
            on_connection(server, sock, clients[0])
            if close_server:
                server.close()

        server.on("connection", on_socket)

        def listening() -> None:
            if path is not None:
                client = connect(path)
            else:
                port = port_of(server)
                client = connect((LOOPBACK if host in (None, "::", "0.0.0.0") else host, port))
            clients.append(client)
            client_steps(client)

        if path is not None:
            server.listen(path, listening)
        elif host is None:
            server.listen(0, listening)
        else:
            server.listen(0, host, listening)

    runtime.run(main, timeout=timeout)
    assert clients, "the server never listened"
    return clients[0]
