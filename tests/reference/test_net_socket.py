# mypy: disable-error-code="func-returns-value"
"""The server side of reference.net.Socket, tested directly: the data path
(including the fast paths and the states that must switch them off), the
handle before its transport exists, half-close, errors and resets, timeouts
and socket options; on asyncio and on uvloop, with a descriptor check after
every test."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from conformance.probes import PlainClient, Transcript
from reference import NodeTypeError, net
from reference._process import Process

pytestmark = pytest.mark.timeout(30)


Steps = Callable[[PlainClient], object]


def serve(
    process: Process,
    on_connection: Callable[[net.Socket], object],
    steps: Steps,
    options: dict[str, Any] | None = None,
    timeout: float = 5.0,
) -> Transcript:
    """One server on 127.0.0.1, one plain client running ``steps``; the server
    closes after its first connection. The client's transcript."""
    clients: list[PlainClient] = []

    def main() -> None:
        def connection(sock: net.Socket) -> None:
            server.close()
            on_connection(sock)

        server = net.create_server(options or {}, connection)

        def listening() -> None:
            address = server.address()
            assert isinstance(address, dict)
            client = PlainClient(("127.0.0.1", address["port"]), timeout=timeout)
            clients.append(client)
            steps(client)

        server.listen(0, "127.0.0.1", listening)

    try:
        process.run(main, timeout)
        return clients[0].wait()
    finally:
        for client in clients:
            client.dispose()


# ------------------------------------------------------------- data path


@pytest.mark.parametrize("size", [64, 4096, 1 << 20])
def test_pipe_echo_with_backpressure(process: Process, size: int) -> None:
    payload = os.urandom(size)
    events: list[str] = []

    def on_connection(c: net.Socket) -> None:
        c.on("drain", lambda: events.append("drain"))
        c.on("end", lambda: events.append("end"))
        c.on("close", lambda had_error: events.append(f"close {had_error}"))
        c.pipe(c)

    transcript = serve(
        process, on_connection, lambda client: client.sleep(0.05).send(payload).shutdown().read_until_eof().close()
    )
    assert transcript.received == payload
    assert transcript.eof
    assert events[-2:] == ["end", "close False"]


def test_data_is_buffered_until_consumed_and_end_waits_for_it(process: Process) -> None:
    seen: list[object] = []

    def on_connection(c: net.Socket) -> None:
        c.on("end", lambda: seen.append("end"))

        def later() -> None:
            seen.append(("length", c.readable_length))
            c.on("data", lambda data: seen.append(data))
            c.on("close", lambda had_error: seen.append("close"))

        process.set_timeout(later, 200)

    serve(process, on_connection, lambda client: client.send(b"abc").shutdown().read_until_eof().close())
    assert seen == [("length", 3), b"abc", "end", "close"]


def test_pausing_inside_a_data_listener_stops_the_fast_path(process: Process) -> None:
    chunks: list[bytes] = []
    paused_at: list[int] = []

    def on_connection(c: net.Socket) -> None:
        def on_data(data: bytes) -> None:
            chunks.append(data)
            if len(chunks) == 3:
                c.pause()
                paused_at.append(len(b"".join(chunks)))

                def resume() -> None:
                    # Nothing was delivered while paused, however much arrived.
                    assert len(chunks) == 3
                    c.resume()

                process.set_timeout(resume, 100)

        c.on("data", on_data)
        c.on("end", c.end)

    def steps(client: PlainClient) -> None:
        for index in range(10):
            client.send(bytes([65 + index]) * 10).sleep(0.02)
        client.shutdown().read_until_eof().close()

    serve(process, on_connection, steps)
    assert b"".join(chunks) == b"".join(bytes([65 + i]) * 10 for i in range(10))
    assert paused_at and paused_at[0] >= 30


def test_set_encoding_never_splits_a_character(process: Process) -> None:
    text = "h\u00e9llo w\u00f6rld \U0001f600"
    encoded = text.encode("utf-8")
    pieces: list[str] = []

    def on_connection(c: net.Socket) -> None:
        c.set_encoding("utf8")
        c.on("data", pieces.append)
        c.on("end", c.end)

    def steps(client: PlainClient) -> None:
        for byte in encoded:
            client.send(bytes([byte])).sleep(0.002)
        client.shutdown().read_until_eof().close()

    serve(process, on_connection, steps)
    assert "".join(pieces) == text
    assert all(isinstance(piece, str) for piece in pieces)


