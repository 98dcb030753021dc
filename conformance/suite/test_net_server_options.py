# Server construction and ServerOpts (CLAUSES.md section B): net.create_server /
# net.Server, the option values the server keeps, what they do to every accepted
# socket, and their validation.
#
# What an option does to an accepted socket is asked of the kernel where the
# kernel holds it (TCP_NODELAY, SO_KEEPALIVE, TCP_KEEPIDLE on the runtime's own
# descriptor, through the `kernel` probe), and of a plain-socket client where it
# is about bytes (allow_half_open, pause_on_connect, block_list).
# Node: lib/net.js Server and onconnection; doc/api/net.md net.createServer().

from __future__ import annotations

import math
import socket
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

from conformance import Runtime
from conformance.probes import Connect, KernelView, PlainClient

from ._net_helpers import LOOPBACK, listen_loopback, poll_until, raises_node_error, record

if TYPE_CHECKING:
    from nodeapi.events import EventsModule
    from nodeapi.net import NetModule, Server, ServerOpts, Socket

pytestmark = pytest.mark.requires("net")



def serve_one(
    net: NetModule,
    runtime: Runtime,
    connect: Connect,
    options: ServerOpts | None,
    on_connection: Callable[[Server, Socket, PlainClient], object],
    client_steps: Callable[[PlainClient], object] = lambda client: client.read_until_eof().close(),
) -> PlainClient:
    """Accept one client on 127.0.0.1 and hand (server, socket, client) to
    ``on_connection``, which must end the socket and close the server."""
    clients: list[PlainClient] = []

    def main() -> None:
        server = net.create_server(options)
        server.on("connection", lambda sock: on_connection(server, sock, clients[0]))

        def listening(port: int) -> None:
            client = connect((LOOPBACK, port))
            clients.append(client)
            client_steps(client)

        listen_loopback(server, listening)

    runtime.run(main, timeout=5)
    assert clients, "the server never listened"
    return clients[0]


# ------------------------------------------------------------ construction


@pytest.mark.clause("B48")
def test_create_server_and_the_server_class_make_the_same_thing(net: NetModule) -> None:
    def on_connection(sock: Socket) -> None:
        pass

    made = net.create_server({}, on_connection)
    built = net.Server({}, on_connection)
    for server in (made, built):
        assert isinstance(server, net.Server)
        assert server.listeners("connection") == [on_connection]
        assert server.listening is False


@pytest.mark.clause("B49")
def test_a_function_as_first_argument_is_the_connection_listener(net: NetModule) -> None:
    def on_connection(sock: Socket) -> None:
        pass

    server = net.create_server(on_connection)
    assert server.listeners("connection") == [on_connection]
    assert server.allow_half_open is False  # the options default to {}


@pytest.mark.clause("B49")
@pytest.mark.parametrize("listener", ["listener", 0, None, {}], ids=repr)
def test_a_connection_listener_that_is_not_a_function_is_ignored(net: NetModule, listener: object) -> None:
    server = net.create_server({}, listener)  # type: ignore[call-overload]
    assert server.listener_count("connection") == 0


@pytest.mark.clause("B50")
@pytest.mark.parametrize("options", ["path", 0, 1.5, True], ids=repr)
def test_options_that_are_not_a_dict_throw(net: NetModule, options: object) -> None:
    with raises_node_error(TypeError, "ERR_INVALID_ARG_TYPE"):
        net.create_server(options)  # type: ignore[call-overload]


@pytest.mark.clause("B50")
def test_none_options_are_the_defaults(net: NetModule) -> None:
    server = net.create_server(None)
    assert server.allow_half_open is False
    assert server.listener_count("connection") == 0


@pytest.mark.clause("B51")
def test_options_are_copied_at_construction(net: NetModule) -> None:
    options: ServerOpts = {"allow_half_open": False, "keep_alive_initial_delay": -5, "high_water_mark": -1}
    server = net.create_server(options)
    # Node normalises its own copy (a negative delay becomes 0, a negative
    # high-water mark the default) and leaves the caller's object alone ...
    assert options == {"allow_half_open": False, "keep_alive_initial_delay": -5, "high_water_mark": -1}
    # ... and later changes to the caller's object do not reach the server.
    options["allow_half_open"] = True
    options["high_water_mark"] = 10
    assert server.allow_half_open is False
    assert server.high_water_mark != 10


