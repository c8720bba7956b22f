"""`Guard`: the library's one entry point. Open it once on a database; ask it many times.

    from peizi_guard import Guard

    g = Guard()                                   # or Guard("postgresql://…"), Guard("lists.db")
    v = g.check("杜德配资")                        # Verdict: .verdict, .score, .matches, .to_dict()
    [v.verdict for v in g.check_many(["https://www.ddpz666.com/", "华泰证券"])]
    g.check_text("您炒股我出钱，1:10杠杆，按天配资").probability
    g.entries("csrc-peizi")[0]["name"]            # JSON-ready records, the shape `list --json` prints

The index is loaded on first use (from its saved file when that fits the lists) and kept;
commands that change the lists (`import_file`, `refresh`, `revert`) drop it, so the next
question sees the new lists. The CLI is a thin shell over this class.
"""

from __future__ import annotations

import os
import re
from datetime import date, datetime, timedelta
from typing import Any, Callable, Iterable

from . import api, check_limit
from .db.engine import resolve_url
from .matcher import Verdict, check
from .normalise import has_words, is_blank


class Guard:
    def __init__(self, db: str | None = None, *, as_of: date | None = None):
        if db is not None and not isinstance(db, str):
            raise TypeError(f"Guard(db): a path or database URL (str), not {type(db).__name__}")
        if as_of is not None and not isinstance(as_of, date):
            raise TypeError(f"Guard(as_of=…): a datetime.date, not {type(as_of).__name__}")
        if isinstance(as_of, datetime):  # a date and time: its day
            as_of = as_of.date()
        if as_of is not None and (why := future(as_of)):
            raise ValueError(f"as_of {why}")
        if db == "":  # no database named, not the default one (None); resolve_url refuses blanks
            raise api.DbError("the database is blank: give a file path or URL")
        self.db = db
        self.url = resolve_url(db)
        self.as_of = as_of
        self._index = None
        self._key: str | None = None  # which lists the loaded index is of
        self._looked = 0.0

    def __getstate__(self) -> dict:
        """Pickled (for a process pool) without the loaded index and its open files: the copy
        loads its own on first use."""
        return {**self.__dict__, "_index": None, "_key": None, "_looked": 0.0}

    @property
    def index(self):  # noqa: ANN201
        """The matcher's index; NoLists when the database has no list to check against."""
        ix = self._index
        if ix is None:
            ix = self._index = api.load_index(self.url, self.as_of)  # (seeds a new database first)
            # the lists a saved index is of; one built here (no file) is of the lists read after it
            self._key = ix.lists_key or (api.index_key(self.url) if self.as_of is None else None)
        return ix

    def _changed(self) -> None:
        self._index = None

    def follow(self, every: float = 2.0) -> bool:
        """Drop the index when another process has changed the lists since it was loaded (a
        server running while cron refreshes them), looking at most once every `every` seconds;
        True when the next question will see new lists."""
        import time

        if isinstance(every, bool) or not isinstance(every, (int, float)):
            raise TypeError(f"every must be a number of seconds, not {type(every).__name__}")
        if not every >= 0:  # (NaN too: it would never follow)
            raise ValueError(f"every must be 0 or more seconds, not {every}")

        if self.as_of is not None or self._index is None or time.monotonic() - self._looked < every:
            return False
        self._looked = time.monotonic()
        key = api.index_key(self.url)
        if key is None or key == self._key:
            return False
        self._changed()
        return True

    # ---- questions ---------------------------------------------------------------------

    def _ask(self, question: Callable[[Any], Verdict]) -> Verdict:
        """`question(index)`; once more on a rewritten index when the saved one proves damaged."""
        try:
            return question(self.index)
        except Exception as exc:  # (the import here: not on every question's path)
            from .db.indexfile import IndexDamaged

            if not isinstance(exc, IndexDamaged):
                raise
        ix = self._index = api.load_index(self.url, self.as_of, damaged=True)
        return question(ix)

    def check(self, query: str, kind: str | None = None) -> Verdict:
        """A name, company, app / WeChat name or URL (kind detected unless given: name | url | text)."""
        _text("query", query, name=kind != "text")
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(map(str, KINDS[1:]))} or None, not {kind!r}")
        if kind in (None, "text") and _markup(query):
            return self.check_text(query)  # HTML source pasted: judged as a page
        _not_blank("query", query)
        return self._ask(lambda ix: check(ix, query.strip(), kind))

    def check_many(self, queries: Iterable[str], kind: str | None = None) -> Iterable[Verdict]:
        """Each query's verdict, in order; a list or tuple is checked whole before the first answer."""
        queries = _many("queries", queries)
        if kind not in KINDS:  # before the first answer, as every argument of a list
            raise ValueError(f"kind must be one of {', '.join(map(str, KINDS[1:]))} or None, not {kind!r}")
        if isinstance(queries, (list, tuple)):
            for q in queries:
                _text("query", q, name=kind != "text")
                if shows_nothing(q):
                    raise ValueError(f"nothing to check in a query that is {SHOWS_NOTHING}")
        return (self.check(q, kind) for q in queries)

    def check_text(self, text: str) -> Verdict:
        """Ad copy or page text: an offer, a listed name offered in it, or clear."""
        from .matcher import check_text

        _text("text", text)
        page = _source(text) if _markup(text) else None
        if page is None:
            _not_blank("text", text)
            return self._ask(lambda ix: check_text(ix, text.strip()))  # as check(…, "text") reads it
        shown, links = page  # HTML source pasted: judged as scan judges a page
        if not links:
            _not_blank("text", shown)
        v = self._ask(lambda ix: check_text(ix, shown or " ", links))
        v.query = text
        v.notes.insert(0, HTML_NOTE)
        return v

    def scan(self, urls: list[str], opts=None, *, emit=lambda row: None, progress=lambda n: None, written=()):  # noqa: ANN001
        """Fetch and judge pages (see peizi_guard.scan); results are stored as they finish.
        `written`: rows an output being resumed holds already (dicts with url, verdict and
        fetched_at, as scan writes them): with opts.resume weighed as stored results are. A
        Guard opened `as_of` a day stores nothing (its results are not of the current lists)."""
        from .db.fast import scan_results_file
        from .scan import ScanOptions, db_done_recently, db_store, file_store, run_scan

        opts = ScanOptions() if opts is None else opts
        if not isinstance(opts, ScanOptions):
            raise TypeError(f"opts must be a ScanOptions, not {type(opts).__name__}")
        urls = list(_many("urls", urls))
        for u in urls:
            _text("a URL", u)
            _not_blank("URL", u)
        rows = list(_many("written", written))
        if not all(isinstance(r, dict) for r in rows):
            raise TypeError("written: give the rows as dicts (url, verdict, fetched_at)")
        current = self.as_of is None
        if urls and current:
            api.check_writable(self.url, "scan stores its results in it")  # before any page is fetched
        self.follow(0)  # judged against the lists as they are now, whoever changed them
        if not current:
            return run_scan(self.index, urls, opts, emit=emit, progress=progress)
        file = scan_results_file(self.url) if not opts.resume else None
        if file is not None:  # (--resume reads the stored results through the ORM)
            return run_scan(self.index, urls, opts, emit=emit, store=file_store(file), progress=progress)
        with api.sessions(self.url) as factory:
            return run_scan(
                self.index,
                urls,
                opts,
                emit=emit,
                store=db_store(factory),
                done_recently=db_done_recently(factory, opts.max_age, rows),
                progress=progress,
            )

    def entries(self, source: str | None = None) -> list[dict]:
        """The current (or as-of) entries, as JSON-ready records (api.UnknownSource for an id no
        list has)."""
        if source is not None:
            _source_id(source)
        api.known_source(self.url, source)
        return [public_entry(e) for e in api.entries(self.url, source, self.as_of)]

    def sources(self) -> list[dict]:
        return api.sources(self.url)

    def history(self, source: str | None = None) -> list[dict]:
        if source is not None:
            _source_id(source)
        api.known_source(self.url, source)
        return api.history(self.url, source)

    def diff(self, source: str, old: int | None = None, new: int | None = None) -> dict:
        """Entries added, removed and changed between two snapshots of `source` (default: the
        current list against the one before it), as `diff --json` prints them."""
        _source_id(source)
        for name, sid in (("old", old), ("new", new)):
            if sid is not None:
                _snapshot_id(name, sid)
        if (old is None) != (new is None):
            raise ValueError("give both old and new snapshot ids, or neither")
        api.known_source(self.url, source)
        return api.diff(self.url, source, old, new)

    # ---- changes -----------------------------------------------------------------------

    def import_file(self, path: str, source: str, published: date | None = None, force: bool = False, jobs: int = 1):
        if published is not None and not isinstance(published, date):
            raise TypeError(f"published must be a date, not {type(published).__name__}")
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"path must be a str or a path, not {type(path).__name__}")
        _source_id(source)
        if not isinstance(force, bool):  # force="no" is true
            raise TypeError(f"force must be a bool, not {type(force).__name__}")
        check_limit("jobs", "jobs", jobs)  # before anything is stored
        try:
            return api.import_file(self.url, os.fspath(path), source, published, force=force, jobs=jobs)
        finally:
            self._changed()

    def refresh(self, source_ids: list[str] | None = None, **kwargs) -> list:
        ids = None if source_ids is None else list(_many("source_ids", source_ids))
        for sid in ids or ():
            _source_id(sid)
        try:
            return api.refresh(self.url, ids, **kwargs)
        finally:
            self._changed()

    def revert(self, source: str, snapshot_id: int) -> dict:
        _snapshot_id("snapshot_id", snapshot_id)
        _source_id(source)
        api.known_source(self.url, source)  # api.UnknownSource, as entries and history raise it
        try:
            return api.revert(self.url, source, snapshot_id)
        finally:
            self._changed()


