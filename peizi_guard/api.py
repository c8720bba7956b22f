"""Library functions behind every command: import and call these; cli.py only wires them up."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from .builtin import builtin_sources, seed
from .db.engine import DbError, mask, open_engine, read_only_file, resolve_url, sqlite_path
from .db.fast import read_current, scan_results_file, tagged, try_scan_write
from .errors import DocumentError
from .sources import load_sources, source_meta


def session(url: str):
    from sqlalchemy.orm import Session

    return Session(open_engine(url), expire_on_commit=False)


@contextmanager
def sessions(url: str) -> Iterator:
    """A session factory on one engine, opened and its schema checked once, for a job that
    stores many times (scan's batches: an engine and a schema check each cost more than the
    batch). Each session has its own connection, closed at its end; the engine, at the end."""
    from sqlalchemy.orm import sessionmaker

    engine = open_engine(url, pooled=False)
    try:
        yield sessionmaker(engine, expire_on_commit=False)
    finally:
        engine.dispose()


def ensure_seeded(url: str) -> None:
    """Seed an empty database from the shipped lists (no network, ever). Processes starting
    together on a new database take turns: the first seeds, the others find it seeded."""
    from .db.lock import setup_lock

    with session(url) as s, setup_lock(s.get_bind()):
        with s.begin():
            seeded = seed(s)
    if seeded:
        checkpoint(url)


def checkpoint(url: str) -> None:
    """Fold an SQLite database's write-ahead log into its file, so that the file alone holds
    every list (a copy of it is complete). SQLite folds it only past about 4 MB by itself."""
    import sqlite3

    path = sqlite_path(url)
    if not path:
        return
    try:
        con = sqlite3.connect(path, timeout=2)
        try:
            con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            con.close()
    except sqlite3.Error:
        pass  # busy readers or a read-only file: the log stays, nothing is lost


def check_writable(db: str | None, why: str = "this command stores what it finds in it") -> None:
    """DbError unless this process can write the database, before a long job whose results would
    be lost at its end: a read-only SQLite file or folder, a server that refuses a write (a
    read-only user or replica) or cannot be reached. The test write, one scan result, is rolled back."""
    import sqlite3
    from datetime import datetime

    url = resolve_url(db)
    path = sqlite_path(url)
    if path and read_only_file(path):
        raise DbError(f"the database is read-only: {why} ({path} or its folder cannot be written)")
    file = scan_results_file(url)
    if file is not None:  # written as scan will write it, without the ORM
        try:
            return try_scan_write(file)
        except sqlite3.Error as exc:
            raise _refused(url, why, exc) from None

    from sqlalchemy.exc import SQLAlchemyError

    from .db.models import ScanResult

    try:
        with session(url) as s:
            s.begin()
            try:
                s.add(ScanResult(url="", verdict="unchecked", fetched_at=datetime.now(), result="{}"))
                s.flush()
            finally:
                s.rollback()
    except SQLAlchemyError as exc:
        raise _refused(url, why, exc) from None


def _refused(url: str, why: str, exc: Exception) -> DbError:
    """The one-line error for a test write refused by the database (sqlite3's or SQLAlchemy's)."""
    first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if "readonly database" in first or "read-only transaction" in first:
        return DbError(f"the database is read-only: {why}")
    return DbError(mask(f"cannot write to the database {url}: {first}"))


def current(db: str | None = None, as_of: date | None = None) -> dict:
    """The lists as they stand now (or stood on `as_of`): {"sources": [{id, snapshot, entries}]}."""
    url = resolve_url(db)
    if as_of is None:
        data = read_current(url, builtin_sources())
        if data is not None:
            return data
    from .db import store

    ensure_seeded(url)
    with session(url) as s:
        return store.current_lists(s, as_of)


def entries(db: str | None = None, source: str | None = None, as_of: date | None = None) -> list[dict]:
    """Entry records of the current lists, each with its `source`."""
    out = []
    for src in current(db, as_of)["sources"]:
        if source and src["id"] != source:
            continue
        out += [tagged(dict(e), src["id"], src.get("kind")) for e in src["entries"]]
    return out


def find_entry(db: str | None, seq: int, source: str | None = None) -> list[dict]:
    return [e for e in entries(db, source) if e["seq"] == seq]


def sources(db: str | None = None) -> list[dict]:
    """Each source with every snapshot (dates, counts; `current` marks the one checked against)."""
    from sqlalchemy import select

    from .db import store
    from .db.models import Source

    url = resolve_url(db)
    ensure_seeded(url)
    with session(url) as s:
        out = []
        for src in s.scalars(select(Source).order_by(Source.id)):
            snaps = store.snapshots_of(s, src.id)
            now = store.current_snapshot(s, src.id)
            metas = [dict(store.snapshot_meta(x), current=now is not None and x.id == now.id) for x in snaps]
            out.append(dict(store.source_info(src), snapshots=metas))
        return out


def import_document(
    db: str | None,
    data: bytes,
    source: str,
    *,
    published: date | None = None,
    origin: str = "",
    hint: str = "",
    force: bool = False,
    jobs: int = 1,
):
    """Parse and store one official document. An older document joins the history and leaves the
    current list as it is; one that would shrink the current list (under half of its rows, or
    removing more than it keeps) is refused unless `force`. Raises DocumentError, leaving the
    database untouched. `jobs`: processes indexing a long list (see refresh_index)."""
    from .db import store
    from .refresh import MIN_KEEP
    from .scraper.capped import parse_document

    url = resolve_url(db)
    ensure_seeded(url)
    with session(url) as s:  # the same bytes again: unchanged, without parsing them (a PDF takes seconds)
        same = store.stored_already(s, source, data)
    if same is not None:
        return same
    layout = source_meta(source).get("layout", "")
    doc = parse_document(data, hint or origin, expect_layout=layout)
    from .db.lock import change_lock  # SQLAlchemy, only where the lists change

    # under a name of the user's own (sac-2019-01), a copy of an official document is the user's
    # list: matches say "your list", never "official list" (it is not the source kept current)
    meta = source_meta(source) if source in load_sources() else user_meta(source)
    with session(url) as s, change_lock(s.get_bind()), s.begin():
        problem = "" if force else store.shrink_problem(s, source, doc, published, MIN_KEEP)
        if problem:
            raise DocumentError(f"refused: {problem}")
        res = store.ingest(s, meta, doc, data, published=published, origin=origin)
    _after_change(db, res, jobs)
    return res


def user_meta(source: str) -> dict:
    """How a list the user imported under a name of their own is described."""
    return {"id": source, "kind": "user", "publisher": "user list", "title": f"user list {source}", "url": ""}


def _after_change(db: str | None, res, jobs: int) -> None:  # noqa: ANN001
    """A new current list, or an earlier issue of an official one (its dropped entries are
    evidence): save the index now, so that no later check has to build it."""
    if res.status == "added":
        refresh_index(db, jobs)


def import_file(
    db: str | None, path: str, source: str, published: date | None = None, force: bool = False, jobs: int = 1
):
    """An official document, or — for a .csv / .jsonl file — a user list (see import_user_list)."""
    from .scraper.userlist import is_user_list
    from .sources import id_problem

    problem = id_problem(source)
    if problem:
        raise DocumentError(problem)
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise DocumentError(f"{path}: cannot read: {exc.strerror}") from None
    if is_user_list(p.name):
        from .db.indexmake import no_collector

        with no_collector():  # 100,000 rows parsed and stored: millions of acyclic objects, 2-3 s of passes
            return import_user_list(
                db, data, source, published=published, origin=str(p.resolve()), hint=p.name, force=force, jobs=jobs
            )
    try:
        return import_document(
            db, data, source, published=published, origin=str(p.resolve()), hint=p.name, force=force, jobs=jobs
        )
    except DocumentError as exc:
        from .scraper.formats import NOT_A_DOCUMENT

        from .scraper.parse import NO_TABLE

        if str(exc).startswith(NO_TABLE) and source not in load_sources():
            raise DocumentError(  # an own list kept in a spreadsheet
                f"{exc}; your own list is read from a .csv or .jsonl file (name, company, urls, aliases, "
                "note): save the sheet as CSV UTF-8"
            ) from None
        if not str(exc).startswith(NOT_A_DOCUMENT):
            raise
        raise DocumentError(
            f"{NOT_A_DOCUMENT} (an official list), nor a .csv or .jsonl file "
            "(your own list: name, company, urls, aliases, note)"
        ) from None


def import_user_list(
    db: str | None,
    data: bytes,
    source: str,
    *,
    published: date | None = None,
    origin: str = "",
    hint: str = "",
    force: bool = False,
    jobs: int = 1,
):
    """Create or update a user's own list (CSV or JSON lines: name, company, urls, aliases, note).
    Official sources are read-only to this path; a new version that would shrink the list is
    refused unless `force`, as for official lists. The file is the list: the same bytes as an
    earlier snapshot make that snapshot current again (status "reverted", an event in the
    history, as `revert` makes it), under the same refusal. `published` dates the version as for
    an official document: an older one is filed in the history, the current list stays."""
    from sqlalchemy import select

    from .db import store
    from .db.models import Source
    from .refresh import MIN_KEEP
    from .scraper.userlist import parse_user_list

    official = f"{source} is an official list: give your own list a name of its own (--source my-blocklist)"
    if source in load_sources():
        raise DocumentError(official)
    doc = parse_user_list(data, hint or origin)
    url = resolve_url(db)
    ensure_seeded(url)
    from .db.lock import change_lock  # SQLAlchemy, only where the lists change

    with session(url) as s, change_lock(s.get_bind()), s.begin():
        have = s.get(Source, source)
        if have is not None and (have.kind or "official") != "user":
            raise DocumentError(official)
        twin = next((x for (x,) in s.execute(select(Source.id)) if x != source and x.lower() == source.lower()), None)
        if have is None and twin is not None:
            raise DocumentError(
                f"there is a list {twin!r} already: use that name (names differing only in case are one list)"
            )
        problem = "" if force else store.shrink_problem(s, source, doc, published, MIN_KEEP)
        if problem:
            raise DocumentError(f"refused: {problem}")
        res = store.stored_already(s, source, data, doc.warnings)
        if res is not None and published is not None:
            from .db.models import Snapshot

            stored = s.get(Snapshot, res.snapshot_id)
            if stored is not None and stored.published != published:  # never silently dropped
                res.warnings.append(
                    f"this file is snapshot {res.snapshot_id} already: it keeps its date "
                    f"({stored.published or stored.order_date}), not --published {published}"
                )
        if res is not None and not res.current:  # an earlier version of the file: current again
            res = _current_again(s, res)
        else:
            res = store.ingest(s, user_meta(source), doc, data, published=published, origin=origin)
    del doc  # stored: its memory is the index build's now
    if res.status == "reverted":
        refresh_index(db, jobs)  # a new current list, as after `revert`
    else:
        _after_change(db, res, jobs)
    return res


def _current_again(s, res):  # noqa: ANN001, ANN202
    """A user list's earlier snapshot made current again, as `revert` does (an event in the
    history): what `res`, the "unchanged" answer for its bytes, becomes."""
    from .db import store

    before = store.member_keys(s, res.current_id) if res.current_id else {}
    store.revert(s, res.source, res.snapshot_id, note=f"import of the same file as snapshot {res.snapshot_id}")
    keys = store.member_keys(s, res.snapshot_id)
    res.status, res.current, res.current_id = "reverted", True, res.snapshot_id
    res.added = [k for k in keys if k not in before]
    res.removed = [k for k in before if k not in keys]
    res.changed = [k for k in keys if k in before and before[k] != keys[k]]
    res.kept = len(keys.keys() & before.keys()) - len(res.changed)
    return res


def revert(db: str | None, source: str, snapshot_id: int, jobs: int = 1):
    """Make an earlier snapshot of `source` the current list again (until a newer document)."""
    from .db import store

    url = resolve_url(db)
    ensure_seeded(url)
    from .db.lock import change_lock  # SQLAlchemy, only where the lists change

    with session(url) as s, change_lock(s.get_bind()), s.begin():
        was = store.current_snapshot(s, source)
        try:
            meta = store.snapshot_meta(store.revert(s, source, snapshot_id, note=f"revert to snapshot {snapshot_id}"))
        except LookupError as exc:
            raise DocumentError(str(exc)) from None
        # what the revert changed, counted as import and diff count it: the list it replaced against it
        d = store.diff(s, was.id, snapshot_id) if was is not None else None
    refresh_index(db, jobs)
    if d is None:
        return dict(meta, replaced=None, added=meta["entry_count"], removed=0, changed=0, kept=0)
    counts = {k: len(d[k]) for k in ("added", "removed", "changed")}
    return dict(meta, replaced=d["old"], **counts, kept=d["kept"])


__all__ = [
    "DbError",
    "IndexInterrupted",
    "DocumentError",
    "NoLists",
    "UnknownSource",
    "current",
    "entries",
    "find_entry",
    "import_file",
    "import_document",
    "sources",
]


class NoLists(DocumentError):
    """There is no list to check against: an empty database, or a date before every snapshot."""


class UnknownSource(DocumentError):
    """No source, official or a user's list, has this id."""


