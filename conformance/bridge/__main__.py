# python -m conformance.bridge install [--force]   npm ci the pinned runtimes
# python -m conformance.bridge where               where they are (or are not)

from __future__ import annotations

import argparse
import sys

from ._errors import BridgeError
from ._install import PACKAGES, binary, install, install_dir


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m conformance.bridge", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    install_command = commands.add_parser("install", help="install the pinned Node, Bun and Deno (npm ci)")
    install_command.add_argument("--force", action="store_true", help="reinstall even if installed")
    commands.add_parser("where", help="print where the runtimes are installed")
    args = parser.parse_args(argv)
    if args.command == "install":
        try:
            install(force=args.force)
        except BridgeError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        return 0
    print(install_dir())
    missing = 0
    for kind in PACKAGES:
        found = binary(kind)
        missing += found is None
        print(f"  {kind}: {found or 'not installed'}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
