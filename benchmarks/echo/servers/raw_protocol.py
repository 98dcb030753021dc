"""Baselines: the leanest echo asyncio offers.

    python raw_protocol.py [--uvloop] [--buffered]   (prints the port, serves until SIGTERM)

Protocol writes back what data_received() got (what the issue names as the
baseline). BufferedProtocol reads into one preallocated buffer: on asyncio it
avoids the 256 KiB allocation the plain Protocol read path makes per recv()
(selector_events), so it is the stronger baseline there, and the reference
(which reads that way too) is also compared with it.
"""

from __future__ import annotations

import asyncio
import signal
import sys


class Echo(asyncio.Protocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport: asyncio.WriteTransport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.transport.write(data)


class BufferedEcho(asyncio.BufferedProtocol):
    def __init__(self) -> None:
        self.buffer = bytearray(65536)
        self.view = memoryview(self.buffer)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport: asyncio.WriteTransport = transport  # type: ignore[assignment]

    def get_buffer(self, sizehint: int) -> memoryview:
        return self.view

    def buffer_updated(self, nbytes: int) -> None:
        self.transport.write(self.buffer[:nbytes])


async def main() -> None:
    loop = asyncio.get_running_loop()
    protocol = BufferedEcho if "--buffered" in sys.argv else Echo
    server = await loop.create_server(protocol, "127.0.0.1", 0, backlog=511)
    print(server.sockets[0].getsockname()[1], flush=True)
    stop = loop.create_future()
    loop.add_signal_handler(signal.SIGTERM, stop.set_result, None)
    await stop
    server.close()


if __name__ == "__main__":
    if "--uvloop" in sys.argv:
        import uvloop

        uvloop.run(main())
    else:
        asyncio.run(main())
