# listen(): call shapes and argument normalisation (CLAUSES.md section D).
#
# Which shape binds what, the backlog and SO_REUSEADDR as the kernel got them
# (through the `kernel` probe, never the implementation's word), the dual-stack
# '::' bind, when a host lookup makes the bind asynchronous, and when listen()
# may be called again.
# Node: lib/net.js Server.prototype.listen, normalizeArgs, toNumber, isPipeName,
# lookupAndListen, setupListenHandle; doc/api/net.md server.listen().

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from conformance import Runtime
from conformance.probes import Connect, KernelView, PlainClient

from ._net_helpers import LOOPBACK, held_port, in_order, listen_loopback, port_of, raises_node_error, record

if TYPE_CHECKING:
    from nodeapi.net import NetModule, Server, Socket

pytestmark = pytest.mark.requires("net")



def listen_with(server: Server, *args: Any) -> Server:
    """``server.listen(*args)`` for shapes chosen by parametrisation (some of
    them deliberately outside the typed overloads)."""
    listen: Callable[..., Server] = server.listen
    return listen(*args)


def kernel_backlog(expected: int) -> int:
    """What listen(2) leaves of ``expected``: the kernel caps it at somaxconn."""
    somaxconn = int(Path("/proc/sys/net/core/somaxconn").read_text())
    return min(expected, somaxconn)


# ------------------------------------------------------------ call shapes


@pytest.mark.clause("D71")
@pytest.mark.parametrize(
    "args",
    [(0, LOOPBACK, 5), (0, LOOPBACK), ({"port": 0, "host": LOOPBACK},)],
    ids=["port-host-backlog", "port-host", "options"],
)
def test_listen_returns_the_server(net: NetModule, runtime: Runtime, args: tuple[Any, ...]) -> None:
    returned: list[bool] = []

    def main() -> None:
        server = net.create_server()
        returned.append(listen_with(server, *args, server.close) is server)

    runtime.run(main, timeout=5)
    assert returned == [True]


@pytest.mark.clause("D71")
@pytest.mark.requires("net-ipc")
def test_listen_on_a_path_returns_the_server(net: NetModule, runtime: Runtime, sock_path: str) -> None:
    returned: list[bool] = []

    def main() -> None:
        server = net.create_server()
        returned.append(server.listen(sock_path, 5, server.close) is server)

    runtime.run(main, timeout=5)
    assert returned == [True]


@pytest.mark.clause("D72")
def test_only_a_final_function_is_the_callback(net: NetModule, runtime: Runtime) -> None:
    calls: list[str] = []

    def main() -> None:
        server = net.create_server()

        def last() -> None:
            calls.append("last")
            server.close()

        listen_with(server, {"port": 0, "host": LOOPBACK}, lambda: calls.append("not last"), last)

    runtime.run(main, timeout=5)
    assert calls == ["last"]


@pytest.mark.clause("D73")
def test_callback_stays_registered_after_a_validation_error(net: NetModule, runtime: Runtime) -> None:
    calls: list[str] = []
    counts: list[int] = []

    def main() -> None:
        server = net.create_server()
        with raises_node_error(ValueError, "ERR_SOCKET_BAD_PORT"):
            server.listen(-1, lambda: calls.append("from the failed listen()"))
        counts.append(server.listener_count("listening"))

        def second() -> None:
            calls.append("from the second listen()")
            server.close()

        server.listen(0, LOOPBACK, second)

    runtime.run(main, timeout=5)
    assert counts == [1]
    assert calls == ["from the failed listen()", "from the second listen()"]


@pytest.mark.clause("D73")
def test_callback_stays_registered_after_eaddrinuse(net: NetModule, runtime: Runtime) -> None:
    calls: list[str] = []

    def main() -> None:
        first = net.create_server()
        second = net.create_server()

        def on_error(err: Exception) -> None:
            calls.append(f"error {getattr(err, 'code', None)}")
            first.close()
            second.listen(0, LOOPBACK, in_order(lambda: calls.append("second listen() callback"), second.close))

        second.once("error", on_error)
        listen_loopback(first, lambda port: second.listen(port, LOOPBACK, lambda: calls.append("first callback")))

    runtime.run(main, timeout=5)
    assert calls == ["error EADDRINUSE", "first callback", "second listen() callback"]