def test_pause_on_connect_reads_nothing_until_resume(process: Process) -> None:
    seen: list[object] = []

    def on_connection(c: net.Socket) -> None:
        seen.append((c.readable_flowing, c.is_paused()))
        c.on("data", lambda data: seen.append(data))
        c.write(b"hi")  # writing does not start reading

        def check() -> None:
            seen.append(("bytes_read", c.bytes_read))
            handle = c._handle
            assert handle is not None
            # The kernel still holds what the client sent: nothing was read.
            waiting = handle.sock.recv(16, socket.MSG_PEEK)
            seen.append(("in kernel", waiting))
            c.resume()
            c.on("end", c.end)

        process.set_timeout(check, 150)

    transcript = serve(
        process,
        on_connection,
        lambda client: client.send(b"early").read_exactly(2).sleep(0.3).shutdown().read_until_eof().close(),
        {"pause_on_connect": True},
    )
    assert seen[0] == (False, True)
    assert seen[1:4] == [("bytes_read", 0), ("in kernel", b"early"), b"early"]
    assert transcript.received == b"hi"


# ------------------------------------------------------------- writing


def test_writes_from_the_connection_listener_reach_the_kernel_at_once(process: Process) -> None:
    seen: list[object] = []

    def on_connection(c: net.Socket) -> None:
        seen.append(c.write(b"a" * 4096))
        c.end(b"b")
        c.destroy()

    transcript = serve(process, on_connection, lambda client: client.read_until_eof().close(), {"high_water_mark": 1024})
    assert seen == [True]
    assert transcript.received == b"a" * 4096 + b"b"


def test_write_callbacks_and_drain(process: Process) -> None:
    seen: list[object] = []
    big = b"x" * (8 << 20)

    def on_connection(c: net.Socket) -> None:
        def written(err: BaseException | None) -> None:
            seen.append(("cb", err, c.writable_length))

        seen.append(("ret", c.write(big, written)))
        c.on("drain", lambda: (seen.append("drain"), c.end()))

    transcript = serve(process, on_connection, lambda client: client.sleep(0.2).read_until_eof().close())
    assert transcript.received == big
    assert seen[0] == ("ret", False)
    assert seen[1:] == ["drain", ("cb", None, 0)]


def test_pending_writes_are_cancelled_by_destroy(process: Process) -> None:
    seen: list[object] = []

    def on_connection(c: net.Socket) -> None:
        c.on("error", lambda err: seen.append(("error", err)))
        c.on("close", lambda had_error: seen.append(("close", had_error)))
        c.write(b"x" * (8 << 20), lambda err: seen.append(("cb", getattr(err, "code", None), getattr(err, "syscall", None))))
        process.set_timeout(c.destroy, 50)

    serve(process, on_connection, lambda client: client.sleep(0.3).close())
    assert seen == [("cb", "ECANCELED", "write"), ("close", False)]


def test_write_after_own_end(process: Process) -> None:
    seen: list[object] = []

    def on_connection(c: net.Socket) -> None:
        c.on("error", lambda err: seen.append(("error", err.code)))
        c.on("close", lambda had_error: seen.append(("close", had_error)))
        c.end()
        seen.append(("ret", c.write(b"late", lambda err: seen.append(("cb", getattr(err, "code", None))))))

    transcript = serve(process, on_connection, lambda client: client.read_until_eof().close())
    assert seen == [
        ("ret", False),
        ("cb", "ERR_STREAM_WRITE_AFTER_END"),
        ("error", "ERR_STREAM_WRITE_AFTER_END"),
        ("close", True),
    ]
    assert transcript.received == b""


# ------------------------------------------------------------- half-open


def test_auto_end_after_the_peers_fin_then_epipe(process: Process) -> None:
    seen: list[object] = []

    def on_connection(c: net.Socket) -> None:
        c.resume()
        c.on("error", lambda err: seen.append(("error", err.code)))

        def on_end() -> None:
            seen.append(("end", c.ready_state, c.write(b"in end")))

            def after() -> None:
                seen.append(("later", c.write(b"too late", lambda err: seen.append(("cb", getattr(err, "code", None))))))

            process.next_tick(lambda: process.next_tick(after))

        c.on("end", on_end)

    transcript = serve(process, on_connection, lambda client: client.shutdown().read_until_eof().close())
    assert seen[0] == ("end", "writeOnly", True)
    assert seen[1:] == [("later", False), ("cb", "EPIPE"), ("error", "EPIPE")]
    assert transcript.received == b"in end" and transcript.eof


