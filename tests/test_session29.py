"""Session 29: a query or text of only punctuation or symbols names nothing and offers nothing.
It was checked and came out "clear" (`check "。，！？"`: 未发现问题 CLEAR); it is refused as nothing
to check, like a blank one, and a `--file` line of it (a "-----" separator) is skipped."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from peizi_guard.cli import main
from peizi_guard.guard import Guard, shows_nothing
from peizi_guard.normalise import has_words
from peizi_guard.web.app import create_app

MARKS = ["。，！？", "!!!", "-----", "……", "￥￥￥", "💰💰", "（）【】", "\u200b。\u200b"]


def cli(db, *args):  # noqa: ANN001
    return CliRunner().invoke(main, ["--db", db, *args])


@given(st.text(max_size=30))
def test_has_words_is_any_alphanumeric_character(s):
    assert has_words(s) == any(ch.isalnum() for ch in s)


@pytest.mark.parametrize("marks", MARKS)
def test_punctuation_or_symbols_alone_are_nothing_to_check(db, marks):
    guard = Guard(db)
    assert shows_nothing(marks)
    with pytest.raises(ValueError, match="only punctuation or symbols"):
        guard.check(marks)
    with pytest.raises(ValueError, match="only punctuation or symbols"):
        guard.check_text(marks)
    with pytest.raises(ValueError, match="nothing to check"):
        list(guard.check_many(["杜德配资", marks]))
    r = cli(db, "check", "--text", marks)
    assert r.exit_code == 2 and r.output.count("\n") == 1 and "only punctuation or symbols" in r.output


@pytest.mark.parametrize("query", ["！a", "1", "配", "Ⅻ", "—杜德配资—"])
def test_one_letter_digit_or_character_is_something_to_check(db, query):
    assert not shows_nothing(query)
    assert Guard(db).check(query).verdict in ("listed", "suspicious", "clear")


def test_a_file_line_of_marks_is_skipped_like_a_blank_one(db, tmp_path):
    f = tmp_path / "q.txt"
    f.write_text("杜德配资\n-----\n。，！？\n\n华泰证券\n", encoding="utf-8")
    r = cli(db, "check", "--file", str(f), "--json")
    assert [json.loads(x)["query"] for x in r.stdout.splitlines()] == ["杜德配资", "华泰证券"]
    assert r.exit_code == 1  # one listed; nothing skipped as a problem
    only = tmp_path / "marks.txt"
    only.write_text("-----\n=====\n", encoding="utf-8")
    r = cli(db, "check", "--file", str(only))
    assert r.exit_code == 2 and "lines of only punctuation" in r.output


def test_html_showing_only_marks_is_nothing_but_one_linking_out_is_judged(db):
    guard = Guard(db)
    with pytest.raises(ValueError, match="nothing to check"):
        guard.check_text("<p>。，！？</p>")
    assert guard.check_text('<p>→</p><a href="https://www.ddpz666.com/">→</a>').verdict == "listed"


def test_the_web_api_refuses_marks_as_an_empty_query(shared_db):
    with TestClient(create_app(shared_db, rate_limit=0)) as c:
        r = c.get("/api/check", params={"q": "。，！？"})
        assert r.status_code == 422 and "only punctuation or symbols" in r.json()["detail"]
        r = c.post("/api/text", json={"text": "!!!"})
        assert r.status_code == 422
        assert c.get("/api/check", params={"q": "杜德配资"}).json()[0]["verdict"] == "listed"


def test_a_page_showing_only_marks_is_unchecked_never_clear(db):
    from peizi_guard.scan import result_of
    from peizi_guard.scraper.pages import Page

    ix = Guard(db).index
    url = "http://127.0.0.1/x"
    marks = result_of(ix, Page(url, url, status=200, title="……", text="。。。 ——"), [])
    assert marks["verdict"] == "unchecked" and marks["reason"] == "empty page"
    words = result_of(ix, Page(url, url, status=200, title="……", text="今日沪指小幅上涨。"), [])
    assert words["verdict"] == "clear"
    listed = result_of(ix, Page("http://www.ddpz666.com/", "http://www.ddpz666.com/", status=200, text="……"), [])
    assert listed["verdict"] == "listed"  # its address still speaks for it


# ---- --as-of a day still to come ------------------------------------------------------------------


def test_as_of_a_future_day_is_refused_not_answered_with_todays_lists(db):
    from datetime import date, timedelta

    later = date.today() + timedelta(days=30)
    with pytest.raises(ValueError, match="in the future"):
        Guard(db, as_of=later)
    for cmd in (["check", "杜德配资"], ["list"]):
        r = cli(db, *cmd, "--as-of", later.isoformat())
        assert r.exit_code == 2 and "in the future" in r.output and "Traceback" not in r.output, r.output
    tomorrow = (date.today() + timedelta(days=1)).isoformat()  # a user ahead of this machine's clock
    assert cli(db, "check", "杜德配资", "--as-of", tomorrow).exit_code == 1  # listed
    assert Guard(db, as_of=date(2020, 8, 1)).check("杜德配资").verdict == "listed"


# ---- the SAC's earlier issues, shipped --------------------------------------------------------------


def test_a_value_still_listed_is_evidence_once_not_again_as_formerly_listed(db):
    """反弹股糜币 is on the current SAC issue and, as another version of its entry, on earlier
    ones: with the history shipped it came out as exact and again as formerly-listed."""
    v = Guard(db).check("反弹股糜币")
    assert v.verdict == "listed"
    assert [(m.method, m.list) for m in v.matches] == [("exact", "official")]
    dropped = Guard(db).check("xingyetouzi.com")  # only earlier issues list it: former evidence stays
    assert [(m.method, m.list) for m in dropped.matches] == [("formerly-listed", "former")]


def test_a_new_database_without_history_when_asked(new_db, monkeypatch):
    from peizi_guard import api

    monkeypatch.setenv("PEIZI_GUARD_HISTORY", "0")
    url = new_db("lean")
    assert [len(s["snapshots"]) for s in api.sources(url)] == [1, 1]
    assert Guard(url).check("xingyetouzi.com").verdict == "clear"
    assert Guard(url).check("杜德配资").verdict == "listed"
    monkeypatch.setenv("PEIZI_GUARD_HISTORY", "1")
    full = new_db("full")
    assert [len(s["snapshots"]) for s in api.sources(full)] == [1, 12]


def test_refresh_files_the_shipped_issues_a_database_seeded_before_them_lacks(db_before_history, new_db, monkeypatch):
    """A database seeded by a peizi-guard that shipped the current issues only gets the SAC's
    earlier issues at its next refresh (offline: they ship with the package), in the history;
    the current list stays, and the next refresh files nothing again."""
    from peizi_guard import api

    from .conftest import FIXTURES
    from .sitehelper import Site

    db = db_before_history
    assert Guard(db).check("xingyetouzi.com").verdict == "clear"  # seeded: the current issues only
    monkeypatch.delenv("PEIZI_GUARD_HISTORY")  # as an upgraded peizi-guard finds it
    current = sorted(e["key"] for e in api.entries(db, "sac-blacklist"))
    site = Site()
    try:
        site.landing("/sac/", "a/list.docx")
        docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        site.pages["/sac/a/list.docx"] = (docx, (FIXTURES / "sac-blacklist-2020-04.docx").read_bytes())

        def refresh(*ids):  # noqa: ANN002, ANN202
            r = cli(db, "refresh", *ids, "--json", "--allow-private", "--url", site.url + "/sac/")
            assert r.exit_code == 0, r.output
            return [json.loads(x) for x in r.stdout.splitlines()]

        out = refresh("sac-blacklist")
        filed, fetched = out[:-1], out[-1]
        assert [o["entries"] for o in filed] == [88, 95, 95, 92, 89, 102, 132, 132, 133, 144, 147]
        assert all(o["status"] == "added" and o["current"] is False and o["url"].startswith("builtin:") for o in filed)
        assert fetched["status"] == "unchanged"  # the site's document: the current list, stored already
        assert sorted(e["key"] for e in api.entries(db, "sac-blacklist")) == current
        assert Guard(db).check("xingyetouzi.com").verdict == "suspicious"  # formerly listed, indexed at once
        assert [o["status"] for o in refresh("sac-blacklist")] == ["unchanged"]  # filed once
    finally:
        site.close()
    sac = [s for s in api.sources(db) if s["id"] == "sac-blacklist"][0]
    assert len(sac["snapshots"]) == 12 and sac["snapshots"][-1]["current"]
    # the history is the one a database seeded with them has: the same counts issue by issue
    # (2020 第2期 counted one row changed: a row the current issue lists twice was keyed by its
    # place, not by what it holds) and the same entries formerly listed
    seeded = new_db("seeded")

    def counts(url):  # noqa: ANN001, ANN202
        return [(h["issue"], h["added"], h["removed"], h["changed"], h["kept"]) for h in api.history(url, "sac-blacklist")]

    def former(url):  # noqa: ANN001, ANN202
        from peizi_guard.db import store

        with api.session(api.resolve_url(url)) as s:  # identities (version numbers follow arrival)
            return sorted((r["key"].split(" ~")[0], r["name"], tuple(r["urls"])) for r in store.iter_former_records(s))

    assert counts(db) == counts(seeded) and len(counts(db)) == 12
    assert former(db) == former(seeded) and len(former(db)) == 82


def test_an_issue_imported_from_another_copy_is_not_filed_again(db_before_history, monkeypatch, tmp_path):
    """The same issue in other bytes (a re-saved .docx) imported by hand is held by its number."""
    import zipfile

    from peizi_guard import api

    from .conftest import FIXTURES

    db = db_before_history
    copy = tmp_path / "2019-01-copy.docx"
    with zipfile.ZipFile(FIXTURES / "sac-blacklist-2019-01.docx") as src, zipfile.ZipFile(copy, "w") as dst:
        for item in src.infolist():
            dst.writestr(item.filename, src.read(item), compress_type=zipfile.ZIP_STORED)  # other bytes
    assert copy.read_bytes() != (FIXTURES / "sac-blacklist-2019-01.docx").read_bytes()
    assert api.import_file(db, str(copy), "sac-blacklist").status == "added"
    monkeypatch.delenv("PEIZI_GUARD_HISTORY")
    filed = api._file_shipped(api.resolve_url(db), {"sac-blacklist"})
    assert len(filed) == 10 and all(o.entries != 88 for o in filed)  # the ten others, not 2019年第1期
    issues = [h["issue"] for h in api.history(db, "sac-blacklist")]
    assert issues.count("2019年第1期") == 1 and len(issues) == 12
