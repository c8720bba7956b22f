"""One process at a time sets a database up (schema, seeding) or changes its lists (import,
refresh, revert): a second process waits, then finds the first one's work done ("already known").

PostgreSQL: a session-level advisory lock. SQLite file: an exclusive flock on a file beside the
database (`<db>-setup.lock`; never on the database file itself, whose POSIX locks SQLite owns).
Elsewhere (in-memory SQLite, platforms without flock) there is nothing to share or to lock.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import text
from sqlalchemy.engine import Engine

from .engine import sqlite_path

KEY = 0x7065697A  # "peiz": the advisory lock id for setting up a database


@contextmanager
def setup_lock(engine: Engine) -> Iterator[None]:
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": KEY})
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": KEY})
                conn.commit()
        return
    path = sqlite_path(engine.url.render_as_string(hide_password=False))
    try:
        import fcntl
    except ImportError:  # no flock on this platform
        path = None
    if not path:
        yield
        return
    try:
        fh = open(path + "-setup.lock", "a+b")
    except OSError:
        yield  # a read-only directory: nobody can set the database up here anyway
        return
    with fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


change_lock = setup_lock  # the same lock serialises every change to the lists
