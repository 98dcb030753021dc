# Clause coverage: which tests pin which clause, and the clause table of
# CONFORMANCE.md, both computed from the suite as it is collected.
#
#     python -m conformance.coverage --check         fail on gaps (the meta-test runs this)
#     python -m conformance.coverage --markdown      print the clause table
#     python -m conformance.coverage --write CONFORMANCE.md   refresh the table in place
#
# A clause is covered by the tests that cite it (@pytest.mark.clause) or
# explained by an `untested` reason in data/clauses.toml, never both and
# never neither. A test of node:net must require the "net" feature, so an
# implementation without net gets "unsupported", not a cascade of failures.

from __future__ import annotations

import argparse
import contextlib
import io
import re
import sys
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import pytest

from ._clauses import Clause, clause_registry
from ._items import SUITE_DIR, expectation_key
from ._markers import clauses_of, features_of

__all__ = ["collect_suite", "coverage_problems", "main", "render_clause_table"]

TABLE_START = "<!-- clause-table:start (python -m conformance.coverage --write CONFORMANCE.md) -->"
TABLE_END = "<!-- clause-table:end -->"


class _Collector:
    def __init__(self) -> None:
        self.tests: dict[str, tuple[list[str], list[str]]] = {}

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        for item in session.items:
            self.tests.setdefault(expectation_key(item), (clauses_of(item), features_of(item)))


def collect_suite() -> dict[str, tuple[list[str], list[str]]]:
    """Test id -> (clauses, features), for the whole installed suite."""
    collector = _Collector()
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        code = pytest.main(
            ["--collect-only", "-q", "--impl=reference", "-p", "no:randomly", "-p", "no:cacheprovider", str(SUITE_DIR)],
            plugins=[collector],
        )
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED):
        raise SystemExit(f"collecting the suite failed (exit code {code}):\n{output.getvalue()[-3000:]}")
    return collector.tests


def coverage_problems(tests: dict[str, tuple[list[str], list[str]]], clauses: dict[str, Clause]) -> list[str]:
    cited: dict[str, list[str]] = defaultdict(list)
    problems = []
    for test, (ids, features) in tests.items():
        for cid in ids:
            cited[cid].append(test)
        if test.startswith("test_net") and "net" not in features:
            problems.append(f"{test}: a node:net test must carry @pytest.mark.requires('net')")
    for cid, clause in clauses.items():
        if clause.untested and cited.get(cid):
            problems.append(f"{cid} has an `untested` reason but is cited by {sorted(cited[cid])[:3]}")
        if not clause.untested and not cited.get(cid):
            problems.append(f"{cid} has no test and no `untested` reason: {clause.behaviour}")
    return problems


def render_clause_table(tests: dict[str, tuple[list[str], list[str]]], clauses: dict[str, Clause]) -> str:
    cited: dict[str, list[str]] = defaultdict(list)
    for test, (ids, _) in tests.items():
        for cid in ids:
            cited[cid].append(test)
    lines = [TABLE_START, "", "| clause | behaviour | source | tests |", "|---|---|---|---|"]
    section = None
    for cid, clause in clauses.items():
        if clause.section != section:
            section = clause.section
            lines.append(f"| **{cid[0]}** | **{section}** | | |")
        if clause.untested:
            pinned = f"untested: {clause.untested}"
        else:
            names = sorted(cited.get(cid, []))
            pinned = "<br>".join(f"`{name}`" for name in names) or "**none**"
        row = [cid, clause.behaviour, clause.source, pinned]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |")
    lines += ["", TABLE_END]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m conformance.coverage", description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 if a clause has neither a test nor a reason")
    parser.add_argument("--markdown", action="store_true", help="print the clause table")
    parser.add_argument("--write", type=Path, metavar="FILE", help="replace the clause table in FILE")
    parser.add_argument("--verify", type=Path, metavar="FILE", help="exit 1 if FILE's clause table is stale")
    args = parser.parse_args(argv)
    tests = collect_suite()
    clauses = dict(clause_registry())
    status = 0
    if args.check:
        problems = coverage_problems(tests, clauses)
        for problem in problems:
            print(problem, file=sys.stderr)
        status |= 1 if problems else 0
    table = render_clause_table(tests, clauses)
    if args.markdown:
        print(table)
    for path, write in ((args.write, True), (args.verify, False)):
        if path is None:
            continue
        text = path.read_text("utf-8")
        pattern = re.compile(re.escape(TABLE_START) + ".*?" + re.escape(TABLE_END), re.S)
        if not pattern.search(text):
            print(f"{path}: no clause table markers ({TABLE_START} ... {TABLE_END})", file=sys.stderr)
            return 1
        updated = pattern.sub(lambda _: table, text)
        if write:
            path.write_text(updated, "utf-8")
        elif updated != text:
            print(f"{path}: the clause table is stale; run python -m conformance.coverage --write {path}", file=sys.stderr)
            status |= 1
    return status


if __name__ == "__main__":
    raise SystemExit(main())
