# AbortController / AbortSignal, Node globals that the Runtime provides (runtime.abort_controller(),
# CONFORMANCE.md 1.5). The kit only needs what ListenOptions.signal uses (clause J145): abort() and
# the signal's state. Node's AbortSignal is an EventTarget; the binding does not fix that API.
from typing import Protocol

__all__ = ["AbortController", "AbortSignal"]

class AbortSignal(Protocol):
    @property
    def aborted(self) -> bool: ...
    @property
    def reason(self) -> object: ...  # None until aborted; then the reason, by default an AbortError
    def throw_if_aborted(self) -> None: ...

class AbortController(Protocol):
    @property
    def signal(self) -> AbortSignal: ...
    def abort(self, reason: object = ..., /) -> None: ...
