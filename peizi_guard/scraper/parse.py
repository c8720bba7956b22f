"""bytes → ParsedDocument: pick the format by signature, the layout by header row."""

from __future__ import annotations

import re

from ..model import DocumentError, ParsedDocument
from .formats import detect
from .layouts import LAYOUTS


_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
NO_TABLE = "no table with the columns"  # … of a known list (api.import_file tells an own list's file by it)


def content_date(entries: list) -> str:
    """The first day of the latest month an entry was found in (SAC's 发现时间), or ""."""
    months = [m.groups() for e in entries if (m := _MONTH.match(str(e.extra.get("found", ""))))]
    return f"{max(months)[0]}-{max(months)[1]}-01" if months else ""


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
        return ParsedDocument(
            entries=entries, format=fmt.name, layout=layout.id, content_date=content_date(entries), **meta
        )
    want = f" of the {expect_layout} list" if expect_layout else " of a known list"
    raise DocumentError(f"{NO_TABLE}{want}")
