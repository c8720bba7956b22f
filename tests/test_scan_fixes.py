"""`scan` fixes from a user test, against real servers on 127.0.0.1: --resume appends to -o FILE
(and nothing is opened before the database and the URLs were read), workers die with the scan
process, undecodable and error pages are never judged on their text, CSV inputs without a url."""
from __future__ import annotations

import csv
import io
import json
import multiprocessing
import os
import random
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner

from peizi_guard import builtin
from peizi_guard.cli import main
from peizi_guard.matcher import build
from peizi_guard.scan import numbered_urls, read_urls, result_of
from peizi_guard.scraper.pages import Page, fetch_page, garbled

from .conftest import query
from .test_scan import ROUTES

NOISE = random.Random(7).randbytes(20_000)  # what a broken or compressed page looks like
NOT_FOUND = b"<html><head><title>404 Not Found</title></head><body><center><h1>404 Not Found</h1></center>" \
            b"<hr><center>nginx/1.18.0 (Ubuntu)</center></body></html>"
PAGES = {
    **ROUTES,
    "/noise": (200, "text/html", NOISE),
    "/noise-text": (200, "text/plain; charset=utf-8", NOISE),
    "/nginx-404": (404, "text/html", NOT_FOUND),
    "/empty": (200, "text/html; charset=utf-8", b"<html><head></head><body>  </body></html>"),
}


class Handler(BaseHTTPRequestHandler):
    """PAGES; /slow/… waits until the test ends (a fetch blocked in its HTTP read)."""

    stop = threading.Event()
    slow = 0

    def log_message(self, *args):
        pass

    def do_GET(self):  # noqa: N802
        path = self.path.split("?")[0]
        if path.startswith("/slow"):
            Handler.slow += 1
            Handler.stop.wait(120)
            path = "/plain"
        status, ctype, body = PAGES.get(path, PAGES["/plain"])
        try:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:  # the client is gone
            pass


@pytest.fixture(scope="module")
def site():
    Handler.stop.clear()  # set by another module's server at its end (this fixture is imported too)
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.handle_error = lambda request, address: None
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    Handler.stop.set()
    srv.shutdown()
    srv.server_close()


def run(args, input=None):  # noqa: A002
    return CliRunner().invoke(main, args, input=input)


def scan_file(db, path, *extra):
    return run(["--db", db, "scan", str(path), "--allow-private", "--timeout", "3", *extra])


def stop(proc, sig) -> tuple[str, float]:
    """Send `sig` to a running scan and wait for it to end: (its stderr, the seconds it took);
    killed if it has not ended after 30 s."""
    sent = time.monotonic()
    try:
        proc.send_signal(sig)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    took = time.monotonic() - sent
    err = proc.stderr.read()
    proc.stderr.close()
    return err, took


def write_urls(path, site, *paths):
    path.write_text("".join(site + p + "\n" for p in paths), encoding="utf-8")
    return path


# ---- 1. -o FILE with --resume, and never truncated before the database and the URLs are read ----


def test_resume_appends_its_results_to_the_jsonl_file(db, site, tmp_path):
    out = tmp_path / "out.jsonl"
    first = scan_file(db, write_urls(tmp_path / "a.txt", site, "/plain?1", "/ad?1"), "--format", "jsonl", "-o", out)
    assert first.exit_code == 1 and len(out.read_text(encoding="utf-8").splitlines()) == 2
    urls = write_urls(tmp_path / "b.txt", site, "/plain?1", "/ad?1", "/plain?2", "/gone?1")
    again = scan_file(db, urls, "--format", "jsonl", "-o", out, "--resume")
    rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert sorted(r["url"][len(site):] for r in rows) == ["/ad?1", "/gone?1", "/plain?1", "/plain?2"]
    assert "scanned 2 of 4 URLs" in again.stderr
    assert "(2 skipped; kept from the last 24h: suspicious 1, clear 1)" in again.stderr
    assert again.exit_code == 1  # the ad found by the first run and skipped now still counts (not 2: unchecked)
    third = scan_file(db, urls, "--format", "jsonl", "-o", out, "--resume")  # only the unchecked one again
    assert "scanned 1 of 4" in third.stderr and len(out.read_text(encoding="utf-8").splitlines()) == 5
    scan_file(db, urls, "--format", "jsonl", "-o", out)  # without --resume: a new file, as before
    assert len(out.read_text(encoding="utf-8").splitlines()) == 4


