"""JSON lines: one object per result."""

from __future__ import annotations

import json

from .interface import Writer


class JsonlWriter(Writer):
    name = "jsonl"

    def write(self, result: dict) -> None:
        self.stream.write(json.dumps(result, ensure_ascii=False) + "\n")
