"""Found in use (round eight's leftovers): a revert says what it changed; a failed refresh line
counts nothing as 0 like the others."""

from __future__ import annotations

import json

from click.testing import CliRunner

from peizi_guard.cli import main

from .conftest import FIXTURES


def cli(db, *args):  # noqa: ANN001
    return CliRunner().invoke(main, ["--db", db, *args])


def test_a_revert_counts_what_it_changed_as_diff_counts_it(db):
    from peizi_guard import api

    api.entries(db)
    jan = api.import_file(db, str(FIXTURES / "sac-blacklist-2020-01.docx"), "sac-blacklist")
    now = [s for s in api.sources(db) if s["id"] == "sac-blacklist"][0]["snapshots"]
    [shipped] = [x["id"] for x in now if x["current"]]
    expected = api.diff(db, "sac-blacklist", shipped, jan.snapshot_id)
    r = cli(db, "revert", "sac-blacklist", str(jan.snapshot_id), "--json")
    assert r.exit_code == 0, r.output
    back = json.loads(r.output)
    assert back["replaced"] == shipped
    got = {k: back[k] for k in ("added", "removed", "changed", "kept")}
    want = {k: len(expected[k]) for k in ("added", "removed", "changed")}
    assert got == {**want, "kept": expected["kept"]}
    assert got["added"] + got["changed"] + got["kept"] == back["entries"] and got["removed"] > 0
    # and back again, in words: the counts turn round
    r = cli(db, "revert", "sac-blacklist", str(shipped))
    assert r.exit_code == 0
    assert (f"(added {got['removed']}, removed {got['added']}, changed {got['changed']}, kept {got['kept']})"
            in r.output)


def test_rows_with_one_name_in_another_order_are_the_same_rows_not_changed(db, tmp_path):
    f = tmp_path / "l.csv"
    rows = ["甲乙配资,,客服甲", "甲乙配资,,客服乙", "丙丁配资,bingding-pz.com,"]
    f.write_text("name,urls,note\n" + "\n".join(rows) + "\n", encoding="utf-8")
    assert cli(db, "import", str(f), "--source", "mine").exit_code == 0
    f.write_text("name,urls,note\n" + "\n".join([rows[1], rows[2], rows[0]]) + "\n", encoding="utf-8")
    line = json.loads(cli(db, "import", str(f), "--source", "mine", "--json").stdout)
    assert (line["added"], line["removed"], line["changed"], line["kept"]) == (0, 0, 0, 3)
    d = json.loads(cli(db, "diff", "mine", "--json").output)
    assert (d["added"], d["removed"], d["changed"], d["kept"]) == ([], [], [], 3)
    # one of the two really changed: that one is changed, the other kept
    f.write_text("name,urls,note\n" + "\n".join([rows[1], "甲乙配资,,客服丙", rows[2]]) + "\n", encoding="utf-8")
    line = json.loads(cli(db, "import", str(f), "--source", "mine", "--json").stdout)
    assert (line["added"], line["removed"], line["changed"], line["kept"]) == (0, 0, 1, 2)
    d = json.loads(cli(db, "diff", "mine", "--json").output)
    [c] = d["changed"]
    assert (c["old"]["extra"], c["new"]["extra"]) == ({"note": "客服甲"}, {"note": "客服丙"})