def public_entry(e: dict) -> dict:
    """An entry as printed by --json and returned by Guard.entries (one shape, defined here)."""
    return {
        "source": e["source"],
        "seq": e["seq"],
        "name": e["name"],
        "aliases": e["aliases"],
        "urls": e["urls"],
        "domains": e["domains"],
        "companies": [c["name"] for c in e["companies"]],
        "company_details": e["companies"],
        "apps": [{"kind": a["kind"], "value": a["value"], "label": a["label"]} for a in e["apps"]],
        "region": e["region"],
        **({"extra": e["extra"]} if e.get("extra") else {}),
        "list": "user" if e.get("list") == "user" else "official",  # as in every match
        "first_seen": e.get("first_seen"),
        "last_seen": e.get("last_seen"),
    }


KINDS = (None, "name", "url", "text")


HTML_NOTE = "这是网页源代码：判断的是页面显示的文字和链接 (HTML source: what the page shows and links to was judged)"


def _markup(text: str) -> bool:
    """HTML source (scraper.visible.is_markup), without importing lxml for text that does not
    even start with "<"."""
    if text.lstrip()[:1] != "<":
        return False
    from .scraper import visible

    return visible.is_markup(text)


def _source(text: str):  # noqa: ANN202
    from .scraper.visible import page_source

    return page_source(text)


