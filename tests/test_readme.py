"""README.md and .ci/run agree: CI runs exactly the command the README gives."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ci_runs_the_readme_command_verbatim() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    match = re.search(r"\*\*Run everything\*\*.*?```sh\n(.+?)\n```", readme, re.S)
    assert match, "README.md lost its 'Run everything' command"
    command = match.group(1).strip()
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    assert command in ci.splitlines(), ".ci/run must call the README's 'Run everything' command verbatim"
