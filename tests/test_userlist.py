"""A user's own list: imported from CSV or JSON lines, matched like an official one, marked as theirs."""
from __future__ import annotations

import json

from click.testing import CliRunner

from peizi_guard.cli import main

from .conftest import table_counts

HEADER = "name,company,urls,aliases,note\n"
ROWS = [
    "示例配资,上海示例投资管理有限公司,www.example-pz.com|m.example-pz.com,示例优配,seen in ads 2026-11\n",
    "鑫隆策略,,https://xinlong-cl.top/,,\n",
    "\"宏信, 优配\",深圳宏信网络科技有限公司,,宏信APP,\n",
]


def cli(db, *args, input=None):  # noqa: A002, ANN001
    return CliRunner().invoke(main, ["--db", db, *args], input=input)


def check(db, *args):  # noqa: ANN001
    r = cli(db, "check", *args, "--json")
    return r.exit_code, [json.loads(x) for x in r.stdout.splitlines()]


def test_a_csv_list_is_matched_and_marked_as_the_users(db, tmp_path):
    f = tmp_path / "mine.csv"
    f.write_text(HEADER + "".join(ROWS), encoding="utf-8")
    r = cli(db, "import", str(f), "--source", "bank-blocklist")
    assert r.exit_code == 0 and "bank-blocklist: snapshot" in r.stdout and "3 entries" in r.stdout
    code, [name, url, company, alias] = check(db, "示例配资官网", "http://m.example-pz.com/reg", "上海示例投资管理有限公司",
                                              "宏信APP")
    assert code == 1
    for v in (name, url, company, alias):
        assert v["verdict"] == "listed" and {m["source"] for m in v["matches"]} == {"bank-blocklist"}, v
        assert {m["list"] for m in v["matches"]} == {"user"}
    code, [official] = check(db, "杜德配资")
    assert official["matches"][0]["list"] == "official" and official["matches"][0]["source"] == "csrc-peizi"
    text = cli(db, "check", "示例配资").stdout
    assert "LISTED on your own list" in text and "your list “bank-blocklist”" in text
    r = cli(db, "check", "--text", "加微信领取体验金，示例配资，1:10杠杆，按天配资", "--json")
    assert json.loads(r.stdout)["verdict"] == "listed"
    sources = {s["id"]: s for s in map(json.loads, cli(db, "sources", "--json").stdout.splitlines())}
    assert sources["bank-blocklist"]["kind"] == "user" and sources["csrc-peizi"]["kind"] == "official"


def test_json_lines_in_gbk_and_an_update(db, tmp_path):
    f = tmp_path / "mine.jsonl"
    rows = [{"name": "示例配资", "urls": ["www.example-pz.com"], "aliases": "示例优配|示例金服"},
            {"name": "鑫隆策略", "company": "杭州鑫隆资产管理有限公司"}]
    f.write_bytes("\n".join(json.dumps(x, ensure_ascii=False) for x in rows).encode("gbk"))
    assert cli(db, "import", str(f), "--source", "mine").exit_code == 0
    assert check(db, "示例金服")[1][0]["verdict"] == "listed"
    f.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in rows + [{"name": "宏信优配"}]), encoding="utf-8")
    r = cli(db, "import", str(f), "--source", "mine", "--json")
    out = json.loads(r.stdout)
    assert r.exit_code == 0 and out["added"] == 1 and out["kept"] == 2 and out["current"]
    f.write_text(json.dumps({"name": "只剩一个"}, ensure_ascii=False), encoding="utf-8")
    r = cli(db, "import", str(f), "--source", "mine")
    assert r.exit_code == 2 and "refused" in r.stderr and check(db, "宏信优配")[1][0]["verdict"] == "listed"
    assert cli(db, "import", str(f), "--source", "mine", "--force").exit_code == 0
    assert check(db, "宏信优配")[1][0]["verdict"] != "listed"


def test_official_lists_are_read_only_to_user_lists(db, tmp_path):
    f = tmp_path / "mine.csv"
    f.write_text(HEADER + ROWS[0], encoding="utf-8")
    cli(db, "check", "x")
    before = table_counts(db, ("snapshots", "entries"))
    for source in ("csrc-peizi", "sac-blacklist"):
        r = cli(db, "import", str(f), "--source", source)
        assert r.exit_code == 2 and "is an official list" in r.stderr and "Traceback" not in r.stderr
    assert table_counts(db, ("snapshots", "entries")) == before


