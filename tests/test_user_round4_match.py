"""User testing, round four: wrong answers on the shipped lists, each with the case a tester typed."""
from __future__ import annotations

import pytest

from peizi_guard import builtin
from peizi_guard.matcher import build, check, check_text


@pytest.fixture(scope="module")
def ix():
    return build(builtin.records())


def entries(v) -> set[tuple[int, str]]:  # noqa: ANN001
    return {(m.seq, m.method) for m in v.matches}


@pytest.mark.parametrize("query", ["鸿满仓网", "鸿满仓提现", "鸿满仓最新网址", "鸿满仓出金难", "鸿满仓配资", "投诉鸿满仓"])
def test_a_short_listed_name_beside_words_asked_about_it_is_evidence(ix, query):
    """CSRC #5 鸿满仓 (three characters) was CLEAR as 鸿满仓网 or 鸿满仓提现: names under four
    characters were never looked for inside a query."""
    v = check(ix, query)
    assert v.verdict == "suspicious" and entries(v) == {(5, "name-inside")}, v.to_dict()


@pytest.mark.parametrize("query", ["a股大牛市", "我在内盘期货上做单", "新恒生指数"])
def test_a_short_listed_name_inside_other_words_is_not(ix, query):
    """股大牛 (listed) inside A股大牛市 is a coincidence: only words asked about a name count."""
    assert check(ix, query).matches == []


def test_listed_account_ids_are_found_in_text_and_after_a_label(ix):
    """gh_d3cc254439bb (杜德配资's WeChat account, CSRC #3) and ykpz888 (#20) were CLEAR in ad text."""
    v = check_text(ix, "每日牛股推荐，关注公众号：gh_d3cc254439bb")
    assert v.verdict == "listed" and entries(v) == {(3, "exact")}
    v = check_text(ix, "股票交流群，加微信 ykpz888 拉你进群，可提供资金支持")
    assert v.verdict == "listed" and entries(v) == {(20, "exact")}
    v = check(ix, "微信号：gh_d3cc254439bb")
    assert v.verdict == "listed" and entries(v) == {(3, "exact")}
    assert check_text(ix, "我们的客服工作时间是周一到周五 service2024 abcdef").matches == []


def test_a_query_longer_than_any_name_is_judged_as_text(ix):
    """47 characters separated by spaces were judged as a name: SUSPICIOUS for 名称含配资."""
    q = "证监会提醒 场外配资属于非法活动 请投资者不要参与股票配资 谨防上当受骗 保护好自己的资金安全"
    v = check(ix, q)
    assert v.kind == "text" and v.verdict == "clear" and v.probability is not None
    assert check(ix, "https://www.google.com/url?q=https://www.ddpz666.com/&sa=D&source=editors").kind == "url"


@pytest.mark.parametrize("query", [
    "https://www.google.com/url?q=https://www.ddpz666.com/",
    "https://www.baidu.com/link?url=www.ddpz666.com",
    "http://t.example.com/go?target=http%3A%2F%2Fwww.ddpz666.com%2F",
    "ddpz666点com",
])
def test_wrapped_and_written_out_addresses_are_read(ix, query):
    v = check(ix, query)
    assert v.verdict == "listed" and (3, "host") in entries(v), v.to_dict()
    assert not any("allow-listed" in n for n in v.notes)  # baidu.com is, but the answer is the site it leads to


def test_wrapped_and_written_out_addresses_in_text(ix):
    for text in ("想炒股没本金？登录 ddpz666点com 了解", "详情 https://www.google.com/url?q=https://www.ddpz666.com/ 了解"):
        assert (3, "host") in entries(check_text(ix, text)), text


@pytest.mark.parametrize("query", [
    "http://blog.sina.cn/u/6524062149", "http://m.blog.sina.com.cn/u/6524062149",
    "https://m.weibo.cn/detail/IAeJ0vxrn", "https://m.weibo.cn/status/IAeJ0vxrn",
])
def test_mobile_pages_of_shared_hosts_are_the_listed_pages(ix, query):
    v = check(ix, query)
    assert v.verdict == "listed" and {m.method for m in v.matches} == {"path"}, v.to_dict()
    assert not any("allow-listed" in n for n in v.notes)  # the page is listed, whatever its host


@pytest.mark.parametrize("query", ["http://m.blog.sina.com.cn/u/1", "https://m.weibo.cn/detail/XXXXXXXXX", "m.weibo.cn"])
def test_other_mobile_pages_of_shared_hosts_are_not(ix, query):
    assert check(ix, query).verdict == "clear"


@pytest.mark.parametrize("query, seq", [("华信投资有限公司", 6), ("北京华信投资有限公司", 6), ("北京杜德配资", 3)])
def test_a_company_named_after_a_listed_platform_is_suspicious(ix, query, seq):
    v = check(ix, query)
    assert v.verdict == "suspicious" and (seq, "company-core") in entries(v), v.to_dict()


def test_plain_business_names_and_brands_stay_clear(ix):
    for q in ("华泰投资有限公司", "东方红有限公司", "中信证券股份有限公司"):
        assert check(ix, q).verdict == "clear", q


@pytest.mark.parametrize("query, seq", [
    ("鼎顶投资咨询有限公司", 33), ("杜德网络信息科技有限公司", 3), ("鹏鸿投资咨询有限公司", 34),
])
def test_listed_companies_of_more_regions_share_their_core(ix, query, seq):
    """福州鼎顶投资咨询有限公司 (CSRC #33) without 福州 was CLEAR: 36 regions were known, not 福州."""
    v = check(ix, query)
    assert v.verdict == "suspicious" and any(s == seq for s, _ in entries(v)), v.to_dict()


@pytest.mark.parametrize("query", ["盈策略,2020", "\"盈策略\",2020", "盈策略 2020"])
def test_a_listed_name_of_trade_words_and_one_character_counts_as_a_part(ix, query):
    v = check(ix, query)
    assert v.verdict == "listed" and {m.entry for m in v.matches} == {"盈策略"}, v.to_dict()


def test_trade_words_and_everyday_names_alone_do_not_count_as_a_part(ix):
    assert check(ix, "策略股,abc").verdict == "clear"


def test_common_software_and_brand_names(ix):
    """通达信 is everyone's trading software (CSRC #64 lists it as 配资栈's app): listed, with the
    same-name note; pinyin domains of everyday names are not a listed name's spelling."""
    v = check(ix, "通达信")
    assert v.verdict == "listed" and any("同名提示" in n for n in v.notes)
    for q in ("tonghuashun.com", "jubaopen.com", "www.mingzhuguoji.com", "www.dongfanghong.com"):
        assert check(ix, q).verdict == "clear", q


def test_the_library_scan_refuses_a_database_it_cannot_write_before_fetching(tmp_path):
    """Guard.scan, like the CLI, says so before any page is fetched (here a trigger refuses the
    write, as a PostgreSQL user without INSERT would); the address is never asked for."""
    import sqlite3

    from peizi_guard import Guard
    from peizi_guard.db.engine import DbError

    db = str(tmp_path / "g.db")
    g = Guard(db)
    g.index  # noqa: B018 -- seeds the database
    con = sqlite3.connect(db)
    con.execute("CREATE TRIGGER refuse BEFORE INSERT ON scan_results "
                "BEGIN SELECT RAISE(ABORT, 'permission denied for table scan_results'); END")  # fmt: skip
    con.commit()
    con.close()
    asked = []
    with pytest.raises(DbError, match="cannot write to the database"):
        g.scan(["http://127.0.0.1:9/never"], progress=asked.append, emit=asked.append)
    assert asked == []