@pytest.mark.clause("D73", "E99")
def test_already_listening_does_not_register_the_callback(net: NetModule, runtime: Runtime) -> None:
    counts: list[int] = []
    calls: list[str] = []

    def main() -> None:
        server = net.create_server()

        def on_listening() -> None:
            # The handle exists now (loopback, so no wildcard bind is needed).
            calls.append("first callback")
            before = server.listener_count("listening")
            with raises_node_error(Exception, "ERR_SERVER_ALREADY_LISTEN"):
                server.listen(0, LOOPBACK, lambda: calls.append("second callback"))
            counts.extend([before, server.listener_count("listening")])
            server.close()

        server.listen(0, LOOPBACK, on_listening)

    runtime.run(main, timeout=5)
    assert counts[0] == counts[1]  # the throwing listen() registered nothing
    assert calls == ["first callback"]


# ------------------------------------------- classification of argument 0


@pytest.mark.clause("D74", "D75")
@pytest.mark.parametrize("port", ["0", "  0", "0 "], ids=repr)
def test_a_numeric_string_is_a_tcp_port(net: NetModule, runtime: Runtime, port: str) -> None:
    addresses: list[object] = []

    def main() -> None:
        server = net.create_server()
        listen_with(server, port, LOOPBACK, in_order(lambda: addresses.append(server.address()), server.close))

    runtime.run(main, timeout=5)
    [address] = addresses
    assert isinstance(address, dict) and address["address"] == LOOPBACK and address["port"] > 0


@pytest.mark.clause("D74", "D75")
def test_a_numeric_string_names_that_port(net: NetModule, runtime: Runtime) -> None:
    # A port another socket holds: the error says which port was tried.
    errors: list[Exception] = []
    with held_port() as port:

        def main() -> None:
            server = net.create_server()
            server.on("error", errors.append)
            listen_with(server, str(port), LOOPBACK)

        runtime.run(main, timeout=5)
    [err] = errors
    assert getattr(err, "code", None) == "EADDRINUSE"
    assert getattr(err, "port", None) == port


@pytest.mark.clause("D74", "D75")
@pytest.mark.requires("net-ipc")
def test_a_string_that_is_not_a_number_is_a_path_relative_to_the_cwd(
    net: NetModule, runtime: Runtime, sock_dir: Path
) -> None:
    # Relative to the runtime process's own working directory, read from /proc.
    cwd = os.readlink(f"/proc/{runtime.pid}/cwd")
    target = sock_dir / "relative.sock"
    relative = os.path.relpath(target, cwd)
    assert not relative.startswith("/")
    seen: dict[str, object] = {}

    def main() -> None:
        server = net.create_server()

        def listening() -> None:
            seen["address"] = server.address()
            seen["exists"] = target.is_socket()
            server.close()

        server.listen(relative, listening)

    runtime.run(main, timeout=5)
    assert seen == {"address": relative, "exists": True}


@pytest.mark.clause("D76", "D77")
@pytest.mark.binds_wildcard
def test_a_number_in_second_place_is_the_backlog(
    net: NetModule, runtime: Runtime, kernel: KernelView, has_ipv6: bool
) -> None:
    seen: dict[str, Any] = {}

    def main() -> None:
        server = net.create_server()
        listen_with(server, 0, 9)  # no host: the wildcard address, bound at once
        seen["address"] = server.address()
        seen["backlog"] = kernel.listener(port=port_of(server)).backlog
        server.close()

    runtime.run(main, timeout=5)
    assert seen["address"]["address"] == ("::" if has_ipv6 else "0.0.0.0")
    assert seen["backlog"] == kernel_backlog(9)


# ------------------------------------------------------------- the backlog


