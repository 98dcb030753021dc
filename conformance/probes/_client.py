# A plain-socket client that the implementation does not provide.
#
# The implementation's loop only runs inside runtime.run(), which blocks the
# test's thread, so a client that talks to a server under test must live in a
# thread of its own. PlainClient is a small script runner: the test queues
# steps (send, read, shut down, reset ...), the client's thread performs them
# in order with the standard socket module, and records a transcript that the
# test inspects after run() returns. Every step is bounded by a deadline, so a
# server that never answers fails the test with the step that was waiting,
# instead of hanging it.

from __future__ import annotations

import errno
import queue
import socket
import struct
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Union

__all__ = ["Address", "Connect", "PlainClient", "ProbeTimeout", "Transcript", "address_of"]

# What a client connects to: ("127.0.0.1", port), a Unix path (a leading
# "\0" makes it abstract), or an AddressInfo dict as server.address() returns.
Address = Union[tuple[str, int], str, Mapping[str, Any]]

Step = tuple[str, Callable[[socket.socket], object]]
_STOP: Step = ("stop", lambda sock: None)


class ProbeTimeout(AssertionError):
    """A probe step did not complete in time (the implementation did not answer)."""


@dataclass
class Transcript:
    """What the client saw, from its side of the connection."""

    received: bytes = b""
    eof: bool = False  # the peer sent FIN
    error: str | None = None  # errno name of a read/write failure, e.g. "ECONNRESET"
    connect_error: str | None = None  # errno name if connect() failed, e.g. "ECONNREFUSED"
    local_port: int | None = None
    steps: list[str] = field(default_factory=list)  # what ran, for failure messages


def address_of(address: Address) -> tuple[int, Any]:
    """(socket family, sockaddr) for an Address."""
    if isinstance(address, str):
        return socket.AF_UNIX, address
    if isinstance(address, Mapping):
        host = address["address"]
        if host in ("::", "0.0.0.0"):
            # A wildcard bind is reached on the loopback of the same family.
            host = "::1" if address.get("family") == "IPv6" else "127.0.0.1"
        address = (host, int(address["port"]))
    host, port = address
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return family, (host, port)


