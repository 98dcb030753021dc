# Asynchronous listen errors (CLAUSES.md section F): EADDRINUSE on TCP and on
# pipe paths, its shape, the server's state afterwards, other bind failures,
# and the documented recovery pattern. The port or path is taken by a plain
# socket of the test's own (another process, as far as the server can tell)
# or by a second server of the runtime.
# Node: lib/net.js setupListenHandle (UVExceptionWithHostPort, emitErrorNT);
# doc/api/net.md server.listen() "EADDRINUSE"; test-net-listen-error.js.

from __future__ import annotations

import errno
import os
import socket
from typing import TYPE_CHECKING, Any

import pytest

from conformance import Runtime
from conformance.probes import KernelView

from ._net_helpers import LOOPBACK, held_port, in_order, port_of, record

if TYPE_CHECKING:
    from nodeapi.net import NetModule

pytestmark = pytest.mark.requires("net")


def assert_system_error(err: object, code: str, syscall: str) -> None:
    """A plain JavaScript Error from libuv: Node's code, negative errno, syscall."""
    assert isinstance(err, Exception)
    assert not isinstance(err, (TypeError, ValueError, OSError))  # errno keeps Node's sign
    assert getattr(err, "code", None) == code
    assert getattr(err, "errno", None) == -getattr(errno, code)
    assert getattr(err, "syscall", None) == syscall


@pytest.mark.clause("F106")
def test_eaddrinuse_arrives_after_listen_returned(net: NetModule, runtime: Runtime) -> None:
    order: list[str] = []
    with held_port() as port:

        def main() -> None:
            server = net.create_server()
            server.on("error", lambda err: order.append("error"))
            server.listen(port, LOOPBACK)  # does not throw
            order.append("listen() returned")

        runtime.run(main, timeout=5)
    assert order == ["listen() returned", "error"]


@pytest.mark.clause("F107")
def test_eaddrinuse_shape(net: NetModule, runtime: Runtime) -> None:
    errors: list[Exception] = []
    with held_port() as port:

        def main() -> None:
            server = net.create_server()
            server.on("error", errors.append)
            server.listen(port, LOOPBACK)

        runtime.run(main, timeout=5)
    [err] = errors
    assert_system_error(err, "EADDRINUSE", "listen")  # 'listen', not 'bind': libuv defers bind errors
    assert getattr(err, "address", None) == LOOPBACK
    assert getattr(err, "port", None) == port


@pytest.mark.clause("F107")
def test_eaddrinuse_between_two_servers_of_the_runtime(net: NetModule, runtime: Runtime) -> None:
    errors: list[Exception] = []
    ports: list[int] = []

    def main() -> None:
        first = net.create_server()
        second = net.create_server()
        second.on("error", in_order(first.close))
        second.on("error", errors.append)

        def listening() -> None:
            ports.append(port_of(first))
            second.listen(port_of(first), LOOPBACK)

        first.listen(0, LOOPBACK, listening)

    runtime.run(main, timeout=5)
    [err] = errors
    assert_system_error(err, "EADDRINUSE", "listen")
    assert (getattr(err, "address", None), getattr(err, "port", None)) == (LOOPBACK, ports[0])


@pytest.mark.clause("F108")
@pytest.mark.binds_wildcard
def test_eaddrinuse_without_a_host_names_the_wildcard(net: NetModule, runtime: Runtime, has_ipv6: bool) -> None:
    errors: list[Exception] = []
    ports: list[int] = []

    def main() -> None:
        first = net.create_server()
        first.listen(0)
        ports.append(port_of(first))
        second = net.create_server()
        second.on("error", errors.append)
        second.on("error", in_order(first.close))
        second.listen(ports[0])

    runtime.run(main, timeout=5)
    [err] = errors
    assert_system_error(err, "EADDRINUSE", "listen")
    assert getattr(err, "address", None) == ("::" if has_ipv6 else "0.0.0.0")
    assert getattr(err, "port", None) == ports[0]


@pytest.mark.clause("F108")
@pytest.mark.binds_wildcard
def test_a_dual_stack_bind_conflicts_with_an_ipv4_holder(net: NetModule, runtime: Runtime, has_ipv6: bool) -> None:
    # '::' with IPV6_V6ONLY off also takes the port on every IPv4 address.
    errors: list[Exception] = []
    with held_port(LOOPBACK) as port:

        def main() -> None:
            server = net.create_server()
            server.on("error", errors.append)
            server.listen(port)

        runtime.run(main, timeout=5)
    [err] = errors
    assert getattr(err, "code", None) == "EADDRINUSE"
    assert getattr(err, "address", None) == ("::" if has_ipv6 else "0.0.0.0")


