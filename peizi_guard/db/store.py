"""Storage operations. Every write happens inside the caller's transaction: all or nothing."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import insert, select, text, update
from sqlalchemy.orm import Session

from ..model import Entry as Record
from ..model import DocumentError, ParsedDocument
from .fast import ENTRIES_SQL, LISTS, READ_MODEL_VERSION, record, tagged
from .models import Entry, Membership, ReadModel, Snapshot, Source

# an entry's stored JSON: one encoder for every row (json.dumps with options makes one per call)
_dumps = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode


@dataclass
class IngestResult:
    source: str
    status: str  # added | unchanged | reverted (a user's list: an earlier version imported again)
    snapshot_id: int
    count: int
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    kept: int = 0  # listed before and now, as they were
    changed: list[str] = field(default_factory=list)  # listed before and now, printed otherwise
    current: bool = True  # False: an older document, stored in the history only
    current_id: int | None = None  # the current snapshot after the ingest
    warnings: list[str] = field(default_factory=list)  # what the document held that cannot be used


def ensure_source(s: Session, meta: dict) -> Source:
    src = s.get(Source, meta["id"])
    if src is None:
        src = Source(id=meta["id"])
        s.add(src)
    src.publisher = meta.get("publisher", src.publisher or "")
    src.title = meta.get("title", src.title or "")
    src.url = meta.get("url", src.url or "")
    src.kind = meta.get("kind", src.kind or "official")
    s.flush()
    return src


def source_kind(s: Session, meta: dict) -> str:
    """The kind a source has, or will have once ensure_source stored `meta`."""
    src = s.get(Source, meta["id"])
    return meta.get("kind", (src.kind if src else "") or "official")


_ISSUE = re.compile(r"(\d{4})\s*年\s*第\s*(\d+)\s*期")


def issue_key(issue: str) -> tuple[int, int]:
    """`2019年第8期` → (2019, 8); (0, 0) when the document states no issue number."""
    m = _ISSUE.search(issue or "")
    return (int(m.group(1)), int(m.group(2))) if m else (0, 0)


def order_key(snap: Snapshot) -> tuple:
    """A snapshot's place in its publisher's series: never the order documents arrived in."""
    day = snap.order_date or snap.published or snap.fetched_at.date()
    return (day, issue_key(snap.issue), snap.id)


def candidate_key(doc: ParsedDocument, published: date | None, today: date) -> tuple:
    """Where a document not stored yet would sit in the series (after every stored one on a tie)."""
    return (published or _iso(doc.published) or _iso(doc.content_date) or today, issue_key(doc.issue), float("inf"))


def _iso(value: str) -> date | None:
    return date.fromisoformat(value) if value else None


def snapshots_of(s: Session, source_id: str) -> list[Snapshot]:
    snaps = s.scalars(select(Snapshot).where(Snapshot.source_id == source_id)).all()
    return sorted(snaps, key=order_key)


def newest_snapshot(s: Session, source_id: str) -> Snapshot | None:
    """The last in publication order, whatever a revert pinned: what a revert replaced, and what a
    new document must be newer than to end it."""
    snaps = snapshots_of(s, source_id)
    return snaps[-1] if snaps else None


def current_snapshot(s: Session, source_id: str, as_of: date | None = None) -> Snapshot | None:
    """The newest snapshot in publication order (as of a day), or the one a `revert` pinned."""
    snaps = snapshots_of(s, source_id)
    if as_of is None:
        src = s.get(Source, source_id)
        pinned = next((x for x in snaps if src is not None and x.id == src.pinned_snapshot_id), None)
        return pinned or (snaps[-1] if snaps else None)
    snaps = [x for x in snaps if order_key(x)[0] <= as_of]
    return snaps[-1] if snaps else None


def _n(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def shrink_problem(s: Session, source_id: str, doc: ParsedDocument, published: date | None, min_keep: float) -> str:
    """Why a document must not be stored without --force, or "": dated after today (a mistyped
    year would hold the list as it is against every later issue), no rows, or far fewer rows
    than the list it follows (the current one; for an older document, the one in force on its
    date, which answers --as-of)."""
    today = datetime.now(timezone.utc).date()
    when = candidate_key(doc, published, today)[0]
    if when > today + timedelta(days=1):  # (a day: the publisher's zone is ahead of UTC)
        return f"it is dated {when}, after today ({today}): a mistyped date? use --force to store it"
    cur = current_snapshot(s, source_id)
    if not doc.entries:  # emptying a list (or starting an empty one) is no accident's to do
        now = (
            f" and would empty the current list of {_n(cur.entry_count, 'entry', 'entries')} (snapshot {cur.id})"
            if cur
            else ""
        )
        return f"it has no rows{now}; use --force to store an empty list"
    newest = newest_snapshot(s, source_id)
    if cur is None or newest is None:
        return ""  # nothing to shrink
    of, entries = "the current {}", "the current {} entries"
    key = candidate_key(doc, published, today)
    if key < order_key(newest):  # older than the newest stored: it joins the history (a revert holds)
        before = [x for x in snapshots_of(s, source_id) if order_key(x) <= key]
        if not before:  # older than every stored list: none was in force on its date
            return ""
        cur = before[-1]  # the list in force on its date
        of, entries = "the {} of the list in force on its date", "the {} entries of the list in force on its date"
    old = set(member_keys(s, cur.id))
    listed = {k: v for k, v in _versions(s, source_id).items() if k in old}
    new = set(_unique_keys(doc.entries, listed))  # (a row known by another of its addresses is kept)
    kept, removed = len(old & new), len(old - new)
    if len(new) < min_keep * len(old):
        return f"{_n(len(new), 'row', 'rows')}, under half of {of.format(len(old))} (snapshot {cur.id}); use --force to accept"
    if removes_more_than_it_keeps(removed, kept):
        return (
            f"it would remove {removed} of {entries.format(len(old))} and keep {kept} (snapshot {cur.id}); "
            "use --force to accept"
        )
    return ""


def removes_more_than_it_keeps(removed: int, kept: int) -> bool:
    """The second shrink rule. A one-row list changing its one row is an edit: allowed."""
    return removed > kept and removed >= 2


def member_keys(s: Session, snapshot_id: int) -> dict[str, int]:
    """The entries a snapshot lists: {identity: the id of the version it lists}."""
    rows = s.execute(
        select(Entry.key, Entry.id)
        .join(Membership, Membership.entry_id == Entry.id)
        .where(Membership.snapshot_id == snapshot_id)
    ).all()
    return {identity(k): i for k, i in rows}


# An entry whose data change keeps its identity (its first address, see model.Entry.key) but is
# stored as a new row, so that every snapshot lists the entry as its document published it. The
# first version's key is the identity; a later one's is "<identity> ~2", "~3" … (keys hold no spaces).
VERSION = " ~"


def identity(stored_key: str) -> str:
    """The entry a stored row is a version of."""
    return stored_key.split(VERSION, 1)[0]


def _version_key(key: str, versions: list) -> str:  # noqa: ANN001
    """The stored key of a new version of the entry `key`, after those stored."""
    if not versions:
        return key
    numbers = [int(v.key.rpartition(VERSION)[2]) for v in versions if v.key != key]
    return f"{key}{VERSION}{max(numbers, default=1) + 1}"


_SEQ = re.compile(r'"seq": -?\d+, ')


def _content(data: str) -> str:
    """A stored record without its seq: the place of a row is no change of the entry. Records
    are stored with sorted keys, so the top-level seq is the last `"seq": ` (only urls, plain
    strings, follow it); it is cut out of the text, and any other text is parsed."""
    at = data.rfind('"seq": ')
    m = _SEQ.match(data, at) if at >= 0 else None
    if m is not None:
        return data[:at] + data[m.end() :]
    d = json.loads(data)
    d.pop("seq", None)
    return _dumps(d)


def _same_version(versions: list, data: str):  # noqa: ANN001, ANN202
    """The stored version whose record is `data` (seq aside), or None."""
    same = next((v for v in versions if v.data == data), None)
    if same is not None or not versions:
        return same
    content = _content(data)
    return next((v for v in versions if _content(v.data) == content), None)


def _versions(s: Session, source_id: str) -> dict[str, list]:
    """Every stored version of each entry of a source, by identity: read once in a transaction that
    checks a document (shrink_problem) and then stores it (ingest, which takes them, as it adds more)."""
    held = s.info.get(_VERSIONS)
    if held is not None and held[0] == source_id:
        return held[1]
    out: dict[str, list] = {}
    query = select(Entry.id, Entry.key, Entry.data, Entry.first_snapshot_id, Entry.last_snapshot_id).where(
        Entry.source_id == source_id
    )
    for row in s.execute(query):
        out.setdefault(identity(row.key), []).append(row)
    s.info[_VERSIONS] = (source_id, out)
    return out


_VERSIONS = "peizi_guard.versions"  # Session.info: (source id, its versions) read for the document in hand


def _span_change(order: dict, snap_id: int, first: int, last: int) -> dict:
    """How a version's first and last snapshot move when snapshot `snap_id` lists it too."""
    change = {}
    if order[snap_id] >= order[last]:
        change["last_snapshot_id"] = snap_id
    if order[snap_id] < order[first]:
        change["first_snapshot_id"] = snap_id
    return change


