"""The rows of a saved index, made chunk by chunk from entry records: in this process for a short
list, on one process per core for a long one (the file is the same either way).

A chunk's refs are numbered `chunk << 32 | position`, so a chunk's rows are final wherever and in
whatever order it is made: the writer only appends them.
"""

from __future__ import annotations

import gc
import itertools
import json
import os
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import NamedTuple

from .. import cores
from ..matcher.index import COMPANY, FUZZY, LABEL, MENTION, postings
from ..matcher.settings import Settings
from .fast import listed
from .indexfile import TABLES

Item = dict | tuple  # an entry record, or a row as stored that fast.listed decodes (a worker's job)
CHUNK = 2_000  # entries per chunk
PARALLEL_FROM = 20_000  # entries before the chunks are made on several processes


class Made(NamedTuple):
    entries: int
    refs: list[tuple[int, str]]  # (number, JSON)
    rows: list[tuple[int, str, int, str]]  # `post` rows: (table, key, ref, string of a pair)
    fuzzy: list[tuple[str, int]]  # (fuzzy key, ref)
    mentions: list[str]
    labels: list[str]
    companies: list[str]  # company names found inside texts
    part: Part | None = None  # made on a worker: `refs` and `rows` are in its part file instead


class Part(NamedTuple):
    """Where a chunk made on a worker process left its `refs` and `post` rows: in the worker's
    own SQLite file, post rows `first`..`last` (rowids) and `refs` rows numbered `chunk << 32`…;
    the writer copies them from there in SQLite (a chunk's 25,000 rows never cross as pickles)."""

    path: str
    chunk: int
    first: int
    last: int
    refs: int


class PartFile:
    """A worker's file of chunks' rows, appended chunk by chunk, each committed before it is told of."""

    def __init__(self, path: str):
        from .indexfile import _Rows  # the index file's own writer: the same schema and settings

        self.path, self.rows = path, 0
        self.out = _Rows(path)

    def add(self, chunk: int, m: Made) -> Made:
        """`m` with its refs and rows moved into this file."""
        self.out.put_chunk(m.refs, m.rows)
        self.out.con.commit()
        part = Part(self.path, chunk, self.rows + 1, self.rows + len(m.rows), len(m.refs))
        self.rows += len(m.rows)
        return m._replace(refs=[], rows=[], part=part)

    def close(self) -> None:
        self.out.close()


def parts_prefix(path: str) -> str:
    """The part files of the index being written to `path` are named `<prefix><pid>.part`."""
    return path + ".w"


