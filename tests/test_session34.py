"""Session 34 (issue 11's scan and text targets): evidence quoted as written maps a text in C,
and a scan's page reading no longer imports BeautifulSoup."""

from __future__ import annotations

import subprocess
import sys

import pytest

from hypothesis import given, settings
from hypothesis import strategies as st

from peizi_guard import Guard, normalise
from peizi_guard.db.engine import resolve_url

from peizi_guard.normalise import as_written

from .conftest import sqlite_only

# characters that fold to one, none or several: full-width, spaces, invisible, ligatures, circled
# digits, squared and parenthesised signs, traditional characters
_MIXED = "ａＢｃ１２３ \u3000\n\t配资杠杆炒股①②㈱ﬁ™\u200b\u00adÅßİ臺灣錢東,.，。"


def _per_character(text: str) -> tuple[str, list[int]]:
    """The reading as the loop before this session made it, one character at a time."""
    read, origin = [], []
    for i, c in enumerate(text):
        r = "" if c.isspace() or ord(c) in normalise._INVISIBLE else normalise.fold(c)
        read.append(r)
        origin += [i] * len(r)
    return "".join(read), origin


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=_MIXED, max_size=40) | st.text(max_size=40))
def test_a_text_is_read_as_the_per_character_loop_reads_it(text):
    normalise._aligned.cache_clear()
    assert normalise._aligned(text) == _per_character(text)


def test_evidence_is_found_as_written_across_spaces_folds_and_traditional_characters():
    text = "本平台提供 1 ： 10 槓桿，ﬁnancing 當天到賬"
    assert as_written(text, "1:10杠杆") == "1 ： 10 槓桿"
    assert as_written(text, "financing") == "ﬁnancing"
    assert as_written(text, "当天到账") == "當天到賬"
    assert as_written(text, "不在其中") is None


