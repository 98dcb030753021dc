# node-net-conformance: a conformance kit for Node's node:net server API and
# node:events, graded per clause against any implementation that plugs in.
#
# Layout: _contract (what an implementation provides), _registry (loading one
# by entry point or module:attr), _features / _clauses (the checked-in
# registries under data/), _expectations (expected-failure files), _markers,
# _report and matrix (JSON reports and the clause-by-implementation matrix),
# plugin (the pytest11 plugin), probes/ (observing from outside), bridge/
# (JavaScript runtimes as implementations), suite/ (the tests, one module per
# spec area).

from __future__ import annotations

from ._clauses import Clause, clause_registry
from ._contract import Implementation, Runtime
from ._expectations import ExpectedFailure, load_expected_failures
from ._features import feature_registry
from ._registry import ENTRY_POINT_GROUP, ImplementationError, installed_implementations, load_implementation
from ._version import KIT_VERSION, SPEC_BASELINE, SPEC_NODE_VERSION

__all__ = [
    "ENTRY_POINT_GROUP",
    "KIT_VERSION",
    "SPEC_BASELINE",
    "SPEC_NODE_VERSION",
    "Clause",
    "ExpectedFailure",
    "Implementation",
    "ImplementationError",
    "Runtime",
    "clause_registry",
    "feature_registry",
    "installed_implementations",
    "load_expected_failures",
    "load_implementation",
]

__version__ = KIT_VERSION
