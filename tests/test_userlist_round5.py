"""Round five of the user lists: the file is the list (an earlier version imported again is the
current list again, under the same shrink refusal), JSON lines values that are lists or not text,
a CSV with lone \\r line ends (Excel for Mac), a name two rows share, and what `import` says."""
from __future__ import annotations

import json

from click.testing import CliRunner

from peizi_guard import api
from peizi_guard.cli import main
from peizi_guard.scraper.userlist import ALIAS_SEPARATORS, URL_SEPARATORS, parse_user_list

from .conftest import table_counts

A = "name,urls\n甲配资,www.jia-pz.com\n乙配资,www.yi-pz.com\n"
B = A + "丙配资,www.bing-pz.com\n"


def cli(db, *args):  # noqa: ANN001
    return CliRunner().invoke(main, ["--db", db, *args])


def verdict(db, query):  # noqa: ANN001
    return json.loads(cli(db, "check", query, "--json").stdout)["verdict"]


def imported(db, path, *extra):  # noqa: ANN001
    r = cli(db, "import", str(path), "--source", "reimp", "--json", *extra)
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


# ---- 1. an earlier version of a user's file imported again is the current list again -------------


def test_an_earlier_version_of_a_user_list_imported_again_is_the_current_list_again(db, tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text(A, encoding="utf-8")
    b.write_text(B, encoding="utf-8")
    first = imported(db, a)
    second = imported(db, b)
    assert verdict(db, "www.bing-pz.com") == "listed"
    stored = table_counts(db, ("snapshots", "entries"))
    again = imported(db, a)
    assert again["status"] == "reverted" and again["current"] is True and again["snapshot"] == first["snapshot"]
    assert (again["entries"], again["added"], again["removed"], again["kept"]) == (2, 0, 1, 2)
    assert set(again) == set(second)  # the same fields as any import
    assert "now the current list again" in again["message"]
    assert verdict(db, "www.bing-pz.com") != "listed" and verdict(db, "www.jia-pz.com") == "listed"
    assert table_counts(db, ("snapshots", "entries")) == stored  # everything stored stays, nothing new
    hist = [json.loads(x) for x in cli(db, "history", "reimp", "--json").stdout.splitlines()]
    assert [(h["event"], h["id"]) for h in hist if h["event"] != "snapshot"] == [("revert", first["snapshot"])]
    assert imported(db, a)["status"] == "unchanged"  # current already: nothing to do
    r = cli(db, "import", str(b), "--source", "reimp")  # and forward again, said in words
    assert r.exit_code == 0 and f"snapshot {second['snapshot']}, 3 entries (added 1, removed 0, changed 0, kept 2)" in r.stdout
    assert "it is now the current list again" in r.stdout
    assert verdict(db, "www.bing-pz.com") == "listed"


def test_the_shrink_refusal_holds_for_an_earlier_version_too(db, tmp_path):
    small, big = tmp_path / "small.csv", tmp_path / "big.csv"
    small.write_text("name,urls\n甲配资,www.jia-pz.com\n", encoding="utf-8")
    big.write_text(B + "丁配资,www.ding-pz.com\n", encoding="utf-8")
    imported(db, small)
    imported(db, big)
    r = cli(db, "import", str(small), "--source", "reimp")
    assert r.exit_code == 2 and "refused: " in r.stderr and "use --force" in r.stderr
    assert verdict(db, "www.ding-pz.com") == "listed"
    assert imported(db, small, "--force")["status"] == "reverted"
    assert verdict(db, "www.ding-pz.com") != "listed"


# ---- 2. JSON lines: a list of companies, values that are not text ---------------------------------


def test_json_lines_company_may_be_a_list_of_companies(db, tmp_path):
    f = tmp_path / "mine.jsonl"
    f.write_text('{"name": "X配资", "company": ["甲公司", "乙公司", "甲公司", "-"]}\n', encoding="utf-8")
    assert cli(db, "import", str(f), "--source", "mine").exit_code == 0
    [entry] = api.entries(db, "mine")
    assert [c["name"] for c in entry["companies"]] == ["甲公司", "乙公司"]
    assert verdict(db, "甲公司") == "listed" and verdict(db, "乙公司") == "listed"


def test_json_values_that_are_not_text_are_warnings_or_read_as_written_never_a_repr():
    data = (
        '{"name": "Y配资", "company": {"a": 1}, "urls": [{"x": 2}, "www.y-pz.com"], "aliases": true}\n'
        '{"name": "Z配资", "note": 12, "aliases": [10086, null, "Z金服"], "urls": "www.z-pz.com"}\n'
        '{"name": "W配资", "note": ["a", "b"]}\n'
    ).encode()
    doc = parse_user_list(data, "x.jsonl")
    assert doc.warnings == [
        "line 1: `company` holds an object, not text: ignored",
        "line 1: `urls` holds an object, not text: ignored",
        "line 1: `aliases` holds true, not text: ignored",
        "line 3: `note` holds a list, not text: ignored",
    ]
    y, z, w = doc.entries
    assert (y.companies, y.urls, y.aliases) == ([], ["www.y-pz.com"], [])
    assert (z.aliases, z.extra) == (["10086", "Z金服"], {"note": "12"})
    assert w.extra == {}
    text = json.dumps([e.to_dict() for e in doc.entries], ensure_ascii=False)
    assert "{'" not in text and "['" not in text and "True" not in text


def test_a_json_name_must_be_text(db, tmp_path):
    for value, what in (("5", "a number"), ('["甲", "乙"]', "a list"), ('{"a": 1}', "an object")):
        f = tmp_path / "mine.jsonl"
        f.write_text('{"name": "甲配资"}\n{"name": %s}\n' % value, encoding="utf-8")
        r = cli(db, "import", str(f), "--source", "mine")
        assert r.exit_code == 2 and f"line 2: `name` must be text, not {what}" in r.stderr, r.output
    assert "mine" not in [s["id"] for s in api.sources(db)]


# ---- 3. lines ended by a lone \r (Excel for Mac's "CSV (Macintosh)") ------------------------------


def test_a_csv_with_lone_carriage_returns_is_read_line_by_line(db, tmp_path):
    f = tmp_path / "mac.csv"
    f.write_bytes('name,urls,note\r丁配资,www.ding-pz.com,"two\rlines"\r戊配资,www.wu-pz.com,\r'.encode("gbk"))
    r = cli(db, "import", str(f), "--source", "mac")
    assert r.exit_code == 0 and "2 entries" in r.stdout, r.output
    assert verdict(db, "www.wu-pz.com") == "listed"
    rows = {e["name"]: e.get("extra", {}).get("note") for e in api.entries(db, "mac")}
    assert rows == {"丁配资": "two\rlines", "戊配资": None}
    doc = parse_user_list(("name,urls\r" + "".join(f"名{i}配资,www.x{i}-pz.com\r" for i in range(6000))).encode())
    assert len(doc.entries) == 6000  # over 128 KiB with no line feed: still read whole
    doc = parse_user_list("name,urls\r甲配资,a1.com\r\r乙配资,b1.com,x,c1.com\r".encode())
    assert doc.warnings == ["line 4: 4 cells, the header names 2: x, c1.com ignored (quote a cell holding commas)"]


# ---- 4. a name two rows share ---------------------------------------------------------------------


def test_a_name_two_rows_share_is_a_warning_naming_both_lines_and_both_rows_stay(db, tmp_path):
    f = tmp_path / "dup.csv"
    f.write_text("name,urls\n戊配资,www.wu-pz.com\n己配资,\n戊 配资,www.wu2-pz.com\n", encoding="utf-8")
    r = cli(db, "import", str(f), "--source", "dup")
    assert r.exit_code == 0
    assert "line 4: the name '戊 配资' is on line 2 too (both rows are kept)" in r.stderr, r.stderr
    assert [e["name"] for e in api.entries(db, "dup")] == ["戊配资", "己配资", "戊 配资"]
    jl = parse_user_list('{"name": "甲"}\n\n{"name": "甲"}\n'.encode(), "x.jsonl")
    assert jl.warnings == ["line 3: the name '甲' is on line 1 too (both rows are kept)"]


# ---- 5, 6. what `import` says ---------------------------------------------------------------------


def test_import_help_names_every_separator_and_the_required_name():
    text = " ".join(CliRunner().invoke(main, ["import", "--help"]).stdout.split())
    url_part, alias_part = text.split("urls are separated by")[1].split("aliases by")
    for sep in "|;；,，":
        assert URL_SEPARATORS.split(f"a{sep}b") == ["a", "b"] and f" {sep} " in url_part
    aliases = alias_part.split("only")[0]
    for sep in "|;；":
        assert ALIAS_SEPARATORS.split(f"a{sep}b") == ["a", "b"] and sep in aliases
    assert "，" not in aliases and ", or" not in aliases  # names hold commas: never a separator
    assert "name (required: a row without one stops the import, naming its line)" in text


def test_one_row_is_one_entry(db, tmp_path):
    f = tmp_path / "one.csv"
    f.write_text("name,urls\n甲配资,www.jia-pz.com\n", encoding="utf-8")
    r = cli(db, "import", str(f), "--source", "one")
    assert r.exit_code == 0 and "snapshot" in r.stdout and "1 entry (" in r.stdout, r.output
    r = cli(db, "import", str(f), "--source", "one")
    assert r.exit_code == 0 and "1 entry)" in r.stdout and "entries" not in r.stdout, r.output
