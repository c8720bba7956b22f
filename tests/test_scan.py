"""`scan` against a real threaded HTTP server on 127.0.0.1."""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner

from peizi_guard import Guard
from peizi_guard.cli import main
from peizi_guard.scan import ScanOptions, read_urls

AD = "<html><head><title>鑫盛配资</title><meta name=description content='您炒股我出钱'></head><body>" \
     "<p>1:10杠杆，按天配资，当天到账，免开户，加微信领取体验金</p><script>var x='警惕 非法 证监会'</script></body></html>"
WARN = "<html><head><title>投资者教育</title></head><body><p>警惕“您炒股我出钱”骗局！证监会提醒：场外配资属于非法活动，" \
       "1:10杠杆风险极高，法院判决配资合同无效。</p></body></html>"
PLAIN = "<html><head><title>天气</title></head><body><p>今天晴，适合出游。</p></body></html>"
MENTION = "<html><body><p>推荐杜德配资，老牌平台</p></body></html>"

ROUTES = {
    "/ad": (200, "text/html; charset=utf-8", AD.encode("utf-8")),
    "/ad-gbk": (200, "text/html", AD.replace("<head>", "<head><meta charset=gbk>").encode("gbk")),
    "/warn": (200, "text/html; charset=utf-8", WARN.encode("utf-8")),
    "/plain": (200, "text/html; charset=utf-8", PLAIN.encode("utf-8")),
    "/mention": (200, "text/html; charset=utf-8", MENTION.encode("utf-8")),
    "/pdf": (200, "application/pdf", b"%PDF-1.4 not html"),
    "/gone": (404, "text/html", b"<html>not found</html>"),
    "/boom": (500, "text/html", b"<html>error</html>"),
}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # quiet
        pass

    def do_GET(self):  # noqa: N802
        path = self.path
        if path == "/to-listed":
            return self._redirect("http://www.ddpz666.com/")
        if path == "/to-ad":
            return self._redirect("/ad")
        if path == "/loop":
            return self._redirect("/loop2")
        if path == "/loop2":
            return self._redirect("/loop")
        if path == "/slow":
            time.sleep(3)
        if path.startswith("/delay/"):
            time.sleep(0.1)
            path = "/plain"
        if path == "/huge":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            try:
                self.wfile.write(b"<html><body>" + "配资".encode() * 10)
                for _ in range(2000):
                    self.wfile.write(b"x" * 10000)
            except OSError:
                pass
            return
        status, ctype, body = ROUTES.get(path, ROUTES["/plain"])
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, to):
        self.send_response(302)
        self.send_header("Location", to)
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture(scope="module")
def server():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.handle_error = lambda request, address: None  # a client that gave up (/slow): not a test's stderr
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


def scan(db, base, paths, *extra, fmt="jsonl"):
    urls = "\n".join(base + p if p.startswith("/") else p for p in paths)
    r = CliRunner().invoke(main, ["--db", db, "scan", "-", "--format", fmt, "--allow-private", "--timeout", "1.5", *extra],
                           input=urls)
    return r, ([json.loads(x) for x in r.stdout.splitlines()] if fmt == "jsonl" else r.stdout)


def by_url(rows):
    return {r["url"]: r for r in rows}


def test_pages_are_judged_like_check_text(db, server):
    r, rows = scan(db, server, ["/ad", "/ad-gbk", "/warn", "/plain", "/mention"])
    assert r.exit_code == 1
    res = by_url(rows)
    assert res[server + "/ad"]["verdict"] == "suspicious"
    ad = res[server + "/ad"]
    assert "leverage" in {s["signal"] for s in ad["signals"] if s["weight"] > 0}  # 1:10 shown as evidence
    assert ad["probability"] >= 0.5 and any(s["text"] for s in ad["signals"])
    assert all(r["probability"] == round(r["probability"], 4) for r in rows)  # as check --json shows it
    assert res[server + "/ad-gbk"]["verdict"] == "suspicious"  # GBK page decoded
    assert res[server + "/ad-gbk"]["title"] == "鑫盛配资"
    assert res[server + "/warn"]["verdict"] == "clear"  # quotes slogans but warns
    assert res[server + "/plain"]["verdict"] == "clear"
    assert res[server + "/mention"]["verdict"] == "listed"
    assert res[server + "/mention"]["matches"][0]["entry"] == "杜德配资"
    for row in rows:
        assert {"url", "final_url", "redirects", "status", "verdict", "score", "matches", "signals", "error",
                "fetched_at"} <= row.keys()
    assert "scanned 5 of 5" in r.stderr


def test_script_text_is_not_judged(db, server):
    """The ad's <script> says 警惕/非法/证监会; scripts are dropped, so none of it is evidence."""
    _, rows = scan(db, server, ["/ad"])
    shown = " ".join(s["text"] for s in rows[0]["signals"])
    assert rows[0]["verdict"] == "suspicious" and not any(w in shown for w in ("警惕", "非法", "证监会"))


def test_redirect_to_a_listed_host_is_listed_even_when_unreachable(db, server):
    _, rows = scan(db, server, ["/to-listed"])
    row = rows[0]
    assert row["verdict"] == "listed"
    assert row["redirects"] == [server + "/to-listed"]
    assert row["final_url"] == "http://www.ddpz666.com/"
    assert any(m["entry"] == "杜德配资" and m["method"] == "host" for m in row["matches"])


