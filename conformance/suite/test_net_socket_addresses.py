# The two ends of an accepted connection (CLAUSES.md section K): remote_* of
# the peer (K168), local_* and address() of the server's end (K232), over
# IPv4, a dual-stack server reached over IPv4 ('::ffff:127.0.0.1'), IPv6 ::1,
# and IPC (no addresses at all).
#
# The expected values come from the plain-socket client (its own port) and
# the server (its port), not from the implementation's own word.
# Node: doc/api/net.md socket.remoteAddress/remoteFamily/remotePort,
# socket.localAddress/localPort/localFamily, socket.address(); lib/net.js
# _getpeername/_getsockname.

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from conformance import Runtime
from conformance.probes import Connect, PlainClient

from ._net_helpers import accept_one, port_of

if TYPE_CHECKING:
    from nodeapi.net import NetModule, Server, Socket

pytestmark = pytest.mark.requires("net")



def ends_of(sock: Socket) -> dict[str, Any]:
    return {
        "remote_address": sock.remote_address,
        "remote_port": sock.remote_port,
        "remote_family": sock.remote_family,
        "local_address": sock.local_address,
        "local_port": sock.local_port,
        "local_family": sock.local_family,
        "address": sock.address(),
    }


@pytest.mark.clause("K168", "K232")
@pytest.mark.parametrize(
    ("host", "seen_as", "family"),
    [
        ("127.0.0.1", "127.0.0.1", "IPv4"),
        pytest.param("::", "::ffff:127.0.0.1", "IPv6", marks=pytest.mark.binds_wildcard),
        ("::1", "::1", "IPv6"),
    ],
    ids=["ipv4", "dual_stack", "ipv6"],
)
def test_the_ends_of_a_tcp_connection(
    net: NetModule, runtime: Runtime, connect: Connect, has_ipv6: bool, host: str, seen_as: str, family: str
) -> None:
    # A dual-stack server ('::') reached at 127.0.0.1 sees the client, and
    # itself, as IPv4-mapped IPv6 addresses.
    if ":" in host and not has_ipv6:
        pytest.skip("no IPv6 on this machine")
    seen: list[dict[str, Any]] = []
    ports: list[int] = []

    def on_connection(server: Server, sock: Socket, client: PlainClient) -> None:
        ports.append(port_of(server))
        seen.append(ends_of(sock))
        sock.destroy()

    client_port = accept_one(net, runtime, connect, on_connection, host=host).wait().local_port
    [server_port] = ports
    assert seen == [
        {
            "remote_address": seen_as,
            "remote_port": client_port,
            "remote_family": family,
            "local_address": seen_as,
            "local_port": server_port,
            "local_family": family,
            "address": {"address": seen_as, "family": family, "port": server_port},
        }
    ]


@pytest.mark.clause("K168")
def test_remote_fields_after_destroy_are_none_or_what_they_were(
    net: NetModule, runtime: Runtime, connect: Connect
) -> None:
    # net.md: "The value may be undefined if the socket is destroyed". Node
    # keeps what was read before (cached in _peername); it never invents one.
    seen: dict[str, tuple[Any, ...]] = {}

    def on_connection(server: Server, sock: Socket, client: PlainClient) -> None:
        seen["open"] = (sock.remote_address, sock.remote_port, sock.remote_family)
        sock.destroy()
        seen["destroyed"] = (sock.remote_address, sock.remote_port, sock.remote_family)

    accept_one(net, runtime, connect, on_connection).wait()
    for before, after in zip(seen["open"], seen["destroyed"]):
        assert after in (None, before)


@pytest.mark.clause("K168")
@pytest.mark.requires("net-ipc")
def test_an_ipc_socket_has_no_addresses(net: NetModule, runtime: Runtime, connect: Connect, sock_path: str) -> None:
    seen: list[dict[str, Any]] = []

    def on_connection(server: Server, sock: Socket, client: PlainClient) -> None:
        seen.append(ends_of(sock))
        sock.destroy()

    accept_one(net, runtime, connect, on_connection, path=sock_path).wait()
    assert seen == [
        {
            "remote_address": None,
            "remote_port": None,
            "remote_family": None,
            "local_address": None,
            "local_port": None,
            "local_family": None,
            "address": {},
        }
    ]
