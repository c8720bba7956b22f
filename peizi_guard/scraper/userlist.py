"""A user's own list (a bank's or platform's blocklist) as CSV or JSON lines → ParsedDocument.

Columns: `name` (required), `company`, `urls`, `aliases`, `note`. Several urls share a cell
separated by `|`, `;`, `；`, `,`, `，` or spaces (no address holds a space, and a comma in one is
rare enough to be worth its warning); several aliases by `|`, `;` or `；` only, since names hold
spaces (Tiger Brokers) and commas. In JSON lines they, and `company` (one company an item), may
also be lists; `name` must be a string, a number elsewhere is read as written. The file may be
in any encoding `inputs.decode` reads (BOM, UTF-8, GBK …); CSV lines end at \r\n, \n or a lone
\r. A header-only CSV or an empty JSON lines file is an empty list (storing it takes --force).
What is read but cannot be used — an address with no host, a cell past the header, a column of
another name, a JSON object or true/false as a value — is a warning naming its line, in
`warnings`, and so is a name an earlier row has too (both rows are kept). A CSV row is named
by the line it starts on. A quote left open — to the end of the file, or across the lines of a
name cell — is an error naming its line: it would swallow the rows after it. Pure: bytes in,
records out.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field

from ..inputs import decode, split_lines
from ..normalise import IPV4, host_of, name_key
from . import fields
from ..model import Company, DocumentError, Entry, ParsedDocument

COLUMNS = ("name", "company", "urls", "aliases", "note")
MANY = ("company", "urls", "aliases")  # the columns a JSON list may give several values of
SUFFIXES = (".csv", ".jsonl", ".ndjson", ".json")
LAYOUT = "user-list"
URL_SEPARATORS = re.compile(r"[|;；,，\s]+")
ALIAS_SEPARATORS = re.compile(r"[|;；]")
BREAK = re.compile(r"\r\n?|\n")  # a line end inside a quoted CSV cell


@dataclass
class UserListDocument(ParsedDocument):
    warnings: list[str] = field(default_factory=list)  # "line 3: …", in file order


def is_user_list(filename: str) -> bool:
    return filename.lower().endswith(SUFFIXES)


def parse_user_list(data: bytes, hint: str = "") -> UserListDocument:
    decoded = decode(data, max_line=len(data) + 1)  # read whole: a CR-only file is one "line"
    if decoded.problems:  # a row left out would be a platform silently not on the list
        raise DocumentError(
            decoded.problems[0].removesuffix("; left out")
            + ": nothing imported (save the whole list in one encoding, UTF-8)"
        )
    text = decoded.text.lstrip("\ufeff")
    jsonl = hint.lower().endswith((".jsonl", ".ndjson", ".json")) or text.lstrip().startswith("{")
    if not text.strip() and not jsonl:
        raise DocumentError("the user list is empty: a CSV list needs its header row (name, …), even with no rows")
    warnings: list[str] = []
    rows = _jsonl(text, warnings) if jsonl else _csv(text, warnings)
    entries = [_entry(n, line, row, warnings) for n, (line, row) in enumerate(rows, 1)]
    warnings += repeated_names([line for line, _ in rows], entries)
    warnings.sort(key=_line)  # in file order
    return UserListDocument(entries=entries, format="jsonl" if jsonl else "csv", layout=LAYOUT, warnings=warnings)


def _line(warning: str) -> int:
    """The line a warning names ("line 3: …")."""
    return int(warning.split(":", 1)[0].removeprefix("line "))


def _csv(text: str, warnings: list[str]) -> list[tuple[int, dict]]:
    lines = io.StringIO(text, newline="").readlines()  # at \r\n, \n or a lone \r (Excel for Mac), as csv counts them
    reader = csv.reader(lines)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except (StopIteration, csv.Error):
        raise DocumentError("the user list has no header row") from None
    if "name" not in header:
        other = next((sep for sep in ";\t|" if len(header) == 1 and "name" in header[0].split(sep)), "")
        hint = f" (columns separated by {other!r}: save it as CSV with commas, CSV UTF-8 in Excel)" if other else ""
        raise DocumentError(
            f"a user list needs a header row with a `name` column (and optionally "
            f"{', '.join(COLUMNS[1:])}); found: {', '.join(header)[:120]}{hint}"
        )
    warnings += [
        f"line 1: column `{h}` is not one of {', '.join(COLUMNS)}: ignored" for h in header if h not in COLUMNS
    ]
    out = []
    start = reader.line_num + 1  # the line the next row starts on (a quoted cell may span lines)
    try:
        for row in reader:
            if reader.line_num == len(lines):
                _closed_quotes(start, row, lines)
            if any(cell.strip() for cell in row):
                _one_line_name(start, reader.line_num, row, header)
                warnings += _swallowed_rows(start, reader.line_num, row, header)
                warnings += _extra_cells(start, row, len(header))
                out.append((start, dict(zip(header, row))))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise DocumentError(f"line {reader.line_num}: {exc}") from None
    return out


def _closed_quotes(start: int, row: list[str], lines: list[str]) -> None:
    """DocumentError when the file's last row, from line `start`, ends inside a quoted cell:
    csv.reader lets such a cell run to the end of the file, swallowing every row after its quote."""
    try:
        for _ in csv.reader(lines[start - 1 :], strict=True):
            pass
    except csv.Error as exc:
        if "end of data" not in str(exc):  # another slip (a letter after a closing quote) reads as before
            return
        opened = start + sum(len(BREAK.findall(cell)) for cell in row[:-1])  # the last cell is the open one
        raise DocumentError(
            f"line {opened}: a quote opens a cell that is never closed (it would run to the end of the file): "
            f'close it, or double a quote inside a quoted cell ("")'
        ) from None


def _one_line_name(start: int, end: int, row: list[str], header: list[str]) -> None:
    """DocumentError for a name cell holding a line break: a stray quote that a later one closes
    swallowed the rows between them (a quoted note may span lines)."""
    name = row[header.index("name")].strip() if len(row) > header.index("name") else ""
    if BREAK.search(name):
        raise DocumentError(
            f"line {start}: the name cell runs on to line {end} (a quote left open?): "
            f'quote a cell holding commas whole, and double a quote inside one ("")'
        )


def _swallowed_rows(start: int, end: int, row: list[str], header: list[str]) -> list[str]:
    """A warning for another cell whose later lines read as rows (commas in them): a quote left
    open there swallowed the rows up to where a later quote closed it."""
    return [
        f"line {start}: the {h} cell runs on to line {end}, and its later lines hold commas: a quote left open? "
        "the rows inside it were not read as rows"
        for h, cell in zip(header, row)
        if h != "name" and any("," in part for part in BREAK.split(cell)[1:])
    ]


def _extra_cells(line: int, row: list[str], width: int) -> list[str]:
    """A warning for cells past the header's columns (an unquoted cell holding a comma)."""
    extra = [c for c in row[width:] if c.strip()]
    if not extra:
        return []
    return [
        f"line {line}: {len(row)} cells, the header names {width}: {', '.join(extra)[:80]} ignored (quote a cell holding commas)"
    ]


