"""`scan`: bulk-check ad URLs — the address first, then the fetched page — with resume.

Workers fetch and judge; the main thread alone writes the database and the output, so a
Ctrl-C leaves every finished result stored and `--resume` carries on from there.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
import time
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Callable, Generator, Iterator

from . import SCAN_LIMITS, check_limit
from .inputs import is_comment
from .scraper.visible import shown_text
from .matcher import Index, check_page, read_tables
from .matcher.suffix import SEARCHED
from .normalise import has_words, looks_like_url
from .scraper.http import guarded_session
from .scraper.pages import Page, fetch_page


MAX_AGE = timedelta(days=36500)  # --max-age: a hundred years covers every result, and today minus it is a date


@dataclass
class ScanOptions:
    concurrency: int = 16
    timeout: float = 10.0
    max_bytes: int = 2_000_000
    allow_private: bool = False
    resume: bool = False
    max_age: timedelta = timedelta(hours=24)
    jobs: int = 1  # processes fetching and judging (scanprocs.py); 0: one per core for large scans

    def __post_init__(self) -> None:
        """The CLI's ranges, for a library caller too (timeout=-1 would store every URL unchecked)."""
        for name in SCAN_LIMITS:
            check_limit(f"ScanOptions.{name}", name, getattr(self, name))
        if not isinstance(self.max_age, timedelta) or self.max_age < timedelta(0):
            raise ValueError(f"ScanOptions.max_age must be a timedelta of 0 or more, not {self.max_age!r}")
        for name in ("allow_private", "resume"):  # allow_private="no" would allow them
            if not isinstance(getattr(self, name), bool):
                raise TypeError(f"ScanOptions.{name} must be True or False, not {getattr(self, name)!r}")


@dataclass
class Summary:
    """Counts by input line: a URL on two lines is fetched once and counted twice (a row each)."""

    total: int = 0
    skipped: int = 0
    verdicts: dict[str, int] = field(default_factory=lambda: {"listed": 0, "suspicious": 0, "clear": 0, "unchecked": 0})
    errors: int = 0
    interrupted: bool = False
    seconds: float = 0.0
    kept: dict[str, int] = field(default_factory=dict)  # --resume: verdicts of the results skipped as recent
    retried: int = 0  # --resume: lines whose URL was unchecked lately, tried again (the new row supersedes)
    lines: dict[str, int] = field(default_factory=dict)  # URL -> the input lines holding it, when more than one

    def keep(self, verdict: str, lines: int = 1) -> None:
        self.kept[verdict] = self.kept.get(verdict, 0) + lines

    def count(self, result: dict) -> int:
        """One finished result (local or from a cluster worker), once for each line of its URL;
        returns how many."""
        n = self.lines.get(result["url"], 1)
        self.verdicts[result["verdict"]] += n
        self.errors += n * bool(result["error"])
        return n

    @property
    def flagged(self) -> int:
        """Listed or suspicious: in this run, or kept from a recent one (--resume)."""
        return sum(self.verdicts[v] + self.kept.get(v, 0) for v in ("listed", "suspicious"))

    @property
    def exit_status(self) -> int:
        """1 anything listed or suspicious (a result --resume kept included), else 2 anything
        unchecked, else 0 (130 interrupted)."""
        if self.interrupted:
            return 130
        return 1 if self.flagged else 2 if self.verdicts["unchecked"] else 0


