"""Wrong answers a third round of user testing found in the matcher, on the shipped lists."""
from __future__ import annotations

import pytest

from peizi_guard import builtin
from peizi_guard.matcher import build, check, check_text


@pytest.fixture(scope="module")
def ix():
    return build(builtin.records())


@pytest.mark.parametrize("query, seq", [
    ("鸿满仓官网入口", 5),  # CSRC #5 鸿满仓, with a decoration
    ("国睿信配客服", 4),
    ("华信投资、鸿满仓", 5),  # 、 separates names
    ("杜德配资、宝利配资", 3),
    ("杜德配资™", 3),  # ™ is a mark, not the letters TM
    ("\x1b[31m杜德配资\x1b[0m", 3),  # pasted with terminal colours
    ("www[.]ddpz666[.]com", 3),  # defanged, as blocklists write addresses
    ("hxxp://www[.]ddpz666[.]com/", 3),
])
def test_a_listed_name_or_address_with_everyday_trimmings_is_listed(ix, query, seq):
    v = check(ix, query)
    assert v.verdict == "listed" and seq in {m.seq for m in v.matches if m.source == "csrc-peizi"}, v.to_dict()


def test_a_listed_wechat_article_is_found_however_its_parameters_are_written(ix):
    """SAC #18 lists one article; its link is shared percent-encoded and with parameters reordered."""
    listed = [m for m in check(ix, "https://mp.weixin.qq.com/s?__biz=MzIzMjM3NzE4NA==&mid=2247483708&idx=1"
                                   "&sn=227b87169f639281c5c0b842fb7d5ba5").matches]
    assert [m.seq for m in listed] == [18]
    for url in (
        "https://mp.weixin.qq.com/s?__biz=MzIzMjM3NzE4NA%3D%3D&mid=2247483708&idx=1&sn=227b87169f639281c5c0b842fb7d5ba5",
        "https://mp.weixin.qq.com/s?mid=2247483708&__biz=MzIzMjM3NzE4NA==&idx=1&sn=227b87169f639281c5c0b842fb7d5ba5"
        "&chksm=abc#rd",
    ):
        assert check(ix, url).verdict == "listed", url
    other = "https://mp.weixin.qq.com/s?mid=2247483708&__biz=MzIzMjM3NzE4NA==&idx=2&sn=227b87169f639281c5c0b842fb7d5ba5"
    assert check(ix, other).verdict == "clear"  # another article of the account


def test_a_chinese_top_level_domain_is_an_address(ix):
    v = check(ix, "ddpz666.中国")
    assert v.kind == "url" and v.verdict == "suspicious" and v.matches[0].method == "mirror-domain"


def test_sites_beside_a_listed_page_on_a_directory_or_company_host_are_not_listed(ix):
    """SAC lists single pages on jr.emoney.cn, 162599.51sole.com and sh.qiyexinyong.org."""
    for url in ("www.emoney.cn", "emoney.cn", "www.51sole.com", "www.qiyexinyong.org"):
        assert check(ix, url).verdict == "clear", url
    assert check(ix, "http://162599.51sole.com/companyproductdetail_133289330.htm").verdict == "listed"
    assert check(ix, "http://jr.emoney.cn/hd/sgpc1/index.html").verdict == "listed"


def test_one_character_changed_in_a_two_character_business_core_is_another_name(ix):
    for name in ("华泰投资", "泰康投资", "中信投资"):  # 华信投资 #6, 泰丰投资 #124 are listed
        assert check(ix, name).verdict == "clear", name
    assert check(ix, "股圣策略").verdict == "suspicious"  # the 配资 trade's names keep their look-alikes
    assert check(ix, "杜得配资").verdict == "suspicious"  # a homophone, as before


def test_a_listed_name_that_is_everyday_words_does_not_list_an_unrelated_text(ix):
    for text in ("上海证券交易所今日公布股票行情", "明珠国际大酒店欢迎您", "大牛时代已经来临，A股有望走牛"):
        assert check_text(ix, text).verdict == "clear", text
    assert check(ix, "股票行情").verdict == "listed"  # asked about by name, it is what SAC #12 lists
    assert check_text(ix, "用西瓜在线炒股一个月，赚了两万。").verdict == "listed"  # a testimonial for CSRC #116


def test_the_web_page_says_what_check_says_of_a_warning_naming_a_listed_platform(db):
    from fastapi.testclient import TestClient

    from peizi_guard.web.app import create_app

    warning = "警惕“您炒股我出钱”骗局！证监会提醒：场外配资属于非法活动，杜德配资已被列入名单"
    with TestClient(create_app(db, 0)) as client:
        zh = client.post("/?lang=zh", data={"q": warning}).text
        en = client.post("/?lang=en", data={"q": warning}).text
        broker = client.post("/?lang=zh", data={"q": "华泰证券"}).text
    assert "未发现问题：提到名单上的平台，但不是招揽" in zh and "官方名单中未发现" not in zh
    assert "这段文字读来是提醒或报道" in zh and "#3 <b>杜德配资</b>" in zh
    assert "No problem found: it names a listed platform" in en and "reads as a warning or report" in en
    assert "同名提示" in broker  # the note check prints: also a licensed company's name


