"""`python -m reference.examples.echo`, the seed's echo server, run as a
program and driven from this (separate) process as its client: the greeting,
the echo, the messages it prints, and a clean stop on SIGINT/SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.timeout(60)

LOOPS = ["asyncio", "uvloop"]


class Echo:
    """The echo program as a child process."""

    def __init__(self, *args: str) -> None:
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "reference.examples.echo", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=Path(__file__).resolve().parents[2],
        )
        assert self.process.stdout is not None and self.process.stderr is not None
        self.stdout = self.process.stdout
        self.stderr = self.process.stderr

    def line(self) -> str:
        return self.stdout.readline().rstrip("\n")

    def stop(self, signum: int) -> tuple[int, str, str]:
        self.process.send_signal(signum)
        out, err = self.process.communicate(timeout=20)
        return self.process.returncode, out, err

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.communicate()


@pytest.fixture
def echo_args() -> Iterator[list[Echo]]:
    started: list[Echo] = []
    yield started
    for echo in started:
        echo.kill()


def start(started: list[Echo], *args: str) -> Echo:
    echo = Echo(*args)
    started.append(echo)
    return echo


def read_exactly(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            break
        data += chunk
    return data


def read_to_eof(sock: socket.socket) -> bytes:
    data = b""
    while chunk := sock.recv(4096):
        data += chunk
    return data


def converse(sock: socket.socket) -> tuple[bytes, bytes, bytes]:
    sock.settimeout(10)
    greeting = read_exactly(sock, 7)
    sock.sendall(b"ping\r\n")
    echoed = read_exactly(sock, 6)
    sock.shutdown(socket.SHUT_WR)
    return greeting, echoed, read_to_eof(sock)


@pytest.mark.parametrize("loop", LOOPS)
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_tcp_echo(echo_args: list[Echo], loop: str, signum: int) -> None:
    extra = ["--uvloop"] if loop == "uvloop" else []
    # Loopback only: the seed's own bind (every interface) is not for a test run.
    echo = start(echo_args, "--host", "127.0.0.1", "--port", "0", "--print-address", *extra)
    assert echo.line() == "server bound"
    address = json.loads(echo.stderr.readline())
    assert address["family"] == "IPv4" and address["address"] == "127.0.0.1"
    with socket.create_connection(("127.0.0.1", address["port"]), timeout=10) as sock:
        greeting, echoed, rest = converse(sock)
    assert (greeting, echoed, rest) == (b"hello\r\n", b"ping\r\n", b"")
    assert echo.line() == "client connected"
    assert echo.line() == "client disconnected"
    code, out, err = echo.stop(signum)
    assert code == 0, err
    assert out == ""


@pytest.mark.parametrize("loop", LOOPS)
def test_unix_socket_echo_and_stop_with_a_client_connected(echo_args: list[Echo], loop: str) -> None:
    directory = tempfile.mkdtemp(prefix="nnc-echo-", dir="/tmp")
    path = os.path.join(directory, "echo.sock")
    try:
        extra = ["--uvloop"] if loop == "uvloop" else []
        echo = start(echo_args, "--path", path, *extra)
        assert echo.line() == "server bound"
        with socket.socket(socket.AF_UNIX) as first:
            first.connect(path)
            greeting, echoed, rest = converse(first)
        assert (greeting, echoed, rest) == (b"hello\r\n", b"ping\r\n", b"")
        assert [echo.line(), echo.line()] == ["client connected", "client disconnected"]
        with socket.socket(socket.AF_UNIX) as second:
            second.connect(path)
            second.settimeout(10)
            assert read_exactly(second, 7) == b"hello\r\n"
            assert echo.line() == "client connected"
            # Stopping ends the open connection too, and the program exits.
            code, out, err = echo.stop(signal.SIGTERM)
            assert read_to_eof(second) == b""
        assert code == 0, err
        assert out == ""
        assert not os.path.exists(path), "the server unlinks the socket file it created"
    finally:
        if os.path.exists(path):
            os.unlink(path)
        os.rmdir(directory)


def test_a_taken_port_is_an_uncaught_error(echo_args: list[Echo]) -> None:
    # The seed's `server.on('error', (err) => { throw err; })`.
    with socket.socket() as holder:
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        echo = start(echo_args, "--host", "127.0.0.1", "--port", str(port))
        out, err = echo.process.communicate(timeout=20)
    assert echo.process.returncode != 0
    assert "EADDRINUSE" in err
    assert out == ""