def user_lists(db: str | None = None) -> list[str]:
    """The ids of the user's own lists whose current list has entries (read from the small read
    model where it applies)."""
    lists = read_current(resolve_url(db), builtin_sources(), entries=False)
    if lists is not None:
        return [s["id"] for s in lists["sources"] if s.get("kind") == "user" and s["snapshot"]["entry_count"]]
    return [
        s["id"]
        for s in sources(db)
        if s.get("kind") == "user" and any(x["current"] and x["entry_count"] for x in s["snapshots"])
    ]


def known_source(db: str | None, source: str | None) -> None:
    """UnknownSource unless `source` (when given) is the id of a list in the database (read from
    the small read model where it applies: not every entry of every list)."""
    if source is None:
        return
    lists = read_current(resolve_url(db), builtin_sources(), entries=False) or current(db)
    have = [s["id"] for s in lists["sources"]]
    if source not in have:
        raise UnknownSource(f"unknown source: {source} (have {', '.join(have)})")


def load_index(db: str | None = None, as_of: date | None = None, damaged: bool = False):
    """The matcher's index over the current (or as-of) lists; NoLists when there are none. The
    current lists' index is read from its saved file when that was built for exactly these lists
    (see db/indexfile.py), else written for this process and the next ones; `damaged`: the saved
    file failed a read (indexfile.IndexDamaged), so it is written again whatever its header says."""
    from .db import indexfile
    from .matcher import DEFAULT, build

    url = resolve_url(db)
    path = sqlite_path(url)
    if as_of is not None and path and not Path(path).exists():  # the past is read, never made (seeded) here
        raise NoLists(f"no database at {path}: the lists as they stood on {as_of.isoformat()} are read from one")
    key = index_key(url) if as_of is None else None
    if key and not damaged:
        ix = indexfile.load(indexfile.path_for(url), key, DEFAULT)
        if ix is not None and ix.entries:
            return ix
    rows = entries(db, as_of=as_of)
    if not rows:
        when = f" on {as_of.isoformat()} (before the first snapshot of every source)" if as_of else ""
        raise NoLists(
            f"no official list to check against{when}; "
            + (
                "try a later --as-of date"
                if as_of
                else "the database holds no snapshot (peizi-guard refresh or import)"
            )
        )
    if as_of is None:  # under the key read now: reading the entries may have seeded the database
        rows += former_entries(url)
        written = _write_index(url, rows)
        if written is not None:
            ix = indexfile.load(*written, DEFAULT)
            if ix is not None:
                return ix
    return build(rows)


