# mypy: disable-error-code="func-returns-value"
"""reference.net.Server, tested directly (not through the kit): each test runs
a small script in a Process of its own, on asyncio and on uvloop, talks to it
with plain sockets in threads, and checks that every socket descriptor the
process opened is closed again and nothing is left alive."""

from __future__ import annotations

import errno
import os
import socket
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from conformance._wildcard import loopback_only
from conformance.probes import PlainClient
from reference import NodeError, NodeRangeError, NodeTypeError, net
from reference._abort import AbortController
from reference._process import Process

pytestmark = pytest.mark.timeout(30)


@pytest.fixture
def clients() -> Iterator[Callable[..., PlainClient]]:
    made: list[PlainClient] = []

    def make(address: Any, timeout: float = 5.0) -> PlainClient:
        client = PlainClient(address, timeout=timeout)
        made.append(client)
        return client

    yield make
    for client in made:
        client.dispose()


@pytest.fixture
def sock_dir() -> Iterator[Path]:
    directory = Path(tempfile.mkdtemp(prefix="nnc-ref-", dir="/tmp"))
    try:
        yield directory
    finally:
        for entry in directory.iterdir():
            entry.unlink()
        directory.rmdir()


def fields(error: BaseException, *names: str) -> tuple[object, ...]:
    """Node's error fields (own attributes of the exception)."""
    return tuple(getattr(error, name) for name in names)


def port_of(server: net.Server) -> int:
    address = server.address()
    assert isinstance(address, dict)
    return int(address["port"])


# ------------------------------------------------------------------ listen


def test_listen_without_host_binds_synchronously_dual_stack(process: Process) -> None:
    if not loopback_only():
        pytest.skip("binds the wildcard address '::'; runs only in a network namespace with loopback alone")
    seen: list[object] = []

    def main() -> None:
        server = net.create_server()
        assert server.listen(0) is server
        seen.append(server.listening)
        seen.append(server.address())
        server.on("listening", lambda: (seen.append("listening"), server.close()))

    process.run(main, 5)
    assert seen[0] is True
    address = seen[1]
    assert isinstance(address, dict) and address["address"] == "::" and address["family"] == "IPv6"
    assert seen[2] == "listening"


def test_listen_with_a_host_looks_it_up_first(process: Process) -> None:
    seen: list[object] = []

    def main() -> None:
        server = net.create_server()
        server.listen(0, "127.0.0.1", lambda: (seen.append(server.address()), server.close()))
        seen.append((server.listening, server.address()))

    process.run(main, 5)
    assert seen[0] == (False, None)
    assert isinstance(seen[1], dict) and seen[1]["address"] == "127.0.0.1" and seen[1]["family"] == "IPv4"


def test_a_failed_lookup_is_an_error_event(process: Process) -> None:
    errors: list[BaseException] = []

    def main() -> None:
        server = net.create_server()
        server.on("error", errors.append)
        server.listen(0, "nonexistent.invalid")

    process.run(main, 10)
    [error] = errors
    assert isinstance(error, NodeError)
    # ENOTFOUND (libuv's UV_EAI_NONAME, -3008) where a resolver answers "no such
    # name"; EAI_AGAIN (-3001) where none can be asked, as in CI's namespace.
    assert (error.code, fields(error, "errno")[0]) in {("ENOTFOUND", -3008), ("EAI_AGAIN", -3001)}
    assert fields(error, "syscall", "hostname") == ("getaddrinfo", "nonexistent.invalid")


def test_a_second_listen_replaces_a_pending_lookup_and_close_cancels_it(process: Process) -> None:
    seen: list[object] = []

    def main() -> None:
        first = net.create_server()
        first.listen(0, "127.0.0.1", lambda: seen.append("first"))
        first.listen(0, "localhost", lambda: (seen.append(("second", first.address())), first.close()))
        cancelled = net.create_server()
        cancelled.listen(0, "127.0.0.1", lambda: seen.append("cancelled listened"))
        cancelled.close(lambda err: seen.append(("cancelled closed", getattr(err, "code", None))))

    process.run(main, 5)
    assert ("cancelled closed", "ERR_SERVER_NOT_RUNNING") in seen
    assert "cancelled listened" not in seen
    # Both callbacks were registered with once('listening'): the one bind fires both.
    assert seen.count("first") == 1


