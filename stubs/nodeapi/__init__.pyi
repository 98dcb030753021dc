# The typed API of the kit: Node's node:events and node:net (server side) in the Python binding
# of CONFORMANCE.md section 1, as Protocols an implementation is checked against with mypy
# (python -m conformance.typecheck). Type-only: there is no runtime package named nodeapi.
from . import abort as abort, events as events, net as net, timers as timers

__all__ = ["abort", "events", "net", "timers"]
