"""Snapshots are ordered by publication, never by arrival; nothing stored is lost by an import;
an earlier list can be made current again. Real SAC issues and the real CSRC list."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from peizi_guard import api, builtin
from peizi_guard.cli import main

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SAC = {p.stem[len("sac-blacklist-"):]: p for p in sorted(FIXTURES.glob("sac-blacklist-*.docx"))}


def cli(db, *args):  # noqa: ANN001
    return CliRunner().invoke(main, ["--db", db, *args])


def keys(db, source="sac-blacklist"):  # noqa: ANN001
    return sorted(e["key"] for e in api.entries(db, source))


def test_issues_imported_in_any_order_leave_the_newest_current(db_before_history):
    fresh = db_before_history  # (the shipped SAC history not stored: earlier issues are new)
    cli(fresh, "import", str(SAC["2020-03"]), "--source", "sac-blacklist")  # older than the built-in 2020 issue
    newest = keys(fresh)
    for issue in ("2020-02", "2019-05", "2019-08", "2019-01"):
        r = cli(fresh, "import", str(SAC[issue]), "--source", "sac-blacklist", "--json")
        out = json.loads(r.stdout)
        assert r.exit_code == 0 and out["status"] == "added" and out["current"] is False
        assert "stored in the history; the current list is unchanged" in out["message"]
        assert keys(fresh) == newest
    hist = [json.loads(x) for x in cli(fresh, "history", "sac-blacklist", "--json").stdout.splitlines()]
    assert [h["issue"] for h in hist] == ["2019年第1期", "2019年第5期", "2019年第8期", "2020年第2期", "2020年第3期", ""]
    assert [h["current"] for h in hist] == [False] * 5 + [True]  # the built-in 2020 issue (published May 2020)


def test_the_same_old_document_twice_is_known(db):
    cli(db, "import", str(SAC["2019-07"]), "--source", "sac-blacklist")
    r = cli(db, "import", str(SAC["2019-07"]), "--source", "sac-blacklist")
    assert r.exit_code == 0 and "unchanged" in r.stdout and "already known" in r.stdout


def test_an_old_document_imported_again_says_how_to_make_it_current(db):
    """Importing an earlier issue's very bytes again changes nothing (they are stored), and the
    message names the revert that would make that issue the current list."""
    cli(db, "import", str(SAC["2019-07"]), "--source", "sac-blacklist")
    current = keys(db)
    r = cli(db, "import", str(SAC["2019-07"]), "--source", "sac-blacklist", "--json")
    out = json.loads(r.stdout)
    assert r.exit_code == 0 and out["status"] == "unchanged" and out["current"] is False
    assert keys(db) == current
    hint = out["message"].split("to make this one current: ")[1]
    assert hint == f"peizi-guard revert sac-blacklist {out['snapshot']}"
    r = cli(db, *hint.split()[1:])
    assert r.exit_code == 0, r.output
    again = json.loads(cli(db, "import", str(SAC["2019-07"]), "--source", "sac-blacklist", "--json").stdout)
    assert again["status"] == "unchanged" and again["current"] is True and again["message"] == ""
    assert keys(db) != current and len(keys(db)) == out["entries"]


def test_a_short_document_cannot_replace_the_list_without_force(db, tmp_path):
    parsed, _ = builtin.load(next(d for d in builtin.manifest() if d["source"] == "csrc-peizi"))
    rows = "".join(f"<tr><td>{e.seq}</td><td>{e.name}</td><td>{'<br>'.join(e.urls) or '—'}</td><td>—</td>"
                   f"<td>{'/'.join(c.name for c in e.companies) or '—'}</td><td>{e.region}</td></tr>"
                   for e in parsed.entries[:10])
    page = tmp_path / "ten.html"
    page.write_text("<html><head><meta charset='utf-8'></head><body><table><tr><td>序号</td><td>配资平台名称</td>"
                    "<td>网址</td><td>配资APP、微信公众号、小程序名称</td><td>运营机构名称</td><td>运营机构注册地</td></tr>"
                    f"{rows}</table></body></html>", encoding="utf-8")
    before = keys(db, "csrc-peizi")
    r = cli(db, "import", str(page), "--source", "csrc-peizi", "--published", "2021-01-01")
    assert r.exit_code == 2 and "refused: 10 rows, under half of the current 258" in r.stderr
    assert keys(db, "csrc-peizi") == before and len(before) == 258
    r = cli(db, "import", str(page), "--source", "csrc-peizi", "--published", "2021-01-01", "--force")
    assert r.exit_code == 0 and len(keys(db, "csrc-peizi")) == 10


def test_a_document_that_removes_more_than_it_keeps_is_refused(db_before_history):
    db = db_before_history  # (the shipped SAC history not stored: earlier issues are new)
    before = keys(db)
    r = cli(db, "import", str(SAC["2019-01"]), "--source", "sac-blacklist", "--published", "2021-01-01")
    assert r.exit_code == 2 and "would remove" in r.stderr and "keep" in r.stderr
    assert keys(db) == before


def test_revert_makes_an_earlier_list_current_until_a_newer_document(db_before_history):
    db = db_before_history  # (the shipped SAC history not stored: earlier issues are new)
    builtin_keys = keys(db)
    cli(db, "import", str(SAC["2020-03"]), "--source", "sac-blacklist", "--published", "2020-06-01", "--force")
    assert keys(db) != builtin_keys
    hist = [json.loads(x) for x in cli(db, "history", "sac-blacklist", "--json").stdout.splitlines()]
    first = hist[0]["id"]
    r = cli(db, "revert", "sac-blacklist", str(first))
    assert r.exit_code == 0 and "is the current list again" in r.stdout
    assert keys(db) == builtin_keys
    hist = [json.loads(x) for x in cli(db, "history", "sac-blacklist", "--json").stdout.splitlines()]
    assert hist[-1]["event"] == "revert" and hist[-1]["id"] == first
    assert [h["current"] for h in hist if h["event"] == "snapshot"] == [True, False]
    r = cli(db, "revert", "sac-blacklist", str(first))  # again: it is current, so nothing happens
    assert r.exit_code == 2 and "current list of sac-blacklist already" in r.output
    assert [json.loads(x) for x in cli(db, "history", "sac-blacklist", "--json").stdout.splitlines()] == hist
    # an older document does not end the revert; a newer one does
    cli(db, "import", str(SAC["2019-08"]), "--source", "sac-blacklist")
    assert keys(db) == builtin_keys
    cli(db, "import", str(SAC["2020-02"]), "--source", "sac-blacklist", "--published", "2020-07-01", "--force")
    assert len(keys(db)) == 144
    assert cli(db, "revert", "sac-blacklist", "999").exit_code == 2
