"""Shared fixtures: the real documents under fixtures/, and a temporary database per test.

With PEIZI_GUARD_TEST_DB set to a PostgreSQL URL (CI's second run), every test database is a
fresh database on that server instead of an SQLite file.
"""
from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

TEST_DB = os.environ.get("PEIZI_GUARD_TEST_DB", "")
sqlite_only = pytest.mark.skipif(bool(TEST_DB), reason="SQLite-specific; this run uses PEIZI_GUARD_TEST_DB")

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CSRC_PDF = FIXTURES / "2020-07-08-illegal-peizi-platforms.pdf"


@pytest.fixture(autouse=True)
def _own_cache_dir(tmp_path_factory, monkeypatch):
    """Saved indexes of non-file databases go to the cache directory: a throwaway one per run."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "cache"))


@pytest.fixture(scope="session")
def csrc_bytes() -> bytes:
    return CSRC_PDF.read_bytes()


@pytest.fixture(scope="session")
def csrc_doc(csrc_bytes):
    from peizi_guard.scraper.parse import parse_document

    return parse_document(csrc_bytes, CSRC_PDF.name)


@pytest.fixture(scope="session")
def _server():
    if not TEST_DB:
        yield None
        return
    from sqlalchemy import create_engine

    engine = create_engine(TEST_DB, isolation_level="AUTOCOMMIT")
    yield engine
    engine.dispose()


class _Databases:
    """Fresh, empty databases: SQLite files in `folder`, or new PostgreSQL databases (dropped at the end)."""

    def __init__(self, server, folder: Path):  # noqa: ANN001
        self.server, self.folder, self.made = server, folder, []

    def make(self, name: str = "t") -> str:
        from sqlalchemy import text
        from sqlalchemy.engine import make_url

        if self.server is None:
            return str(self.folder / f"{name}.db")
        dbname = f"pgt_{name}_{uuid.uuid4().hex[:10]}".lower()
        with self.server.connect() as c:
            c.execute(text(f'CREATE DATABASE "{dbname}"'))
        self.made.append(dbname)
        return make_url(TEST_DB).set(database=dbname).render_as_string(hide_password=False)

    def drop(self) -> None:
        from sqlalchemy import text

        if self.made:
            with self.server.connect() as c:
                for dbname in self.made:
                    c.execute(text(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)'))


@pytest.fixture()
def new_db(tmp_path, _server):
    """new_db(name) -> a fresh, empty database: an SQLite file, or a new PostgreSQL database."""
    dbs = _Databases(_server, tmp_path)
    yield dbs.make
    dbs.drop()


@pytest.fixture(scope="module")
def shared_db(tmp_path_factory, _server) -> str:
    """One database for a module's read-only tests (the web service never writes)."""
    dbs = _Databases(_server, tmp_path_factory.mktemp("shared"))
    yield dbs.make("shared")
    dbs.drop()


@pytest.fixture()
def db(new_db, monkeypatch) -> str:
    """A fresh database; PEIZI_GUARD_DB points at it too."""
    url = new_db("pg")
    monkeypatch.setenv("PEIZI_GUARD_DB", url)
    return url


def table_counts(url: str, tables) -> dict:
    """Rows per table, on any backend."""
    from sqlalchemy import create_engine, text

    from peizi_guard.db.engine import resolve_url

    engine = create_engine(resolve_url(url))
    try:
        with engine.connect() as c:
            return {t: c.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in tables}
    finally:
        engine.dispose()
