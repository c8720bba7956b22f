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


@pytest.mark.parametrize(
    "query",
    ["ddpz666\u200b.com", "ddpz666\u00ad.com", "ddpz666\ufeff.com", "ddpz666 .com", "ddpz666. com", "ddpz666 .com/"],
)
def test_a_listed_domain_with_an_invisible_character_or_a_spaced_dot_is_read_as_the_address(db, query):
    v = Guard(db).check(query)
    assert (v.kind, v.verdict) == ("url", "listed"), (query, v.kind, v.verdict)


@pytest.mark.parametrize("query", ["U.S. Steel", "Mr. Smith", "ddpz666 .comx", "杜德配资 . 官网"])
def test_a_name_with_a_spaced_dot_stays_a_name(db, query):
    assert Guard(db).check(query).kind == "name"


# ---- the web page and API (from an outside review of the service) -------------------------------


@pytest.fixture(scope="module")
def web(shared_db):
    from fastapi.testclient import TestClient

    from peizi_guard.web.app import create_app

    with TestClient(create_app(shared_db, rate_limit=0)) as c:
        yield c


def test_the_calculator_form_hints_a_ratio_and_a_typed_leverage_is_enough(web):
    form = web.get("/").text
    assert '<input name="ratio" value="" placeholder="1:9">' in form  # shown, not filled in
    typed = web.get("/", params={"own": "10万", "leverage": "5", "ratio": "", "monthly": "1.5%", "days": "30"})
    assert typed.status_code == 200 and 'id="error"' not in typed.text
    assert "500,000.00" in typed.text and "-20.00%" in typed.text  # a position of 5 × 10万, wiped out at -20 %
    neither = web.get("/", params={"own": "10万", "leverage": "", "ratio": "", "monthly": "1.5%", "days": "30"})
    assert neither.status_code == 200 and "-10.00%" in neither.text  # the hint's 1:9: wiped out at a 10 % fall
    both = web.get("/", params={"own": "10万", "leverage": "5", "ratio": "1:9"})
    assert both.status_code == 422 and "give exactly one of" in both.text


def test_the_api_calculator_takes_an_empty_parameter_as_its_default(web):
    plain = web.get("/api/calc", params={"own": "10000", "ratio": "1:9"}).json()
    blank = web.get("/api/calc", params={"own": "10000", "leverage": "", "ratio": "1:9", "days": "", "annual_rate": ""})
    assert blank.status_code == 200 and blank.json() == plain
    r = web.get("/api/calc", params={"own": "", "leverage": "10"})
    assert r.status_code == 422 and r.json()["detail"].startswith("own is required")


def test_bytes_that_are_not_text_are_said_so_not_called_empty(web):
    r = web.get("/api/check?q=%FF")
    assert r.status_code == 422 and "not text" in r.json()["detail"] and "empty" not in r.json()["detail"]
    page = web.get("/?lang=en&q=%FF")
    assert page.status_code == 422 and "could not be decoded" in page.text


def test_the_page_answers_a_text_over_its_limit_with_413(web):
    r = web.post("/?lang=en", data={"q": "配资" * 40_000})
    assert r.status_code == 413 and "over 204,800 bytes" in r.text