# Page.error → the short reason a page could not be judged
_REASONS = (
    ("framed page not read", "frame not read"),  # (its own error follows: not the page's)
    ("HTTP ", lambda e: "http " + e.split()[1]),
    ("timed out", "timeout"),
    ("connection refused", "refused"),
    ("connection reset", "reset"),
    ("connection closed", "no response"),
    ("DNS", "dns"),
    ("blocked address", "blocked address"),
    ("unsupported scheme", "not http"),
    ("malformed URL", "malformed url"),
    ("not HTML", "not html"),
    ("TLS", "tls"),
    ("redirect loop", "redirect loop"),
    ("too many redirects", "too many redirects"),
    ("body truncated", "body truncated"),
    ("unparsable", "unparsable"),
    ("undecodable", "undecodable"),
    ("too large", "too large"),
    ("internal error", "internal error"),
    ("scan worker stopped", "worker stopped"),
    ("empty page", "empty page"),
)
EMPTY = "empty page: no title, description or visible text (no letter, digit or character)"
TRUNCATED = "read in part (--max-bytes)"  # a clear first part of a longer page


def unchecked_reason(error: str) -> str:
    for prefix, reason in _REASONS:
        if prefix in error:
            return reason(error) if callable(reason) else reason
    return error.split(":")[0][:40]


def read_urls(lines: list[tuple[int, str]]) -> tuple[list[str], list[str]]:
    """The URLs of `numbered_urls`, without their line numbers."""
    found, problems = numbered_urls(lines)
    return [url for _, url in found], problems


def numbered_urls(lines: list[tuple[int, str]]) -> tuple[list[tuple[int, str]], list[str]]:
    """(line number, URL) from numbered lines: one per line, or a CSV with a `url` column (header
    row), and a problem for each CSV row without a URL. ValueError when the first line is a CSV
    header with no `url` column."""
    lines = [(n, ln) for n, ln in lines if ln.strip()]
    body = [(n, ln) for n, ln in lines if not is_comment(ln)]
    if not body:
        return [], []
    head = [c.strip().lower() for c in next(csv.reader([body[0][1]]))]
    if (len(head) > 1 or head == ["url"]) and not any("://" in c or looks_like_url(c) for c in head):  # a header row
        if "url" not in head:
            raise ValueError(f"a CSV needs a url column (its header: {','.join(head)})")
        return _csv_urls(lines[lines.index(body[0]) + 1 :], head.index("url"))
    return [(n, first_address(ln)) for n, ln in body], []


# What a scan input line holds around its address: wrappers, a name after a space, punctuation.
_OPENERS = "\"'“‘<《「『【（("
_CLOSERS = ",;.:!?，。；：！？、\"'”’>》」』】）"  # never an address's last character in practice
# what cannot be inside an address as people copy it ('。' between letters is a dot: www。x。cn)
_BETWEEN = re.compile(r"[\s，；、！？（）《》「」『』【】“”]+|。+(?![a-z0-9])", re.I)
_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*://", re.I)
_BARE = re.compile(  # an address without a scheme: www.x.cn, 127.0.0.1:8080/a, localhost:8080, [::1]
    r"(?:(?:[\w-]+\.)+[\w-]+\.?|localhost|\[[0-9a-f:.]+\])(?::\d{1,5})?(?:[/?#].*)?", re.I | re.S
)


def first_address(line: str) -> str:
    """The first address on a scan input line: without the quotes or <> around it and what
    follows it (a space and a name, a comma, a full stop); the line as it is when none reads
    as one."""
    words = [_trimmed(w) for w in _BETWEEN.split(line.strip()) if w]
    return next((w for w in words if _SCHEME.match(w) or w.startswith("//") or _BARE.fullmatch(w)), line.strip())


def _trimmed(word: str) -> str:
    """A word without its wrappers and trailing punctuation; a closing ) or ] is kept when
    the word opened it (…/Foo_(bar), http://[::1])."""
    word = word.lstrip(_OPENERS)
    while word and (word[-1] in _CLOSERS or (word[-1] in ")]" and _unopened(word))):
        word = word[:-1]
    return word


def _unopened(word: str) -> bool:
    close = word[-1]
    return word.count(close) > word.count("(" if close == ")" else "[")


