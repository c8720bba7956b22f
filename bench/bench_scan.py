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
        *floor(urls.read_text().split(), db, tmp, conc),
    ])
    srv.shutdown()


def floor(urls: list[str], db: str, tmp: Path, conc: int) -> list[tuple[str, str]]:
    """What the scan costs without threads or processes contending: the start-up and shut-down
    of a one-URL scan (wall and CPU, best of 3), and the CPU per URL of fetching (from a server
    of the same pages that does not wait) and of judging, each measured on this thread alone
    (thread_time: the test server's thread is not counted), one URL after another. Their sum over the cores is the least wall time any arrangement of
    this code's fetching and judging could reach here."""
    import time

    from peizi_guard import api
    from peizi_guard.scan import ScanOptions, result_of, warm
    from peizi_guard.scraper.http import guarded_session
    from peizi_guard.scraper.pages import fetch_page

    one = tmp / "one.txt"
    one.write_text(urls[1] + "\n")
    starts = []
    for _ in range(3):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        wall, _, p = run(["scan", str(one), "--allow-private", "--format", "jsonl", "-o", str(tmp / "one.jsonl")],
                         env={"PEIZI_GUARD_DB": db})
        assert p.returncode in (0, 1), p.stderr[-500:]  # (1: the page was flagged)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        starts.append((wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime))
    start_wall, start_cpu = min(starts)
    ix = api.load_index(db)
    warm(ix, len(urls))
    fast = SlowServer(respond, 0.0)
    urls = [fast.base + "/" + u.split("/", 3)[3] for u in urls]
    opts = ScanOptions(allow_private=True)
    session = guarded_session(True, 4, shared=True)
    pages = [fetch_page(u, allow_private=True, session=session) for u in urls[:20]]  # connections warm
    t = time.thread_time()
    pages = [fetch_page(u, allow_private=True, session=session) for u in urls]
    fetch = (time.thread_time() - t) / len(urls)
    t = time.thread_time()
    for page in pages:
        result_of(ix, page, [])
    judge = (time.thread_time() - t) / len(urls)
    session.close()
    fast.shutdown()
    cores = os.cpu_count() or 1
    theory = len(urls) * 0.1 / conc
    least = (start_cpu + len(urls) * (fetch + judge)) / cores
    return [
        ("start-up and shut-down: a one-URL scan (best of 3)", f"{start_wall:.2f} s wall, CPU {start_cpu:.2f} s"),
        ("CPU per URL, one thread alone", f"fetching and reading the page {fetch * 1000:.2f} ms, judging it "
         f"{judge * 1000:.2f} ms"),
        (f"floor: that CPU over {cores} cores", f"({start_cpu:.2f} s + {len(urls):,} × {(fetch + judge) * 1000:.2f} ms) "
         f"/ {cores} = {least:.2f} s = {least / theory:.2f}× the theoretical {theory:.2f} s; judging alone "
         f"{len(urls) * judge / cores:.2f} s = {len(urls) * judge / cores / theory:.2f}×"),
    ]


if __name__ == "__main__":
    main()
