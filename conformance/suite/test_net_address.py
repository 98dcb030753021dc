# server.address() (CLAUSES.md section H): the AddressInfo of a TCP server,
# the path of an IPC server, and when there is none.
#
# The docs say address() is null "before the 'listening' event has been
# emitted" and after close(). Node 24 answers as soon as a handle exists
# (synchronously after listen(port) without a host, listen(path)), and an IPC
# server keeps its path after close() and after a failed listen; the kit
# follows Node (H129, H130). What address() reports is compared with what the
# kernel says the runtime bound.
# Node: lib/net.js Server.prototype.address; doc/api/net.md server.address().

from __future__ import annotations

import os
import socket
from typing import TYPE_CHECKING, Any

import pytest

from conformance import Runtime
from conformance.probes import KernelView

from ._net_helpers import LOOPBACK, held_port, in_order

if TYPE_CHECKING:
    from nodeapi.net import NetModule

pytestmark = pytest.mark.requires("net")


@pytest.mark.clause("H126")
@pytest.mark.parametrize(("host", "family"), [(LOOPBACK, "IPv4"), ("::1", "IPv6")])
def test_a_tcp_server_reports_address_family_and_port(
    net: NetModule, runtime: Runtime, kernel: KernelView, has_ipv6: bool, host: str, family: str
) -> None:
    if family == "IPv6" and not has_ipv6:
        pytest.skip("this machine cannot bind ::1")
    seen: dict[str, Any] = {}

    def main() -> None:
        server = net.create_server()

        def listening() -> None:
            address = seen["address"] = server.address()
            assert isinstance(address, dict)
            listener = kernel.listener(port=address["port"])
            seen["kernel"] = (listener.family, listener.local_address)
            server.close()

        server.listen(0, host, listening)

    runtime.run(main, timeout=5)
    address = seen["address"]
    assert set(address) == {"address", "family", "port"}
    assert address["address"] == host
    assert address["family"] == family  # a string since Node 18.4, not 4 or 6
    assert isinstance(address["port"], int) and not isinstance(address["port"], bool)
    assert 0 < address["port"] < 65536
    assert seen["kernel"] == (family, host)


@pytest.mark.clause("H126")
def test_each_call_returns_a_new_dict(net: NetModule, runtime: Runtime) -> None:
    seen: list[bool] = []

    def main() -> None:
        server = net.create_server()

        def listening() -> None:
            first, second = server.address(), server.address()
            assert isinstance(first, dict)
            seen.append(first == second and first is not second)
            first["port"] = 1  # the caller's copy; the server's answer does not change
            seen.append(server.address() == second)
            server.close()

        server.listen(0, LOOPBACK, listening)

    runtime.run(main, timeout=5)
    assert seen == [True, True]


@pytest.mark.clause("H127")
@pytest.mark.requires("net-ipc")
def test_an_ipc_server_reports_its_path(net: NetModule, runtime: Runtime, sock_path: str) -> None:
    seen: list[object] = []

    def main() -> None:
        server = net.create_server()
        server.listen(sock_path, in_order(lambda: seen.append(server.address()), server.close))

    runtime.run(main, timeout=5)
    assert seen == [sock_path]


@pytest.mark.clause("H127")
@pytest.mark.requires("net-ipc", "net-ipc-abstract")
def test_an_abstract_server_reports_its_name_with_the_leading_nul(
    net: NetModule, runtime: Runtime, abstract_name: str
) -> None:
    seen: list[object] = []

    def main() -> None:
        server = net.create_server()
        server.listen(abstract_name, in_order(lambda: seen.append(server.address()), server.close))

    runtime.run(main, timeout=5)
    assert seen == [abstract_name]
    assert abstract_name.startswith("\0")


# ---------------------------------------------------------- when it is None


@pytest.mark.clause("H128")
def test_none_before_listen(net: NetModule) -> None:
    assert net.create_server().address() is None


