"""One interface for every document format: bytes in, tables out."""

from __future__ import annotations

from abc import ABC, abstractmethod

# A table is a list of rows; a row a list of cells; a cell a list of logical lines
# (line wraps caused by the column width are already joined).
Table = list[list[list[str]]]


class DocumentFormat(ABC):
    name: str = ""
    suffixes: tuple[str, ...] = ()  # file name endings, lower case, with the dot
    content_types: tuple[str, ...] = ()  # media types a server labels it with
    attachment: bool = True  # a document linked from a landing page (HTML is the page itself)

    @abstractmethod
    def sniff(self, data: bytes) -> bool:
        """True when the bytes really are a document of this format."""

    @abstractmethod
    def tables(self, data: bytes) -> list[Table]:
        """Every table in the document. Raises DocumentError when the bytes cannot be read."""

    def text(self, data: bytes) -> str:
        """The document's running text (titles, issue numbers, dates), for layouts' metadata."""
        return ""
