"""Found in use (round eight's leftovers): a revert says what it changed; a failed refresh line
counts nothing as 0 like the others."""

from __future__ import annotations

import json

from click.testing import CliRunner

from peizi_guard.cli import main

from .conftest import FIXTURES


def cli(db, *args):  # noqa: ANN001
    return CliRunner().invoke(main, ["--db", db, *args])


def test_a_revert_counts_what_it_changed_as_diff_counts_it(db_before_history):
    db = db_before_history  # (the shipped SAC history not stored: earlier issues are new)
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


def test_a_listed_company_inside_a_longer_query_or_a_contract_is_found(db):
    from peizi_guard import Guard
    from peizi_guard.matcher.lexicon import lexicon

    g = Guard(db)
    companies = [c for e in g.entries("csrc-peizi") for c in e["companies"]]
    assert len(companies) == 258
    suffixes = tuple(lexicon().company_suffixes)
    for c in companies:
        branch, signed = g.check(c + "上海分公司"), g.check("签约方：" + c)
        for v in (branch, signed):  # a company with a legal form (有限公司 …) is found inside
            assert v.verdict != "clear" or not c.endswith(suffixes), (v.query, v.verdict)
        contract = g.check_text(f"甲方：{c}，乙方：张三。甲方向乙方提供配资，杠杆1:5。")
        assert contract.verdict == "listed" and c in {m.value for m in contract.matches}, c
    v = g.check("北京哲杜德科技有限公司上海分公司")
    assert v.verdict == "suspicious" and [m.method for m in v.matches] == ["name-inside"]
    assert v.matches[0].entry == "杜德配资" and v.matches[0].value == "北京哲杜德科技有限公司"
    assert g.check("华泰证券股份有限公司上海分公司").verdict == "clear"  # a licensed broker's branch


def test_a_company_in_a_text_never_hides_the_listed_name_it_holds(db):
    from peizi_guard import Guard

    v = Guard(db).check_text("大牛配资运营主体“深圳大牛时代科技有限公司”注册资金1.88亿元，大牛时代欢迎您。")
    assert {("大牛时代", "name"), ("深圳大牛时代科技有限公司", "company")} <= {(m.value, m.field) for m in v.matches}


def _ips(db, tmp_path, rows: str):  # noqa: ANN001, ANN202
    """A Guard on `db` after importing a user's list of `rows` (name,urls lines)."""
    from peizi_guard import Guard

    f = tmp_path / "ips.csv"
    f.write_text("name,urls\n" + rows, encoding="utf-8")
    assert cli(db, "import", str(f), "--source", "my-ips").exit_code == 0
    return Guard(db)


def test_ip_addresses_on_a_users_list_match_only_themselves(db, tmp_path):
    g = _ips(db, tmp_path, "甲平台,http://1.2.3.4:8080/pz\n乙平台,45.76.1.2\n")
    for q in ("45.76.1.2", "45.76.1.2:8888", "http://45.76.1.2/", "1.2.3.4/pz", "http://1.2.3.4:9090/x"):
        v = g.check(q)
        assert (v.kind, v.verdict) == ("url", "listed"), q
    for q in ("http://99.88.1.2/", "http://9.9.3.4:8080/pz", "999.1.1.1"):  # same last numbers: no domain
        assert g.check(q).verdict == "clear", q
    for t in ("新平台上线，请访问 http://45.76.1.2 注册", "新平台上线，请访问 45.76.1.2:8080 注册"):
        assert "乙平台" in {m.entry for m in g.check_text(t).matches}, t
    assert not g.check_text("软件升级到版本 45.76.1.2 了。").matches  # a bare number run in text: a version


