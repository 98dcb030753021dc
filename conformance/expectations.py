# Regenerate an implementation's expected-failures file from a report.
#
#     pytest --impl=NAME --report-all --conformance-report=run.json
#     python -m conformance.expectations run.json --impl NAME -o expected-failures.toml
#     python -m conformance.expectations run.json --impl NAME -o expected-failures.toml --check
#
# Like `wpt update-expectations` and stubtest's --generate-allowlist: every
# test that failed in the run gets an entry; an entry that already exists
# keeps its hand-written reason and issue link; a new one gets a drafted
# reason (the clause and the assertion that failed) for a human to review.
# Tests that now pass drop out, and the command says which, so a fix is
# noticed rather than left masked. Run it with --report-all so the report
# shows what really happens, expected failures included. With --check it
# writes nothing and exits 1 when the file and the run disagree (a failure
# without an entry, an entry whose test now passes): CI's guard that the
# file keeps up with a growing suite.

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ._expectations import ExpectedFailure, load_expected_failures

__all__ = ["draft_reason", "main", "render_expectations"]

_FAILED = ("fail", "error", "expected-fail")


def draft_reason(test: dict[str, Any]) -> str:
    """The clause, what the test expects (its name), and what happened instead."""
    text = test.get("error") or ""
    lines = [line[1:].strip() for line in text.splitlines() if line.startswith("E ")]
    summary = next((line for line in lines if line and not line.startswith("+")), "")
    if not summary:
        summary = (text.strip().splitlines() or ["failed"])[-1].strip()
    summary = re.sub(r" at 0x[0-9a-f]+", "", summary)
    summary = re.sub(r"\s+", " ", summary)[:200]
    name = test["test"].split("::")[-1]
    expects = re.sub(r"^test_", "", name.split("[")[0]).replace("_", " ")
    return f"{', '.join(test['clauses'])}: expected {expects}; got {summary}"


def render_expectations(impl: str, header: str, entries: list[ExpectedFailure]) -> str:
    lines = [f"# Expected failures of {impl} against node-net-conformance.", *header.splitlines(), ""]
    for entry in sorted(entries, key=lambda e: e.test):
        lines.append("[[xfail]]")
        lines.append(f"test = {json.dumps(entry.test)}")
        lines.append(f"reason = {json.dumps(entry.reason, ensure_ascii=False)}")
        if entry.issue:
            lines.append(f"issue = {json.dumps(entry.issue)}")
        lines.append("")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m conformance.expectations", description=__doc__)
    parser.add_argument("report", type=Path, help="a JSON report of a --report-all run")
    parser.add_argument("--impl", required=True, help="the implementation whose file to write")
    parser.add_argument("-o", "--output", type=Path, required=True, help="the expected-failures TOML file")
    parser.add_argument("--header", default="# Reasons name the clause; drafted ones say what failed.")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if the file is out of step")
    args = parser.parse_args(argv)

    report = json.loads(args.report.read_text("utf-8"))
    tests = [test for test in report["tests"] if test["implementation"] == args.impl]
    if not tests:
        print(f"{args.report}: no tests of {args.impl!r}", file=sys.stderr)
        return 1
    existing = load_expected_failures(args.output) if args.output.exists() else {}
    entries = []
    missing = []
    for test in tests:
        if test["outcome"] not in _FAILED:
            continue
        kept = existing.get(test["test"])
        if kept is None:
            missing.append(test)
        entries.append(kept or ExpectedFailure(test=test["test"], reason=draft_reason(test)))
    ran = {test["test"] for test in tests}
    # Entries of tests this run did not have (skipped here, e.g. wildcard
    # binds outside a private namespace) stay as they are.
    entries += [entry for key, entry in existing.items() if key not in ran]
    now_passing = sorted(key for key in existing if key in ran and key not in {e.test for e in entries})
    if args.check:
        for test in missing:
            print(f"no entry:    {test['test']}  ({draft_reason(test)[:160]})")
        for test_id in now_passing:
            print(f"now passes:  {test_id}")
        print(f"{args.output}: {len(missing)} failures without an entry, {len(now_passing)} entries that now pass")
        return 1 if missing or now_passing else 0
    for test_id in now_passing:
        print(f"no longer failing, dropped: {test_id}", file=sys.stderr)
    args.output.write_text(render_expectations(args.impl, args.header, entries), "utf-8")
    print(f"{args.output}: {len(entries)} expected failures ({len(now_passing)} dropped)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