def former_entries(url: str) -> list[dict]:
    """Entries official lists dropped from their current issue (store.iter_former_records): in
    the index of the current lists, as evidence of their own kind."""
    from .db import store

    with session(url) as s:
        return list(store.iter_former_records(s))


def index_key(url: str) -> str | None:
    """The key the saved index of the current lists must carry (None when it cannot be read)."""
    from .db import indexfile
    from .db.fast import read_key
    from .matcher import DEFAULT

    key = read_key(url)
    if key is None:
        from .db import store  # the ORM only where the standard library cannot read the key

        try:
            with session(url) as s:
                key = store.read_model_key(s)
        except DbError:
            return None
    return indexfile.full_key(key, repr(DEFAULT)) if key else None


def _write_index(url: str, rows, jobs: int = 1) -> tuple[str, str] | None:  # noqa: ANN001
    """Write the index of `rows` (an iterable of entry records): (its path, its key), or None when
    it cannot be written (a read-only directory or a full disk only costs the next process a rebuild)."""
    import sqlite3

    from .db import indexfile

    key, path = index_key(url), indexfile.path_for(url)
    if not key or not path:
        return None
    try:
        indexfile.write(rows, path, key, jobs=jobs)
    except (OSError, sqlite3.Error):
        return None
    return path, key


