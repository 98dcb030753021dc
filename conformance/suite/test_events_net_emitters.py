"""node:events semantics on node:net's emitters (clause A47).

Node 20's stream-based emitters (net.Socket) pre-allocate their listener
store ("shape mode") and did not emit 'removeListener' when the only
listener of an event went; Node 24 emits it like any emitter. The kit asserts
the Node 24 behaviour, on a server-side Socket and on a Server.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

from conformance.suite._net_helpers import LOOPBACK, listen_loopback

if TYPE_CHECKING:
    from nodeapi.net import NetModule

    from conformance import Runtime
    from conformance.probes._client import PlainClient

pytestmark = pytest.mark.requires("net")


def _add_and_remove_the_only_listener(emitter: Any, name: str) -> list[tuple[object, object]]:
    removed: list[tuple[object, object]] = []

    def listener(*args: object) -> None:
        pass

    emitter.on("removeListener", lambda event, fn: removed.append((event, fn)))
    emitter.on(name, listener)
    emitter.remove_listener(name, listener)
    return [(event, fn is listener) for event, fn in removed]


@pytest.mark.clause("A47")
def test_removing_the_only_listener_of_a_server_side_socket_emits_remove_listener(
    runtime: Runtime, net: NetModule, connect: Callable[..., PlainClient]
) -> None:
    seen: dict[str, list[tuple[object, object]]] = {}
    clients: list[PlainClient] = []

    def on_connection(socket: Any) -> None:
        seen["socket"] = _add_and_remove_the_only_listener(socket, "a-custom-event")
        socket.destroy()
        server.close()

    server = net.create_server(on_connection)

    def main() -> None:
        listen_loopback(server, lambda port: clients.append(connect((LOOPBACK, port)).read_until_eof()))

    runtime.run(main, timeout=5)
    for client in clients:
        client.wait()
    assert seen == {"socket": [("a-custom-event", True)]}


@pytest.mark.clause("A47")
def test_removing_the_only_listener_of_a_server_emits_remove_listener(net: NetModule) -> None:
    server = net.create_server()
    assert _add_and_remove_the_only_listener(server, "a-custom-event") == [("a-custom-event", True)]