def test_redirect_followed_and_errors_recorded(db, server):
    _, rows = scan(db, server, ["/to-ad", "/loop", "/gone", "/boom", "/pdf", "/slow", "not a url", "ftp://x.cn/a"])
    res = by_url(rows)
    assert res[server + "/to-ad"]["final_url"] == server + "/ad" and res[server + "/to-ad"]["verdict"] == "suspicious"
    assert res[server + "/loop"]["error"] == "redirect loop"
    assert res[server + "/gone"]["error"] == "HTTP 404" and res[server + "/gone"]["status"] == 404
    assert res[server + "/boom"]["error"] == "HTTP 500"
    assert res[server + "/pdf"]["error"].startswith("not HTML")
    assert res[server + "/slow"]["error"] == "timed out"
    assert res["not a url"]["error"] == "malformed URL"
    assert res["ftp://x.cn/a"]["error"] == "unsupported scheme ftp"
    assert len(rows) == 8


def test_pages_that_could_not_be_judged_are_unchecked_never_clear(db, server):
    r, rows = scan(db, server, ["/gone", "/boom", "/pdf", "/slow", "/loop", "not a url", "ftp://x.cn/a",
                                "http://127.0.0.1:9/refused", "javascript:alert(1)", "file:///etc/passwd", "/plain"])
    res = by_url(rows)
    reasons = {u[len(server):] if u.startswith(server) else u: (row["verdict"], row["reason"]) for u, row in res.items()}
    assert reasons == {
        "/gone": ("unchecked", "http 404"), "/boom": ("unchecked", "http 500"), "/pdf": ("unchecked", "not html"),
        "/slow": ("unchecked", "timeout"), "/loop": ("unchecked", "redirect loop"),
        "not a url": ("unchecked", "malformed url"), "ftp://x.cn/a": ("unchecked", "not http"),
        "http://127.0.0.1:9/refused": ("unchecked", "refused"), "javascript:alert(1)": ("unchecked", "not http"),
        "file:///etc/passwd": ("unchecked", "not http"), "/plain": ("clear", None),
    }
    assert r.exit_code == 2  # nothing flagged, something unchecked
    assert "unchecked 10" in r.stderr


def test_a_listed_address_stands_even_when_the_page_cannot_be_fetched(db, server):
    r, rows = scan(db, server, ["/gone", "http://www.ddpz666.com/"])
    res = by_url(rows)
    assert res["http://www.ddpz666.com/"]["verdict"] == "listed" and res["http://www.ddpz666.com/"]["error"]
    assert r.exit_code == 1  # flagged beats unchecked


def test_resume_retries_unchecked_urls(db, server):
    scan(db, server, ["/gone", "/plain"])
    r, rows = scan(db, server, ["/gone", "/plain"], "--resume")
    assert [row["url"] for row in rows] == [server + "/gone"]


def test_loopback_blocked_without_allow_private(db, server):
    r = CliRunner().invoke(main, ["--db", db, "scan", "-", "--format", "jsonl"], input=server + "/ad\n")
    row = json.loads(r.stdout)
    assert row["error"].startswith("blocked address 127.0.0.1")
    assert row["verdict"] == "unchecked" and row["reason"] == "blocked address" and r.exit_code == 2


def test_huge_body_is_capped(db, server):
    t = time.monotonic()
    _, rows = scan(db, server, ["/huge"], "--max-bytes", "100000")
    assert time.monotonic() - t < 5
    assert rows[0]["truncated"] is True and rows[0]["verdict"] in ("suspicious", "unchecked")
    assert rows[0]["verdict"] == "suspicious" or rows[0]["reason"] == "read in part (--max-bytes)"


def test_csv_input_and_csv_output(db, server, tmp_path):
    src = tmp_path / "ads.csv"
    src.write_text(f"id,url,channel\n1,{server}/ad,feed\n2,{server}/plain,feed\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    r = CliRunner().invoke(main, ["--db", db, "scan", str(src), "--format", "csv", "-o", str(out), "--allow-private"])
    assert r.exit_code == 1
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("url,final_url,status,verdict")
    assert len(lines) == 3 and any(",suspicious," in line for line in lines)


def test_interrupt_then_resume(db, server):
    urls = [f"{server}/delay/{i}" for i in range(30)]
    seen = []

    def emit(row):
        seen.append(row)
        if len(seen) == 10:
            raise KeyboardInterrupt

    opts = ScanOptions(concurrency=4, allow_private=True, timeout=5, resume=True)
    first = Guard(db).scan(urls, opts, emit=emit)
    assert first.interrupted
    done = len(seen)
    assert 10 <= done < 30
    seen.clear()
    second = Guard(db).scan(urls, opts, emit=seen.append)
    assert not second.interrupted
    assert second.skipped >= 10  # everything stored before the interrupt is skipped
    assert second.skipped + len(seen) == 30
    third = Guard(db).scan(urls, opts, emit=seen.append)
    assert third.skipped == 30


def numbered(text):
    return list(enumerate(text.splitlines(), 1))


def test_read_urls():
    assert read_urls(numbered("a\n\n# c\nb\n")) == (["a", "b"], [])
    assert read_urls(numbered("id,URL\n1,http://x.cn\n2,http://y.cn\n")) == (["http://x.cn", "http://y.cn"], [])


def test_bad_usage(db, tmp_path):
    r = CliRunner().invoke(main, ["--db", db, "scan", str(tmp_path / "none.txt")])
    assert r.exit_code == 2
    empty = tmp_path / "e.txt"
    empty.write_text("\n")
    assert CliRunner().invoke(main, ["--db", db, "scan", str(empty)]).exit_code == 2
    assert CliRunner().invoke(main, ["--db", db, "scan", str(empty), "--max-age", "soon"]).exit_code == 2
