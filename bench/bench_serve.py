"""Issue 13: load on `peizi-guard serve` — GET /api/check with 1 and 4 workers, requests per second
and p50/p99 latency, against the CLI's bulk rate on the same queries. Client and server share this
machine's cores, so the figures are a floor.

    python bench/bench_serve.py [SECONDS]
"""
from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

from common import entries, exe, report, run

CLIENTS = 16


def queries(n: int) -> list[str]:
    rows, rnd = entries(), random.Random(5)
    out = []
    for i in range(n):
        e = rnd.choice(rows)
        out.append(e["name"] if i % 3 == 0 else e["name"][:-1] + "宝" if i % 3 == 1 else f"http://www.pz{rnd.randrange(10**6)}.com/")
    return out


def load(url: str, qs: list[str], seconds: float) -> tuple[int, list[float]]:
    lat: list[float] = []
    stop = time.monotonic() + seconds
    lock = threading.Lock()

    def client(k: int) -> None:
        s, i, mine = requests.Session(), k, []
        while time.monotonic() < stop:
            t = time.perf_counter()
            r = s.get(url + "/api/check", params={"q": qs[i % len(qs)]}, timeout=30)
            mine.append(time.perf_counter() - t)
            assert r.status_code == 200, r.text
            i += CLIENTS
        with lock:
            lat.extend(mine)

    threads = [threading.Thread(target=client, args=(k,)) for k in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(lat), sorted(lat)


def serve(db: str, workers: int) -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([*exe(), "--db", db, "serve", "--port", str(port), "--workers", str(workers),
                             "--rate-limit", "0"], stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if requests.get(url + "/healthz", timeout=1).ok:
                return proc, url
        except requests.ConnectionError:
            time.sleep(0.1)
    raise RuntimeError("serve did not start")


def main() -> None:
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 10
    tmp = Path(tempfile.mkdtemp())
    db = str(tmp / "serve.db")
    qs = queries(20_000)
    f = tmp / "q.txt"
    f.write_text("\n".join(qs) + "\n", encoding="utf-8")
    run(["--db", db, "check", "x"])
    wall, _, _ = run(["--db", db, "check", "--file", str(f), "--json"])
    out = [("CLI `check --file` (20,000 queries, start-up included)", f"{20_000 / wall:,.0f} queries/s")]
    for workers in (1, 4):
        proc, url = serve(db, workers)
        try:
            load(url, qs, 1)  # warm
            n, lat = load(url, qs, seconds)
        finally:
            proc.terminate()
            proc.wait()
        out.append((f"GET /api/check, {workers} worker(s), {CLIENTS} clients, {seconds:.0f} s",
                    f"{n / seconds:,.0f} requests/s, p50 {lat[len(lat) // 2] * 1000:.1f} ms, "
                    f"p99 {lat[int(len(lat) * 0.99)] * 1000:.1f} ms"))
    report("serve (issue 13)", out)


if __name__ == "__main__":
    main()
