"""`scan` on more than one core: forked processes, each with its threads and pooled HTTP client,
fetch, parse and judge; this process only hands out URLs and collects the results.

Judging a page is CPU work (about 5 ms for 10 kB), so on one process the threads wait for
each other, not for the network. The workers inherit the loaded index (fork: nothing is
rebuilt or copied up front), ignore Ctrl-C (this process stops them) and end at once when
this process is gone, and a URL whose worker died is reported as unchecked rather than lost.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
import signal
import threading
from multiprocessing.connection import Connection, wait
from typing import Generator, Iterator, cast

from . import cores
from .matcher import Index
from .scan import ScanOptions, failed, scan_one, warm
from .scraper.http import guarded_session

AUTO_FROM = 100  # URLs before `jobs=0` (auto) uses more than one process
MAX_AUTO = 8
LOST = "scan worker stopped before finishing this URL"


def jobs_for(opts: ScanOptions, n: int) -> int:
    """The processes to use for `n` URLs: `opts.jobs` when given, else one per core (at most 8)
    for large scans; never more than --concurrency (each has a thread at least), and always 1
    where processes cannot be forked."""
    if "fork" not in multiprocessing.get_all_start_methods() or n < 2:
        return 1
    if opts.jobs > 0:
        jobs = opts.jobs
    else:
        jobs = min(cores(), MAX_AUTO) if n >= AUTO_FROM else 1
    return max(1, min(jobs, n, opts.concurrency))


def shares(concurrency: int, jobs: int) -> list[int]:
    """--concurrency split over the workers: 10 over 3 is 4, 3, 3."""
    return [concurrency // jobs + (i < concurrency % jobs) for i in range(jobs)]


def results(ix: Index, todo: list[str], opts: ScanOptions, jobs: int) -> Generator[dict, None, None]:
    """Scan results as they finish, from `jobs` worker processes sharing `opts.concurrency`.

    Each worker has its own pipe (a worker killed while holding a shared queue's lock would
    stall the others), with one URL in flight on it for each of its threads; the URLs of a
    worker that dies are reported unchecked (`lost`)."""
    warm(ix, len(todo))
    ctx = multiprocessing.get_context("fork")
    workers: dict[Connection, _Worker] = {}  # this end of a worker's pipe -> the worker
    for i, threads in enumerate(shares(opts.concurrency, jobs)):  # forked before any thread of ours starts
        here, there = ctx.Pipe()
        ours = [here, *workers]  # this process's ends, which the worker closes: our death is its EOF
        proc = ctx.Process(target=_work, args=(ix, opts, threads, there, ours), name=f"scan-{i}", daemon=True)
        proc.start()
        there.close()
        workers[here] = _Worker(proc, threads)
    it = iter(todo)
    left = len(todo)
    try:
        while left:
            dead = _hand_out(workers, it)
            for conn in wait([c for c in workers if c not in dead], timeout=1.0) if len(dead) < len(workers) else []:
                try:
                    result = cast(Connection, conn).recv()
                except (EOFError, OSError):  # the worker died (killed, out of memory …)
                    dead.append(cast(Connection, conn))
                    continue
                workers[cast(Connection, conn)].busy.discard(result["url"])
                left -= 1
                yield result
            for conn in dead:
                for url in workers.pop(conn).busy:
                    left -= 1
                    yield lost(ix, url)
                conn.close()
            if not workers:  # every worker died: what is left cannot be fetched here
                for url in it:
                    left -= 1
                    yield lost(ix, url)
    finally:
        for conn, w in workers.items():
            if left:  # stopped early (Ctrl-C): the workers' fetches are not waited for
                w.proc.terminate()
            else:
                with contextlib.suppress(OSError):  # done: each worker finishes and exits
                    conn.send(None)
        for conn, w in workers.items():
            w.proc.join(5)
            if w.proc.is_alive():
                w.proc.kill()
            conn.close()


class _Worker:
    def __init__(self, proc, threads: int):  # noqa: ANN001
        self.proc, self.threads = proc, threads
        self.busy: set[str] = set()  # its URLs in flight


def _hand_out(workers: dict[Connection, _Worker], it: Iterator[str]) -> list[Connection]:
    """Give the workers URLs one at a time in turn, up to one for each of their threads: a URL
    waits here, never in a worker's queue behind its slow pages, for the first thread free in
    any worker. Returns the workers whose pipe is broken (the URL being sent then counts as in
    flight, reported with the others)."""
    dead: list[Connection] = []
    gave = True
    while gave:
        gave = False
        for conn, w in workers.items():
            if conn in dead or len(w.busy) >= w.threads:
                continue
            url = next(it, None)
            if url is None:
                return dead
            w.busy.add(url)
            try:
                conn.send(url)
            except OSError:  # it died after its last answer, before we noticed
                dead.append(conn)
                continue
            gave = True
    return dead


def lost(ix: Index, url: str) -> dict:
    """The result of a URL whose worker stopped: judged by its address alone, else unchecked."""
    return failed(ix, url, LOST)


def _work(ix: Index, opts: ScanOptions, threads: int, conn, ours: list[Connection]) -> None:  # noqa: ANN001
    """A worker process: one thread reads URLs from the pipe, `threads` threads fetch and judge.
    It ends at once, fetches and all, when its pipe closes or the scan process is gone (killed)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # (the scan process stops itself on it; a worker ends)
    for end in ours:  # the copies fork gave us of the scan process's ends would hide its death
        end.close()
    parent = os.getppid()
    session = guarded_session(opts.allow_private, threads, shared=True)
    todo: queue.SimpleQueue = queue.SimpleQueue()
    sending = threading.Lock()

    def scan() -> None:
        while (url := todo.get()) is not None:
            result = scan_one(ix, url, opts, session)  # never raises: a thread that died would leave its URL unanswered
            with sending:
                try:
                    conn.send(result)
                except OSError:  # the scan was stopped
                    return

    workers = [threading.Thread(target=scan, name=f"scan-{i}", daemon=True) for i in range(threads)]
    for w in workers:
        w.start()
    try:
        while (url := _next(conn, parent)) is not None:
            todo.put(url)
    except (EOFError, OSError):  # the scan was stopped or its process died: no one wants the rest
        os._exit(0)
    for _ in workers:
        todo.put(None)
    for w in workers:
        w.join()
    session.close()


def _next(conn: Connection, parent: int) -> str | None:
    """The next URL from the scan process; EOFError once it is gone (also when something else
    holds its end of the pipe open: its process id is checked every second)."""
    while not conn.poll(1.0):
        if os.getppid() != parent:
            raise EOFError
    return conn.recv()
