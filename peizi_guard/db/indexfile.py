"""The matcher's index, saved once per set of current snapshots and read on demand.

Building the index over 100,000 entries takes seconds; a `check` needs a dozen look-ups. So the
index is written to an SQLite file when the lists change (import, refresh) or when it is found
missing or stale, and a later process opens it read-only and reads only the keys it asks for.
The file holds its key (format, package version, lexicon, settings and the snapshot set): one
that does not match, or cannot be read, is rebuilt, never trusted. Only JSON and plain strings
are stored, never pickles. Where it lives: beside an SQLite database (`<db>.index`), else in
the user cache directory under a digest of the database URL.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING
from pathlib import Path

from .engine import file_uri
from ..matcher.index import PAIR_MAPS, REF_MAPS, Index, Ref
from ..matcher.multi import Labels, Mentions, neighbourhoods
from ..matcher.settings import DEFAULT, Settings
from .engine import mask, sqlite_path

if TYPE_CHECKING:
    from .indexmake import Item, Part

TABLES = {m: i for i, m in enumerate(REF_MAPS + PAIR_MAPS)}  # a map's number in the `post` table

try:  # BLAKE2 as CPython builds it in: hashlib would load OpenSSL (3 ms of every cold check)
    from _blake2 import blake2b as _hash
except ImportError:  # pragma: no cover - other interpreters
    from hashlib import blake2b as _hash

FORMAT = "4"
SCHEMA = """
CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE refs (i INTEGER PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE post (t INTEGER NOT NULL, k TEXT NOT NULL, r INTEGER NOT NULL, s TEXT NOT NULL);
CREATE TABLE fuzzy (i INTEGER PRIMARY KEY, k TEXT NOT NULL, v TEXT NOT NULL);
CREATE TABLE near (d TEXT NOT NULL, i INTEGER NOT NULL);
CREATE TABLE words (kind TEXT NOT NULL, k TEXT NOT NULL);
"""


def path_for(url: str) -> str | None:
    """Where the index of the database at `url` lives; None for an in-memory database."""
    path = sqlite_path(url)
    if path:
        return path + ".index"
    if url.startswith("sqlite"):
        return None
    import platformdirs

    digest = _hash(mask(url).encode()).hexdigest()[:20]
    return str(Path(platformdirs.user_cache_dir("peizi-guard", appauthor=False)) / f"index-{digest}.sqlite")


def full_key(snapshots: str, settings_repr: str) -> str:
    """The index's identity: its format, the settings, the lists. (The code and data that build
    it are checked beside it: see `code_matches`.)"""
    parts = [FORMAT, settings_repr, snapshots]
    return _hash("\n".join(parts).encode()).hexdigest()


_CODE: dict[str, str] = {}


def _code_files() -> list[str]:
    """What shapes an index: the matcher's code, the index's own, and the language data (lexicon,
    pinyin, traditional forms, allow-list)."""
    from .. import PACKAGE

    def listed(folder: str, ends: str = "") -> list[str]:
        d = os.path.join(PACKAGE, folder)
        return sorted(os.path.join(d, f) for f in os.listdir(d) if f.endswith(ends) and not f.startswith("."))

    here = os.path.dirname(os.path.abspath(__file__))
    return (
        listed("matcher", ".py")
        + [
            os.path.join(PACKAGE, "normalise.py"),
            os.path.join(here, "indexfile.py"),
            os.path.join(here, "indexmake.py"),
        ]
        + listed("data", ".txt")
        + [os.path.join(PACKAGE, "data", "lexicon.json")]
        + listed(os.path.join("data", "allowlist"))
    )


def _code_digest() -> str:
    """A digest of the contents of what shapes an index: any change makes every saved index
    stale, and the same install gives the same digest on every machine (a shipped index is
    trusted there)."""
    if "content" not in _CODE:
        h = _hash()
        for f in _code_files():
            with open(f, "rb") as fh:
                h.update(os.path.basename(f).encode() + b"\0" + fh.read())
        _CODE["content"] = h.hexdigest()
    return _CODE["content"]


def _code_stamp() -> str:
    """The same files by name, size and modification time: a cheaper first check (0.2 ms, not
    1.5 ms of reading them) that, when it differs, falls back on the contents."""
    if "stamp" not in _CODE:
        h = _hash()
        for f in _code_files():
            st = os.stat(f)
            h.update(f"{f}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
        _CODE["stamp"] = h.hexdigest()
    return _CODE["stamp"]


def code_matches(meta: dict) -> bool:
    """Whether a saved index was built by this code and data."""
    return meta.get("stamp") == _code_stamp() or meta.get("code") == _code_digest()


def _fits(meta: dict, key: str) -> bool:
    return meta.get("key") == key and meta.get("format") == FORMAT and code_matches(meta)


def fits(path: str, key: str) -> bool:
    """Whether the file at `path` is an index this code would trust for `key` (see `load`)."""
    try:
        con = sqlite3.connect(file_uri(path, "mode=ro"), uri=True)
        try:
            return _fits(dict(con.execute("SELECT k, v FROM meta")), key)
        finally:
            con.close()
    except sqlite3.Error:
        return False


def write(entries: Iterable[Item], path: str, key: str, settings: Settings = DEFAULT, jobs: int = 1) -> int:
    """Index entry records straight into a file at `path` (atomically: a reader sees the old file
    or the new one), without the index in memory: the rows are made chunk by chunk (on `jobs`
    processes for a long list, 0: one per core; see indexmake) and appended, and SQLite sorts
    them. Returns the number of entries."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    _sweep(path)
    tmp = f"{path}.{os.getpid()}.{threading.get_ident()}.tmp"
    from .indexmake import no_collector, parts_prefix

    out = None
    prefix = parts_prefix(tmp)
    try:
        out = _Rows(tmp)
        with no_collector():
            n = _write(entries, out, key, settings, jobs, prefix)
        out.close()
        os.replace(tmp, path)
        return n
    except BaseException:
        if out is not None:
            out.close(failed=True)
        Path(tmp).unlink(missing_ok=True)  # a failed write leaves nothing behind
        raise
    finally:  # the workers' part files (named, not globbed: a folder may be called [x])
        name = Path(prefix).name
        for part in Path(tmp).parent.iterdir():
            if part.name.startswith(name) and part.name.endswith(".part"):
                part.unlink(missing_ok=True)


