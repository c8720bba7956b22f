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


def read_current(url: str, need: set[str]) -> dict | None:
    """The read model, or None when the fast path does not apply (not SQLite, not seeded, stale)."""
    path = sqlite_path(url)
    if not path or not os.path.exists(path):
        return None
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
        try:
            row = con.execute("SELECT payload FROM read_models WHERE name = 'current'").fetchone()
        finally:
            con.close()
    except sqlite3.Error:
        return None
    if not row:
        return None
    data = json.loads(row[0])
    if data.get("version") != READ_MODEL_VERSION or not need <= {s["id"] for s in data["sources"]}:
        return None
    return data
