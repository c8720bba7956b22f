"""HTML tables (a list published as a web page, or an .xls/.doc that is really HTML).

A cell's lines are split on ``<br>``, block elements (``<p>``, ``<div>``…) and newlines.
Cells spanning columns or rows (colspan/rowspan) are repeated in each position they cover.
A table nested in a cell is a table of its own, not part of the cell's text.
"""
from __future__ import annotations

import codecs
import re

from ...model import DocumentError
from . import register
from .interface import DocumentFormat, Table

MAX_BYTES = 64 * 1024 * 1024
_MAX_COLSPAN = 64
_MAX_ROWSPAN = 1000
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
_META_CHARSET = re.compile(rb"""<meta\b[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_CT_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
# Labels browsers treat as a wider encoding (WHATWG Encoding): GB2312/GBK → gb18030, etc.
_WIDER = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030", "gb_2312-80": "gb18030",
          "big5": "big5hkscs", "iso-8859-1": "cp1252", "latin1": "cp1252", "us-ascii": "cp1252", "ascii": "cp1252"}
_HTML_HEAD = (b"<!doctype html", b"<html", b"<table", b"<head", b"<body", b"<meta")
_TABLE = re.compile(rb"<table[\s>/]", re.I)
_INVISIBLE = {"script", "style", "noscript", "template", "object", "iframe"}
_BLOCK = {"p", "div", "li", "ul", "ol", "dl", "dt", "dd", "tr", "td", "th", "caption", "table", "thead", "tbody",
          "tfoot", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote", "section", "article", "header",
          "footer", "center", "title", "form", "hr", "address", "nav", "main", "aside", "figure", "figcaption"}
_END = object()  # marks the end of a block element in the walk


def _codec(label: str) -> str | None:
    label = label.strip().lower()
    label = _WIDER.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def decode_html(data: bytes, content_type: str = "") -> str:
    """HTML bytes → text: a BOM, else valid UTF-8, else the HTTP charset, else a <meta> charset,
    else gb18030."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(enc, errors="replace")
    declared = None
    m = _CT_CHARSET.search(content_type or "")
    if m:
        declared = _codec(m.group(1))
    if not declared:
        m = _META_CHARSET.search(data[:8192])
        declared = _codec(m.group(1).decode("ascii", "ignore")) if m else None
    # Non-ASCII bytes that are valid UTF-8 are UTF-8 whatever a template declares (GBK text
    # practically never is); otherwise the declared charset, else gb18030.
    for enc in ["utf-8"] + ([declared] if declared else ["gb18030"]):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return data.decode(declared or "gb18030", errors="replace")


def _looks_like_html(data: bytes) -> bool:
    for bom, enc in _BOMS[1:]:  # UTF-16: judge the decoded text
        if data.startswith(bom):
            data = data[2:].decode(enc, errors="ignore").encode("utf-8")
            break
    if data.startswith(codecs.BOM_UTF8):
        data = data[3:]
    head = data[:4096].lstrip().lower()
    return head.startswith(b"<") and any(tag in head for tag in _HTML_HEAD) and bool(_TABLE.search(data))


class HtmlFormat(DocumentFormat):
    name = "html"
    suffixes = (".html", ".htm", ".shtml")

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
    text = decode_html(data)
    try:
        try:
            return BeautifulSoup(text, "lxml")
        except FeatureNotFound:
            return BeautifulSoup(text, "html.parser")
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
