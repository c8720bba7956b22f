"""Branches (分公司, 营业部): a listed platform's or company's branch is found; a licensed broker's
branch is known as the licensed firm's own name, as the firm's name is."""

from __future__ import annotations

GOOD_NOTE = "同名提示"


def _own(v, entry: dict) -> bool:  # noqa: ANN001
    """The verdict carries evidence from `entry` itself."""
    return any(m.source == entry["source"] and m.seq == entry["seq"] for m in v.matches)


def test_a_branch_of_a_listed_platform_is_found(db):
    from peizi_guard import Guard

    g = Guard(db)
    csrc, sac = g.entries("csrc-peizi"), g.entries("sac-blacklist")
    assert (len(csrc), len(sac)) == (258, 152)
    # every one was clear or suspicious by its own 配资 only, with no evidence, before
    # (not a name that is also everyday words or a brand: 同花顺上海分公司 is 同花顺's own branch)
    found = sum(_own(g.check(e["name"] + "上海分公司"), e) for e in csrc)
    assert found >= 225, found
    assert sum(_own(g.check(e["name"] + "上海分公司"), e) for e in sac) >= 144
    assert g.check("同花顺上海分公司").matches == []
    for q in ("杜德配资上海分公司", "杜德配资（上海）分公司", "杜德配资北京市营业部"):
        v = g.check(q)
        assert v.verdict == "suspicious" and [(m.entry, m.method) for m in v.matches] == [("杜德配资", "company-core")], q
    v = g.check("华信投资上海分公司")  # no 配资 in it: clear before
    assert v.verdict == "suspicious" and {m.entry for m in v.matches} == {"华信投资"}
    for q in ("上海分公司", "北京营业部"):  # no company to cut a branch from
        assert g.check(q).matches == [], q


def test_a_licensed_brokers_branch_is_the_firms_own_name(db):
    from peizi_guard import Guard

    g = Guard(db)
    # the SAC lists this very name (a fake site's): listed, and said to be a licensed firm's too
    v = g.check("广发证券股份有限公司上海分公司")
    assert v.verdict == "listed" and any(GOOD_NOTE in n for n in v.notes)
    for q in ("华泰证券南京中山东路证券营业部", "华泰证券股份有限公司深圳分公司", "广发证券上海分公司"):
        v = g.check(q)
        assert v.verdict == "clear" and any(GOOD_NOTE in n for n in v.notes), q
    for q in ("广发证券配资上海分公司", "广发证券股份有限金司上海分公司"):  # a trade word, a changed character
        v = g.check(q)
        assert v.verdict == "suspicious" and not any(GOOD_NOTE in n for n in v.notes), q


def test_a_licensed_brokers_branch_in_the_news_is_no_evidence(db):
    from peizi_guard import Guard

    g = Guard(db)
    news = g.check_text("广发证券股份有限公司上海分公司今日乔迁新址。")
    assert news.verdict == "clear" and news.matches == []
    offer = g.check_text("广发证券股份有限公司上海分公司，您炒股我出钱，1:10杠杆，按天配资，当天到账，免开户。")
    assert offer.verdict == "listed" and {m.entry for m in offer.matches} == {"广发证券股份有限公司上海分公司"}


def test_a_region_written_apart_from_its_company_is_part_of_it(db):
    from peizi_guard import Guard

    g = Guard(db)
    # 上海信立投资有限公司 is another company than the listed 信立投资有限公司 (written apart or not)
    for q in ("上海 信立投资有限公司", "上海信立投资有限公司"):
        v = g.check(q)
        assert v.verdict == "suspicious" and {m.entry for m in v.matches} == {"信立投资"}, q
    v = g.check("上海 杜德配资")  # a platform's name after a region stays that name
    assert v.verdict == "listed" and [m.entry for m in v.matches] == ["杜德配资"]
    v = g.check("信立投资有限公司 北京哲杜德科技有限公司")  # two companies: each listed
    assert v.verdict == "listed" and {m.entry for m in v.matches} == {"信立投资", "杜德配资"}


