"""Round 15 of user testing: pages in Big5 with no charset, or GBK declared Latin-1, are read as
Chinese; SIGTERM stops a scan as Ctrl-C does (nothing written that is not stored)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import pytest

from peizi_guard.scraper.charset import decode

from .test_scan_fixes import Handler, _stored_urls, scan_file, site, stop, write_urls  # noqa: F401

CLI = [sys.executable, "-c", "from peizi_guard.cli import run; run()"]
OFFER_TW = "<html><title>股票配資平台</title><body>您炒股，我出錢！1:10槓桿，當天到賬，加微信了解詳情。按天配資</body></html>"
OFFER = "<html><title>股票配资平台</title><body>您炒股，我出钱！1:10杠杆，当天到账，加微信了解详情。按天配资</body></html>"


def test_a_page_in_big5_or_gbk_is_read_as_chinese_whatever_it_declares():
    # Big5 with nothing declared: GB18030 reads it without an error, as nonsense hanzi
    assert decode(OFFER_TW.encode("big5"), "text/html") == (OFFER_TW, "big5hkscs")
    for declared in ("text/html; charset=iso-8859-1", "text/html; charset=windows-1252", "text/html"):
        assert decode(OFFER.encode("gbk"), declared) == (OFFER, "gb18030"), declared
    # Western pages keep their reading
    for text in ("<p>Café déjà vu — naïve</p>", "<p>Straße über Größe</p>"):
        assert decode(text.encode("cp1252"), "text/html; charset=iso-8859-1") == (text, "cp1252")
    assert decode(OFFER.encode("gbk"), "text/html; charset=gbk") == (OFFER, "gb18030")
    # round 17: with a stray byte or a UTF-8 footer, and Big5 declared GB2312
    stray = decode(OFFER.encode("gbk") + b"Copyright \xa9 2020", "text/html; charset=iso-8859-1")
    assert stray[1] == "gb18030" and stray[0].startswith(OFFER)
    assert decode(OFFER.encode("gbk") + "页脚".encode(), "text/html; charset=iso-8859-1")[1] == "gb18030"
    assert decode(OFFER_TW.encode("big5"), "text/html; charset=gb2312") == (OFFER_TW, "big5hkscs")
    icelandic = "<p>Þetta er íslenska, ég veit það.</p>"
    assert decode(icelandic.encode("latin-1"), "text/html; charset=iso-8859-1") == (icelandic, "cp1252")


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM to a child process")
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_sigterm_stops_a_scan_as_ctrl_c_does(db, site, tmp_path, jobs):  # noqa: F811
    paths = [f"/plain?term{i}" for i in range(30)] + [f"/slow?term{i}" for i in range(4)]
    urls = write_urls(tmp_path / "u.txt", site, *paths)
    out = tmp_path / "out.jsonl"
    args = [*CLI, "--db", db, "scan", str(urls), "--format", "jsonl", "-o", str(out), "--allow-private",
            "--timeout", "60", "-c", "4", "-j", jobs]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while (not out.exists() or len(out.read_text().splitlines()) < 30) and time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read()
        time.sleep(0.1)
    err, _ = stop(proc, signal.SIGTERM)
    assert proc.returncode == 130 and "interrupted" in err and "Traceback" not in err, err
    written = [json.loads(x)["url"] for x in out.read_text(encoding="utf-8").splitlines()]
    assert len(written) == 30 and set(written) == _stored_urls(db) & set(written)
    assert set(written) <= _stored_urls(db)  # every row written is stored: --resume skips it
    Handler.stop.set()  # the slow pages answer now
    try:
        done = subprocess.run([*args, "--resume"], capture_output=True, text=True, timeout=120)
    finally:
        Handler.stop.clear()
    rows = [json.loads(x)["url"] for x in out.read_text(encoding="utf-8").splitlines()]
    assert done.returncode in (0, 1), done.stderr
    assert len(rows) == len(set(rows)) == 34  # no row twice, none missing


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_resume_after_a_kill_writes_no_row_twice_and_no_row_glued(db, site, tmp_path, fmt):  # noqa: F811
    from sqlalchemy import create_engine, text

    from peizi_guard.db.engine import resolve_url

    paths = [f"/plain?kill-{fmt}{i}" for i in range(6)]
    urls = write_urls(tmp_path / "u.txt", site, *paths)
    out = tmp_path / f"out.{fmt}"
    assert scan_file(db, urls, "--format", fmt, "-o", out).exit_code == 0
    # as a kill -9 leaves it: the last rows written but never stored, the last one cut short
    engine = create_engine(resolve_url(db))
    with engine.begin() as c:
        c.execute(text("DELETE FROM scan_results WHERE url LIKE :u"), {"u": f"%kill-{fmt}%"})
    engine.dispose()
    whole = out.read_bytes()
    out.write_bytes(whole[:-25])
    r = scan_file(db, urls, "--format", fmt, "-o", out, "--resume")
    assert r.exit_code == 0, r.stderr
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    if fmt == "jsonl":
        got = [json.loads(x)["url"] for x in lines]  # every line is one whole row
    else:
        import csv as _csv

        rows = list(_csv.DictReader(lines))
        assert all(len(row) == len(rows[0]) and None not in row for row in rows)
        got = [row["url"] for row in rows]
    assert sorted(got) == sorted(site + p for p in paths)  # the cut row again, the others once


def test_a_short_list_is_shared_by_the_scan_workers_not_queued_behind_one():
    from peizi_guard.scanprocs import _hand_out, _Worker

    class Pipe:
        def __init__(self, broken: bool = False):
            self.sent: list[str] = []
            self.broken = broken

        def send(self, url: str) -> None:
            if self.broken:
                raise OSError("gone")
            self.sent.append(url)

    a, b = Pipe(), Pipe()
    workers = {a: _Worker(None, 4), b: _Worker(None, 4)}
    assert _hand_out(workers, iter([f"u{i}" for i in range(8)])) == []
    assert (len(a.sent), len(b.sent)) == (4, 4)  # -c 8 -j 2: every URL fetched at once
    more = iter([f"v{i}" for i in range(20)])
    assert _hand_out(workers, more) == []
    assert (len(a.sent), len(b.sent)) == (4, 4) and next(more) == "v0"  # none waits in a busy worker
    workers[b].busy.discard("u1")  # a thread of b is free: the next URL is b's
    assert _hand_out(workers, more) == [] and b.sent[-1] == "v1" and len(a.sent) == 4
    c, d = Pipe(broken=True), Pipe()
    workers = {c: _Worker(None, 2), d: _Worker(None, 2)}
    assert _hand_out(workers, iter(["x1", "x2", "x3", "x4"])) == [c]
    assert workers[c].busy == {"x1"} and d.sent == ["x2", "x3"]  # the URL sent to the dead one is its


def test_a_page_read_in_part_is_never_clear(db):
    from peizi_guard import Guard
    from peizi_guard.scan import result_of
    from peizi_guard.scraper.pages import Page

    ix = Guard(db).index
    url = "http://example.cn/big"
    head = Page(url, url, status=200, title="首页", text="首页", truncated=True)  # 2 MB of script, then the body
    row = result_of(ix, head, [])
    assert (row["verdict"], row["reason"]) == ("unchecked", "read in part (--max-bytes)")
    offer = Page(url, url, status=200, title="配资", text="您炒股我出钱，1:10杠杆，按天配资，当天到账", truncated=True)
    assert result_of(ix, offer, [])["verdict"] == "suspicious"  # what was read is enough
    whole = Page(url, url, status=200, title="首页", text="今日沪指小幅上涨，成交量温和放大。")
    assert result_of(ix, whole, [])["verdict"] == "clear"


def test_a_page_of_words_with_no_punctuation_is_shown_in_a_short_phrase(db):
    from peizi_guard import Guard

    v = Guard(db).check_text("股市行情 " * 600)
    phrases = [s.text for s in v.signals if s.signal == "ngram"]
    assert phrases and all(len(p) <= 41 for p in phrases) and phrases[0].endswith("…")


def test_an_address_fetched_with_the_scheme_added_says_its_signal_once(db):
    from peizi_guard import Guard
    from peizi_guard.scan import result_of
    from peizi_guard.scraper.pages import Page

    ix = Guard(db).index
    page = Page("www.ddpz666.com", "http://www.ddpz666.com", error="DNS lookup failed")
    row = result_of(ix, page, ["http://www.ddpz666.com"])  # the hop fetched, as scan_one records it
    assert row["verdict"] == "listed"
    assert [(s["signal"], s["text"]) for s in row["signals"]] == [("peizi-domain", "ddpz666")]


def test_import_names_a_file_it_cannot_read_and_a_list_split_by_semicolons(db, tmp_path):
    from peizi_guard import Guard
    from peizi_guard.api import DocumentError

    missing = str(tmp_path / "nonexist.csv")
    with pytest.raises(DocumentError, match=f"^{missing}: cannot read"):
        Guard(db).import_file(missing, "mine")
    semi = tmp_path / "semi.csv"  # as Excel saves CSV where the decimal mark is a comma
    semi.write_text("name;company;urls;aliases;note\n某配资;;;;\n", encoding="utf-8")
    with pytest.raises(DocumentError, match="separated by ';'"):
        Guard(db).import_file(str(semi), "mine")


def test_resume_weighs_the_files_rows_as_stored_ones(db, site, tmp_path):  # noqa: F811
    """Round 17: rows an -o file holds were kept after the lists changed, and an older stored
    unchecked result made a newer written verdict be fetched and written again."""
    from sqlalchemy import create_engine, text

    from peizi_guard import api
    from peizi_guard.db.engine import resolve_url

    urls = write_urls(tmp_path / "u.txt", site, "/plain?weigh")
    out = tmp_path / "out.jsonl"
    assert scan_file(db, urls, "-o", out, "--format", "jsonl").exit_code == 0
    # the stored result older and unchecked, the written one newer: as after a kill -9 mid-resume
    engine = create_engine(resolve_url(db))
    with engine.begin() as c:
        c.execute(text("UPDATE scan_results SET verdict = 'unchecked', fetched_at = '2000-01-01 00:00:00'"))
    r = scan_file(db, urls, "-o", out, "--format", "jsonl", "--resume", "--max-age", "36500d")
    assert r.exit_code == 0 and "kept from the last 36500d: clear 1" in r.stderr, r.stderr
    assert len(out.read_text(encoding="utf-8").splitlines()) == 1  # not fetched and written again
    # the lists change: every row judged before is scanned again, the file's too
    time.sleep(1.05 - time.time() % 1)
    own = tmp_path / "mine.csv"
    own.write_text("name,urls\n某配资,www.qwzx-weigh.cn\n", encoding="utf-8")
    api.import_file(db, str(own), "mine")
    with engine.begin() as c:
        c.execute(text("DELETE FROM scan_results"))  # only the file says it was scanned
    engine.dispose()
    r = scan_file(db, urls, "-o", out, "--format", "jsonl", "--resume")
    assert "scanned 1 of 1" in r.stderr, r.stderr
    assert len(out.read_text(encoding="utf-8").splitlines()) == 2


def test_resume_cuts_a_file_whose_only_row_is_partial(db, site, tmp_path):  # noqa: F811
    urls = write_urls(tmp_path / "u.txt", site, "/plain?partial")
    out = tmp_path / "out.jsonl"
    out.write_text('{"url": "http://127.0.0.1:1/offer/1", "final_url": "http://127.0.0.1:1', encoding="utf-8")
    r = scan_file(db, urls, "-o", out, "--format", "jsonl", "--resume")
    assert r.exit_code == 0, r.stderr  # was: "holds table, not jsonl"
    assert [json.loads(x)["url"] for x in out.read_text(encoding="utf-8").splitlines()] == [site + "/plain?partial"]


def test_a_library_scan_is_judged_on_the_lists_as_they_are(db, site, tmp_path):  # noqa: F811
    """Round 17: a Guard opened as of a day stored its results, and one that had not followed
    another process's import judged on the old lists; --resume then kept those verdicts."""
    from datetime import date

    from peizi_guard import Guard, api
    from peizi_guard.scan import ScanOptions

    url = site + "/plain?lib"
    opts = ScanOptions(allow_private=True, timeout=3, concurrency=1)
    rows: list = []
    Guard(db, as_of=date(2020, 8, 1)).scan([url], opts, emit=rows.append)
    assert [r["verdict"] for r in rows] == ["clear"] and not _stored_urls(db)  # nothing stored
    g = Guard(db)
    g.check("x")  # its index loaded
    own = tmp_path / "mine.csv"
    own.write_text("name,urls\n本地测试,127.0.0.1\n", encoding="utf-8")
    api.import_file(db, str(own), "mine")  # as another process would
    rows.clear()
    g.scan([url], opts, emit=rows.append)
    assert [r["verdict"] for r in rows] == ["listed"]


def test_library_arguments_are_checked_before_anything_is_done(db, tmp_path):
    from peizi_guard import Guard
    from peizi_guard.scan import ScanOptions

    g = Guard(db)
    own = tmp_path / "mine.csv"
    own.write_text("name\n某配资\n", encoding="utf-8")
    for jobs, error in (("2", TypeError), (-3, ValueError)):
        with pytest.raises(error):
            g.import_file(str(own), "mine", jobs=jobs)
    assert "mine" not in {s["id"] for s in g.sources()}  # refused before it was stored
    for kw in ({"allow_private": "no"}, {"resume": "yes"}):
        with pytest.raises(TypeError):
            ScanOptions(**kw)
    with pytest.raises(TypeError):
        g.scan(["http://x.cn/"], written=["x"])
    with pytest.raises(ValueError):
        g.scan(["  "])
    with pytest.raises(TypeError):
        g.revert("sac-blacklist", "2")
    with pytest.raises(TypeError):
        g.entries(5)