def refresh_index(db: str | None = None, jobs: int = 1) -> None:
    """Write the index of the current lists now (after an import or refresh), so that the next
    check need not; the entries stream from the database into the file. `jobs` > 1 (0: one per
    core) indexes a list of 20,000 entries or more on spawned processes: the CLI's choice; a
    library caller opts in, as spawned processes re-import a script without a main guard."""
    from .db import store

    import itertools

    url = resolve_url(db)
    try:
        with session(url) as s:
            rows = itertools.chain(store.iter_current_rows(s), store.iter_former_records(s))
            _write_index(url, rows, jobs)
    except KeyboardInterrupt as exc:  # the lists are stored: only their index is left to make
        raise IndexInterrupted from exc
    checkpoint(url)  # every change of the lists ends here


class IndexInterrupted(KeyboardInterrupt):
    """Interrupted while the index was written, after the change of the lists was stored (the
    next check makes the index again)."""


def refresh(
    db: str | None = None,
    source_ids: list[str] | None = None,
    *,
    url: str | None = None,
    force: bool = False,
    fetcher=None,
    allow_private: bool = False,
    deadline: float | None = None,
    jobs: int = 1,
) -> list:
    """Refresh sources (all known ones by default). Returns one Outcome per source, after one for
    each shipped issue of theirs the database lacked (seeded by a peizi-guard that shipped the
    current issues only: filed now, offline). Every address is vetted (no private ones unless
    `allow_private`); the whole run ends after `deadline` s. `jobs`: processes indexing a long
    list (see refresh_index)."""
    from .scraper.fetch import DEADLINE, Fetcher

    fetcher = fetcher or Fetcher(allow_private=allow_private, deadline=deadline or DEADLINE)
    url_ = resolve_url(db)
    if read_current(url_, builtin_sources()) is None:
        ensure_seeded(url_)
    ids = list(source_ids or load_sources())
    outcomes = _file_shipped(url_, set(ids)) + [_refresh_one(url_, sid, url, force, fetcher) for sid in ids]
    if any(o.status == "added" for o in outcomes):  # (an earlier issue adds dropped entries)
        refresh_index(db, jobs)
    return outcomes