@pytest.mark.clause("D77", "D78")
@pytest.mark.parametrize(
    ("args", "backlog"),
    [
        ((0, LOOPBACK), 511),
        ((0, LOOPBACK, 7), 7),
        ((0, LOOPBACK, "12"), 12),
        (({"port": 0, "host": LOOPBACK, "backlog": 3},), 3),
        (({"port": 0, "host": LOOPBACK, "backlog": 3}, 7), 3),
        (({"port": 0, "host": LOOPBACK}, 7), 7),
        (({"port": 0, "host": LOOPBACK, "backlog": 0},), 511),
        ((0, LOOPBACK, 0), 511),
        ((0, LOOPBACK, -5), 511),
        ((0, LOOPBACK, "many"), 511),
    ],
    ids=[
        "default",
        "positional",
        "numeric-string",
        "option",
        "option-beats-positional",
        "positional-after-options",
        "option-zero",
        "positional-zero",
        "negative",
        "not-a-number",
    ],
)
def test_backlog_the_kernel_got(
    net: NetModule, runtime: Runtime, kernel: KernelView, args: tuple[Any, ...], backlog: int
) -> None:
    seen: list[int] = []

    def main() -> None:
        server = net.create_server()

        def listening() -> None:
            seen.append(kernel.listener(port=port_of(server)).backlog)
            server.close()

        listen_with(server, *args, listening)

    runtime.run(main, timeout=5)
    # 511, not 512: the kernel rounds backlog + 1 up to a power of two (lib/net.js).
    assert seen == [kernel_backlog(backlog)]


@pytest.mark.clause("D77", "D78")
@pytest.mark.requires("net-ipc")
@pytest.mark.parametrize(("args", "backlog"), [((), 511), ((5,), 5)], ids=["default", "positional"])
def test_backlog_the_kernel_got_for_a_path(
    net: NetModule, runtime: Runtime, kernel: KernelView, sock_path: str, args: tuple[Any, ...], backlog: int
) -> None:
    seen: list[int] = []

    def main() -> None:
        server = net.create_server()
        listen_with(server, sock_path, *args)
        seen.append(kernel.listener(path=sock_path).backlog)
        server.close()

    runtime.run(main, timeout=5)
    assert seen == [kernel_backlog(backlog)]


# --------------------------------------------------- OS-assigned ports


@pytest.mark.clause("D79")
@pytest.mark.parametrize(
    "args",
    [(), (None,), (0,), ("0",), ({"port": None},), ({"port": 0},)],
    ids=["listen(cb)", "None", "0", "'0'", "{port: None}", "{port: 0}"],
)
@pytest.mark.binds_wildcard
def test_forms_that_bind_an_os_assigned_port(net: NetModule, runtime: Runtime, args: tuple[Any, ...]) -> None:
    ports: list[int] = []
    calls: list[str] = []

    def main() -> None:
        server = net.create_server()
        listen_with(server, *args, in_order(lambda: calls.append("listening"), server.close))
        ports.append(port_of(server))  # no host: bound synchronously

    runtime.run(main, timeout=5)
    assert calls == ["listening"]
    assert len(ports) == 1 and 0 < ports[0] < 65536


@pytest.mark.clause("D79")
@pytest.mark.binds_wildcard
def test_listen_without_arguments_binds_an_os_assigned_port(net: NetModule, runtime: Runtime) -> None:
    ports: list[int] = []

    def main() -> None:
        server = net.create_server()
        server.on("listening", server.close)
        server.listen()
        ports.append(port_of(server))

    runtime.run(main, timeout=5)
    assert len(ports) == 1 and ports[0] > 0


# ---------------------------------------------------------- host and lookup


@pytest.mark.clause("D80")
@pytest.mark.binds_wildcard
def test_no_host_binds_the_dual_stack_wildcard(
    net: NetModule, runtime: Runtime, connect: Connect, kernel: KernelView, has_ipv6: bool
) -> None:
    if not has_ipv6:
        pytest.skip("no IPv6 here: Node falls back to 0.0.0.0, which this test does not cover")
    seen: dict[str, Any] = {}
    clients: list[PlainClient] = []

    def main() -> None:
        server = net.create_server()

        def on_connection(sock: Socket) -> None:
            seen["remote"] = (sock.remote_address, sock.remote_family)
            sock.destroy()
            server.close()

        server.on("connection", on_connection)
        server.listen(0)
        address = server.address()
        assert isinstance(address, dict)
        seen["address"] = (address["address"], address["family"])
        listener = kernel.listener(port=address["port"])
        seen["kernel"] = (listener.family, listener.local_address)
        seen["v6only"] = kernel.getsockopt(listener, socket.IPPROTO_IPV6, socket.IPV6_V6ONLY)
        clients.append(connect((LOOPBACK, address["port"])).read_until_eof())  # an IPv4 client

    runtime.run(main, timeout=5)
    assert clients[0].wait().connect_error is None
    assert seen == {
        "address": ("::", "IPv6"),
        "kernel": ("IPv6", "::"),
        "v6only": 0,
        "remote": ("::ffff:127.0.0.1", "IPv6"),
    }