# ---------------------------------------------------- the values it keeps


@pytest.mark.clause("B52", "B53", "B55", "B56", "B57")
def test_the_server_keeps_its_option_values(net: NetModule) -> None:
    server = net.create_server(
        {
            "allow_half_open": True,
            "pause_on_connect": True,
            "no_delay": True,
            "keep_alive": True,
            "keep_alive_initial_delay": 2500,
            "high_water_mark": 1024,
        }
    )
    assert server.allow_half_open is True
    assert server.pause_on_connect is True
    assert server.no_delay is True
    assert server.keep_alive is True
    assert server.keep_alive_initial_delay == 2  # whole seconds
    assert server.high_water_mark == 1024


@pytest.mark.clause("B58")
def test_defaults_of_a_fresh_server(net: NetModule) -> None:
    server = net.create_server()
    assert server.allow_half_open is False
    assert server.pause_on_connect is False
    assert server.no_delay is False
    assert server.keep_alive is False
    assert server.keep_alive_initial_delay == 0
    assert server.max_connections is None
    assert server.listening is False
    assert server.address() is None


@pytest.mark.clause("B57", "B58")
@pytest.mark.node_version(">=22")
def test_default_high_water_mark_is_64_kib(net: NetModule) -> None:
    # stream.getDefaultHighWaterMark() became 64 KiB in Node 22 (16 KiB before).
    assert net.create_server().high_water_mark == 65536
    assert net.create_server({"high_water_mark": -1}).high_water_mark == 65536


@pytest.mark.clause("B57", "B58")
@pytest.mark.node_version("<22")
def test_default_high_water_mark_is_16_kib_before_node_22(net: NetModule) -> None:
    assert net.create_server().high_water_mark == 16384
    assert net.create_server({"high_water_mark": -1}).high_water_mark == 16384


@pytest.mark.clause("B56")
@pytest.mark.parametrize(
    ("milliseconds", "seconds"),
    [(2500, 2), (1000, 1), (999, 0), (1999.9, 1), (-5, 0), (math.nan, 0), (math.inf, 0), (-math.inf, 0)],
    ids=repr,
)
def test_keep_alive_initial_delay_is_kept_in_whole_seconds(
    net: NetModule, milliseconds: float, seconds: int
) -> None:
    # lib/net.js: this.keepAliveInitialDelay = ~~(options.keepAliveInitialDelay / 1000),
    # a ToInt32 truncation: NaN and Infinity become 0.
    assert net.create_server({"keep_alive_initial_delay": milliseconds}).keep_alive_initial_delay == seconds


@pytest.mark.clause("B56")
@pytest.mark.parametrize("delay", ["1000", True, [1000]], ids=repr)
def test_keep_alive_initial_delay_must_be_a_number(net: NetModule, delay: object) -> None:
    with raises_node_error(TypeError, "ERR_INVALID_ARG_TYPE"):
        net.create_server({"keep_alive_initial_delay": delay})  # type: ignore[call-overload]


@pytest.mark.clause("B57")
@pytest.mark.parametrize("mark", ["1024", True, [1024]], ids=repr)
def test_high_water_mark_must_be_a_number(net: NetModule, mark: object) -> None:
    with raises_node_error(TypeError, "ERR_INVALID_ARG_TYPE"):
        net.create_server({"high_water_mark": mark})  # type: ignore[call-overload]


# --------------------------------------- what they do to accepted sockets


@pytest.mark.clause("B52")
def test_allow_half_open_keeps_the_socket_writable_after_the_peers_end(
    net: NetModule, runtime: Runtime, connect: Connect
) -> None:
    seen: dict[str, Any] = {}

    def on_connection(server: Server, sock: Socket, client: PlainClient) -> None:
        seen["allow_half_open"] = sock.allow_half_open

        def on_end() -> None:
            # Well after 'end': with allow_half_open the writable side is still ours.
            def late() -> None:
                sock.end(b"late reply")
                server.close()

            runtime.set_timeout(late, 50)

        sock.on("end", on_end)
        sock.resume()

    client = serve_one(
        net, runtime, connect, {"allow_half_open": True}, on_connection,
        lambda client: client.shutdown().read_until_eof(),
    )
    transcript = client.wait()
    assert seen["allow_half_open"] is True
    assert transcript.received == b"late reply"
    assert transcript.eof


