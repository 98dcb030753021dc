# Async disposal (CLAUSES.md section M): server.aclose() and `async with
# server`, the binding of server[Symbol.asyncDispose]() and `await using`.
#
# The tests are scripts with a top-level await: main is a coroutine function,
# which run() drives like an ES module (CONFORMANCE.md 1.5), awaiting only what
# the runtime returns (events.once, aclose). Like a JavaScript async function,
# aclose() does its synchronous part (close()) when called, not when awaited.
# Node: lib/net.js Server.prototype[SymbolAsyncDispose]; doc/api/net.md
# server[Symbol.asyncDispose](); test-net-server-async-dispose.mjs.

from __future__ import annotations

from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any

import pytest

from conformance import Runtime
from conformance.probes import Connect, PlainClient

from ._net_helpers import LOOPBACK, port_of

if TYPE_CHECKING:
    from nodeapi.events import EventsModule
    from nodeapi.net import NetModule, Socket

pytestmark = pytest.mark.requires("net", "net-dispose")



class Marker(Exception):
    """Raised inside `async with` to see it leave after the disposal."""


async def outcome(awaitable: Awaitable[object]) -> object:
    """What an awaitable resolves to (aclose's is None), as a value to record."""
    return await awaitable


@pytest.mark.clause("M178")
def test_aclose_closes_and_resolves_after_close(net: NetModule, events: EventsModule, runtime: Runtime) -> None:
    order: list[object] = []
    seen: dict[str, Any] = {}

    async def main() -> None:
        server = net.create_server()
        server.on("close", lambda: order.append("close"))
        server.listen(0, LOOPBACK)
        await events.once(server, "listening")
        order.append(("resolved", await outcome(server.aclose())))
        seen["listening"] = server.listening

    runtime.run(main, timeout=5)
    assert order == ["close", ("resolved", None)]
    assert seen == {"listening": False}


@pytest.mark.clause("M178")
def test_async_with_disposes_the_server_on_exit(net: NetModule, events: EventsModule, runtime: Runtime) -> None:
    order: list[object] = []

    async def main() -> None:
        server = net.create_server()
        server.on("close", lambda: order.append("close"))
        server.listen(0, LOOPBACK)
        await events.once(server, "listening")
        async with server as entered:
            order.append(("entered", entered is server, server.listening))
        order.append(("after", server.listening))

    runtime.run(main, timeout=5)
    assert order == [("entered", True, True), "close", ("after", False)]


@pytest.mark.clause("M178")
def test_async_with_disposes_before_an_exception_leaves(
    net: NetModule, events: EventsModule, runtime: Runtime
) -> None:
    order: list[object] = []

    async def main() -> None:
        server = net.create_server()
        server.on("close", lambda: order.append("close"))
        server.listen(0, LOOPBACK)
        await events.once(server, "listening")
        try:
            async with server:
                raise Marker
        except Marker:
            order.append(("caught", server.listening))

    runtime.run(main, timeout=5)
    assert order == ["close", ("caught", False)]


@pytest.mark.clause("M179")
def test_aclose_of_a_server_that_never_listened(net: NetModule, runtime: Runtime) -> None:
    order: list[object] = []

    async def main() -> None:
        server = net.create_server()
        server.on("close", lambda: order.append("close"))
        server.on("error", lambda err: order.append("error"))
        runtime.set_immediate(lambda: order.append("immediate"))
        # No ERR_SERVER_NOT_RUNNING: close() is not called at all, so no 'close';
        # and it resolves at once, before the loop reaches the immediate.
        order.append(("first", await outcome(server.aclose())))
        order.append(("second", await outcome(server.aclose())))

    runtime.run(main, timeout=5)
    assert order == [("first", None), ("second", None), "immediate"]


@pytest.mark.clause("M179")
def test_aclose_of_a_closed_server_resolves_again(net: NetModule, events: EventsModule, runtime: Runtime) -> None:
    order: list[object] = []

    async def main() -> None:
        server = net.create_server()
        server.listen(0, LOOPBACK)
        await events.once(server, "listening")
        await server.aclose()
        server.on("close", lambda: order.append("close"))
        order.append(("again", await outcome(server.aclose())))

    runtime.run(main, timeout=5)
    assert order == [("again", None)]


@pytest.mark.clause("M180")
def test_address_is_none_as_soon_as_aclose_is_called(
    net: NetModule, events: EventsModule, runtime: Runtime
) -> None:
    seen: dict[str, Any] = {}

    async def main() -> None:
        server = net.create_server()
        server.listen(0, LOOPBACK)
        await events.once(server, "listening")
        seen["before"] = server.address() is not None
        pending = server.aclose()
        # Synchronously, before the awaitable is awaited: close() has run.
        seen.update(address=server.address(), listening=server.listening)
        await pending

    runtime.run(main, timeout=5)
    assert seen == {"before": True, "address": None, "listening": False}


@pytest.mark.clause("M180")
def test_aclose_waits_for_open_connections(
    net: NetModule, events: EventsModule, runtime: Runtime, connect: Connect
) -> None:
    order: list[object] = []
    clients: list[PlainClient] = []

    async def main() -> None:
        def on_connection(sock: Socket) -> None:
            order.append("connection")
            def on_data(data: bytes | str) -> None:
                order.append(data)
                sock.end()

            sock.on("data", on_data)
            sock.on("close", lambda had_error: order.append("socket close"))

        server = net.create_server(on_connection)
        server.on("close", lambda: order.append("close"))
        server.listen(0, LOOPBACK)
        await events.once(server, "listening")
        clients.append(connect((LOOPBACK, port_of(server))).sleep(0.3).send(b"late").read_until_eof().close())
        await events.once(server, "connection")
        await server.aclose()
        order.append("resolved")

    runtime.run(main, timeout=5)
    assert clients[0].wait().eof
    # The promise waits for the connection to end, like close()'s callback;
    # the socket's own 'close' may come before or after (G121).
    assert order[:2] == ["connection", b"late"]
    assert sorted(map(str, order[2:])) == ["close", "resolved", "socket close"]
    assert order.index("close") < order.index("resolved")
