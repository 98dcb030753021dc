"""The bar: `mypy --strict` is clean on conformance/, reference/ and stubs/."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.timeout(600)
def test_mypy_strict_is_clean_on_the_kit_the_reference_and_the_stubs() -> None:
    api = pytest.importorskip("mypy.api", reason="mypy is in the test extra: pip install -e '.[test]'")
    stdout, stderr, status = api.run(
        [
            "--strict",
            "--config-file",
            str(ROOT / "pyproject.toml"),
            "--cache-dir",
            "/dev/null",
            str(ROOT / "conformance"),
            str(ROOT / "reference"),
            str(ROOT / "stubs" / "nodeapi"),
        ]
    )
    assert status == 0, stdout + stderr