def _file_shipped(url: str, sources: set[str]) -> list:
    """The shipped issues of `sources` the database lacks, filed (in their place in the history:
    they are older than the current list a database seeded with it holds); a database another
    program keeps locked is left for the next refresh."""
    from .builtin import ingest, not_stored
    from .db import store
    from .db.engine import locked
    from .db.lock import change_lock
    from .refresh import stored_outcome

    out = []
    try:
        with session(url) as s, change_lock(s.get_bind()), s.begin():
            for doc in not_stored(s, sources):
                res = ingest(s, doc)
                said = "shipped with peizi-guard, not yet in this database"
                out.append(stored_outcome(doc["source"], res, f"builtin:{doc['file']}", said))
            if out:
                store.rebuild_read_model(s)
    except Exception as exc:
        if not locked(exc):
            raise
        return []
    return out


def _refresh_one(url_: str, source_id: str, url: str | None, force: bool, fetcher):  # noqa: ANN001, ANN202
    """One source's Outcome; a database another program keeps locked fails that source, said."""
    from .db.engine import LOCKED, locked
    from .refresh import Outcome, refresh_source

    try:
        return refresh_source(url_, lambda: session(url_), source_id, url=url, force=force, fetcher=fetcher)
    except Exception as exc:
        if not locked(exc):
            raise
        return Outcome(source_id, "failed", LOCKED)


