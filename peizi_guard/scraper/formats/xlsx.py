"""Excel (.xlsx) sheets as tables, read with openpyxl once the archive has passed the zip caps.

Every worksheet is one table; a cell's lines are its value split on newlines. Merged ranges
repeat their top-left value in every cell they cover (read-only openpyxl does not report them,
so they are read from the sheet's XML).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import warnings

from ...errors import first_line
from ...model import DocumentError
from . import register
from .interface import DocumentFormat, Table
from .zipsafe import SafeZip, looks_like

WORKBOOK = "xl/workbook.xml"
MAX_COLS = 64
MAX_ROWS = 100_000  # rows read per sheet; official lists have a few hundred
MAX_FILL = 1_000_000  # cells written by merged ranges, per sheet
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Za-z]+\d+(?::[A-Za-z]+\d+)?)"')


class XlsxFormat(DocumentFormat):
    name = "xlsx"
    suffixes = (".xlsx", ".xlsm")
    content_types = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",)

    def sniff(self, data: bytes) -> bool:
        return looks_like(data, WORKBOOK)

    def tables(self, data: bytes) -> list[Table]:
        with SafeZip(data, ".xlsx") as z:
            if WORKBOOK not in z.names():
                raise DocumentError(f".xlsx has no {WORKBOOK}")
            z.check_all()  # before openpyxl inflates anything
            sheets = _read_sheets(data)
            return [_fill_merges(rows, _merges(z, path)) for path, rows in sheets]

    def text(self, data: bytes) -> str:
        """Title-like rows (one distinct value), which carry a sheet's title, dates and notes."""
        out = []
        for table in self.tables(data):
            for row in table:
                values = {"\n".join(c) for c in row if c}
                if len(values) == 1:
                    out.append(values.pop())
        return "\n".join(out)


def _read_sheets(data: bytes) -> list[tuple[str, Table]]:
    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                return [(getattr(ws, "_worksheet_path", ""), _sheet_rows(ws)) for ws in wb.worksheets]
            finally:
                wb.close()
    except DocumentError:
        raise
    except MemoryError:
        raise  # the parsing child's memory cap: reported as such
    except Exception as exc:  # openpyxl and zipfile raise many unrelated types
        msg = first_line(exc, type(exc).__name__)
        raise DocumentError(f"unreadable .xlsx ({msg[:80]})") from None


def _sheet_rows(ws) -> Table:
    if hasattr(ws, "reset_dimensions"):
        ws.reset_dimensions()  # the stored dimension may be wrong or absurdly large
    rows: Table = []
    for n, values in enumerate(ws.iter_rows(min_row=1, max_col=MAX_COLS, values_only=True)):
        if n >= MAX_ROWS:
            break
        rows.append([_lines(v) for v in values])
    while rows and not any(rows[-1]):
        rows.pop()
    return rows


def _lines(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, dt.datetime):
        value = value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    elif isinstance(value, dt.date):
        value = value.isoformat()
    return [s.strip() for s in str(value).splitlines() if s.strip()]


def _merges(z: SafeZip, path: str) -> list[tuple[int, int, int, int]]:
    """(min_col, min_row, max_col, max_row) of each merged range, 1-based."""
    from openpyxl.utils import range_boundaries

    path = path.lstrip("/")
    if path not in z.names():
        return []
    out = []
    for ref in _MERGE.findall(z.read(path)):
        try:
            out.append(tuple(range_boundaries(ref.decode().upper())))
        except (ValueError, TypeError):
            continue
    return out


def _fill_merges(rows: Table, merges: list[tuple[int, int, int, int]]) -> Table:
    budget = MAX_FILL
    for c0, r0, c1, r1 in merges:
        if r0 > len(rows) or c0 > MAX_COLS:
            continue
        top_left = rows[r0 - 1][c0 - 1] if c0 - 1 < len(rows[r0 - 1]) else []
        for r in range(r0, min(r1, len(rows)) + 1):
            row = rows[r - 1]
            for c in range(c0, min(c1, MAX_COLS) + 1):
                budget -= 1
                if budget < 0:
                    raise DocumentError(".xlsx has too many merged cells")
                row += [[] for _ in range(c - len(row))]
                row[c - 1] = list(top_left)
    width = max((i + 1 for row in rows for i, cell in enumerate(row) if cell), default=0)
    return [row[:width] + [[] for _ in range(width - len(row))] for row in rows if any(row)]


register(XlsxFormat())