@pytest.mark.clause("B52")
def test_without_allow_half_open_the_socket_ends_with_the_peer(
    net: NetModule, runtime: Runtime, connect: Connect
) -> None:
    seen: dict[str, Any] = {}

    def on_connection(server: Server, sock: Socket, client: PlainClient) -> None:
        seen["allow_half_open"] = sock.allow_half_open
        # The server never calls end(): the client's FIN alone must close it.
        sock.on("close", lambda had_error: server.close())
        sock.resume()

    client = serve_one(net, runtime, connect, {}, on_connection, lambda client: client.shutdown().read_until_eof())
    transcript = client.wait()
    assert seen["allow_half_open"] is False
    assert transcript.eof
    assert transcript.received == b""


@pytest.mark.clause("B53")
def test_pause_on_connect_delivers_nothing_until_resume(net: NetModule, runtime: Runtime, connect: Connect) -> None:
    seen: dict[str, Any] = {}
    received: list[bytes] = []

    def on_connection(server: Server, sock: Socket, client: PlainClient) -> None:
        seen["paused"] = sock.is_paused()
        seen["flowing"] = sock.readable_flowing

        def later() -> None:
            # The client's bytes have had time to arrive; none was read.
            seen["bytes_read_before_resume"] = sock.bytes_read

            def on_data(chunk: bytes | str) -> None:
                assert isinstance(chunk, bytes)
                received.append(chunk)
                if b"".join(received) == b"hello":
                    sock.end()
                    server.close()

            sock.on("data", on_data)
            sock.resume()

        runtime.set_timeout(later, 150)

    client = serve_one(
        net, runtime, connect, {"pause_on_connect": True}, on_connection,
        lambda client: client.send(b"hello").read_until_eof().close(),
    )
    assert client.wait().eof
    assert seen == {"paused": True, "flowing": False, "bytes_read_before_resume": 0}
    assert b"".join(received) == b"hello"


@pytest.mark.clause("B53")
def test_without_pause_on_connect_data_flows_at_once(net: NetModule, runtime: Runtime, connect: Connect) -> None:
    seen: dict[str, Any] = {}

    def on_connection(server: Server, sock: Socket, client: PlainClient) -> None:
        seen["paused"] = sock.is_paused()

        def on_data(chunk: bytes | str) -> None:
            seen["data"] = chunk
            sock.end()
            server.close()

        sock.on("data", on_data)

    client = serve_one(net, runtime, connect, {}, on_connection, lambda client: client.send(b"hi").read_until_eof().close())
    assert client.wait().eof
    assert seen == {"paused": False, "data": b"hi"}


@pytest.mark.clause("B54")
def test_pause_on_connect_a_data_listener_does_not_start_the_flow(
    net: NetModule, runtime: Runtime, connect: Connect
) -> None:
    seen: dict[str, Any] = {}
    received: list[bytes | str] = []

    def on_connection(server: Server, sock: Socket, client: PlainClient) -> None:
        sock.on("data", received.append)

        def later() -> None:
            seen["data_before_resume"] = list(received)
            seen["bytes_read_before_resume"] = sock.bytes_read
            sock.on("data", lambda chunk: (sock.end(), server.close()))
            sock.resume()

        runtime.set_timeout(later, 150)

    client = serve_one(
        net, runtime, connect, {"pause_on_connect": True}, on_connection,
        lambda client: client.send(b"x").read_until_eof().close(),
    )
    assert client.wait().eof
    assert seen == {"data_before_resume": [], "bytes_read_before_resume": 0}
    assert received == [b"x"]


def connected_port(client: PlainClient) -> int:
    """The client's own port, once its connect() has returned."""
    port = client.wait_connected().transcript.local_port
    assert port is not None, f"the client did not connect: {client.transcript}"
    return port