@pytest.mark.clause("D81")
@pytest.mark.parametrize("host", [LOOPBACK, "::1"])
def test_with_a_host_the_bind_waits_for_the_lookup(
    net: NetModule, runtime: Runtime, host: str, has_ipv6: bool
) -> None:
    if host == "::1" and not has_ipv6:
        pytest.skip("::1 cannot be bound here")
    seen: dict[str, Any] = {}

    def main() -> None:
        server = net.create_server()

        def listening() -> None:
            seen["in callback"] = (server.listening, server.address())
            server.close()

        server.listen(0, host, listening)
        seen["right after listen()"] = (server.listening, server.address())

    runtime.run(main, timeout=5)
    assert seen["right after listen()"] == (False, None)
    listening, address = seen["in callback"]
    assert listening is True
    assert address["address"] == host
    assert address["family"] == ("IPv6" if ":" in host else "IPv4")


@pytest.mark.clause("D82")
def test_localhost_binds_the_first_lookup_result(net: NetModule, runtime: Runtime) -> None:
    # dns.lookup(host, {all: true}) in the order getaddrinfo returns ("verbatim").
    first = socket.getaddrinfo("localhost", 0, type=socket.SOCK_STREAM)[0][4][0]
    addresses: list[object] = []

    def main() -> None:
        server = net.create_server()
        server.listen(0, "localhost", in_order(lambda: addresses.append(server.address()), server.close))

    runtime.run(main, timeout=5)
    [address] = addresses
    assert isinstance(address, dict) and address["address"] == first


@pytest.mark.clause("D83")
def test_a_failed_lookup_is_an_error_event(net: NetModule, runtime: Runtime) -> None:
    host = "nonexistent-host.invalid"  # RFC 2606: never resolves
    logs: list[list[tuple[str, tuple[Any, ...]]]] = []
    listening_after: list[bool] = []

    def main() -> None:
        server = net.create_server()
        logs.append(record(server, "listening", "error"))
        server.on("error", lambda err: listening_after.append(server.listening))
        server.listen(0, host)

    runtime.run(main, timeout=5)
    [log] = logs
    assert [name for name, _ in log] == ["error"]
    [err] = log[0][1]
    # ENOTFOUND where resolution answers "no such name"; EAI_AGAIN where it cannot be asked.
    assert getattr(err, "code", None) in ("ENOTFOUND", "EAI_AGAIN")
    assert getattr(err, "syscall", None) == "getaddrinfo"
    assert getattr(err, "hostname", None) == host
    assert listening_after == [False]


@pytest.mark.clause("D84")
def test_listen_during_a_lookup_replaces_the_pending_one(net: NetModule, runtime: Runtime) -> None:
    logs: list[list[tuple[str, tuple[Any, ...]]]] = []
    ports: list[int] = []
    with held_port() as busy:

        def main() -> None:
            server = net.create_server()
            logs.append(record(server, "listening", "error"))
            server.on("listening", in_order(lambda: ports.append(port_of(server)), server.close))
            server.listen(busy, LOOPBACK)  # would fail with EADDRINUSE, if it ever bound
            server.listen(0, LOOPBACK)  # no ERR_SERVER_ALREADY_LISTEN: nothing is bound yet

        runtime.run(main, timeout=5)
    assert [[name for name, _ in log] for log in logs] == [["listening"]]
    assert len(ports) == 1 and ports[0] != busy


@pytest.mark.clause("D84")
def test_close_during_a_lookup_cancels_the_bind(net: NetModule, runtime: Runtime) -> None:
    logs: list[list[tuple[str, tuple[Any, ...]]]] = []
    close_results: list[object] = []

    def main() -> None:
        server = net.create_server()
        logs.append(record(server, "listening", "error", "close"))
        server.listen(0, "localhost")
        server.close(lambda err: close_results.append(getattr(err, "code", err)))

    runtime.run(main, timeout=5)  # returns: nothing was ever bound
    assert [[name for name, _ in log] for log in logs] == [["close"]]
    assert close_results == ["ERR_SERVER_NOT_RUNNING"]