def future(day: date) -> str:
    """Why `day` cannot be a day the lists stood on ("" when it can): after tomorrow (a day of
    margin for the time zones between the user and this machine's clock)."""
    if day <= date.today() + timedelta(days=1):
        return ""
    return f"{day.isoformat()} is in the future: the lists of today are the newest there are"


SHOWS_NOTHING = "blank, only punctuation or symbols, or HTML that shows no text"  # what shows_nothing refuses, as said


def shows_nothing(text: str) -> bool:
    """Nothing to judge: no letter, digit or ideograph (blank, or punctuation and symbols only:
    "。，！？" names nothing and offers nothing), or HTML source that shows none and links nowhere."""
    if not _markup(text):
        return not has_words(text)
    shown, links = _source(text) or ("", [])
    return not has_words(shown) and not links


def _text(what: str, value: object, name: bool = False) -> None:
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str, not {type(value).__name__}")
    problem = undecoded(value, name)
    if problem:
        raise ValueError(f"{what} {problem}")


def undecoded(value: str, name: bool = False) -> str:
    """Why `value` is not text as typed ("" when it is): bytes read in the wrong encoding (a GBK
    terminal's 杜德配资 arrives as lone surrogates, or a percent-encoded GBK one as U+FFFD), which
    would be checked as some other name and come out clear. A text may hold U+FFFD (pages do)."""
    m = (_NOT_A_NAME if name else _NOT_TEXT).search(value)  # (a page of 2 MB, in C)
    if m is None:
        return ""
    return (
        f"holds bytes that are not text (U+{ord(m.group()):04X} at character {m.start() + 1}): "
        "it was read in another encoding than it was written in (use UTF-8)"
    )


_NOT_TEXT = re.compile("[\ud800-\udfff]")  # lone surrogates: bytes decoded with surrogateescape
_NOT_A_NAME = re.compile("[\ud800-\udfff\ufffd]")  # … or replaced by U+FFFD


def _not_blank(what: str, value: str) -> None:
    if is_blank(value):
        raise ValueError(f"nothing to check in an empty {what}")
    if not has_words(value):
        raise ValueError(f"nothing to check in the {what}: only punctuation or symbols, no letter, digit or character")


def _snapshot_id(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")


def _source_id(source: object) -> None:
    if not isinstance(source, str):
        raise TypeError(f"source must be a str, not {type(source).__name__}")


def _many(what: str, values: object) -> Iterable:
    """An iterable of strings, never one string read as its characters."""
    if isinstance(values, (str, bytes)):
        raise TypeError(f"{what}: give a list of strings, not one {type(values).__name__} (its characters)")
    return values  # type: ignore[return-value]