def test_resume_appends_csv_rows_under_the_one_header(db, site, tmp_path):
    out = tmp_path / "out.csv"
    scan_file(db, write_urls(tmp_path / "a.txt", site, "/plain?1"), "--format", "csv", "-o", out)
    scan_file(db, write_urls(tmp_path / "b.txt", site, "/plain?1", "/ad?2"), "--format", "csv", "-o", out, "--resume")
    assert out.read_bytes().startswith(b"\xef\xbb\xbfurl,")  # one BOM (a spreadsheet reads UTF-8), then the header
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert rows[0][:4] == ["url", "final_url", "status", "verdict"] and b"\xef\xbb\xbf" not in out.read_bytes()[3:]
    assert [r[0][len(site):] for r in rows[1:]] == ["/plain?1", "/ad?2"]  # no second header row
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    scan_file(db, tmp_path / "a.txt", "--format", "csv", "-o", empty, "--resume")  # an empty file gets its header
    assert empty.read_text(encoding="utf-8-sig").splitlines()[0].startswith("url,final_url")


def test_the_output_file_is_untouched_when_the_database_or_the_urls_cannot_be_read(db, site, tmp_path):
    keep = tmp_path / "keep.jsonl"
    keep.write_text('{"url": "earlier"}\n', encoding="utf-8")
    urls = write_urls(tmp_path / "u.txt", site, "/plain")
    corrupt = tmp_path / "corrupt.db"
    corrupt.write_bytes(NOISE[:4096])
    proc = subprocess.run([sys.executable, "-c", "from peizi_guard.cli import run; run()", "--db", str(corrupt),
                           "scan", str(urls), "--format", "jsonl", "-o", str(keep), "--allow-private"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.count("\n") == 1 and "cannot open database" in proc.stderr
    no_url = tmp_path / "ads.csv"
    no_url.write_text("id,link\n1,http://x.cn/\n", encoding="utf-8")
    for bad in (tmp_path / "missing.txt", no_url):
        assert scan_file(db, bad, "-o", keep).exit_code == 2
    assert keep.read_text(encoding="utf-8") == '{"url": "earlier"}\n'


# ---- 2. workers die with the scan process ------------------------------------------------------


def _children(pid: int) -> set[int]:
    kids = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    stat = f.read()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                kids.add(int(entry))
    return kids


def _alive(pid: int) -> bool:
    """Running (a zombie nobody reaped yet is dead)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _lines(path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines()) if path.exists() else 0


def _stored_urls(db: str) -> set[str]:
    return {url for (url,) in query(db, "SELECT url FROM scan_results")}


@pytest.mark.skipif(not os.path.isdir("/proc") or "fork" not in multiprocessing.get_all_start_methods(),
                    reason="needs fork() and /proc")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_killing_the_scan_process_ends_its_workers(db, site, tmp_path, sig):
    paths = [f"/plain?fast={i}" for i in range(30)] + [f"/slow?n={i}" for i in range(270)]
    urls = write_urls(tmp_path / "urls.txt", site, *paths)
    out = tmp_path / "out.jsonl"
    slow_before = Handler.slow
    proc = subprocess.Popen([sys.executable, "-c", "from peizi_guard.cli import run; run()", "--db", db, "scan",
                             str(urls), "--format", "jsonl", "-o", str(out), "--allow-private", "--timeout", "60",
                             "--jobs", "2", "-c", "4"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    workers: set[int] = set()
    try:
        deadline = time.monotonic() + 60
        while (Handler.slow - slow_before < 4 or _lines(out) < 30) and time.monotonic() < deadline:
            assert proc.poll() is None, proc.stderr.read().decode()  # the fast pages written, every thread blocked
            time.sleep(0.1)
        workers = _children(proc.pid)
        assert len(workers) == 2 and Handler.slow - slow_before >= 4
        os.kill(proc.pid, sig)
        proc.wait(10)
        deadline = time.monotonic() + 5
        while any(_alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [w for w in workers if _alive(w)], "a worker outlived the scan"
    finally:
        for pid in [w for w in workers if _alive(w)] + ([proc.pid] if proc.poll() is None else []):
            os.kill(pid, signal.SIGKILL)
        proc.wait(10)
        proc.stderr.close()
    written = {json.loads(x)["url"] for x in out.read_text(encoding="utf-8").splitlines()}
    stored = _stored_urls(db)
    assert len(written) == 30 and stored <= written  # what --resume will skip is in the file


# ---- 3. undecodable pages and error pages --------------------------------------------------------


def test_random_bytes_are_undecodable_never_clear(db, site):
    r = run(["--db", db, "scan", "-", "--format", "jsonl", "--allow-private", "--timeout", "3"],
            input=f"{site}/noise\n{site}/noise-text\n{site}/plain\n")
    rows = {json.loads(x)["url"][len(site):]: json.loads(x) for x in r.stdout.splitlines()}
    for path in ("/noise", "/noise-text"):
        row = rows[path]
        assert (row["verdict"], row["reason"]) == ("unchecked", "undecodable"), row["error"]
        assert row["error"].startswith("undecodable") and row["signals"] == [] and row["probability"] is None
    assert rows["/plain"]["verdict"] == "clear"
    assert r.exit_code == 2


def test_pages_in_any_real_charset_are_text(site):
    for path in ("/ad", "/ad-gbk", "/plain"):
        page = fetch_page(site + path, allow_private=True, timeout=3)
        assert page.ok and page.text
    assert garbled("") == 0 and garbled("配资 1:10\t\r\n") == 0
    assert garbled("ab\x1b[2J\x07" + "正文" * 20) < 0.1 < garbled("ab\ufffd\x00\x01" + "x" * 20)


def test_an_error_page_carries_no_text_evidence(db, site):
    r = run(["--db", db, "scan", "-", "--format", "jsonl", "--allow-private", "--timeout", "3"],
            input=f"{site}/nginx-404\n{site}/gone\n")
    for row in map(json.loads, r.stdout.splitlines()):
        assert (row["verdict"], row["status"]) == ("unchecked", 404)
        assert row["signals"] == [] and row["matches"] == [] and row["probability"] is None and row["notes"] == []
        assert row["title"] == ""  # the error page's title is not the site's
    table = run(["--db", db, "scan", "-", "--allow-private", "--timeout", "3"], input=f"{site}/nginx-404\n")
    assert "ngram" not in table.stdout and "HTTP 404" in table.stdout and "http 404: HTTP 404" not in table.stdout


@pytest.fixture(scope="module")
def ix():
    return build(builtin.records())


def test_an_unchecked_page_keeps_the_evidence_of_its_address(ix):
    warning = "警惕！杜德配资已被列入证监会非法配资平台名单，请勿上当。"
    listed = result_of(ix, Page("http://www.ddpz666.com/x", "http://www.ddpz666.com/x", status=404,
                                error="HTTP 404", text=warning), [])
    assert listed["verdict"] == "listed" and any(m["method"] == "host" for m in listed["matches"])
    local = result_of(ix, Page("http://127.0.0.1/x", "http://127.0.0.1/x", status=404, error="HTTP 404",
                               text=warning), [])
    assert (local["verdict"], local["reason"]) == ("unchecked", "http 404")
    assert local["matches"] == [] and local["signals"] == [] and local["notes"] == []
    fine = result_of(ix, Page("http://127.0.0.1/x", "http://127.0.0.1/x", status=200, text=warning), [])
    assert fine["verdict"] == "clear" and fine["matches"]  # a page that was read shows the mention


# ---- 4. CSV inputs -------------------------------------------------------------------------------


def test_a_csv_without_a_url_column_is_one_clear_error(db, tmp_path):
    f = tmp_path / "ads.csv"
    f.write_text("id,link\n1,http://x.cn/a\n2,http://y.cn/b\n", encoding="utf-8")
    r = scan_file(db, f, "--format", "jsonl")
    assert r.exit_code == 2 and r.stdout == ""
    assert r.stderr == f"peizi-guard: error: {f}: a CSV needs a url column (its header: id,link)\n"
    assert "scan_results" not in _tables(db) or not _stored_urls(db)


def _tables(db: str) -> set[str]:
    from sqlalchemy import create_engine, inspect

    from peizi_guard.db.engine import resolve_url

    engine = create_engine(resolve_url(db))
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_a_csv_row_without_a_url_is_counted_and_named(db, site, tmp_path):
    f = tmp_path / "ads.csv"
    f.write_text(f"id,url,channel\n1,{site}/plain?a,feed\n2,,feed\n3\n4,{site}/plain?b,feed\n", encoding="utf-8")
    r = scan_file(db, f, "--format", "jsonl")
    assert len(r.stdout.splitlines()) == 2
    assert f"peizi-guard: warning: {f}: line 3: no URL in the url column; left out" in r.stderr
    assert f"peizi-guard: warning: {f}: line 4: no URL in the url column; left out" in r.stderr
    assert "scanned 2 of 4 URLs" in r.stderr and "(2 skipped)" in r.stderr
    assert r.exit_code == 2  # all clear, but two rows were not scanned


def test_every_result_names_its_input_line(db, site, tmp_path):
    f = tmp_path / "ads.csv"
    f.write_text(f"id,url\n1,{site}/plain?a\n\n2,{site}/ad?b\n3,{site}/plain?a\n4,{site}/gone?c\n", encoding="utf-8")
    rows = [json.loads(x) for x in scan_file(db, f, "--format", "jsonl", "-c", "4").stdout.splitlines()]
    want = [(2, "/plain?a"), (4, "/ad?b"), (5, "/plain?a"), (6, "/gone?c")]  # a repeat: fetched once, a row a line
    assert sorted((r["line"], r["url"][len(site):]) for r in rows) == want
    out = tmp_path / "out.csv"
    scan_file(db, f, "--format", "csv", "-o", out)
    table = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert sorted((int(r["line"]), r["url"][len(site):]) for r in table) == want
    shown = scan_file(db, f, "--format", "table").stdout.splitlines()
    assert shown[0].split() == ["LINE", "VERDICT", "SCORE", "HTTP", "URL", "WHY"]
    assert sorted(ln.split()[0] for ln in shown[1:]) == ["2", "4", "5", "6"]


def numbered(text):
    return list(enumerate(text.splitlines(), 1))


def test_what_reads_as_a_csv_header():
    assert read_urls(numbered("url\nhttp://x.cn/\n")) == (["http://x.cn/"], [])  # a one-column CSV
    assert read_urls(numbered("# from the ad team, May\n\nid,URL\n1,x.cn\n")) == (["x.cn"], [])
    assert read_urls(numbered("http://x.cn/?a=1,2\ny.cn\n")) == (["http://x.cn/?a=1,2", "y.cn"], [])
    assert read_urls(numbered("www.x.cn,feed\n")) == (["www.x.cn,feed"], [])  # a URL line, not a header
    assert read_urls(numbered('id,url\n1,"http://x.cn/a"\n"2\nand 3",\n4,y.cn\n')) == (
        ["http://x.cn/a", "y.cn"],
        ["line 3: no URL in the url column; left out"],  # the line the row starts on
    )
    assert numbered_urls(numbered('id,url\n1,"http://x.cn/a"\n"2\nand 3",\n\n4,y.cn\n')) == (
        [(2, "http://x.cn/a"), (6, "y.cn")],
        ["line 3: no URL in the url column; left out"],
    )
    assert numbered_urls(numbered("# list\n\nx.cn\n  y.cn \n")) == ([(3, "x.cn"), (4, "y.cn")], [])
    for header in ("id,link", "编号,链接,渠道", "id,page"):
        with pytest.raises(ValueError, match="a CSV needs a url column"):
            read_urls(numbered(f"{header}\n1,http://x.cn/\n"))
