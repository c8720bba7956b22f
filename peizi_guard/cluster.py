"""Bulk check and scan on a Dask cluster (`--cluster tcp://host:8786` or `local`).

The client cuts the input into partitions and keeps a few of them in flight; each worker opens
the matcher's saved index file (shipped to it once: workers need no database) and answers a
partition at a time; answers come back in input order. Scan results are stored by the client
only. A partition lost with its worker is run again by the scheduler, so nothing is lost or
written twice: the client writes each partition once, when its turn comes.
"""

from __future__ import annotations

import dataclasses
import os
import re
import tempfile
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .inputs import is_comment
from .matcher import Index

INSTALL = "pip install 'peizi-guard[dask]'"
CHECK_PARTITION = 2_000  # queries per task
SCAN_PARTITION = 50  # URLs per task (each worker fetches them with its own thread pool)


class ClusterError(Exception):
    """The cluster cannot be used; one line for the user."""


@dataclass(frozen=True)
class Shipped:
    """The index as workers receive it: the saved file's bytes and its key."""

    key: str
    data: bytes


def require() -> None:
    """A one-line error, before any other work, when Dask is not installed."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise ClusterError(f"--cluster needs Dask's distributed scheduler: {INSTALL}") from None


_PROTOCOLS = ("tcp", "tls", "ws", "wss", "ucx")


def address_problem(address: str) -> str:
    """Why `address` is not a scheduler address (tcp://host:8786, host:8786, 'local'), else ""."""
    if address == "local":
        return ""
    if not address.strip():
        return "--cluster is blank: give the scheduler's address (tcp://host:8786) or 'local'"
    scheme, sep, rest = address.partition("://")
    if not sep:
        scheme, rest = "tcp", address
    if scheme.lower() in ("http", "https"):
        why = "http:// is the dashboard, not the scheduler"
    elif scheme.lower() not in _PROTOCOLS:
        why = f"unknown protocol {scheme}://"
    else:
        why = _host_port_problem(rest)
    return f"--cluster {address}: {why} (give tcp://host:8786, or 'local')" if why else ""


def _host_port_problem(rest: str) -> str:
    if rest.startswith("["):  # [IPv6]:port
        host, bracket, port = rest[1:].partition("]")
        if not bracket:
            return "an IPv6 address without its closing ]"
        if not port.startswith(":"):
            return "no port number"
        port = port[1:]
    else:
        host, colon, port = rest.rpartition(":")
        if not colon:
            return "no port number"
    if not host or any(c in host for c in "/?#@ \t"):
        return "no host name"
    if not port.isdigit() or not 0 < int(port) < 65536:
        return f"{port!r} is not a port number"
    return ""


def connect(address: str, workers: int = 2):  # noqa: ANN201
    """A Dask client: to a running scheduler, or to a LocalCluster started for this run."""
    require()
    from distributed import Client, LocalCluster

    try:
        if address == "local":
            cluster = LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=40
            )
            return Client(cluster)
        return Client(address, timeout="20s")
    except (OSError, TimeoutError) as exc:
        raise ClusterError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
    except ValueError as exc:  # an address Dask cannot parse that address_problem let through
        raise ClusterError(f"--cluster {address}: {exc}") from None


def close(client) -> None:  # noqa: ANN001
    cluster = getattr(client, "cluster", None)
    client.close()
    if cluster is not None:
        cluster.close()


def ship(url: str) -> Shipped:
    """The saved index of the current lists at `url` (saved now when it is missing or stale)."""
    from . import api
    from .db import indexfile

    path = indexfile.path_for(url)
    key = api.index_key(url)
    if path is None or key is None:
        raise ClusterError("--cluster needs a database whose index can be saved to a file (not an in-memory one)")
    if not indexfile.fits(path, key):  # missing, or built for other lists or by other code
        api.load_index(url)  # builds and saves it
        key = api.index_key(url)
    if key is None or not indexfile.fits(path, key):
        raise ClusterError(f"the matcher's index could not be saved at {path}")
    return Shipped(key, Path(path).read_bytes())


# ---- on a worker ------------------------------------------------------------------------

_OPEN: dict[str, Index] = {}
_LOCK = threading.Lock()


def worker_index(shipped: Shipped) -> Index:
    """The index on this worker, written to its temporary folder and opened once per key."""
    from .db import indexfile
    from .matcher import DEFAULT

    with _LOCK:
        if shipped.key not in _OPEN:
            path = Path(tempfile.gettempdir()) / f"peizi-guard-{os.getpid()}-{shipped.key[:20]}.index"
            ix = indexfile.load(str(path), shipped.key, DEFAULT) if path.exists() else None
            if ix is None:  # not written yet, or left by a shipment from other code: this one
                tmp = path.with_suffix(".tmp")
                tmp.write_bytes(shipped.data)
                tmp.replace(path)
                ix = indexfile.load(str(path), shipped.key, DEFAULT)
            if ix is None:
                raise RuntimeError("the shipped index could not be opened")
            _OPEN[shipped.key] = ix
        return _OPEN[shipped.key]


def check_partition(shipped: Shipped, render: Callable, items: list[tuple[str, str | None]]) -> list[tuple[str, str]]:
    """(verdict, rendered line) for each (query, kind) of a partition, in order."""
    from .bulk import answers
    from .matcher import check

    ix = worker_index(shipped)
    return list(answers(lambda q, k: check(ix, q, k), items, render))


def scan_partition(shipped: Shipped, opts, urls: list[str]) -> list[dict]:  # noqa: ANN001
    """Scan results of a partition's URLs, in its order (nothing stored here)."""
    from .scan import run_scan

    found: dict[str, dict] = {}
    one = dataclasses.replace(opts, jobs=1)  # the cluster's workers are the processes
    run_scan(worker_index(shipped), urls, one, emit=lambda r: found.__setitem__(r["url"], r))
    return [found[u] for u in urls]