def _jsonl(text: str, warnings: list[str]) -> list[tuple[int, dict]]:
    out = []
    known = set(COLUMNS)  # … and the unknown keys warned of already: each once, where it first appears
    loads = json.JSONDecoder().decode
    for n, line in enumerate(split_lines(text), 1):  # at line feeds, as every input file is read
        if not line.strip():
            continue
        try:
            obj = loads(line)
        except json.JSONDecodeError as exc:
            raise DocumentError(f"line {n}: not JSON ({exc.msg})") from None
        if not isinstance(obj, dict):
            raise DocumentError(f"line {n}: expected an object with a `name`")
        if "\\ud" in line.lower() and _lone_surrogate(obj):  # \ud800 alone is half a character
            raise DocumentError(
                f"line {n}: a value holds half of a character (an escape such as \\ud800 alone): not text"
            )
        row = _from_listing({str(k).lower(): v for k, v in obj.items()})
        if not row.keys() <= known:
            for k in sorted(row.keys() - known):
                warnings.append(f"line {n}: `{k}` is not one of {', '.join(COLUMNS)}: ignored")
                known.add(k)
        out.append((n, row))
    return out


def _lone_surrogate(obj: dict) -> bool:
    try:
        json.dumps(obj, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


LISTING = ("source", "seq", "domains", "company_details", "region", "list", "first_seen", "last_seen")


def _from_listing(row: dict) -> dict:
    """A line of `list --json` read as a row of a user list: its companies, its accounts (apps)
    as aliases and its note (extra.note); what the listing adds of its own is dropped unsaid."""
    if "companies" in row and "company" not in row:
        given = row.pop("companies")
        items = given if isinstance(given, list) else [given]
        row["company"] = [c.get("name") if isinstance(c, dict) else c for c in items]
    apps = row.pop("apps", None) if isinstance(row.get("apps"), list) else None
    if apps:
        aliases = row.get("aliases")
        row["aliases"] = [*(aliases if isinstance(aliases, list) else [aliases] if aliases else [])]
        row["aliases"] += [a.get("value") for a in apps if isinstance(a, dict)]
    extra = row.get("extra")
    if isinstance(extra, dict) and "note" not in row and isinstance(extra.get("note"), str):
        row["note"] = extra["note"]
    if isinstance(extra, dict):
        row.pop("extra")
    for k in LISTING:
        row.pop(k, None)
    return row


def split_values(value, separators: re.Pattern) -> list[str]:  # noqa: ANN001
    """The values of a cell (or of a JSON list's items), split, without blanks, dashes or repeats."""
    parts: list[str] = []
    for item in value if isinstance(value, list) else [value]:
        parts += separators.split("" if item is None else str(item))
    return fields.distinct(parts)


def cell_texts(line: int, column: str, value, warnings: list[str]) -> list[str]:  # noqa: ANN001
    """A cell's texts. A CSV cell is one; a JSON value may be a number (as written) or, for the
    columns that take several values, a list; anything else is a warning naming its line."""
    if isinstance(value, str):  # a CSV cell, and most JSON values
        return [value]
    items = value if isinstance(value, list) and column in MANY else [value]
    out = []
    for item in items:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, (int, float)) and not isinstance(item, bool):
            out.append(json.dumps(item))
        elif item is not None:
            warnings.append(f"line {line}: `{column}` holds {_kind(item)}, not text: ignored")
    return out