def test_an_error_said_to_a_reader_that_went_away_is_141_never_a_verdict(db):
    import subprocess
    import sys

    for args in (["check", "杜德配资", "--as-of", "2020-02-30"], ["nosuchcommand"], ["check", "杜德配资"]):
        p = subprocess.Popen([sys.executable, "-c", "from peizi_guard.cli import run; run()", "--db", db, *args],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        p.stdout.close()  # (2>&1 | head -0): both gone before a word is written
        p.stderr.close()
        assert p.wait(timeout=60) == 141, args


def test_guard_of_an_empty_string_is_an_error_not_the_default_database():
    import pytest

    from peizi_guard import Guard, api

    for blank in ("", "   "):
        with pytest.raises(api.DbError, match="blank"):
            Guard(blank)


def test_a_file_with_lone_carriage_returns_is_never_one_query(db, tmp_path):
    f = tmp_path / "mac.txt"
    f.write_bytes("杜德配资\r华泰证券\r".encode())
    r = cli(db, "check", "--file", str(f), "--json")
    assert r.exit_code == 2 and "杜德配资" not in r.stdout
    assert "line 1: holds a carriage return" in r.stderr and "skipped" in r.stderr
    f.write_bytes("杜德配资\r\n华泰证券\r\n".encode())  # CRLF: two queries, as ever
    r = cli(db, "check", "--file", str(f), "--json")
    assert r.exit_code == 1 and [json.loads(x)["verdict"] for x in r.stdout.splitlines()] == ["listed", "clear"]


def test_refresh_takes_the_newest_of_the_lists_a_page_attaches_in_any_order(db_before_history):
    db = db_before_history  # (the shipped SAC history not stored: earlier issues are new)
    from .sitehelper import Site

    docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    site = Site()
    try:
        for order in (("05", "06", "07"), ("07", "05", "06")):
            links = " ".join(f'<a href="2019-{m}.docx">2019年第{int(m)}期</a>' for m in order)
            site.pages["/sac/"] = ("text/html; charset=utf-8", f"<html><body>{links}</body></html>".encode())
            for m in order:
                site.pages[f"/sac/2019-{m}.docx"] = (docx, (FIXTURES / f"sac-blacklist-2019-{m}.docx").read_bytes())
            r = cli(db, "refresh", "sac-blacklist", "--url", site.url + "/sac/", "--allow-private", "--json")
            o = json.loads(r.stdout.splitlines()[0])
            assert o["url"].endswith("/2019-07.docx") and o["entries"] == 132, (order, o)
    finally:
        site.close()


# ---- round ten --------------------------------------------------------------------------------


def test_a_listed_ip_with_a_label_quotes_or_leading_zeros_is_found(db, tmp_path):
    g = _ips(db, tmp_path, "IP平台甲,45.76.1.2\nIP平台丙,010.1.2.3\n")
    for q in ("网址：45.76.1.2", '"45.76.1.2"', "45.76.1.2 杜德", "IP：45.76.1.2", "010.1.2.3", "010.1.2.3:80"):
        assert g.check(q).verdict == "listed", q
    for t in ("官网 hxxp://45[.]76[.]1[.]2 按天配资", "访问 http://45.76.1.2./ 配资"):  # defanged, a final dot
        assert "IP平台甲" in {m.entry for m in g.check_text(t).matches}, t
    assert not g.check_text("版本 45.76.1.2. 发布").matches


def _reimport(db, tmp_path, first: str, then: str) -> dict:  # noqa: ANN001
    """import --json's line for the rows `then` (name,urls lines) over the list of rows `first`."""
    f = tmp_path / "l.csv"
    f.write_text("name,urls\n" + first, encoding="utf-8")
    assert cli(db, "import", str(f), "--source", "mine").exit_code == 0
    f.write_text("name,urls\n" + then, encoding="utf-8")
    r = cli(db, "import", str(f), "--source", "mine", "--json")
    assert r.exit_code == 0, r.output  # (refused before: "would remove 2 of the current … entries")
    return json.loads(r.stdout)


def test_reordering_the_addresses_of_a_row_changes_it_never_removes_it(db, tmp_path):
    line = _reimport(db, tmp_path, "独,x1.com;x2.com\n另,z1.com;z2.com\n", "独,x2.com;x1.com\n另,z2.com;z1.com\n")
    assert (line["added"], line["removed"], line["changed"], line["kept"]) == (0, 0, 2, 0)
    f = tmp_path / "l.csv"
    f.write_text("name,urls\n独,x9.com;x2.com;x1.com\n另,z2.com;z1.com\n", encoding="utf-8")  # a new first address
    line = json.loads(cli(db, "import", str(f), "--source", "mine", "--json").stdout)
    assert (line["added"], line["removed"], line["changed"], line["kept"]) == (0, 0, 1, 1)


def test_listed_companies_named_together_are_listed_and_a_longer_trade_name_is_not_one(db):
    from peizi_guard import Guard

    g = Guard(db)
    for q in ("北京哲杜德科技有限公司、西安杜德网络信息科技有限公司", "北京哲杜德科技有限公司 西安杜德网络信息科技有限公司"):
        v = g.check(q)
        assert v.verdict == "listed" and {m.value for m in v.matches} == set(q.replace("、", " ").split()), q
    v = g.check("北京哲杜德科技有限公司、宝利配资")
    assert {m.value for m in v.matches} == {"北京哲杜德科技有限公司", "宝利配资"}
    assert g.check("中信立投资有限公司").verdict == "clear"  # 信立投资有限公司 is listed: 中信立 is another name
    assert g.check("中航动力科技（北京）有限公司上海分公司").verdict == "suspicious"  # a region in brackets


def test_a_database_named_by_invisible_characters_is_blank(tmp_path, monkeypatch):
    import subprocess
    import sys

    import pytest

    from peizi_guard import Guard, api

    monkeypatch.chdir(tmp_path)
    for blank in ("\u200b", "\ufeff "):
        with pytest.raises(api.DbError, match="blank"):
            Guard(blank)
        r = subprocess.run([sys.executable, "-c", "from peizi_guard.cli import run; run()", "--db", blank, "check", "x"],
                           capture_output=True, text=True, cwd=tmp_path)
        assert r.returncode == 2 and "the database is blank" in r.stderr, r.stderr
    assert not list(tmp_path.iterdir())  # no file named by them


# ---- round eleven -----------------------------------------------------------------------------


def test_a_listed_address_with_punctuation_or_a_name_after_it_is_found(db):
    from peizi_guard import Guard

    g = Guard(db)
    for q in ("www.ddpz666.com,", "www.ddpz666.com;", "www.ddpz666.com，", "www.ddpz666.com)", "http://www.ddpz666.com,",
              "www.ddpz666.com,杜德配资", "www.ddpz666.com,www.hmc68.com"):
        v = g.check(q)
        assert v.verdict == "listed" and "www.ddpz666.com" in {m.value for m in v.matches}, q
    assert g.check("http://x.invalid-host").verdict == "clear"


def test_a_listed_company_after_words_of_the_query_is_found_unless_it_ends_another_trade_name(db):
    from peizi_guard import Guard

    g = Guard(db)
    for q in ("甲方北京哲杜德科技有限公司", "我被北京哲杜德科技有限公司骗了", "合同甲方中航动力科技（北京）有限公司"):
        assert g.check(q).verdict == "suspicious", q
    assert g.check("中信立投资有限公司").verdict == "clear"


def test_listed_ips_in_a_row_are_found_and_an_ipv6_address_never_reads_as_one(db, tmp_path):
    g = _ips(db, tmp_path, "甲配资,45.76.1.2\n乙配资,http://1.2.3.4:8080/pz\n")
    for q in ("45.76.1.2,1.2.3.4", "45.76.1.2，1.2.3.4", "45.76.1.2 , 1.2.3.4", "网址：45.76.1.2", "IP:45.76.1.2"):
        v = g.check(q)
        assert v.verdict == "listed", q
    assert {m.entry for m in g.check("45.76.1.2,1.2.3.4").matches} == {"甲配资", "乙配资"}
    for q in ("2001:db8::45.76.1.2", "fe80::45.76.1.2", "::ffff:45.76.1.2", "[::ffff:45.76.1.2]:8080"):
        assert g.check(q).verdict == "clear", q


def test_a_row_that_lost_its_first_address_is_the_same_row_and_no_shrink(db, tmp_path):
    before = "金配资,jin1.com;jin2.com\n木配资,mu1.com;mu2.com\n水配资,shui1.com;shui2.com\n"
    line = _reimport(db, tmp_path, before, "金配资,jin2.com\n木配资,mu2.com\n水配资,shui1.com;shui2.com\n")
    assert (line["ok"], line["added"], line["removed"], line["changed"], line["kept"]) == (True, 0, 0, 2, 1)


def test_the_sac_issue_that_drops_a_sites_first_address_changes_that_entry(db_before_history):
    db = db_before_history  # (the shipped SAC history not stored: earlier issues are new)
    from peizi_guard import api

    api.entries(db)
    jan = api.import_file(db, str(FIXTURES / "sac-blacklist-2019-01.docx"), "sac-blacklist", force=True)
    feb = api.import_file(db, str(FIXTURES / "sac-blacklist-2019-02.docx"), "sac-blacklist", force=True)
    assert (len(feb.added), len(feb.removed), len(feb.changed), feb.kept) == (17, 10, 12, 66)
    d = api.diff(db, "sac-blacklist", jan.snapshot_id, feb.snapshot_id)
    [moved] = [c for c in d["changed"] if c["old"]["urls"][:1] != c["new"]["urls"][:1]]
    assert moved["old"]["urls"] == ["http://405laurel.com", "http://www.pz08.com"]
    assert moved["new"]["urls"] == ["http://www.pz08.com"]  # was one removed and one added


def test_serves_workers_take_an_empty_database_variable_as_unset(tmp_path, monkeypatch):
    from peizi_guard.web.app import app_from_env

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    monkeypatch.setenv("PEIZI_GUARD_DB", "")  # `serve --workers 2` with PEIZI_GUARD_DB= set empty
    assert app_from_env() is not None  # Guard("") is refused: the workers must not pass it on
