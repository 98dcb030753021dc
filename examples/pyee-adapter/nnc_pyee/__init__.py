# node-net-conformance implementation plugin for pyee: events only.
#
#     pip install ./examples/pyee-adapter
#     pytest --impl=pyee
#
# net is declared unsupported (pyee has none), so every node:net test is
# reported "unsupported". What pyee does differently from Node's EventEmitter
# is listed, clause by clause, in expected-failures.toml.

from __future__ import annotations

from importlib import metadata, resources
from pathlib import Path

from ._runtime import PyeeRuntime

__all__ = ["PyeeImplementation", "implementation"]


class PyeeImplementation:
    name = "pyee"
    # pyee follows no Node release; it is graded against the kit's baseline.
    node_version = "24.21.0"
    features = frozenset({"events-capture-rejections", "events-subclass", "process-warnings"})

    @property
    def version(self) -> str:
        return metadata.version("pyee")

    @property
    def expected_failures(self) -> Path | None:
        return Path(str(resources.files(__name__).joinpath("expected-failures.toml")))

    def describe(self) -> str:
        return "pyee.asyncio.AsyncIOEventEmitter on asyncio"

    def start(self) -> PyeeRuntime:
        return PyeeRuntime()


def implementation() -> PyeeImplementation:
    return PyeeImplementation()
