"""Found in use: a clear answer names the user's own lists, checked too; `diff` alone compares
the list now current after an earlier version is made current again."""

from __future__ import annotations

import json

from click.testing import CliRunner

from peizi_guard.cli import main


def cli(db, *args):  # noqa: ANN001
    return CliRunner().invoke(main, ["--db", db, *args])


def _import(db, tmp_path, name: str, rows: list[str]):  # noqa: ANN001
    f = tmp_path / name
    f.write_text("name,urls\n" + "\n".join(rows) + "\n", encoding="utf-8")
    r = cli(db, "import", str(f), "--source", "my-blocklist", "--json")
    assert r.exit_code == 0, r.output
    return json.loads(r.output)


def test_a_clear_answer_names_the_users_own_lists_only_when_there_are_some(db, tmp_path):
    r = cli(db, "check", "华泰证券")
    assert r.exit_code == 0 and "Not on the official lists. That alone" in r.output and "your own" not in r.output
    _import(db, tmp_path, "mine.csv", ["甲乙配资,jiayi-pz.com", "丙丁配资,bingding-pz.com"])
    r = cli(db, "check", "华泰证券")
    assert r.exit_code == 0
    assert "Not on the official lists nor on your own (my-blocklist)" in r.output
    assert "你导入的名单（my-blocklist）" in r.output
    r = cli(db, "check", "甲乙配资")  # listed on the user's list: no clear advice at all
    assert r.exit_code == 1 and "your own (my-blocklist)" not in r.output


def test_the_web_page_names_the_users_own_lists_in_a_clear_answer():
    from peizi_guard.matcher import Verdict
    from peizi_guard.web.page import page

    v = Verdict("华泰证券", "name", "clear", 0.0, [], [], [], None)
    lists = [{"id": "csrc-peizi", "kind": "official"}, {"id": "my-blocklist", "kind": "user"}]
    assert "Not on the official lists nor on your own (my-blocklist)" in page("en", "华泰证券", v, lists=lists)
    assert "你导入的名单（my-blocklist）中均未发现" in page("zh", "华泰证券", v, lists=lists)
    assert "nor on your own" not in page("en", "华泰证券", v, lists=lists[:1])


def test_diff_alone_compares_the_list_now_current_after_an_earlier_version_is_current_again(db, tmp_path):
    first = _import(db, tmp_path, "v1.csv", ["甲乙配资,jiayi-pz.com", "丙丁配资,bingding-pz.com"])
    second = _import(
        db, tmp_path, "v2.csv", ["甲乙配资,jiayi-pz.com", "丙丁配资,bingding-pz.com", "戊己配资,wuji-pz.com"]
    )
    d = json.loads(cli(db, "diff", "my-blocklist", "--json").output)
    assert (d["old"], d["new"]) == (first["snapshot"], second["snapshot"])
    assert [e["name"] for e in d["added"]] == ["戊己配资"] and not d["removed"]
    again = _import(db, tmp_path, "v1.csv", ["甲乙配资,jiayi-pz.com", "丙丁配资,bingding-pz.com"])
    assert again["status"] == "reverted"
    d = json.loads(cli(db, "diff", "my-blocklist", "--json").output)
    assert (d["old"], d["new"]) == (second["snapshot"], first["snapshot"])  # what going back changed
    assert [e["name"] for e in d["removed"]] == ["戊己配资"] and not d["added"]


def test_an_entry_printed_otherwise_is_counted_as_changed_not_kept(db, tmp_path):
    _import(db, tmp_path, "v1.csv", ["甲乙配资,jiayi-pz.com", "丙丁配资,bingding-pz.com", "戊己配资,wuji-pz.com"])
    f = tmp_path / "v2.csv"  # 丙丁配资 renamed at its address; 戊己配资 gone; 庚辛配资 new
    f.write_text(
        "name,urls\n甲乙配资,jiayi-pz.com\n丙丁优配,bingding-pz.com\n庚辛配资,gengxin-pz.com\n", encoding="utf-8"
    )
    r = cli(db, "import", str(f), "--source", "my-blocklist")
    assert r.exit_code == 0 and "(added 1, removed 1, changed 1, kept 1)" in r.output, r.output
    out = json.loads(cli(db, "import", str(f), "--source", "my-blocklist", "--force", "--json").output)
    assert out["status"] == "unchanged"
    hist = [json.loads(x) for x in cli(db, "history", "my-blocklist", "--json").output.splitlines()]
    assert [(h["added"], h["removed"], h["changed"], h["kept"]) for h in hist] == [(3, 0, 0, 0), (1, 1, 1, 1)]
    table = cli(db, "history", "my-blocklist").output
    assert "CHANGED" in table and "~1" in table
