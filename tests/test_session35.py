"""Session 35: one wording for "nothing to check" wherever it is refused, and every SQLite
connection made without the ORM waits for a lock as long as the ORM's engine does."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time

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
    moves = web.get("/api/calc", params={"own": "10000", "ratio": "1:9", "move": ""})
    assert moves.status_code == 200 and moves.json() == plain
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


# ---- the command line (from an outside review): nothing stored is lost -------------------------


def _cli(db: str, *args: str):  # noqa: ANN202
    return CliRunner().invoke(main, ["--db", db, *args])


def _digest(path) -> str:  # noqa: ANN001
    import hashlib
    from pathlib import Path

    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@sqlite_only
@pytest.mark.parametrize("beside", ["", "-wal", "-shm", "-journal", ".index"])
def test_output_onto_the_database_or_a_file_beside_it_is_refused(db, tmp_path, beside):
    Guard(db).index
    urls = tmp_path / "urls.txt"
    urls.write_text("http://127.0.0.1:9/x\n", encoding="utf-8")
    before = _digest(db)
    for args in (["check", "杜德配资"], ["scan", str(urls)]):
        r = _cli(db, *args, "-o", db + beside)
        assert r.exit_code == 2 and "is the database (or a file it keeps beside it)" in r.output, r.output
    assert _digest(db) == before and Guard(db).check("杜德配资").verdict == "listed"


@sqlite_only
def test_output_named_like_the_database_but_not_beside_it_is_written(db, tmp_path):
    out = db + ".index-results.jsonl"  # not a file the database keeps
    r = _cli(db, "check", "杜德配资", "--json", "-o", out)
    assert r.exit_code == 1 and '"verdict": "listed"' in open(out, encoding="utf-8").read()


def test_scan_output_dash_is_standard_output(db, tmp_path, monkeypatch):
    urls = tmp_path / "urls.txt"
    urls.write_text("http://127.0.0.1:9/x\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    r = _cli(db, "scan", str(urls), "-o", "-", "--format", "jsonl")
    assert r.exit_code == 2 and not (tmp_path / "-").exists()  # (2: a page left unchecked)
    assert '"verdict": "unchecked"' in r.stdout


@pytest.mark.parametrize(
    ("held", "fmt"),
    [(b'{"a":1}\n{"b":2}', "csv"), (b"precious single line without newline", "jsonl"), (b"notes, kept", "table")],
)
def test_a_resume_refused_leaves_the_output_as_it_was(db, tmp_path, held, fmt):
    urls = tmp_path / "urls.txt"
    urls.write_text("http://127.0.0.1:9/x\n", encoding="utf-8")
    out = tmp_path / "out.txt"
    out.write_bytes(held)
    r = _cli(db, "scan", str(urls), "-o", str(out), "--format", fmt, "--resume")
    assert r.exit_code == 2 and r.output.startswith("peizi-guard: error: -o "), r.output
    assert out.read_bytes() == held


def test_an_import_with_a_row_that_is_not_text_imports_nothing_and_names_the_line(db, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(
        b"name,urls\n"
        + "坏平台甲,www.jia.com\n".encode()
        + "坏平台乙".encode()
        + b"\xff,www.yi.com\n"
        + "坏平台丙,www.bing.com\n".encode()
    )
    r = _cli(db, "import", str(bad), "--source", "mine")
    assert r.exit_code == 2
    assert (
        r.output.strip()
        == f"peizi-guard: error: {bad}: line 3: not valid UTF-8 or GB18030: nothing imported (save the whole list in one encoding, UTF-8)"
    )
    assert "mine" not in [s["id"] for s in Guard(db).sources()]


def test_an_escaped_half_character_in_a_json_list_is_refused_and_a_whole_one_imported(db, tmp_path):
    half = tmp_path / "half.jsonl"
    half.write_text('{"name": "坏平台\\ud800乙"}\n', encoding="utf-8")
    r = _cli(db, "import", str(half), "--source", "mine")
    assert r.exit_code == 2 and "line 1: a value holds half of a character" in r.output, r.output
    whole = tmp_path / "whole.jsonl"
    whole.write_text('{"name": "坏平台\\ud83d\\ude00乙", "urls": "www.yi-example.com"}\n', encoding="utf-8")
    r = _cli(db, "import", str(whole), "--source", "mine")
    assert r.exit_code == 0, r.output
    assert Guard(db).check("www.yi-example.com").verdict == "listed"


@pytest.mark.parametrize("snapshot", ["99999999999999999999", str(2**31)])
def test_revert_to_an_id_no_database_can_hold_is_a_usage_error(db, snapshot):
    r = _cli(db, "revert", "csrc-peizi", snapshot)
    assert r.exit_code == 2 and r.output.startswith(f"peizi-guard: error: snapshot {snapshot} is not a snapshot"), (
        r.output
    )


@pytest.mark.parametrize(
    ("tables", "why"),
    [
        (
            ["CREATE TABLE entries (id INT, name TEXT)"],
            "its table entries is another program's (no data, key, seq, source_id columns)",
        ),
        (["CREATE TABLE customers (id INT, name TEXT)"], "it holds another program's tables (customers)"),
        (
            ["CREATE TABLE sources (id INT, name TEXT)", "CREATE TABLE snapshots (id INT, order_date TEXT)"],
            "its table snapshots",
        ),
    ],
)
def test_another_programs_sqlite_file_is_refused_and_left_as_it_was(tmp_path, tables, why):
    path = tmp_path / "other.db"
    con = sqlite3.connect(path)
    for sql in tables:
        con.execute(sql)
    con.commit()
    con.close()
    before = _digest(path)
    for args in (["check", "杜德配资"], ["sources"]):  # (the one-line error is run()'s: a process of its own)
        r = subprocess.run([sys.executable, "-c", "from peizi_guard.cli import run; run()", "--db", str(path), *args],
                           capture_output=True, text=True)  # fmt: skip
        assert r.returncode == 2, r.stderr
        assert r.stderr.startswith(f"peizi-guard: error: {path} is not a peizi-guard database: {why}"), r.stderr
    assert _digest(path) == before and sorted(p.name for p in tmp_path.iterdir()) == ["other.db"]


def test_every_table_of_ours_has_the_columns_that_tell_it_is_ours():
    from peizi_guard.db.migrate import CORE
    from peizi_guard.db.models import Base

    for table in Base.metadata.sorted_tables:
        assert table.name in CORE and CORE[table.name] <= {c.name for c in table.columns}, table.name


def test_another_programs_events_table_is_not_taken_for_ours():
    from peizi_guard.db.migrate import foreign

    assert "its table events" in foreign({"events": {"id", "title", "starts"}}, whole_file=True)
    assert "its table events" in foreign({"events": {"id", "title", "starts"}}, whole_file=False)


def test_a_database_whose_name_holds_a_hash_is_opened_as_it_is_named(tmp_path):
    named = tmp_path / "my#1.db"
    Guard(str(named)).index  # seeded: a peizi-guard database
    other = sqlite3.connect(tmp_path / "my")  # what "file:…/my#1.db?mode=ro" opened instead
    other.execute("CREATE TABLE customers (id INT)")
    other.commit()
    other.close()
    from peizi_guard.db.engine import open_engine, resolve_url

    open_engine(resolve_url(str(named))).dispose()  # not refused as the other file
    assert Guard(str(named)).check("杜德配资").verdict == "listed"
    crm = tmp_path / "crm#2.db"
    c = sqlite3.connect(crm)
    c.execute("CREATE TABLE customers (id INT)")
    c.commit()
    c.close()
    with pytest.raises(Exception, match="is not a peizi-guard database"):
        open_engine(resolve_url(str(crm)))
    assert not (tmp_path / "crm").exists()


def test_a_servers_database_may_hold_other_programs_tables_beside_ours():
    from peizi_guard.db.migrate import foreign

    assert foreign({"customers": {"id"}}, whole_file=False) == ""
    assert foreign({"customers": {"id"}}, whole_file=True).startswith("it holds another program's tables")
    assert foreign({}, whole_file=True) == ""
    assert "its table sources" in foreign({"sources": {"id", "name"}}, whole_file=False)


def test_the_command_line_says_bytes_that_are_not_text_are_not_text(db):
    r = _cli(db, "check", "\udcff")
    assert r.exit_code == 2 and "QUERY" in r.output and "nothing to check" not in r.output, r.output


def test_no_command_shows_the_help_not_an_error_line_holding_it():
    r = subprocess.run([sys.executable, "-c", "from peizi_guard.cli import run; run()"], capture_output=True, text=True)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.startswith("Usage: ") and "[OPTIONS] COMMAND [ARGS]..." in r.stderr and "error:" not in r.stderr
    assert "Commands:" in r.stderr and "check" in r.stderr


@pytest.mark.parametrize(
    ("url", "said"), [("http://[::1", "--url is not an address: http://[::1"), ("http:///x", "--url names no host")]
)
def test_refresh_url_that_is_no_address_is_a_usage_error(db, url, said):
    r = _cli(db, "refresh", "csrc-peizi", "--url", url, "--allow-private")
    assert r.exit_code == 2 and said in r.output, r.output


def test_an_index_write_removes_what_a_killed_writer_left(tmp_path):
    from peizi_guard.db import indexfile

    index = tmp_path / "x.db.index"
    dead = 2**22 + 12_345  # above the kernel's largest pid: no process has it
    left = [f"x.db.index.{dead}.1.tmp", f"x.db.index.{dead}.1.tmp.w{dead + 1}.part"]
    alive = f"x.db.index.{os.getpid()}.9.tmp"  # a writer still at work: left alone
    recent = f"x.db.index.{dead}.2.tmp"  # no process here, but written to a minute ago: another host's?
    for name in [*left, alive, recent, "x.db.index.notes.tmp"]:
        (tmp_path / name).write_bytes(b"")
        if name != recent:
            hour_ago = time.time() - indexfile.STALE - 60
            os.utime(tmp_path / name, (hour_ago, hour_ago))
    indexfile._sweep(str(index))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([alive, recent, "x.db.index.notes.tmp"])


def test_an_encoded_body_is_refused_with_415_not_read_as_text(web):
    import gzip

    body = gzip.compress(b'{"queries": ["ddpz666.com"]}')
    r = web.post("/api/check", content=body, headers={"content-type": "application/json", "content-encoding": "gzip"})
    assert r.status_code == 415 and r.headers["accept-encoding"] == "identity"
    assert r.json()["detail"] == "the body must be sent as it is, not encoded (content-encoding: gzip)"
    plain = {"content-type": "application/json", "content-encoding": "identity"}
    assert web.post("/api/check", content=b'{"queries": ["ddpz666.com"]}', headers=plain).status_code == 200
    page = web.post("/?lang=en", content=b"q=abc", headers={"content-type": FORM, "content-encoding": "br"})
    assert page.status_code == 415 and page.headers["content-type"].startswith("text/html")
    assert web.get("/api/sources", headers={"content-encoding": "gzip"}).status_code == 200  # no body: nothing refused


FORM = "application/x-www-form-urlencoded"


def test_the_api_description_names_the_errors_as_they_are_sent(web):
    import json

    spec = web.get("/openapi.json").json()
    assert "HTTPValidationError" not in json.dumps(spec)  # FastAPI's 422 list, never sent here
    sent = [
        ("/api/check", "get", web.get("/api/check", params={"q": ""})),
        ("/api/check", "get", web.get("/api/check", params={"q": "a" * 2001})),
        ("/api/check", "post", web.post("/api/check", content=b"{", headers={"content-type": "application/json"})),
        ("/api/check", "post", web.post("/api/check", content=b"q=a", headers={"content-type": FORM})),
        ("/api/check", "post", web.post("/api/check", json={"queries": ["a"] * 1001})),
        ("/api/text", "post", web.post("/api/text", json={"text": " "})),
        ("/api/entries", "get", web.get("/api/entries", params={"source": "nope"})),
        ("/api/entries/{source}/{seq}", "get", web.get("/api/entries/csrc-peizi/99999")),
        ("/api/history", "get", web.get("/api/history", params={"source": "nope"})),
        ("/api/calc", "get", web.get("/api/calc", params={"own": "1", "dayz": "3"})),
    ]
    for path, method, r in sent:
        assert r.status_code >= 400 and r.headers["content-type"] == "application/problem+json", (path, r.text)
        said = spec["paths"][path][method]["responses"].get(str(r.status_code))
        assert said is not None, (path, method, r.status_code)
        assert said["content"]["application/problem+json"]["schema"] == {"$ref": "#/components/schemas/Problem"}
        assert set(r.json()) == set(spec["components"]["schemas"]["Problem"]["required"])


def test_a_trailing_slash_is_not_redirected_to_the_host_the_request_named(web):
    r = web.get("/api/check/", params={"q": "a"}, headers={"host": "evil.example"}, follow_redirects=False)
    assert r.status_code == 404 and "location" not in r.headers
    assert web.get("/api/check", params={"q": "杜德配资"}).status_code == 200


def test_an_import_interrupted_while_its_index_is_written_says_the_list_is_stored(db, tmp_path, monkeypatch, capsys):
    from peizi_guard import api, cli

    lst = tmp_path / "mine.csv"
    lst.write_text("name,urls\n鑫旺测试平台,www.xinwang-test-example.com\n", encoding="utf-8")

    def interrupted(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise KeyboardInterrupt

    monkeypatch.setattr(api, "_write_index", interrupted)
    monkeypatch.setattr(sys, "argv", ["peizi-guard", "--db", db, "import", str(lst), "--source", "mine"])
    with pytest.raises(SystemExit) as ended:
        cli.run()
    assert ended.value.code == 130
    assert (
        capsys.readouterr()
        .err.strip()
        .endswith(
            "interrupted while the index was written: the lists as changed are stored; the next check makes the index again"
        )
    )
    monkeypatch.undo()
    assert "mine" in [s["id"] for s in Guard(db).sources()]
    assert Guard(db).check("www.xinwang-test-example.com").verdict == "listed"


def test_the_english_page_says_each_signal_in_english(web):
    en = web.get("/", params={"lang": "en", "q": "杜德配资"}).text
    phrases = en.split('id="phrases">', 1)[1].split("</ul>", 1)[0]
    assert "the name offers 配资 (margin loans)" in phrases and "只有证券公司" not in phrases
    zh = web.get("/", params={"q": "杜德配资"}).text.split('id="phrases">', 1)[1].split("</ul>", 1)[0]
    assert "名称含“配资”：只有证券公司可以融资融券" in zh
    ad = web.get("/", params={"lang": "en", "q": "您炒股我出钱，1:10杠杆，按天配资，当天到账。"}).text
    said = ad.split('id="phrases">', 1)[1].split("</ul>", 1)[0]
    assert "配资 slogan" in said and "配资口号" not in said and " phrase " in said


def test_a_signal_carries_its_english_in_json(db):
    v = Guard(db).check_text("您炒股我出钱，1:10杠杆，按天配资，当天到账。")
    notes = {s["signal"]: (s["note"], s["note_en"]) for s in v.to_dict()["signals"]}
    assert notes["slogan"] == ("配资口号", "配资 slogan") and notes["ngram"] == ("词语 phrase", "phrase")


# ---- refresh (from an outside review): a list is never missed or spoilt quietly ----------------

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _refresh(db: str, *args: str):  # noqa: ANN202
    import json

    r = _cli(db, "refresh", "--json", "--allow-private", *args)
    return r, [json.loads(x) for x in r.stdout.splitlines()]


def test_an_attachment_that_fails_for_now_is_fetched_again_at_the_next_refresh(db_before_history):
    """Said (unfetched), and the page's validators not kept, so the next run is no 304; not a
    failed run: a link on the page that stays broken would fail every cron run for good."""
    from .conftest import FIXTURES
    from .sitehelper import Site

    db, site = db_before_history, Site()
    try:
        page = '<html><body><a href="new.docx">附件：黑名单（6月）</a> <a href="old.docx">附件：黑名单（1月）</a></body></html>'
        site.pages["/sac/"] = ("text/html; charset=utf-8", page.encode())
        site.pages["/sac/old.docx"] = (DOCX, (FIXTURES / "sac-blacklist-2019-01.docx").read_bytes())
        site.pages["/sac/new.docx"] = (DOCX, (FIXTURES / "sac-blacklist-2019-06.docx").read_bytes())
        site.failing["/sac/new.docx"] = 503  # the newer issue's server hiccups
        r, [o] = _refresh(db, "sac-blacklist", "--url", site.url + "/sac/")
        assert r.exit_code == 0 and o["ok"] and o["url"].endswith("/old.docx")  # what could be read is stored
        assert o["unfetched"] == [
            f"HTTP 503 Service Unavailable from {site.url}/sac/new.docx (gave up after 4 attempts)"
        ]
        said = _cli(db, "refresh", "--allow-private", "sac-blacklist", "--url", site.url + "/sac/")
        assert said.exit_code == 0 and said.stderr.startswith(
            "peizi-guard: warning: sac-blacklist: an attachment could not be fetched (HTTP 503"
        ), said.stderr
        del site.failing["/sac/new.docx"]
        r, [o] = _refresh(db, "sac-blacklist", "--url", site.url + "/sac/")  # the page is read whole again, not 304
        assert r.exit_code == 0 and o["ok"] and o["status"] == "added" and o["url"].endswith("/new.docx"), o
        assert o["unfetched"] == []
    finally:
        site.close()


def _document(name: str, rows: int | None = None, published: str = ""):  # noqa: ANN202
    from dataclasses import replace

    from peizi_guard.scraper.parse import parse_document

    from .conftest import FIXTURES

    doc = parse_document((FIXTURES / name).read_bytes(), name, expect_layout="sac-blacklist")
    entries = doc.entries if rows is None else doc.entries[:rows]
    return replace(doc, entries=entries, published=published or doc.published)


def test_a_document_dated_after_today_is_refused_without_force(db):
    from peizi_guard.api import session
    from peizi_guard.db import store

    doc = _document("sac-blacklist-2020-04.docx", published="2099-03-01")  # a mistyped year
    with session(resolve_url(db)) as s:
        problem = store.shrink_problem(s, "sac-blacklist", doc, None, 0.5)
        assert problem.startswith("it is dated 2099-03-01, after today (") and "use --force" in problem
        assert store.shrink_problem(s, "sac-blacklist", _document("sac-blacklist-2020-04.docx"), None, 0.5) == ""


def test_an_earlier_document_far_smaller_than_the_list_in_force_on_its_date_is_refused(db):
    from peizi_guard.api import session
    from peizi_guard.db import store

    with session(resolve_url(db)) as s:
        from datetime import date

        snaps = store.snapshots_of(s, "sac-blacklist")
        in_force = [x for x in snaps if store.order_key(x)[0] <= date(2020, 3, 15)][-1]
        assert in_force.id != store.current_snapshot(s, "sac-blacklist").id  # an earlier list than the current
        three = _document("sac-blacklist-2020-04.docx", rows=3, published="2020-03-15")  # older than the current list
        problem = store.shrink_problem(s, "sac-blacklist", three, None, 0.5)
        assert problem == (
            f"3 rows, under half of the {in_force.entry_count} of the list in force on its date "
            f"(snapshot {in_force.id}); use --force to accept"
        )
        oldest = _document("sac-blacklist-2019-01.docx", rows=3, published="2018-06-01")  # before every stored list
        assert store.shrink_problem(s, "sac-blacklist", oldest, None, 0.5) == ""


@pytest.mark.parametrize("ip", ["169.254.169.254", "169.254.0.23", "fd00:ec2::254", "::ffff:169.254.169.254"])
def test_a_cloud_metadata_address_is_refused_even_with_allow_private(ip):
    from peizi_guard.scraper import netguard

    with pytest.raises(netguard.BlockedAddress, match="cloud metadata"):
        netguard.check_address(ip, 80, allow_private=True)
    assert netguard.check_address("127.0.0.1", 80, allow_private=True) == ["127.0.0.1"]
    assert netguard.check_address("169.254.1.1", 80, allow_private=True) == ["169.254.1.1"]  # other link-local


def test_a_redirect_to_a_host_that_does_not_resolve_names_that_host():
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from peizi_guard.scraper.fetch import FetchError, Fetcher

    gone = "a" * 64 + ".example"  # no name server is asked: a label over 63 characters resolves nowhere

    class Redirect(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.send_response(302)
            self.send_header("Location", f"http://{gone}/list.pdf")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):  # noqa: ANN002
            pass

    srv = ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        with pytest.raises(FetchError, match=f"^cannot resolve host name {gone}$"):
            Fetcher(allow_private=True).get(f"http://127.0.0.1:{srv.server_address[1]}/d.pdf")
    finally:
        srv.shutdown()
        srv.server_close()


# ---- the library (from an outside review) ------------------------------------------------------


@pytest.mark.parametrize("depth", [250, 300, 5000])
def test_an_ad_nested_deeper_than_the_parsers_limit_is_still_read(db, depth):
    ad = "<p>杜德配资 www.ddpz666.com 您炒股我出钱，1:10杠杆，按天配资</p>"
    html = "<html><body><p>欢迎光临</p><script>var shown = 0</script>" + "<div>" * depth + ad + "</div>" * depth
    v = Guard(db).check_text(html + "</body></html>")
    assert v.verdict == "listed" and v.matches[0].entry == "杜德配资", (depth, v.verdict)
    assert "shown" not in " ".join(s.text for s in v.signals)  # a script's words are never read


def test_a_used_guard_pickles_for_a_process_pool(db):
    import pickle

    g = Guard(db)
    assert g.check("杜德配资").verdict == "listed"  # its index loaded, its files open
    copy = pickle.loads(pickle.dumps(g))
    assert copy.check("杜德配资").verdict == "listed" and copy.url == g.url


def test_library_arguments_are_checked_before_anything_is_done(db, tmp_path):
    g = Guard(db)
    lst = tmp_path / "one.csv"
    lst.write_text("name\n鑫旺测试平台\n", encoding="utf-8")
    with pytest.raises(TypeError, match="force must be a bool"):
        g.import_file(str(lst), "mine", force="no")
    with pytest.raises(TypeError, match="source must be a str"):
        g.history(5)
    with pytest.raises(TypeError, match="source must be a str"):
        g.refresh([1])
    with pytest.raises(ValueError, match="kind must be one of"):
        g.check_many(["杜德配资"], kind="bogus")  # before any answer is asked for
    assert "mine" not in [s["id"] for s in g.sources()]
    g.import_file(lst, "mine")  # a pathlib path
    assert "mine" in [s["id"] for s in g.sources()]


def test_the_library_diffs_as_diff_json_does(db):
    import json

    d = Guard(db).diff("sac-blacklist")
    r = _cli(db, "diff", "sac-blacklist", "--json")
    assert json.loads(r.stdout) == json.loads(json.dumps(d, ensure_ascii=False, default=str))
    with pytest.raises(ValueError, match="give both"):
        Guard(db).diff("sac-blacklist", 2)


def test_a_password_is_masked_in_a_long_message_and_a_long_run_of_letters_left_as_it_is():
    from peizi_guard.db.engine import mask

    long = "x" * 50_000
    assert (
        mask(f"{long} postgresql://bob:secret@127.0.0.1/db {long}")
        == f"{long} postgresql://bob:***@127.0.0.1/db {long}"
    )
    assert mask(long + "://a:b") == long + "://a:b" and mask(long) == long


def test_a_guard_as_of_a_day_never_makes_a_database(tmp_path):
    from datetime import date

    from peizi_guard import api

    missing = tmp_path / "none.db"
    with pytest.raises(api.NoLists, match=f"^no database at {missing}: the lists as they stood on 2023-06-01"):
        Guard(str(missing), as_of=date(2023, 6, 1)).check("杜德配资")
    assert list(tmp_path.iterdir()) == []
    r = _cli(str(missing), "check", "杜德配资", "--as-of", "2023-06-01")
    assert r.exit_code == 2 and list(tmp_path.iterdir()) == []


# ---- scan (from an outside review): a page only partly seen is never clear ----------------------


@pytest.fixture()
def hops():
    from .sitehelper import Site

    def refresh(to: str, words: str = "请稍候") -> str:
        return f'<html><head><meta http-equiv="refresh" content="0;url={to}"></head><body><p>{words}</p></body></html>'

    big = "<html><body><p>今日行情</p>" + "<span>x</span>" * 20_000 + "<p>尾部</p></body></html>"
    menu = "".join(f"function go{i}(){{location.href='/n/{i}'}}" for i in range(7))
    pages = {f"/m/{n}": refresh(f"/m/{n - 1}") for n in range(1, 7)}
    pages["/m/0"] = "<html><body><p>终点页面</p></body></html>"
    pages["/self"] = (
        '<html><head><meta http-equiv="refresh" content="60;url=/self"></head><body><p>新闻</p></body></html>'
    )
    pages["/menu"] = f"<html><head><script>{menu}</script></head><body><p>首页内容</p></body></html>"
    pages.update({f"/n/{i}": pages["/menu"] for i in range(7)})
    pages["/big"] = big
    pages["/framed"] = '<html><body><p>首页</p><iframe src="/big"></iframe></body></html>'
    pages["/bigrefresh"] = big.replace("<html>", '<html><head><meta http-equiv="refresh" content="0;url=/self"></head>')
    site = Site()
    site.pages.update({path: ("text/html; charset=utf-8", body.encode()) for path, body in pages.items()})
    yield site.url
    site.close()


def _fetch(url: str):  # noqa: ANN202
    from peizi_guard.scraper.pages import fetch_page

    return fetch_page(url, allow_private=True, max_bytes=100_000, max_redirects=5, timeout=5)


def test_a_chain_of_page_refreshes_past_the_limit_is_not_judged_on_its_holding_page(hops):
    within = _fetch(hops + "/m/5")
    assert within.error is None and "终点页面" in within.text
    past = _fetch(hops + "/m/6")
    assert past.error == "too many redirects (the page sends the visitor on again)" and "终点页面" not in past.text


def test_a_page_that_reloads_itself_settles_and_a_menus_script_targets_are_no_chain(hops):
    settled = _fetch(hops + "/self")
    assert settled.error is None and "新闻" in settled.text
    menu = _fetch(hops + "/menu")  # seven functions setting location.href: none runs by itself
    assert menu.error is None and "首页内容" in menu.text


def test_a_frame_or_a_page_on_the_way_read_in_part_leaves_the_page_read_in_part(hops):
    assert _fetch(hops + "/big").truncated
    assert _fetch(hops + "/framed").truncated
    on_the_way = _fetch(hops + "/bigrefresh")
    assert on_the_way.error is None and on_the_way.truncated and "新闻" in on_the_way.text


def test_comment_lines_in_a_csv_of_urls_are_skipped_as_in_a_plain_list():
    from peizi_guard.scan import numbered_urls

    lines = [(1, "id,url,note"), (2, "# exported 2025-01-01"), (3, "7,https://www.ddpz666.com/,广告"), (4, "")]
    assert numbered_urls(lines) == ([(3, "https://www.ddpz666.com/")], [])
    assert numbered_urls([(1, "url"), (2, "# note"), (3, "ddpz666.com")]) == ([(3, "ddpz666.com")], [])
    cell = [
        (1, "id,url,note"),
        (2, '1,https://a.example/,"备注：'),
        (3, '# 见工单"'),
        (4, "2,https://www.ddpz666.com/,x"),
    ]
    assert numbered_urls(cell) == ([(2, "https://a.example/"), (4, "https://www.ddpz666.com/")], [])  # a cell's line


@pytest.mark.parametrize(("code", "temporary"), [("EAI_AGAIN", True), ("EAI_NONAME", False)])
def test_a_resolver_down_for_now_is_a_failure_for_now(monkeypatch, code, temporary):
    import socket

    from peizi_guard.scraper import netguard
    from peizi_guard.scraper.fetch import FetchError, Fetcher

    def down(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise socket.gaierror(getattr(socket, code), "resolver")

    monkeypatch.setattr(netguard.socket, "getaddrinfo", down)
    with pytest.raises(netguard.DnsError) as dns:
        netguard.resolve("www.example.cn", 80)
    assert dns.value.temporary is temporary
    with pytest.raises(FetchError) as fetched:
        Fetcher().get("http://www.example.cn/list.docx")
    assert fetched.value.transient is temporary and str(fetched.value) == "cannot resolve host name www.example.cn"


def test_sigterm_ends_a_refresh_as_ctrl_c_does_and_says_so(db, tmp_path):
    import signal

    from .sitehelper import dripping_server

    url, stop = dripping_server(0.5)  # a landing page that never finishes
    try:
        proc = subprocess.Popen(
            [sys.executable, "-c", "from peizi_guard.cli import run; run()", "--db", db, "refresh", "csrc-peizi",
             "--url", url + "/csrc/", "--allow-private"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        time.sleep(2.5)  # started, and waiting on the page
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    finally:
        stop.set()
    assert proc.returncode == 130 and err.strip().endswith("peizi-guard: interrupted"), (proc.returncode, err)
    assert Guard(db).check("杜德配资").verdict == "listed"  # the lists as they were


def test_follow_takes_a_number_of_seconds(db):
    g = Guard(db)
    for bad, kind in (("x", TypeError), (True, TypeError), (float("nan"), ValueError), (-1, ValueError)):
        with pytest.raises(kind, match="every must be"):
            g.follow(bad)
    g.index
    assert g.follow(0) is False  # nothing changed
