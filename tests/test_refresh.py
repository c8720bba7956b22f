"""`refresh`, `history` and `diff`: every version kept, nothing ever lost."""
from __future__ import annotations

import html
import json
import re
import zipfile
import sqlite3
from collections import Counter
from datetime import date

import pytest
from click.testing import CliRunner

from peizi_guard import api
from peizi_guard.cli import main
from peizi_guard.db import store

from .conftest import FIXTURES, scalar, sqlite_only, table_counts
from .sitehelper import Site

SAC = sorted(FIXTURES.glob("sac-blacklist-*.docx"))
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture()
def site():
    s = Site()
    yield s
    s.close()


def counts(url: str) -> dict:
    model = scalar(url, "SELECT payload FROM read_models WHERE name = 'lists'")
    return table_counts(url, ("snapshots", "entries", "memberships", "read_models")) | {"model": model}


def refresh(db, *args):
    r = CliRunner().invoke(main, ["--db", db, "refresh", "--json", "--allow-private", *args])
    return r, [json.loads(x) for x in r.stdout.splitlines()]


# ---- the twelve SAC issues, in order --------------------------------------------------------

_URL = re.compile(r"(?:https?://)?(?:[A-Za-z0-9-]+[.,])+[A-Za-z]{2,}(?::\d+)?(?:/[^\s，。；;（(）)]*)?")


