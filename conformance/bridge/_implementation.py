# JavaScript runtimes as the kit's Implementation (conformance/_contract.py),
# registered as the entry points `node`, `bun` and `deno`:
#
#     pytest --impl=node                  Node 24 LTS, installed by the kit
#     pytest --impl=bun --impl=deno       the same suite on Bun and Deno
#     pytest --impl=node@/usr/bin/node    any other Node binary ("node-20.20.2")
#
# Each test gets a fresh child process. One spare child is kept warm, started
# while the previous test runs, so a test does not wait for a runtime to boot.

from __future__ import annotations

import atexit
import os
import weakref
from pathlib import Path

from .._features import feature_registry
from ._errors import RuntimeNotInstalled
from ._install import binary, not_installed_message
from ._runtime import BridgeRuntime
from ._session import Session, SpawnSpec

__all__ = ["BridgeImplementation", "bun_implementation", "deno_implementation", "node_implementation"]

HOST = Path(__file__).parent / "host.cjs"
EXPECTATIONS = Path(__file__).parent / "expectations"

# What each runtime does not have at all (its tests are then skipped, with
# the reason). A feature a runtime has but gets wrong stays declared: its
# tests fail, and the runtime's expectations file lists each one with the
# clause, which says more than a skip. Decided per feature on the pinned
# releases (bun 1.4.5, deno 2.9.6): both have the APIs of abstract Unix
# names, listen({fd}), AbortSignal, BlockList, Symbol.asyncDispose,
# captureRejections and process 'warning', and Deno has listen(handle). Bun
# has no form of listen(handle) at all: a Server, {handle} and {_handle}
# throw ERR_INVALID_ARG_VALUE and a raw handle never listens.
MISSING: dict[str, dict[str, str]] = {
    "node": {},
    "bun": {"net-handle": "listen(handle) is not implemented in any form (https://github.com/oven-sh/bun/pull/34659)"},
    "deno": {},
}

_live_sessions: weakref.WeakSet[Session] = weakref.WeakSet()


@atexit.register
def _kill_children() -> None:
    for session in list(_live_sessions):
        session.close()


def _argv(kind: str, path: Path) -> list[str]:
    if kind == "deno":
        # --no-config: the test's working directory may hold a deno.json.
        return [str(path), "run", "--allow-all", "--quiet", "--no-config", str(HOST)]
    return [str(path), str(HOST)]


def _env(kind: str) -> dict[str, str]:
    env = dict(os.environ)
    env["NO_COLOR"] = "1"
    env.pop("FORCE_COLOR", None)
    if kind == "deno":
        env["DENO_NO_UPDATE_CHECK"] = "1"
        env["DENO_NO_PROMPT"] = "1"
    return env


class BridgeImplementation:
    """A JavaScript runtime binary, graded through the bridge."""

    def __init__(self, kind: str, path: Path, *, pinned: bool) -> None:
        self._kind = kind
        self._path = path
        self._pinned = pinned
        self._spec = SpawnSpec(_argv(kind, path), _env(kind), kind)
        self._spare: Session | None = None
        self._reusable: list[Session] = []
        # A child that ends a test as it started serves the next one (see
        # Session._recycled); NNC_BRIDGE_FRESH=1 starts a new one every time.
        self._reuse = os.environ.get("NNC_BRIDGE_FRESH", "") in ("", "0")
        info = self._spare_session().wait_ready()
        if kind == "node":
            self._version = str(info["version"]).lstrip("v")
        else:
            self._version = str(info[kind])
        self._node_version = str(info["node"])
        self._name = kind if pinned else f"{kind}-{self._version}"
        self._spec.label = f"{self._name} {self._version}"
        self._features = self._supported(info["features"])

    def _supported(self, probed: dict[str, bool]) -> frozenset[str]:
        # Every feature of the registry, less what the runtime lacks (MISSING, with the reason).
        features = set(feature_registry()) - set(MISSING.get(self._kind, {}))
        # Probed in the child (host.cjs 'ready'): an older Node has no
        # Server[Symbol.asyncDispose] or BlockList.
        if not probed.get("subclass"):
            features.discard("events-subclass")
        if not probed.get("dispose"):
            features.discard("net-dispose")
        if not probed.get("block_list"):
            features.discard("net-block-list")
        if self._kind == "node" and not _has_server_block_list(self._node_version):
            # ServerOpts.blockList arrived in v23.4.0/v22.13.0 (net.md history);
            # v20 has net.BlockList but ignores the option (clause B59).
            features.discard("net-block-list")
        return frozenset(features)

    # ------------------------------------------------------------ contract

    @property
    def name(self) -> str:
        return self._name

    @property
    def version(self) -> str:
        return self._version

    @property
    def node_version(self) -> str:
        return self._node_version

    @property
    def features(self) -> frozenset[str]:
        return self._features

    @property
    def expected_failures(self) -> Path | None:
        if not self._pinned:
            return None  # the file records the pinned release's divergences
        path = EXPECTATIONS / f"{self._kind}.toml"
        if not path.exists():
            return None
        return path

    def describe(self) -> str:
        return f"{self._path} ({self._kind} {self._version}) through the bridge"

    def start(self) -> BridgeRuntime:
        if self._reusable:
            session = self._reusable.pop()
        else:
            session = self._spare_session()
            self._spare = None
            session.wait_ready()
            self._spare = self._spawn()  # boots while this test runs
        return BridgeRuntime(session, reuse=self._give_back if self._reuse else None)

    def _give_back(self, session: Session) -> None:
        _live_sessions.add(session)
        if len(self._reusable) < 2:
            self._reusable.append(session)
        else:
            session.close()

    # ------------------------------------------------------------------

    def _spawn(self) -> Session:
        session = Session(self._spec)
        _live_sessions.add(session)
        return session

    def _spare_session(self) -> Session:
        spare = self._spare
        if spare is None or spare.proc is None or spare.proc.poll() is not None:
            if spare is not None:
                spare.close()
            spare = self._spare = self._spawn()
        return spare

    def __del__(self) -> None:
        for session in [getattr(self, "_spare", None), *getattr(self, "_reusable", [])]:
            if session is not None:
                session.close()


def _has_server_block_list(version: str) -> bool:
    try:
        major, minor, _ = (int(part) for part in version.lstrip("v").split("."))
    except ValueError:
        return False
    return (major, minor) >= (23, 4) or (major == 22 and minor >= 13)


def _factory(kind: str, path: str | None) -> BridgeImplementation:
    if path:
        given = Path(path).expanduser()
        if not given.exists():
            raise RuntimeNotInstalled(f"no {kind} binary at {given}")
        return BridgeImplementation(kind, given.resolve(), pinned=False)
    found = binary(kind)
    if found is None:
        raise RuntimeNotInstalled(not_installed_message(kind))
    return BridgeImplementation(kind, found, pinned=True)


def node_implementation(path: str | None = None) -> BridgeImplementation:
    """Node 24 LTS as installed by ``python -m conformance.bridge install``, or the Node at ``path``."""
    return _factory("node", path)


def bun_implementation(path: str | None = None) -> BridgeImplementation:
    """Bun as installed by ``python -m conformance.bridge install``, or the Bun at ``path``."""
    return _factory("bun", path)


def deno_implementation(path: str | None = None) -> BridgeImplementation:
    """Deno as installed by ``python -m conformance.bridge install``, or the Deno at ``path``."""
    return _factory("deno", path)
