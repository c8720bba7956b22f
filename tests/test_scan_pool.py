"""Issue 11, scan throughput: one pooled HTTP client per run (kept-alive connections, each
fetch's own deadline on a reused socket) and fetching/judging in forked worker processes."""
from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from peizi_guard import Guard, builtin
from peizi_guard.matcher import build
from peizi_guard.scan import ScanOptions, in_threads, run_scan
from peizi_guard.scanprocs import LOST, jobs_for, shares
from peizi_guard.scraper.http import guarded_session
from peizi_guard.scraper.pages import fetch_page

from .test_scan import ROUTES

needs_fork = pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="needs fork()")


class KeepAlive(BaseHTTPRequestHandler):
    """HTTP/1.1 with keep-alive; /wait/S/… answers after S seconds, /drip drips its headers."""

    protocol_version = "HTTP/1.1"
    connections: list[int] = []
    paths: list[str] = []

    def setup(self):
        super().setup()
        KeepAlive.connections.append(1)

    def log_message(self, *args):
        pass

    def do_GET(self):  # noqa: N802
        path = self.path
        KeepAlive.paths.append(path)
        if path.startswith("/wait/"):
            _, _, secs, path = path.split("/", 3)
            time.sleep(float(secs))
            path = "/" + path
        if path == "/drip":
            for ch in b"HTTP/1.1 200 OK\r\n":
                self.wfile.write(bytes([ch]))
                self.wfile.flush()
                time.sleep(0.2)
            return
        if path == "/to-ad":
            self.send_response(302)
            self.send_header("Location", "/ad")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        status, ctype, body = ROUTES.get(path.split("?")[0], ROUTES["/plain"])
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def site():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), KeepAlive)
    srv.daemon_threads = True
    srv.handle_error = lambda request, address: None  # a client that gave up: not a later test's stderr
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


@pytest.fixture(scope="module")
def ix():
    return build(builtin.records())


def _urls(site, n):
    paths = ["/ad", "/warn", "/plain", "/mention", "/gone", "/pdf", "/to-ad", "/ad-gbk"]
    return [f"{site}{paths[i % len(paths)]}?n={i}" for i in range(n)]


def _comparable(row):
    return {k: v for k, v in row.items() if k != "fetched_at"}


def test_one_run_keeps_its_connections_alive(site, ix):
    KeepAlive.connections.clear()
    opts = ScanOptions(concurrency=4, allow_private=True, timeout=5)
    rows = list(in_threads(ix, [f"{site}/plain?n={i}" for i in range(40)], opts))
    assert len(rows) == 40 and all(r["verdict"] == "clear" and r["error"] is None for r in rows)
    assert len(KeepAlive.connections) <= 8  # 40 fetches on a handful of connections, not 40


def test_a_reused_socket_gets_the_new_fetchs_deadline_not_the_old_one(site):
    session = guarded_session(True, 2, shared=True)
    try:
        assert fetch_page(f"{site}/plain", allow_private=True, timeout=0.5, session=session).ok
        # the same kept-alive connection outlives the first fetch's deadline (0.5 s) unharmed
        slow = fetch_page(f"{site}/wait/0.9/ad", allow_private=True, timeout=5, session=session)
        assert slow.ok and slow.title == "鑫盛配资"
        # and a dripping answer on it is still cut at this fetch's deadline
        started = time.monotonic()
        drip = fetch_page(f"{site}/drip", allow_private=True, timeout=1, session=session)
        assert drip.error == "timed out" and time.monotonic() - started < 2.5
    finally:
        session.close()


@needs_fork
def test_worker_processes_give_the_same_results_as_threads(site, ix):
    urls = _urls(site, 48)
    want: dict[str, dict] = {}
    got: dict[str, dict] = {}
    threads = run_scan(ix, urls, ScanOptions(concurrency=8, allow_private=True, timeout=5),
                       emit=lambda r: want.__setitem__(r["url"], r))
    procs = run_scan(ix, urls, ScanOptions(concurrency=8, allow_private=True, timeout=5, jobs=2),
                     emit=lambda r: got.__setitem__(r["url"], r))
    assert set(got) == set(urls)
    assert {u: _comparable(r) for u, r in got.items()} == {u: _comparable(r) for u, r in want.items()}
    assert procs.verdicts == threads.verdicts and procs.verdicts["suspicious"] and procs.verdicts["listed"]


@needs_fork
def test_a_killed_worker_leaves_its_urls_unchecked_never_lost(site, ix):
    urls = [f"{site}/wait/0.4/ad?n={i}" for i in range(24)]
    rows: list[dict] = []
    killed: list[int] = []

    def emit(row):
        rows.append(row)
        if not killed:
            victim = multiprocessing.active_children()[0]
            os.kill(victim.pid, signal.SIGKILL)
            killed.append(victim.pid)

    started = time.monotonic()
    summary = run_scan(ix, urls, ScanOptions(concurrency=6, allow_private=True, timeout=5, jobs=2), emit=emit)
    assert time.monotonic() - started < 30
    assert sorted(r["url"] for r in rows) == sorted(urls)  # every URL answered once
    lost = [r for r in rows if r["error"] == LOST]
    assert lost and all(r["verdict"] == "unchecked" for r in lost)
    assert summary.verdicts["unchecked"] == len(lost) and summary.verdicts["suspicious"] == len(urls) - len(lost)