def history(db: str | None = None, source: str | None = None) -> list[dict]:
    """Every snapshot of each source, oldest first, with added / removed / kept against the one before."""
    from .db import store

    out = []
    with session(resolve_url(db)) as s:
        for src in sources(db):
            if source and src["id"] != source:
                continue
            prev: dict[str, int] = {}
            seen: dict[int, dict[str, int]] = {}  # each snapshot read once: {identity: version}
            current = store.current_snapshot(s, src["id"])
            for snap in src["snapshots"]:
                keys = seen[snap["id"]] = store.member_keys(s, snap["id"])
                out.append(
                    dict(
                        snap,
                        source=src["id"],
                        event="snapshot",
                        current=current is not None and snap["id"] == current.id,
                        **_counts(prev, keys),
                    )
                )
                prev = keys
            for ev in store.events_of(s, src["id"]):
                row = {
                    "source": src["id"],
                    "event": ev.kind,
                    "id": ev.snapshot_id,
                    "at": ev.at.isoformat(timespec="seconds"),
                    "note": ev.note,
                    "replaced": ev.replaced_id,  # None: a revert recorded before this was kept
                }
                if ev.replaced_id in seen and ev.snapshot_id in seen:
                    row.update(_counts(seen[ev.replaced_id], seen[ev.snapshot_id]))
                out.append(row)
    return out


def _counts(old: dict[str, int], new: dict[str, int]) -> dict[str, int]:
    """added / removed / changed / kept from one list to another ({identity: version} each)."""
    both = new.keys() & old.keys()
    changed = sum(new[k] != old[k] for k in both)  # the same entry, printed otherwise
    return {
        "added": len(new.keys() - old.keys()),
        "removed": len(old.keys() - new.keys()),
        "changed": changed,
        "kept": len(both) - changed,
    }


def diff(db: str | None, source: str, old: int | None = None, new: int | None = None) -> dict:
    """Entries added and removed between two snapshots (default: the current list against the one
    before it; when a revert, or an earlier version imported again, made an older snapshot current:
    the newest snapshot against the list now current)."""
    from .db import store

    metas: list[dict] = next((x for x in sources(db) if x["id"] == source), {"snapshots": []})["snapshots"]
    snaps = [m["id"] for m in metas]
    if not snaps:
        raise DocumentError(f"unknown source or no snapshots: {source}")
    if old is None and new is None:
        if len(snaps) < 2:
            raise DocumentError(f"{source} has only one snapshot ({snaps[0]}): nothing to compare")
        now = next((m["id"] for m in metas if m["current"]), snaps[-1])
        old, new = (snaps[-2], snaps[-1]) if now == snaps[-1] else (snaps[-1], now)
    for sid in (old, new):
        if sid not in snaps:
            raise DocumentError(f"snapshot {sid} is not a snapshot of {source} (have {', '.join(map(str, snaps))})")
    assert old is not None and new is not None
    with session(resolve_url(db)) as s:
        d = store.diff(s, old, new)

    def shown(e: dict) -> dict:  # the entry's identity, not the stored version's key ("… ~2")
        return dict(e, key=store.identity(e["key"]))

    d["added"], d["removed"] = [shown(e) for e in d["added"]], [shown(e) for e in d["removed"]]
    d["changed"] = [{"old": shown(c["old"]), "new": shown(c["new"])} for c in d["changed"]]
    return dict(d, source=source)
