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


@pytest.fixture(scope="session")
def _seeded(_server, tmp_path_factory):
    """PostgreSQL: one database seeded from the shipped lists, with its saved index, copied
    (CREATE DATABASE … TEMPLATE, and the index file) for each `db`: what the first command on a
    new database does, once per run instead of once per test (the index's key, the lists it was
    built for, is checked on every load as ever)."""
    import subprocess
    import sys

    cache = str(tmp_path_factory.getbasetemp() / "cache")
    if _server is None:  # SQLite: a seeded file, copied for each `db`
        path = str(tmp_path_factory.mktemp("seeded") / "t.db")
        subprocess.run([sys.executable, "-c", "import sys; from peizi_guard import api; api.load_index(sys.argv[1])",
                        path], check=True, env={**os.environ, "XDG_CACHE_HOME": cache})
        yield "", path
        return
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    name = f"pgt_seeded_{uuid.uuid4().hex[:10]}"
    with _server.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(TEST_DB).set(database=name).render_as_string(hide_password=False)
    # in a process of its own, so that no connection is left open on the template
    subprocess.run([sys.executable, "-c", "import sys; from peizi_guard import api; api.load_index(sys.argv[1])",
                    url], check=True, env={**os.environ, "XDG_CACHE_HOME": cache})
    yield name, url
    with _server.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


class _Databases:
    """Fresh, empty databases: SQLite files in `folder`, or new PostgreSQL databases (dropped at the end)."""

    def __init__(self, server, folder: Path, template: str | None = None):  # noqa: ANN001
        self.server, self.folder, self.made, self.template = server, folder, [], template

    def make(self, name: str = "t") -> str:
        from sqlalchemy import text
        from sqlalchemy.engine import make_url

        if self.server is None:
            return str(self.folder / f"{name}.db")
        dbname = f"pgt_{name}_{uuid.uuid4().hex[:10]}".lower()
        like = f' TEMPLATE "{self.template}"' if self.template else ""
        with self.server.connect() as c:
            c.execute(text(f'CREATE DATABASE "{dbname}"{like}'))
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
def db(tmp_path, _own_cache_dir, _server, _seeded, monkeypatch) -> str:
    """A fresh database: a copy of one seeded once, with its saved index, as every database is
    seeded on first use (an SQLite file copied, or a PostgreSQL database made from it as a
    template); PEIZI_GUARD_DB points at it too. `new_db` gives empty ones."""
    import shutil

    from peizi_guard.db.indexfile import path_for

    dbs = _Databases(_server, tmp_path, template=_seeded[0] or None)
    url = dbs.make("pg")
    if _server is None:
        shutil.copyfile(_seeded[1], url)  # (the seeding process ended: its WAL is checkpointed)
    saved = path_for(_seeded[1])
    if saved and os.path.exists(saved):
        shutil.copyfile(saved, path_for(url))
    monkeypatch.setenv("PEIZI_GUARD_DB", url)
    yield url
    dbs.drop()


@pytest.fixture()
def db_before_history(new_db, monkeypatch) -> str:
    """A database seeded as peizi-guard seeded one before it shipped the SAC's earlier issues: the
    current document of each source only, so that importing or refreshing an earlier issue adds
    it (the path of every issue the SAC publishes from now on): PEIZI_GUARD_HISTORY=0, as a user
    may set it too, for this process and the ones it starts. Seeded on first use; PEIZI_GUARD_DB
    points at it."""
    monkeypatch.setenv("PEIZI_GUARD_HISTORY", "0")
    url = new_db("before")
    monkeypatch.setenv("PEIZI_GUARD_DB", url)
    return url


def query(url: str, sql: str) -> list[tuple]:
    """The rows of `sql` on the database at `url` (any backend), on an engine of its own."""
    from sqlalchemy import create_engine, text

    from peizi_guard.db.engine import resolve_url

    engine = create_engine(resolve_url(url))
    try:
        with engine.connect() as c:
            return [tuple(row) for row in c.execute(text(sql))]
    finally:
        engine.dispose()


def scalar(url: str, sql: str):  # noqa: ANN201
    """The first column of the first row of `sql` (None when there is no row)."""
    rows = query(url, sql)
    return rows[0][0] if rows else None


def table_counts(url: str, tables) -> dict:
    """Rows per table, on any backend."""
    return {t: scalar(url, f"SELECT count(*) FROM {t}") for t in tables}


def pytest_sessionstart(session):
    """Bytecode for the package, as pip writes it for an installed one: an editable install has
    none, and under PYTHONDONTWRITEBYTECODE (CI's environment) each of the hundreds of processes
    the tests start (the CLI, scan and index workers) would compile every module again."""
    import compileall

    compileall.compile_dir(str(Path(__file__).resolve().parent.parent / "peizi_guard"), quiet=1)


def pytest_collection_finish(session):
    """Start mypy at once when test_mypy will run: it checks beside the other tests."""
    if os.environ.get("PYTEST_XDIST_WORKER"):  # which worker runs it is not known yet: it starts mypy itself
        return
    if any(item.nodeid.endswith("test_lint.py::test_mypy") for item in session.items) and not TEST_DB:
        from .test_lint import start_mypy

        session.config._mypy = start_mypy()


# The slowest modules that never touch the database under test (document parsers, the text model,
# pages fetched into their own SQLite files): the PostgreSQL run, which must stay under five
# minutes, leaves them to the SQLite run. Every test that opens a database runs in both.
BACKEND_FREE = {
    "test_corpus", "test_csrc_pdf", "test_fetch", "test_page_structure", "test_pages", "test_pinyin", "test_properties",
    "test_sac", "test_textmodel",
}
# … and one that opens a database only to ask what is the same on any backend: the same text's
# evidence under other hash seeds (four processes)
SAME_ON_ANY_BACKEND = {"test_determinism"}


def pytest_collection_modifyitems(config, items):
    if not TEST_DB:
        return
    skip = pytest.mark.skip(reason="backend-independent (no database under test): runs in the SQLite run")
    same = pytest.mark.skip(reason="backend-independent (what it checks is not stored): runs in the SQLite run")
    for item in items:
        module = item.module.__name__.rsplit(".", 1)[-1]
        if module in BACKEND_FREE:
            item.add_marker(skip)
        elif module in SAME_ON_ANY_BACKEND:
            item.add_marker(same)