STALE = 3600  # seconds unchanged after which a writer's file, its process gone, is its leftover


def _sweep(path: str) -> None:
    """Remove what a writer killed mid-write left beside `path` (`<index>.<pid>.….tmp` and its
    part files): those of processes not running here and unchanged for STALE seconds (another
    container or host sharing the folder has pids of its own, and its writer keeps writing)."""
    import time

    start, now = Path(path).name + ".", time.time()
    for f in Path(path).parent.iterdir():
        if f.name.startswith(start) and f.name.endswith((".tmp", ".part")):
            pid = f.name[len(start) :].split(".", 1)[0]
            try:
                old = now - f.stat().st_mtime > STALE
            except OSError:
                continue
            if old and pid.isdigit() and not _running(int(pid)):
                f.unlink(missing_ok=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # another user's, or no pid: left alone
    return True


def _write(entries: Iterable[Item], out: _Rows, key: str, settings: Settings, jobs: int, prefix: str) -> int:
    from .indexmake import PartFile, made  # the rows' maker: not on a check's path

    fuzzy: dict[str, list[int]] = {}
    mentions: set[str] = set()
    companies: set[str] = set()
    labels: dict[str, None] = {}  # in order of first listing
    parts: list[Part] = []  # chunks made on worker processes, in order: copied from their files at the end
    here: PartFile | None = None  # chunks made here after some on workers join them, in order
    near: list[tuple[str, int]] = []
    n = n_refs = 0
    try:
        for no, chunk in enumerate(made(entries, settings, jobs, prefix)):
            if chunk.part is None and parts:
                here = here or PartFile(f"{prefix}main.part")
                chunk = here.add(no, chunk)
            if chunk.part is not None:
                parts.append(chunk.part)
                n_refs += chunk.part.refs
            else:
                out.put_chunk(chunk.refs, chunk.rows)
                n_refs += len(chunk.refs)
            for k, r in chunk.fuzzy:
                if k not in fuzzy:  # a new key: its neighbourhood now, while the workers work
                    fuzzy[k] = []
                    near += neighbourhoods([k], len(fuzzy) - 1)
                fuzzy[k].append(r)
            if len(near) >= 50_000:
                out.put("INSERT INTO near VALUES (?, ?)", near)
                near = []
            mentions.update(chunk.mentions)
            companies.update(chunk.companies)
            labels.update(dict.fromkeys(chunk.labels))
            n += chunk.entries
    finally:
        if here is not None:
            here.close()
    out.put("INSERT INTO near VALUES (?, ?)", near)
    _copy_parts(out, parts)
    keys = list(fuzzy)
    out.put("INSERT INTO fuzzy VALUES (?, ?, ?)", [(i, k, ",".join(map(str, fuzzy[k]))) for i, k in enumerate(keys)])
    del fuzzy
    out.put("INSERT INTO words VALUES ('mention', ?)", [(w,) for w in sorted(mentions)])
    out.put("INSERT INTO words VALUES ('company', ?)", [(w,) for w in sorted(companies)])
    out.put("INSERT INTO words VALUES ('label', ?)", [(w,) for w in labels])
    meta = {"key": key, "format": FORMAT, "code": _code_digest(), "stamp": _code_stamp()}
    meta.update(entries=str(n), fuzzy=str(len(keys)), refs=str(n_refs))
    out.put("INSERT INTO meta VALUES (?, ?)", [(k, str(v)) for k, v in meta.items()])
    out.put("CREATE INDEX post_tk ON post (t, k)", None)  # sorted by SQLite, in C
    out.put("CREATE INDEX near_d ON near (d)", None)
    return n


def _copy_parts(out: _Rows, parts: list[Part]) -> None:
    """The rows of chunks made on worker processes, copied from their part files in chunk order,
    in SQLite: the file is the one a single process writes."""
    attached: dict[str, str] = {}
    out.con.commit()  # a database is attached outside a transaction only
    for part in parts:
        if part.path not in attached:
            if len(attached) == ATTACH_AT_ONCE:  # (SQLite attaches ten at most)
                _detach(out, attached)
            attached[part.path] = f"p{len(attached)}"
            out.con.execute(f"ATTACH DATABASE ? AS {attached[part.path]}", (part.path,))
        db, lo = attached[part.path], part.chunk << 32
        out.con.execute(
            f"INSERT INTO refs SELECT i, v FROM {db}.refs WHERE i BETWEEN ? AND ?", (lo, lo + part.refs - 1)
        )
        out.con.execute(
            f"INSERT INTO post SELECT t, k, r, s FROM {db}.post WHERE rowid BETWEEN ? AND ? ORDER BY rowid",
            (part.first, part.last),
        )
    _detach(out, attached)


ATTACH_AT_ONCE = 8


def _detach(out: _Rows, attached: dict[str, str]) -> None:
    out.con.commit()
    for db in attached.values():
        out.con.execute(f"DETACH DATABASE {db}")
    attached.clear()


class _Rows:
    """The new file, written batch by batch. (A writing thread gained nothing: SQLite releases
    the GIL for each row's step only, and the two threads took turns.)"""

    def __init__(self, path: str):
        self.con = sqlite3.connect(path)
        self.con.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + SCHEMA)

    def put(self, sql: str, rows: list | None) -> None:
        self.con.execute(sql) if rows is None else self.con.executemany(sql, rows)

    def put_chunk(self, refs: list, rows: list) -> None:
        """A chunk's refs and `post` rows (indexmake.Made), here or in a worker's part file."""
        self.put("INSERT INTO refs VALUES (?, ?)", refs)
        self.put("INSERT INTO post VALUES (?, ?, ?, ?)", rows)

    def close(self, failed: bool = False) -> None:
        if not failed:
            self.con.commit()
        self.con.close()


