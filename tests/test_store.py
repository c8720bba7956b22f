"""Storage: snapshots by sha256, seeding from the shipped list, nothing lost on bad input."""
from __future__ import annotations

import io
import sqlite3

import pytest

from peizi_guard import api
from peizi_guard.model import DocumentError

from .conftest import scalar, sqlite_only, table_counts


def counts(url: str) -> dict:
    return table_counts(url, ("sources", "snapshots", "entries", "memberships"))


def test_empty_database_seeds_itself_offline(db):
    rows = api.entries(db)
    assert len(rows) == 258 + 152  # the current lists
    assert len(api.entries(db, "csrc-peizi")) == 258
    c = counts(db)
    # and the SAC's eleven earlier issues: 1,249 rows, of 82 more entries (or versions of one)
    assert c["snapshots"] == 13 and c["entries"] == 410 + 82 and c["memberships"] == 410 + 1249
    data = scalar(db, "SELECT data FROM entries WHERE name = '东方红'")
    assert data is not None and "3377.com.cn" in data


@sqlite_only
def test_sqlite_files_run_in_wal_mode(db):
    api.entries(db)
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    con.close()


def test_same_pdf_twice_adds_nothing(db, tmp_path, csrc_bytes):
    api.entries(db)  # seeded from the shipped copy of this very PDF
    before = counts(db)
    f = tmp_path / "list.pdf"
    f.write_bytes(csrc_bytes)
    res = api.import_file(db, str(f), "csrc-peizi")
    assert res.status == "unchanged" and res.count == 258
    res = api.import_file(db, str(f), "csrc-peizi")
    assert res.status == "unchanged"
    assert counts(db) == before


def test_import_into_a_new_source_records_one_snapshot(db, tmp_path, csrc_bytes):
    f = tmp_path / "copy.pdf"
    f.write_bytes(csrc_bytes)
    first = api.import_file(db, str(f), "my-copy")
    assert first.status == "added" and first.count == 258 and len(first.added) == 258
    again = api.import_file(db, str(f), "my-copy")
    assert again.status == "unchanged" and again.snapshot_id == first.snapshot_id
    srcs = {s["id"]: s for s in api.sources(db)}
    assert len(srcs["my-copy"]["snapshots"]) == 1
    assert srcs["csrc-peizi"]["snapshots"][0]["published"] == "2020-07-08"


def _encrypted(data: bytes) -> bytes:
    import pypdf

    w = pypdf.PdfWriter()
    w.append(pypdf.PdfReader(io.BytesIO(data)))
    w.encrypt("secret")
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def _blank_pdf() -> bytes:
    import pypdf

    w = pypdf.PdfWriter()
    w.add_blank_page(595, 842)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


BAD = {
    "text.pdf": (lambda pdf: "这不是PDF".encode(), "not a PDF"),
    "truncated.pdf": (lambda pdf: pdf[: len(pdf) // 2], "corrupt or truncated"),
    "encrypted.pdf": (_encrypted, "encrypted"),
    "blank.pdf": (lambda pdf: _blank_pdf(), "no table"),
    "page.pdf": (lambda pdf: b"<!DOCTYPE html><html><body>404</body></html>", "HTML"),
    "empty.pdf": (lambda pdf: b"", "empty"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_documents_are_refused_and_nothing_changes(db, tmp_path, csrc_bytes, name):
    make, reason = BAD[name]
    api.entries(db)
    before = counts(db)
    f = tmp_path / name
    f.write_bytes(make(csrc_bytes))
    with pytest.raises(DocumentError, match=reason):
        api.import_file(db, str(f), "csrc-peizi")
    assert counts(db) == before


def test_as_of_before_publication_is_empty(db):
    from datetime import date

    assert api.entries(db, as_of=date(2019, 2, 28)) == []  # before the SAC's 2019 第1期
    assert len(api.entries(db, as_of=date(2020, 4, 30))) == 147  # its 2020 第3期
    assert len(api.entries(db, as_of=date(2020, 7, 7))) == 152  # the SAC issue of May 2020 only
    assert len(api.entries(db, as_of=date(2020, 7, 8))) == 258 + 152


def test_sqlalchemy_url_and_path_are_the_same_database(tmp_path):
    path = tmp_path / "x.db"
    assert len(api.entries(str(path), "csrc-peizi")) == 258
    assert len(api.entries(f"sqlite:///{path}", "csrc-peizi")) == 258
    assert counts(str(path))["snapshots"] == 13


def test_an_older_database_is_upgraded_in_place(tmp_path):
    """A database made before the landing-page validator columns existed keeps its data and gains them."""
    path = tmp_path / "old.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE sources (id VARCHAR(64) PRIMARY KEY, publisher VARCHAR(200) NOT NULL, "
                "title VARCHAR(500) NOT NULL, url VARCHAR(2000) NOT NULL)")
    con.execute("INSERT INTO sources VALUES ('my-list', 'me', 'a list', '')")
    con.commit()
    con.close()
    assert len(api.entries(str(path), "csrc-peizi")) == 258
    con = sqlite3.connect(path)
    cols = {r[1] for r in con.execute("PRAGMA table_info(sources)")}
    assert {"page_url", "page_etag", "page_last_modified", "checked_at"} <= cols
    assert con.execute("SELECT title, page_etag FROM sources WHERE id='my-list'").fetchone() == ("a list", "")


def test_the_fast_read_gives_the_current_lists_as_the_orm_does(db, tmp_path):
    """Read-only commands read the lists with the standard library: the same records, fields
    and order as the ORM's current_lists."""
    import json

    from peizi_guard.builtin import builtin_sources
    from peizi_guard.db import store
    from peizi_guard.db.engine import resolve_url
    from peizi_guard.db.fast import read_current

    lst = tmp_path / "mine.csv"
    lst.write_text("name,urls,aliases\n甲配资,www.jia-pz.com|m.jia-pz.com,甲\n乙\"优\"配,yi.cn,\n", encoding="utf-8")
    api.import_file(db, str(lst), "mine")
    url = resolve_url(db)
    with api.session(url) as s:
        objects = store.current_lists(s)
    fast = read_current(url, builtin_sources())
    if url.startswith("sqlite"):
        assert json.dumps(fast, ensure_ascii=False) == json.dumps(objects, ensure_ascii=False)
    else:
        assert fast is None  # PostgreSQL: always the ORM
    got = api.current(db)
    assert json.dumps(got, ensure_ascii=False) == json.dumps(objects, ensure_ascii=False)
    mine = next(x for x in got["sources"] if x["id"] == "mine")["entries"]
    assert [(e["seq"], e["name"], e["urls"]) for e in mine] == [(1, "甲配资", ["www.jia-pz.com", "m.jia-pz.com"]),
                                                               (2, '乙"优"配', ["yi.cn"])]
    assert sum(len(x["entries"]) for x in got["sources"]) == 412


def test_a_record_as_stored_holds_every_field_of_the_parsed_entry():
    from dataclasses import asdict

    from peizi_guard.scraper.parse import parse_document
    from peizi_guard.model import App, Company, Entry
    from .conftest import FIXTURES

    seen = 0
    for name in ("2020-07-08-illegal-peizi-platforms.pdf", "sac-blacklist-2019-01.docx"):
        for e in parse_document((FIXTURES / name).read_bytes(), name).entries:
            assert e.to_dict() == asdict(e)
            seen += 1
    assert seen > 258
    e = Entry(1, "x", ["y"], apps=[App("app", "v", "l")], companies=[Company("c", ["d"], "s")], extra={"n": 1})
    assert e.to_dict() == asdict(e)