# ------------------------------------------------ listen(options) precedence


@pytest.mark.clause("D85")
def test_port_takes_precedence_over_path(net: NetModule, runtime: Runtime, sock_path: str) -> None:
    addresses: list[object] = []

    def main() -> None:
        server = net.create_server()

        def listening() -> None:
            addresses.append(server.address())
            server.close()

        server.listen({"port": 0, "host": LOOPBACK, "path": sock_path}, listening)

    runtime.run(main, timeout=5)
    [address] = addresses
    assert isinstance(address, dict) and address["address"] == LOOPBACK
    assert not os.path.exists(sock_path)


@pytest.mark.clause("D85")
@pytest.mark.requires("net-fd")
def test_fd_takes_precedence_over_port_and_path(
    net: NetModule, runtime: Runtime, sock_path: str, connect: Connect
) -> None:
    with socket.socket() as bound:
        bound.bind((LOOPBACK, 0))
        port = bound.getsockname()[1]
        fd = runtime.inherit_fd(bound)
    ports: list[int] = []
    clients: list[PlainClient] = []

    def main() -> None:
        server = net.create_server()
        server.on("connection", lambda sock: (sock.destroy(), server.close()))
        server.listen({"fd": fd, "port": 0, "host": LOOPBACK, "path": sock_path})
        ports.append(port_of(server))
        clients.append(connect((LOOPBACK, port)).read_until_eof())

    runtime.run(main, timeout=5)
    assert ports == [port]
    assert clients[0].wait().connect_error is None
    assert not os.path.exists(sock_path)


# ------------------------------------------------------------ listen(handle)


@pytest.mark.clause("D86", "D71")
@pytest.mark.requires("net-handle")
def test_listen_on_another_server_adopts_its_handle(
    net: NetModule, runtime: Runtime, kernel: KernelView, connect: Connect
) -> None:
    seen: dict[str, Any] = {}
    accepted_by: list[str] = []
    closes: list[str] = []
    clients: list[PlainClient] = []

    def main() -> None:
        def on_first_connection(sock: Socket) -> None:
            accepted_by.append("first")
            sock.destroy()

        first = net.create_server(on_first_connection)

        def on_second_connection(sock: Socket) -> None:
            accepted_by.append("second")
            sock.destroy()
            second.close(lambda err: closes.append(f"second {getattr(err, 'code', err)}"))
            first.close(lambda err: closes.append(f"first {getattr(err, 'code', err)}"))

        second = net.create_server(on_second_connection)

        def listening(port: int) -> None:
            seen["returned"] = second.listen(first) is second
            seen["listening at once"] = second.listening
            seen["same address"] = second.address() == first.address()
            seen["kernel listeners on the port"] = len([s for s in kernel.listeners() if s.local_port == port])
            clients.append(connect((LOOPBACK, port)).read_until_eof())

        listen_loopback(first, listening)

    runtime.run(main, timeout=5)
    clients[0].wait()
    assert seen == {
        "returned": True,
        "listening at once": True,
        "same address": True,
        "kernel listeners on the port": 1,
    }
    # The handle now reports its connections to the server that adopted it.
    assert accepted_by == ["second"]
    assert sorted(closes) == ["first None", "second None"]


@pytest.mark.clause("D87")
@pytest.mark.requires("net-fd")
def test_listen_on_an_fd_that_cannot_listen_is_an_error_event(net: NetModule, runtime: Runtime) -> None:
    # A connected stream socket: listen(2) on it fails with EINVAL.
    mine, theirs = socket.socketpair()
    try:
        fd = runtime.inherit_fd(theirs)
        theirs.close()
        seen: dict[str, Any] = {}
        errors: list[Exception] = []

        def main() -> None:
            server = net.create_server()
            server.on("error", errors.append)
            server.listen({"fd": fd})  # does not throw
            seen["listening"] = server.listening

        runtime.run(main, timeout=5)
    finally:
        mine.close()
    assert seen == {"listening": False}
    [err] = errors
    assert getattr(err, "code", None) == "EINVAL"
    assert getattr(err, "syscall", None) == "listen"
    assert getattr(err, "address", None) is None


