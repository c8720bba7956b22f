"""Word (.docx) tables, read from word/document.xml.

Each paragraph of a cell is a logical line (a ``<w:br/>`` inside one also breaks it). Cells
spanning grid columns (gridSpan) or merged down rows (vMerge) are repeated in every grid
position they cover, so that column indices line up across rows.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from functools import lru_cache

from ...model import DocumentError
from . import register
from .interface import DocumentFormat, Table
from .zipsafe import SafeZip, looks_like

DOCUMENT = "word/document.xml"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_SKIP = {  # subtrees whose text is not the document's: alternates, deleted text, section setup
    "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback",
    W + "del",
    W + "sectPr",
    W + "tblPr",
    W + "trPr",
    W + "tcPr",
    W + "pPr",
    W + "rPr",
}
_MAX_SPAN = 64


class DocxFormat(DocumentFormat):
    name = "docx"
    suffixes = (".docx",)
    content_types = ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",)

    def sniff(self, data: bytes) -> bool:
        return looks_like(data, DOCUMENT)

    def tables(self, data: bytes) -> list[Table]:
        body = _body(data)
        return [_table(el) for el in _blocks(body) if el.tag == W + "tbl"]

    def text(self, data: bytes) -> str:
        body = _body(data)
        paras = (_para_text(el).strip() for el in _blocks(body) if el.tag == W + "p")
        return "\n".join(p for p in paras if p)


@lru_cache(maxsize=2)  # tables() and text() of one document parse it once
def _body(data: bytes) -> ET.Element:
    with SafeZip(data, ".docx") as z:
        xml = z.read(DOCUMENT)
    if b"<!DOCTYPE" in xml or b"<!ENTITY" in xml:
        raise DocumentError("word/document.xml declares a DTD: refused")
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as exc:
        raise DocumentError(f"malformed word/document.xml ({str(exc)[:80]})") from None
    body = root.find(W + "body")
    if body is None:
        raise DocumentError("word/document.xml has no body")
    return body


def _blocks(el: ET.Element):
    """Paragraphs and tables directly under `el`, looking through wrappers (sdt, customXml, ins)."""
    for child in el:
        if child.tag in (W + "p", W + "tbl"):
            yield child
        elif child.tag not in _SKIP:
            yield from _blocks(child)


def _para_text(p: ET.Element) -> str:
    out: list[str] = []

    def walk(el: ET.Element) -> None:
        for child in el:
            tag = child.tag
            if tag in _SKIP:
                continue
            if tag == W + "t":
                out.append(child.text or "")
            elif tag == W + "tab":
                out.append("\t")
            elif tag in (W + "br", W + "cr"):
                out.append("\n")
            elif tag == W + "noBreakHyphen":
                out.append("-")
            else:
                walk(child)

    walk(p)
    return "".join(out)


def _cell_lines(tc: ET.Element) -> list[str]:
    lines: list[str] = []
    for el in _blocks(tc):
        if el.tag == W + "p":
            lines += [s.strip() for s in _para_text(el).split("\n")]
        else:  # a nested table: its cells' lines, row by row
            for row in _table(el):
                for cell in row:
                    lines += cell
    return [s for s in lines if s]


def _val(parent: ET.Element | None, tag: str) -> str | None:
    el = parent.find(W + tag) if parent is not None else None
    return None if el is None else el.get(W + "val", "")


def _span(value: str | None) -> int:
    try:
        return max(1, min(_MAX_SPAN, int(value or 1)))
    except ValueError:
        return 1


def _rows(tbl: ET.Element):
    for child in tbl:
        if child.tag == W + "tr":
            yield child
        elif child.tag not in _SKIP and child.tag != W + "tblGrid":
            yield from _rows(child)


def _cells(tr: ET.Element):
    for child in tr:
        if child.tag == W + "tc":
            yield child
        elif child.tag not in _SKIP:
            yield from _cells(child)


def _table(tbl: ET.Element) -> Table:
    rows: Table = []
    above: dict[int, list[str]] = {}  # grid column → lines of the cell a vMerge continues
    for tr in _rows(tbl):
        before = _val(tr.find(W + "trPr"), "gridBefore")
        cells: list[list[str]] = [[] for _ in range(_span(before) if before else 0)]
        for tc in _cells(tr):
            tcpr = tc.find(W + "tcPr")
            span = _span(_val(tcpr, "gridSpan"))
            merge = _val(tcpr, "vMerge")
            col = len(cells)
            if merge is not None and merge != "restart":
                lines = above.get(col, [])
            else:
                lines = _cell_lines(tc)
            for i in range(col, col + span):
                if merge is None:
                    above.pop(i, None)
                else:
                    above[i] = lines
            cells += [list(lines) for _ in range(span)]
        rows.append(cells)
    return rows


register(DocxFormat())