def _kind(value) -> str:  # noqa: ANN001
    """What a JSON value other than a string is, as a message names it."""
    if isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, (int, float)):
        return "a number"
    return "a list" if isinstance(value, list) else "an object"


def hostless(line: int, urls: list[str]) -> list[str]:
    """A warning for each value of a urls cell that is no address: it can never match; and for
    each that a browser reads as an IP address not written as one (1.1 is 1.0.0.1, 010.1.2.3 is
    8.1.2.3): it matches that address only."""
    out = []
    for u in urls:
        host = host_of(u)
        if not host:
            out.append(f"line {line}: {u!r} in urls is not an address (no host); it matches nothing")
        elif IPV4.fullmatch(host) and host not in u:
            out.append(f"line {line}: {u!r} in urls is read as the IP address {host}, as a browser reads it")
    return out


def _entry(seq: int, line: int, row: dict, warnings: list[str]) -> Entry:
    name = row.get("name")
    if name is not None and not isinstance(name, str):
        raise DocumentError(f"line {line}: `name` must be text, not {_kind(name)}")
    name = (name or "").strip()
    if not name:
        raise DocumentError(f"line {line}: no name")
    companies = fields.distinct(cell_texts(line, "company", row.get("company"), warnings))  # one company an item
    urls = split_values(cell_texts(line, "urls", row.get("urls"), warnings), URL_SEPARATORS)
    warnings += hostless(line, urls)
    aliases = split_values(cell_texts(line, "aliases", row.get("aliases"), warnings), ALIAS_SEPARATORS)
    note = " ".join(cell_texts(line, "note", row.get("note"), warnings)).strip()
    return Entry(
        seq=seq,
        name=name,
        aliases=aliases,
        urls=urls,  # as written, a value with no host too: the user sees it in `list`
        domains=fields.parse_urls(urls)[1],  # the hosts, as the official lists give them
        companies=[Company(c) for c in companies],
        extra={"note": note} if note else {},
    )


def repeated_names(lines: list[int], entries: list[Entry]) -> list[str]:
    """A warning for each name an earlier row has too (as a check reads names): both rows stay."""
    first: dict[str, int] = {}
    out = []
    for line, e in zip(lines, entries):
        key = name_key(e.name) or e.name
        if key in first:
            out.append(f"line {line}: the name {e.name!r} is on line {first[key]} too (both rows are kept)")
        else:
            first[key] = line
    return out