def test_allow_half_open_keeps_writing_after_end(process: Process) -> None:
    seen: list[object] = []

    def on_connection(c: net.Socket) -> None:
        c.resume()

        def on_end() -> None:
            seen.append(c.ready_state)
            process.set_timeout(lambda: (seen.append(c.write(b"still here")), c.end()), 50)

        c.on("end", on_end)

    transcript = serve(
        process, on_connection, lambda client: client.shutdown().read_until_eof().close(), {"allow_half_open": True}
    )
    assert seen == ["writeOnly", True]
    assert transcript.received == b"still here"


# ----------------------------------------------------------- destroying


def test_destroy_with_an_error(process: Process) -> None:
    seen: list[object] = []
    boom = RuntimeError("boom")

    def on_connection(c: net.Socket) -> None:
        c.on("error", lambda err: seen.append(err))
        c.on("close", lambda had_error: seen.append(("close", had_error, c.bytes_read, c.bytes_written)))
        c.on("data", lambda data: (c.write(b"ok"), c.destroy(boom)))

    transcript = serve(process, on_connection, lambda client: client.send(b"12345").read_until_eof().close())
    assert seen == [boom, ("close", True, 5, 2)]
    assert transcript.eof and transcript.error is None


def test_reset_and_destroy_sends_rst(process: Process) -> None:
    seen: list[object] = []

    def on_connection(c: net.Socket) -> None:
        c.on("close", lambda had_error: seen.append(had_error))
        c.on("data", lambda data: c.reset_and_destroy())

    transcript = serve(process, on_connection, lambda client: client.send(b"x").read_until_eof().close())
    assert transcript.error == "ECONNRESET"
    assert seen == [False]


def test_a_peer_reset_is_econnreset_from_read(process: Process) -> None:
    seen: list[object] = []

    def on_connection(c: net.Socket) -> None:
        c.on("error", lambda err: seen.append((err.code, err.syscall, err.errno)))
        c.on("close", lambda had_error: seen.append(("close", had_error)))
        c.resume()

    serve(process, on_connection, lambda client: client.send(b"x").sleep(0.05).reset())
    assert seen == [("ECONNRESET", "read", -104), ("close", True)]


def test_an_exception_in_a_data_listener_ends_run(process: Process) -> None:
    class Boom(Exception):
        pass

    def on_connection(c: net.Socket) -> None:
        def on_data(data: bytes) -> None:
            if len(data) and data.startswith(b"3"):
                raise Boom()

        c.on("data", on_data)

    with pytest.raises(Boom):
        serve(process, on_connection, lambda client: client.send(b"1").sleep(0.05).send(b"2").sleep(0.05).send(b"3"))
    process.close()


# -------------------------------------------------------- timeouts, options


def test_timeout_is_emitted_but_does_not_close(process: Process) -> None:
    seen: list[tuple[object, ...]] = []
    started = time.monotonic()

    def on_connection(c: net.Socket) -> None:
        assert c.timeout is None
        c.on("data", lambda data: seen.append(("data", round(time.monotonic() - started, 1))))

        def on_timeout() -> None:
            seen.append(("timeout", c.destroyed))
            c.set_timeout(0)
            c.end()

        c.set_timeout(150, on_timeout)
        seen.append(("timeout attr", c.timeout))

    serve(process, on_connection, lambda client: client.sleep(0.1).send(b"a").sleep(0.1).send(b"b").read_until_eof().close())
    assert seen[0] == ("timeout attr", 150)
    assert [entry[0] for entry in seen[1:]] == ["data", "data", "timeout"]
    assert seen[-1] == ("timeout", False)


