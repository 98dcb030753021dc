# Expected failures: a file the implementation owns and ships.
#
#     [[xfail]]
#     test = "test_net_close.py::test_close_twice_emits_close_twice"
#     reason = "G119: emits 'close' once"
#     issue = "https://github.com/oven-sh/bun/issues/NNNN"    # optional
#
# `test` is the test's id inside the suite without the implementation part
# (what `--collect-only -q` prints, minus the implementation's name).
# Strict, as WPT and SQLAlchemy are: a listed test that passes fails the run,
# an entry that matches no test in a collected module is an error, and the
# reason must name a clause the test cites, so the file reads as a list of
# divergences from the spec rather than a list of test names.

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ExpectedFailure", "ExpectationsError", "load_expected_failures"]


class ExpectationsError(Exception):
    """The expected-failures file is malformed."""


@dataclass(frozen=True)
class ExpectedFailure:
    test: str
    reason: str
    issue: str | None = None

    @property
    def module(self) -> str:
        return self.test.split("::", 1)[0]


def load_expected_failures(path: Path) -> dict[str, ExpectedFailure]:
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ExpectationsError(f"{path}: {exc}") from exc
    unknown_tables = set(data) - {"xfail"}
    if unknown_tables:
        raise ExpectationsError(f"{path}: unknown tables {sorted(unknown_tables)}; only [[xfail]] is read")
    entries: dict[str, ExpectedFailure] = {}
    for index, raw in enumerate(data.get("xfail", []), start=1):
        where = f"{path}: [[xfail]] #{index}"
        extra = set(raw) - {"test", "reason", "issue"}
        if extra:
            raise ExpectationsError(f"{where}: unknown keys {sorted(extra)}")
        test, reason = raw.get("test"), raw.get("reason")
        if not isinstance(test, str) or "::" not in test:
            raise ExpectationsError(f"{where}: 'test' must be 'module.py::test_name[...]', got {test!r}")
        if not isinstance(reason, str) or not reason.strip():
            raise ExpectationsError(f"{where}: 'reason' is required")
        if test in entries:
            raise ExpectationsError(f"{where}: {test} is listed twice")
        issue = raw.get("issue")
        if issue is not None and not isinstance(issue, str):
            raise ExpectationsError(f"{where}: 'issue' must be a URL string")
        entries[test] = ExpectedFailure(test=test, reason=reason.strip(), issue=issue)
    return entries