def test_evidence_phrases_never_come_from_an_address_or_a_footer(ix):
    v = check_text(ix, "登录 https://www.niuniu-pz.com/reg?id=88 注册即送，1:10杠杆")
    phrases = [s.text for s in v.signals if s.signal == "ngram"]
    assert "1:10杠杆" in phrases and not any(p in "https://www.niuniu-pz.com/reg?id=88" for p in phrases), phrases
    footer = check_text(ix, "按天配资，1:10杠杆，当天到账。风险提示：股市有风险，投资需谨慎")
    assert not any("风险" in s.text or "谨慎" in s.text for s in footer.signals if s.signal == "ngram"), footer.signals


def test_a_probability_next_to_its_threshold_is_shown_with_the_digits_that_tell_them_apart():
    import math

    from peizi_guard.matcher import TextModel

    p = 0.7571
    model = TextModel(intercept=math.log(p / (1 - p)), calibration=(1.0, 0.0), threshold=0.7635, ngrams={}, meta={})
    v = check_text(build(builtin.records(), model=model), "今天天气不错")
    assert v.verdict == "clear" and "probability of an offer 0.7571 (threshold 0.7635)" in v.notes[0], v.notes


def test_a_japanese_form_of_a_character_reads_as_the_chinese_one(ix):
    v = check(ix, "杜徳配资")  # 徳: the Japanese form of 德
    assert v.verdict == "listed" and v.matches[0].method == "exact"


def test_a_bare_move_of_one_or_more_is_asked_again_and_the_web_form_refuses_two_leverages(db):
    from click.testing import CliRunner
    from fastapi.testclient import TestClient

    from peizi_guard.cli import main
    from peizi_guard.web.app import create_app

    r = CliRunner().invoke(main, ["calc", "--own", "10万", "--leverage", "10", "--move", "5"])
    assert r.exit_code == 2 and "--move 5 would be +500%: write a percentage (5%)" in r.output
    assert CliRunner().invoke(main, ["calc", "--own", "10万", "--leverage", "10", "--move", "5%"]).exit_code == 0
    with TestClient(create_app(db, 0)) as client:
        both = client.get("/", params={"own": "10万", "ratio": "1:4", "leverage": "10"}).text
        one = client.get("/", params={"own": "10万", "ratio": "1:4"}).text
    assert "出错了" in both and "出错了" not in one


def test_every_entry_says_which_kind_of_list_it_is_on(db, tmp_path):
    from peizi_guard.guard import Guard

    mine = tmp_path / "mine.csv"
    mine.write_text("name,urls\n面包店配资,bread-pz.example.cn\n", encoding="utf-8")
    g = Guard(db)
    g.import_file(str(mine), "mine")
    kinds = {(e["source"], e["list"]) for e in g.entries()}
    assert ("csrc-peizi", "official") in kinds and ("mine", "user") in kinds


def test_a_browser_over_a_limit_gets_a_page_and_the_api_a_problem_object(db):
    from fastapi.testclient import TestClient

    from peizi_guard.web.app import create_app

    with TestClient(create_app(db, 1)) as client:
        client.get("/api/check", params={"q": "x"})
        page = client.get("/", headers={"accept": "text/html,application/xhtml+xml"})
        api = client.get("/api/check", params={"q": "x"}, headers={"accept": "text/html"})
        big = client.post("/", content=b"q=" + b"x" * 3_000_000, headers={
            "accept": "text/html", "content-type": "application/x-www-form-urlencoded"})
    assert page.status_code == 429 and page.headers["content-type"].startswith("text/html") and "429" in page.text
    assert api.status_code == 429 and api.headers["content-type"] == "application/problem+json"
    assert big.status_code in (413, 429) and big.headers["content-type"].startswith("text/html")


def test_csv_and_table_rows_say_a_page_was_judged_on_its_start_only():
    import csv as csvmod
    import io

    from peizi_guard.output.csv import CsvWriter
    from peizi_guard.output.table import TableWriter

    row = {"url": "http://x.cn/", "final_url": "http://x.cn/", "status": 200, "verdict": "clear", "reason": None,
           "score": 0.1, "matches": [], "signals": [], "redirects": [], "error": None, "fetched_at": "t",
           "truncated": True, "line": 3}
    out = io.StringIO()
    CsvWriter(out).write(row)
    assert next(csvmod.DictReader(io.StringIO(out.getvalue())))["truncated"] == "True"
    table = io.StringIO()
    TableWriter(table).write(row)
    assert "(truncated)" in table.getvalue()


def test_sources_mark_the_current_snapshot_after_a_revert(db, tmp_path):
    from peizi_guard import api

    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text("name,urls\n甲配资,a1.example.cn\n", encoding="utf-8")
    second.write_text("name,urls\n甲配资,a1.example.cn\n乙配资,b1.example.cn\n", encoding="utf-8")
    one = api.import_file(db, str(first), "mine").snapshot_id
    two = api.import_file(db, str(second), "mine").snapshot_id

    def current() -> list[int]:
        mine = next(s for s in api.sources(db) if s["id"] == "mine")
        return [x["id"] for x in mine["snapshots"] if x["current"]]

    assert current() == [two]
    api.revert(db, "mine", one)
    assert current() == [one]
