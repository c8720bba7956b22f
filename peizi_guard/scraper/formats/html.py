"""HTML tables (a list published as a web page, or an .xls/.doc that is really HTML).

A cell's lines are split on ``<br>``, block elements (``<p>``, ``<div>``…) and newlines.
Cells spanning columns or rows (colspan/rowspan) are repeated in each position they cover.
A table nested in a cell is a table of its own, not part of the cell's text.
"""

from __future__ import annotations

import re

from ...model import DocumentError
from .. import charset
from . import register
from .interface import DocumentFormat, Table

MAX_BYTES = 64 * 1024 * 1024
_MAX_COLSPAN = 64
_MAX_ROWSPAN = 1000
_HTML_HEAD = (b"<!doctype html", b"<html", b"<table", b"<head", b"<body", b"<meta")
_TABLE = re.compile(rb"<table[\s>/]", re.I)
_INVISIBLE = {"script", "style", "noscript", "template", "object", "iframe"}
_BLOCK = {
    "p",
    "div",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "tr",
    "td",
    "th",
    "caption",
    "table",
    "thead",
    "tbody",
    "tfoot",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "pre",
    "blockquote",
    "section",
    "article",
    "header",
    "footer",
    "center",
    "title",
    "form",
    "hr",
    "address",
    "nav",
    "main",
    "aside",
    "figure",
    "figcaption",
}
_END = object()  # marks the end of a block element in the walk


def _looks_like_html(data: bytes) -> bool:
    bom = charset.bom_codec(data)
    if bom:  # judge the text, without its byte order mark
        data = data.decode(bom, errors="ignore").encode("utf-8")
    head = data[:4096].lstrip().lower()
    return head.startswith(b"<") and any(tag in head for tag in _HTML_HEAD) and bool(_TABLE.search(data))


class HtmlFormat(DocumentFormat):
    name = "html"
    suffixes = (".html", ".htm", ".shtml")
    content_types = ("text/html", "application/xhtml+xml")
    attachment = False

    def sniff(self, data: bytes) -> bool:
        return _looks_like_html(data)

    def tables(self, data: bytes) -> list[Table]:
        soup = _soup(data)
        return [_table(t) for t in soup.find_all("table")]

    def text(self, data: bytes) -> str:
        return "\n".join(_lines(_soup(data), skip_tables=False))


def _soup(data: bytes):
    from bs4 import BeautifulSoup, FeatureNotFound

    if len(data) > MAX_BYTES:
        raise DocumentError(f"HTML page larger than {MAX_BYTES >> 20} MiB: refused")
    text = charset.decode(data)[0]
    try:
        try:
            return BeautifulSoup(text, "lxml")
        except FeatureNotFound:
            return BeautifulSoup(text, "html.parser")
    except MemoryError:
        raise  # the parsing child's memory cap: reported as such
    except Exception as exc:
        raise DocumentError(f"unreadable HTML ({str(exc)[:80] or type(exc).__name__})") from None


def _lines(node, skip_tables: bool) -> list[str]:
    """Visible text of `node` as lines (an explicit stack: deep nesting cannot overflow)."""
    from bs4 import CData, NavigableString

    out: list[str] = []
    stack = list(reversed(node.contents))
    while stack:
        item = stack.pop()
        if item is _END:
            out.append("\n")
        elif isinstance(item, NavigableString):
            if type(item) in (NavigableString, CData):
                out.append(str(item))
        elif item.name in _INVISIBLE or (skip_tables and item.name == "table"):
            continue
        elif item.name == "br":
            out.append("\n")
        else:
            if item.name in _BLOCK:
                out.append("\n")
                stack.append(_END)
            stack.extend(reversed(item.contents))
    lines = (re.sub(r"[^\S\n]+", " ", s).strip() for s in re.split(r"\r\n|\r|\n", "".join(out)))
    return [s for s in lines if s]


def _span(tag, attr: str, cap: int) -> int:
    try:
        n = int(str(tag.get(attr, "1")).strip() or 1)
    except ValueError:
        return 1
    return cap if n == 0 and attr == "rowspan" else max(1, min(cap, n))


def _table(table) -> Table:
    rows: Table = []
    pending: dict[int, list] = {}  # column → [lines, rows still to cover] of a rowspan
    for tr in table.find_all("tr"):
        if tr.find_parent("table") is not table:
            continue
        cells: list[list[str]] = []

        def carry() -> None:  # cells that rowspans from above fill at the current column
            while len(cells) in pending:
                col = len(cells)
                cells.append(list(pending[col][0]))
                pending[col][1] -= 1
                if pending[col][1] <= 0:
                    del pending[col]

        for td in tr.find_all(["td", "th"]):
            if td.find_parent("tr") is not tr:
                continue
            carry()
            lines = _lines(td, skip_tables=True)
            rowspan = _span(td, "rowspan", _MAX_ROWSPAN)
            for _ in range(_span(td, "colspan", _MAX_COLSPAN)):
                if rowspan > 1:
                    pending[len(cells)] = [lines, rowspan - 1]
                cells.append(list(lines))
        carry()
        while pending and max(pending) >= len(cells):  # rowspans right of a short row
            if len(cells) not in pending:
                cells.append([])
            carry()
        rows.append(cells)
    return rows


register(HtmlFormat())
