"""Read the current lists straight from an SQLite file with the standard library.

Importing SQLAlchemy's ORM costs about 0.3 s; read-only commands on the default SQLite
database skip it: they read the small JSON document that every ingest rewrites in its
transaction (which snapshot of which source is current) and that snapshot's entries by SQL.
"""

from __future__ import annotations

import json
import os
import sqlite3

from .engine import BUSY_MS, file_uri, read_only_file, sqlite_path

READ_MODEL_VERSION = 2  # 2: the sources and their current snapshots; entries are read by SQL
# Its row. Version 1 (every record, under "current") is deleted when version 2 is written: an
# older peizi-guard then finds no read model and reads the lists through its ORM, correctly.
LISTS = "lists"

ENTRIES_SQL = (  # a snapshot's entries as listed: read here and by store.iter_snapshot_records
    "SELECT e.data, m.seq, e.key, e.first_snapshot_id, e.last_snapshot_id FROM memberships m "
    "JOIN entries e ON e.id = m.entry_id WHERE m.snapshot_id = :snapshot ORDER BY m.seq, e.id"
)


def record(data: str, seq: int, key: str, first: int, last: int) -> dict:
    """An entry as listed in a snapshot: its stored record, with seq as listed there."""
    d = json.loads(data)
    d["seq"], d["key"], d["first_seen"], d["last_seen"] = seq, key, first, last
    return d


def tagged(record: dict, source: str, kind: str | None) -> dict:
    """A record with its `source`, and `list: user` when it is on a user's own list."""
    record["source"] = source
    if kind == "user":
        record["list"] = "user"
    return record


def listed(row: tuple) -> dict:
    """A row of store.iter_current_rows as its record, with its `source` (and `list: user`)."""
    data, seq, key, first, last, source, kind = row
    return tagged(record(data, seq, key, first, last), source, kind)


class NotApplicable(Exception):
    """Not an existing SQLite file, or not readable as expected: use the ORM."""


def connect(path: str) -> sqlite3.Connection:
    """A read-only connection. A database in WAL mode needs its -shm file, which a read-only
    file or folder (a copy handed out, a read-only mount) cannot get: such a file is opened as
    immutable, since no one can write it either (as engine.open_engine does)."""
    mode = "immutable=1" if read_only_file(path) else "mode=ro"
    return sqlite3.connect(file_uri(path, mode), uri=True, timeout=BUSY_MS / 1000)


def _one(url: str, sql: str, params: tuple = ()) -> tuple | None:
    path = sqlite_path(url)
    if not path or not os.path.exists(path):
        raise NotApplicable(url)
    try:
        con = connect(path)
        try:
            return con.execute(sql, params).fetchone()
        finally:
            con.close()
    except sqlite3.Error as exc:
        raise NotApplicable(str(exc)) from None


def read_current(url: str, need: set[str], entries: bool = True) -> dict | None:
    """The current lists (as store.current_lists gives them; without their entries unless
    `entries`), or None when the fast path does not apply (not SQLite, not seeded, a read model
    of another version)."""
    path = sqlite_path(url)
    if not path or not os.path.exists(path):
        return None
    try:
        con = connect(path)
        try:
            con.execute("BEGIN")  # one read transaction: the lists and their entries as one state
            row = con.execute(f"SELECT payload FROM read_models WHERE name = '{LISTS}'").fetchone()
            if not row:
                return None
            data = json.loads(row[0])
            if data.get("version") != READ_MODEL_VERSION or not need <= {s["id"] for s in data["sources"]}:
                return None
            for src in data["sources"] if entries else ():
                src["entries"] = [record(*r) for r in con.execute(ENTRIES_SQL, {"snapshot": src["snapshot"]["id"]})]
            return data
        finally:
            con.close()
    except sqlite3.Error:
        return None


def read_key(url: str) -> str | None:
    """The identity of the current lists (see store.rebuild_read_model), or None when the fast
    path does not apply."""
    try:
        row = _one(url, "SELECT payload FROM read_models WHERE name = 'current-key'")
    except NotApplicable:
        return None
    return row[0] if row else None