def test_eaddrinuse_is_emitted_on_a_later_tick_with_nodes_fields(process: Process) -> None:
    holder = socket.socket()
    holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    port = holder.getsockname()[1]
    seen: list[object] = []
    try:

        def main() -> None:
            server = net.create_server()
            server.on("error", lambda err: seen.append(err))
            server.listen(port, "127.0.0.1")
            if loopback_only():  # no host: the wildcard '::', which EADDRINUSE must not fall back from
                plain = net.create_server()
                plain.on("error", lambda err: seen.append(err))
                plain.listen(port)
            seen.append("returned")

        process.run(main, 5)
    finally:
        holder.close()
    assert seen[0] == "returned"
    by_address = {err.address: err for err in seen[1:]}  # type: ignore[attr-defined]
    for address in ("127.0.0.1", "::") if loopback_only() else ("127.0.0.1",):
        error = by_address[address]
        assert isinstance(error, NodeError)
        assert fields(error, "code", "errno", "syscall", "port") == ("EADDRINUSE", -98, "listen", port)


def test_listen_validation_errors(process: Process, sock_dir: Path) -> None:
    def main() -> None:
        server = net.create_server()
        for bad in (-1, 65536, 1.5, float("nan"), "", " ", "65536", 2**32 - 1):
            with pytest.raises(NodeRangeError) as info:
                server.listen(bad)
            assert info.value.code == "ERR_SOCKET_BAD_PORT"
        for bad_options in ({}, {"host": "localhost"}, {"exclusive": True}, {"fd": -1}):
            with pytest.raises(NodeTypeError) as info_value:
                server.listen(bad_options)
            assert info_value.value.code == "ERR_INVALID_ARG_VALUE"
        for invalid in (True, {"port": True}, {"path": -1}, {"path": ""}):
            with pytest.raises(NodeTypeError) as info_value:
                server.listen(invalid)
            assert info_value.value.code == "ERR_INVALID_ARG_VALUE"
        with pytest.raises(NodeTypeError) as signal_error:
            server.listen({"port": 0, "signal": "nope"})
        assert signal_error.value.code == "ERR_INVALID_ARG_TYPE"
        assert not server.listening
        server.listen(str(sock_dir / "v.sock"))  # bound at once, as listen(port) without a host is
        with pytest.raises(NodeError) as again:
            server.listen(0)
        assert again.value.code == "ERR_SERVER_ALREADY_LISTEN"
        server.close()

    process.run(main, 5)


def test_the_listen_callback_survives_a_failed_validation(process: Process) -> None:
    # D73: the callback is added before the port is checked.
    seen: list[str] = []

    def main() -> None:
        server = net.create_server()
        with pytest.raises(NodeRangeError):
            server.listen(-1, lambda: seen.append("cb"))
        server.listen(0, "127.0.0.1", lambda: (seen.append("listening"), server.close()))

    process.run(main, 5)
    assert seen == ["cb", "listening"]


@pytest.mark.parametrize("spelling", [None, "0", 0, "  0"])
def test_port_zero_spellings(process: Process, spelling: object) -> None:
    ports: list[int] = []

    def main() -> None:
        server = net.create_server()
        server.listen(spelling, "127.0.0.1", lambda: (ports.append(port_of(server)), server.close()))

    process.run(main, 5)
    assert ports and ports[0] > 0


def test_backlog_and_reuseaddr_reach_the_kernel(process: Process) -> None:
    seen: list[object] = []

    def main() -> None:
        server = net.create_server()
        server.listen(0, "127.0.0.1", "12")
        server.on("listening", lambda: (seen.append(server._handle.sock.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR)), server.close()))  # type: ignore[union-attr]

    process.run(main, 5)
    assert seen == [1]


def test_ipv6_only_refuses_ipv4(process: Process, clients: Callable[..., PlainClient]) -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6 on this host")
    results: list[PlainClient] = []

    def main() -> None:
        server = net.create_server()

        def listening() -> None:
            port = port_of(server)
            client = clients(("127.0.0.1", port))
            results.append(client)
            client.wait_connected()
            server.close()

        server.listen({"host": "::", "port": 0, "ipv6_only": True}, listening)

    process.run(main, 5)
    assert results[0].wait().connect_error == "ECONNREFUSED"


# ------------------------------------------------------------------- IPC


def test_ipc_listen_address_and_unlink(process: Process, sock_dir: Path) -> None:
    path = str(sock_dir / "s.sock")
    seen: list[object] = []

    def main() -> None:
        server = net.create_server()
        server.listen(path)
        seen.append(server.address())
        seen.append(stat.S_ISSOCK(os.stat(path).st_mode))
        server.close(lambda err: seen.append(("closed", err, os.path.exists(path), server.address())))

    process.run(main, 5)
    assert seen == [path, True, ("closed", None, False, path)]