class PlainClient:
    """A client connection driven by its own thread.

    Steps are queued and return the client, so they chain::

        client = PlainClient(server.address()).send(b"hello").read_exactly(5).close()
        runtime.run(main)
        assert client.wait().received == b"hello"

    The connection is made by the thread as its first step; against a server
    that is already listening it completes in the kernel's backlog, whether or
    not the implementation's loop is running yet.
    """

    def __init__(self, address: Address, *, timeout: float = 5.0, name: str = "client") -> None:
        self.family, self.sockaddr = address_of(address)
        self.timeout = timeout
        self.name = name
        self.transcript = Transcript()
        self._sock: socket.socket | None = None
        self._steps: queue.Queue[Step] = queue.Queue()
        self._done = threading.Event()
        self._failure: BaseException | None = None
        self._connected = threading.Event()
        self._thread = threading.Thread(target=self._main, name=f"probe-{name}", daemon=True)
        self._thread.start()

    # ------------------------------------------------------------- steps

    def send(self, data: bytes) -> PlainClient:
        return self._queue(f"send({len(data)} bytes)", lambda sock: self._send(sock, data))

    def read_exactly(self, size: int) -> PlainClient:
        """Wait until ``size`` more bytes have arrived."""
        return self._queue(f"read_exactly({size})", lambda sock: self._read(sock, until=size))

    def read_until_eof(self) -> PlainClient:
        """Read until the peer's FIN, or a reset (then ``error`` says which)."""
        return self._queue("read_until_eof()", lambda sock: self._read(sock, until=None))

    def read_for(self, seconds: float) -> PlainClient:
        """Read whatever arrives during ``seconds`` (to show that nothing does)."""
        return self._queue(f"read_for({seconds})", lambda sock: self._read(sock, until=None, window=seconds))

    def shutdown(self) -> PlainClient:
        """Half-close: send FIN, keep reading."""
        return self._queue("shutdown()", lambda sock: sock.shutdown(socket.SHUT_WR))

    def close(self) -> PlainClient:
        """Orderly close (FIN)."""
        return self._queue("close()", self._close)

    def reset(self) -> PlainClient:
        """Abortive close: SO_LINGER {1, 0} makes close() send RST."""

        def reset(sock: socket.socket) -> None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self._close(sock)

        return self._queue("reset()", reset)

    def sleep(self, seconds: float) -> PlainClient:
        return self._queue(f"sleep({seconds})", lambda sock: time.sleep(seconds))

    def call(self, description: str, step: Callable[[socket.socket], object]) -> PlainClient:
        """A custom step on the raw socket."""
        return self._queue(description, step)

    # ----------------------------------------------------------- results

    def wait_connected(self, timeout: float | None = None) -> PlainClient:
        """Block until connect() has returned (either way)."""
        if not self._connected.wait(self.timeout if timeout is None else timeout):
            raise ProbeTimeout(f"{self.name}: connect to {self.sockaddr!r} did not complete")
        return self

    def wait(self, timeout: float | None = None) -> Transcript:
        """Block until every queued step ran; the transcript, or ProbeTimeout."""
        self._steps.put(_STOP)
        if not self._done.wait(self.timeout + 1 if timeout is None else timeout):
            raise ProbeTimeout(f"{self.name}: still busy after {self.transcript.steps}")
        if self._failure is not None:
            raise self._failure
        return self.transcript

    def dispose(self) -> None:
        """Stop the thread and close the socket, whatever state they are in."""
        self._steps.put(_STOP)
        self._done.wait(self.timeout + 1)
        sock, self._sock = self._sock, None
        if sock is not None:
            sock.close()

    @property
    def done(self) -> bool:
        return self._done.is_set()

    # ------------------------------------------------------------ thread

    def _queue(self, description: str, step: Callable[[socket.socket], object]) -> PlainClient:
        if self._done.is_set():
            raise RuntimeError(f"{self.name}: steps queued after wait()/dispose()")
        self._steps.put((description, step))
        return self

    def _main(self) -> None:
        try:
            self._connect()
            while True:
                item = self._steps.get(timeout=self.timeout * 20)
                if item is _STOP:
                    break
                description, step = item
                self.transcript.steps.append(description)
                if self._sock is None:
                    continue  # not connected, or closed: later steps have nothing to act on
                try:
                    step(self._sock)
                except ProbeTimeout as exc:
                    self._failure = exc
                    break
                except OSError as exc:
                    self.transcript.error = errno.errorcode.get(exc.errno or 0, str(exc))
        except queue.Empty:
            self._failure = ProbeTimeout(f"{self.name}: no step arrived and wait() was never called")
        except BaseException as exc:  # noqa: BLE001 - reported by wait()
            self._failure = exc
        finally:
            self._done.set()
            self._connected.set()

    def _connect(self) -> None:
        sock = socket.socket(self.family, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self.sockaddr)
            if self.family != socket.AF_UNIX:
                self.transcript.local_port = sock.getsockname()[1]
        except OSError as exc:
            sock.close()
            self.transcript.connect_error = errno.errorcode.get(exc.errno or 0, str(exc))
        else:
            self._sock = sock
        finally:
            # Only now: whoever waits on wait_connected() sees the whole outcome.
            self._connected.set()

    def _send(self, sock: socket.socket, data: bytes) -> None:
        sock.settimeout(self.timeout)
        try:
            sock.sendall(data)
        except TimeoutError:
            raise ProbeTimeout(f"{self.name}: send blocked for {self.timeout} s (peer not reading)") from None

    def _read(self, sock: socket.socket, *, until: int | None, window: float | None = None) -> None:
        target = len(self.transcript.received) + until if until is not None else None
        deadline = time.monotonic() + (window if window is not None else self.timeout)
        while target is None or len(self.transcript.received) < target:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                if window is not None:
                    return
                raise ProbeTimeout(
                    f"{self.name}: waited {self.timeout} s for "
                    + (f"{target - len(self.transcript.received)} more bytes" if target is not None else "EOF")
                    + f"; received so far {self.transcript.received[-200:]!r}"
                )
            sock.settimeout(remaining)
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                continue
            if not chunk:
                self.transcript.eof = True
                return
            self.transcript.received += chunk

    def _close(self, sock: socket.socket) -> None:
        self._sock = None
        sock.close()


# The type of the `connect` fixture: a factory of clients, each disposed after the test.
Connect = Callable[..., PlainClient]