def test_reading_a_page_does_not_import_beautifulsoup():
    # scan reads pages with lxml alone; BeautifulSoup (about 40 ms to import) is for refresh's
    # documents. pages.py caught a BeautifulSoup error its lxml reader never raises.
    code = (
        "import sys; from peizi_guard.scraper.pages import _judge; "
        "from peizi_guard.scraper.visible import content; "
        "c = content('<html><title>t</title><body><p>您炒股我出钱</p></body></html>'); "
        "print(c.title, c.text, 'bs4' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["t", "您炒股我出钱", "False"]


# ---- scan results written to an SQLite file without the ORM ------------------------------


def _results(db: str) -> list[tuple]:
    import sqlite3

    con = sqlite3.connect(db)
    try:
        return con.execute("SELECT url, fetched_at, verdict, result FROM scan_results ORDER BY id").fetchall()
    finally:
        con.close()


def _rows() -> list[dict]:
    return [
        {"url": "http://a.example/" + "x" * 2100, "fetched_at": "2026-12-02T05:00:57+00:00", "verdict": "clear",
         "signals": ["配资"]},
        {"url": "http://b.example/", "fetched_at": "2026-12-02T05:00:58+00:00", "verdict": "unchecked", "error": "x"},
        {"url": "http://c.example/", "fetched_at": "2026-12-02T13:00:58.250001+08:00", "verdict": "listed"},
        {"url": "http://d.example/", "fetched_at": "0999-01-02T03:04", "verdict": "suspicious"},
    ]  # fmt: skip


@sqlite_only
def test_the_file_store_writes_what_the_orm_store_writes(db):
    from sqlalchemy import text

    from peizi_guard import api
    from peizi_guard.db import fast
    from peizi_guard.scan import db_store, file_store

    file = fast.scan_results_file(resolve_url(db))
    assert file == db
    file_store(file)(_rows())
    by_file = _results(db)
    with api.session(resolve_url(db)) as s:
        s.execute(text("DELETE FROM scan_results"))
        s.commit()
    with api.sessions(resolve_url(db)) as factory:
        db_store(factory)(_rows())
    assert _results(db) == by_file
    assert by_file[0][1] == "2026-12-02 05:00:57.000000" and len(by_file[0][0]) == 2000


def test_the_files_columns_are_the_models():
    from peizi_guard.db import fast
    from peizi_guard.db.models import ScanResult

    assert fast.SCAN_COLUMNS == {c.name for c in ScanResult.__table__.columns}


@sqlite_only
def test_a_scan_of_an_sqlite_file_stores_its_results_without_the_orm(db, tmp_path):
    from .sitehelper import Site

    srv = Site()
    srv.pages["/ad"] = (
        "text/html; charset=utf-8",
        "<title>鑫盛配资</title><p>您炒股我出钱，1:10杠杆，按天配资</p>".encode(),
    )
    url = srv.url + "/ad"
    Guard(db).index  # noqa: B018 -- its index saved, as any check leaves it: the scan below loads it
    code = (
        "import sys; from peizi_guard import Guard; from peizi_guard.scan import ScanOptions; "
        f"s = Guard({db!r}).scan([{url!r}], ScanOptions(allow_private=True)); "
        "print(dict(s.verdicts)['suspicious'], 'sqlalchemy' in sys.modules)"
    )
    try:
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    finally:
        srv.close()
    assert out == ["1", "False"]
    (stored,) = _results(db)
    assert stored[0] == url and stored[2] == "suspicious"
    # and --resume, which reads them through the ORM, finds it
    from datetime import timedelta

    from peizi_guard import api
    from peizi_guard.scan import db_done_recently

    with api.sessions(resolve_url(db)) as factory:
        assert db_done_recently(factory, timedelta(hours=1))([url]) == {url: "suspicious"}


@sqlite_only
def test_an_older_or_missing_results_table_is_left_to_the_orm(db, tmp_path):
    import sqlite3

    from peizi_guard import api
    from peizi_guard.db import fast

    con = sqlite3.connect(db)
    con.execute("DROP TABLE scan_results")
    con.execute("CREATE TABLE scan_results (id INTEGER PRIMARY KEY, url VARCHAR(2000), verdict VARCHAR(16))")
    con.commit()
    con.close()
    url = resolve_url(db)
    assert fast.scan_results_file(url) is None  # (an older schema: the ORM adds the columns)
    api.check_writable(db, "scan")
    assert fast.scan_results_file(url) == db  # upgraded by that check's ORM session
    assert fast.scan_results_file(resolve_url(str(tmp_path / "none.db"))) is None
    assert fast.scan_results_file(f"sqlite:///file:{db}?mode=ro&uri=true") is None  # asks for it read-only
    assert fast.scan_results_file(f"sqlite:///file:{db}?mode=memory&uri=true") is None  # SQLAlchemy's: in memory
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    assert fast.scan_results_file(resolve_url(str(other))) is None  # a database with no results table


@sqlite_only
def test_the_write_check_without_the_orm_refuses_with_the_orms_messages_and_keeps_wal(db, tmp_path):
    import sqlite3

    from peizi_guard import api
    from peizi_guard.db import fast
    from peizi_guard.db.engine import DbError
    from peizi_guard.scan import file_store

    con = sqlite3.connect(db)
    con.execute("PRAGMA journal_mode=DELETE")  # (as another program may have left it)
    con.close()
    api.check_writable(db, "scan")
    file_store(fast.scan_results_file(resolve_url(db)))(_rows()[:1])
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA journal_mode").fetchone() == ("wal",)  # as the ORM's engine sets it
    con.execute(
        "CREATE TRIGGER refuse BEFORE INSERT ON scan_results BEGIN SELECT RAISE(ABORT, 'attempt to write a "
        "readonly database'); END"
    )
    con.commit()
    con.close()
    with pytest.raises(DbError, match=r"^the database is read-only: scan stores its results$"):
        api.check_writable(db, "scan stores its results")