def accepted_socket_options(
    net: NetModule,
    runtime: Runtime,
    connect: Connect,
    kernel: KernelView,
    options: ServerOpts,
    *wanted: tuple[int, int],
) -> list[int]:
    """getsockopt (level, option) for each of ``wanted`` on the runtime's own
    descriptor of an accepted connection, read while the connection is open."""
    values: list[list[int]] = []

    def on_connection(server: Server, sock: Socket, client: PlainClient) -> None:
        server_port = client.sockaddr[1]  # where the probe connected, not what the server says
        conn = kernel.connection(local_port=server_port, remote_port=connected_port(client))
        read = [kernel.getsockopt(conn, level, option) for level, option in wanted]
        assert all(isinstance(value, int) for value in read)
        values.append([int(value) for value in read])
        sock.destroy()
        server.close()

    serve_one(net, runtime, connect, options, on_connection).wait()
    assert len(values) == 1
    return values[0]


@pytest.mark.clause("B55")
@pytest.mark.parametrize(("options", "expected"), [({"no_delay": True}, True), ({}, False), ({"no_delay": False}, False)])
def test_no_delay_sets_tcp_nodelay_on_accepted_sockets(
    net: NetModule, runtime: Runtime, connect: Connect, kernel: KernelView, options: ServerOpts, expected: bool
) -> None:
    [value] = accepted_socket_options(net, runtime, connect, kernel, options, (socket.IPPROTO_TCP, socket.TCP_NODELAY))
    assert bool(value) is expected


@pytest.mark.clause("B56")
@pytest.mark.parametrize(
    ("options", "expected"),
    [({"keep_alive": True}, True), ({}, False), ({"keep_alive_initial_delay": 5000}, False)],
    ids=["keep_alive", "default", "delay_alone"],
)
def test_keep_alive_sets_so_keepalive_on_accepted_sockets(
    net: NetModule, runtime: Runtime, connect: Connect, kernel: KernelView, options: ServerOpts, expected: bool
) -> None:
    [value] = accepted_socket_options(net, runtime, connect, kernel, options, (socket.SOL_SOCKET, socket.SO_KEEPALIVE))
    assert bool(value) is expected


KEEPALIVE_TIMING = [
    (socket.IPPROTO_TCP, getattr(socket, "TCP_KEEPIDLE", 0)),
    (socket.IPPROTO_TCP, getattr(socket, "TCP_KEEPINTVL", 0)),
    (socket.IPPROTO_TCP, getattr(socket, "TCP_KEEPCNT", 0)),
]


def system_keepalive_timing() -> list[int]:
    """TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT of a fresh socket: the system's defaults."""
    with socket.socket() as fresh:
        return [int(fresh.getsockopt(level, option)) for level, option in KEEPALIVE_TIMING]


@pytest.mark.clause("B56", "B193")
@pytest.mark.parametrize(("milliseconds", "seconds"), [(2500, 2), (7000, 7), (500, None), (None, None)], ids=repr)
def test_keep_alive_initial_delay_sets_the_keepalive_timing_in_whole_seconds(
    net: NetModule,
    runtime: Runtime,
    connect: Connect,
    kernel: KernelView,
    milliseconds: int | None,
    seconds: int | None,
) -> None:
    # setKeepAlive(true, seconds) on the accepted handle: with whole seconds it
    # sets TCP_KEEPIDLE to them and TCP_KEEPINTVL=1, TCP_KEEPCNT=10 (net.md
    # socket.setKeepAlive); 0 seconds (no delay, or under a second) changes none.
    if not all(hasattr(socket, name) for name in ("TCP_KEEPIDLE", "TCP_KEEPINTVL", "TCP_KEEPCNT")):
        pytest.skip("this platform has no TCP_KEEPIDLE/TCP_KEEPINTVL/TCP_KEEPCNT")
    options: ServerOpts = {"keep_alive": True}
    if milliseconds is not None:
        options["keep_alive_initial_delay"] = milliseconds
    timing = accepted_socket_options(net, runtime, connect, kernel, options, *KEEPALIVE_TIMING)
    assert timing == ([seconds, 1, 10] if seconds is not None else system_keepalive_timing())


