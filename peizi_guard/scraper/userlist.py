"""A user's own list (a bank's or platform's blocklist) as CSV or JSON lines → ParsedDocument.

Columns: `name` (required), `company`, `urls`, `aliases`, `note`. In CSV, several urls or
aliases share a cell separated by `|`; in JSON lines they may also be lists. The file may be in
any encoding `inputs.decode` reads (BOM, UTF-8, GBK …). Pure: bytes in, records out.
"""

from __future__ import annotations

import csv
import io
import json

from ..inputs import decode
from . import fields
from ..model import Company, DocumentError, Entry, ParsedDocument

COLUMNS = ("name", "company", "urls", "aliases", "note")
SUFFIXES = (".csv", ".jsonl", ".ndjson", ".json")
LAYOUT = "user-list"


def is_user_list(filename: str) -> bool:
    return filename.lower().endswith(SUFFIXES)


def parse_user_list(data: bytes, hint: str = "") -> ParsedDocument:
    text = decode(data).text.lstrip("\ufeff")
    if not text.strip():
        raise DocumentError("the user list is empty")
    jsonl = hint.lower().endswith((".jsonl", ".ndjson", ".json")) or text.lstrip().startswith("{")
    rows = _jsonl(text) if jsonl else _csv(text)
    entries = [_entry(n, line, row) for n, (line, row) in enumerate(rows, 1)]
    if not entries:
        raise DocumentError("the user list has a header but no rows")
    return ParsedDocument(entries=entries, format="jsonl" if jsonl else "csv", layout=LAYOUT)


def _csv(text: str) -> list[tuple[int, dict]]:
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except (StopIteration, csv.Error):
        raise DocumentError("the user list has no header row") from None
    if "name" not in header:
        raise DocumentError(
            f"a user list needs a header row with a `name` column (and optionally "
            f"{', '.join(COLUMNS[1:])}); found: {', '.join(header)[:120]}"
        )
    out = []
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                out.append((reader.line_num, dict(zip(header, row))))
    except csv.Error as exc:
        raise DocumentError(f"line {reader.line_num}: {exc}") from None
    return out


def _jsonl(text: str) -> list[tuple[int, dict]]:
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DocumentError(f"line {n}: not JSON ({exc.msg})") from None
        if not isinstance(obj, dict):
            raise DocumentError(f"line {n}: expected an object with a `name`")
        out.append((n, {str(k).lower(): v for k, v in obj.items()}))
    return out


def _values(value) -> list[str]:  # noqa: ANN001
    items = value if isinstance(value, list) else str(value or "").split("|")
    return [str(x).strip() for x in items if str(x).strip()]


def _entry(seq: int, line: int, row: dict) -> Entry:
    name = str(row.get("name") or "").strip()
    if not name:
        raise DocumentError(f"line {line}: no name")
    company = str(row.get("company") or "").strip()
    note = str(row.get("note") or "").strip()
    urls = _values(row.get("urls"))
    return Entry(
        seq=seq,
        name=name,
        aliases=_values(row.get("aliases")),
        urls=urls,
        domains=fields.parse_urls(urls)[1],  # the hosts, as the official lists give them
        companies=[Company(company)] if company else [],
        extra={"note": note} if note else {},
    )