def _reader(ix: Index) -> _Reader | None:
    """The connection a saved index is read on (None for an index built in memory)."""
    db = getattr(ix.names, "db", None)
    return db if isinstance(db, _Reader) else None


def read_whole(ix: Index, up_to: int | None = None) -> None:
    """What bulk work reads whole after its first look-ups, read now (before forking workers),
    for a saved index of at most `up_to` refs (default: WHOLE_UP_TO)."""
    reader = _reader(ix)
    if reader is None or reader.n_refs > (WHOLE_UP_TO if up_to is None else up_to):
        return
    for m in TABLES:
        t = getattr(ix, m)
        if isinstance(t, _Map):
            t.read_keys()
    for part in (ix.fuzzy_keys, ix.fuzzy_refs, ix.near, reader):
        if isinstance(part, (_Column, _Near, _Reader)):
            part.read_whole()


_FORKED: list[sqlite3.Connection] = []  # a parent's connections a forked child never uses nor closes


def reopen(ix: Index) -> None:
    """In a forked child: the saved index read on a connection of its own (SQLite forbids using
    one opened before the fork); what the parent read stays, shared."""
    db = _reader(ix)
    if db is not None:
        _FORKED.append(db.con)
        db.con = _open_shared(db.path)
        db.lock = threading.Lock()


def _open_shared(path: str) -> sqlite3.Connection:
    """The saved index opened read-only, for every thread of this process (scan's)."""
    return sqlite3.connect(file_uri(path, "mode=ro"), uri=True, check_same_thread=False)


