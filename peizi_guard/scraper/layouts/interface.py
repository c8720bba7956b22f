"""One interface for every list layout: table rows in, entries out."""
from __future__ import annotations

from abc import ABC, abstractmethod

from ...model import Entry

Row = list[list[str]]  # cells, each a list of logical lines


def cell_text(cell: list[str]) -> str:
    return "".join(s.strip() for s in cell)


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
