# IPC servers (CLAUSES.md section N, and G123): Unix domain sockets on a path
# or in Linux's abstract namespace, the socket file's life (created by listen,
# unlinked by close, never unlinked when someone else made it), relative
# paths, and paths longer than sun_path.
#
# The file system and the kernel are the witnesses: the socket file's type and
# existence, the kernel's listening socket on that path, and plain AF_UNIX
# clients. Windows named pipes (N183's second half, N190) are not tested: the
# kit's probes and fixtures are POSIX.
# Node: lib/net.js Server.prototype.listen (pipe branch), src/pipe_wrap.cc
# (UV_PIPE_NO_TRUNCATE since v22), libuv uv_pipe_bind2/uv_close (unlink);
# doc/api/net.md "Identifying paths for IPC connections".

from __future__ import annotations

import errno
import os
import socket
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from conformance import Runtime
from conformance.probes import Connect, KernelView, PlainClient

from ._net_helpers import in_order

if TYPE_CHECKING:
    from nodeapi.net import NetModule, Socket

pytestmark = pytest.mark.requires("net", "net-ipc")


# sizeof(sockaddr_un.sun_path) on Linux.
SUN_PATH = 108


def is_socket_file(path: str | Path) -> bool:
    return Path(path).is_socket()


def path_of_length(directory: Path, length: int) -> str:
    """A path in ``directory`` exactly ``length`` bytes long."""
    prefix = f"{directory}/"
    assert len(prefix) < length, f"{prefix!r} is already {len(prefix)} bytes"
    return prefix + "s" * (length - len(prefix))


def assert_system_error(err: object, code: str, syscall: str) -> None:
    assert isinstance(err, Exception) and not isinstance(err, (TypeError, ValueError, OSError)), err
    assert getattr(err, "code", None) == code
    assert getattr(err, "errno", None) == -getattr(errno, code)
    assert getattr(err, "syscall", None) == syscall


def echo_once(net: NetModule, runtime: Runtime, connect: Connect, address: str, kernel: KernelView) -> dict[str, Any]:
    """Listen on ``address``, serve one plain client (it says hello, the server
    answers and closes), then close; what was seen while it listened."""
    seen: dict[str, Any] = {}
    clients: list[PlainClient] = []

    def main() -> None:
        def on_connection(sock: Socket) -> None:
            sock.on("data", lambda data: sock.end(b"hello back"))
            sock.on("close", lambda had_error: server.close())

        server = net.create_server(on_connection)

        def listening() -> None:
            listener = kernel.listener(path=address)
            seen.update(family=listener.family, state=listener.state)
            clients.append(connect(address).send(b"hello").read_until_eof().close())

        server.listen(address, listening)

    runtime.run(main, timeout=5)
    transcript = clients[0].wait()
    seen["received"] = transcript.received
    return seen


# ------------------------------------------------------------ the socket


@pytest.mark.clause("N183")
def test_a_path_server_is_a_unix_domain_socket(
    net: NetModule, runtime: Runtime, connect: Connect, kernel: KernelView, sock_path: str
) -> None:
    seen = echo_once(net, runtime, connect, sock_path, kernel)
    assert seen == {"family": "unix", "state": "LISTEN", "received": b"hello back"}


@pytest.mark.clause("N185", "N183")
@pytest.mark.requires("net-ipc-abstract")
def test_an_abstract_name_is_a_socket_without_a_file(
    net: NetModule, runtime: Runtime, connect: Connect, kernel: KernelView, abstract_name: str
) -> None:
    seen = echo_once(net, runtime, connect, abstract_name, kernel)
    assert seen == {"family": "unix", "state": "LISTEN", "received": b"hello back"}
    # It went with the last reference: the name can be bound again at once,
    # with nothing on disk to unlink first.
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as again:
        again.bind(abstract_name)


# ---------------------------------------------------------- the file's life


@pytest.mark.clause("N187", "G123")
def test_close_unlinks_the_socket_file_it_created(net: NetModule, runtime: Runtime, sock_path: str) -> None:
    seen: dict[str, Any] = {}

    def main() -> None:
        server = net.create_server()

        def listening() -> None:
            seen["while listening"] = is_socket_file(sock_path)
            server.close(lambda err: seen.update(at_close=os.path.exists(sock_path)))

        server.listen(sock_path, listening)

    runtime.run(main, timeout=5)
    assert seen == {"while listening": True, "at_close": False}