class IndexDamaged(Exception):
    """The saved index cannot be read past its header (damaged on disk): it is written again."""


def load(path: str | None, key: str, settings, model=None) -> Index | None:  # noqa: ANN001
    """The saved index if it is there, readable and built for `key`; else None (rebuild it)."""
    if not path or not os.path.exists(path):
        return None
    try:
        con = _open_shared(path)
    except sqlite3.Error:
        return None
    try:
        meta = dict(con.execute("SELECT k, v FROM meta"))
    except sqlite3.Error:
        con.close()
        return None
    if not _fits(meta, key):
        con.close()
        return None
    db = _Reader(con, int(meta["refs"]), path)
    ix = Index(entries=int(meta["entries"]), settings=settings, model=model, lists_key=key)
    for m, t in TABLES.items():
        setattr(ix, m, _Map(db, t, pairs=m in PAIR_MAPS))
    ix.fuzzy_keys = _Column(db, "k", int(meta["fuzzy"]), decode=lambda v: v)
    ix.fuzzy_refs = _Column(db, "v", int(meta["fuzzy"]), decode=db.refs_of)
    ix.near = _Near(db)
    try:
        ix.mentions = _LazyMentions(db) if db.has_words("mention") else None
        ix.company_mentions = _LazyMentions(db, "company") if db.has_words("company") else None
        ix.labels_in_text = _LazyLabels(db) if db.has_words("label") else None
    except IndexDamaged:
        con.close()
        return None
    return ix


class _Reader:
    """One read-only connection shared by threads (scan), one statement at a time."""

    def __init__(self, con: sqlite3.Connection, refs: int, path: str = ""):
        self.con, self.lock, self.path = con, threading.Lock(), path
        self.n_refs, self.asked = refs, 0
        self.cache: dict[int, Ref] = {}
        self.whole: dict[int, str] | None = None  # every ref's JSON, for bulk work

    def all(self, sql: str, params: tuple = ()) -> list:
        with self.lock:
            try:
                return self.con.execute(sql, params).fetchall()
            except sqlite3.DatabaseError as exc:  # "database disk image is malformed"
                raise IndexDamaged(f"{self.path}: {exc}") from exc

    def among(self, sql: str, values: list) -> list:
        """`sql` ending in "IN", for `values`: in batches, as SQLite takes at most 999 parameters
        a statement before 3.32 (a key with thousands of refs: a shared host's listed pages)."""
        out = []
        for at in range(0, len(values), 500):
            part = tuple(values[at : at + 500])
            out += self.all(f"{sql} ({','.join('?' * len(part))})", part)
        return out

    def read_whole(self) -> None:
        if self.whole is None and self.n_refs <= WHOLE_UP_TO:
            self.whole = dict(self.all("SELECT i, v FROM refs"))

    def refs_of(self, value: str) -> list[Ref]:
        return self.refs([int(i) for i in value.split(",")]) if value else []

    def refs(self, ids: list[int]) -> list[Ref]:
        """The refs numbered `ids`, read once and kept."""
        cache = self.cache
        out = [cache.get(i) for i in ids]
        missing = [i for i, r in zip(ids, out) if r is None]
        if not missing:
            return out  # type: ignore[return-value]
        if self.whole is None:
            self.asked += 1
            if self.asked == WHOLE_AFTER:
                self.read_whole()
        try:
            if self.whole is not None:
                got = {i: Ref(*json.loads(self.whole[i])) for i in missing}
            else:
                got = {i: Ref(*json.loads(v)) for i, v in self.among("SELECT i, v FROM refs WHERE i IN", missing)}
        except (ValueError, TypeError, KeyError) as exc:  # a row the disk damaged yet SQLite read
            raise IndexDamaged(f"{self.path}: unreadable ref ({exc})") from exc
        if len(got) < len(set(missing)):
            raise IndexDamaged(f"{self.path}: refs missing")
        if len(cache) > 200_000:
            self.cache = cache = {}
        cache.update(got)
        return [r if r is not None else got[i] for i, r in zip(ids, out)]

    def words(self, kind: str) -> list[str]:
        return [k for (k,) in self.all("SELECT k FROM words WHERE kind = ?", (kind,))]

    def has_words(self, kind: str) -> bool:
        return bool(self.all("SELECT 1 FROM words WHERE kind = ? LIMIT 1", (kind,)))


