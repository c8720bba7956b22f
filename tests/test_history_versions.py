"""Every snapshot lists its entries as its document published them: an entry whose data change
(same address, another name) is a new stored version, and the older snapshots keep the old one.
Real SAC issues: 银河配资 (yinhepeizi.com) in 2019年第3–6期, 金河配资 from 2019年第7期."""
from __future__ import annotations

import json
from datetime import date

from click.testing import CliRunner

from peizi_guard import api
from peizi_guard.cli import main

from .conftest import FIXTURES

EARLY = ["01", "02", "03", "04", "05", "06"]  # 银河配资 in 03–06
THEN = date(2019, 5, 15)  # 2019年第3期 (its findings reach 2019-05)


def cli(db, *args):  # noqa: ANN001
    return CliRunner().invoke(main, ["--db", db, *args])


def sac(issue: str) -> str:
    return str(FIXTURES / f"sac-blacklist-{issue}.docx")


def yinhe(rows: list[dict]) -> list[str]:
    return [e["name"] for e in rows if "http://yinhepeizi.com" in e["urls"]]


def import_issues(db, issues):  # noqa: ANN001
    for issue in issues:
        r = cli(db, "import", sac(issue), "--source", "sac-blacklist")
        assert r.exit_code == 0, r.output


def test_a_renamed_entry_keeps_its_old_name_in_older_snapshots(db_before_history):
    db = db_before_history  # (the shipped SAC history not stored: earlier issues are new)
    import_issues(db, [*(f"2019-{m}" for m in EARLY), "2019-07"])  # after the built-in 2020 issue
    assert yinhe(api.entries(db, "sac-blacklist", as_of=THEN)) == ["银河配资"]
    assert yinhe(api.entries(db, "sac-blacklist", as_of=date(2019, 8, 15))) == ["银河配资"]  # 2019年第6期
    assert yinhe(api.entries(db, "sac-blacklist", as_of=date(2019, 9, 15))) == ["金河配资"]  # 2019年第7期
    assert yinhe(api.entries(db, "sac-blacklist")) == ["金河配资"]
    r = cli(db, "check", "银河配资", "--as-of", "2019-05-15", "--json")
    assert r.exit_code == 1 and json.loads(r.stdout)["verdict"] == "listed"
    r = cli(db, "check", "银河配资", "--json")
    assert json.loads(r.stdout)["verdict"] != "listed"  # today's list says 金河配资
    r = cli(db, "list", "--source", "sac-blacklist", "--as-of", "2019-05-15")
    assert "银河配资" in r.stdout and "金河配资" not in r.stdout


def test_order_of_arrival_does_not_matter(db_before_history, new_db):
    """Oldest first or newest first: each snapshot lists what its document printed."""
    db = db_before_history  # (the shipped SAC history not stored: earlier issues are new)
    other = new_db("other")
    import_issues(db, ["2019-03", "2019-07"])
    import_issues(other, ["2019-07", "2019-03"])
    for d in (db, other):
        assert yinhe(api.entries(d, "sac-blacklist", as_of=THEN)) == ["银河配资"]
        assert yinhe(api.entries(d, "sac-blacklist", as_of=date(2019, 9, 15))) == ["金河配资"]
        assert yinhe(api.entries(d, "sac-blacklist")) == ["金河配资"]


def test_the_same_data_again_is_the_same_version(db_before_history):
    """Issues that list 银河配资 alike share one stored row; a row's place (seq) is no change."""
    db = db_before_history  # (the shipped SAC history not stored: earlier issues are new)
    import_issues(db, [f"2019-{m}" for m in EARLY])
    import_issues(db, ["2019-07", "2019-08"])
    rows = {}
    snaps = next(x for x in api.sources(db) if x["id"] == "sac-blacklist")["snapshots"]
    for snap in snaps:
        for e in api.entries(db, "sac-blacklist", as_of=date.fromisoformat(snap["order_date"])):
            if "http://yinhepeizi.com" in e["urls"]:
                rows.setdefault(e["name"], set()).add((e["key"], e["first_seen"], e["last_seen"]))
    assert set(rows) == {"银河配资", "金河配资"}
    assert all(len(v) == 1 for v in rows.values()), rows  # one version each, not one per issue
    (old,), (new,) = rows["银河配资"], rows["金河配资"]
    assert old[0] != new[0] and old[0].split(" ")[0] == new[0].split(" ")[0] == "url:yinhepeizi.com"


