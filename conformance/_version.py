# The kit's own version, and the Node release its tests were proven on.
# Test ids are public API (expected-failure files name them): a new kit version
# may add tests, and the changelog in CONFORMANCE.md says which.

__all__ = ["KIT_VERSION", "SPEC_BASELINE", "SPEC_NODE_VERSION"]

KIT_VERSION = "0.1.0"

# The spec is the documented behaviour as Node 24 LTS realises it. The exact
# release the suite was proven on is pinned by the npm lockfile
# (conformance/bridge/runtimes/package-lock.json).
SPEC_NODE_VERSION = "24.21.0"
SPEC_BASELINE = f"Node 24 LTS (proven on v{SPEC_NODE_VERSION})"
