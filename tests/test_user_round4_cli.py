"""Round four of the user test, command line: scan reads an address however a list writes it (bare
domains, host:port, quotes, a name after it), refuses a database it cannot store its results in
before fetching anything, and writes -o FILE in the format its extension names; import says what a
user list is, check names an empty --file, and the calculator reads full-width figures and explains
its errors in Chinese and English."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from peizi_guard.calc import CalcError, calculate
from peizi_guard.cli import main
from peizi_guard.scan import fetch_address, first_address, numbered_urls
from peizi_guard.web.app import create_app

from .conftest import sqlite_only

AD = (
    "<html><head><title>鑫盛配资</title></head><body><p>1:10杠杆，按天配资，当天到账，免开户，"
    "加微信领取体验金</p></body></html>"
).encode("utf-8")
PLAIN = "<html><head><title>天气</title></head><body><p>今天晴，适合出游。</p></body></html>".encode("utf-8")


class Handler(BaseHTTPRequestHandler):
    """/ad… an offer, anything else a plain page; every path asked for is logged."""

    asked: list[str] = []

    def log_message(self, *args):
        pass

    def do_GET(self):  # noqa: N802
        Handler.asked.append(self.path)
        body = AD if self.path.startswith("/ad") else PLAIN
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def port():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield srv.server_address[1]
    srv.shutdown()
    srv.server_close()


def cli(*args, input=None):  # noqa: A002
    return CliRunner().invoke(main, list(args), input=input)


def scan(db, lines, *extra):
    r = cli("--db", db, "scan", "-", "--allow-private", "--timeout", "5", *extra, input="\n".join(lines) + "\n")
    return r, [json.loads(x) for x in r.stdout.splitlines() if x.startswith("{")]


# ---- 1. a scan line is read as its first address ------------------------------------------------


def test_bare_domains_and_host_port_lines_are_fetched_over_http(db, port):
    Handler.asked.clear()
    lines = [f"127.0.0.1:{port}/ad-1", f"localhost:{port}/ad-2"]
    r, rows = scan(db, lines, "--format", "jsonl")
    assert r.exit_code == 1, r.output
    got = {row["url"]: row for row in rows}
    assert set(got) == set(lines)  # reported as written: --resume and the line numbers key on it
    for n, line in enumerate(lines, 1):
        assert got[line]["verdict"] == "suspicious" and got[line]["error"] is None, got[line]
        assert got[line]["final_url"] == "http://" + line and got[line]["line"] == n
    assert sorted(Handler.asked) == ["/ad-1", "/ad-2"]


def test_quotes_brackets_punctuation_and_a_name_after_the_address_are_left_out(db, port):
    Handler.asked.clear()
    base = f"http://127.0.0.1:{port}"
    lines = [f"{base}/ad-a,", f"{base}/ad-b 鑫配资", f'"{base}/ad-c"', f"<{base}/ad-d>", f"“{base}/ad-e”。",
             f"鑫配资（{base}/ad-f）", f"{base}/ad-g;"]  # fmt: skip
    r, rows = scan(db, lines, "--format", "jsonl")
    assert r.exit_code == 1, r.output
    assert sorted(Handler.asked) == [f"/ad-{c}" for c in "abcdefg"]  # no junk in any path: no 404
    assert {row["url"]: row["line"] for row in rows} == {f"{base}/ad-{c}": n for n, c in enumerate("abcdefg", 1)}
    assert {row["verdict"] for row in rows} == {"suspicious"}
    again, kept = scan(db, lines, "--format", "jsonl", "--resume")  # keyed by the cleaned address
    assert again.exit_code == 1 and kept == [] and "(7 skipped" in again.stderr, again.stderr


def test_what_a_scan_line_reads_as():
    for line, address in (
        ("www.htsc.com.cn", "www.htsc.com.cn"),
        ("  http://x.cn/a.html, 鑫配资 ", "http://x.cn/a.html"),
        ("鑫配资 http://x.cn/a", "http://x.cn/a"),
        ("<http://x.cn/a>", "http://x.cn/a"),
        ("(http://x.cn/a)", "http://x.cn/a"),
        ("http://en.wikipedia.org/wiki/Foo_(bar)", "http://en.wikipedia.org/wiki/Foo_(bar)"),  # opened inside
        ("http://[::1]:8080/", "http://[::1]:8080/"),
        ("http://x.cn/?a=1,2", "http://x.cn/?a=1,2"),  # a comma inside stays
        ("not a url", "not a url"),  # nothing reads as an address: the line, reported as malformed
        ("javascript:alert(1)", "javascript:alert(1)"),
        ('=HYPERLINK("http://evil.cn","x")', '=HYPERLINK("http://evil.cn","x")'),  # a formula, not a wrapper
    ):
        assert first_address(line) == address, line
    assert fetch_address("www.htsc.com.cn") == "http://www.htsc.com.cn"
    assert fetch_address("localhost:8080/a") == "http://localhost:8080/a"
    assert fetch_address("127.0.0.1:8080") == "http://127.0.0.1:8080"
    assert fetch_address("//x.cn/a") == "http://x.cn/a"
    for kept in ("https://x.cn/", "ftp://x.cn/a", "javascript:alert(1)", "mailto:a@x.cn", "not a url"):
        assert fetch_address(kept) == kept
    csv = 'id,url\n1,"<http://x.cn/a>"\n2,http://x.cn/b 鑫配资\n3,www.y.cn\n'
    assert numbered_urls(list(enumerate(csv.splitlines(), 1))) == (
        [(2, "http://x.cn/a"), (3, "http://x.cn/b"), (4, "www.y.cn")],
        [],
    )


# ---- 2. a database scan cannot write is refused before anything is fetched --------------------------


@sqlite_only
def test_a_read_only_database_is_refused_before_fetching(db, port, tmp_path):
    as_user: list[str] = []
    if os.geteuid() == 0:  # root writes anything: drop that power for the run
        if not shutil.which("setpriv"):
            pytest.skip("running as root without setpriv: a read-only file cannot be simulated")
        as_user = ["setpriv", "--bounding-set", "-all", "--inh-caps", "-all", "--"]
    assert cli("--db", db, "sources").exit_code == 0  # seeded
    folder = tmp_path / "handed-out"
    folder.mkdir()
    copy = folder / "lists.db"
    shutil.copy(db, copy)
    copy.chmod(0o444)
    folder.chmod(0o555)
    urls = tmp_path / "urls.txt"
    urls.write_text(f"http://127.0.0.1:{port}/ad-ro\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    Handler.asked.clear()
    try:
        p = subprocess.run([*as_user, sys.executable, "-c", "from peizi_guard.cli import run; run()", "--db",
                            str(copy), "scan", str(urls), "--allow-private", "-o", str(out)],
                           capture_output=True, text=True)  # fmt: skip
    finally:
        folder.chmod(0o755)
    if not as_user and os.access(copy, os.W_OK):
        pytest.skip("this process can write a file of mode 444 (root?): nothing to refuse")
    assert p.returncode == 2, (p.stdout, p.stderr)
    assert p.stderr.startswith("peizi-guard: error: the database is read-only: scan stores its results in it")
    assert len(p.stderr.strip().splitlines()) == 1 and "Traceback" not in p.stderr
    assert Handler.asked == [] and not out.exists()  # nothing fetched, nothing written


@sqlite_only
def test_a_database_that_refuses_writes_is_refused_before_fetching(db, port, tmp_path):
    """As a PostgreSQL user without INSERT on scan_results: a trigger refuses the write here."""
    import sqlite3

    assert cli("--db", db, "sources").exit_code == 0
    con = sqlite3.connect(db)
    con.execute("CREATE TRIGGER refuse BEFORE INSERT ON scan_results "
                "BEGIN SELECT RAISE(ABORT, 'permission denied for table scan_results'); END")  # fmt: skip
    con.commit()
    con.close()
    Handler.asked.clear()
    p = subprocess.run([sys.executable, "-c", "from peizi_guard.cli import run; run()", "--db", db, "scan", "-",
                        "--allow-private"], input=f"http://127.0.0.1:{port}/ad-refused\n",
                       capture_output=True, text=True)  # fmt: skip
    assert p.returncode == 2, (p.stdout, p.stderr)
    assert p.stderr.startswith("peizi-guard: error: cannot write to the database") and "permission denied" in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1
    assert Handler.asked == [] and p.stdout == ""


def test_a_database_server_that_cannot_be_reached_is_reported_before_fetching(port):
    Handler.asked.clear()
    p = subprocess.run([sys.executable, "-c", "from peizi_guard.cli import run; run()", "--db",
                        "postgresql://u:secret@127.0.0.1:9/x", "scan", "-", "--allow-private"],
                       input=f"http://127.0.0.1:{port}/ad-pg\n", capture_output=True, text=True)  # fmt: skip
    assert p.returncode == 2 and p.stderr.startswith("peizi-guard: error:"), p.stderr
    assert "secret" not in p.stderr and "Traceback" not in p.stderr and Handler.asked == []


# ---- 3. -o FILE's extension names the format ------------------------------------------------------


def test_scan_writes_the_format_its_output_file_names(db, port, tmp_path):
    url = f"http://127.0.0.1:{port}/ad-o"
    for name in ("out.csv", "out.jsonl", "out.ndjson", "out.json", "out.txt"):
        out = tmp_path / name
        r = cli("--db", db, "scan", "-", "--allow-private", "-o", str(out), input=url + "\n")
        assert r.exit_code == 1, r.output
        first = out.read_text(encoding="utf-8-sig").splitlines()[0]
        if name.endswith(".csv"):
            assert first.startswith("url,") or ",url," in first, first
        elif name.endswith(".txt"):
            assert not first.startswith(("{", "url,")), first  # a table
        else:
            assert json.loads(first)["url"] == url
    out = tmp_path / "out.csv"
    r = cli("--db", db, "scan", "-", "--allow-private", "-o", str(out), "--resume", input=f"{url}-2\n")
    assert r.exit_code == 1, r.output
    rows = out.read_text(encoding="utf-8").splitlines()
    assert len(rows) == 3 and rows[2].startswith(f"{url}-2,"), rows  # a CSV row under the one header
    table = tmp_path / "table.csv"
    r = cli("--db", db, "scan", "-", "--allow-private", "-o", str(table), "--format", "table", input=url + "\n")
    assert r.exit_code == 1 and not table.read_text(encoding="utf-8").startswith("url,")  # --format wins


def test_check_writes_json_lines_to_a_jsonl_file(db, tmp_path):
    out = tmp_path / "answers.jsonl"
    r = cli("--db", db, "check", "杜德配资", "华泰证券", "-o", str(out))
    assert r.exit_code == 1, r.output
    rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [row["verdict"] for row in rows] == ["listed", "clear"]
    text = tmp_path / "answers.txt"
    assert cli("--db", db, "check", "杜德配资", "-o", str(text)).exit_code == 1
    assert not text.read_text(encoding="utf-8").startswith("{")


# ---- 4. import names what a user list is --------------------------------------------------------------


def test_import_of_an_unknown_file_names_documents_and_user_lists(db, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("杜德配资\nwww.ddpz666.com\n", encoding="utf-8")
    r = cli("--db", db, "import", str(notes), "--source", "mine")
    assert r.exit_code == 2
    assert "not a PDF, .docx, .xlsx or HTML document" in r.stderr and ".csv or .jsonl" in r.stderr, r.stderr


# ---- 5. check --file without queries names the file -----------------------------------------------------


def test_check_names_a_file_without_queries(db, tmp_path):
    for name, text in (("empty.txt", ""), ("blank.txt", "\n  \n# a comment\n")):
        f = tmp_path / name
        f.write_text(text, encoding="utf-8")
        r = cli("--db", db, "check", "--file", str(f))
        assert r.exit_code == 2 and f"no queries in {f}" in r.stderr and "give a QUERY" not in r.stderr, r.stderr
    r = cli("--db", db, "check", "杜德配资", "--file", str(tmp_path / "empty.txt"))
    assert r.exit_code == 1 and "empty.txt: no queries in it" in r.stderr, r.stderr


# ---- 6 and 7. the calculator: full-width figures, errors in Chinese and English --------------------------


def test_calc_reads_full_width_figures():
    r = cli("calc", "--own", "５万", "--leverage", "１０", "--monthly-rate", "１.５％", "--move", "－１０％", "--json")
    assert r.exit_code == 0, r.output
    got = json.loads(r.stdout)
    assert got["own"] == 50_000 and got["leverage"] == 10 and got["scenarios"][0]["move"] == pytest.approx(-0.1)
    assert calculate("５万", ratio="１：９")["leverage"] == 10


def test_calc_errors_say_it_in_chinese_first_then_english():
    r = cli("calc", "--own", "5万", "--ratio", "abc")
    assert r.exit_code == 2
    assert r.stderr.strip() == ("peizi-guard: error: --ratio：'abc' 不是“自有:借入”的比例（如 1:9） / "
                                "--ratio: 'abc' is not own:borrowed (e.g. 1:9)")  # fmt: skip
    for kwargs in (dict(own="abc", leverage=10), dict(own=0, leverage=10), dict(own=1e20, leverage=10),
                   dict(own=1e5), dict(own=1e5, leverage="x"), dict(own=1e5, leverage=1), dict(own=1e5, leverage=1e6),
                   dict(own=1e5, ratio="1:0"), dict(own=1e5, leverage=10, annual_rate="8%", daily_rate="1%"),
                   dict(own=1e5, leverage=10, annual_rate="-1%"), dict(own=1e5, leverage=10, annual_rate="8"),
                   dict(own=1e5, leverage=10, warning_line="90%"), dict(own=1e5, leverage=10, warning_line="5000%"),
                   dict(own=1e5, leverage=10, warning_line="106%", liquidation_line="108%"),
                   dict(own=1e5, leverage=10, days=-1), dict(own=1e5, leverage=10, moves=["5"]),
                   dict(own=1e5, leverage=10, moves=["-200%"]), dict(own=1e5, leverage=10, moves=["9000%"]),
                   dict(own=1e5, leverage=10, moves=["abc"]), dict(own=1e5, leverage=10, moves=[float("nan")])):  # fmt: skip
        with pytest.raises(CalcError) as caught:
            calculate(**kwargs)
        zh, _, en = str(caught.value).partition(" / ")
        assert any("\u4e00" <= c <= "\u9fff" for c in zh.replace("万", "")) and en == caught.value.en, str(caught.value)
        assert not any("\u4e00" <= c <= "\u9fff" for c in en.replace("万", "").replace("亿", "")), str(caught.value)


def test_the_web_calculator_reads_full_width_figures_and_explains_in_both_languages(shared_db):
    with TestClient(create_app(shared_db, rate_limit=0)) as c:
        page = c.get("/", params={"own": "５万", "leverage": "１０"})
        assert page.status_code == 200 and 'id="error"' not in page.text and "<svg" in page.text
        api = c.get("/api/calc", params={"own": "５万", "ratio": "１：９"})
        assert api.status_code == 200 and api.json()["own"] == 50_000
        zh = c.get("/", params={"own": "5万", "ratio": "abc"}).text
        assert "不是“自有:借入”的比例" in zh and "is not own:borrowed" in zh
        en = c.get("/", params={"own": "5万", "ratio": "abc", "lang": "en"}).text
        assert "is not own:borrowed" in en and "不是“自有:借入”的比例" not in en
        days = c.get("/", params={"own": "5万", "leverage": "10", "days": "abc"}).text
        assert "不是整数天数" in days and "is not a whole number of days" in days
