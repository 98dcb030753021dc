# node:net, server side, in the Python binding (CONFORMANCE.md section 1):
#
#     server = net.create_server(lambda c: c.pipe(c))
#     server.listen(8124, lambda: print("server bound"))
#
# Layout: _server (Server, listen, accept), _socket (Socket and the handle of
# one connection), _stream (stream.Duplex, which Socket is), _blocklist
# (BlockList, SocketAddress), _ip (is_ip...), _encoding (Buffer encodings),
# _validators (JavaScript value semantics and Node's validators).

from __future__ import annotations

from .._abort import AbortController, AbortSignal
from ._blocklist import BlockList, SocketAddress
from ._ip import is_ip, is_ipv4, is_ipv6
from ._server import Server, create_server
from ._socket import Socket

__all__ = [
    "AbortController",
    "AbortSignal",
    "BlockList",
    "Server",
    "Socket",
    "SocketAddress",
    "Stream",
    "create_server",
    "is_ip",
    "is_ipv4",
    "is_ipv6",
]

Stream = Socket  # lib/net.js: `Stream: Socket, // Legacy naming`