WHOLE_AFTER = 256  # look-ups before a table (a map's keys) is read whole: bulk work …
WHOLE_UP_TO = 300_000  # … when it has at most this many rows (else each look-up stays a query)


_UNREAD = object()


class _Map:
    """A read-only mapping of one saved table; answers are kept once read, and after WHOLE_AFTER
    look-ups its keys are read at once (bulk work: misses then cost nothing)."""

    def __init__(self, db: _Reader, table: int, pairs: bool):
        self.db, self.table, self.pairs = db, table, pairs
        self.seen: dict[str, list | None] = {}
        self.keys: frozenset[str] | None = None
        self.asked = 0

    def get(self, key: str, default=()):  # noqa: ANN001
        keys = self.keys
        if keys is not None and key not in keys:  # most look-ups of bulk work: a key not there
            return default
        value = self.seen.get(key, _UNREAD)
        if value is not _UNREAD:
            return value if value is not None else default
        if keys is None:
            self.asked += 1
            if self.asked > WHOLE_AFTER and key not in self.read_keys():
                return default
        rows = self.db.all("SELECT s, r FROM post WHERE t = ? AND k = ? ORDER BY rowid", (self.table, key))
        value = None
        if rows:
            refs = self.db.refs([r for _, r in rows])
            value = list(zip([s for s, _ in rows], refs)) if self.pairs else refs
        if len(self.seen) > 200_000:
            self.seen.clear()
        self.seen[key] = value
        return value if value is not None else default

    def read_keys(self) -> frozenset[str]:
        if self.keys is None:
            self.keys = frozenset(k for (k,) in self.db.all("SELECT DISTINCT k FROM post WHERE t = ?", (self.table,)))
        return self.keys


class _Column(Sequence):
    """ix.fuzzy_keys / ix.fuzzy_refs: a list read by position."""

    def __init__(self, db: _Reader, column: str, n: int, decode):  # noqa: ANN001
        self.db, self.column, self.n, self.decode = db, column, n, decode
        self.asked = 0
        self.whole: list | None = None

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i):  # noqa: ANN001, ANN204
        if not isinstance(i, int):
            raise TypeError("read by position only")
        if self.whole is None:
            self.asked += 1
            if self.asked == WHOLE_AFTER:
                self.read_whole()
        if self.whole is not None:
            if not 0 <= i < len(self.whole):
                raise IndexError(i)
            return self.decode(self.whole[i])
        rows = self.db.all(f"SELECT {self.column} FROM fuzzy WHERE i = ?", (i,))
        if not rows:
            raise IndexError(i)
        return self.decode(rows[0][0])

    def read_whole(self) -> None:
        if self.whole is None and self.n <= WHOLE_UP_TO:
            self.whole = [v for (v,) in self.db.all(f"SELECT {self.column} FROM fuzzy ORDER BY i")]


class _Near:
    """Keys within one edit of a query, from the saved deletion neighbourhoods."""

    def __init__(self, db: _Reader):
        self.db = db
        self.asked = 0
        self.by: dict[str, list[int]] | None = None

    def candidates(self, query: str) -> list[int]:
        probes = {query} | {query[:i] + query[i + 1 :] for i in range(len(query))}
        if self.by is None:
            self.asked += 1
            if self.asked == WHOLE_AFTER:
                self.read_whole()
        by = self.by
        if by is not None:
            found: set[int] = set()
            for d in probes:
                if d in by:
                    found.update(by[d])
            return sorted(found)
        return sorted({i for (i,) in self.db.among("SELECT i FROM near WHERE d IN", sorted(probes))})

    def read_whole(self) -> None:
        if self.by is None and self.db.all("SELECT count(*) FROM near")[0][0] <= WHOLE_UP_TO:
            by: dict[str, list[int]] = {}
            for d, i in self.db.all("SELECT d, i FROM near"):
                by.setdefault(d, []).append(i)
            self.by = by


class _LazyMentions:
    """Mentions built from the saved words on first use (text checks only)."""

    def __init__(self, db: _Reader, kind: str = "mention"):
        self.db, self.kind = db, kind
        self.obj: Mentions | None = None

    def find(self, text: str) -> list[str]:
        if self.obj is None:
            self.obj = Mentions(self.db.words(self.kind))
        return self.obj.find(text)


class _LazyLabels:
    def __init__(self, db: _Reader):
        self.db = db
        self.obj: Labels | None = None

    def find(self, text: str, after: tuple[str, ...] = (), before: tuple[str, ...] = ()) -> list[str]:
        if self.obj is None:
            self.obj = Labels(self.db.words("label"))
        return self.obj.find(text, after, before)
