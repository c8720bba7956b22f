"""A line per result for people reading a terminal."""

from __future__ import annotations

from .text import safe
from .csv import appending, evidence, said
from .interface import Writer

HEADER = " LINE  VERDICT    SCORE HTTP  URL  WHY"


class TableWriter(Writer):
    name = "table"

    def __init__(self, stream):  # noqa: ANN001
        super().__init__(stream)
        if not appending(stream):
            stream.write(HEADER + "\n")

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


def signals(result: dict, most: int = 5) -> str:
    """Why the verdict, in words: what pushed for an offer on a flagged page (配资口号“您炒股我出钱”,
    “1:10杠杆”), what pushed against it on a clear one."""
    against = result["verdict"] == "clear"
    return "；".join([said(x) for x in result["signals"] if bool(x.get("counter")) == against][:most])
