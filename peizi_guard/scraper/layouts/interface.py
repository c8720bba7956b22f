"""One interface for every list layout: table rows in, entries out."""

from __future__ import annotations

from collections.abc import Mapping

import re
import unicodedata
from abc import ABC, abstractmethod

from ...model import Entry

Row = list[list[str]]  # cells, each a list of logical lines


def cell_text(cell: list[str]) -> str:
    return "".join(s.strip() for s in cell)


# role → alternatives, each a tuple of words that a header cell must all contain
Columns = Mapping[str, tuple[tuple[str, ...], ...]]


def find_columns(row: Row, columns: Columns) -> dict[str, int]:
    """Which cell of a header row holds each role (width, case and spaces ignored)."""
    found: dict[str, int] = {}
    for i, cell in enumerate(row):
        text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", cell_text(cell))).upper()
        for role, alternatives in columns.items():
            if role not in found and any(all(w.upper() in text for w in words) for words in alternatives):
                found[role] = i
                break
    return found


def header_row(rows: list[Row], columns: Columns, within: int = 60) -> int:
    """Index of the first row that names every role, or -1."""
    for i, row in enumerate(rows[:within]):
        if len(find_columns(row, columns)) == len(columns):
            return i
    return -1


class Layout(ABC):
    id: str = ""  # the source id whose documents use this layout

    @abstractmethod
    def header_index(self, rows: list[Row]) -> int:
        """Index of this layout's header row among `rows`, or -1."""

    @abstractmethod
    def entries(self, rows: list[Row], header: int) -> list[Entry]:
        """Entries from the rows after the header (rows from every table of the document)."""

    def metadata(self, text: str) -> dict:
        """title / published (ISO date) / issue found in the document's running text."""
        return {}