def test_a_listed_company_under_another_legal_form_after_a_label_is_found(db):
    from peizi_guard import Guard

    g = Guard(db)
    for q in ("北京哲杜德科技股份有限公司", "签约方：北京哲杜德科技股份有限公司", "甲方:北京哲杜德科技有限责任公司 乙方:张三"):
        v = g.check(q)
        assert v.verdict == "suspicious", q
        assert [(m.entry, m.method, m.value) for m in v.matches] == [("杜德配资", "company-core", "北京哲杜德科技有限公司")], q


def test_an_address_a_browser_reads_as_another_ip_is_warned_of_on_import(db, tmp_path):
    from click.testing import CliRunner

    from peizi_guard import Guard
    from peizi_guard.cli import main

    f = tmp_path / "ips.csv"
    f.write_text("name,urls\nA,1.1\nB,010.1.2.3\nC,45.76.1.2\nD,http://45.76.1.3:8080/pz\nE,www.x.com\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["--db", db, "import", str(f), "--source", "my-ips"])
    assert r.exit_code == 0, r.output
    warned = [line for line in r.output.splitlines() if "read as the IP address" in line]
    assert len(warned) == 2, r.output
    assert "line 2: '1.1' in urls is read as the IP address 1.0.0.1" in warned[0]
    assert "line 3: '010.1.2.3' in urls is read as the IP address 8.1.2.3" in warned[1]
    g = Guard(db)  # and matched as read: that address only
    assert g.check("http://8.1.2.3/").verdict == "listed" and g.check("8.1.2.4").verdict == "clear"


def test_history_counts_a_revert_against_the_list_it_replaced(db_before_history):
    db = db_before_history  # (the shipped SAC history not stored: earlier issues are new)
    from click.testing import CliRunner

    from peizi_guard import api
    from peizi_guard.cli import main

    from .conftest import FIXTURES

    api.entries(db)
    jan = api.import_file(db, str(FIXTURES / "sac-blacklist-2020-01.docx"), "sac-blacklist")
    res = api.revert(db, "sac-blacklist", jan.snapshot_id)
    [ev] = [h for h in api.history(db, "sac-blacklist") if h["event"] == "revert"]
    keys = ("replaced", "added", "removed", "changed", "kept")
    assert {k: ev[k] for k in keys} == {k: res[k] for k in keys}  # as the revert said it
    assert ev["id"] == jan.snapshot_id and ev["removed"] > 0 and ev["added"] + ev["changed"] + ev["kept"] == 133
    r = CliRunner().invoke(main, ["--db", db, "history", "sac-blacklist"])
    assert r.exit_code == 0, r.output
    row = [line for line in r.output.splitlines() if " revert " in line]
    assert len(row) == 1 and row[0].split()[-3:] == [f"+{ev['added']}", f"-{ev['removed']}", f"~{ev['changed']}"]


# ---- round 12 of user testing ------------------------------------------------------------


def test_a_listed_account_after_its_label_in_a_text_is_found(db):
    from peizi_guard import Guard

    g = Guard(db)
    cases = {  # CSRC accounts: ids of letters only, and public-account names
        "老师带你炒股，加微信 linghangpz": ("领航配资", "linghangpz"),
        "微信号：zzcelve": ("中泽策略", "zzcelve"),
        "加微信 dtwdzb": ("闻道资本", "dtwdzb"),
        "关注公众号：领航平台 每日推荐牛股": ("领航配资", "领航平台"),
        "关注公众号：拉伯杠杆策略，领取牛股": ("拉伯配资", "拉伯杠杆策略"),
    }
    for text, (entry, value) in cases.items():
        v = g.check_text(text)
        assert v.verdict == "listed" and [(m.entry, m.value) for m in v.matches] == [(entry, value)], text
    assert g.check_text("微信：hello 你好").matches == []  # a word after a label is no one's


def test_a_short_listed_name_inside_other_words_is_no_mention(db):
    from peizi_guard import Guard

    g = Guard(db)
    for text in ("财富牛市下的理财指南", "本周操盘所需注意的三个要点", "A股大牛市来了吗？专家解读"):
        assert g.check_text(text).matches == [], text  # 财富牛, 操盘所, 股大牛: listed, three characters
    _listed_as(
        g,
        ("股大牛，1:10杠杆，按天配资，当天到账", "股大牛"),
        ("欢迎来到股大牛配资平台，1:10杠杆，按天配资", "股大牛"),
        ("有人用过鸿满仓吗？想问问靠不靠谱。", "鸿满仓"),
    )


def _listed_as(g, *cases: tuple[str, str]) -> None:  # noqa: ANN001
    """Each text is listed, with the one entry given as its evidence."""
    for text, entry in cases:
        v = g.check_text(text)
        assert v.verdict == "listed" and [m.entry for m in v.matches] == [entry], text


def test_a_listed_address_with_stops_for_dots_is_found_in_a_text(db):
    from peizi_guard import Guard

    g = Guard(db)
    for text in ("官网：www。ddpz666。com", "官网：ddpz666。com，欢迎注册", "登录 ddpz666 点 com 开户"):
        v = g.check_text(text)
        assert v.verdict == "listed" and [(m.entry, m.method) for m in v.matches] == [("杜德配资", "host")], text
    assert g.check("ddpz666 点 com").verdict == "listed"
    assert g.check_text("今天上涨了。cn股市").matches == []  # a sentence's stop stays one


def test_a_business_is_not_a_platform_by_its_account_or_one_changed_trade_word(db):
    from peizi_guard import Guard

    g = Guard(db)
    # 领航配资's WeChat account is 领航平台; its company is another; 九鼎配资 and others are listed
    for q in ("领航科技有限公司", "苏州领航投资管理有限公司", "领航投资", "九鼎投资", "桥水投资", "美林投资"):
        v = g.check(q)
        assert v.verdict == "clear" and v.matches == [], q
    assert g.check("九鼎配资").verdict == "listed"
    assert [m.method for m in g.check("杜德配姿").matches] == ["homophone"]
    assert {m.entry for m in g.check("华信投资有限公司").matches} == {"华信投资"}  # a platform's name, its company


def test_an_own_list_kept_as_a_spreadsheet_is_told_to_be_saved_as_csv(db, tmp_path):
    import openpyxl
    from click.testing import CliRunner

    from peizi_guard.cli import main

    wb = openpyxl.Workbook()
    wb.active.append(["name", "company", "urls", "aliases", "note"])
    wb.active.append(["测试甲", "测试甲科技有限公司", "www.testpz-a.com", "", "a test row"])
    f = tmp_path / "mine.xlsx"
    wb.save(f)
    r = CliRunner().invoke(main, ["--db", db, "import", str(f), "--source", "my-xlsx"])
    assert r.exit_code == 2 and "save the sheet as CSV UTF-8" in r.output and "Traceback" not in r.output
    r = CliRunner().invoke(main, ["--db", db, "import", str(f), "--source", "sac-blacklist"])
    assert r.exit_code == 2 and "CSV" not in r.output  # an official list's document: no such advice
    r = CliRunner().invoke(main, ["--db", db, "diff", "csrc-peizi"])
    assert r.exit_code == 2 and "only one snapshot" in r.output
    assert "one snapshot" in CliRunner().invoke(main, ["diff", "--help"]).output  # as its help says


def test_a_listed_name_without_its_trade_words_is_suspicious(db):
    from peizi_guard import Guard

    g = Guard(db)
    for q, entry in (
        ("鑫恒盈", "鑫恒盈配资"),
        ("鑫恒盈平台", "鑫恒盈配资"),
        ("卓信宝APP", "卓信宝配资"),
        ("股天下股票配资", "股天下配资"),
        ("杜德股票配资", "杜德配资"),
        ("华尔街股票配资", "华尔街股票配资炒股"),
    ):
        v = g.check(q)
        assert v.verdict == "suspicious" and {(m.entry, m.method) for m in v.matches} == {(entry, "name-core")}, q
    for q in ("杜德", "大有期货", "东方网", "大智慧"):  # too short, a licensed firm, a news site, allow-listed
        assert not [m for m in g.check(q).matches if m.method == "name-core"], q


def test_a_listing_imported_again_keeps_its_companies_accounts_and_note(db, tmp_path):
    import json

    from click.testing import CliRunner

    from peizi_guard import Guard
    from peizi_guard.cli import main

    def run(d, *args):  # noqa: ANN001, ANN202
        r = CliRunner().invoke(main, ["--db", d, *args])
        assert r.exit_code == 0, r.output
        return r.output

    f = tmp_path / "mine.csv"
    f.write_text("name,company,urls,aliases,note\n测试甲,测试甲科技有限公司,www.testpz-a.com,甲宝|jiabao,一条备注\n", "utf-8")
    run(db, "import", str(f), "--source", "my-list")
    listing = tmp_path / "listing.jsonl"
    listing.write_text(run(db, "list", "--source", "my-list", "--json"), "utf-8")
    other = str(tmp_path / "other.db")
    out = run(other, "import", str(listing), "--source", "my-list")
    assert "ignored" not in out  # the listing's own fields are no unknown columns
    again = json.loads(run(other, "list", "--source", "my-list", "--json"))
    first = json.loads(listing.read_text("utf-8"))
    same = ("name", "aliases", "urls", "companies", "extra")
    assert {k: again[k] for k in same} == {k: first[k] for k in same}
    # an official list's listing as an own list: its accounts (apps) are matched as aliases
    csrc = tmp_path / "csrc.jsonl"
    csrc.write_text(run(db, "list", "--source", "csrc-peizi", "--json"), "utf-8")
    run(other, "import", str(csrc), "--source", "my-csrc")
    v = Guard(other).check("gh_df20a346d09a")
    assert v.verdict == "listed" and {(m.source, m.entry) for m in v.matches} >= {("my-csrc", "319策略")}


def test_a_victims_complaint_naming_a_listed_platform_is_a_report(db):
    from peizi_guard import Guard

    g = Guard(db)
    for text, entry in (
        ("网友投诉：鸿满仓平台提现一直不到账，客服失联", "鸿满仓"),
        ("本人在杜德配资亏了20万，平台不让提现，大家千万别上当", "杜德配资"),
    ):
        v = g.check_text(text)
        assert v.verdict == "clear" and [m.entry for m in v.matches] == [entry], text  # noted, not flagged
        assert any("warning or report" in n for n in v.notes)
    assert g.check_text("有人用过鸿满仓吗？想问问靠不靠谱。").verdict == "listed"  # a question, no complaint


def test_a_read_only_sqlite_uri_is_read(tmp_path):
    from click.testing import CliRunner

    from peizi_guard.cli import main

    path = tmp_path / "lists.db"
    assert CliRunner().invoke(main, ["--db", str(path), "check", "x"]).exit_code == 0  # made and seeded
    uri = f"sqlite:///file:{path}?mode=ro&uri=true"
    r = CliRunner().invoke(main, ["--db", uri, "check", "杜德配资"])
    assert r.exit_code == 1 and "LISTED" in r.output  # was: "its folder file:/… does not exist"
    f = tmp_path / "mine.csv"
    f.write_text("name\n测试甲\n", "utf-8")
    import subprocess
    import sys

    p = subprocess.run(  # as the command runs: its errors are told by cli.run
        [sys.executable, "-c", "import sys; from peizi_guard.cli import run; sys.exit(run())",
         "--db", uri, "import", str(f), "--source", "my-list"],
        capture_output=True, text=True, timeout=120,
    )
    assert p.returncode == 2 and "read-only" in p.stderr and "Traceback" not in p.stderr, p.stderr


# ---- round 13 of user testing ------------------------------------------------------------


def test_a_fake_brokers_listed_name_offering_peizi_is_evidence_in_a_text(db):
    from peizi_guard import Guard

    g = Guard(db)
    v = g.check_text("广发证券股份有限公司上海分公司提供1:10配资，加微信")  # the model reads no offer (0.16)
    assert v.verdict == "listed" and [m.entry for m in v.matches] == ["广发证券股份有限公司上海分公司"]
    assert g.check_text("广发证券股份有限公司上海分公司今日乔迁新址。").matches == []


def test_short_names_and_ids_count_whole_and_standing_as_names(db):
    from peizi_guard import Guard

    g = Guard(db)
    for text in (
        "操盘所需",  # the model reads an offer here; 操盘所 is still inside 操盘所需
        "操盘所需的资金来自自有资金",
        "微信号：gh_d3cc254439bb1",  # another id than 杜德配资's gh_d3cc254439bb
        "加微信 ykpz8889",
        "截至2020年共清理68 配资平台",  # not 68配资
        "咨询电话13912345168 配资",  # not 168配资
    ):
        assert g.check_text(text).matches == [], text
    v = g.check_text("QQ：bjhmc68 配资开户")
    assert [(m.entry, m.value) for m in v.matches] == [("鸿满仓", "bjhmc68")]
    _listed_as(
        g,
        ("益配资官网：1:10杠杆，按天配资", "益配资"),
        ("优配资平台，加微信，1:10杠杆", "优配资"),
        ("乐配资APP，1:10杠杆", "乐配资"),
        ("点牛股作为一种股票配资平台，1:10杠杆", "点牛股"),
    )


def test_an_account_behind_an_everyday_label_is_found(db):
    from peizi_guard import Guard

    g = Guard(db)
    for label in ("加V：", "+V：", "加微：", "薇信：", "威信 ", "微 信：", "WeChat: ", "微信(", "微信搜索"):
        v = g.check_text(label + "linghangpz")
        assert [(m.entry, m.value) for m in v.matches] == [("领航配资", "linghangpz")], label
    v = g.check_text("公众号“领航平台”")
    assert [(m.entry, m.value) for m in v.matches] == [("领航配资", "领航平台")]


def test_a_company_is_not_named_after_a_two_character_or_everyday_platform_name(db):
    from peizi_guard import Guard

    g = Guard(db)
    for q in ("深圳市聚宝盆科技有限公司", "北京聚富投资有限公司", "倍盈科技有限公司"):
        assert g.check(q).matches == [], q
    assert {m.entry for m in g.check("上海杜德配资有限公司").matches} == {"杜德配资"}


def test_the_library_scan_checks_its_options_as_the_cli_does(db):
    from datetime import timedelta

    import pytest

    from peizi_guard import Guard
    from peizi_guard.scan import ScanOptions

    for bad, error in (
        (dict(timeout=-1), ValueError),  # every URL was stored unchecked ("timeout")
        (dict(max_bytes=0), ValueError),  # every page was "empty"
        (dict(concurrency=0), ValueError),
        (dict(jobs=-1), ValueError),
        (dict(timeout="10"), TypeError),
        (dict(max_age=timedelta(hours=-1)), ValueError),
    ):
        with pytest.raises(error):
            ScanOptions(**bad)
    with pytest.raises(TypeError, match="ScanOptions"):
        Guard(db).scan(["http://127.0.0.1:9/"], "x")  # was an AttributeError
    assert ScanOptions(timeout=0.5, max_bytes=1024, jobs=0).timeout == 0.5


def test_the_library_answers_texts_and_unknown_sources_as_the_cli_does(db):
    import json

    import pytest
    from click.testing import CliRunner

    from peizi_guard import Guard, api
    from peizi_guard.cli import main

    g = Guard(db)
    lib = g.check_text("   杜德配资，1:10杠杆   ").to_dict()
    r = CliRunner().invoke(main, ["--db", db, "check", "--text", "   杜德配资，1:10杠杆   ", "--json"])
    assert lib == json.loads(r.output) and lib["query"] == "杜德配资，1:10杠杆"
    with pytest.raises(api.UnknownSource):
        g.revert("nosuch", 1)  # was a DocumentError of another kind
