"""Regular expressions compiled on first use: a process that never needs one (a name check never
reads a page) does not pay for compiling it at import (0.1–0.7 ms each)."""

from __future__ import annotations

import re
from typing import Any


class LazyPattern:
    """Stands in for `re.compile(pattern, flags)`: every method of the compiled pattern."""

    __slots__ = ("args", "compiled")

    def __init__(self, pattern: str, flags: int = 0):
        self.args = (pattern, flags)
        self.compiled: re.Pattern | None = None

    def __getattr__(self, name: str) -> Any:  # search, sub, finditer, pattern …
        if self.compiled is None:
            self.compiled = re.compile(*self.args)
        return getattr(self.compiled, name)
