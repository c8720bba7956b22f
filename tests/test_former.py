"""An entry an official list dropped from its current issue (a fake broker site on the SAC's
2019 issue 1, gone from the 2020 one) is evidence of its own kind: suspicious, "formerly listed"."""

from __future__ import annotations

from .conftest import FIXTURES

JAN_2019 = FIXTURES / "sac-blacklist-2019-01.docx"  # lists xingyetouzi.com (#19); the current 2020 issue does not


def test_a_site_dropped_from_a_later_issue_is_formerly_listed(db_before_history):
    db = db_before_history  # (the shipped SAC history not stored: earlier issues are new)
    from peizi_guard import Guard, api
    from peizi_guard.output.report import ADVICE, advice_for

    g = Guard(db)
    assert g.check("xingyetouzi.com").verdict == "clear"  # the 2020 issue only
    res = api.import_file(db, str(JAN_2019), "sac-blacklist")
    assert res.status == "added" and not res.current  # an earlier issue: filed in the history
    g = Guard(db)
    for q in ("xingyetouzi.com", "http://www.xingyetouzi.com/chinese/index.html"):
        v = g.check(q)
        assert v.verdict == "suspicious", q
        assert [(m.source, m.seq, m.method, m.list) for m in v.matches] == [
            ("sac-blacklist", 19, "formerly-listed", "former")
        ], q
        assert advice_for(v) == ADVICE["former"]
    assert [v.verdict for v in g.check_many(["xingyetouzi.com", "杜德配资"])] == ["suspicious", "listed"]
    # what the current issue lists stays listed; no look-alike of a dropped entry is evidence
    assert g.check("xingyetouzi2.com").matches == []
    # as the lists stood on a day: that day's issue, nothing else
    from datetime import date

    assert Guard(db, as_of=date(2019, 3, 15)).check("xingyetouzi.com").verdict == "listed"


def test_the_shipped_history_makes_dropped_entries_formerly_listed_out_of_the_box(db):
    """The package ships all twelve SAC issues: what the current one dropped is known offline."""
    from datetime import date

    from peizi_guard import Guard, api

    v = Guard(db).check("http://www.xingyetouzi.com/chinese/index.html")
    assert v.verdict == "suspicious"
    assert [(m.source, m.seq, m.method, m.list) for m in v.matches] == [
        ("sac-blacklist", 19, "formerly-listed", "former")
    ]
    assert Guard(db, as_of=date(2019, 3, 15)).check("xingyetouzi.com").verdict == "listed"
    former = {e["key"] for e in api.entries(db, "sac-blacklist", as_of=date(2019, 3, 15))} - {
        e["key"] for e in api.entries(db, "sac-blacklist")
    }
    assert len(former) == 42  # entries of the 2019 第1期 the current issue no longer lists
    assert Guard(db).check("杜德配资").verdict == "listed"  # the current lists as ever


def test_what_a_user_removed_from_an_own_list_is_no_evidence(db, tmp_path):
    from peizi_guard import Guard, api

    first = tmp_path / "mine.csv"
    first.write_text("name,urls\n某甲配资,www.qwzx-jia.cn\n某乙配资,www.qwzx-yi.cn\n", encoding="utf-8")
    api.import_file(db, str(first), "mine")
    first.write_text("name,urls\n某甲配资,www.qwzx-jia.cn\n", encoding="utf-8")
    api.import_file(db, str(first), "mine", force=True)
    g = Guard(db)
    assert g.check("www.qwzx-yi.cn").matches == []  # its owner took it off
    assert [m.method for m in g.check("www.qwzx-jia.cn").matches] == ["host"]


def test_an_earlier_issue_changes_the_index_key_and_is_indexed_at_once(db_before_history):
    db = db_before_history  # (the shipped SAC history not stored: earlier issues are new)
    from peizi_guard import api
    from peizi_guard.db import indexfile

    url = api.resolve_url(db)
    api.load_index(db)  # seeded, its index saved
    before = api.index_key(url)
    assert before is not None
    api.import_file(db, str(JAN_2019), "sac-blacklist")
    after = api.index_key(url)
    assert after != before  # a process holding the old index sees that the lists changed
    ix = indexfile.load(indexfile.path_for(url), after, api.load_index(db).settings)
    assert ix is not None  # saved by the import: no check has to build it


def test_an_earlier_issue_is_in_the_database_file_itself(db_before_history):
    """Round 17: an import that left the current list as it was stayed in the SQLite WAL, so a
    copy of the .db file lacked it (every change of the lists ends in a checkpoint now)."""
    db = db_before_history  # (the shipped SAC history not stored: earlier issues are new)
    import os

    from peizi_guard import api
    from peizi_guard.db.engine import sqlite_path

    path = sqlite_path(api.resolve_url(db))
    if not path:
        return  # a database server: no file to copy
    api.import_file(db, str(JAN_2019), "sac-blacklist")
    wal = path + "-wal"
    assert not os.path.exists(wal) or os.path.getsize(wal) == 0
