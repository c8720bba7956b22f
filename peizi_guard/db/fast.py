"""Read the current-lists read model straight from an SQLite file with the standard library.

Importing SQLAlchemy's ORM costs about 0.3 s; read-only commands on the default SQLite
database skip it and read the JSON document that every ingest rewrites in its transaction.
"""

from __future__ import annotations

import json
import os
import sqlite3

from .engine import sqlite_path

READ_MODEL_VERSION = 1


class NotApplicable(Exception):
    """Not an existing SQLite file, or not readable as expected: use the ORM."""


def _one(url: str, sql: str, params: tuple = ()) -> tuple | None:
    path = sqlite_path(url)
    if not path or not os.path.exists(path):
        raise NotApplicable(url)
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
        try:
            return con.execute(sql, params).fetchone()
        finally:
            con.close()
    except sqlite3.Error as exc:
        raise NotApplicable(str(exc)) from None


def read_current(url: str, need: set[str]) -> dict | None:
    """The read model, or None when the fast path does not apply (not SQLite, not seeded, stale)."""
    try:
        row = _one(url, "SELECT payload FROM read_models WHERE name = 'current'")
    except NotApplicable:
        return None
    if not row:
        return None
    data = json.loads(row[0])
    if data.get("version") != READ_MODEL_VERSION or not need <= {s["id"] for s in data["sources"]}:
        return None
    return data


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
        con = sqlite3.connect(path, timeout=30)
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
