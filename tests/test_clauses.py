"""Traceability: every clause is pinned by a test or explained, and the
clause table in CONFORMANCE.md is the one the suite generates.

Runs `python -m conformance.coverage` in a child process: it collects the
installed suite with pytest itself, which must not happen inside this session.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conformance import clause_registry

ROOT = Path(__file__).resolve().parents[1]


def test_clause_ids_are_section_letter_and_number() -> None:
    for cid, clause in clause_registry().items():
        assert cid[0] in "ABCDEFGHIJKLMN" and cid[1:].isdigit(), cid
        assert clause.behaviour and clause.source, f"{cid} needs a one-line behaviour and a source"


@pytest.mark.timeout(300)
def test_every_clause_has_a_test_or_a_reason_and_the_table_is_current() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "conformance.coverage", "--check", "--verify", str(ROOT / "CONFORMANCE.md")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=280,
    )
    assert result.returncode == 0, result.stderr[-6000:] or result.stdout[-6000:]