def test_socket_options_follow_node(process: Process) -> None:
    seen: list[tuple[int, ...]] = []

    def on_connection(c: net.Socket) -> None:
        handle = c._handle
        assert handle is not None
        sock = handle.sock

        def read() -> None:
            seen.append(
                (
                    sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY),
                    sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE),
                    sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE),
                )
            )
            assert c.set_no_delay() is c
            assert c.set_keep_alive(True, 5000) is c
            seen.append(
                (
                    sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY),
                    sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE),
                    sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL),
                    sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT),
                )
            )
            c.destroy()

        # After the transport is attached (asyncio and uvloop turn Nagle off on theirs).
        process.set_timeout(read, 50)

    serve(process, on_connection, lambda client: client.read_until_eof().close(), {"keep_alive": True, "keep_alive_initial_delay": 2500})
    assert seen[0][:2] == (0, 1) and seen[0][2] == 2
    assert seen[1] == (1, 5, 1, 10)


def test_addresses_and_ready_state(process: Process) -> None:
    seen: list[object] = []

    def on_connection(c: net.Socket) -> None:
        seen.append((c.ready_state, c.local_address, c.local_family, c.remote_address, c.remote_family))
        seen.append(c.address() == {"address": "127.0.0.1", "family": "IPv4", "port": c.local_port})
        port = c.remote_port
        c.on("close", lambda had_error: seen.append((c.ready_state, c.remote_port == port, c.local_address)))
        c.destroy()

    serve(process, on_connection, lambda client: client.read_until_eof().close())
    assert seen == [("open", "127.0.0.1", "IPv4", "127.0.0.1", "IPv4"), True, ("closed", True, None)]


def test_a_socket_without_a_handle(process: Process) -> None:
    seen: list[object] = []

    def main() -> None:
        sock = net.Socket()
        seen.append((sock.ready_state, sock.pending, sock.address(), sock.remote_address))
        sock.on("error", lambda err: seen.append(("error", err.code)))
        sock.on("close", lambda *args: seen.append(("close", args)))
        sock.write(b"x", lambda err: seen.append(("cb", getattr(err, "code", None))))

    process.run(main, 5)
    assert seen == [("open", True, {}, None), ("cb", "ERR_SOCKET_CLOSED"), ("error", "ERR_SOCKET_CLOSED"), ("close", ())]
    with pytest.raises(NodeTypeError) as info:
        net.Socket({"object_mode": True})
    assert info.value.code == "ERR_INVALID_ARG_VALUE"


def test_reset_and_destroy_on_a_pipe_is_a_type_error(process: Process) -> None:
    path = f"/tmp/nnc-ref-{os.getpid()}-{id(process)}.sock"
    seen: list[object] = []

    def main() -> None:
        def on_connection(c: net.Socket) -> None:
            with pytest.raises(NodeTypeError) as info:
                c.reset_and_destroy()
            seen.append(info.value.code)
            c.destroy()
            server.close()

        server = net.create_server(on_connection)

        def listening() -> None:
            def client() -> None:
                with socket.socket(socket.AF_UNIX) as sock:
                    sock.connect(path)
                    sock.recv(1)

            thread = threading.Thread(target=client, daemon=True)
            threads.append(thread)
            thread.start()

        server.listen(path, listening)

    threads: list[threading.Thread] = []
    process.run(main, 5)
    for thread in threads:
        thread.join(5)  # the client's own socket is closed before the descriptor check
    assert seen == ["ERR_INVALID_HANDLE_TYPE"]
    assert not os.path.exists(path)



def test_a_socket_on_an_inherited_descriptor(process: Process) -> None:
    # new net.Socket({fd}): the descriptor becomes the socket's handle.
    mine, theirs = socket.socketpair()
    seen: list[object] = []
    try:

        def main() -> None:
            sock = net.Socket({"fd": os.dup(mine.fileno())})
            sock.on("data", lambda data: (seen.append(data), sock.end(b"pong")))
            sock.on("close", lambda had_error: seen.append(("close", had_error)))
            theirs.sendall(b"ping")
            theirs.shutdown(socket.SHUT_WR)

        process.run(main, 5)
        assert seen == [b"ping", ("close", False)]
        assert theirs.recv(16) == b"pong"
        with open(__file__) as handle, pytest.raises(NodeTypeError) as info:
            net.Socket({"fd": handle.fileno()})
        assert info.value.code == "ERR_INVALID_FD_TYPE"
    finally:
        mine.close()
        theirs.close()