def fetch_address(url: str) -> str:
    """What is fetched for a scan URL: one written without a scheme (www.x.cn,
    127.0.0.1:8080/a, localhost:8080/a, //x.cn/a) over http, as a browser would."""
    if url.startswith("//"):
        return "http:" + url
    return "http://" + url if not _SCHEME.match(url) and _BARE.fullmatch(url) else url


def _csv_urls(rows: list[tuple[int, str]], col: int) -> tuple[list[tuple[int, str]], list[str]]:
    """The url column of CSV rows (a quoted cell may span lines: its row's first line counts); a
    row without one is a problem."""
    numbers = [n for n, _ in rows]
    reader = csv.reader(ln for _, ln in rows)
    urls: list[tuple[int, str]] = []
    problems: list[str] = []
    first = 0  # index in `rows` of the line the next row starts on
    for row in reader:
        if is_comment(rows[first][1]):  # a row that starts as a comment line (not a cell's line): skipped
            first = reader.line_num
            continue
        url = first_address(row[col]) if len(row) > col else ""
        if url:
            urls.append((numbers[first], url))
        else:
            problems.append(f"line {numbers[first]}: no URL in the url column; left out")
        first = reader.line_num
    return urls, problems


def scan_one(ix: Index, url: str, opts: ScanOptions, session=None) -> dict:  # noqa: ANN001
    """Fetch and judge one URL (on `session`, a shared guarded one, when given; one without a
    scheme over http, reported as given). Never raises: problems become the result's `error`."""
    hops: list[str] = []
    try:
        page = fetch_page(
            fetch_address(url),
            timeout=opts.timeout,
            max_bytes=opts.max_bytes,
            allow_private=opts.allow_private,
            hop_check=hops.append,
            session=session,
        )
        page.url = url  # results are keyed by the URL as the input gives it (--resume, line numbers)
        return result_of(ix, page, hops)
    except Exception as exc:  # a bug costs this URL (unchecked), not the whole scan
        return failed(ix, url, f"internal error ({type(exc).__name__})")


def failed(ix: Index, url: str, error: str) -> dict:
    """The result of a URL that was not judged: by its address alone, else unchecked."""
    page = Page(
        url=url, final_url=url, error=error, fetched_at=datetime.now(timezone.utc).isoformat(timespec="seconds")
    )
    try:
        return result_of(ix, page, [])
    except Exception:  # the address check itself failed: nothing is known of this URL
        return _row(page, "unchecked", unchecked_reason(error))


def result_of(ix: Index, page: Page, hops: list[str]) -> dict:
    """The scan result of a fetched (or failed) page."""
    text = shown_text(page.title, page.description, page.text)
    targets = page.frames + page.goes_to
    if not page.error and not has_words(text) and not targets and not page.links and not page.redirects:
        page.error = EMPTY  # nothing was read: never judged, so never clear
    v = check_page(ix, page.url, hops, text, targets=targets, links=page.links)
    verdict, reason = v.verdict, None
    if page.truncated and not page.error and verdict == "clear":  # read in part: what follows is unseen
        verdict, reason = "unchecked", TRUNCATED
    if page.error and verdict == "clear":  # not judged: never call an unseen page clear
        verdict, reason = "unchecked", unchecked_reason(page.error)
        v = check_page(ix, page.url, hops, "", targets=targets)  # the addresses' evidence, not the error page's text
        page.title = ""  # nor its title ("404 Not Found" is not the site's)
    matches, signals = [m.to_dict() for m in v.matches], [s.to_dict() for s in v.signals]
    return _row(page, verdict, reason, v.score, matches, signals, v.notes, v.probability)


def _row(
    page: Page, verdict: str, reason: str | None, score=None, matches=(), signals=(), notes=(), probability=None
) -> dict:  # noqa: ANN001
    """One scan result, in the shape every output and the database store."""
    return {
        "url": page.url,
        "final_url": page.final_url,
        "redirects": page.redirects,
        "status": page.status,
        "verdict": verdict,
        "reason": reason,
        "score": score,
        "matches": list(matches),
        "signals": list(signals),
        "title": page.title,
        "error": page.error,
        "truncated": page.truncated,
        "fetched_at": page.fetched_at,
        "notes": list(notes),
        "probability": None if probability is None else round(probability, 4),  # as check --json
    }