# ---- on the client ----------------------------------------------------------------------


def in_order(client, fn: Callable, parts: Iterable[list], *args, in_flight: int = 0) -> Iterator[list]:  # noqa: ANN001
    """Submit `fn(*args, part)` for each partition, at most `in_flight` at a time, and yield the
    answers in input order as they are ready."""
    in_flight = in_flight or 2 * max(1, len(client.scheduler_info(n_workers=-1).get("workers", {})) or 1)
    futures: deque = deque()
    for part in parts:
        futures.append(client.submit(fn, *args, part, pure=False, retries=2))
        while len(futures) >= in_flight:
            yield futures.popleft().result()
    while futures:
        yield futures.popleft().result()


def partitions(items: Iterable, size: int) -> Iterator[list]:
    part: list = []
    for x in items:
        part.append(x)
        if len(part) >= size:
            yield part
            part = []
    if part:
        yield part


def input_files(spec: str) -> list[str]:
    """FILE, a directory (its files, sorted) or a glob pattern (sorted)."""
    import glob

    if spec == "-":
        return ["-"]
    p = Path(spec)
    if p.is_dir():
        files = sorted(str(f) for f in p.iterdir() if f.is_file() and not f.name.startswith("."))
    elif any(c in spec for c in "*?["):
        files = sorted(f for f in glob.glob(spec) if Path(f).is_file())
    else:
        files = [spec]
    if not files:
        raise ClusterError(f"{spec}: no input files")
    return files


def stream_lines(files: list[str], encoding: str | None) -> Iterator[str]:
    """The lines of each file in turn, read as a stream, but those with nothing to check (blank,
    only punctuation or symbols: guard.shows_nothing) and comments, as `check --file` skips them."""
    import io
    import sys

    from .guard import shows_nothing

    for f in files:
        try:
            fh = (
                io.TextIOWrapper(sys.stdin.buffer, encoding=encoding or "utf-8-sig")
                if f == "-"
                else open(f, encoding=encoding or "utf-8-sig")
            )
        except (OSError, LookupError) as exc:
            raise ClusterError(f"{f}: {getattr(exc, 'strerror', None) or exc}") from None
        with fh:
            try:
                for line in fh:
                    s = line.strip()
                    if not shows_nothing(s) and not is_comment(s):
                        yield s
            except UnicodeDecodeError:
                raise ClusterError(f"{f}: not {encoding or 'UTF-8'} text (give --encoding)") from None


class PartFiles:
    """--output DIR: one file per partition (part-00000.jsonl …, or part-00000.txt for text that is
    not JSON), written in order. A run replaces the part files an earlier one left there (either
    ending); with `append` (scan --resume) it numbers its own after them."""

    def __init__(self, folder: str, append: bool = False, suffix: str = ".jsonl"):
        self.folder, self.suffix = Path(folder), suffix
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            earlier = {p: int(m.group(1)) for p in self.folder.glob("part-*") if (m := _PART.fullmatch(p.name))}
        except OSError as exc:
            raise ClusterError(f"{folder}: {exc.strerror}") from None
        self.n = max(earlier.values()) + 1 if append and earlier else 0
        self.stale = [] if append else list(earlier)  # removed when the first part is written

    def write(self, lines: list[str]) -> None:
        while self.stale:
            self.stale.pop().unlink(missing_ok=True)
        path = self.folder / f"part-{self.n:05d}{self.suffix}"
        tmp = path.with_suffix(".tmp")
        tmp.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        tmp.replace(path)
        self.n += 1


_PART = re.compile(r"part-(\d{5,})\.(?:jsonl|txt)")


class Progress:
    """A running count on stderr when it is a terminal (at most twice a second)."""

    def __init__(self, label: str, stream):  # noqa: ANN001
        import time

        self.label, self.stream, self.clock = label, stream, time.monotonic
        self.on = hasattr(stream, "isatty") and stream.isatty()
        self.start = self.last = self.clock()

    def update(self, n: int) -> None:
        now = self.clock()
        if self.on and now - self.last >= 0.5:
            self.last = now
            self.stream.write(f"\r{self.label} {n:,} ({n / max(now - self.start, 1e-9):,.0f}/s)")
            self.stream.flush()

    def close(self) -> None:
        if self.on:
            self.stream.write("\n")


def scan_on_cluster(
    client,  # noqa: ANN001
    shipped: Shipped,
    urls: list[str],
    opts,  # noqa: ANN001
    *,
    emit: Callable[[dict], None],
    store: Callable[[list[dict]], None],
    done_recently: Callable[[list[str]], dict[str, str]] = lambda urls: {},
    progress: Callable[[int], None] = lambda n: None,
    parts_out: Callable[[list[dict]], None] | None = None,
):  # noqa: ANN201
    """run_scan's work spread over the cluster; results emitted and stored by this process, in
    input order, each partition once."""
    import time

    from .scan import plan

    started = time.monotonic()
    summary, todo = plan(urls, opts, done_recently, progress)
    shipped_f = client.scatter(shipped, broadcast=True)
    try:
        for rows in in_order(client, scan_partition, partitions(todo, SCAN_PARTITION), shipped_f, opts):
            lines = 0  # a URL on several input lines counts once for each
            for r in rows:
                lines += summary.count(r)
                if parts_out is None:
                    emit(r)
            if parts_out is not None:
                parts_out(rows)
            store(rows)
            progress(lines)
    except KeyboardInterrupt:
        summary.interrupted = True
    summary.seconds = time.monotonic() - started
    return summary
