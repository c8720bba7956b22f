"""A line per result for people reading a terminal."""
from __future__ import annotations

from .csv import evidence, signals
from .interface import Writer


class TableWriter(Writer):
    name = "table"

    def write(self, result: dict) -> None:
        why = evidence(result) or signals(result) or (f"error: {result['error']}" if result.get("error") else "")
        status = result.get("status") or "-"
        self.stream.write(f"{result['verdict']:<10} {result['score']:.2f} {status!s:>4}  {result['url']}  {why}\n")