def snapshot_records(s: Session, snapshot_id: int) -> list[dict]:
    """The entries a snapshot lists, as records with seq as listed in that snapshot."""
    return list(iter_snapshot_records(s, snapshot_id))


def iter_snapshot_records(s: Session, snapshot_id: int) -> Iterator[dict]:
    """snapshot_records one by one, streamed from the database (100,000 entries are never all
    in memory at once): columns, not ORM objects."""
    return (record(*row) for row in _snapshot_rows(s, snapshot_id))


def _snapshot_rows(s: Session, snapshot_id: int) -> Iterator[tuple]:
    query = text(ENTRIES_SQL).execution_options(stream_results=True, max_row_buffer=2_000)
    return iter(s.execute(query, {"snapshot": snapshot_id}))


def iter_current_rows(s: Session) -> Iterator[tuple]:
    """Every current entry as stored, streamed: (data, seq, key, first, last, source, kind),
    which fast.listed decodes into the record api.entries gives. The index's writer hands these
    to its workers undecoded: JSON text travels between processes at a third of a dict's cost,
    and is decoded there, not in the process that feeds them."""
    for src in list(s.scalars(select(Source).order_by(Source.id))):
        snap = current_snapshot(s, src.id)
        if snap is not None:
            yield from ((*row, src.id, src.kind) for row in _snapshot_rows(s, snap.id))


