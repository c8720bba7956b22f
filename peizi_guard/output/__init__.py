"""Output format plug-ins: table, jsonl, csv."""

from __future__ import annotations

from .csv import CsvWriter
from .interface import Writer
from .jsonl import JsonlWriter
from .table import TableWriter

WRITERS: dict[str, type[Writer]] = {w.name: w for w in (TableWriter, JsonlWriter, CsvWriter)}

__all__ = ["WRITERS", "Writer"]
