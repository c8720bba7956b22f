"""A line per result for people reading a terminal."""

from __future__ import annotations

from .text import safe
from .csv import evidence, signals
from .interface import Writer


class TableWriter(Writer):
    name = "table"

    def write(self, result: dict) -> None:
        why = (
            evidence(result)
            or signals(result)
            or (_why_unchecked(result.get("reason") or "error", result["error"]) if result.get("error") else "")
        )
        status = result.get("status") or "-"
        if result.get("truncated"):  # judged on the page's first --max-bytes only
            why = f"{why} (truncated)".strip()
        where = f"{result['input']}:{result['line']}" if result.get("input") else result.get("line")
        at = f"{where!s:>5}  " if where else ""
        line = f"{at}{result['verdict']:<10} {result['score']:.2f} {status!s:>4}  {result['url']}  {why}"
        self.stream.write(safe(line) + "\n")


def _why_unchecked(reason: str, error: str) -> str:
    """The short reason and the error, said once when the error begins with it (not "http 404: HTTP 404")."""
    return error if error.lower().startswith(reason.lower()) else f"{reason}: {error}"