@pytest.mark.clause("H128", "H129")
def test_none_while_a_host_lookup_is_pending(net: NetModule, runtime: Runtime) -> None:
    seen: dict[str, Any] = {}

    def main() -> None:
        server = net.create_server()
        server.listen(0, LOOPBACK, in_order(lambda: seen.update(listening=server.address()), server.close))
        # Even a literal IP goes through dns.lookup first (D81).
        seen["after listen()"] = server.address()

    runtime.run(main, timeout=5)
    assert seen["after listen()"] is None
    assert isinstance(seen["listening"], dict)


@pytest.mark.clause("H128")
def test_none_after_a_listen_error(net: NetModule, runtime: Runtime) -> None:
    seen: list[object] = []
    with held_port() as port:

        def main() -> None:
            server = net.create_server()
            server.on("error", lambda err: seen.append(server.address()))
            server.listen(port, LOOPBACK)

        runtime.run(main, timeout=5)
    assert seen == [None]


@pytest.mark.clause("H128")
def test_none_right_after_close_of_a_tcp_server(net: NetModule, runtime: Runtime) -> None:
    seen: list[object] = []

    def main() -> None:
        server = net.create_server()

        def listening() -> None:
            seen.append(server.address() is not None)
            server.close(lambda err: seen.append(server.address()))
            seen.append(server.address())  # synchronously, before 'close'

        server.listen(0, LOOPBACK, listening)

    runtime.run(main, timeout=5)
    assert seen == [True, None, None]


# ------------------------------------------- Node 24's timing vs the docs


@pytest.mark.clause("H129")
@pytest.mark.binds_wildcard
def test_available_right_after_listen_without_a_host(
    net: NetModule, runtime: Runtime, kernel: KernelView, has_ipv6: bool
) -> None:
    seen: dict[str, Any] = {}

    def main() -> None:
        server = net.create_server()
        server.on("listening", in_order(lambda: seen.update(at_listening=server.address()), server.close))
        server.listen(0)
        # Before 'listening' (the docs say null here; Node has bound already).
        address = seen["after listen()"] = server.address()
        assert isinstance(address, dict)
        seen["kernel"] = kernel.listener(port=address["port"]).local_address

    runtime.run(main, timeout=5)
    wildcard = "::" if has_ipv6 else "0.0.0.0"
    assert seen["after listen()"]["address"] == wildcard
    assert seen["at_listening"] == seen["after listen()"]
    assert seen["kernel"] == wildcard


@pytest.mark.clause("H129", "H127")
@pytest.mark.requires("net-ipc")
def test_available_right_after_listen_on_a_path(net: NetModule, runtime: Runtime, sock_path: str) -> None:
    seen: list[object] = []

    def main() -> None:
        server = net.create_server()
        server.listen(sock_path, server.close)
        seen.append(server.address())

    runtime.run(main, timeout=5)
    assert seen == [sock_path]


@pytest.mark.clause("H130")
@pytest.mark.requires("net-ipc")
def test_an_ipc_server_keeps_its_path_after_close(net: NetModule, runtime: Runtime, sock_path: str) -> None:
    seen: list[object] = []

    def main() -> None:
        server = net.create_server()

        def listening() -> None:
            server.close(lambda err: seen.append(server.address()))
            seen.append(server.address())

        server.listen(sock_path, listening)

    runtime.run(main, timeout=5)
    # lib/net.js never clears _pipeName; the docs say null after close.
    assert seen == [sock_path, sock_path]
    assert not os.path.exists(sock_path)


@pytest.mark.clause("H130")
@pytest.mark.requires("net-ipc")
def test_an_ipc_server_reports_its_path_after_a_listen_error(
    net: NetModule, runtime: Runtime, sock_path: str
) -> None:
    seen: list[object] = []
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as holder:
        holder.bind(sock_path)
        holder.listen(1)
        try:

            def main() -> None:
                server = net.create_server()
                server.on("error", lambda err: seen.extend([getattr(err, "code", err), server.address()]))
                server.listen(sock_path)

            runtime.run(main, timeout=5)
        finally:
            os.unlink(sock_path)  # the holder's own file
    assert seen == ["EADDRINUSE", sock_path]
