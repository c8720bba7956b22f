"""The library's entry point, used as the README shows."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from peizi_guard import Guard, api
from peizi_guard.cli import main


def test_the_readme_example(db):
    g = Guard(db)
    v = g.check("杜德配资")
    assert v.verdict == "listed" and v.matches[0].source == "csrc-peizi" and v.to_dict()["verdict"] == "listed"
    assert [x.verdict for x in g.check_many(["https://www.ddpz666.com/", "华泰证券"])] == ["listed", "clear"]
    assert g.check_text("您炒股我出钱，1:10杠杆，按天配资，当天到账，加微信领取体验金").probability > 0.9
    assert g.entries("csrc-peizi")[2]["name"] == "杜德配资" and len(g.entries()) == 410


def test_one_index_per_guard_and_changes_are_seen(db, tmp_path):
    g = Guard(db)
    first = g.index
    assert g.check("示例配资").verdict != "listed" and g.index is first  # loaded once, kept
    f = tmp_path / "mine.csv"
    f.write_text("name,urls\n示例配资,www.example-pz.com\n", encoding="utf-8")
    res = g.import_file(str(f), "mine")
    assert res.status == "added" and g.check("示例配资").verdict == "listed" and g.index is not first


def test_entries_have_the_shape_list_json_prints(db):
    g = Guard(db)
    printed = [json.loads(x) for x in CliRunner().invoke(main, ["--db", db, "list", "--json"]).stdout.splitlines()]
    assert printed == g.entries()


def test_no_lists_is_an_error_not_an_answer():
    with pytest.raises(api.NoLists):
        Guard("sqlite://").check("杜德配资")


def test_wrong_arguments_are_clear_exceptions(db):
    import datetime

    g = Guard(db)
    for call, error, says in (
        (lambda: g.check(None), TypeError, "query must be a str"),
        (lambda: g.check(123), TypeError, "query must be a str"),
        (lambda: g.check_text(None), TypeError, "text must be a str"),
        (lambda: g.check("杜德配资", "foo"), ValueError, "kind must be one of"),
        (lambda: list(g.check_many("杜德配资")), TypeError, "not one str"),
        (lambda: g.scan("http://127.0.0.1:1/"), TypeError, "not one str"),
        (lambda: Guard(db, as_of="2020-01-01"), TypeError, "datetime.date"),
    ):
        with pytest.raises(error, match=says):
            call()
    assert Guard(db, as_of=datetime.date(2020, 8, 1)).check("杜德配资").verdict == "listed"


def test_a_guard_follows_lists_another_process_changes(db, tmp_path):
    g = Guard(db)
    assert g.check("新增平台甲").verdict == "clear" and g.follow(every=0) is False  # nothing changed yet
    f = tmp_path / "add.csv"
    f.write_text("name,urls\n新增平台甲,www.xinzeng-a.com\n", encoding="utf-8")
    api.import_file(db, str(f), "addlist")  # as `peizi-guard import` would, beside a running server
    assert g.check("新增平台甲").verdict == "clear"  # the loaded index stays until it looks
    assert g.follow(every=3600) is False  # it looked a moment ago: not again within the hour
    assert g.follow(every=0) is True and g.check("新增平台甲").verdict == "listed"
    assert g.follow(every=0) is False  # those lists are the loaded ones now
