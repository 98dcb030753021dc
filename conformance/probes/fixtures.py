# Fixtures that observe the implementation from outside (registered by the
# plugin). Being written: plain-socket clients, kernel views, socket paths.

from __future__ import annotations
