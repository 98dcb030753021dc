# The clause list (conformance/data/clauses.toml): every documented behaviour
# the suite pins, with its source in Node's docs, library code or tests.

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = ["Clause", "clause_registry"]


@dataclass(frozen=True)
class Clause:
    id: str
    section: str
    behaviour: str
    source: str
    # Why no test pins this clause (it does not apply to Python, or cannot be
    # observed on one machine); None when tests cite it.
    untested: str | None = None

    @property
    def number(self) -> int:
        return int(self.id[1:])


@cache
def clause_registry() -> Mapping[str, Clause]:
    text = resources.files("conformance").joinpath("data/clauses.toml").read_text("utf-8")
    clauses = {
        cid: Clause(
            id=cid,
            section=entry["section"],
            behaviour=entry["behaviour"],
            source=entry["source"],
            untested=entry.get("untested"),
        )
        for cid, entry in tomllib.loads(text).items()
    }
    return dict(sorted(clauses.items(), key=lambda item: (item[1].number, item[0])))
