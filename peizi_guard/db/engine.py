"""Where the database is and how to open it: --db, else $PEIZI_GUARD_DB, else the user data dir."""

from __future__ import annotations

import os
import re
from pathlib import Path

ENV = "PEIZI_GUARD_DB"


class DbError(RuntimeError):
    pass


# a scheme starts only where a run of scheme characters starts: tried once per run, not at each
# of its characters (a path of 40,000 letters took 12 s)
_CREDENTIALS = re.compile(r"(?<![a-z0-9+.-])(?P<head>[a-z][a-z0-9+.-]*://[^:/@\s]*:)[^@\s]*(?=@)", re.I)


BUSY_MS = 30_000  # how long SQLite waits for another program's lock before giving up
LOCKED = "the database is locked by another program (waited 30 s for it)"  # what giving up is said as


def locked(exc: BaseException) -> bool:
    """`exc`, or an exception it came from, is SQLite giving up on another program's lock."""
    import sqlite3

    from ..errors import exception_chain

    return any(isinstance(e, sqlite3.OperationalError) and "database is locked" in str(e) for e in exception_chain(exc))


def mask(text: str) -> str:
    """Any `scheme://user:password@host` in a message, with the password as ***."""
    return _CREDENTIALS.sub(lambda m: m.group("head") + "***", text) if "://" in text else text


def resolve_url(db: str | None = None) -> str:
    """An SQLAlchemy URL from a file path or URL (flag, then environment, then default). An empty
    environment variable counts as unset; blanks (spaces) are an error, not a file named " "."""
    from ..normalise import is_blank  # (spaces and invisible characters: U+200B names no file either)

    env = os.environ.get(ENV) or None
    if db and is_blank(db):
        raise DbError("the database is blank: give a file path or URL")
    if not db and env is not None and is_blank(env):
        raise DbError(f"{ENV} is blank: set it to a database file or URL, or unset it")
    value = db or env or default_path()
    if "://" in value:
        return _driver(value)
    return "sqlite:///" + str(Path(value).expanduser().resolve())


def default_path() -> str:
    """The database file used when none is named: in the user data dir (created on first use)."""
    import platformdirs

    return str(Path(platformdirs.user_data_dir("peizi-guard", appauthor=False)) / "peizi-guard.db")


def _driver(url: str) -> str:
    """postgresql:// names psycopg2 in SQLAlchemy; use psycopg 3 (the `postgres` extra) when that is
    what is installed."""
    scheme, rest = url.split("://", 1)
    if scheme.lower() not in ("postgresql", "postgres"):
        return url
    import importlib.util

    if importlib.util.find_spec("psycopg2") is None and importlib.util.find_spec("psycopg") is not None:
        return "postgresql+psycopg://" + rest
    return url


def file_uri(path: str, query: str) -> str:
    """An SQLite URI for the file at `path` (a #, ? or % in its name escaped, as URIs need)."""
    from urllib.parse import quote

    return f"file:{quote(path)}?{query}"


def sqlite_path(url: str) -> str | None:
    """The file behind an sqlite:/// URL (None for other databases or in-memory SQLite)."""
    for prefix in ("sqlite:///", "sqlite+pysqlite:///"):
        if url.startswith(prefix):
            path, _, query = url[len(prefix) :].partition("?")
            if path.startswith("file:") and "uri=true" in query.lower():  # sqlite:///file:/x.db?mode=ro&uri=true
                from urllib.parse import unquote

                path = unquote(path[len("file:") :]).removeprefix("//")
            return path if path and path != ":memory:" else None
    return None


def asks_read_only(url: str) -> bool:
    """An SQLite URI that opens its file read-only (sqlite:///file:/x.db?mode=ro&uri=true)."""
    query = url.partition("?")[2].lower().split("&")
    return sqlite_path(url) is not None and "uri=true" in query and ("mode=ro" in query or "immutable=1" in query)


def read_only_file(path: str) -> bool:
    """An SQLite file that exists and that this process cannot write (the file or its folder)."""
    return os.path.exists(path) and not (os.access(path, os.W_OK) and os.access(os.path.dirname(path) or ".", os.W_OK))


_UPGRADED: set[str] = set()  # server databases whose schema this process has checked (and upgraded)


def _foreign_file(path: str) -> str:
    """Why the SQLite file at `path` is another program's ("" when it is ours, new, or not a
    database at all: opening it says so). Read only, with the standard library."""
    import sqlite3

    from .fast import connect
    from .migrate import foreign

    if not os.path.isfile(path) or os.path.getsize(path) == 0:
        return ""
    try:
        con = connect(path)
        try:
            rows = con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite!_%' ESCAPE '!'"
            )
            names = [r[0] for r in rows]
            tables = {n: {c[1] for c in con.execute("SELECT * FROM pragma_table_info(?)", (n,))} for n in names}
        finally:
            con.close()
    except sqlite3.Error:
        return ""
    return foreign(tables, whole_file=True)


def open_engine(url: str, pooled: bool = True):
    """An engine with the schema created; SQLite files run in WAL mode. Not `pooled`: each
    session opens its own connection and closes it at its end, so none is left open when the
    process forks (scan's workers)."""
    from sqlalchemy import create_engine, event
    from sqlalchemy.exc import ArgumentError, SQLAlchemyError
    from sqlalchemy.pool import NullPool

    from .lock import setup_lock
    from .migrate import ForeignDatabase, upgrade

    path = sqlite_path(url)
    read_only = path is not None and (read_only_file(path) or asks_read_only(url))  # a copy handed out, or
    # a URI asking for the file read-only: read as it is (see fast.connect)
    if path and not read_only and not Path(path).parent.is_dir():
        if path != str(Path(default_path()).resolve()):  # a named file in a folder that is not there: a typo, likely
            raise DbError(f"cannot open database {path}: its folder {Path(path).parent} does not exist")
        try:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DbError(f"cannot create the database directory for {path}: {exc.strerror}") from None
    if path and not read_only and url not in _UPGRADED:
        why = _foreign_file(path)  # looked at before any connection sets WAL on it
        if why:
            raise DbError(f"{path} is not a peizi-guard database: {why}; use another database file")
    try:
        kwargs = {} if pooled else {"poolclass": NullPool}
        engine = create_engine(f"sqlite:///file:{path}?immutable=1&uri=true" if read_only else url, **kwargs)
    except (ArgumentError, SQLAlchemyError, ImportError, ValueError) as exc:
        raise DbError(mask(f"cannot use database URL {url!r}: {str(exc).splitlines()[0]}")) from None
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # noqa: ANN001
            cur = dbapi_conn.cursor()
            cur.execute(f"PRAGMA busy_timeout={BUSY_MS}")
            if path and not read_only:
                cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

    if url in _UPGRADED:  # this process has seen its schema up to date: not looked at again
        return engine
    try:
        with setup_lock(engine):
            upgrade(engine)
        if engine.dialect.name != "sqlite":  # a server's; a file may be made again, and each :memory: is new
            _UPGRADED.add(url)
    except ForeignDatabase as exc:
        raise DbError(mask(f"{url} is not a peizi-guard database: {exc}; use another database")) from None
    except SQLAlchemyError as exc:
        why = str(exc).splitlines()[0]
        if "readonly database" in why:  # check and list read a read-only copy; the other commands cannot
            why = "it is read-only, and this command changes it"
        raise DbError(mask(f"cannot open database {url}: {why}")) from None
    return engine
