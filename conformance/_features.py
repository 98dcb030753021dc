# The registry of optional features (conformance/data/features.toml).

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources

__all__ = ["feature_registry", "unknown_features"]


@cache
def feature_registry() -> Mapping[str, str]:
    """Feature name -> one-line description."""
    text = resources.files("conformance").joinpath("data/features.toml").read_text("utf-8")
    return {name: entry["description"] for name, entry in tomllib.loads(text).items()}


def unknown_features(names: Iterable[str]) -> list[str]:
    registry = feature_registry()
    return sorted(name for name in names if name not in registry)
