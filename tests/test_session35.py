"""Session 35: one wording for "nothing to check" wherever it is refused, and every SQLite
connection made without the ORM waits for a lock as long as the ORM's engine does."""

from __future__ import annotations

import sqlite3

import pytest
from click.testing import CliRunner

from peizi_guard import Guard
from peizi_guard.cli import main
from peizi_guard.db import fast
from peizi_guard.db.engine import BUSY_MS, resolve_url, sqlite_path
from peizi_guard.guard import SHOWS_NOTHING

from .conftest import sqlite_only

HTML_OF_NOTHING = "<div><p> </p><br></div>"  # source that shows no text and links nowhere


def test_the_library_and_the_command_refuse_html_of_nothing_in_the_same_words(db):
    with pytest.raises(ValueError) as caught:
        list(Guard(db).check_many(["杜德配资", HTML_OF_NOTHING]))
    assert str(caught.value) == f"nothing to check in a query that is {SHOWS_NOTHING}"
    assert "HTML that shows no text" in SHOWS_NOTHING  # the case the library's words had left out
    r = CliRunner().invoke(main, ["--db", db, "check", "杜德配资", HTML_OF_NOTHING])
    assert r.exit_code == 2
    assert r.output.strip() == f"peizi-guard: error: nothing to check in a QUERY or --text that is {SHOWS_NOTHING}"


def test_the_web_page_says_what_the_library_says():
    from peizi_guard.web import app

    assert app.EMPTY == SHOWS_NOTHING


@sqlite_only
def test_connections_without_the_orm_wait_for_a_lock_as_the_engine_does(db, monkeypatch):
    Guard(db).index  # the database exists, seeded
    path = sqlite_path(resolve_url(db))
    with fast.connect(path) as con:
        assert con.execute("PRAGMA busy_timeout").fetchone()[0] == BUSY_MS
    waits = []
    real = sqlite3.connect

    def connect(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        waits.append(kwargs.get("timeout"))
        return real(*args, **kwargs)

    monkeypatch.setattr(fast.sqlite3, "connect", connect)
    stored = fast.touch_source(resolve_url(db), "csrc-peizi", "", "", "", "2026-12-02 00:00:00")
    assert stored and waits == [BUSY_MS / 1000]