def line_rows(numbered: list[tuple[str, int, str]], several: bool) -> Callable[[dict], list[dict]]:
    """result → its row for each input line holding its URL (fetched once, however many lines
    give it), each naming its line, and with several input files its file (`input`) too.
    `numbered`: (file, line, URL) in input order."""
    places: dict[str, list[tuple[str, int]]] = {}
    for f, n, url in numbered:
        places.setdefault(url, []).append((f, n))

    def rows(result: dict) -> list[dict]:
        found = places.get(result["url"], [(None, None)])
        return [dict(result, input=f, line=n) if several else dict(result, line=n) for f, n in found]

    return rows


def plan(
    urls: list[str],
    opts: ScanOptions,
    done_recently: Callable[[list[str]], dict[str, str]],
    progress: Callable[[int], None],
) -> tuple[Summary, list[str]]:
    """The summary to fill and the URLs to fetch: each once, and with --resume none judged
    lately (whose kept verdicts the summary counts); one unchecked lately is tried again."""
    summary = Summary(total=len(urls))
    summary.lines = {u: n for u, n in Counter(urls).items() if n > 1}
    todo = list(dict.fromkeys(urls))
    if opts.resume:
        recent = done_recently(todo)
        kept = {u: v for u, v in recent.items() if v != "unchecked"}
        for u in todo:
            n = summary.lines.get(u, 1)
            if u in kept:
                summary.skipped += n
                summary.keep(kept[u], n)
            elif u in recent:
                summary.retried += n
        todo = [u for u in todo if u not in kept]
        progress(summary.skipped)
    return summary, todo


class _Shield:
    """Stopping a scan (Ctrl-C, SIGTERM: cli.py) waits while results are being stored: a batch's
    transaction interrupted inside the database driver may keep its locks (PostgreSQL) while the
    last batch is stored after it."""

    def __init__(self) -> None:
        self.storing, self.pending = False, False

    def stop(self) -> None:
        """What the signal handler does: stop now, or once the batch being stored is in."""
        if self.storing:
            self.pending = True
        else:
            raise KeyboardInterrupt

    @contextlib.contextmanager
    def store(self, stop_after: bool = True) -> Iterator[None]:
        self.storing = True
        try:
            yield
        finally:
            self.storing = False
            if self.pending and stop_after:
                self.pending = False
                raise KeyboardInterrupt


SHIELD = _Shield()


def run_scan(
    ix: Index,
    urls: list[str],
    opts: ScanOptions,
    *,
    emit: Callable[[dict], None],
    done_recently: Callable[[list[str]], dict[str, str]] = lambda urls: {},
    store: Callable[[list[dict]], None] = lambda rows: None,
    progress: Callable[[int], None] = lambda n: None,
) -> Summary:
    """Scan `urls` (threads on one pooled HTTP client, in `opts.jobs` processes when more than
    one); `store` receives finished results in batches."""
    from . import scanprocs

    started = time.monotonic()
    summary, todo = plan(urls, opts, done_recently, progress)
    batch: list[dict] = []
    jobs = scanprocs.jobs_for(opts, len(todo))
    results = scanprocs.results(ix, todo, opts, jobs) if jobs > 1 else in_threads(ix, todo, opts)
    try:
        for result in results:
            n = summary.count(result)
            batch.append(result)
            emit(result)
            progress(n)
            if len(batch) >= 25:
                stored, batch = batch, []
                with SHIELD.store():
                    store(stored)
    except KeyboardInterrupt:
        summary.interrupted = True
    finally:
        results.close()  # stops the workers at once when interrupted
        if batch:
            with SHIELD.store(stop_after=False):
                store(batch)
        SHIELD.pending = False
        summary.seconds = time.monotonic() - started
    return summary


