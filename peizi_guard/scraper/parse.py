"""bytes → ParsedDocument: pick the format by signature, the layout by header row."""
from __future__ import annotations

from ..model import DocumentError, ParsedDocument
from .formats import detect
from .layouts import LAYOUTS


def parse_document(data: bytes, hint: str = "", expect_layout: str = "") -> ParsedDocument:
    """Parse an official list document. `hint` names it in errors; `expect_layout` restricts the layout."""
    fmt = detect(data, hint)
    tables = fmt.tables(data)
    rows = [row for table in tables for row in table]
    if not rows:
        raise DocumentError(f"no table found in the {fmt.name.upper()} document")
    for layout in LAYOUTS:
        if expect_layout and layout.id != expect_layout:
            continue
        header = layout.header_index(rows)
        if header < 0:
            continue
        entries = layout.entries(rows, header)
        if not entries:
            raise DocumentError("the list table has no rows")
        meta = layout.metadata(fmt.text(data))
        return ParsedDocument(entries=entries, format=fmt.name, layout=layout.id, **meta)
    want = f" of the {expect_layout} list" if expect_layout else " of a known list"
    raise DocumentError(f"no table with the columns{want}")
