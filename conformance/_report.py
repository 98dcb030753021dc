# The JSON report of a run: who was graded, on what, and per test the outcome,
# the expected outcome, the clauses and the error text. The schema is written
# out in CONFORMANCE.md ("Reports"); `python -m conformance.matrix` merges
# several reports into a clause-by-implementation matrix.
#
# Works under pytest-xdist: each test's facts travel on the report's
# user_properties, and only the controller writes the file.

from __future__ import annotations

import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any, Literal

import pytest

from ._items import expectation_key, impl_name, in_suite
from ._markers import clauses_of, features_of
from ._version import KIT_VERSION, SPEC_BASELINE, SPEC_NODE_VERSION

__all__ = ["Outcome", "ReportWriter", "annotate", "unsupported_reason", "version_reason"]

SCHEMA = "node-net-conformance/report/1"
_PROPERTY = "node-net-conformance"
UNSUPPORTED = "unsupported: "
NOT_APPLICABLE = "not applicable: "

Outcome = Literal["pass", "fail", "error", "expected-fail", "unexpected-pass", "unsupported", "not-applicable", "skipped"]


def unsupported_reason(impl: str, features: list[str]) -> str:
    return f"{UNSUPPORTED}{impl} does not support {', '.join(repr(name) for name in features)}"


def version_reason(impl: str, node_version: str, gates: list[str]) -> str:
    return f"{NOT_APPLICABLE}pins Node {' and '.join(gates)} behaviour; {impl} follows Node {node_version}"


def annotate(item: pytest.Item, report: pytest.TestReport) -> None:
    """Attach what the report writer needs to the report (it may cross from an xdist worker)."""
    if not in_suite(item) or report.when != "setup":
        return
    xfail = item.get_closest_marker("xfail")
    report.user_properties.append(
        (
            _PROPERTY,
            {
                "test": expectation_key(item),
                "implementation": impl_name(item),
                "clauses": clauses_of(item),
                "features": features_of(item),
                "expected": "fail" if xfail is not None else "pass",
                "expected_reason": xfail.kwargs.get("reason") if xfail is not None else None,
            },
        )
    )


class ReportWriter:
    """Collects phase reports on the controller and writes the JSON at the end."""

    def __init__(self, config: pytest.Config, path: Path) -> None:
        self._config = config
        self._path = path
        self._tests: dict[str, dict[str, Any]] = {}
        self._started = time.time()

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        facts = dict(report.user_properties).get(_PROPERTY)
        if isinstance(facts, dict):
            self._tests[report.nodeid] = {
                **facts,
                "nodeid": report.nodeid,
                "outcome": None,
                "error": None,
                "duration": 0.0,
            }
        entry = self._tests.get(report.nodeid)
        if entry is None:
            return
        entry["duration"] += report.duration
        outcome, error = _classify(report)
        if outcome is None:
            return
        # The first phase that decides wins, but a teardown error (a leak)
        # turns a pass into an error.
        if entry["outcome"] is None or (entry["outcome"] == "pass" and outcome == "error"):
            entry["outcome"], entry["error"] = outcome, error

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        from .plugin import _implementations

        impls = _implementations(self._config)
        document = {
            "schema": SCHEMA,
            "kit": {"version": KIT_VERSION, "spec_baseline": SPEC_BASELINE, "spec_node_version": SPEC_NODE_VERSION},
            "platform": {
                "system": platform.system(),
                "release": platform.release(),
                "machine": platform.machine(),
                "python": sys.version.split()[0],
            },
            "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self._started)),
            "duration": round(time.time() - self._started, 3),
            "implementations": [
                {
                    "name": impl.name,
                    "version": impl.version,
                    "node_version": impl.node_version,
                    "description": impl.describe(),
                    "features": sorted(impl.features),
                }
                for impl in impls.values()
            ],
            "tests": sorted(
                (entry for entry in self._tests.values() if entry["outcome"] is not None),
                key=lambda entry: (entry["implementation"] or "", entry["test"]),
            ),
        }
        self._path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self._path.with_suffix(self._path.suffix + f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n", "utf-8")
        tmp.replace(self._path)


def _classify(report: pytest.TestReport) -> tuple[Outcome | None, str | None]:
    wasxfail = getattr(report, "wasxfail", None)
    if report.when == "call":
        if report.passed:
            return ("unexpected-pass", f"[XPASS] {wasxfail}") if wasxfail is not None else ("pass", None)
        if report.skipped and wasxfail is not None:
            return "expected-fail", _error_text(report)
        if report.failed:
            text = _error_text(report)
            if text and text.startswith("[XPASS(strict)]"):
                return "unexpected-pass", text
            return "fail", text
        if report.skipped:
            return "skipped", _skip_reason(report)
        return None, None
    if report.when == "setup":
        if report.skipped:
            reason = _skip_reason(report)
            if wasxfail is not None:
                return "expected-fail", reason
            if reason.startswith(UNSUPPORTED):
                return "unsupported", reason
            if reason.startswith(NOT_APPLICABLE):
                return "not-applicable", reason
            return "skipped", reason
        if report.failed:
            return "error", _error_text(report)
        return None, None
    if report.failed:  # teardown
        return "error", _error_text(report)
    return None, None


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        reason = str(longrepr[2])
        return reason.removeprefix("Skipped: ")
    return str(longrepr)


def _error_text(report: pytest.TestReport) -> str:
    text = report.longreprtext or ""
    # Keep the report readable: the last lines hold the assertion and the error.
    lines = text.strip().splitlines()
    return "\n".join(lines[-40:])
