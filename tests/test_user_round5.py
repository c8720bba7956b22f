"""Round five of the user test: a Weibo topic (#杜德配资#) in a list of queries or URLs is read, not
skipped as a comment; text past the old 200,000-character cut is judged; the library refuses
empty questions and unknown sources as the command line does."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from peizi_guard.cli import main
from peizi_guard.inputs import is_comment
from peizi_guard.scan import numbered_urls

from .conftest import TEST_DB

# pages and frames, on a scan's own SQLite file: nothing the database backend changes
once = pytest.mark.skipif(bool(TEST_DB), reason="backend-independent (own SQLite file): runs in the SQLite run")


def cli(db, *args):  # noqa: ANN001
    return CliRunner().invoke(main, ["--db", db, *args])


def test_comment_lines_are_hash_space_or_a_lone_hash():
    assert is_comment("# checked 2026-11") and is_comment("  #") and is_comment("#\tnote")
    assert not is_comment("#杜德配资#") and not is_comment("#宝利配资 官网") and not is_comment("")


def test_a_weibo_topic_in_a_query_file_is_checked(db, tmp_path):
    f = tmp_path / "q.txt"
    f.write_text("华泰证券\n#杜德配资#\n# a comment line\n#宝利配资 官网\n", encoding="utf-8")
    r = cli(db, "check", "--file", str(f), "--json")
    rows = [json.loads(x) for x in r.stdout.splitlines()]
    assert [x["query"] for x in rows] == ["华泰证券", "#杜德配资#", "#宝利配资 官网"]
    assert [x["verdict"] for x in rows] == ["clear", "listed", "listed"]
    assert r.exit_code == 1


def test_scan_input_keeps_hash_lines_that_are_not_comments():
    found, problems = numbered_urls([(1, "# my list"), (2, "www.ddpz666.com"), (3, "#"), (4, "#x.example.cn")])
    assert [n for n, _ in found] == [2, 4] and not problems


def test_text_after_200000_characters_is_judged(db, tmp_path):
    offer = "您炒股，我出钱！1:10杠杆，当天到账，加微信了解详情。按天配资，日息0.05%，随借随还，免息体验。"
    pad = "今天天气不错，我们去公园散步。" * 20 + "\n"
    f = tmp_path / "long.txt"
    f.write_text(pad * (300_000 // len(pad) + 1) + offer, encoding="utf-8")
    out = json.loads(cli(db, "check", "--text-file", str(f), "--json").stdout)
    assert out["verdict"] == "suspicious"


def test_the_library_refuses_empty_questions_and_unknown_sources(db):
    from peizi_guard import Guard
    from peizi_guard.api import DocumentError

    g = Guard(db)
    for bad in ("", "   "):
        with pytest.raises(ValueError):
            g.check(bad)
        with pytest.raises(ValueError):
            g.check_text(bad)
    with pytest.raises(DocumentError, match="unknown source"):
        g.entries("nosuch")
    with pytest.raises(DocumentError, match="unknown source"):
        g.history("nosuch")
    assert g.entries("csrc-peizi") and g.history("csrc-peizi")


def test_a_configured_cut_of_the_text_is_said_in_the_verdict():
    from dataclasses import replace

    from peizi_guard import builtin
    from peizi_guard.matcher import DEFAULT, build, check_text

    ix = build(builtin.records()[:50], settings=replace(DEFAULT, text_max_chars=500))
    text = "今天天气不错，我们去公园散步。" * 100
    v = check_text(ix, text)
    assert any("only the first 500 of 1,500 characters were judged" in n for n in v.notes)
    assert not any("were judged" in n for n in check_text(ix, text[:400]).notes)


def test_list_and_show_name_an_unknown_source_and_a_date_before_the_lists(db):
    r = cli(db, "list", "--source", "nosuch")
    assert r.exit_code == 2 and "unknown source: nosuch (have " in r.output and "csrc-peizi" in r.output
    r = cli(db, "show", "3", "--source", "nosuch")
    assert r.exit_code == 2 and "unknown source: nosuch" in r.output
    r = cli(db, "list", "--as-of", "2015-01-01")
    assert r.exit_code == 2 and "nothing listed on 2015-01-01: before the first snapshot of any list" in r.output
    r = cli(db, "list", "--source", "csrc-peizi", "--as-of", "2015-01-01")
    assert r.exit_code == 2 and "before the first snapshot of csrc-peizi" in r.output
    assert cli(db, "list", "--source", "csrc-peizi", "--as-of", "2021-01-01").exit_code == 0


def test_an_empty_text_file_alone_is_one_error_naming_it(db, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n", encoding="utf-8")
    r = cli(db, "check", "--text-file", str(empty))
    assert r.exit_code == 2
    assert r.output.strip().splitlines() == [f"peizi-guard: error: nothing to check: no text in {empty}"]


def test_a_text_on_several_lines_keeps_its_verdict_on_the_first_line(db, tmp_path):
    f = tmp_path / "ad.txt"
    f.write_text("您炒股，我出钱！\n1:10杠杆，当天到账\n加微信了解详情", encoding="utf-8")
    first = cli(db, "check", "--text-file", str(f)).stdout.splitlines()[0]
    assert first.startswith("您炒股，我出钱！ 1:10杠杆，当天到账 加微信了解详情 — ") and "SUSPICIOUS" in first


# ---- a shell page that frames the real site --------------------------------------------

FRAMED_AD = ("<html><head><title>鑫盛</title></head><body><p>您炒股我出钱，1:10杠杆，按天配资，当天到账，"
             "免开户，加微信领取体验金</p></body></html>")


def _shell(src: str, body: str = "") -> bytes:
    return f'<html><head><title>首页</title></head><body>{body}<iframe src="{src}"></iframe></body></html>'.encode()


@pytest.fixture(scope="module")
def framing_site():
    from .sitehelper import Site

    s = Site()
    html = "text/html; charset=utf-8"
    s.pages.update({
        "/offer": (html, FRAMED_AD.encode()),
        "/shell": (html, _shell("/offer")),
        "/shell-missing": (html, _shell("/gone")),
        "/shell-own-text": (html, _shell("/gone", "<p>今天晴，适合出游。</p>")),
        "/nested": (html, _shell("/shell")),  # round six: an offer two frames deep
        "/loop-a": (html, _shell("/loop-b")),
        "/loop-b": (html, _shell("/loop-a")),
        "/empty": (html, b"<html><body></body></html>"),
        "/shell-empty": (html, _shell("/empty")),
    })
    yield s
    s.close()


@once
def test_a_shell_page_is_judged_by_what_its_frame_shows(tmp_path, framing_site):
    urls = "\n".join(framing_site.url + p for p in ("/shell", "/shell-missing", "/shell-own-text"))
    r = CliRunner().invoke(main, ["--db", str(tmp_path / "f.db"), "scan", "-", "--format", "jsonl",
                                  "--allow-private", "--timeout", "5"], input=urls)
    rows = {x["url"][len(framing_site.url):]: x for x in map(json.loads, r.stdout.splitlines())}
    assert rows["/shell"]["verdict"] == "suspicious" and rows["/shell"]["error"] is None
    assert rows["/shell-missing"]["verdict"] == "unchecked" and rows["/shell-missing"]["reason"] == "frame not read"
    assert "framed page not read" in rows["/shell-missing"]["error"] and "HTTP 404" in rows["/shell-missing"]["error"]
    assert rows["/shell-own-text"]["verdict"] == "clear" and rows["/shell-own-text"]["error"] is None


@once
def test_frames_inside_frames_are_read_and_frames_showing_nothing_are_never_clear(tmp_path, framing_site):
    paths = ("/nested", "/loop-a", "/shell-empty")
    urls = "\n".join(framing_site.url + p for p in paths)
    r = CliRunner().invoke(main, ["--db", str(tmp_path / "f.db"), "scan", "-", "--format", "jsonl",
                                  "--allow-private", "--timeout", "5"], input=urls)
    rows = {x["url"][len(framing_site.url):]: x for x in map(json.loads, r.stdout.splitlines())}
    assert rows["/nested"]["verdict"] == "suspicious"
    for path in ("/loop-a", "/shell-empty"):
        assert rows[path]["verdict"] == "unchecked" and rows[path]["reason"] == "frame not read", path


@once
def test_a_frame_answering_404_is_not_read_as_the_page(tmp_path):
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):  # noqa: N802
            status, body = (200, _shell("/missing")) if self.path == "/" else (404, "<p>not found</p>".encode())
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/"
        r = CliRunner().invoke(main, ["--db", str(tmp_path / "n.db"), "scan", "-", "--format", "jsonl",
                                      "--allow-private", "--timeout", "5"], input=url)
    finally:
        server.shutdown()
    row = json.loads(r.stdout)
    assert row["verdict"] == "unchecked" and row["reason"] == "frame not read" and "HTTP 404" in row["error"]
    assert not any("not found" in s["text"] for s in row["signals"])


def test_check_writes_csv_when_o_names_a_csv_file(db, tmp_path):
    import csv

    q = tmp_path / "q.txt"
    q.write_text("杜德配资\nhttps://www.ddpz666.com/\n华泰证券\n=1+1\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    r = cli(db, "check", "--file", str(q), "-o", str(out))
    assert r.exit_code == 1 and r.stdout == ""
    assert out.read_bytes().startswith("\ufeffquery,".encode())  # Excel in a Chinese locale reads it as UTF-8
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig", newline="")))
    assert [x["query"] for x in rows] == ["杜德配资", "https://www.ddpz666.com/", "华泰证券", "'=1+1"]
    assert [x["verdict"] for x in rows] == ["listed", "listed", "clear", "clear"]
    assert "csrc-peizi#3 杜德配资" in rows[0]["evidence"] and rows[1]["kind"] == "url"


def test_refresh_json_claims_no_current_list_for_a_source_it_could_not_read(db, framing_site):
    r = cli(db, "refresh", "csrc-peizi", "--url", framing_site.url + "/gone", "--allow-private", "--json")
    o = json.loads(r.stdout)
    assert r.exit_code == 1 and o["status"] == "failed" and o["ok"] is False
    assert o["current"] is None and o["entries"] is None and o["snapshot"] is None


def test_the_scan_table_has_a_header_and_says_its_reasons_in_words():
    import io

    from peizi_guard.output.table import TableWriter

    row = {"url": "http://x.cn/", "final_url": "http://x.cn/", "status": 200, "verdict": "suspicious",
           "reason": None, "score": 0.99, "matches": [], "redirects": [], "error": None, "fetched_at": "t",
           "truncated": False, "line": 3,
           "signals": [{"signal": "ngram", "text": "1:10杠杆", "weight": 2.1, "counter": False, "note": "词语 phrase"},
                       {"signal": "slogan", "text": "您炒股我出钱", "weight": 0.3, "counter": False, "note": "配资口号"},
                       {"signal": "ngram", "text": "天气", "weight": -0.3, "counter": True, "note": "词语 phrase"}]}
    out = io.StringIO()
    TableWriter(out).write(row)
    head, line = out.getvalue().splitlines()
    assert head.split() == ["LINE", "VERDICT", "SCORE", "HTTP", "URL", "WHY"]
    assert line.endswith("http://x.cn/  “1:10杠杆”；配资口号“您炒股我出钱”") and "ngram" not in line


# ---- evidence as the text writes it -------------------------------------------------------


def _texts(v):
    return [s["text"] for s in v["signals"]]


def test_evidence_quotes_the_words_as_written_traditional_english_and_full_width(db):
    v = json.loads(cli(db, "check", "--json", "--text",
                       "我們提供 Stock Margin Financing，槓桿 1：10，加 WeChat 了解詳情！您炒股，我出錢！").stdout)
    shown = _texts(v)
    assert "槓桿 1：10" in shown and "我出錢" in shown and "您炒股，我出錢" in shown  # not 杠杆1:10, 我出钱
    assert not any(t in ("杠杆1:10", "我出钱", "ncing", "ock margin fin") for t in shown)
    v = json.loads(cli(db, "check", "--json", "--text",
                       "We offer stock margin financing with 10x leverage, add WeChat for details").stdout)
    words = set("We offer stock margin financing with 10x leverage, add WeChat for details".replace(",", "").split())
    for t in _texts(v):  # whole words only, never "lev" or "ncing"
        assert set(t.replace(",", "").split()) <= words, t
    assert len(_texts(v)) == len(set(_texts(v)))  # a phrase is shown once, its weights added


def test_pasted_html_source_is_judged_by_what_the_page_shows(db):
    html = ("<html lang='zh'><head><title>鑫盛</title></head><body><p>配资平台，1:10杠杆</p>"
            "<a href='http://www.ddpz666.com/'>进入</a><script>var x = 1;</script></body></html>")
    v = json.loads(cli(db, "check", "--json", "--text", html).stdout)
    assert v["verdict"] == "listed" and v["query"] == html
    assert v["notes"][0].startswith("这是网页源代码") and not any("html" in t for t in _texts(v))
    assert any(m["entry"] == "杜德配资" for m in v["matches"])


def test_every_command_help_says_its_exit_status():
    commands = sorted(main.commands)
    assert {"check", "scan", "import", "list", "serve", "refresh"} <= set(commands)
    for name in commands:
        r = CliRunner().invoke(main, [name, "--help"])
        assert r.exit_code == 0 and "Exit status" in r.output, name


def test_diff_says_what_changed_about_an_entry(db_before_history):
    db = db_before_history  # (the shipped SAC history not stored: earlier issues are new)
    from pathlib import Path

    fixtures = Path(__file__).resolve().parent.parent / "fixtures"
    ids = []
    for issue in ("2019-01", "2019-02"):  # real SAC issues 1 and 2 of 2019, both older than the built-in one
        r = cli(db, "import", str(fixtures / f"sac-blacklist-{issue}.docx"), "--source", "sac-blacklist", "--json")
        ids.append(str(json.loads(r.stdout)["snapshot"]))
    out = cli(db, "diff", "sac-blacklist", *ids).output.splitlines()
    at = next(i for i, ln in enumerate(out) if ln.startswith("  ~ #4 福建兴业证券官网 简配资 → #6 福建兴业证券官网 简配资"))
    assert out[at + 1].strip() == "domains: 405laurel.com、pz08.com → pz08.com"
    assert out[at + 2].strip() == "urls: http://405laurel.com、http://www.pz08.com → http://www.pz08.com"
    # (the current issue lists 字眼duke马甲的博客 twice, found 2019-06 and 2020-01: the row of 2019
    # 第7期, found 2019-06, is that one kept, and the 2020-01 row is added, not a change of it)
    later = cli(db, "import", str(fixtures / "sac-blacklist-2019-07.docx"), "--source", "sac-blacklist", "--json")
    out = cli(db, "diff", "sac-blacklist", str(json.loads(later.stdout)["snapshot"]), "2").output.splitlines()
    assert "  + #28 字眼duke马甲的博客  http://blog.sina.com.cn/u/6516428712" in out
    assert not any("字眼duke" in ln and ln.startswith("  ~") for ln in out)


@pytest.mark.parametrize("var, value, args, said", [
    ("PEIZI_GUARD_WORKERS", "abc", ["serve"], "PEIZI_GUARD_WORKERS='abc' must be a whole number 1–64"),
    ("PEIZI_GUARD_RATE_LIMIT", "-1", ["serve"], "PEIZI_GUARD_RATE_LIMIT='-1' must be a whole number ≥ 0"),
    ("PEIZI_GUARD_JOBS", "x", ["check", "杜德配资"], "PEIZI_GUARD_JOBS='x' must be a whole number 0–64"),
    ("PEIZI_GUARD_CONCURRENCY", "0", ["scan", "-"], "PEIZI_GUARD_CONCURRENCY='0' must be a whole number 1–256"),
])
def test_a_bad_number_in_an_environment_variable_names_the_variable(db, var, value, args, said):
    r = CliRunner().invoke(main, ["--db", db, *args], env={var: value}, input="")
    assert r.exit_code == 2 and r.output.strip().splitlines() == [f"peizi-guard: error: {said}"]


def test_a_text_file_of_one_long_line_is_judged_whole(db, tmp_path):
    """A saved, minified page is one line of 169 kB: judged, not left out as an over-long line."""
    offer = "<p>您炒股，我出钱！1:10杠杆，当天到账，加微信了解详情。按天配资，日息0.05%，随借随还，免息体验。</p>"
    page = tmp_path / "min.html"
    page.write_text("<html><head><style>" + ".a{color:red}" * 13000 + "</style></head><body>" + offer
                    + "</body></html>", encoding="utf-8")
    r = cli(db, "check", "--text-file", str(page), "--json")
    assert r.exit_code == 1 and json.loads(r.stdout)["verdict"] == "suspicious" and "left out" not in r.stderr


def test_the_same_words_are_one_entry_and_a_ratio_is_quoted_whole(db):
    v = json.loads(cli(db, "check", "--json", "--text", "杠杆 1:10，当天到账").stdout)
    texts = _texts(v)
    assert [t for t in texts if "1" in t] == ["杠杆 1:10"]  # not "杠杆 1" beside a phrase "杠杆 1:10"
    assert len(texts) == len(set(texts))
    v = json.loads(cli(db, "check", "--json", "--text", "法院查明，被告以“免息配资、秒到账”为名诱骗投资者。").stdout)
    assert any(t.startswith("以…为名") for t in _texts(v)) and not any("|" in t for t in _texts(v))


def test_a_reader_that_goes_away_is_exit_141_not_a_verdict(db, tmp_path):
    import subprocess
    import sys

    f = tmp_path / "clear.txt"
    f.write_text("华泰证券\n" * 4000, encoding="utf-8")  # all clear; far more than a pipe holds
    p = subprocess.Popen([sys.executable, "-c", "from peizi_guard.cli import run; run()", "--db", db,
                          "check", "--file", str(f)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert p.stdout.read(100)  # the first answers, then the reader goes away (| head -2)
    p.stdout.close()
    assert p.wait(timeout=120) == 141 and b"Traceback" not in p.stderr.read()


def test_what_shows_nothing_is_nothing_to_check(db, tmp_path):
    from peizi_guard import Guard

    for blank in ("\u200b", "\u200b\ufeff ", "<html><body></body></html>", "<html><body><script>var a;</script></body></html>"):
        r = cli(db, "check", "--text", blank)
        assert r.exit_code == 2 and "nothing to check" in r.output, repr(blank)
        with pytest.raises(ValueError):
            Guard(db).check_text(blank)
    f = tmp_path / "q.txt"
    f.write_text("\u200b\n杜德配资\n<html></html>\n", encoding="utf-8")
    rows = [json.loads(x) for x in cli(db, "check", "--file", str(f), "--json").stdout.splitlines()]
    assert [x["query"] for x in rows] == ["杜德配资"]


def test_csv_signals_say_both_sides_in_words():
    import csv as csvmod
    import io

    from peizi_guard.output.csv import CsvWriter

    row = {"url": "http://x.cn/", "final_url": "http://x.cn/", "status": 200, "verdict": "clear", "reason": None,
           "score": 0.1, "matches": [], "redirects": [], "error": None, "fetched_at": "t", "truncated": False,
           "line": 1, "signals": [
               {"signal": "ngram", "text": "杜德配资已被列入名单", "weight": 0.2, "counter": False, "note": "词语 phrase"},
               {"signal": "warning", "text": "警惕", "weight": -0.9, "counter": True, "note": "提醒警示"}]}
    out = io.StringIO()
    CsvWriter(out).write(row)
    cell = next(csvmod.DictReader(io.StringIO(out.getvalue())))["signals"]
    assert cell == "支持 for: “杜德配资已被列入名单” | 反对 against: 提醒警示“警惕”"


def test_diff_names_companies_and_the_library_takes_a_datetime_as_its_day(db, tmp_path):
    from datetime import datetime

    from peizi_guard import Guard

    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("name,company,urls\n甲配资,甲公司,www.jia-pz.com\n乙配资,,www.yi-pz.com\n", encoding="utf-8")
    b.write_text("name,company,urls\n甲配资,丙公司,www.jia-pz.com\n乙配资,,www.yi-pz.com\n", encoding="utf-8")
    cli(db, "import", str(a), "--source", "mine")
    cli(db, "import", str(b), "--source", "mine")
    out = cli(db, "diff", "mine").output
    assert "companies: 甲公司 → 丙公司" in out and "former_names" not in out
    assert Guard(db, as_of=datetime(2021, 1, 1, 12, 0)).check("杜德配资").verdict == "listed"
    with pytest.raises(ValueError):
        Guard(db).check_many(["杜德配资", " "])  # refused before the first answer