@pytest.mark.clause("B57")
def test_high_water_mark_reaches_accepted_sockets(net: NetModule, runtime: Runtime, connect: Connect) -> None:
    marks: list[tuple[int, int]] = []

    def on_connection(server: Server, sock: Socket, client: PlainClient) -> None:
        marks.append((sock.readable_high_water_mark, sock.writable_high_water_mark))
        sock.destroy()
        server.close()

    serve_one(net, runtime, connect, {"high_water_mark": 1024}, on_connection).wait()
    assert marks == [(1024, 1024)]


@pytest.mark.clause("B57")
def test_default_high_water_mark_reaches_accepted_sockets(net: NetModule, runtime: Runtime, connect: Connect) -> None:
    marks: list[tuple[int, int, int]] = []

    def on_connection(server: Server, sock: Socket, client: PlainClient) -> None:
        marks.append((server.high_water_mark, sock.readable_high_water_mark, sock.writable_high_water_mark))
        sock.destroy()
        server.close()

    serve_one(net, runtime, connect, {"high_water_mark": -1}, on_connection).wait()
    [(default, readable, writable)] = marks
    assert readable == writable == default


# ------------------------------------------------------------- block_list


@pytest.mark.clause("B59")
@pytest.mark.requires("net-block-list")
def test_a_blocked_client_is_closed_without_any_event(net: NetModule, runtime: Runtime, connect: Connect) -> None:
    clients: dict[str, PlainClient] = {}
    logs: dict[str, list[tuple[str, tuple[Any, ...]]]] = {}
    counts: dict[str, int] = {}

    def main() -> None:
        # Two servers on 127.0.0.1 that differ only in what they block.
        blocks_us = net.BlockList()
        blocks_us.add_address(LOOPBACK)
        blocks_others = net.BlockList()
        blocks_others.add_subnet("192.0.2.0", 24)
        servers = {
            "blocked": net.create_server({"block_list": blocks_us}),
            "allowed": net.create_server({"block_list": blocks_others}),
        }
        for name, server in servers.items():
            logs[name] = record(server, "connection", "drop", "error")
            server.on("connection", lambda sock: sock.end(b"served"))

            def listening(port: int, name: str = name, server: Server = server) -> None:
                client = clients[name] = connect((LOOPBACK, port), name=name).read_until_eof().close()

                def counted(err: Exception | None, count: int) -> None:
                    counts[name] = count
                    server.close()

                # Once the client has seen the end, ask the server what it counted.
                poll_until(
                    runtime,
                    lambda: client.transcript.eof or client.transcript.error is not None,
                    lambda: server.get_connections(counted),
                )

            listen_loopback(server, listening)

    runtime.run(main, timeout=5)
    blocked, allowed = clients["blocked"].wait(), clients["allowed"].wait()
    # The kernel completed the handshake; the server closed it at once, unread.
    assert blocked.connect_error is None
    assert blocked.received == b""
    assert blocked.eof
    assert logs["blocked"] == []  # no 'connection', no 'drop', no 'error'
    assert counts["blocked"] == 0
    # The same client, not blocked, is served.
    assert allowed.received == b"served"
    assert allowed.eof
    assert [name for name, _ in logs["allowed"]] == ["connection"]


@pytest.mark.clause("B59", "B192")
@pytest.mark.requires("net-block-list")
@pytest.mark.binds_wildcard
def test_an_ipv4_rule_blocks_an_ipv4_client_of_a_dual_stack_server(
    net: NetModule, runtime: Runtime, connect: Connect, has_ipv6: bool
) -> None:
    if not has_ipv6:
        pytest.skip("no IPv6 here: Node binds 0.0.0.0 instead of the dual-stack '::'")
    clients: list[PlainClient] = []
    logs: list[list[tuple[str, tuple[Any, ...]]]] = []

    def main() -> None:
        block_list = net.BlockList()
        block_list.add_address(LOOPBACK, "ipv4")
        server = net.create_server({"block_list": block_list})
        logs.append(record(server, "connection", "drop", "error"))
        server.listen(0)  # no host: '::', where the client shows up as ::ffff:127.0.0.1
        address = server.address()
        assert isinstance(address, dict) and address["address"] == "::"
        client = connect((LOOPBACK, address["port"])).read_until_eof()
        clients.append(client)
        poll_until(runtime, lambda: client.transcript.eof or client.transcript.error is not None, server.close)

    runtime.run(main, timeout=5)
    transcript = clients[0].wait()
    assert transcript.connect_error is None
    assert transcript.received == b""
    assert transcript.eof
    assert logs == [[]]