@needs_fork
def test_interrupting_a_multi_process_scan_keeps_what_finished(site, db):
    urls = [f"{site}/wait/0.2/ad?n={i}" for i in range(40)]
    seen: list[dict] = []

    def emit(row):
        seen.append(row)
        if len(seen) == 5:
            raise KeyboardInterrupt

    opts = ScanOptions(concurrency=4, allow_private=True, timeout=5, resume=True, jobs=2)
    first = Guard(db).scan(urls, opts, emit=emit)
    assert first.interrupted and len(seen) == 5
    assert not multiprocessing.active_children()  # the workers were stopped
    again: list[dict] = []
    second = Guard(db).scan(urls, opts, emit=again.append)
    assert second.skipped == 5 and len(again) == 35


def test_jobs_auto_uses_the_cores_only_for_large_scans(monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2}, raising=False)
    auto = ScanOptions(jobs=0)
    assert jobs_for(auto, 99) == 1 and jobs_for(auto, 100) == 3
    assert jobs_for(ScanOptions(jobs=5), 3) == 3 and jobs_for(ScanOptions(jobs=1), 10_000) == 1


@needs_fork
def test_when_every_worker_dies_the_rest_is_unchecked_and_the_scan_ends(site, ix):
    urls = [f"{site}/wait/0.3/plain?n={i}" for i in range(30)]
    rows: list[dict] = []

    def emit(row):
        rows.append(row)
        for child in multiprocessing.active_children():
            os.kill(child.pid, signal.SIGKILL)

    started = time.monotonic()
    summary = run_scan(ix, urls, ScanOptions(concurrency=4, allow_private=True, timeout=5, jobs=2), emit=emit)
    assert time.monotonic() - started < 30
    assert sorted(r["url"] for r in rows) == sorted(urls)
    assert summary.verdicts["unchecked"] >= len(urls) - 8  # at most two workers' first URLs finished
    assert all(r["verdict"] == "unchecked" and r["error"] == LOST for r in rows[1:] if r["error"])


@pytest.mark.parametrize("jobs", [1, pytest.param(2, marks=needs_fork)])
def test_a_page_that_breaks_the_judging_costs_that_url_not_the_scan(site, ix, monkeypatch, jobs):
    import peizi_guard.scan as scan_module

    real = scan_module.check_page

    def brittle(ix, url, *args, **kwargs):
        if "bad" in url and args and args[1]:  # the page's text, not the address check
            raise RecursionError("deeply nested")
        return real(ix, url, *args, **kwargs)

    monkeypatch.setattr(scan_module, "check_page", brittle)
    urls = [f"{site}/ad?bad"] + [f"{site}/plain?n={i}" for i in range(12)]
    rows: list[dict] = []
    summary = run_scan(ix, urls, ScanOptions(concurrency=4, allow_private=True, timeout=5, jobs=jobs), emit=rows.append)
    assert sorted(r["url"] for r in rows) == sorted(urls)
    bad = next(r for r in rows if "bad" in r["url"])
    assert bad["verdict"] == "unchecked" and bad["reason"] == "internal error"
    assert bad["error"] == "internal error (RecursionError)"
    assert summary.verdicts["clear"] == 12


def test_concurrency_caps_the_processes_and_is_shared_between_them(monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(8)), raising=False)
    assert jobs_for(ScanOptions(concurrency=1, jobs=0), 500) == 1
    assert jobs_for(ScanOptions(concurrency=3, jobs=0), 500) == 3
    assert jobs_for(ScanOptions(concurrency=64, jobs=4), 500) == 4
    assert shares(10, 3) == [4, 3, 3] and shares(64, 2) == [32, 32] and sum(shares(7, 4)) == 7


def test_a_kept_alive_connection_closed_by_the_server_is_retried_once():
    """A server that closes an idle kept-alive connection as it is reused (here: the second
    request on each connection) must not turn pages into "connection reset"."""
    import socket

    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen()
    body = b"<html><title>ok</title></html>"
    answer = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)

    def one(conn):
        with conn:
            conn.recv(65536)
            conn.sendall(answer)
            conn.recv(65536)  # the second request on this connection: closed unanswered

    def serve():
        while True:
            try:
                conn, _ = srv.accept()
            except OSError:
                return
            threading.Thread(target=one, args=(conn,), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    session = guarded_session(True, 2, shared=True)
    try:
        url = f"http://127.0.0.1:{srv.getsockname()[1]}/"
        pages = [fetch_page(url, allow_private=True, timeout=5, session=session) for _ in range(3)]
        assert [p.error for p in pages] == [None, None, None] and all(p.title == "ok" for p in pages)
    finally:
        session.close()
        srv.close()


def test_a_slow_page_is_not_asked_twice(site):
    session = guarded_session(True, 2, shared=True)
    try:
        started = time.monotonic()
        page = fetch_page(f"{site}/wait/2/plain?slow", allow_private=True, timeout=0.8, session=session)
        assert page.error == "timed out" and time.monotonic() - started < 1.8
        time.sleep(0.3)
        assert KeepAlive.paths.count("/wait/2/plain?slow") == 1
    finally:
        session.close()
