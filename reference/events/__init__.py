# node:events (placeholder: being written)
from typing import Any
def _module_state() -> Any: return None
def _restore_module_state(state: Any) -> None: pass