def test_bad_user_lists_are_one_line_errors(db, tmp_path):
    cases = {
        "nohead.csv": ("示例配资,www.example-pz.com\n", "needs a header row with a `name` column"),
        "noname.csv": (HEADER + ROWS[0] + ",无名公司,,,\n", "line 3: no name"),
        "broken.jsonl": ('{"name": "示例配资"}\n{"name": \n', "line 2: not JSON"),
        "empty.csv": ("", "the user list is empty"),
        "onlyhead.csv": (HEADER, "it has no rows; use --force to store an empty list"),
        "empty.jsonl": ("", "it has no rows; use --force to store an empty list"),
    }
    for name, (content, message) in cases.items():
        f = tmp_path / name
        f.write_text(content, encoding="utf-8")
        r = cli(db, "import", str(f), "--source", "mine")
        assert r.exit_code == 2 and message in r.stderr and len(r.stderr.strip().splitlines()) == 1, (name, r.stderr)


def test_a_small_list_that_grows_while_one_row_changes_is_taken(db, tmp_path):
    from click.testing import CliRunner

    from peizi_guard.cli import main

    f = tmp_path / "mine.csv"
    f.write_text("name,urls\n牛牛配资,www.niuniu-a.com\n", encoding="utf-8")
    assert CliRunner().invoke(main, ["--db", db, "import", str(f), "--source", "mine"]).exit_code == 0
    rows = "".join(f"示例{i}配资,www.example{i}.com\n" for i in range(10))
    f.write_text("name,urls\n牛牛配资,www.niuniu-b.com\n" + rows, encoding="utf-8")  # its one row edited, ten added
    r = CliRunner().invoke(main, ["--db", db, "import", str(f), "--source", "mine"])
    assert r.exit_code == 0 and "11 entries" in r.stdout, r.output


def test_a_user_lists_entries_carry_their_hosts_as_domains_like_the_official_ones(db, tmp_path):
    from peizi_guard import Guard

    f = tmp_path / "mine.csv"
    f.write_text("name,urls\n黑马金服,www.heima-x.com|https://m.heima-x.com/app\n青马,x.y.sohu.com\n", encoding="utf-8")
    Guard(db).import_file(str(f), "mine")
    rows = {e["name"]: e["domains"] for e in Guard(db).entries("mine")}
    assert rows == {"黑马金服": ["heima-x.com", "m.heima-x.com"], "青马": ["x.y.sohu.com"]}


def test_a_list_name_differing_only_in_case_is_the_same_list(db, tmp_path):
    from click.testing import CliRunner

    from peizi_guard.cli import main

    f = tmp_path / "mine.csv"
    f.write_text("name,urls\n黑马金服,www.heima-x.com\n", encoding="utf-8")
    assert CliRunner().invoke(main, ["--db", db, "import", str(f), "--source", "my-blocklist"]).exit_code == 0
    r = CliRunner().invoke(main, ["--db", db, "import", str(f), "--source", "My-Blocklist"])
    assert r.exit_code == 2 and "there is a list 'my-blocklist' already" in r.output
    from peizi_guard import Guard

    assert "My-Blocklist" not in [x["id"] for x in Guard(db).sources()]


def _rows(*pairs) -> str:  # noqa: ANN002
    return "name,urls\n" + "".join(f"{n},{u}\n" for n, u in pairs)


FOUR = [("甲配资", "a1.com"), ("乙配资", "b1.com"), ("丙配资", "c1.com"), ("丁配资", "d1.com")]


def test_a_list_replaced_by_other_rows_is_refused_without_force(db, tmp_path):
    """README: a document removing more than it keeps is refused unless --force, however small."""
    f = tmp_path / "mine.csv"
    f.write_text(_rows(*FOUR), encoding="utf-8")
    assert cli(db, "import", str(f), "--source", "mine").exit_code == 0
    f.write_text(_rows(("戊配资", "e1.com"), ("己配资", "f1.com"), ("庚配资", "g1.com")), encoding="utf-8")
    r = cli(db, "import", str(f), "--source", "mine")
    assert r.exit_code == 2 and "refused: it would remove 4 of the current 4 entries and keep 0" in r.stderr, r.output
    assert check(db, "甲配资")[1][0]["verdict"] == "listed"
    r = cli(db, "import", str(f), "--source", "mine", "--force")
    assert r.exit_code == 0 and "added 3, removed 4, changed 0, kept 0" in r.stdout
    assert check(db, "甲配资")[1][0]["verdict"] != "listed"