def iter_former_records(s: Session) -> Iterator[dict]:
    """Entries an official source listed in a snapshot before its current one (in publication
    order) and lists no more: each as last listed there, with `list: former` (a fake broker site
    the SAC dropped from later issues). A user's own list has none: what its owner removed is
    no evidence. After a revert, what only snapshots newer than the current one list is not
    former either."""
    for src in list(s.scalars(select(Source).order_by(Source.id))):
        cur = current_snapshot(s, src.id)
        if cur is None or (src.kind or "official") == "user":
            continue
        older = _older_ids(s, src.id, cur)
        if not older:
            continue
        order = {x: i for i, x in enumerate(older)}  # (publication order)
        now = set(s.scalars(select(Membership.entry_id).where(Membership.snapshot_id == cur.id)))
        last: dict[int, tuple[int, int]] = {}  # entry -> (place of its last older snapshot, seq there)
        rows = s.execute(
            select(Membership.entry_id, Membership.snapshot_id, Membership.seq).where(Membership.snapshot_id.in_(older))
        )
        for entry_id, snap_id, seq in rows:
            if entry_id not in now and (entry_id not in last or order[snap_id] > last[entry_id][0]):
                last[entry_id] = (order[snap_id], seq)
        for e in s.scalars(select(Entry).where(Entry.id.in_(list(last))).order_by(Entry.id)) if last else ():
            d = tagged(record(e.data, last[e.id][1], e.key, e.first_snapshot_id, e.last_snapshot_id), src.id, src.kind)
            d["list"] = "former"
            yield d


def _older_ids(s: Session, source_id: str, cur: Snapshot) -> list[int]:
    """The ids of a source's snapshots before `cur`, its current one, in publication order."""
    snaps = snapshots_of(s, source_id)
    return [x.id for x in snaps[: next(i for i, x in enumerate(snaps) if x.id == cur.id)]]


def _unique_keys(records: list[Record], versions: dict[str, list] | None = None) -> list[str]:
    """Each record's identity: its key, and for the second and later rows with one key k#2, k#3 …
    given, when `versions` (stored versions by identity) are known, to the row a stored version
    of that identity holds: rows with one name in another order are the same rows, not changed."""
    keys: list[str] = []
    seen: dict[str, int] = {}
    for r in records:
        k = r.key()
        seen[k] = seen.get(k, 0) + 1
        keys.append(k if seen[k] == 1 else f"{k}#{seen[k]}")
    if versions:
        repeated = {k.rsplit("#", 1)[0] for k in versions if "#" in k}  # keys stored more than once
        for k in (k for k, n in seen.items() if n > 1 or k in repeated):
            _pair_repeats(k, keys, records, versions)
        _known_by_another(keys, records, versions)
    return keys