def _rows(path):
    """Cell texts of every table row, read from the raw WordprocessingML with regular expressions
    (python-docx drops text inside w:smartTag, e.g. the 3516-1-1 of thread-1153516-1-1.html)."""
    xml = zipfile.ZipFile(path).read("word/document.xml").decode("utf-8")
    for row in re.findall(r"<w:tr[ >].*?</w:tr>", xml, flags=re.S):
        yield ["\n".join("".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", para)) for para in cell.split("</w:p>"))
               for cell in re.findall(r"<w:tc>.*?</w:tc>", row, flags=re.S)]


def independent_keys(path) -> Counter:
    """Each numbered row's first address, read with a plain regex (not our parser)."""
    return Counter(first for first, _ in independent_rows(path))


def independent_rows(path) -> list[tuple[str, set[str]]]:
    """Each numbered row's first address (else its name) and all its addresses, read with a plain regex."""
    rows = []
    for cells in _rows(path):
        cells = [html.unescape(c).strip() for c in cells]
        if len(cells) < 2 or not re.fullmatch(r"\d+", cells[0]):
            continue
        found = [_address(m.group(0)) for m in _URL.finditer(re.split(r"QQ(?:群|号)?\s*[:：]", cells[1])[0])]
        rows.append((found[0] if found else "name:" + re.sub(r"\W", "", cells[1]), set(found)))
    return rows


def _address(text: str) -> str:
    url = re.sub(r"^https?://", "", text.replace(",", "."), flags=re.I).split("#")[0]
    host, _, path_ = url.partition("/")
    return (re.sub(r"^www\.", "", host.lower()) + ("/" + path_ if path_ else "")).rstrip("/")


def moved(prev, cur) -> int:
    """Rows new by their first address that still hold an address a row gone from `prev` had
    (a site that lost its first address): the same entries, changed."""
    old, new = independent_keys(prev), independent_keys(cur)
    gone = [addrs for first, addrs in independent_rows(prev) if first in old - new]
    n = 0
    for first, addrs in independent_rows(cur):
        if first in new - old:
            hit = next((g for g in gone if g & addrs), None)
            if hit is not None:
                gone.remove(hit)
                n += 1
    return n


def test_twelve_sac_issues_in_order(db):
    api.entries(db)  # seeded
    results = []
    for path in SAC:
        res = api.import_file(db, str(path), "sac-issues")  # ordered by the months their findings reach
        results.append(res)
    assert [r.count for r in results] == [88, 95, 95, 92, 89, 102, 132, 132, 133, 144, 147, 152]
    assert all(r.status == "added" for r in results)
    for prev, cur, res in zip(SAC, SAC[1:], results[1:]):
        old, new = independent_keys(prev), independent_keys(cur)
        same = moved(prev, cur)  # rows that lost their first address
        added, removed = sum((new - old).values()) - same, sum((old - new).values()) - same
        assert (len(res.added), len(res.removed)) == (added, removed), (cur.name, res.added, res.removed)
        assert res.kept + len(res.changed) == sum((old & new).values()) + same  # some printed otherwise
        d = api.diff(db, "sac-issues", res.snapshot_id - 1, res.snapshot_id)
        assert (res.kept, len(res.changed)) == (d["kept"], len(d["changed"]))
    hist = api.history(db, "sac-issues")
    assert [h["entry_count"] for h in hist] == [r.count for r in results]
    assert [(h["added"], h["removed"]) for h in hist[1:]] == [(len(r.added), len(r.removed)) for r in results[1:]]
    assert sum(h["removed"] for h in hist) > 0 and sum(h["added"] for h in hist[1:]) > 0
    d = api.diff(db, "sac-issues")
    assert len(d["added"]) == len(results[-1].added) and len(d["removed"]) == len(results[-1].removed)


def test_removed_entries_stay_in_history_and_as_of(db):
    first, second = SAC[0], SAC[1]
    api.entries(db)
    a = api.import_file(db, str(first), "sac-issues", published=date(2019, 2, 1))
    b = api.import_file(db, str(second), "sac-issues", published=date(2019, 3, 1))
    assert b.removed, "consecutive issues drop closed sites"
    gone = b.removed[0]
    old = {e["key"]: e for e in api.entries(db, "sac-issues", as_of=date(2019, 2, 15))}
    new = {e["key"]: e for e in api.entries(db, "sac-issues")}
    assert gone in old and gone not in new
    assert len(old) == a.count and len(new) == b.count
    assert old[gone]["last_seen"] == a.snapshot_id  # last seen in the first issue
    ix_then = api.load_index(db, as_of=date(2019, 2, 15))
    from peizi_guard.matcher import check

    url = old[gone]["urls"][0]
    assert check(ix_then, url).verdict == "listed"


# ---- safety -------------------------------------------------------------------------------

def test_exception_in_the_middle_of_a_write_leaves_everything(db_before_history, monkeypatch):
    db = db_before_history  # (the shipped SAC history not stored: earlier issues are new)
    api.entries(db)
    before = counts(db)

    def boom(session):
        raise RuntimeError("disk full")

    monkeypatch.setattr(store, "rebuild_read_model", boom)
    with pytest.raises(RuntimeError):
        api.import_file(db, str(SAC[0]), "sac-blacklist")
    assert counts(db) == before


@sqlite_only
def test_check_answers_while_a_refresh_holds_the_write_lock(db):
    api.entries(db)
    writer = sqlite3.connect(db, timeout=0)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE sources SET title = title")
    try:
        r = CliRunner().invoke(main, ["--db", db, "check", "杜德配资", "--json"])
        assert r.exit_code == 1 and json.loads(r.stdout)["verdict"] == "listed"
    finally:
        writer.rollback()
        writer.close()


# ---- refresh over real HTTP on 127.0.0.1 ------------------------------------------------------

def test_refresh_end_to_end_then_unchanged_with_one_request(db, site, csrc_bytes):
    site.landing("/csrc/list.html", "files/mingdan.pdf")
    site.pages["/csrc/files/mingdan.pdf"] = ("application/pdf", csrc_bytes)
    r, [o] = refresh(db, "csrc-peizi", "--url", site.url + "/csrc/list.html")
    assert r.exit_code == 0 and o["status"] == "unchanged"  # same bytes as the shipped list: no new snapshot
    site.log.clear()
    r, [o] = refresh(db, "csrc-peizi", "--url", site.url + "/csrc/list.html")
    assert r.exit_code == 0 and o["status"] == "unchanged"
    assert len(site.log) == 1 and site.log[0][1]  # one conditional request
    assert len(api.sources(db)[0]["snapshots"]) == 1


def test_refresh_with_older_issues_keeps_the_current_list(db_before_history, site):
    """The database starts with the 2020 issue (built in); fetching the 2019 issues afterwards
    files them in the history, in publication order, and never replaces the current list."""
    db = db_before_history  # (the shipped SAC history not stored: earlier issues are new)
    api.entries(db)
    current = [e["key"] for e in api.entries(db, "sac-blacklist")]
    site.landing("/sac/", "a/2019-07.docx")
    site.pages["/sac/a/2019-07.docx"] = (DOCX, SAC[6].read_bytes())
    r, [o] = refresh(db, "sac-blacklist", "--url", site.url + "/sac/")
    assert r.exit_code == 0 and o["status"] == "added" and o["entries"] == 132 and o["current"] is False
    assert "stored in the history; the current list is unchanged" in o["message"]
    site.landing("/sac/", "a/2019-08.docx")
    site.pages["/sac/a/2019-08.docx"] = (DOCX, SAC[7].read_bytes())
    r, [o] = refresh(db, "sac-blacklist", "--url", site.url + "/sac/")
    old, new = independent_keys(SAC[6]), independent_keys(SAC[7])
    assert (o["added"], o["removed"]) == (sum((new - old).values()), sum((old - new).values()))  # against 2019-07
    assert [e["key"] for e in api.entries(db, "sac-blacklist")] == current
    h = CliRunner().invoke(main, ["--db", db, "history", "sac-blacklist", "--json"])
    assert [json.loads(x)["entry_count"] for x in h.stdout.splitlines()] == [132, 132, 152]  # publication order


BAD_DOCUMENTS = {
    "html error page served as the document": ("application/pdf", b"<html><body>502 Bad Gateway</body></html>"),
    "truncated PDF": ("application/pdf", None),
    "docx that is really HTML": (DOCX, b"<!DOCTYPE html><html><body>login required</body></html>"),
}


@pytest.mark.parametrize("case", sorted(BAD_DOCUMENTS))
@pytest.mark.parametrize("force", [False, True])
def test_bad_documents_are_never_admitted(db, site, csrc_bytes, case, force):
    ctype, body = BAD_DOCUMENTS[case]
    body = body if body is not None else csrc_bytes[: len(csrc_bytes) // 3]
    ext = "docx" if ctype == DOCX else "pdf"
    site.landing("/p.html", f"doc.{ext}")
    site.pages[f"/doc.{ext}"] = (ctype, body)
    api.entries(db)
    before = counts(db)
    r, [o] = refresh(db, "csrc-peizi", "--url", site.url + "/p.html", *(["--force"] if force else []))
    assert r.exit_code == 1 and o["status"] == "failed" and o["message"]
    assert counts(db) == before


def test_unreachable_and_no_attachment(db, site, monkeypatch):
    from peizi_guard.scraper.fetch import Fetcher

    monkeypatch.setattr(Fetcher, "_backoff", lambda self, attempt: 0.01)  # the retries, without 7 s of waits
    api.entries(db)
    before = counts(db)
    site.pages["/empty.html"] = ("text/html; charset=utf-8", "<html><body>没有附件</body></html>".encode())
    r = CliRunner().invoke(main, ["--db", db, "refresh", "--url", site.url + "/empty.html"])
    assert r.exit_code == 2 and "name that source" in r.output  # one page is not every source's
    r, outs = refresh(db, "csrc-peizi", "--url", site.url + "/empty.html")
    assert r.exit_code == 1 and [o["status"] for o in outs] == ["failed"]
    assert "attachment" in outs[0]["message"]
    r, [o] = refresh(db, "csrc-peizi", "--url", "http://127.0.0.1:9/")
    assert o["status"] == "failed" and "127.0.0.1" in o["message"]
    assert counts(db) == before
    r = CliRunner().invoke(main, ["--db", db, "refresh", "nope"])
    assert r.exit_code == 2 and "unknown source 'nope'" in r.output


def test_shrunken_list_is_refused_unless_forced(db, site):
    """A real but partial list (the first 100 CSRC rows as an HTML table) is under half of 258."""
    from peizi_guard import builtin

    [doc] = [d for d in builtin.manifest() if d["source"] == "csrc-peizi"]
    parsed, _ = builtin.load(doc)
    rows = "".join(
        f"<tr><td>{e.seq}</td><td>{'/'.join([e.name] + e.aliases)}</td><td>{'<br>'.join(e.urls) or '—'}</td>"
        f"<td>—</td><td>{'/'.join(c.name for c in e.companies) or '—'}</td><td>{e.region}</td></tr>"
        for e in parsed.entries[:100])
    html = ("<html><head><meta charset='utf-8'></head><body><table><tr><td>序号</td><td>配资平台名称</td><td>网址</td>"
            "<td>配资APP、微信公众号、小程序名称</td><td>运营机构名称</td><td>运营机构注册地</td></tr>"
            f"{rows}</table></body></html>")
    site.pages["/partial.html"] = ("text/html; charset=utf-8", html.encode())
    api.entries(db)
    before = counts(db)
    r, [o] = refresh(db, "csrc-peizi", "--url", site.url + "/partial.html")
    assert r.exit_code == 1 and o["status"] == "refused" and "--force" in o["message"]
    assert counts(db) == before
    r, [o] = refresh(db, "csrc-peizi", "--url", site.url + "/partial.html", "--force")
    assert r.exit_code == 0 and o["status"] == "added" and o["entries"] == 100 and o["removed"] == 158
    assert len(api.entries(db, "csrc-peizi")) == 100
    assert len(api.entries(db, "csrc-peizi", as_of=date(2020, 7, 8))) == 258  # the old list is still there


def extra_cell(data, hint="", expect_layout=""):  # noqa: ANN001
    """The parser as an extra table cell made it behave (module level: it must pickle by name)."""
    from peizi_guard.scraper import parse

    if expect_layout == "csrc-peizi":
        raise IndexError("list index out of range")
    return parse.parse_document(data, hint, expect_layout=expect_layout)


def test_a_layout_change_fails_that_source_only(db_before_history, site, csrc_bytes, monkeypatch):
    """A parser tripping over a changed page (IndexError, KeyError …) fails its source with one
    line through the CLI; the next source is still refreshed and nothing stored is touched."""
    db = db_before_history  # (the shipped SAC history not stored: earlier issues are new)
    from peizi_guard.scraper import parse

    site.landing("/csrc/list.html", "files/mingdan.pdf")
    site.pages["/csrc/files/mingdan.pdf"] = ("application/pdf", csrc_bytes)
    site.landing("/sac/", "a/2019-07.docx")
    site.pages["/sac/a/2019-07.docx"] = (DOCX, SAC[6].read_bytes())
    monkeypatch.setattr(parse, "parse_document", extra_cell)  # runs in the parsing child too
    api.entries(db)
    before = counts(db)
    r, [o] = refresh(db, "csrc-peizi", "--url", site.url + "/csrc/list.html")
    assert r.exit_code == 1 and o["status"] == "failed" and "document not understood (IndexError" in o["message"]
    assert counts(db) == before
    r, [o] = refresh(db, "sac-blacklist", "--url", site.url + "/sac/")
    assert r.exit_code == 0 and o["status"] == "added"