def test_the_shrink_rule_at_its_edges(db, tmp_path):
    f = tmp_path / "mine.csv"
    steps = [
        (FOUR, 0),
        (FOUR[:2] + [("戊配资", "e1.com"), ("己配资", "f1.com")], 0),  # removes 2, keeps 2: an edit
        ([("戊配资", "e1.com"), ("辛配资", "h1.com"), ("壬配资", "i1.com"), ("癸配资", "j1.com")], 2),  # removes 3, keeps 1
        ([("子配资", "k1.com")], 2),  # 1 row, under half of 4
        (FOUR[:2], 0),  # half of 4 rows, removing as many as it keeps
    ]
    for rows, code in steps:
        f.write_text(_rows(*rows), encoding="utf-8")
        r = cli(db, "import", str(f), "--source", "mine")
        assert r.exit_code == code, (rows, r.output)
    f.write_text(_rows(("子配资", "k1.com")), encoding="utf-8")
    assert cli(db, "import", str(f), "--source", "one", "--force").exit_code == 0
    f.write_text(_rows(("丑配资", "l1.com")), encoding="utf-8")  # a one-row list changing its row
    assert cli(db, "import", str(f), "--source", "one").exit_code == 0
    f.write_text(_rows(("寅配资", "m1.com"), ("卯配资", "n1.com")), encoding="utf-8")  # removes 1, keeps 0, adds 2
    assert cli(db, "import", str(f), "--source", "one").exit_code == 0
    f.write_text(_rows(("辰配资", "o1.com"), ("巳配资", "p1.com")), encoding="utf-8")  # two rows, both other ones
    r = cli(db, "import", str(f), "--source", "one")
    assert r.exit_code == 2 and "it would remove 2 of the current 2 entries and keep 0" in r.stderr


def test_several_urls_in_a_cell_by_any_common_separator(db, tmp_path):
    from peizi_guard import Guard

    f = tmp_path / "mine.csv"
    f.write_text("name,urls,aliases\n"
                 "甲配资,a1.com;b1.com,甲优配;甲金服\n"
                 '乙配资,"c1.com,d1.com",Tiger Brokers|乙策略\n'
                 "丙配资,e1.com；f1.com，g1.com h1.com,丙A；丙B\n"
                 '丁配资,i1.com|https://j1.com/app,"丁,戊"\n', encoding="utf-8")
    Guard(db).import_file(str(f), "mine")
    rows = {e["name"]: (e["domains"], e["aliases"]) for e in Guard(db).entries("mine")}
    assert rows == {
        "甲配资": (["a1.com", "b1.com"], ["甲优配", "甲金服"]),
        "乙配资": (["c1.com", "d1.com"], ["Tiger Brokers", "乙策略"]),  # a space is part of a name
        "丙配资": (["e1.com", "f1.com", "g1.com", "h1.com"], ["丙A", "丙B"]),
        "丁配资": (["i1.com", "j1.com"], ["丁,戊"]),  # a comma too: aliases split on | ; ； only
    }
    code, found = check(db, "b1.com", "http://d1.com/x", "h1.com", "甲金服", "Tiger Brokers")
    assert code == 1 and all(v["verdict"] == "listed" for v in found), found


def test_json_lines_values_split_alike():
    from peizi_guard.scraper.userlist import parse_user_list

    doc = parse_user_list('{"name": "甲", "urls": ["a1.com;b1.com", "c1.com"], "aliases": "x；y"}\n'.encode(), "l.jsonl")
    assert (doc.entries[0].domains, doc.entries[0].aliases) == (["a1.com", "b1.com", "c1.com"], ["x", "y"])


