# How the kit names and places suite items: which implementation a test item
# grades, and the implementation-free id expected-failure files use.

from __future__ import annotations

from pathlib import Path

import pytest

__all__ = ["SUITE_DIR", "expectation_key", "impl_name", "in_suite", "suite_dir"]

SUITE_DIR = Path(__file__).parent / "suite"


def suite_dir(config: pytest.Config) -> Path:
    """The suite's directory: the installed one, unless the ini option
    ``conformance_suite`` names another (the kit's own tests use that, and so
    can a project that keeps extra conformance modules of its own)."""
    configured = config.getini("conformance_suite")
    return Path(str(configured)).resolve() if configured else SUITE_DIR


def in_suite(item: pytest.Item) -> bool:
    return item.path.is_relative_to(suite_dir(item.config))


def impl_name(item: pytest.Item) -> str | None:
    callspec = getattr(item, "callspec", None)
    if callspec is None or "implementation" not in callspec.params:
        return None
    name = callspec.params["implementation"]
    assert isinstance(name, str)
    return name


def expectation_key(item: pytest.Item) -> str:
    """The test's id inside the suite, without the implementation's name."""
    root = suite_dir(item.config)
    module = item.path.relative_to(root).as_posix() if item.path.is_relative_to(root) else item.path.name
    name = getattr(item, "originalname", item.name)
    callspec = getattr(item, "callspec", None)
    if callspec is not None:
        graded = impl_name(item)
        ids = [part for part in getattr(callspec, "_idlist", []) if part != graded]
        if ids:
            name += "[" + "-".join(ids) + "]"
    parent = item.parent
    classes = []
    while parent is not None and isinstance(parent, pytest.Class):
        classes.append(parent.name)
        parent = parent.parent
    return "::".join([module, *reversed(classes), name])
