"""The official lists shipped inside the package: original documents plus their parse, every
issue we hold of each source, oldest first in the manifest (the last one of a source is its
current list; the earlier ones are its history: entries a later issue dropped are "formerly
listed" evidence, and `history`, `diff` and `--as-of` work offline).

`python -m peizi_guard.builtin` re-parses the shipped documents and rewrites the .json files.
"""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .model import ParsedDocument

DIR = "data/builtin"


def _files():  # noqa: ANN202
    from importlib import resources  # here: a check on a stored index reads none of this

    return resources.files("peizi_guard").joinpath(DIR)


def manifest() -> list[dict]:
    from . import read_data  # a plain read: a clear answer names the user's lists, and so asks which are shipped

    return json.loads(read_data(f"{DIR}/manifest.json"))["documents"]


def builtin_sources() -> set[str]:
    return {d["source"] for d in manifest()}


def load(doc: dict) -> tuple[ParsedDocument, bytes]:
    """A shipped document's stored parse and its original bytes."""
    from .model import Entry, ParsedDocument  # the dataclasses: not on a check's path

    parsed = json.loads(_files().joinpath(doc["parsed"]).read_text("utf-8"))
    entries = [Entry.from_dict(e) for e in parsed.pop("entries")]
    raw = _files().joinpath(doc["file"]).read_bytes()
    return ParsedDocument(entries=entries, **parsed), raw


def current() -> list[dict]:
    """The newest shipped document of each source (the manifest lists each source's oldest first)."""
    docs = manifest()
    last = {d["source"]: d for d in docs}
    return [d for d in docs if last[d["source"]] is d]


def records() -> list[dict]:
    """Every entry of the current shipped lists as a record with its `source` (what the matcher
    indexes as listed; the earlier issues' entries are not among them)."""
    out = []
    for doc in current():
        parsed, _ = load(doc)
        out += [{**e.to_dict(), "source": doc["source"]} for e in parsed.entries]
    return out


HISTORY_ENV = "PEIZI_GUARD_HISTORY"  # "0": seed the current lists only, not their earlier issues


def seeded_documents() -> list[dict]:
    """What a new database is seeded with, and what `refresh` files when a database lacks it:
    every shipped issue, or with PEIZI_GUARD_HISTORY=0 (a smaller database; `import` adds an
    issue later) the current one of each source only."""
    import os

    off = os.environ.get(HISTORY_ENV, "").strip().lower() in ("0", "no", "false", "off")
    return current() if off else manifest()


def seed(session, only: set[str] | None = None) -> int:
    """Ingest the shipped documents (seeded_documents) of each source that has no snapshot yet.
    Returns how many."""
    from .db import store

    have = {sid for sid in builtin_sources() if store.current_snapshot(session, sid) is not None}
    n = 0
    for doc in seeded_documents():
        if doc["source"] in have or (only is not None and doc["source"] not in only):
            continue
        ingest(session, doc)
        n += 1
    if n:
        store.rebuild_read_model(session)
    return n


def ingest(session, doc: dict):  # noqa: ANN001, ANN201
    """Store one shipped document (store.ingest's IngestResult); the caller rebuilds the read model."""
    from .db import store
    from .sources import source_meta

    parsed, raw = load(doc)
    return store.ingest(
        session,
        source_meta(doc["source"]),
        parsed,
        raw,
        rebuild=False,
        published=date.fromisoformat(doc["published"]) if doc["published"] else None,
        origin=f"builtin:{doc['file']}",
    )


def not_stored(session, sources: set[str]) -> list[dict]:  # noqa: ANN001
    """The shipped documents (seeded_documents) of `sources` that a database holding those sources
    lacks: one seeded by a peizi-guard that shipped the current issues only. A document counts as
    held by its bytes, or by its issue (2019年第1期) when the user imported another copy of it. (A
    source the database does not hold yet is seeded whole instead.)"""
    import hashlib

    from sqlalchemy import select

    from .db.models import Snapshot

    out = []
    stored: dict[str, set[str]] = {}
    for doc in seeded_documents():
        sid = doc["source"]
        if sid not in sources:
            continue
        if sid not in stored:  # (the columns only: a snapshot row holds its whole document)
            rows = session.execute(select(Snapshot.sha256, Snapshot.issue).where(Snapshot.source_id == sid))
            stored[sid] = {v for row in rows for v in row if v}
        if not stored[sid]:
            continue
        if hashlib.sha256(_files().joinpath(doc["file"]).read_bytes()).hexdigest() in stored[sid]:
            continue
        # not these bytes: another copy of the same issue, by its number from the shipped parse?
        issue = json.loads(_files().joinpath(doc["parsed"]).read_text("utf-8")).get("issue")
        if not issue or issue not in stored[sid]:
            out.append(doc)
    return out


def regenerate() -> None:
    from dataclasses import asdict

    from .scraper.parse import parse_document

    for doc in manifest():
        raw = _files().joinpath(doc["file"]).read_bytes()
        parsed = asdict(parse_document(raw, doc["file"], expect_layout=doc["source"]))
        path = _files().joinpath(doc["parsed"])
        entries = parsed.pop("entries")
        head = json.dumps(parsed, ensure_ascii=False, sort_keys=True)[:-1]
        lines = ",\n".join(json.dumps(e, ensure_ascii=False, sort_keys=True) for e in entries)
        with open(str(path), "w", encoding="utf-8") as fh:
            fh.write(f'{head}, "entries": [\n{lines}\n]}}\n')
        print(f"{doc['parsed']}: {len(entries)} entries")


if __name__ == "__main__":
    regenerate()
