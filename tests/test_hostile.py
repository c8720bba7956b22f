"""Hostile and odd input met where users meet it, through the CLI: files in any encoding, pages
with odd charsets, escape sequences and formulas in output, narrow terminals, empty databases."""
from __future__ import annotations

import codecs
import csv
import io
import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from peizi_guard.cli import main

from .conftest import FIXTURES, sqlite_only
from .sitehelper import Site

AD = "您炒股我出钱，1:10杠杆，按天配资，当天到账，免开户，加微信领取体验金"


def run(args, input=None):  # noqa: ANN001, A002
    return CliRunner().invoke(main, args, input=input)


NAMES = "杜德配資\n華泰證券\n寶利配資官網\n" * 4  # traditional characters exist in Big5; long enough to detect


@pytest.mark.parametrize("encoding, bom", [
    ("utf-8", b""), ("utf-8", codecs.BOM_UTF8), ("gbk", b""), ("gb18030", b""), ("big5", b""),
    ("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE), ("utf-16-le", b""),
])
def test_check_file_in_any_common_encoding(db, tmp_path, encoding, bom):
    f = tmp_path / "names.txt"
    text = NAMES if encoding == "big5" else NAMES.replace("杜德配資", "杜德配资 www.ddpz666.com")
    f.write_bytes(bom + text.encode(encoding))
    r = run(["--db", db, "check", "--file", str(f), "--json"])
    rows = [json.loads(x) for x in r.stdout.splitlines()]
    assert r.exit_code == 1, r.stderr
    assert len(rows) == 12 and rows[0]["verdict"] == "listed" and rows[0]["matches"][0]["entry"] == "杜德配资"
    assert rows[1]["verdict"] == "clear"


def test_an_undecodable_line_is_reported_and_the_rest_goes_on(db, tmp_path):
    f = tmp_path / "mixed.txt"
    f.write_bytes("华泰证券\n".encode() + b"ab\x80\xff\xff\n" + "杜德配资\n".encode())
    r = run(["--db", db, "check", "--file", str(f), "--json"])
    assert "line 2: not valid UTF-8 or GB18030; left out" in r.stderr
    assert [json.loads(x)["query"] for x in r.stdout.splitlines()] == ["华泰证券", "杜德配资"]
    assert r.exit_code == 1  # something listed
    f.write_bytes("华泰证券\n".encode() + b"ab\x80\xff\xff\n")
    assert run(["--db", db, "check", "--file", str(f)]).exit_code == 2  # clear, but a line went unchecked


@pytest.mark.parametrize("encoding", ["big5", "utf-16-le", "utf-16-be", "gbk"])
def test_a_few_names_in_another_encoding_are_read_as_chinese_or_refused(db, tmp_path, encoding):
    f = tmp_path / "few.txt"
    names = "杜德配資\n華泰證券\n寶利配資官網\n" if encoding == "big5" else "杜德配资\n华泰证券\n鑫盛配资\n"
    f.write_bytes(names.encode(encoding))  # under 64 bytes: GB18030 alone would read Big5 or UTF-16 as nonsense
    r = run(["--db", db, "check", "--file", str(f), "--json"])
    rows = [json.loads(x) for x in r.stdout.splitlines()]
    assert r.exit_code == 1 and [x["query"] for x in rows] == names.split()
    assert rows[0]["verdict"] == "listed" and rows[1]["verdict"] == "clear"
    f.write_bytes("鑫".encode(encoding))  # one rarer character: no reading is clearly Chinese
    r = run(["--db", db, "check", "--file", str(f)])
    assert r.exit_code == 2 and "cannot tell the encoding" in r.stderr and "--encoding" in r.stderr and r.stdout == ""


def test_encoding_can_be_forced_and_a_bad_one_is_one_line(db, tmp_path):
    f = tmp_path / "big5.txt"
    f.write_bytes("杜德配資\n".encode("big5"))  # too short to detect: GB18030 would misread it
    assert run(["--db", db, "check", "--file", str(f), "--encoding", "big5"]).exit_code == 1
    r = run(["--db", db, "check", "--file", str(f), "--encoding", "no-such-codec"])
    assert r.exit_code == 2 and r.stderr.strip() == "peizi-guard: error: unknown encoding 'no-such-codec'"


def test_text_file_in_gbk_is_judged(db, tmp_path):
    f = tmp_path / "ad.txt"
    f.write_bytes(AD.encode("gbk"))
    r = run(["--db", db, "check", "--text-file", str(f), "--json"])
    assert json.loads(r.stdout)["verdict"] == "suspicious"


@pytest.fixture(scope="module")
def site():
    s = Site()
    page = f"<html><head><title>配资\x1b[2J\x1b]0;owned\x07首页</title></head><body><p>{AD}</p></body></html>"
    s.pages.update({
        "/utf16-bom": ("text/html; charset=utf-16", codecs.BOM_UTF16_LE + page.encode("utf-16-le")),
        "/utf16-nobom": ("text/html; charset=utf-16le", page.encode("utf-16-le")),
        "/unknown": ("text/html; charset=x-no-such-charset", page.encode("utf-8")),
        "/gbk-as-utf8": ("text/html; charset=utf-8", page.encode("gbk")),
        "/bad-meta": ("text/html", page.replace("<head>", '<head><meta charset="zlib">').encode("gbk")),
    })
    yield s
    s.close()


def scan(db, site, *paths, fmt="jsonl", extra=()):  # noqa: ANN001
    urls = "\n".join(p if "://" in p or not p.startswith("/") else site.url + p for p in paths)
    return run(["--db", db, "scan", "-", "--format", fmt, "--allow-private", "--timeout", "3", *extra], input=urls)


def test_pages_in_odd_charsets_are_judged(db, site):
    r = scan(db, site, "/utf16-bom", "/utf16-nobom", "/unknown", "/gbk-as-utf8", "/bad-meta")
    rows = {json.loads(x)["url"][len(site.url):]: json.loads(x) for x in r.stdout.splitlines()}
    for path, row in rows.items():
        assert row["verdict"] == "suspicious", (path, row["error"], row["title"])


def test_scan_and_refresh_go_through_one_http_layer_with_one_honest_user_agent(db, site):
    from peizi_guard.scraper.http import user_agent

    site.agents.clear()
    scan(db, site, "/unknown")
    run(["--db", db, "refresh", "csrc-peizi", "--url", site.url + "/unknown", "--allow-private"])
    assert len(site.agents) >= 2 and set(site.agents) == {user_agent()}
    assert user_agent().startswith("peizi-guard/") and "Mozilla" not in user_agent()


def test_escape_sequences_never_reach_the_terminal(db, site):
    r = scan(db, site, "/utf16-bom", fmt="table")
    assert "\x1b" not in r.stdout and "\x07" not in r.stdout
    r = run(["--db", db, "check", "--text", "杜德配资\x1b[31m，1:10杠杆"])
    assert "\x1b" not in r.stdout


def test_csv_cells_never_run_as_formulas(db, site):
    r = scan(db, site, "=HYPERLINK(\"http://evil.cn\",\"x\")", "+cmd|' /C calc'!A0", "/utf16-bom", fmt="csv")
    rows = list(csv.DictReader(io.StringIO(r.stdout)))  # in the order they finished
    hostile = [row for row in rows if row["url"][:2] in ("'=", "'+")]
    assert len(rows) == 3 and len(hostile) == 2
    assert all(not (v or "").startswith(("=", "+", "@")) for row in rows for v in row.values())
    assert {row["verdict"] for row in hostile} == {"unchecked"}


def test_scan_input_with_a_huge_or_broken_line_goes_on(db, site, tmp_path):
    f = tmp_path / "urls.txt"
    f.write_bytes(b"http://" + b"a" * (200 * 1024) + b".cn/\n" + b"\xff\xfe\x80bad\n"
                  + (site.url + "/utf16-bom\n").encode())
    r = run(["--db", db, "scan", str(f), "--format", "jsonl", "--allow-private", "--timeout", "3"])
    assert "line 1: longer than 128 KiB; left out" in r.stderr and "line 2: not valid" in r.stderr
    assert [json.loads(x)["verdict"] for x in r.stdout.splitlines()] == ["suspicious"]
    assert r.exit_code == 1


def test_a_narrow_terminal_encoding_never_crashes_output(db):
    env = dict(os.environ, PYTHONIOENCODING="gbk")
    proc = subprocess.run([sys.executable, "-c", "from peizi_guard.cli import run; run()", "--db", db, "check",
                           "--text", "杜德配资 🙂 1:10杠杆 ₩€"], env=env, capture_output=True)
    assert proc.returncode == 1, proc.stderr.decode("gbk", "replace")
    assert "Traceback" not in proc.stderr.decode("gbk", "replace")


def test_no_lists_means_no_answer(db):
    r = run(["--db", "sqlite://", "check", "杜德配资"])
    assert r.exit_code == 2 and "no official list to check against" in r.stderr and not r.stdout
    r = run(["--db", db, "check", "--as-of", "2001-01-01", "杜德配资"])
    assert r.exit_code == 2 and "before the first snapshot of every source" in r.stderr
    assert run(["--db", db, "check", "--as-of", "2020-08-01", "杜德配资"]).exit_code == 1


@pytest.mark.parametrize("url", ["postgresql+psycopg://bob:s3cret@127.0.0.1:1/x", "nosuch://bob:s3cret@h/x"])
def test_database_passwords_never_appear_in_messages(url):
    proc = subprocess.run([sys.executable, "-c", "from peizi_guard.cli import run; run()", "--db", url, "check", "杜德配资"],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "s3cret" not in proc.stderr + proc.stdout and "bob:***@" in proc.stderr


@pytest.mark.parametrize("url", [
    "http://www.ddpz666.com\\@evil.cn/",  # a browser goes to www.ddpz666.com
    "http://%64dpz666.com/",  # percent-encoded host
    "http://ddpz666.com./",  # fully qualified, trailing dot
    "http://user:pass@www.ddpz666.com:8080/x",  # user info and port
    "HTTP://WWW.DDPZ666.COM",
    "http://www.ddрz666.com/",  # Cyrillic р
    "http://www.ddpz666。com/",  # ideographic full stop
    "ｗｗｗ．ｄｄｐｚ６６６．ｃｏｍ",  # full width
])
def test_urls_are_read_as_browsers_read_them(db, url):
    r = run(["--db", db, "check", url, "--json"])
    v = json.loads(r.stdout)
    assert v["verdict"] == "listed" and v["matches"][0]["entry"] == "杜德配资", url


def test_names_spelled_with_look_alike_letters_match(db):
    v = json.loads(run(["--db", db, "check", "--json", "涵乔mоm操盘网"]).stdout)  # Cyrillic о in a listed alias
    assert v["verdict"] == "listed" and v["matches"][0]["method"] == "exact"
    v = json.loads(run(["--db", db, "check", "--json", "http://ddpz666.cοm"]).stdout)  # Greek ο in .com
    assert v["verdict"] == "listed"


def test_hostile_label_runs_are_handled_in_linear_time(db):
    import time

    token = "a." * 48000 + "com"
    t = time.perf_counter()
    r = run(["--db", db, "check", "--text", token, "--json"])
    assert r.exit_code == 0 and time.perf_counter() - t < 5  # was 19–30 s: quadratic suffix search
    t = time.perf_counter()
    assert run(["--db", db, "check", token]).exit_code == 0 and time.perf_counter() - t < 5


@pytest.fixture()
def dripping():
    """A server that sends its response one byte every 0.2 s: headers, then body."""
    from .sitehelper import dripping_server

    url, stop = dripping_server(0.2, b"y" * 200)
    yield url
    stop.set()


def test_a_dripping_server_is_cut_at_the_timeout(db, dripping):
    import time

    t = time.perf_counter()
    r = run(["--db", db, "scan", "-", "--format", "jsonl", "--allow-private", "--timeout", "2"],
            input=dripping + "/a\n" + dripping + "/b\n")
    took = time.perf_counter() - t
    rows = [json.loads(x) for x in r.stdout.splitlines()]
    assert [(x["verdict"], x["reason"]) for x in rows] == [("unchecked", "timeout")] * 2
    assert took < 5, took  # was 39 s and more: each header byte reset the read timeout


@pytest.mark.parametrize("url", ["http://169.254.169.254/latest/meta-data/", "http://127.0.0.1:9/list.html",
                                 "http://10.0.0.1/list.html", "http://[::1]/list.html"])
def test_refresh_never_fetches_private_or_metadata_addresses(db, url):
    r = run(["--db", db, "refresh", "csrc-peizi", "--url", url, "--json"])
    out = json.loads(r.stdout)
    assert r.exit_code == 1 and out["status"] == "failed" and "blocked address" in out["message"]


def test_refresh_is_cut_at_its_deadline(db, dripping):
    import time

    t = time.perf_counter()
    r = run(["--db", db, "refresh", "csrc-peizi", "--url", dripping + "/list.html", "--allow-private",
             "--deadline", "2", "--json"])
    out = json.loads(r.stdout)
    assert r.exit_code == 1 and out["status"] == "failed", out
    assert "timed out" in out["message"] or "deadline of 2 s" in out["message"], out["message"]
    assert time.perf_counter() - t < 6


# ---- a decompression bomb, parsed in a child with a memory cap ------------------------------

@pytest.mark.skipif(not os.path.exists("/proc/self/task"), reason="needs Linux /proc to measure memory")
def test_a_decompression_bomb_fails_that_document_under_500_mb(db, tmp_path):
    from .bomb import bomb_pdf, run_measured
    from .conftest import table_counts

    f = tmp_path / "list.pdf"
    f.write_bytes(bomb_pdf(1 << 30))  # 1 MiB on disk, 1 GiB of page content once inflated
    assert f.stat().st_size < 1.1 * (1 << 20)
    run(["--db", db, "check", "杜德配资"])  # seeded
    before = table_counts(db, ("snapshots", "entries", "memberships"))
    code, _, err, peak = run_measured([sys.executable, "-c", "from peizi_guard.cli import run; run()", "--db", db,
                                       "import", str(f), "--source", "csrc-peizi", "--json"])
    assert code == 2 and "Traceback" not in err, err
    assert "needs more than 448 MiB to parse (a decompression bomb?): refused" in err
    assert peak < 500 << 20, f"peak {peak >> 20} MiB"
    assert table_counts(db, ("snapshots", "entries", "memberships")) == before
    print(f"decompression bomb: peak {peak >> 20} MiB for the CLI and its parsing child")


def test_a_parse_that_runs_too_long_is_stopped(monkeypatch):
    import time

    from peizi_guard.model import DocumentError
    from peizi_guard.scraper.capped import run_capped

    monkeypatch.setenv("PEIZI_GUARD_PARSE_SECONDS", "0.5")
    began = time.monotonic()
    with pytest.raises(DocumentError, match=r"parsing the document took longer than 0.5 s: stopped"):
        run_capped(time.sleep, 30)
    assert time.monotonic() - began < 5


@sqlite_only
def test_a_copy_of_the_database_file_alone_is_complete_and_answers_read_only(tmp_path):
    import shutil
    import subprocess
    import sys

    as_user: list[str] = []
    if os.geteuid() == 0:  # root writes anything: drop that power for the run
        if not shutil.which("setpriv"):
            pytest.skip("running as root without setpriv: a read-only file cannot be simulated")
        as_user = ["setpriv", "--bounding-set", "-all", "--inh-caps", "-all", "--"]
    db, mine = tmp_path / "lists.db", tmp_path / "mine.csv"
    mine.write_text("name,urls\n黑马金服,www.heima-x.com\n", encoding="utf-8")
    assert run(["--db", str(db), "import", str(mine), "--source", "my-blocklist"]).exit_code == 0
    folder = tmp_path / "handed-out"
    folder.mkdir()
    copy = folder / "lists.db"
    shutil.copy(db, copy)  # the file alone: no -wal, no -shm, no index (the lists must all be in it)
    copy.chmod(0o444)
    folder.chmod(0o555)
    try:
        cli = [*as_user, sys.executable, "-c", "from peizi_guard.cli import run; run()", "--db", str(copy)]
        for args, code, says in (
            (["check", "黑马金服", "--json"], 1, '"verdict": "listed"'),  # the user's list came along
            (["check", "杜德配资", "--as-of", "2020-08-01", "--json"], 1, '"verdict": "listed"'),
            (["list", "--as-of", "2020-08-01"], 0, "杜德配资"),
            (["history"], 0, "my-blocklist"),
            (["sources"], 0, "csrc-peizi"),
            (["import", str(mine), "--source", "other"], 2, "the database is read-only"),
        ):
            p = subprocess.run([*cli, *args], capture_output=True, text=True)
            assert p.returncode == code and says in p.stdout + p.stderr, (args, p.stdout[-300:], p.stderr)
            assert "Traceback" not in p.stderr and "internal error" not in p.stderr
        assert sorted(x.name for x in folder.iterdir()) == ["lists.db"]  # nothing written beside it
    finally:
        folder.chmod(0o755)

def test_a_source_name_must_be_plain_and_not_a_typo_of_an_official_one(db):
    doc = str(FIXTURES / "sac-blacklist-2020-01.docx")
    before = run(["--db", db, "sources", "--json"]).stdout
    for bad, says in (("sac-blacklst", "did you mean 'sac-blacklist'"), ("csrc_peizi", "did you mean 'csrc-peizi'"),
                      ("", "a list's name is"), ("../../etc", "a list's name is"), ("a b", "a list's name is")):
        r = run(["--db", db, "import", doc, "--source", bad])
        assert r.exit_code == 2 and says in r.stderr and len(r.stderr.strip().splitlines()) == 1, (bad, r.stderr)
    assert run(["--db", db, "sources", "--json"]).stdout == before  # nothing was stored
    r = run(["--db", db, "import", doc, "--source", "sac-2020-01-copy"])  # a name of its own: your own list
    assert r.exit_code == 0, r.stderr
    assert "sac-2020-01-copy  你导入的名单 your own list" in run(["--db", db, "sources"]).stdout
