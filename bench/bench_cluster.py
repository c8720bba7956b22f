"""Issue 14: bulk check and scan on a Dask LocalCluster with 1, 2 and 4 workers against a local run
(whole processes; the cluster's start-up is included, as a user pays it with `--cluster local`).

    python bench/bench_cluster.py [QUERIES] [URLS]
"""
from __future__ import annotations

import os
import random
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from common import entries, report, run

PAGE = ("<html><head><title>鑫盛配资</title></head><body><p>您炒股我出钱，1:10杠杆，按天配资，当天到账。</p>"
        + "<p>行情资讯</p>" * 50 + "</body></html>").encode()


class Slow(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):  # noqa: N802
        time.sleep(0.1)
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)


def main() -> None:
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    nq = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    nu = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000
    tmp = Path(tempfile.mkdtemp())
    db = str(tmp / "c.db")
    rows, rnd = entries(), random.Random(9)
    qs = [rnd.choice(rows)["name"] + (str(i) if i % 2 else "") for i in range(nq)]
    qf = tmp / "q.txt"
    qf.write_text("\n".join(qs) + "\n", encoding="utf-8")
    run(["--db", db, "check", "x"])
    server = ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    uf = tmp / "u.txt"
    uf.write_text("\n".join(f"http://127.0.0.1:{server.server_port}/{i}" for i in range(nu)) + "\n")
    out = []
    wall, _, p = run(["--db", db, "check", "--file", str(qf), "--json", "-o", str(tmp / "o.jsonl")])
    out.append((f"local `check --file` ({nq:,} queries, -j auto)", f"{wall:.1f} s = {nq / wall:,.0f} queries/s"))
    scan = ["--db", db, "scan", str(uf), "--allow-private", "-c", "64", "--format", "jsonl", "-o", str(tmp / "s.jsonl")]
    wall, _, p = run(scan)
    out.append((f"local `scan -c64` ({nu:,} URLs, 100 ms each)", f"{wall:.1f} s = {nu / wall:,.0f} URLs/s"))
    for w in (1, 2, 4):
        wall, _, p = run(["--db", db, "check", "--file", str(qf), "--json", "-o", str(tmp / "o.jsonl"),
                          "--cluster", "local", "--workers", str(w)])
        assert p.returncode in (0, 1), p.stderr[-500:]
        out.append((f"`check --file --cluster local --workers {w}`", f"{wall:.1f} s = {nq / wall:,.0f} queries/s"))
        wall, _, p = run([*scan, "--cluster", "local", "--workers", str(w)])
        assert p.returncode in (0, 1, 2), p.stderr[-500:]
        out.append((f"`scan -c64 --cluster local --workers {w}`", f"{wall:.1f} s = {nu / wall:,.0f} URLs/s"))
    server.shutdown()
    report(f"cluster (issue 14), {os.cpu_count()} cores", out)


if __name__ == "__main__":
    main()
