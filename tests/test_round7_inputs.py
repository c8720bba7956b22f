"""Round seven, inputs: a stray quote in a user's CSV is an error naming its line (it swallowed
the rest of the file), an age too long for a date is a usage error, a URL on several scan lines
has a row for each line, and --resume says how many unchecked URLs it tried again."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner

from peizi_guard import Guard, scan
from peizi_guard.cli import main
from peizi_guard.model import DocumentError
from peizi_guard.scraper.userlist import parse_user_list

PLAIN = "<html><head><title>天气</title></head><body><p>今天晴，适合出游。</p></body></html>".encode()


def cli(*args):  # noqa: ANN001
    return CliRunner().invoke(main, list(args))


def stray_quote_list(at: int) -> bytes:
    """1,000 rows (平台0 … 平台999); the row of 平台{at - 1} starts with a quote."""
    rows = ["name,urls"] + [f"平台{i},p{i}.com" for i in range(1000)]
    rows[at] = '"' + rows[at]
    return ("\n".join(rows) + "\n").encode()


# ---- 1. a quote left open in a user's CSV ------------------------------------------------------


def test_a_quote_open_to_the_end_of_the_file_is_an_error_naming_its_line():
    with pytest.raises(DocumentError, match=r"^line 991: a quote opens a cell that is never closed"):
        parse_user_list(stray_quote_list(990), "q3.csv")
    with pytest.raises(DocumentError, match=r"^line 2: a quote opens"):
        parse_user_list('name,urls\n"金牛配资,jn.com\n乙配资,y.com\n丙配资,b.com\n'.encode(), "a.csv")
    with pytest.raises(DocumentError, match=r"^line 3: a quote opens"):  # a note's quote, after a note over 2 lines
        parse_user_list('name,urls,note\n甲,a.com,"one\ntwo","x\n乙,b.com,\n'.encode(), "a.csv")
    with pytest.raises(DocumentError, match=r"^line 3: a quote opens"):  # the last line, no line end
        parse_user_list('name,urls\n甲,a.com\n"乙,b.com'.encode(), "a.csv")


def test_a_name_over_several_lines_is_an_error_naming_its_line():
    text = 'name,urls\n甲,a.com\n"乙,b.com\n丙,c.com\n"丁",d.com\n戊,e.com\n'  # the quote closes on line 5
    with pytest.raises(DocumentError, match=r"^line 3: the name cell runs on to line 5"):
        parse_user_list(text.encode(), "a.csv")


def test_quoted_cells_with_commas_doubled_quotes_and_lines_still_import():
    text = 'name,urls,note\n"宏信, 优配",a.com,"say ""hi""\nsecond line"\n"丙 ""C""",c.com,\n丁,d.com,"x\ny",extra\n'
    doc = parse_user_list(text.encode(), "a.csv")
    assert [(e.name, e.urls, e.extra) for e in doc.entries] == [
        ("宏信, 优配", ["a.com"], {"note": 'say "hi"\nsecond line'}),
        ('丙 "C"', ["c.com"], {}),
        ("丁", ["d.com"], {"note": "x\ny"}),
    ]
    assert [w.split(":")[0] for w in doc.warnings] == ["line 5"]  # a row is named by its first line (not 6)


def test_import_refuses_the_file_in_one_line(db, tmp_path):
    f = tmp_path / "q3.csv"
    f.write_bytes(stray_quote_list(990))
    r = cli("--db", db, "import", str(f), "--source", "q3", "--json")
    assert r.exit_code == 2 and "line 991: a quote opens a cell" in r.stderr and len(r.stderr.splitlines()) == 1
    assert "q3" not in cli("--db", db, "sources").stdout


# ---- 2. --max-age too long for a date ----------------------------------------------------------


def test_an_age_past_a_hundred_years_is_a_value_error():
    assert scan.parse_age("36500d").days == 36500 and scan.parse_age("0.5h").seconds == 1800
    for age in ("999999d", "99999999999999999999999h", "1" * 400 + "s"):
        with pytest.raises(ValueError, match="too long: an age is at most 36500d"):
            scan.parse_age(age)


def test_scan_with_a_huge_max_age_is_a_usage_error(db):
    r = CliRunner().invoke(main, ["--db", db, "scan", "-", "--resume", "--max-age", "999999d"], input="x.cn\n")
    assert r.exit_code == 2 and "--max-age: '999999d' is too long" in r.stderr and "internal error" not in r.stderr


# ---- 3. and 4. repeated scan lines, and unchecked URLs tried again by --resume -------------------


class Handler(BaseHTTPRequestHandler):
    asked: list[str] = []

    def log_message(self, *args):
        pass

    def do_GET(self):  # noqa: N802
        Handler.asked.append(self.path)
        status, body = (500, b"<html>error</html>") if self.path.startswith("/boom") else (200, PLAIN)
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def site():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


OPTS = dict(concurrency=4, allow_private=True, timeout=5)


def test_a_url_on_two_lines_is_fetched_once_and_has_a_row_for_each(db, site):
    Handler.asked.clear()
    numbered = [("-", 1, site + "/p/10"), ("-", 2, site + "/p/10"), ("-", 3, site + "/p/11")]
    rows_of = scan.line_rows(numbered, several=False)
    rows, ticks = [], []
    summary = Guard(db).scan(
        [u for _, _, u in numbered],
        scan.ScanOptions(**OPTS),
        emit=lambda r: rows.extend(rows_of(r)),
        progress=ticks.append,
    )
    assert sorted(Handler.asked) == ["/p/10", "/p/11"]
    assert sorted((r["line"], r["url"][len(site) :], r["verdict"]) for r in rows) == [
        (1, "/p/10", "clear"),
        (2, "/p/10", "clear"),
        (3, "/p/11", "clear"),
    ]
    assert summary.skipped == 0 and summary.verdicts["clear"] == 3 and sum(ticks) == 3
    several = scan.line_rows([("a.txt", 4, "x.cn"), ("b.txt", 1, "x.cn")], several=True)({"url": "x.cn"})
    assert [(r["input"], r["line"]) for r in several] == [("a.txt", 4), ("b.txt", 1)]


def test_resume_counts_the_unchecked_urls_it_tries_again(db, site):
    urls = [site + "/boom/1", site + "/p/20", site + "/boom/1"]
    opts = scan.ScanOptions(resume=True, **OPTS)
    first = Guard(db).scan(urls, opts)
    assert first.verdicts["unchecked"] == 2 and first.retried == 0
    rows: list[dict] = []
    again = Guard(db).scan(urls, opts, emit=rows.append)
    assert [r["url"] for r in rows] == [site + "/boom/1"]  # tried again: its new row supersedes the old one
    assert again.retried == 2 and again.skipped == 1 and again.kept == {"clear": 1}
    assert again.verdicts["unchecked"] == 2 and again.exit_status == 2
