# Fixtures for the bridge's own tests: each test runs once per installed
# runtime (node, bun, deno). A runtime that is not installed is skipped with
# the command that installs it; CI installs them (python -m conformance.bridge install).

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from conformance.bridge import (
    BridgeImplementation,
    BridgeRuntime,
    RuntimeNotInstalled,
    bun_implementation,
    deno_implementation,
    node_implementation,
)

FACTORIES: dict[str, Callable[[], BridgeImplementation]] = {
    "node": node_implementation,
    "bun": bun_implementation,
    "deno": deno_implementation,
}

_loaded: dict[str, BridgeImplementation] = {}


def load(kind: str) -> BridgeImplementation:
    if kind not in _loaded:
        try:
            _loaded[kind] = FACTORIES[kind]()
        except RuntimeNotInstalled as exc:
            pytest.skip(str(exc))
    return _loaded[kind]


@pytest.fixture(params=sorted(FACTORIES))
def bridge_impl(request: pytest.FixtureRequest) -> BridgeImplementation:
    return load(request.param)


@pytest.fixture
def node_impl() -> BridgeImplementation:
    return load("node")


@pytest.fixture
def rt(bridge_impl: BridgeImplementation) -> Iterator[BridgeRuntime]:
    runtime = bridge_impl.start()
    try:
        yield runtime
    finally:
        runtime.close()