def source_validators(url: str, source_id: str) -> tuple[str, str, str] | None:
    """(page_url, page_etag, page_last_modified) of a source, read without the ORM; None when the
    fast path does not apply."""
    try:
        row = _one(url, "SELECT page_url, page_etag, page_last_modified FROM sources WHERE id = ?", (source_id,))
    except NotApplicable:
        return None
    return (row[0] or "", row[1] or "", row[2] or "") if row else ("", "", "")


def touch_source(url: str, source_id: str, page_url: str, etag: str, modified: str, checked_at: str) -> bool:
    """Record a not-modified answer (validators, check time) without the ORM. False: use the ORM."""
    path = sqlite_path(url)
    if not path or not os.path.exists(path):
        return False
    try:
        con = sqlite3.connect(path, timeout=BUSY_MS / 1000)
        try:
            with con:
                cur = con.execute(
                    "UPDATE sources SET page_url = ?, page_etag = ?, page_last_modified = ?, "
                    "checked_at = ? WHERE id = ?",
                    (page_url, etag, modified, checked_at, source_id),
                )
            return cur.rowcount == 1
        finally:
            con.close()
    except sqlite3.Error:
        return False


# ---- scan results, written without the ORM --------------------------------------------

SCAN_COLUMNS = frozenset({"id", "url", "fetched_at", "verdict", "result"})  # models.ScanResult's
_SCAN_INSERT = "INSERT INTO scan_results (url, fetched_at, verdict, result) VALUES (?, ?, ?, ?)"


def scan_results_file(url: str) -> str | None:
    """The SQLite file whose scan_results table has this version's columns, which `scan` then
    writes with the standard library (the ORM's import and schema check cost about 0.3 s of its
    start); None: through the ORM (a server, a new or read-only file, an older schema it upgrades,
    and any URI with a query: mode=memory, mode=ro, immutable … are SQLAlchemy's to read)."""
    path = sqlite_path(url)
    if not path or "?" in url or not os.path.isfile(path) or read_only_file(path):
        return None
    try:
        con = connect(path)
        try:
            columns = {row[1] for row in con.execute("PRAGMA table_info(scan_results)")}
        finally:
            con.close()
    except sqlite3.Error:
        return None
    return path if columns == SCAN_COLUMNS else None


def stored_time(at) -> str:  # noqa: ANN001
    """A naive datetime as SQLAlchemy's SQLite DATETIME stores it (and compares it, as text)."""
    return at.isoformat(sep=" ", timespec="microseconds")


def _writer(path: str) -> sqlite3.Connection:
    """A connection that writes as the ORM's engine does (engine.open_engine): waiting for another
    program's lock, the file in WAL mode (readers never wait for a batch being stored)."""
    con = sqlite3.connect(path, timeout=BUSY_MS / 1000)
    try:
        con.execute("PRAGMA journal_mode=WAL")
    except sqlite3.Error:
        con.close()
        raise
    return con


def try_scan_write(path: str) -> None:
    """Write a scan result and roll it back: sqlite3.Error when this process cannot write one (a
    read-only file, a trigger or lock refusing it)."""
    from datetime import datetime

    con = _writer(path)
    try:
        con.execute("BEGIN")
        con.execute(_SCAN_INSERT, ("", stored_time(datetime.now()), "unchecked", "{}"))
        con.rollback()
    finally:
        con.close()


def store_scans(path: str, rows: list[tuple]) -> None:
    """Insert scan results, (url, fetched_at naive datetime, verdict, result JSON) each, in one
    transaction on a connection of its own (a scan's workers are forked: none is held open).
    Errors are sqlite3's (the ORM path raises SQLAlchemy's wrapping them)."""
    con = _writer(path)
    try:
        with con:
            con.executemany(_SCAN_INSERT, [(u, stored_time(at), v, r) for u, at, v, r in rows])
    finally:
        con.close()