def test_history_and_diff_of_a_renamed_entry(db_before_history):
    db = db_before_history  # (the shipped SAC history not stored: earlier issues are new)
    import_issues(db, ["2019-06", "2019-07"])
    hist = [json.loads(x) for x in cli(db, "history", "sac-blacklist", "--json").stdout.splitlines()]
    six, seven = (h["id"] for h in hist[:2])
    d = json.loads(cli(db, "diff", "sac-blacklist", str(six), str(seven), "--json").stdout)
    renamed = [c for c in d["changed"] if "http://yinhepeizi.com" in c["new"]["urls"]]
    assert [(c["old"]["name"], c["new"]["name"]) for c in renamed] == [("银河配资", "金河配资")]
    assert (renamed[0]["old"]["seq"], renamed[0]["new"]["seq"]) == (10, 5)  # each as its issue lists it
    assert all(e["name"] != "金河配资" for e in d["added"])  # the same entry: changed, not added
    assert (d["kept"], len(d["changed"])) == (hist[1]["kept"], hist[1]["changed"])  # history counts it as changed
    r = cli(db, "revert", "sac-blacklist", str(six))
    assert r.exit_code == 0
    assert yinhe(api.entries(db, "sac-blacklist")) == ["银河配资"]
    r = cli(db, "check", "银河配资", "--json")
    assert r.exit_code == 1 and json.loads(r.stdout)["verdict"] == "listed"


L6 = [("甲配资", "a1.com"), ("乙配资", "b1.com"), ("丙配资", "c1.com"), ("丁配资", "d1.com"), ("戊配资", "e1.com"),
      ("己配资", "f1.com")]


def test_a_user_list_with_every_name_changed_diffs_and_reverts(db, tmp_path):
    f = tmp_path / "l6.csv"
    f.write_text("name,urls\n" + "".join(f"{n},{u}\n" for n, u in L6), encoding="utf-8")
    assert cli(db, "import", str(f), "--source", "l6").exit_code == 0
    f.write_text("name,urls\n" + "".join(f"{n}新,{u}\n" for n, u in L6), encoding="utf-8")
    r = cli(db, "import", str(f), "--source", "l6")
    assert r.exit_code == 0 and "changed 6, kept 0" in r.stdout, r.output  # the same six entries (same addresses)
    assert sorted(e["name"] for e in api.entries(db, "l6")) == sorted(f"{n}新" for n, _ in L6)
    d = json.loads(cli(db, "diff", "l6", "--json").stdout)
    assert sorted((c["old"]["name"], c["new"]["name"]) for c in d["changed"]) == sorted((n, f"{n}新") for n, _ in L6)
    assert (d["added"], d["removed"], d["kept"]) == ([], [], 0)
    assert "=6" not in cli(db, "diff", "l6").stdout
    first = json.loads(cli(db, "history", "l6", "--json").stdout.splitlines()[0])["id"]
    assert cli(db, "revert", "l6", str(first)).exit_code == 0
    assert sorted(e["name"] for e in api.entries(db, "l6")) == sorted(n for n, _ in L6)
    assert json.loads(cli(db, "check", "甲配资", "--json").stdout)["verdict"] == "listed"


def test_seeding_then_an_older_issue_leaves_the_built_in_list_as_shipped(db_before_history):
    db = db_before_history  # (the shipped SAC history not stored: earlier issues are new)
    shipped = sorted((e["key"], e["name"]) for e in api.entries(db, "sac-blacklist"))
    import_issues(db, ["2019-06"])  # older than the built-in issue: history only
    assert sorted((e["key"], e["name"]) for e in api.entries(db, "sac-blacklist")) == shipped
    assert yinhe(api.entries(db, "sac-blacklist", as_of=date(2019, 8, 15))) == ["银河配资"]


def test_a_records_content_is_the_record_without_its_seq():
    from peizi_guard.db.store import _content
    from peizi_guard.model import Entry
    from peizi_guard.scraper.parse import parse_document

    def slow(rec: dict) -> str:
        return json.dumps({k: v for k, v in rec.items() if k != "seq"}, ensure_ascii=False, sort_keys=True)

    name = "sac-blacklist-2019-03.docx"
    records = [e.to_dict() for e in parse_document((FIXTURES / name).read_bytes(), name).entries]
    records.append(Entry(7, 'x"seq": 1, ', urls=['"seq": 9, ', "a.com"], extra={"seq": 3}).to_dict())
    for rec in records:
        assert _content(json.dumps(rec, ensure_ascii=False, sort_keys=True)) == slow(rec)
    assert _content('{"name": "x", "seq": 3}') == '{"name": "x"}'  # other text: parsed
