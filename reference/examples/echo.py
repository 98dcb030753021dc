# The seed's echo server (net.createServer's example in the API reference), as
# a program on the reference implementation:
#
#     python -m reference.examples.echo                   # TCP, port 8124
#     python -m reference.examples.echo --path /tmp/echo.sock
#     telnet localhost 8124      /      nc -U /tmp/echo.sock
#
# It prints exactly what the JavaScript prints ('server bound', 'client
# connected', 'client disconnected'), greets each client with 'hello\r\n' and
# echoes what it sends. SIGINT or SIGTERM stops it cleanly: the server closes,
# open connections are ended, and the process exits with status 0.
#
# --port 0 picks a free port; --host binds one address instead of all of them
# (the seed binds every interface); --print-address writes the bound address
# to stderr as JSON (stdout keeps the seed's messages only).

from __future__ import annotations

import argparse
import json
import signal
import sys
from collections.abc import Sequence
from typing import Any

from .. import net
from .._process import Process, current_process, set_current_process


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m reference.examples.echo", description=__doc__)
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--port", type=int, default=8124, help="TCP port (default 8124; 0 picks a free one)")
    where.add_argument("--path", help="listen on this Unix socket path instead of TCP")
    parser.add_argument("--host", help="bind this address only (default: all interfaces, as the seed does)")
    parser.add_argument("--print-address", action="store_true", help="write the bound address to stderr as JSON")
    parser.add_argument("--uvloop", action="store_true", help="run on uvloop instead of asyncio's loop")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(argv)
    if args.uvloop:
        import uvloop

        set_current_process(Process(uvloop.new_event_loop))
    process = current_process()
    connections: set[Any] = set()

    def script() -> None:
        def on_connection(c: Any) -> None:
            # 'connection' listener.
            print("client connected", flush=True)
            connections.add(c)
            c.on("end", lambda: print("client disconnected", flush=True))
            c.on("close", lambda had_error: connections.discard(c))
            c.write("hello\r\n")
            c.pipe(c)

        server = net.create_server(on_connection)

        def on_error(err: BaseException) -> None:
            raise err

        server.on("error", on_error)

        def bound() -> None:
            print("server bound", flush=True)
            if args.print_address:
                print(json.dumps(server.address()), file=sys.stderr, flush=True)

        def stop() -> None:
            # Close the server and end what is open; run() returns once all is closed.
            server.close()
            for c in list(connections):
                c.destroy()

        for signum in (signal.SIGINT, signal.SIGTERM):
            process.loop.add_signal_handler(signum, process.invoke, stop)
        if args.path is not None:
            server.listen(args.path, bound)
        elif args.host is not None:
            server.listen(args.port, args.host, bound)
        else:
            server.listen(args.port, bound)

    try:
        process.run(script)
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            process.loop.remove_signal_handler(signum)
        process.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
