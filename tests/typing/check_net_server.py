# mypy: enable-error-code="deprecated"
# Type-level cases for net.create_server and Server (stubs/nodeapi/net.pyi) apart from listen():
# constructors and ServerOpts, callbacks as the binding calls them, per-event listener types, async
# disposal. Never run (see check_events.py for how these files work).
from __future__ import annotations

from collections.abc import Awaitable

from typing_extensions import assert_type

from nodeapi.events import EventEmitter, EventsModule
from nodeapi.net import AddressInfo, BlockList, DropData, NetModule, Server, ServerOpts, Socket


def on_connection(socket: Socket) -> None: ...


def on_error(error: Exception) -> None: ...


def on_drop(data: DropData | None = None) -> None: ...


def takes_int(value: int) -> None: ...


def create_server_shapes(net: NetModule, block_list: BlockList) -> None:
    # createServer([options][, connectionListener]) (clauses B48, B49)
    assert_type(net.create_server(), Server)
    assert_type(net.create_server(on_connection), Server)
    assert_type(net.create_server(lambda c: c.pipe(c)), Server)
    assert_type(net.create_server(None, on_connection), Server)
    assert_type(net.create_server({"allow_half_open": True}), Server)
    assert_type(
        net.create_server(
            {
                "allow_half_open": True,
                "pause_on_connect": True,
                "no_delay": True,
                "keep_alive": True,
                "keep_alive_initial_delay": 1000,
                "high_water_mark": 1024,
                "block_list": block_list,
            },
            on_connection,
        ),
        Server,
    )
    assert_type(net.Server(), Server)
    assert_type(net.Server({"pause_on_connect": True}, on_connection), Server)
    net.create_server({"allowHalfOpen": True})  # type: ignore[call-overload]
    net.create_server(takes_int)  # type: ignore[arg-type]
    net.create_server(options={})  # type: ignore[call-overload]


def server_opts_keys() -> None:
    a: ServerOpts = {"pauseOnConnect": True}  # type: ignore[typeddict-unknown-key]
    b: ServerOpts = {"keep_alive_initial_delay": "1s"}  # type: ignore[typeddict-item]
    c: ServerOpts = {"capture_rejections": True}  # type: ignore[typeddict-unknown-key]


def properties(server: Server) -> None:
    assert_type(server.listening, bool)
    assert_type(server.max_connections, int | None)
    server.max_connections = 10
    server.max_connections = None
    server.max_connections = "10"  # type: ignore[assignment]
    server.listening = True  # type: ignore[misc]
    assert_type(server.allow_half_open, bool)
    assert_type(server.pause_on_connect, bool)
    assert_type(server.no_delay, bool)
    assert_type(server.keep_alive, bool)
    assert_type(server.keep_alive_initial_delay, float)
    assert_type(server.high_water_mark, int)


def address(server: Server) -> None:
    # AddressInfo for an IP server, the path for an IPC server, None when not bound (H126-H128).
    addr = server.address()
    assert_type(addr, AddressInfo | str | None)
    if isinstance(addr, dict):
        assert_type(addr["port"], int)
        assert_type(addr["family"], str)
        assert_type(addr["address"], str)
        addr["scope_id"]  # type: ignore[typeddict-item]


def callbacks(server: Server) -> None:
    # CONFORMANCE.md 1.4: one fixed signature each; None where Node passes no error.
    def closed(error: Exception | None) -> None: ...

    def counted(error: Exception | None, count: int) -> None: ...

    def closed_without_error_parameter() -> None: ...

    def counted_without_error(count: int) -> None: ...

    assert_type(server.close(), Server)
    assert_type(server.close(closed), Server)
    assert_type(server.close(lambda err: None), Server)
    assert_type(server.get_connections(counted), Server)
    assert_type(server.get_connections(lambda err, n: print(n + 1)), Server)
    server.close(closed_without_error_parameter)  # type: ignore[arg-type]
    server.get_connections(counted_without_error)  # type: ignore[arg-type]
    server.get_connections()  # type: ignore[call-arg]


def ref_unref_chain(server: Server) -> None:
    assert_type(server.ref(), Server)
    assert_type(server.unref().close(), Server)


def a_server_is_an_event_emitter(server: Server, events: EventsModule) -> None:
    emitter: EventEmitter = server
    events.once(server, "listening")


def event_specific_listeners(server: Server) -> None:
    # One overload per documented event (C62), as @types/node's ServerEventMap.
    assert_type(server.on("listening", lambda: None), Server)
    assert_type(server.on("connection", on_connection), Server)
    assert_type(server.on("connection", lambda socket: socket.write(b"hello\r\n")), Server)
    assert_type(server.once("error", on_error), Server)
    assert_type(server.once("error", lambda err: print(err.args)), Server)
    assert_type(server.prepend_listener("close", lambda: None), Server)
    assert_type(server.prepend_once_listener("drop", on_drop), Server)
    assert_type(server.add_listener("drop", lambda data=None: None), Server)
    # A listener that takes any arguments fits every event.
    assert_type(server.on("connection", print), Server)


def mismatched_listeners(server: Server) -> None:
    # Reported through the @deprecated guard overload (net.pyi explains why).
    server.on("connection", lambda socket: socket.no_such_method())  # type: ignore[deprecated]
    server.on("connection", takes_int)  # type: ignore[deprecated]
    server.once("listening", on_connection)  # type: ignore[deprecated]
    server.add_listener("error", takes_int)  # type: ignore[deprecated]
    server.prepend_listener("close", on_error)  # type: ignore[deprecated]
    # IPC servers emit 'drop' with no argument (I135): the listener must allow that.
    server.prepend_once_listener("drop", takes_int)  # type: ignore[deprecated]


def custom_events_fall_back(server: Server) -> None:
    assert_type(server.on("custom", takes_int), Server)
    assert_type(server.emit("custom", 1, 2, 3), bool)


def emit_arguments(server: Server, socket: Socket) -> None:
    assert_type(server.emit("listening"), bool)
    assert_type(server.emit("connection", socket), bool)
    assert_type(server.emit("error", OSError()), bool)
    assert_type(server.emit("close"), bool)
    assert_type(server.emit("drop"), bool)
    drop: DropData = {
        "local_address": "127.0.0.1",
        "local_port": 8124,
        "local_family": "IPv4",
        "remote_address": "127.0.0.1",
        "remote_port": 50000,
        "remote_family": "IPv4",
    }
    assert_type(server.emit("drop", drop), bool)
    server.emit("connection")  # type: ignore[deprecated]
    server.emit("connection", "not a socket")  # type: ignore[deprecated]
    server.emit("listening", 1)  # type: ignore[deprecated]


def capture_rejection_method(server: Server) -> None:
    # [Symbol.for('nodejs.rejection')] (B61)
    server.nodejs_rejection(ValueError(), "connection", object())


async def async_disposal(server: Server) -> None:
    # [Symbol.asyncDispose] (M178): aclose() and `async with`.
    assert_type(server.aclose(), Awaitable[None])
    await server.aclose()
    async with server as entered:
        assert_type(entered, Server)


def not_a_context_manager(server: Server) -> None:
    with server:  # type: ignore[attr-defined]
        pass
