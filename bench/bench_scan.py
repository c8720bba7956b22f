"""Issues 5 and 11: 1,000 URLs on a local server that adds 100 ms to every response.

    python bench/bench_scan.py [CONCURRENCY [JOBS]]   # default 16 and auto; issue 11's target is at 64
"""
from __future__ import annotations

import os
import resource
import tempfile
from pathlib import Path

from common import SlowServer, machine_speed, report, run

N = 1000
AD = ("<html><head><title>鑫盛配资</title></head><body><p>您炒股我出钱，1:10杠杆，按天配资，当天到账，免开户。"
      "加微信领体验金。</p>" + "<p>行情资讯</p>" * 200 + "</body></html>").encode()
PLAIN = ("<html><head><title>新闻</title></head><body>" + "<p>今日沪指小幅上涨，成交量温和放大。</p>" * 200
         + "</body></html>").encode()


def respond(path: str) -> tuple[str, list[str], bytes]:
    """/r/N redirects to /p/N; pages ending in 7 are the ad, the others plain news."""
    if path.startswith("/r/"):
        return "302 Found", ["Location: /p/" + path[3:]], b""
    return "200 OK", ["Content-Type: text/html; charset=utf-8"], AD if path.endswith("7") else PLAIN


def main() -> None:
    import sys

    conc = int(sys.argv[1]) if len(sys.argv) > 1 else 16
    jobs = sys.argv[2] if len(sys.argv) > 2 else "0"
    srv = SlowServer(respond, 0.1)
    base = srv.base
    tmp = Path(tempfile.mkdtemp())
    urls = tmp / "urls.txt"
    urls.write_text("\n".join(f"{base}/{'r' if i % 10 == 0 else 'p'}/{i}" for i in range(N)) + "\n")
    db = str(tmp / "s.db")
    # seeded and its index saved, as an operator's database is (import, refresh and any check save
    # it): the scan measured is the scan, not the one-off index of a database no command used yet
    run(["check", "x"], env={"PEIZI_GUARD_DB": db})
    out = tmp / "out.jsonl"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_before = resource.getrusage(resource.RUSAGE_SELF)  # the test server runs in this process
    wall, rss, p = run(["scan", str(urls), "--allow-private", "--format", "jsonl", "-o", str(out), "-c", str(conc), "-j", jobs],
                       env={"PEIZI_GUARD_DB": db})
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    server = (server_after.ru_utime - server_before.ru_utime) + (server_after.ru_stime - server_before.ru_stime)
    srv.shutdown()
    lines = out.read_text().splitlines()
    assert len(lines) == N, p.stderr
    errors = sum('"error": null' not in x for x in lines)
    report("scan (issue 5)", [
        machine_speed(),
        (f"{N:,} URLs, server adds 100 ms per response (10% are redirects: 2 responses), concurrency {conc}, "
         f"jobs {jobs} (0: auto)",
         f"{wall:.2f} s wall = {wall / (N * 0.1 / conc):.2f}× the theoretical {N * 0.1 / conc:.2f} s "
         f"(1.1× that with the redirects); serial would need ≥ {N * 0.1 * 1.1:.0f} s; {errors} errors"),
        ("CPU time of the scan's processes (start-up included)",
         f"{cpu:.2f} s = {cpu / N * 1000:.1f} ms per URL: on {os.cpu_count()} cores no less than "
         f"{cpu / os.cpu_count():.2f} s = {cpu / os.cpu_count() / (N * 0.1 / conc):.2f}× the theoretical time"),
        ("CPU time of the test server (on the same cores)", f"{server:.2f} s"),
        ("peak RSS of the scan process", f"{rss} MiB (target < 200 MB)"),
        ("summary line", p.stderr.decode().strip().splitlines()[-1]),
    ])


if __name__ == "__main__":
    main()