# ------------------------------------------------------------ listen again


@pytest.mark.clause("D88", "D89")
def test_listen_again_after_an_error_without_close(net: NetModule, runtime: Runtime) -> None:
    events: list[str] = []

    def main() -> None:
        first = net.create_server()
        second = net.create_server()

        def on_error(err: Exception) -> None:
            events.append(f"error {getattr(err, 'code', None)}")
            first.close()
            second.listen(0, LOOPBACK, in_order(lambda: events.append("listening"), second.close))

        second.once("error", on_error)
        listen_loopback(first, lambda port: second.listen(port, LOOPBACK))

    runtime.run(main, timeout=5)
    assert events == ["error EADDRINUSE", "listening"]


@pytest.mark.clause("D88", "D90")
def test_listen_again_right_after_close(net: NetModule, runtime: Runtime) -> None:
    events: list[str] = []
    ports: list[int] = []

    def main() -> None:
        server = net.create_server()

        def first_listening() -> None:
            ports.append(port_of(server))
            server.close(lambda err: events.append(f"close callback {err}"))
            # Before 'close' has been emitted:
            server.listen(0, LOOPBACK, second_listening)

        def second_listening() -> None:
            events.append("listening again")
            ports.append(port_of(server))
            server.close()

        server.once("listening", first_listening)
        server.listen(0, LOOPBACK)

    runtime.run(main, timeout=5)
    assert sorted(events) == ["close callback None", "listening again"]
    assert len(ports) == 2


@pytest.mark.clause("D90")
def test_close_callback_waits_for_the_new_handle_while_old_connections_live(
    net: NetModule, runtime: Runtime, connect: Connect
) -> None:
    events: list[str] = []
    clients: list[PlainClient] = []

    def main() -> None:
        server = net.create_server()

        def on_connection(sock: Socket) -> None:
            server.close(lambda err: events.append(f"close callback {err}"))
            server.on("close", lambda: events.append("close"))
            server.listen(0, LOOPBACK, lambda: relistened(sock))

        def relistened(old: Socket) -> None:
            events.append("listening again")
            old.destroy()  # the old connection ends, but a handle is open again ...

            def later() -> None:
                events.append("old connection gone")
                server.close()  # ... and only closing it lets the first close() complete

            runtime.set_timeout(later, 50)

        server.once("connection", on_connection)
        listen_loopback(server, lambda port: clients.append(connect((LOOPBACK, port)).read_until_eof()))

    runtime.run(main, timeout=5)
    clients[0].wait()
    assert events == ["listening again", "old connection gone", "close callback None", "close"]


@pytest.mark.clause("D91")
def test_the_listen_callback_runs_once_and_is_removed(net: NetModule, runtime: Runtime) -> None:
    calls: list[str] = []
    counts: list[int] = []

    def main() -> None:
        server = net.create_server()

        def callback() -> None:
            calls.append("callback")
            counts.append(server.listener_count("listening"))
            server.close(lambda err: server.listen(0, LOOPBACK, server.close))

        server.listen(0, LOOPBACK, callback)

    runtime.run(main, timeout=5)
    assert calls == ["callback"]  # the second listen() did not call it again
    assert counts == [0]


# ------------------------------------------------------------- SO_REUSEADDR


@pytest.mark.clause("D92")
@pytest.mark.parametrize(
    "host",
    [LOOPBACK, pytest.param(None, marks=pytest.mark.binds_wildcard), "::1"],
    ids=["127.0.0.1", "no-host", "::1"],
)
def test_every_listening_socket_has_so_reuseaddr(
    net: NetModule, runtime: Runtime, kernel: KernelView, host: str | None, has_ipv6: bool
) -> None:
    if host == "::1" and not has_ipv6:
        pytest.skip("::1 cannot be bound here")
    values: list[int | bytes] = []

    def main() -> None:
        server = net.create_server()

        def listening() -> None:
            values.append(kernel.getsockopt(kernel.listener(port=port_of(server)), socket.SOL_SOCKET, socket.SO_REUSEADDR))
            server.close()

        listen_with(server, 0, *([host] if host else []), listening)

    runtime.run(main, timeout=5)
    assert len(values) == 1 and values[0] not in (0, b"")