def in_threads(ix: Index, todo: list[str], opts: ScanOptions, session=None) -> Generator[dict, None, None]:  # noqa: ANN001
    """Results as they finish, from a bounded thread pool sharing one pooled HTTP client."""
    warm(ix, len(todo))
    own = session is None
    session = session or guarded_session(opts.allow_private, opts.concurrency, shared=True)
    pending: set = set()
    it = iter(todo)
    pool = ThreadPoolExecutor(max_workers=max(1, opts.concurrency), thread_name_prefix="scan")
    finished_all = False
    try:
        _fill(pool, pending, it, ix, opts, session)
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in finished:
                yield fut.result()
            _fill(pool, pending, it, ix, opts, session)
        finished_all = True
    finally:
        for fut in pending:
            fut.cancel()
        pool.shutdown(wait=finished_all, cancel_futures=True)
        if own:
            session.close()


def warm(ix: Index, urls: int = 0) -> None:
    """Build what is built on first use (mention automaton, text model …) once, before threads
    or forked workers would each build their own; with more than a few `urls`, the tables a
    check first reads in part (suffix rules, pinyin) too."""
    if urls > SEARCHED:
        read_tables()
    check_page(ix, "http://warm-up.invalid/", [], "股票配资 1:10 “配资”", targets=[], links=[])


def _fill(pool, pending: set, it, ix: Index, opts: ScanOptions, session) -> None:  # noqa: ANN001
    """Keep at most twice the concurrency in flight, so memory stays flat on huge inputs."""
    while len(pending) < 2 * max(1, opts.concurrency):
        url = next(it, None)
        if url is None:
            return
        pending.add(pool.submit(scan_one, ix, url, opts, session))


# ---- database edge ---------------------------------------------------------


def stored(r: dict) -> tuple[str, datetime, str, str]:
    """A result as scan_results holds it: (url, fetched_at in UTC without its zone, verdict, JSON)."""
    at = datetime.fromisoformat(r["fetched_at"]).replace(tzinfo=None)
    return r["url"][:2000], at, r["verdict"], json.dumps(r, ensure_ascii=False)


def db_store(session_factory) -> Callable[[list[dict]], None]:  # noqa: ANN001
    from sqlalchemy import insert

    from .db.models import ScanResult

    def store(rows: list[dict]) -> None:
        if not rows:
            return
        with session_factory() as s, s.begin():  # one INSERT of many rows, no ORM objects: nothing reads them back
            s.execute(
                insert(ScanResult),
                [dict(zip(("url", "fetched_at", "verdict", "result"), stored(r))) for r in rows],
            )

    return store


def file_store(path: str) -> Callable[[list[dict]], None]:
    """The same rows written to an SQLite file with the standard library (fast.scan_results_file)."""
    from .db.fast import store_scans

    def store(rows: list[dict]) -> None:
        if rows:
            store_scans(path, [stored(r) for r in rows])

    return store


def db_done_recently(
    session_factory,
    max_age: timedelta,
    written: list[dict] | None = None,  # noqa: ANN001
) -> Callable[[list[str]], dict[str, str]]:
    """URL → verdict of its latest result within `max_age` and since the lists last changed (a
    result judged against older lists is scanned again); "unchecked" when all it has there are
    unchecked (scanned again too, and counted as tried again). `written`: rows an output file
    being resumed holds (written_results), weighed as stored results are."""
    from sqlalchemy import select

    from .db.models import ScanResult

    def done(urls: list[str]) -> dict[str, str]:
        wanted = set(urls)
        found: dict[str, str] = {}
        with session_factory() as s:
            since = datetime.now(timezone.utc).replace(tzinfo=None) - min(max_age, MAX_AGE)
            changed = lists_changed(s)
            if changed is not None:
                since = max(since, changed + timedelta(microseconds=1))
            query = select(ScanResult.fetched_at, ScanResult.url, ScanResult.verdict).where(
                ScanResult.fetched_at >= since
            )
            results = list(s.execute(query.order_by(ScanResult.fetched_at, ScanResult.id)))
        rows = [(at, r["url"], r["verdict"]) for r in written or () if (at := _written_at(r)) and at >= since]
        for _, url, verdict in sorted(results + rows, key=lambda row: row[0]):  # (stable: stored first)
            if url in wanted and (verdict != "unchecked" or url not in found):
                found[url] = verdict  # the latest last; an unchecked one never hides a judged one
        return found

    return done


