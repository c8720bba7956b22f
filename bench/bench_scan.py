"""Issues 5 and 11: 1,000 URLs on a local server that adds 100 ms to every response.

    python bench/bench_scan.py [CONCURRENCY]     # default 16; issue 11's target is at 64
"""
from __future__ import annotations

import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from common import report, run

N = 1000
AD = ("<html><head><title>鑫盛配资</title></head><body><p>您炒股我出钱，1:10杠杆，按天配资，当天到账，免开户。"
      "加微信领体验金。</p>" + "<p>行情资讯</p>" * 200 + "</body></html>").encode()
PLAIN = ("<html><head><title>新闻</title></head><body>" + "<p>今日沪指小幅上涨，成交量温和放大。</p>" * 200
         + "</body></html>").encode()


class Slow(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):  # noqa: N802
        time.sleep(0.1)
        if self.path.startswith("/r/"):
            self.send_response(302)
            self.send_header("Location", "/p/" + self.path[3:])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = AD if self.path.endswith("7") else PLAIN
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main() -> None:
    import sys

    conc = int(sys.argv[1]) if len(sys.argv) > 1 else 16
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{srv.server_address[1]}"
    tmp = Path(tempfile.mkdtemp())
    urls = tmp / "urls.txt"
    urls.write_text("\n".join(f"{base}/{'r' if i % 10 == 0 else 'p'}/{i}" for i in range(N)) + "\n")
    db = str(tmp / "s.db")
    run(["list"], env={"PEIZI_GUARD_DB": db})
    out = tmp / "out.jsonl"
    wall, rss, p = run(["scan", str(urls), "--allow-private", "--format", "jsonl", "-o", str(out), "-c", str(conc)],
                       env={"PEIZI_GUARD_DB": db})
    srv.shutdown()
    lines = out.read_text().splitlines()
    assert len(lines) == N, p.stderr
    errors = sum('"error": null' not in x for x in lines)
    report("scan (issue 5)", [
        (f"{N:,} URLs, server adds 100 ms per response (10% are redirects: 2 responses), concurrency {conc}",
         f"{wall:.2f} s wall = {wall / (N * 0.1 / conc):.2f}× the theoretical {N * 0.1 / conc:.2f} s "
         f"(1.1× that with the redirects); serial would need ≥ {N * 0.1 * 1.1:.0f} s; {errors} errors"),
        ("peak RSS of the scan process", f"{rss} MiB (target < 200 MB)"),
        ("summary line", p.stderr.decode().strip().splitlines()[-1]),
    ])


if __name__ == "__main__":
    main()