@pytest.mark.clause("N187", "G123", "G113")
def test_the_file_goes_at_close_even_while_connections_stay(
    net: NetModule, runtime: Runtime, connect: Connect, sock_path: str
) -> None:
    seen: dict[str, Any] = {}
    clients: list[PlainClient] = []

    def main() -> None:
        def on_connection(sock: Socket) -> None:
            server.close()

            def later() -> None:
                # 'close' is still waiting for this connection, but the path is
                # free: nothing accepts there any more.
                seen["file"] = os.path.exists(sock_path)
                late = connect(sock_path, name="late").wait_connected()
                seen["late client"] = late.transcript.connect_error
                sock.end(b"still served")

            runtime.set_timeout(later, 50)

        server = net.create_server(on_connection)
        server.listen(sock_path, lambda: clients.append(connect(sock_path).read_until_eof().close()))

    runtime.run(main, timeout=5)
    assert seen == {"file": False, "late client": "ENOENT"}
    assert clients[0].wait().received == b"still served"


@pytest.mark.clause("N187")
def test_the_path_can_be_listened_on_again_after_close(net: NetModule, runtime: Runtime, sock_path: str) -> None:
    events: list[str] = []

    def main() -> None:
        first, second = net.create_server(), net.create_server()
        second.on("error", lambda err: events.append(f"error {getattr(err, 'code', err)}"))

        def relisten(err: Exception | None) -> None:
            second.listen(sock_path, in_order(lambda: events.append("second listening"), second.close))

        first.listen(sock_path, lambda: first.close(relisten))

    runtime.run(main, timeout=5)
    assert events == ["second listening"]


@pytest.mark.clause("N186")
@pytest.mark.parametrize("kind", ["regular-file", "stale-socket"])
def test_a_file_already_at_the_path_is_eaddrinuse_and_stays(
    net: NetModule, runtime: Runtime, sock_path: str, kind: str
) -> None:
    if kind == "regular-file":
        Path(sock_path).write_bytes(b"not a socket")
    else:
        # What a crashed server leaves: a socket file nobody listens on.
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as crashed:
            crashed.bind(sock_path)
    errors: list[Exception] = []
    seen: dict[str, Any] = {}
    try:

        def main() -> None:
            server = net.create_server()
            server.on("listening", lambda: seen.update(listening=True))

            def on_error(err: Exception) -> None:
                errors.append(err)
                server.close(lambda err: seen.update(after_close=os.path.exists(sock_path)))

            server.on("error", on_error)
            server.listen(sock_path)

        runtime.run(main, timeout=5)
        # Node never unlinks it, not even at close(): the user must.
        assert seen == {"after_close": True}
        if kind == "regular-file":
            assert Path(sock_path).read_bytes() == b"not a socket"
        else:
            assert is_socket_file(sock_path)
    finally:
        if os.path.lexists(sock_path):
            os.unlink(sock_path)
    [err] = errors
    assert_system_error(err, "EADDRINUSE", "listen")  # not 'bind' (F107)
    assert getattr(err, "address", None) == sock_path
    assert getattr(err, "port", None) == -1


@pytest.mark.clause("N188")
@pytest.mark.requires("net-fd")
def test_close_leaves_a_socket_file_the_caller_bound(
    net: NetModule, runtime: Runtime, connect: Connect, sock_path: str
) -> None:
    # The binding's form of listen(pipeHandle): a Unix socket the caller bound
    # and handed over as a descriptor. The server did not create the file.
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as bound:
        bound.bind(sock_path)
        fd = runtime.inherit_fd(bound)
    seen: dict[str, Any] = {}
    clients: list[PlainClient] = []
    try:

        def main() -> None:
            def on_connection(sock: Socket) -> None:
                sock.end(b"via fd")
                server.close(lambda err: seen.update(after_close=is_socket_file(sock_path)))

            server = net.create_server(on_connection)
            server.listen({"fd": fd})
            clients.append(connect(sock_path).read_until_eof().close())

        runtime.run(main, timeout=5)
        assert clients[0].wait().received == b"via fd"
        assert seen == {"after_close": True}
    finally:
        if os.path.lexists(sock_path):
            os.unlink(sock_path)