def test_ipc_never_unlinks_a_file_that_was_there(process: Process, sock_dir: Path) -> None:
    path = sock_dir / "taken"
    path.write_text("")
    errors: list[BaseException] = []

    def main() -> None:
        server = net.create_server()
        server.on("error", errors.append)
        server.listen(str(path))

    process.run(main, 5)
    [error] = errors
    assert isinstance(error, NodeError)
    assert fields(error, "code", "syscall", "address", "port") == ("EADDRINUSE", "listen", str(path), -1)
    assert path.exists()


def test_ipc_too_long_a_path_is_einval(process: Process) -> None:
    errors: list[BaseException] = []

    def main() -> None:
        server = net.create_server()
        server.on("error", errors.append)
        server.listen("/tmp/" + "x" * 120)

    process.run(main, 5)
    assert [getattr(e, "code", None) for e in errors] == ["EINVAL"]


def test_abstract_ipc_and_readable_all(process: Process, sock_dir: Path, clients: Callable[..., PlainClient]) -> None:
    name = f"\0nnc-ref-{os.getpid()}-{id(process)}"
    seen: list[object] = []

    def main() -> None:
        with pytest.raises(NodeTypeError):
            net.create_server().listen({"path": name, "readable_all": True})
        server = net.create_server(lambda c: (seen.append(c.address()), seen.append(c.remote_address), c.end()))
        server.listen(name, lambda: clients(name).read_until_eof().close())
        server.on("connection", lambda c: server.close())
        # Node 24 gives the socket file exactly the requested bits.
        modes = []
        for index, flags in enumerate(({"readable_all": True}, {"writable_all": True}, {"readable_all": True, "writable_all": True})):
            path = str(sock_dir / f"all{index}.sock")
            other = net.create_server()
            other.listen({"path": path, **flags})
            modes.append(stat.S_IMODE(os.stat(path).st_mode))
            other.close()
        seen.append(modes)

    process.run(main, 5)
    assert seen == [[0o444, 0o222, 0o666], {}, None]


# ------------------------------------------------------------ fd / handle


def test_a_server_inside_options_is_not_a_handle(process: Process, sock_dir: Path) -> None:
    # Node 24: listen({handle: server}) takes the server object as the options.
    def main() -> None:
        first = net.create_server().listen(str(sock_dir / "h.sock"))
        with pytest.raises(NodeTypeError) as info:
            net.create_server().listen({"handle": first})
        assert info.value.code == "ERR_INVALID_ARG_VALUE"
        first.close()

    process.run(main, 5)


def test_listen_on_an_inherited_fd_and_on_another_server(process: Process, clients: Callable[..., PlainClient]) -> None:
    raw = socket.socket()
    raw.bind(("127.0.0.1", 0))
    port = raw.getsockname()[1]
    fd = os.dup(raw.fileno())
    raw.close()
    seen: list[object] = []

    def main() -> None:
        first = net.create_server()
        first.listen({"fd": fd})
        second: net.Server = net.create_server(
            lambda c: (seen.append("second got it"), c.destroy(), second.close(), first.close())
        )
        second.listen(first)
        seen.append((second.listening, port_of(second) == port))
        clients(("127.0.0.1", port)).read_until_eof()

    process.run(main, 5)
    assert seen == [(True, True), "second got it"]


def test_listen_on_a_file_fd_is_einval_not_an_exception(process: Process) -> None:
    errors: list[BaseException] = []
    with open(__file__) as handle:

        def main() -> None:
            server = net.create_server()
            server.on("error", errors.append)
            server.listen({"fd": handle.fileno()})

        process.run(main, 5)
        os.fstat(handle.fileno())  # still open: a failed listen does not take the descriptor
    [error] = errors
    assert (getattr(error, "code", None), getattr(error, "address", "?")) == ("EINVAL", None)


# ------------------------------------------------------------------ close


def test_close_waits_for_connections_and_reports_not_running(
    process: Process, clients: Callable[..., PlainClient]
) -> None:
    seen: list[object] = []

    def main() -> None:
        def on_connection(c: net.Socket) -> None:
            server.close(lambda err: seen.append(("close cb", err)))
            seen.append(("after close", server.listening, server.address()))
            server.get_connections(lambda err, n: seen.append(("count", n)))
            c.on("end", lambda: seen.append("end"))
            c.resume()

        server = net.create_server(on_connection)
        server.on("close", lambda: seen.append("close"))
        server.listen(0, "127.0.0.1", lambda: clients(("127.0.0.1", port_of(server))).send(b"x").shutdown().read_until_eof())

    process.run(main, 5)
    assert seen == [("after close", False, None), ("count", 1), "end", "close", ("close cb", None)]

    later: list[object] = []
    server = net.create_server()
    server.close(lambda err: later.append(getattr(err, "code", None)))
    process.run(lambda: None, 5)
    assert later == ["ERR_SERVER_NOT_RUNNING"]


