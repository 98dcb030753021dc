# Finding and loading implementations.
#
# Installed implementations register an entry point in the group
# ``node_net_conformance.implementations``; ``--impl=NAME`` picks one. An
# implementation that is not installed is loaded by ``--impl=package.module:attr``
# (entry-point discovery can fail under freezers and broken installs, and a
# work in progress should not need packaging to be graded).

from __future__ import annotations

import importlib
from collections.abc import Mapping
from importlib.metadata import EntryPoint, entry_points

from ._contract import Implementation, Runtime
from ._features import unknown_features

__all__ = ["ENTRY_POINT_GROUP", "ImplementationError", "installed_implementations", "load_implementation"]

ENTRY_POINT_GROUP = "node_net_conformance.implementations"


class ImplementationError(Exception):
    """An implementation could not be found, loaded, or does not keep the contract."""


def installed_implementations() -> Mapping[str, EntryPoint]:
    return {ep.name: ep for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name)}


def load_implementation(spec: str) -> Implementation:
    """Load by entry-point name, ``name@argument``, or ``package.module:attr``.

    ``name@argument`` calls the entry point's factory with the argument, e.g.
    ``node@/usr/bin/node`` grades another Node binary with the node bridge.
    """
    name, at, argument = spec.partition("@")
    if at and ":" not in name:
        factory = _entry_point(name).load()
        try:
            impl = factory(argument)
        except Exception as exc:
            raise ImplementationError(f"--impl={spec}: {exc}") from exc
        validated = _validated(impl, expected_name=None, origin=spec)
        if not validated.name.startswith(name):
            raise ImplementationError(f"--impl={spec} loads an implementation named {validated.name!r}")
        return validated
    if ":" in spec:
        module_name, _, attr = spec.partition(":")
        try:
            target: object = importlib.import_module(module_name)
            for part in attr.split("."):
                target = getattr(target, part)
        except (ImportError, AttributeError) as exc:
            raise ImplementationError(f"--impl={spec}: cannot load {attr!r} from {module_name!r}: {exc}") from exc
        return _validated(_instantiate(target, spec), expected_name=None, origin=spec)

    entry_point = _entry_point(spec)
    try:
        target = entry_point.load()
    except Exception as exc:
        raise ImplementationError(f"implementation {spec!r} failed to load: {exc!r}") from exc
    return _validated(_instantiate(target, spec), expected_name=spec, origin=entry_point.value)


def _entry_point(name: str) -> EntryPoint:
    available = installed_implementations()
    if name not in available:
        names = ", ".join(available) or "(none)"
        raise ImplementationError(
            f"unknown implementation {name!r}; installed: {names}. "
            f"Use --impl=package.module:attr for one that is not installed."
        )
    return available[name]


def _instantiate(target: object, spec: str) -> object:
    # The value is the implementation itself, or a factory with no arguments.
    if isinstance(target, Implementation):
        return target
    if callable(target):
        try:
            return target()
        except Exception as exc:
            raise ImplementationError(f"implementation {spec!r}: its factory raised {exc!r}") from exc
    return target


def _validated(obj: object, *, expected_name: str | None, origin: str) -> Implementation:
    if not isinstance(obj, Implementation):
        missing = [
            name
            for name in ("name", "version", "node_version", "features", "expected_failures", "describe", "start")
            if not hasattr(obj, name)
        ]
        raise ImplementationError(
            f"{origin} does not provide an Implementation (missing: {', '.join(missing)}); "
            f"see conformance.Implementation"
        )
    if expected_name is not None and obj.name != expected_name:
        raise ImplementationError(
            f"entry point {expected_name!r} loads an implementation that calls itself {obj.name!r}"
        )
    unknown = unknown_features(obj.features)
    if unknown:
        raise ImplementationError(
            f"implementation {obj.name!r} declares unknown features {unknown}; "
            f"the registry is conformance/data/features.toml"
        )
    _check_version(obj.node_version, obj.name)
    return obj


def _check_version(version: str, name: str) -> None:
    try:
        parse_node_version(version)
    except ValueError as exc:
        raise ImplementationError(f"implementation {name!r}: node_version {version!r} is not X.Y.Z") from exc


def parse_node_version(version: str) -> tuple[int, int, int]:
    parts = version.lstrip("v").split(".")
    if len(parts) != 3:
        raise ValueError(version)
    major, minor, patch = (int(part) for part in parts)
    return major, minor, patch


def check_runtime(runtime: object, name: str) -> Runtime:
    if not isinstance(runtime, Runtime):
        raise ImplementationError(f"implementation {name!r}: start() did not return a Runtime")
    return runtime