@contextmanager
def no_collector() -> Iterator[None]:
    """Pause the cycle collector: making and writing rows creates millions of small acyclic
    objects, and its passes over them (1.5–2 s per 100,000 entries) find nothing to free."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def make(chunk: int, entries: list[Item], settings: Settings) -> Made:
    """The rows of one chunk of entries. Pure."""
    with no_collector():
        return _make(chunk, entries, settings)


def _make(chunk: int, entries: list[Item], settings: Settings) -> Made:
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    base = chunk << 32
    out = Made(len(entries), [], [], [], [], [], [])
    for item in entries:
        e = listed(item) if isinstance(item, tuple) else item  # a row as stored: decoded here
        refs, posted = postings(e, settings)
        for table, key, r, pair in posted:
            if table == FUZZY:
                out.fuzzy.append((key, base + r))
            elif table == MENTION:
                out.mentions.append(key)
            elif table == LABEL:
                out.labels.append(key)
            elif table == COMPANY:
                out.companies.append(key)
            else:
                out.rows.append((TABLES[table], key, base + r, pair))
        out.refs.extend((base + i, _ref_json(r, dumps)) for i, r in enumerate(refs))
        base += len(refs)
    return out


_quote = json.encoder.encode_basestring  # (in C) a string as JSONEncoder(ensure_ascii=False) writes it


def _ref_json(r, dumps) -> str:  # noqa: ANN001
    """A ref as its JSON list, written here for the usual types: the encoder's per-call set-up is
    three quarters of its cost on six values (0.9 s of CPU per 100,000 entries)."""
    if type(r.seq) is int and type(r.source) is type(r.entry) is type(r.field) is type(r.value) is type(r.list) is str:
        return f"[{_quote(r.source)},{r.seq},{_quote(r.entry)},{_quote(r.field)},{_quote(r.value)},{_quote(r.list)}]"
    return dumps([r.source, r.seq, r.entry, r.field, r.value, r.list])


def made(entries: Iterable[Item], settings: Settings, jobs: int = 0, prefix: str = "") -> Iterator[Made]:
    """Each chunk's rows, in order; `jobs` processes (0: one per core, at most 4) once the list
    reaches PARALLEL_FROM entries, each writing its rows to a part file `<prefix><pid>.part`
    (the caller copies them, and removes the files; with no prefix, every chunk is made here).
    At most two chunks per process are in flight. Processes that cannot start or die on the way
    only cost time: their chunks are made here."""
    chunks = enumerate(_batches(entries))
    first = list(itertools.islice(chunks, PARALLEL_FROM // CHUNK))
    jobs = jobs or min(cores(), 4)
    todo = itertools.chain(first, chunks)
    if jobs > 1 and prefix and len(first) == PARALLEL_FROM // CHUNK:
        yield from _on_processes(todo, settings, jobs, prefix)
    for no, batch in todo:  # what is left (all of it, for a short list or one process)
        yield make(no, batch, settings)


_PART: list[PartFile] = []  # a worker's own part file, opened with its first chunk


def make_part(chunk: int, entries: list[Item], settings: Settings, prefix: str) -> Made:
    """On a worker: the chunk's rows, written to this process's part file."""
    if not _PART:
        _PART.append(PartFile(f"{prefix}{os.getpid()}.part"))
    return _PART[0].add(chunk, make(chunk, entries, settings))


def _on_processes(todo: Iterator[tuple[int, list[Item]]], settings: Settings, jobs: int, prefix: str) -> Iterator[Made]:
    import multiprocessing
    from concurrent.futures import Future, ProcessPoolExecutor

    pending: deque = deque()  # (chunk, its entries): handed to the processes, not yet written
    futures: dict[int, Future] = {}
    # spawn: a fresh interpreter that loads only the matcher, not a copy of this process's memory;
    # it ignores Ctrl-C (this process stops the run, and no worker prints a traceback)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=_quiet, initargs=(os.getpid(),)) as pool:
        try:
            for no, batch in todo:  # an error reading the entries is raised, never caught below
                pending.append((no, batch))
                futures[no] = _ask(pool.submit, make_part, no, batch, settings, prefix)
                while len(pending) >= 2 * jobs or (pending and futures[pending[0][0]].done()):
                    yield _ask(futures.pop(pending[0][0]).result)
                    pending.popleft()
            while pending:
                yield _ask(futures.pop(pending[0][0]).result)
                pending.popleft()
        except _WorkersFailed:  # a worker died, none could start, a chunk did not travel: made here
            # instead (a fault of `make` itself is raised here again, where it is seen)
            for no, batch in pending:
                yield make(no, batch, settings)
            pending.clear()


class _WorkersFailed(Exception):
    pass


def _ask(call, *args):  # noqa: ANN001, ANN002, ANN202
    """`call(*args)` on the worker processes; any failure there is _WorkersFailed."""
    try:
        return call(*args)
    except Exception as exc:
        raise _WorkersFailed(str(exc)) from exc


def _quiet(parent: int) -> None:
    """A worker ignores Ctrl-C (its parent stops the run) and ends when its parent is gone (killed
    with SIGKILL, the parent never tells it: it would wait for work forever)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_orphaned, args=(parent,), daemon=True).start()


def _orphaned(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)


def _batches(entries: Iterable[Item]) -> Iterator[list[Item]]:
    it = iter(entries)
    while batch := list(itertools.islice(it, CHUNK)):
        yield batch
