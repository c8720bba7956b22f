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

import hashlib
import json
import os
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path

from ..matcher.index import Index, Ref
from ..matcher.multi import Labels, Mentions, Near
from .engine import mask, sqlite_path

FORMAT = "1"
MAPS = ("names", "companies", "company_cores", "spelled", "hosts", "domains")  # key → [Ref]
PAIR_MAPS = ("sounds", "paths", "labels", "stems")  # key → [(str, Ref)]
SCHEMA = """
CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE kv (m TEXT NOT NULL, k TEXT NOT NULL, v TEXT NOT NULL, PRIMARY KEY (m, k)) WITHOUT ROWID;
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

    digest = hashlib.sha256(mask(url).encode()).hexdigest()[:20]
    return str(Path(platformdirs.user_cache_dir("peizi-guard", appauthor=False)) / f"index-{digest}.sqlite")


def full_key(snapshots: str, settings_repr: str) -> str:
    """The index's identity: its format, the code and data that build it, the settings, the lists."""
    parts = [FORMAT, _code_digest(), settings_repr, snapshots]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


_CODE: list[str] = []


def _code_digest() -> str:
    """A digest of what shapes an index: the matcher's code and the language data (lexicon,
    pinyin, allow-list). Any change to them makes every saved index stale."""
    if not _CODE:
        root = Path(__file__).resolve().parent.parent
        files = (
            sorted((root / "matcher").glob("*.py"))
            + [root / "normalise.py"]
            + sorted((root / "data").glob("*.txt"))
            + [root / "data" / "lexicon.json"]
            + sorted((root / "data" / "allowlist").glob("*"))
        )
        h = hashlib.sha256()
        for f in files:
            h.update(f.name.encode() + b"\0" + f.read_bytes())
        _CODE.append(h.hexdigest())
    return _CODE[0]


def _ref(r: Ref) -> list:
    return [r.source, r.seq, r.entry, r.field, r.value, r.list]


