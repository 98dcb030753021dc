# The markers a conformance test carries, and the version gates they describe.
#
#   @pytest.mark.clause("G118", "G119")   clause ids the test pins (required)
#   @pytest.mark.requires("net-ipc")      optional features it needs
#   @pytest.mark.node_version(">=21")     behaviour that changed between Node
#                                         releases: runs only where the
#                                         implementation follows such a release

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable

import pytest

from ._registry import parse_node_version

__all__ = ["MARKERS", "VersionGate", "clauses_of", "features_of", "version_gates_of"]

MARKERS = {
    "clause": "clause(*ids): the clauses (conformance/data/clauses.toml) a conformance test pins",
    "requires": "requires(*features): optional features (conformance/data/features.toml) the test needs",
    "node_version": "node_version(spec): e.g. '>=21'; the test pins behaviour of those Node releases only",
    "binds_wildcard": "binds_wildcard: the clause needs a bind without host ('::'); runs only where that exposes "
    "nothing (a loopback-only network namespace) or with --allow-wildcard-bind",
}

_OPERATORS: dict[str, Callable[[tuple[int, int, int], tuple[int, int, int]], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
    "==": operator.eq,
}


class VersionGate:
    """A conjunction like ``>=21,<23``; versions compare as (major, minor, patch)."""

    def __init__(self, spec: str) -> None:
        self.spec = spec
        self._terms: list[tuple[str, tuple[int, int, int]]] = []
        for term in spec.split(","):
            term = term.strip()
            op = next((op for op in sorted(_OPERATORS, key=len, reverse=True) if term.startswith(op)), None)
            if op is None:
                raise ValueError(f"node_version({spec!r}): each term needs one of {sorted(_OPERATORS)}")
            version = term[len(op) :].strip()
            padded = ".".join((version.split(".") + ["0", "0"])[:3])
            self._terms.append((op, parse_node_version(padded)))

    def admits(self, version: str) -> bool:
        parsed = parse_node_version(version)
        return all(_OPERATORS[op](parsed, bound) for op, bound in self._terms)


def _marker_args(item: pytest.Item, name: str) -> list[str]:
    values: list[str] = []
    for mark in item.iter_markers(name):
        for arg in mark.args:
            if not isinstance(arg, str):
                raise TypeError(f"{item.nodeid}: @pytest.mark.{name} takes strings, got {arg!r}")
            values.append(arg)
    return values


def clauses_of(item: pytest.Item) -> list[str]:
    return sorted(set(_marker_args(item, "clause")), key=lambda cid: (int(cid[1:]) if cid[1:].isdigit() else 0, cid))


def features_of(item: pytest.Item) -> list[str]:
    return sorted(set(_marker_args(item, "requires")))


def version_gates_of(item: pytest.Item) -> Iterable[VersionGate]:
    return [VersionGate(spec) for spec in _marker_args(item, "node_version")]
