"""Bulk checks on several processes, answers in input order.

The workers are forked from a process that has warmed its `Guard` (tables built, the saved
index's look-up tables read whole): they share what it read and open only their own connection
to the index's file. Each renders its answers itself, so only short strings cross between processes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from . import cores
from .matcher import Verdict, read_tables

if TYPE_CHECKING:  # imported where a worker starts: Dask workers use `answers` without it
    from .guard import Guard

WARM_UP = "上海杜德配资有限公司 www.ddpz666.com"  # a name, a company and an address: every kind of look-up
# a saved index of at most this many refs (the shipped lists' has 1,550) is read whole before
# the workers are forked, once for all of them; a larger one (0.4 s for 100,000 entries, serial
# there) is read by each worker as it goes, on its own core
WARM_UP_TO = 50_000
AUTO_FROM = 5_000  # queries in one run before `jobs=0` (auto) uses more than one process
BATCH = 500

Render = Callable[[Verdict], str]
_worker: tuple[Guard, Render] | None = None


def answers(
    check: Callable[[str, str | None], Verdict], items: Iterable[tuple[str, str | None]], render: Render
) -> Iterator[tuple[str, str]]:
    """(verdict, rendered line) of each (query, kind), in order: the one loop of a single process,
    of the processes below and of Dask's workers (cluster.py)."""
    for q, k in items:
        v = check(q, k)
        yield v.verdict, render(v)


def jobs_for(jobs: int, n: int) -> int:
    """The processes to use: `jobs` when given, else one per core (at most 4) for large runs."""
    if jobs > 0:
        return jobs
    return min(cores(), 4) if n >= AUTO_FROM else 1


def check_all(
    guard: Guard, items: list[tuple[str, str | None]], render: Render, jobs: int = 1
) -> Iterator[tuple[str, str]]:
    """(verdict, rendered line) for each (query, kind), in order; `jobs` > 1 spreads the work."""
    if jobs <= 1 or len(items) <= BATCH or not _can_fork():
        yield from answers(guard.check, items, render)
        return
    import multiprocessing  # here: 10 ms a one-query check need not pay

    from .db.indexfile import read_whole

    read_tables()  # what is built on first use (tables, lexicon, patterns …), once for all the workers
    guard.check(WARM_UP)
    read_whole(guard.index, up_to=WARM_UP_TO)
    batches = [items[i : i + BATCH] for i in range(0, len(items), BATCH)]
    ctx = multiprocessing.get_context("fork")
    global _worker
    _worker = (guard, render)  # the workers inherit it, warm: only its file connection is their own
    pool = ctx.Pool(jobs, initializer=_start)
    try:
        for batch in pool.imap(_check_batch, batches):
            yield from batch
        pool.close()  # done: the workers end as processes do, not killed mid-way
    except BaseException:  # Ctrl-C, an error, or a reader that stopped early
        pool.terminate()
        raise
    finally:
        pool.join()
        _worker = None


def _can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


def _start() -> None:
    import signal

    from .db.indexfile import reopen

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: this process ends them
    # ended by the pool's SIGTERM, not by a handler this process inherited (a server's, a
    # coverage run's): one that caught it left a worker waiting on the task queue for ever
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    assert _worker is not None
    reopen(_worker[0].index)


def _check_batch(batch: list[tuple[str, str | None]]) -> list[tuple[str, str]]:
    assert _worker is not None
    guard, render = _worker
    return list(answers(guard.check, batch, render))
