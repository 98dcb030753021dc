"""The reference: the seed's echo, net.create_server(lambda c: c.pipe(c)).

Usage: python reference_echo.py [--uvloop]   (prints the port, serves until SIGTERM)
"""

from __future__ import annotations

import signal
import sys

from reference import Process, net
from reference._process import set_current_process


def main() -> None:
    loop_factory = None
    if "--uvloop" in sys.argv:
        import uvloop

        loop_factory = uvloop.new_event_loop
    process = Process(loop_factory)
    set_current_process(process)
    server = net.create_server(lambda c: c.pipe(c))

    def script() -> None:
        server.listen(0, "127.0.0.1", lambda: print(server.address()["port"], flush=True))
        process.loop.add_signal_handler(signal.SIGTERM, server.close)

    process.run(script)


if __name__ == "__main__":
    main()