def _known_by_another(keys: list[str], records: list[Record], versions: dict[str, list]) -> None:
    """A row new by its key that a stored entry this document no longer lists was known by (one
    of its addresses, or its name, was that entry's), keeps that entry's identity: a row whose
    addresses were reordered, or that gained or lost its first one, is the same row."""
    taken = set(keys)
    new = [i for i, k in enumerate(keys) if k not in versions and "#" not in k]
    gone = [k for k in versions if k not in taken and "#" not in k]
    if not new or not gone:
        return
    known: dict[str, str] = {}  # an address's or name's key → the identity of the entry that had it
    for k in gone:
        for v in versions[k]:
            for alt in Record.from_dict(json.loads(v.data)).identities():
                if alt.startswith("url:") or k.startswith("name:"):  # a name alone is no address's
                    known.setdefault(alt, k)
    for i in new:
        was = next((known[a] for a in records[i].identities() if a in known and known[a] not in taken), None)
        if was is not None:
            taken.discard(keys[i])
            keys[i] = was
            taken.add(was)


def _pair_repeats(key: str, keys: list[str], records: list[Record], versions: dict[str, list]) -> None:
    """The identities of the rows keyed `key`, each row first to the one whose stored version it
    matches (its own place's first, then the others of this document, then those only earlier
    documents gave: one row of an issue filed after a later one that listed it twice), the rest
    to this document's places in order."""
    rows = [i for i, k in enumerate(keys) if k == key or k.startswith(key + "#")]
    own = [keys[i] for i in rows]
    free = own + sorted(k for k in versions if k.startswith(key + "#") and k not in own)
    data = {i: _dumps(records[i].to_dict()) for i in rows}
    given: dict[int, str] = {}
    for i in rows:
        for k in sorted(free, key=lambda k: k != keys[i]):  # its own place's identity first
            if _same_version(versions.get(k, []), data[i]) is not None:
                given[i] = k
                free.remove(k)
                break
    left = [k for k in own if k in free]  # (as many as the rows not given one: each took at most one)
    for i in rows:
        keys[i] = given.get(i) or left.pop(0)


def stored_already(s: Session, source_id: str, raw: bytes, warnings: list[str] | None = None) -> IngestResult | None:
    """The result of storing `raw` again: "unchanged" when the source has these very bytes (no
    need to parse them again), else None."""
    digest = hashlib.sha256(raw).hexdigest()
    old = s.scalar(select(Snapshot).where(Snapshot.source_id == source_id, Snapshot.sha256 == digest))
    if old is None:
        return None
    cur = current_snapshot(s, source_id)
    current = cur is not None and cur.id == old.id
    return IngestResult(
        source_id,
        "unchanged",
        old.id,
        old.entry_count,
        kept=old.entry_count if current else 0,  # the current list, as it was
        current=current,
        current_id=cur.id if cur else None,
        warnings=list(warnings or []),
    )


BATCH = 5_000  # rows per statement when storing a list
ENTRIES, MEMBERSHIPS = Entry.metadata.tables["entries"], Entry.metadata.tables["memberships"]  # Core, not ORM


