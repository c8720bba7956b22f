"""Output format plug-ins: table, jsonl, csv (loaded when `WRITERS` is first asked for: a check
prints a report and needs none of them)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .interface import Writer

__all__ = ["WRITERS", "Writer"]


def __getattr__(name: str):  # noqa: ANN202
    if name == "WRITERS":
        from .csv import CsvWriter
        from .jsonl import JsonlWriter
        from .table import TableWriter

        writers: dict[str, type[Writer]] = {w.name: w for w in (TableWriter, JsonlWriter, CsvWriter)}
        globals()["WRITERS"] = writers
        return writers
    if name == "Writer":
        from .interface import Writer

        return Writer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
