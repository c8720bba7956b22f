"""`refresh`: fetch each source's current document and store it as a snapshot — all or nothing.

Network first (nothing is written while fetching), then verification (the bytes must be the
format they claim, parse into the source's table, and not shrink below half the previous
snapshot unless forced), then one transaction that adds the snapshot and updates validators.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timezone

from .db import fast
from .db.engine import mask
from .errors import first_line
from .model import DocumentError
from .scraper.fetch import FetchError, Fetcher
from .scraper.formats import detect
from .scraper.locate import locate
from .sources import load_sources, source_meta

MIN_KEEP = 0.5  # a new snapshot must keep at least this share of the previous one's rows
# what a changed page layout raises in a parser: that source fails, never the whole refresh
LAYOUT_ERRORS = (
    IndexError,
    KeyError,
    ValueError,
    TypeError,
    AttributeError,
    LookupError,
    UnicodeError,
    RecursionError,
    AssertionError,
)


def _one_line(exc: BaseException) -> str:
    text = first_line(exc)[:200]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


@dataclass
class Outcome:
    source: str
    status: str  # unchanged | added | failed | refused
    message: str = ""
    snapshot: int | None = None  # the document's snapshot (None: nothing was read or stored)
    entries: int | None = None  # the document's entries (None: none was read)
    added: int = 0
    removed: int = 0
    kept: int = 0  # listed before and now, as they were
    url: str = ""
    # the document is the current list (False: stored in the history only; None: none stored)
    current: bool | None = None
    details: dict = field(default_factory=dict)
    changed: int = 0  # listed before and now, printed otherwise
    # the page's attachments that could not be fetched for now, why each (one may be a newer list:
    # the page is read whole again at the next refresh, which tries them again; a link that stays
    # broken is said at every run, and the list stored stays current)
    unfetched: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status in ("unchanged", "added")

    def to_dict(self) -> dict:
        d = {k: v for k, v in self.__dict__.items() if k != "details"}
        d["ok"] = self.ok
        return d


def verify(data: bytes, claimed: str) -> str:
    """The real format of the bytes; DocumentError when they are not what they claim to be."""
    real = detect(data, f"claimed {claimed or 'document'}").name
    if claimed and claimed != real and not (claimed == "xls" and real == "xlsx"):
        raise DocumentError(f"claims to be {claimed.upper()} but is {real.upper()}")
    return real


def refresh_source(
    db_url: str,
    session_factory,
    source_id: str,
    *,
    url: str | None = None,
    force: bool = False,
    fetcher: Fetcher | None = None,
) -> Outcome:
    """Refresh one source. Never raises for network or document problems: the Outcome says.
    An unchanged source on SQLite costs one conditional request and no ORM import."""
    if source_id not in load_sources():
        return Outcome(source_id, "failed", f"unknown source {source_id!r} (known: {', '.join(load_sources())})")
    meta = source_meta(source_id)
    landing = url or meta.get("url", "")
    known = fast.source_validators(db_url, source_id)
    if known is None:
        known = _orm_validators(session_factory, source_id)
    same = known[0] == landing
    etag, modified = (known[1], known[2]) if same else ("", "")
    fetcher = fetcher or Fetcher()
    try:
        found = locate(meta, fetcher, url=landing, page_etag=etag, page_last_modified=modified)
    except FetchError as exc:
        return Outcome(source_id, "failed", str(exc), url=landing)
    except DocumentError as exc:
        return Outcome(source_id, "failed", f"{landing}: {exc}", url=landing)
    except LAYOUT_ERRORS as exc:  # the page changed under us: this source fails, the others go on
        return Outcome(source_id, "failed", f"{landing}: page not understood ({_one_line(exc)})", url=landing)
    if found.status == "unchanged":
        etag, modified = found.page_etag or etag, found.page_last_modified or modified
        now = datetime.now(timezone.utc).replace(tzinfo=None)
        if not fast.touch_source(db_url, source_id, landing, etag, modified, now.isoformat(sep=" ")):
            _touch(session_factory, meta, landing, etag, modified)
        return Outcome(source_id, "unchanged", "landing page not modified", url=landing)
    parsed = _first_list(meta, found, fetcher)
    if isinstance(parsed, Outcome):
        return parsed
    doc, found = parsed
    return _store(session_factory, meta, doc, found, force, landing)


def _orm_validators(session_factory, source_id: str) -> tuple[str, str, str]:  # noqa: ANN001
    from .db.models import Source

    with session_factory() as s:
        src = s.get(Source, source_id)
        return (src.page_url, src.page_etag, src.page_last_modified) if src else ("", "", "")


def _first_list(meta: dict, found, fetcher: Fetcher):  # noqa: ANN001, ANN202
    """(document, where it came from) of the newest of the page's attachments that are lists of
    the source's layout, verified and parsed (a notice's 附件1 is passed over for its 附件2; of a
    page attaching several issues, oldest first or not, the latest by its date); else the failed
    Outcome, naming each attachment tried."""
    from .scraper.capped import parse_document
    from .scraper.locate import attachments_failed, next_attachment

    failures: list[str] = []
    unfetched = list(found.unfetched)
    best = None
    while True:
        try:
            verify(found.document, found.claimed_format)
            doc = parse_document(found.document, found.document_url, expect_layout=meta.get("layout", ""))
            if best is None or _dated(doc) > _dated(best[0]):  # the same date: the first in page order
                best = (doc, found)
        except DocumentError as exc:
            failures.append(f"{found.document_url}: {exc}")
        except LAYOUT_ERRORS as exc:
            failures.append(f"{found.document_url}: document not understood ({_one_line(exc)})")
        after = next_attachment(found, fetcher, failures, unfetched)
        if after is None:
            break
        found = after
    if best is not None:
        return best[0], replace(best[1], unfetched=unfetched)
    return Outcome(meta["id"], "failed", attachments_failed(found, failures), url=found.document_url)


def _dated(doc) -> tuple:  # noqa: ANN001
    """Where a document sits in its series, as its snapshot would be ordered (date, then issue)."""
    from .db.store import candidate_key

    return candidate_key(doc, None, date.min)


def _store(session_factory, meta: dict, doc, found, force: bool, landing: str) -> Outcome:  # noqa: ANN001
    """Apply a verified and parsed document in one transaction."""
    from .db import store
    from .db.lock import change_lock

    source_id = meta["id"]

    with session_factory() as s, change_lock(s.get_bind()), s.begin():  # one list change at a time
        # a document stored already is "unchanged" (after a revert too), never refused for its size
        known = store.stored_already(s, source_id, found.document) is not None
        problem = "" if force or known else store.shrink_problem(s, source_id, doc, None, MIN_KEEP)
        if problem:
            return Outcome(
                source_id,
                "refused",
                f"{found.document_url}: {problem}",
                url=found.document_url,
                entries=len(doc.entries),
            )
        res = store.ingest(
            s,
            meta,
            doc,
            found.document,
            origin=mask(found.document_url),  # a password in --url is never stored
            etag=found.doc_etag,
            last_modified=found.doc_last_modified,
        )
        if found.unfetched:  # not the page's validators: its next 304 would hide the attachment never read
            _validators(s, source_id, landing, "", "")
        else:
            _validators(s, source_id, landing, found.page_etag, found.page_last_modified)
    return replace(stored_outcome(source_id, res, found.document_url), unfetched=list(found.unfetched))


def stored_outcome(source_id: str, res, url: str, said: str = "") -> Outcome:  # noqa: ANN001
    """The Outcome of a document stored (store.ingest's IngestResult), `said` before its history note."""
    note = history_note(res)
    return Outcome(
        source_id,
        res.status,
        f"{said}: {note or 'filed'}" if said else note,
        res.snapshot_id,
        res.count,
        len(res.added),
        len(res.removed),
        res.kept,
        url,
        current=res.current,
        changed=len(res.changed),
    )


def history_note(res) -> str:  # noqa: ANN001
    """What an ingest did to the current list, when it is not the obvious."""
    if res.status == "added" and not res.current:
        return (
            f"older than the current list (snapshot {res.current_id}): stored in the history; "
            "the current list is unchanged"
        )
    if res.status == "reverted":  # a user list's earlier version imported again (api.import_user_list)
        return (
            f"the same file as snapshot {res.snapshot_id}: it is now the current list again (a revert, in the history)"
        )
    if res.status == "unchanged" and not res.current:
        return (
            f"already known as snapshot {res.snapshot_id} (in the history); the current list is unchanged"
            f" (snapshot {res.current_id}); to make this one current: peizi-guard revert {res.source} {res.snapshot_id}"
        )
    return ""


def _validators(s, source_id: str, landing: str, etag: str, modified: str) -> None:  # noqa: ANN001
    from .db.models import Source

    src = s.get(Source, source_id)
    src.page_url, src.page_etag, src.page_last_modified = landing, etag or "", modified or ""
    src.checked_at = datetime.now(timezone.utc).replace(tzinfo=None)


def _touch(session_factory, meta: dict, landing: str, etag: str, modified: str) -> None:  # noqa: ANN001
    from .db import store

    with session_factory() as s, s.begin():
        store.ensure_source(s, meta)
        _validators(s, meta["id"], landing, etag, modified)