def ingest(
    s: Session,
    source_meta: dict,
    doc: ParsedDocument,
    raw: bytes,
    *,
    published: date | None = None,
    origin: str = "",
    fetched_at: datetime | None = None,
    etag: str = "",
    last_modified: str = "",
    rebuild: bool = True,
) -> IngestResult:
    """Store a parsed document as a snapshot. The same bytes twice add nothing. Only a user's
    list may be empty (`import --force` of a header-only file empties it)."""
    if not doc.entries and source_kind(s, source_meta) != "user":
        raise DocumentError("the document lists no entries: an official list is never empty")
    src = ensure_source(s, source_meta)
    digest = hashlib.sha256(raw).hexdigest()
    same = stored_already(s, src.id, raw, list(getattr(doc, "warnings", [])))
    if same is not None:
        return same
    if published is None and doc.published:
        published = date.fromisoformat(doc.published)
    fetched = (fetched_at or datetime.now(timezone.utc)).replace(tzinfo=None)
    before = current_snapshot(s, src.id)
    snap = Snapshot(
        source_id=src.id,
        published=published,
        sha256=digest,
        raw=raw,
        entry_count=len(doc.entries),
        order_date=published or _iso(doc.content_date) or fetched.date(),
        fetched_at=fetched,
        format=doc.format,
        origin=origin,
        issue=doc.issue,
        etag=etag,
        last_modified=last_modified,
    )
    newest = newest_snapshot(s, src.id)
    s.add(snap)
    s.flush()
    if src.pinned_snapshot_id and newest is not None and order_key(snap) > order_key(newest):
        src.pinned_snapshot_id = None  # a document newer than every one before ends a revert
    now = current_snapshot(s, src.id)
    became = now is not None and now.id == snap.id
    prev = [x for x in snapshots_of(s, src.id) if x.id != snap.id and order_key(x) < order_key(snap)]
    base = before if became else (prev[-1] if prev else None)
    prev_keys = member_keys(s, base.id) if base else {}

    # bulk statements through the Core: the ORM's unit of work is ten times slower for 100,000 rows
    order = {x.id: order_key(x) for x in snapshots_of(s, src.id)}
    versions = _versions(s, src.id)
    del s.info[_VERSIONS]  # this document adds versions: a later read reads them again
    keys = _unique_keys(doc.entries, versions)
    stored: dict[str, str] = {}  # identity → the stored key of the version this document lists
    updates = []
    for start in range(0, len(keys), BATCH):  # in batches: 100,000 rows are never all in memory
        new_rows = []
        for key, rec in zip(keys[start : start + BATCH], doc.entries[start : start + BATCH]):
            data = _dumps(rec.to_dict())
            have = _same_version(versions.get(key, []), data)
            if have is None:  # new, or changed: a new version; older snapshots keep the old one
                stored[key] = _version_key(key, versions.get(key, []))
                new_rows.append(
                    dict(
                        source_id=src.id,
                        key=stored[key],
                        seq=rec.seq,
                        name=rec.name,
                        data=data,
                        first_snapshot_id=snap.id,
                        last_snapshot_id=snap.id,
                    )
                )
                continue
            stored[key] = have.key
            change = _span_change(order, snap.id, have.first_snapshot_id, have.last_snapshot_id)
            if change:
                updates.append(dict(id=have.id, **change))
        if new_rows:
            s.execute(insert(ENTRIES), new_rows)  # the table: Core's executemany, not the ORM's
    del versions
    for fields in {tuple(sorted(u)) for u in updates}:  # one statement per set of changed columns
        s.execute(update(Entry), [u for u in updates if tuple(sorted(u)) == fields])
    ids = dict(s.execute(select(Entry.key, Entry.id).where(Entry.source_id == src.id)).all())
    for start in range(0, len(keys), BATCH):
        s.execute(
            insert(MEMBERSHIPS),
            [
                dict(snapshot_id=snap.id, entry_id=ids[stored[k]], seq=r.seq)
                for k, r in zip(keys[start : start + BATCH], doc.entries[start : start + BATCH])
            ],
        )
    changed = [k for k in keys if k in prev_keys and prev_keys[k] != ids[stored[k]]]  # another version
    del ids, stored
    new_keys = set(keys)
    result = IngestResult(
        src.id,
        "added",
        snap.id,
        len(doc.entries),
        added=[k for k in keys if k not in prev_keys],
        removed=[k for k in prev_keys if k not in new_keys],
        kept=len(new_keys & set(prev_keys)) - len(changed),
        changed=changed,
        current=became,
        current_id=now.id if now else None,
        warnings=list(getattr(doc, "warnings", [])),  # a user's list (scraper/userlist.py) has them
    )
    if rebuild:
        rebuild_read_model(s)
    return result


def source_info(src: Source) -> dict:
    """A source as every listing shows it."""
    return {
        "id": src.id,
        "publisher": src.publisher,
        "title": src.title,
        "url": src.url,
        "kind": src.kind or "official",
    }


def current_lists(s: Session, as_of: date | None = None) -> dict:
    """Every source with its current (or as-of) snapshot and that snapshot's entries."""
    out = []
    for src in s.scalars(select(Source).order_by(Source.id)):
        snap = current_snapshot(s, src.id, as_of)
        if snap is None:
            continue
        out.append(dict(source_info(src), snapshot=snapshot_meta(snap), entries=snapshot_records(s, snap.id)))
    return {"version": READ_MODEL_VERSION, "sources": out}