@pytest.mark.clause("F109")
@pytest.mark.requires("net-ipc")
def test_eaddrinuse_on_a_path(net: NetModule, runtime: Runtime, sock_path: str) -> None:
    errors: list[Exception] = []
    seen: dict[str, Any] = {}
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as holder:
        holder.bind(sock_path)
        holder.listen(1)
        try:

            def main() -> None:
                server = net.create_server()
                server.on("error", errors.append)
                server.on("error", lambda err: seen.update(listening=server.listening))
                server.listen(sock_path)

            runtime.run(main, timeout=5)
        finally:
            os.unlink(sock_path)  # the holder's file: Node never unlinks what it did not create
    [err] = errors
    assert_system_error(err, "EADDRINUSE", "listen")
    assert getattr(err, "address", None) == sock_path
    assert getattr(err, "port", None) == -1
    assert seen == {"listening": False}


@pytest.mark.clause("F110")
def test_state_after_a_listen_error(net: NetModule, runtime: Runtime, kernel: KernelView) -> None:
    seen: dict[str, Any] = {}
    with socket.socket() as holder:
        holder.bind((LOOPBACK, 0))
        holder.listen(1)
        port = holder.getsockname()[1]
        holder_inode = os.fstat(holder.fileno()).st_ino  # the holder may live in the runtime's process

        def main() -> None:
            server = net.create_server()

            def on_error(err: Exception) -> None:
                seen["listening"] = server.listening
                seen["address"] = server.address()
                # The failed handle is released: the runtime holds no socket on the port.
                seen["runtime's sockets on the port"] = [
                    sock for sock in kernel.sockets() if sock.local_port == port and sock.inode != holder_inode
                ]

            server.on("error", on_error)
            server.listen(port, LOOPBACK)

        runtime.run(main, timeout=5)
    assert seen == {"listening": False, "address": None, "runtime's sockets on the port": []}


@pytest.mark.clause("F111")
def test_binding_an_address_that_is_not_local_is_an_error_event(net: NetModule, runtime: Runtime) -> None:
    host = "192.0.2.1"  # TEST-NET-1 (RFC 5737): not an address of this machine
    logs: list[list[tuple[str, tuple[Any, ...]]]] = []
    calls: list[str] = []

    def main() -> None:
        server = net.create_server()
        logs.append(record(server, "listening", "error"))
        server.listen(1, host, lambda: calls.append("listen callback"))

    runtime.run(main, timeout=5)
    [log] = logs
    assert [name for name, _ in log] == ["error"]
    [err] = log[0][1]
    assert_system_error(err, "EADDRNOTAVAIL", "listen")
    assert (getattr(err, "address", None), getattr(err, "port", None)) == (host, 1)
    assert calls == []


def can_bind_privileged_ports() -> bool:
    with socket.socket() as probe:
        try:
            probe.bind((LOOPBACK, 1))
        except PermissionError:
            return False
        except OSError:
            return True  # in use, so bindable by someone; privilege is not what stops us
    return True


@pytest.mark.clause("F111")
def test_binding_a_privileged_port_without_privilege_is_an_error_event(net: NetModule, runtime: Runtime) -> None:
    if can_bind_privileged_ports():
        pytest.skip("this process may bind ports below 1024 (root or CAP_NET_BIND_SERVICE)")
    errors: list[Exception] = []
    calls: list[str] = []

    def main() -> None:
        server = net.create_server()
        server.on("error", errors.append)
        server.listen(1, LOOPBACK, lambda: calls.append("listen callback"))

    runtime.run(main, timeout=5)
    [err] = errors
    assert_system_error(err, "EACCES", "listen")
    assert calls == []


@pytest.mark.clause("F112", "F110")
def test_the_documented_recovery_pattern(net: NetModule, runtime: Runtime) -> None:
    # net.md: on EADDRINUSE, wait, then server.close(); server.listen(...).
    events: list[str] = []
    ports: list[int] = []
    holder = socket.socket()
    try:
        holder.bind((LOOPBACK, 0))
        holder.listen(1)
        port = holder.getsockname()[1]

        def main() -> None:
            server = net.create_server()

            def on_error(err: Exception) -> None:
                events.append(f"error {getattr(err, 'code', None)}")
                if getattr(err, "code", None) == "EADDRINUSE":
                    holder.close()  # whoever held the port lets it go

                    def retry() -> None:
                        server.close()
                        server.listen(port, LOOPBACK)

                    runtime.set_timeout(retry, 50)

            def on_listening() -> None:
                events.append("listening")
                ports.append(port_of(server))
                server.close()

            server.on("error", on_error)
            server.on("listening", on_listening)
            server.listen(port, LOOPBACK)

        runtime.run(main, timeout=5)
    finally:
        holder.close()
    assert events == ["error EADDRINUSE", "listening"]
    assert ports == [port]
