"""`scan` on more than one core: forked processes, each with its threads and pooled HTTP client,
fetch, parse and judge; this process only hands out URLs and collects the results.

Judging a page is CPU work (about 5 ms for 10 kB), so on one process the threads wait for
each other, not for the network. The workers inherit the loaded index (fork: nothing is
rebuilt or copied up front), ignore Ctrl-C (this process stops them), and a URL whose worker
died is reported as unchecked rather than lost.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
import signal
import threading
from datetime import datetime, timezone
from multiprocessing.connection import Connection, wait
from typing import Any, Generator, cast

from .matcher import Index
from .scan import ScanOptions, result_of, scan_one, warm
from .scraper.http import guarded_session
from .scraper.pages import Page

AUTO_FROM = 100  # URLs before `jobs=0` (auto) uses more than one process
MAX_AUTO = 8
LOST = "scan worker stopped before finishing this URL"


def jobs_for(opts: ScanOptions, n: int) -> int:
    """The processes to use for `n` URLs: `opts.jobs` when given, else one per core (at most 8)
    for large scans; always 1 where processes cannot be forked."""
    if "fork" not in multiprocessing.get_all_start_methods() or n < 2:
        return 1
    if opts.jobs > 0:
        return min(opts.jobs, n)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return min(cores, MAX_AUTO) if n >= AUTO_FROM else 1


def results(ix: Index, todo: list[str], opts: ScanOptions, jobs: int) -> Generator[dict, None, None]:
    """Scan results as they finish, from `jobs` worker processes sharing `opts.concurrency`.

    Each worker has its own pipe (a worker killed while holding a shared queue's lock would
    stall the others), with at most twice its threads' URLs in flight on it."""
    warm(ix)
    ctx = multiprocessing.get_context("fork")
    threads = max(1, -(-opts.concurrency // jobs))
    workers: dict[Connection, tuple[Any, set[str]]] = {}  # this end of a worker's pipe -> (process, URLs in flight)
    for i in range(jobs):  # forked before any thread of ours starts: fork copies only the caller
        here, there = ctx.Pipe()
        proc = ctx.Process(target=_work, args=(ix, opts, threads, there), name=f"scan-{i}", daemon=True)
        proc.start()
        there.close()
        workers[here] = (proc, set())
    it = iter(todo)
    left = len(todo)
    try:
        while left:
            for conn, (_, busy) in workers.items():  # hand out URLs to whoever has room
                while len(busy) < 2 * threads and (url := next(it, None)) is not None:
                    conn.send(url)
                    busy.add(url)
            if not workers:  # every worker died: what is left cannot be fetched here
                for url in it:
                    left -= 1
                    yield lost(ix, url)
                break
            for ready in wait(list(workers), timeout=1.0):
                conn = cast(Connection, ready)
                try:
                    result = conn.recv()
                except (EOFError, OSError):  # the worker died (killed, out of memory …)
                    _, busy = workers.pop(conn)
                    conn.close()
                    for url in busy:
                        left -= 1
                        yield lost(ix, url)
                    continue
                workers[conn][1].discard(result["url"])
                left -= 1
                yield result
    finally:
        for conn, (proc, _) in workers.items():
            if left:  # stopped early (Ctrl-C): the workers' fetches are not waited for
                proc.terminate()
            else:
                with contextlib.suppress(OSError):  # done: each worker finishes and exits
                    conn.send(None)
        for conn, (proc, _) in workers.items():
            proc.join(5)
            if proc.is_alive():
                proc.kill()
            conn.close()


def lost(ix: Index, url: str) -> dict:
    """The result of a URL whose worker stopped: judged by its address alone, else unchecked."""
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    return result_of(ix, Page(url=url, final_url=url, error=LOST, fetched_at=now), [])


def _work(ix: Index, opts: ScanOptions, threads: int, conn) -> None:  # noqa: ANN001
    """A worker process: one thread reads URLs from the pipe, `threads` threads fetch and judge."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    session = guarded_session(opts.allow_private, threads, shared=True)
    todo: queue.SimpleQueue = queue.SimpleQueue()
    sending = threading.Lock()

    def scan() -> None:
        while (url := todo.get()) is not None:
            result = scan_one(ix, url, opts, session)
            with sending:
                conn.send(result)

    workers = [threading.Thread(target=scan, name=f"scan-{i}") for i in range(threads)]
    for w in workers:
        w.start()
    try:
        while (url := conn.recv()) is not None:
            todo.put(url)
    except (EOFError, OSError):
        pass  # the scan was stopped
    for _ in workers:
        todo.put(None)
    for w in workers:
        w.join()
    session.close()