def save(ix: Index, path: str, key: str) -> None:
    """Write the index to `path` (atomically: a reader sees the old file or the new one)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    tmp = f"{path}.{os.getpid()}.{threading.get_ident()}.tmp"
    con = sqlite3.connect(tmp)
    try:
        con.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + SCHEMA)
        dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
        for m in MAPS + PAIR_MAPS:  # in key order: appending to the B-tree is several times faster
            table = getattr(ix, m)
            pairs = m in PAIR_MAPS
            con.executemany(
                "INSERT INTO kv VALUES (?, ?, ?)",
                (
                    (m, k, dumps([[s, _ref(r)] for s, r in table[k]] if pairs else [_ref(r) for r in table[k]]))
                    for k in sorted(table)
                ),
            )
        con.executemany(
            "INSERT INTO fuzzy VALUES (?, ?, ?)",
            ((i, k, dumps([_ref(r) for r in refs])) for i, (k, refs) in enumerate(zip(ix.fuzzy_keys, ix.fuzzy_refs))),
        )
        if isinstance(ix.near, Near):
            con.executemany(
                "INSERT INTO near VALUES (?, ?)", sorted((d, i) for d, ids in ix.near.by.items() for i in ids)
            )
        con.execute("CREATE INDEX near_d ON near (d)")
        con.executemany(
            "INSERT INTO words VALUES ('mention', ?)",
            ((k,) for k in (ix.mentions.keys() if isinstance(ix.mentions, Mentions) else [])),
        )
        con.executemany(
            "INSERT INTO words VALUES ('label', ?)",
            ((k,) for k in (ix.labels_in_text.keys if isinstance(ix.labels_in_text, Labels) else [])),
        )
        con.executemany(
            "INSERT INTO meta VALUES (?, ?)",
            [("key", key), ("format", FORMAT), ("entries", str(ix.entries)), ("fuzzy", str(len(ix.fuzzy_keys)))],
        )
        con.commit()
        con.close()
        os.replace(tmp, path)
    except BaseException:
        con.close()
        Path(tmp).unlink(missing_ok=True)  # a failed save leaves nothing behind
        raise


def load(path: str | None, key: str, settings, model=None) -> Index | None:  # noqa: ANN001
    """The saved index if it is there, readable and built for `key`; else None (rebuild it)."""
    if not path or not os.path.exists(path):
        return None
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    except sqlite3.Error:
        return None
    try:
        meta = dict(con.execute("SELECT k, v FROM meta"))
    except sqlite3.Error:
        con.close()
        return None
    if meta.get("key") != key or meta.get("format") != FORMAT:
        con.close()
        return None
    db = _Reader(con)
    ix = Index(entries=int(meta["entries"]), settings=settings, model=model)
    for m in MAPS:
        setattr(ix, m, _Map(db, m, pairs=False))
    for m in PAIR_MAPS:
        setattr(ix, m, _Map(db, m, pairs=True))
    ix.fuzzy_keys = _Column(db, "k", int(meta["fuzzy"]), decode=lambda v: v)
    ix.fuzzy_refs = _Column(db, "v", int(meta["fuzzy"]), decode=lambda v: [Ref(*r) for r in json.loads(v)])
    ix.near = _Near(db)
    ix.mentions = _LazyMentions(db) if db.has_words("mention") else None
    ix.labels_in_text = _LazyLabels(db) if db.has_words("label") else None
    return ix


class _Reader:
    """One read-only connection shared by threads (scan), one statement at a time."""

    def __init__(self, con: sqlite3.Connection):
        self.con, self.lock = con, threading.Lock()

    def all(self, sql: str, params: tuple = ()) -> list:
        with self.lock:
            return self.con.execute(sql, params).fetchall()

    def words(self, kind: str) -> list[str]:
        return [k for (k,) in self.all("SELECT k FROM words WHERE kind = ?", (kind,))]

    def has_words(self, kind: str) -> bool:
        return bool(self.all("SELECT 1 FROM words WHERE kind = ? LIMIT 1", (kind,)))


WHOLE_AFTER = 256  # look-ups before a table (a map's keys) is read whole: bulk work …
WHOLE_UP_TO = 300_000  # … when it has at most this many rows (else each look-up stays a query)


class _Map:
    """A read-only mapping of one saved table; answers are kept once read, and after WHOLE_AFTER
    look-ups its keys are read at once (bulk work: misses then cost nothing)."""

    def __init__(self, db: _Reader, name: str, pairs: bool):
        self.db, self.name, self.pairs = db, name, pairs
        self.seen: dict[str, list | None] = {}
        self.keys: frozenset[str] | None = None
        self.asked = 0

    def get(self, key: str, default=()):  # noqa: ANN001
        if key in self.seen:
            return self.seen[key] if self.seen[key] is not None else default
        if self.keys is None:
            self.asked += 1
            if self.asked > WHOLE_AFTER:
                self.keys = frozenset(k for (k,) in self.db.all("SELECT k FROM kv WHERE m = ?", (self.name,)))
        if self.keys is not None and key not in self.keys:
            return default
        rows = self.db.all("SELECT v FROM kv WHERE m = ? AND k = ?", (self.name, key))
        value = None
        if rows:
            data = json.loads(rows[0][0])
            value = [(s, Ref(*r)) for s, r in data] if self.pairs else [Ref(*r) for r in data]
        if len(self.seen) > 200_000:
            self.seen.clear()
        self.seen[key] = value
        return value if value is not None else default


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
            if self.asked == WHOLE_AFTER and self.n <= WHOLE_UP_TO:
                self.whole = [v for (v,) in self.db.all(f"SELECT {self.column} FROM fuzzy ORDER BY i")]
        if self.whole is not None:
            if not 0 <= i < len(self.whole):
                raise IndexError(i)
            return self.decode(self.whole[i])
        rows = self.db.all(f"SELECT {self.column} FROM fuzzy WHERE i = ?", (i,))
        if not rows:
            raise IndexError(i)
        return self.decode(rows[0][0])


class _Near:
    """Keys within one edit of a query, from the saved deletion neighbourhoods."""

    def __init__(self, db: _Reader):
        self.db = db
        self.asked = 0
        self.by: dict[str, list[int]] | None = None

    def candidates(self, query: str) -> list[int]:
        probes = sorted({query} | {query[:i] + query[i + 1 :] for i in range(len(query))})
        if self.by is None:
            self.asked += 1
            if self.asked == WHOLE_AFTER and self.db.all("SELECT count(*) FROM near")[0][0] <= WHOLE_UP_TO:
                by: dict[str, list[int]] = {}
                for d, i in self.db.all("SELECT d, i FROM near"):
                    by.setdefault(d, []).append(i)
                self.by = by
        if self.by is not None:
            return sorted({i for d in probes for i in self.by.get(d, ())})
        marks = ",".join("?" * len(probes))
        return sorted({i for (i,) in self.db.all(f"SELECT i FROM near WHERE d IN ({marks})", tuple(probes))})


class _LazyMentions:
    """Mentions built from the saved words on first use (text checks only)."""

    def __init__(self, db: _Reader):
        self.db = db
        self.obj: Mentions | None = None

    def find(self, text: str) -> set[str]:
        if self.obj is None:
            self.obj = Mentions(self.db.words("mention"))
        return self.obj.find(text)


class _LazyLabels:
    def __init__(self, db: _Reader):
        self.db = db
        self.obj: Labels | None = None

    def find(self, text: str) -> list[str]:
        if self.obj is None:
            self.obj = Labels(self.db.words("label"))
        return self.obj.find(text)
