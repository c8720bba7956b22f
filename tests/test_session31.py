"""Session 31: a scan opens one engine and checks the schema once for all the batches it stores
(issue 11: "every api call opens a new engine and runs the schema upgrade"), and stores each
batch as one multi-row INSERT; what is stored is what was written."""
from __future__ import annotations

import json

from peizi_guard import Guard, api
from peizi_guard.db.engine import resolve_url, sqlite_path
from peizi_guard.scan import ScanOptions

from .conftest import query
from .test_scan_pool import _urls, site  # noqa: F401 -- the keep-alive test server


def _stored(db: str) -> dict[str, tuple[str, dict]]:
    rows = query(db, "SELECT url, verdict, fetched_at, result FROM scan_results")
    return {url: (verdict, str(at), json.loads(result)) for url, verdict, at, result in rows}


def test_a_scan_opens_one_engine_however_many_batches_it_stores(site, db, monkeypatch):  # noqa: F811
    calls = []  # engines opened: each checks the schema (once a process on a server)
    real = api.open_engine
    monkeypatch.setattr(api, "open_engine", lambda *a, **k: calls.append(1) or real(*a, **k))
    opts = ScanOptions(concurrency=8, allow_private=True, jobs=1)
    Guard(db).scan(_urls(site, 1), opts)  # the first opening of the database seeds it
    calls.clear()
    Guard(db).scan([u + "&again" for u in _urls(site, 1)], opts)
    one = len(calls)  # on a server: the write check, the one batch and the index's key (see below)
    calls.clear()
    urls = [u + "&second" for u in _urls(site, 120)]  # five batches stored
    written: list[dict] = []
    summary = Guard(db).scan(urls, opts, emit=written.append)
    assert summary.total == len(urls) == len(written)
    assert len(calls) == one, calls  # the same however many batches
    # an SQLite file is checked and written with the standard library (fast.scan_results_file),
    # its key read so too; a server's through the ORM: the write check, the batches, the key
    assert one == (0 if sqlite_path(resolve_url(db)) else 3), calls
    stored = _stored(db)
    assert set(urls) <= set(stored)
    for row in written:
        verdict, at, result = stored[row["url"]]
        assert verdict == row["verdict"] and result == row
        assert at.replace(" ", "T").startswith(row["fetched_at"][:19])  # kept without its zone, to the second


def test_batches_stored_on_one_engine_are_found_by_resume(site, db):  # noqa: F811
    urls = _urls(site, 60)
    opts = ScanOptions(concurrency=8, allow_private=True, jobs=1, resume=True)
    first = Guard(db).scan(urls, opts)
    judged = len(urls) - first.verdicts["unchecked"]
    assert 0 < first.verdicts["unchecked"] < judged  # /gone and /pdf are unchecked, the rest judged
    again: list[dict] = []
    second = Guard(db).scan(urls, opts, emit=again.append)
    assert second.skipped == judged  # every judged result was stored, and found
    assert sorted(r["url"] for r in again) == sorted(r for r in urls if "/gone" in r or "/pdf" in r)