def lists_changed(s) -> datetime | None:  # noqa: ANN001
    """When the lists last changed: the newest snapshot stored (import, refresh, seeding) or
    revert, in UTC without a zone as scan results' times are. Theirs are cut to the second, so a
    result from the second of a change counts as older (scanned again) — but not from the second
    of seeding: a database is seeded before any scan can read it."""
    from sqlalchemy import func, select

    from .db.models import Event, Snapshot

    seeded = Snapshot.origin.startswith("builtin:")
    seed = s.scalar(select(func.max(Snapshot.fetched_at)).where(seeded))
    times = [
        s.scalar(select(func.max(Snapshot.fetched_at)).where(~seeded)),
        s.scalar(select(func.max(Event.at))),
        seed.replace(microsecond=0) - timedelta(microseconds=1) if seed else None,
    ]
    return max((t for t in times if t is not None), default=None)


def appended_format(first_line: str, columns: list[str]) -> str:
    """The format of a results file by its first line: "jsonl" (a JSON object), "csv" (our header,
    or an older one without its last columns), "csv with other columns", else "table"."""
    try:
        if isinstance(json.loads(first_line), dict):
            return "jsonl"
    except ValueError:
        pass
    head = next(csv.reader([first_line]), [])
    if len(head) >= columns.index("line") and head == columns[: len(head)]:
        return "csv"
    if len(head) > 1 and "url" in head:
        return "csv with other columns"
    return "table"


def written_results(text: str, fmt: str) -> list[dict]:
    """The rows an output file being resumed holds (JSON lines or CSV; a table is not read back):
    {url, verdict, fetched_at}. --resume weighs them as stored results (db_done_recently): a row
    the database lacks, written when the scan was killed between writing and storing it, is
    not written twice."""
    rows: list = []
    if fmt == "jsonl":
        for line in text.splitlines():
            try:
                rows.append(json.loads(line))
            except ValueError:
                continue
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline="")))
    return [
        {"url": r["url"], "verdict": r["verdict"], "fetched_at": r["fetched_at"]}
        for r in rows
        if isinstance(r, dict) and all(isinstance(r.get(k), str) and r.get(k) for k in ("url", "verdict", "fetched_at"))
    ]


def _written_at(row: dict) -> datetime | None:
    """A written row's time as stored results keep theirs (UTC, no zone), or None when unreadable."""
    try:
        at = datetime.fromisoformat(row["fetched_at"])
    except (TypeError, ValueError):
        return None
    return at.astimezone(timezone.utc).replace(tzinfo=None) if at.tzinfo else at


def parse_age(text: str) -> timedelta:
    """'90s', '30m', '24h', '7d' → timedelta, at most MAX_AGE."""
    unit = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    text = text.strip().lower()
    if len(text) < 2 or text[-1] not in unit or not text[:-1].replace(".", "", 1).isdigit():
        raise ValueError(f"{text!r} is not an age like 30m, 24h or 7d")
    seconds = float(text[:-1]) * unit[text[-1]]  # (inf for hundreds of digits)
    if seconds > MAX_AGE.total_seconds():
        raise ValueError(f"{text[:40]!r} is too long: an age is at most {MAX_AGE.days}d (100 years)")
    return timedelta(seconds=seconds)