def test_what_cannot_be_used_is_a_warning_naming_its_line(db, tmp_path):
    from peizi_guard import api
    from peizi_guard.scraper.userlist import parse_user_list

    text = ("name,urls,url\n"
            "甲配资,a1.com,\n"
            "乙配资,微信号yipz888,\n"
            "丙配资,c1.com,x,d1.com\n")
    doc = parse_user_list(text.encode(), "mine.csv")
    assert doc.warnings == [
        "line 1: column `url` is not one of name, company, urls, aliases, note: ignored",
        "line 3: '微信号yipz888' in urls is not an address (no host); it matches nothing",
        "line 4: 4 cells, the header names 3: d1.com ignored (quote a cell holding commas)",
    ]
    assert [e.urls for e in doc.entries] == [["a1.com"], ["微信号yipz888"], ["c1.com"]]  # kept as written
    f = tmp_path / "mine.csv"
    f.write_text(text, encoding="utf-8")
    res = api.import_file(db, str(f), "mine")
    assert res.status == "added" and res.warnings == doc.warnings
    jl = parse_user_list('{"name": "甲", "url": "a1.com"}\n{"name": "乙", "url": "b1.com", "urls": "-"}\n'.encode(), "l.jsonl")
    assert jl.warnings == ["line 1: `url` is not one of name, company, urls, aliases, note: ignored"]
    assert jl.entries[1].urls == []  # a dash is no value


def test_a_list_made_by_mistake_can_be_emptied_with_force_and_brought_back(db, tmp_path):
    from peizi_guard import api

    f = tmp_path / "mine.csv"
    f.write_text(_rows(*FOUR), encoding="utf-8")
    assert cli(db, "import", str(f), "--source", "mine").exit_code == 0
    empty = tmp_path / "empty.csv"
    empty.write_text("name,urls\n", encoding="utf-8")
    r = cli(db, "import", str(empty), "--source", "mine")
    assert r.exit_code == 2 and "it has no rows and would empty the current list of 4 entries" in r.stderr
    assert check(db, "甲配资")[1][0]["verdict"] == "listed"
    r = cli(db, "import", str(empty), "--source", "mine", "--force")
    assert r.exit_code == 0 and "0 entries (added 0, removed 4, changed 0, kept 0)" in r.stdout, r.output
    assert api.entries(db, "mine") == [] and check(db, "甲配资")[1][0]["verdict"] != "listed"
    hist = [json.loads(x) for x in cli(db, "history", "mine", "--json").stdout.splitlines()]
    assert [(h["entry_count"], h["current"]) for h in hist] == [(4, False), (0, True)]
    assert cli(db, "revert", "mine", str(hist[0]["id"])).exit_code == 0  # history kept: it comes back
    assert check(db, "甲配资")[1][0]["verdict"] == "listed"
    jl = tmp_path / "empty.jsonl"
    jl.write_bytes(b"")
    assert cli(db, "import", str(jl), "--source", "mine", "--force").exit_code == 0  # empty JSON lines too
    assert api.entries(db, "mine") == []
    f.write_text(_rows(*FOUR[:3]), encoding="utf-8")  # (the very first file again is known: `revert` to it)
    assert cli(db, "import", str(f), "--source", "mine").exit_code == 0  # and filled again
    assert len(api.entries(db, "mine")) == 3
    f.write_text("", encoding="utf-8")
    r = cli(db, "import", str(f), "--source", "mine", "--force")  # a CSV needs its header row
    assert r.exit_code == 2 and "the user list is empty" in r.stderr


def test_official_lists_never_take_an_empty_document(db):
    import pytest

    from peizi_guard import api
    from peizi_guard.db import store
    from peizi_guard.model import DocumentError, ParsedDocument
    from peizi_guard.sources import source_meta

    api.entries(db)
    before = table_counts(db, ("sources", "snapshots", "entries"))
    with api.session(api.resolve_url(db)) as s, s.begin():
        with pytest.raises(DocumentError, match="an official list is never empty"):
            store.ingest(s, source_meta("sac-blacklist"), ParsedDocument([], "docx", "sac-blacklist"), b"x")
        with pytest.raises(DocumentError, match="an official list is never empty"):
            store.ingest(s, {"id": "my-copy"}, ParsedDocument([], "pdf", "csrc-peizi"), b"y")
    assert table_counts(db, ("sources", "snapshots", "entries")) == before


def test_json_lines_are_lines_at_line_feeds_only():
    """JSON allows U+2028 inside a string; str.splitlines cut the line there ("not JSON")."""
    from peizi_guard.scraper.userlist import parse_user_list

    data = '{"name": "甲配资\u2028二号", "urls": "a1.example.cn"}\r\n{"name": "乙配资"}\n'.encode()
    doc = parse_user_list(data, "x.jsonl")
    assert [e.name for e in doc.entries] == ["甲配资\u2028二号", "乙配资"]