def revert(s: Session, source_id: str, snapshot_id: int, note: str = "") -> Snapshot:
    """Make an earlier snapshot the current list again, until a newer document arrives; the
    revert is kept as an event of the source's history."""
    from .models import Event

    snap = s.get(Snapshot, snapshot_id) if 0 < snapshot_id < 2**31 else None  # (an id no INTEGER column holds)
    if snap is None or snap.source_id != source_id:
        have = ", ".join(str(x.id) for x in snapshots_of(s, source_id)) or "none"
        raise LookupError(f"snapshot {snapshot_id} is not a snapshot of {source_id} (have {have})")
    src = s.get(Source, source_id)
    assert src is not None  # the snapshot belongs to it
    current = current_snapshot(s, source_id)
    if current is not None and current.id == snap.id:
        raise LookupError(f"snapshot {snapshot_id} is the current list of {source_id} already: nothing to revert")
    src.pinned_snapshot_id = snap.id
    s.add(
        Event(
            source_id=source_id,
            at=datetime.now(timezone.utc).replace(tzinfo=None),
            kind="revert",
            snapshot_id=snap.id,
            note=note[:500],
            replaced_id=current.id if current is not None else None,
        )
    )
    s.flush()
    rebuild_read_model(s)
    return snap


def events_of(s: Session, source_id: str) -> list:
    from .models import Event

    return list(s.scalars(select(Event).where(Event.source_id == source_id).order_by(Event.id)))


def snapshot_meta(snap: Snapshot) -> dict:
    return {
        "id": snap.id,
        "published": snap.published.isoformat() if snap.published else None,
        "order_date": (snap.order_date or snap.published or snap.fetched_at.date()).isoformat(),
        "fetched_at": snap.fetched_at.isoformat(timespec="seconds"),
        "sha256": snap.sha256,
        "entry_count": snap.entry_count,
        "format": snap.format,
        "issue": snap.issue,
        "origin": snap.origin,
    }


def rebuild_read_model(s: Session) -> None:
    """Which snapshot of which source is current, as one small JSON document that read-only
    commands read without the ORM (db/fast.py), and beside it the lists' identity (by id and
    sha256): the key of the saved matcher index."""
    lists = [
        dict(source_info(src), snapshot=snapshot_meta(snap))
        for src in s.scalars(select(Source).order_by(Source.id))
        if (snap := current_snapshot(s, src.id)) is not None
    ]
    current = json.dumps({"version": READ_MODEL_VERSION, "sources": lists}, ensure_ascii=False)
    old = s.get(ReadModel, "current")  # version 1, a copy of every record (see fast.LISTS)
    if old is not None:
        s.delete(old)
    for name, payload in ((LISTS, current), ("current-key", lists_key(s))):
        row = s.get(ReadModel, name)
        if row is None:
            s.add(ReadModel(name=name, payload=payload))
        else:
            row.payload = payload
    s.flush()


def lists_key(s: Session) -> str:
    """Which snapshot of which source is current, by id and sha256, and for an official list the
    snapshots before it, whose dropped entries are evidence too (iter_former_records) (JSON)."""
    out = []
    for src in s.scalars(select(Source).order_by(Source.id)):
        snap = current_snapshot(s, src.id)
        if snap is not None:
            key = [src.id, src.kind or "official", snap.id, snap.sha256]
            if (src.kind or "official") != "user":
                older = _older_ids(s, src.id, snap)
                key += [older] if older else []
            out.append(key)
    return json.dumps(out)


def read_model_key(s: Session) -> str:
    row = s.get(ReadModel, "current-key")
    return row.payload if row else lists_key(s)  # a database from before the key was kept


def diff(s: Session, old_id: int, new_id: int) -> dict:
    """Entries added and removed between two snapshots of a source, by identity (as `import` and
    `history` count them). An entry in both whose data changed (renamed, another address …) is
    under `changed` as {old, new}, each as its snapshot lists it; `kept` counts those listed alike."""
    a = {identity(r["key"]): r for r in snapshot_records(s, old_id)}
    b = {identity(r["key"]): r for r in snapshot_records(s, new_id)}
    both = [k for k in b if k in a]
    changed = [k for k in both if a[k]["key"] != b[k]["key"]]  # another stored version
    return {
        "old": old_id,
        "new": new_id,
        "added": [b[k] for k in b if k not in a],
        "removed": [a[k] for k in a if k not in b],
        "changed": [{"old": a[k], "new": b[k]} for k in changed],
        "kept": len(both) - len(changed),
    }