@pytest.mark.clause("B191")
@pytest.mark.requires("net-block-list")
@pytest.mark.parametrize("block_list", [{}, "127.0.0.1", ["127.0.0.1"]], ids=repr)
def test_block_list_must_be_a_block_list(net: NetModule, block_list: object) -> None:
    with raises_node_error(TypeError, "ERR_INVALID_ARG_TYPE"):
        net.create_server({"block_list": block_list})  # type: ignore[call-overload]


# ------------------------------------------------------ capture_rejections


@pytest.mark.clause("B60")
@pytest.mark.requires("events-capture-rejections")
def test_capture_rejections_option_is_not_passed_to_the_emitter(
    net: NetModule, runtime: Runtime, connect: Connect
) -> None:
    boom = RuntimeError("rejected in a connection listener")
    held: dict[str, Any] = {}

    def main() -> None:
        async def on_connection(sock: Socket) -> None:
            held["socket"] = sock
            raise boom

        # Node's Server calls EventEmitter.call(this) without the options, so this
        # does not enable capture: the rejection is unhandled and ends the process.
        server = net.create_server({"capture_rejections": True}, on_connection)  # type: ignore[call-overload]
        held["server"] = server
        listen_loopback(server, lambda port: connect((LOOPBACK, port)).read_until_eof())

    with pytest.raises(RuntimeError) as info:
        runtime.run(main, timeout=5)
    assert info.value is boom

    def clean_up() -> None:  # a second script in the same process
        held["socket"].destroy()
        held["server"].close()

    runtime.run(clean_up, timeout=5)


@pytest.mark.clause("B61")
@pytest.mark.requires("events-capture-rejections")
def test_captured_rejection_in_a_connection_listener_destroys_the_socket(
    net: NetModule, events: EventsModule, runtime: Runtime, connect: Connect
) -> None:
    boom = RuntimeError("rejected in a connection listener")
    socket_events: list[tuple[str, tuple[Any, ...]]] = []
    server_errors: list[Exception] = []
    clients: list[PlainClient] = []

    def main() -> None:
        async def on_connection(sock: Socket) -> None:
            def on_close(had_error: bool) -> None:
                socket_events.append(("close", (had_error,)))
                server.close()

            sock.on("error", lambda err: socket_events.append(("error", (err,))))
            sock.on("close", on_close)
            raise boom

        # Capture is taken from EventEmitter.capture_rejections when the server is made.
        events.EventEmitter.capture_rejections = True
        server = net.create_server(on_connection)
        events.EventEmitter.capture_rejections = False
        server.on("error", server_errors.append)
        listen_loopback(server, lambda port: clients.append(connect((LOOPBACK, port)).read_until_eof()))

    runtime.run(main, timeout=5)
    assert socket_events == [("error", (boom,)), ("close", (True,))]
    assert server_errors == []
    assert clients[0].wait().eof


@pytest.mark.clause("B61")
@pytest.mark.requires("events-capture-rejections")
def test_captured_rejection_in_another_listener_is_a_server_error(
    net: NetModule, events: EventsModule, runtime: Runtime
) -> None:
    boom = RuntimeError("rejected in a listening listener")
    errors: list[Exception] = []

    def main() -> None:
        events.EventEmitter.capture_rejections = True
        server = net.create_server()
        events.EventEmitter.capture_rejections = False

        async def on_listening() -> None:
            raise boom

        def on_error(err: Exception) -> None:
            errors.append(err)
            server.close()

        server.on("listening", on_listening)
        server.on("error", on_error)
        server.listen(0, LOOPBACK)

    runtime.run(main, timeout=5)
    assert errors == [boom]