@pytest.mark.clause("N189", "N187")
def test_a_relative_path_is_resolved_against_the_cwd(
    net: NetModule, runtime: Runtime, connect: Connect, sock_dir: Path
) -> None:
    # Relative to the runtime process's working directory (read from /proc),
    # which the test leaves alone: no chdir in a process others share.
    cwd = os.readlink(f"/proc/{runtime.pid}/cwd")
    target = sock_dir / "relative.sock"
    relative = os.path.relpath(target, cwd)
    assert not os.path.isabs(relative)
    seen: dict[str, Any] = {}
    clients: list[PlainClient] = []

    def main() -> None:
        def on_connection(sock: Socket) -> None:
            sock.end(b"found")
            server.close(lambda err: seen.update(after_close=os.path.exists(target)))

        server = net.create_server(on_connection)

        def listening() -> None:
            seen.update(address=server.address(), file=is_socket_file(target))
            clients.append(connect(str(target)).read_until_eof().close())

        server.listen(relative, listening)

    runtime.run(main, timeout=5)
    assert seen == {"address": relative, "file": True, "after_close": False}
    assert clients[0].wait().received == b"found"


# ----------------------------------------------------------- path length


@pytest.mark.clause("N184")
@pytest.mark.parametrize("length", [SUN_PATH - 1, SUN_PATH], ids=["107-bytes", "108-bytes"])
def test_a_path_that_fits_sun_path_listens_under_its_full_name(
    net: NetModule, runtime: Runtime, sock_dir: Path, length: int
) -> None:
    path = path_of_length(sock_dir, length)
    seen: dict[str, Any] = {}

    def main() -> None:
        server = net.create_server()
        server.listen(
            path, in_order(lambda: seen.update(address=server.address(), files=os.listdir(sock_dir)), server.close)
        )

    runtime.run(main, timeout=5)
    assert seen == {"address": path, "files": [os.path.basename(path)]}
    assert os.listdir(sock_dir) == []


@pytest.mark.clause("N184")
@pytest.mark.node_version(">=22")  # nodejs/node#52347 (semver-major): UV_PIPE_NO_TRUNCATE
@pytest.mark.parametrize("length", [SUN_PATH + 1, SUN_PATH + 40], ids=["109-bytes", "148-bytes"])
def test_a_path_longer_than_sun_path_is_an_einval_error_event(
    net: NetModule, runtime: Runtime, sock_dir: Path, length: int
) -> None:
    path = path_of_length(sock_dir, length)
    errors: list[Exception] = []
    seen: dict[str, Any] = {}

    def main() -> None:
        server = net.create_server()
        server.on("listening", lambda: seen.update(listening_event=True))
        server.on("error", errors.append)
        server.listen(path)  # the docs say it throws; Node 24 emits 'error'
        seen["listening"] = server.listening

    runtime.run(main, timeout=5)
    assert seen == {"listening": False}
    [err] = errors
    assert_system_error(err, "EINVAL", "listen")
    assert getattr(err, "address", None) == path
    assert getattr(err, "port", None) == -1
    assert os.listdir(sock_dir) == []  # not even a truncated file


@pytest.mark.clause("N184")
@pytest.mark.node_version("<22")
def test_a_path_longer_than_sun_path_is_truncated_before_node_22(
    net: NetModule, runtime: Runtime, sock_dir: Path
) -> None:
    path = path_of_length(sock_dir, SUN_PATH + 40)
    truncated = path[:SUN_PATH]
    seen: dict[str, Any] = {}
    try:

        def main() -> None:
            server = net.create_server()

            def listening() -> None:
                seen.update(address=server.address(), files=os.listdir(sock_dir))
                server.close(lambda err: seen.update(after_close=os.path.exists(truncated)))

            server.listen(path, listening)

        runtime.run(main, timeout=5)
    finally:
        if os.path.lexists(truncated):
            os.unlink(truncated)
    # It listens on the truncated name, and close() cannot unlink that file.
    assert seen == {"address": path, "files": [os.path.basename(truncated)], "after_close": True}