def test_max_connections_drops_with_the_addresses(process: Process, clients: Callable[..., PlainClient]) -> None:
    drops: list[object] = []
    counts: list[int] = []

    def main() -> None:
        def on_connection(c: net.Socket) -> None:
            counts.append(1)
            clients(("127.0.0.1", port_of(server))).read_until_eof()
            c.on("close", lambda had_error: server.close())
            server.on("drop", lambda data=None: (drops.append(data), c.destroy()))

        server = net.create_server(on_connection)
        server.max_connections = 1
        server.listen(0, "127.0.0.1", lambda: clients(("127.0.0.1", port_of(server))).read_until_eof())

    process.run(main, 5)
    [data] = drops
    assert isinstance(data, dict)
    assert set(data) == {"local_address", "local_port", "local_family", "remote_address", "remote_port", "remote_family"}
    assert data["local_address"] == "127.0.0.1" and data["remote_family"] == "IPv4"
    assert counts == [1]


def test_max_connections_zero_drops_everything(process: Process, clients: Callable[..., PlainClient]) -> None:
    seen: list[object] = []

    def main() -> None:
        server = net.create_server(lambda c: seen.append("connection"))
        server.max_connections = 0
        server.on("drop", lambda data=None: (seen.append("drop"), server.close()))
        server.listen(0, "127.0.0.1", lambda: clients(("127.0.0.1", port_of(server))).read_until_eof())

    process.run(main, 5)
    assert seen == ["drop"]


def test_block_list_refuses_silently(process: Process, clients: Callable[..., PlainClient]) -> None:
    block = net.BlockList()
    block.add_address("127.0.0.1")
    seen: list[object] = []
    transcripts: list[PlainClient] = []

    def main() -> None:
        server = net.create_server({"block_list": block}, lambda c: seen.append("connection"))

        def listening() -> None:
            client = clients(("127.0.0.1", port_of(server))).read_until_eof()
            transcripts.append(client)
            process.set_timeout(server.close, 300)

        server.listen(0, "127.0.0.1", listening)

    process.run(main, 5)
    assert seen == []
    assert transcripts[0].wait().eof or transcripts[0].wait().error


def test_an_aborted_signal_closes_the_server(process: Process, sock_dir: Path) -> None:
    seen: list[object] = []

    def main() -> None:
        controller = AbortController()
        server = net.create_server()
        server.on("listening", lambda: seen.append("listening"))
        server.on("close", lambda: seen.append("close"))
        server.listen({"path": str(sock_dir / "a.sock"), "signal": controller.signal})
        seen.append(server.listening)
        controller.abort()
        seen.append(server.listening)

    process.run(main, 5)
    assert seen == [True, False, "close"]


def test_unref_before_listen_lets_run_return(process: Process) -> None:
    servers: list[net.Server] = []

    def main() -> None:
        server = net.create_server().unref()
        server.listen(0, "127.0.0.1")
        servers.append(server)

    process.run(main, 5)  # returns although the server still listens
    assert servers[0].listening
    servers[0].close()
    process.run(lambda: None, 5)


def test_aclose_and_async_with(process: Process, sock_dir: Path) -> None:
    seen: list[object] = []

    async def main() -> None:
        server = net.create_server()
        server.listen(str(sock_dir / "d.sock"))
        closing = server.aclose()
        seen.append(server.listening)
        await closing
        seen.append("closed")
        await net.create_server().aclose()  # not listening: at once, no error
        async with net.create_server() as other:
            other.listen(str(sock_dir / "e.sock"))
        seen.append(other.listening)

    process.run(main, 5)
    assert seen == [False, "closed", False]


def test_accept_errors_are_error_events(process: Process, clients: Callable[..., PlainClient]) -> None:
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    errors: list[BaseException] = []
    fillers: list[int] = []

    def main() -> None:
        server = net.create_server(lambda c: c.destroy())

        def on_error(err: BaseException) -> None:
            errors.append(err)
            for fd in fillers:
                os.close(fd)
            fillers.clear()
            server.close()

        server.on("error", on_error)

        def listening() -> None:
            client = clients(("127.0.0.1", port_of(server)))
            client.wait_connected()
            # Use up every descriptor, so accept() fails with EMFILE.
            try:
                while True:
                    fillers.append(os.open("/dev/null", os.O_RDONLY))
            except OSError as exc:
                assert exc.errno == errno.EMFILE

        server.listen(0, "127.0.0.1", listening)

    resource.setrlimit(resource.RLIMIT_NOFILE, (min(soft, 4096), hard))
    try:
        process.run(main, 5)
    finally:
        for fd in fillers:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    assert [(getattr(e, "code", None), getattr(e, "syscall", None)) for e in errors] == [("EMFILE", "accept")]
