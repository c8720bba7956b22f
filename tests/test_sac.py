"""The SAC 《非法仿冒证券公司、证券投资咨询公司等机构黑名单》 .docx issues (twelve real documents)."""
from __future__ import annotations

import html
import json
import re
from importlib import resources
from functools import lru_cache
from pathlib import Path

import pytest

from peizi_guard.model import DocumentError, Entry
from peizi_guard.scraper.formats.docx import DocxFormat
from peizi_guard.scraper.layouts import LAYOUTS
from peizi_guard.scraper.layouts.csrc import CsrcLayout
from peizi_guard.scraper.layouts.sac import SacLayout, category_definitions, found_month, parse_site
from peizi_guard.scraper.parse import parse_document

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
ISSUES = sorted(p.stem.removeprefix("sac-blacklist-") for p in FIXTURES.glob("sac-blacklist-*.docx"))


def path(issue: str) -> Path:
    return FIXTURES / f"sac-blacklist-{issue}.docx"


@lru_cache(maxsize=None)
def parsed(issue: str):
    return parse_document(path(issue).read_bytes(), path(issue).name, expect_layout="sac-blacklist")


def entry(issue: str, seq: int):
    found = [e for e in parsed(issue).entries if e.seq == seq]
    assert len(found) == 1
    return found[0]


def docx_rows(issue: str) -> list[list[str]]:
    """The table's rows read independently, with python-docx."""
    docx = pytest.importorskip("docx")
    return [[c.text for c in row.cells] for t in docx.Document(str(path(issue))).tables for row in t.rows]


def test_twelve_consecutive_issues():
    assert ISSUES == [f"2019-{n:02d}" for n in range(1, 9)] + [f"2020-{n:02d}" for n in range(1, 5)]


@pytest.mark.parametrize("issue", ISSUES)
def test_every_numbered_row_is_an_entry(issue):
    numbered = [int(r[0]) for r in docx_rows(issue) if re.fullmatch(r"\d+", r[0].strip())]
    doc = parsed(issue)
    assert (doc.format, doc.layout) == ("docx", "sac-blacklist")
    assert [e.seq for e in doc.entries] == numbered == list(range(1, len(numbered) + 1))
    assert 88 <= len(numbered) <= 152
    for e in doc.entries:
        assert e.name and e.urls and e.domains, e
        assert re.fullmatch(r"\d{4}-\d{2}", e.extra["found"]), e
        assert e.extra["category_text"], e  # every code used is defined in the header rows
        assert e.extra["section"] in ("非法仿冒机构网站、含有非法内容的网页", "含有非法内容的博客")


def test_row_counts_per_issue():
    counts = {i: len(parsed(i).entries) for i in ISSUES}
    assert counts == {
        i: sum(1 for r in docx_rows(i) if re.fullmatch(r"\d+", r[0].strip())) for i in ISSUES
    }
    assert min(counts.values()) == 88 and max(counts.values()) == 152  # as DATA.md states


# ---- spot checks --------------------------------------------------------------------------------

def test_name_and_url_run_together():
    e = entry("2019-01", 11)
    assert (e.name, e.urls, e.domains) == ("股发金融", ["http://22888m.com/"], ["22888m.com"])
    assert e.extra["category"] == "类别1-1" and e.extra["found"] == "2018-05"
    assert e.extra["section"] == "非法仿冒机构网站、含有非法内容的网页"
    assert "impersonates" not in e.extra


def test_impersonation_row():
    e = entry("2019-06", 2)
    assert e.name == "广发理财"
    assert e.urls == ["http://0066.u2ol9k.top/"] and e.domains == ["0066.u2ol9k.top"]
    assert e.extra["impersonates"] == "广发证券股份有限公司"
    assert e.extra["category"] == "类别1-3" and e.extra["found"] == "2019-08"


def test_impersonation_name_on_its_own_line():
    e = entry("2019-07", 1)
    assert e.name == "上证50期权投资" and e.urls == ["http://www.zhihuicp.com"]
    assert e.extra["impersonates"] == "爱建证券有限责任公司温州胜利路证券营业部"
    assert e.extra["found"] == "2019-09"


def test_impersonation_without_a_name_uses_the_host():
    e = entry("2019-01", 12)
    assert e.name == "2228815.com" and e.urls == ["http://2228815.com/"]
    assert e.extra["impersonates"] == "海通证券股份有限公司"


def test_impersonation_of_several_firms_without_quotes():
    e = entry("2019-02", 3)
    assert e.name == "上海证券公司联盟" and e.domains == ["feing.net"]
    assert e.extra["impersonates"] == "长江证券、华宝证券、兴业证券、中信证券"


def test_two_names_for_one_site():
    e = entry("2019-02", 4)
    assert (e.name, e.aliases) == ("银河证券旗下期权专业交易平台", ["银河证券互通信息宝"])
    assert e.urls == ["http://ht.deyfx.com"]
    assert e.extra["impersonates"] == "中国银河证券股份有限公司"


def test_one_name_two_sites():
    e = entry("2019-01", 4)
    assert e.urls == ["http://405laurel.com", "http://www.pz08.com"]
    assert e.domains == ["405laurel.com", "pz08.com"]


def test_several_sites_in_one_row():
    e = entry("2020-04", 5)
    assert e.name == "赛岳恒配资"
    assert e.aliases == ["简配资", "好配资", "申捷策略", "领航配资", "鼎盛配资", "鹏配资"]
    assert e.urls == ["www.syhpeizi.com", "www.pz52.com", "www.pz07.com", "www.haopz.com", "www.shenjiecelue.com",
                      "www.pz59.com", "www.dspz8.net", "www.ds558.com", "www.891204.com"]
    assert e.extra["impersonates"] == "兴业证券"
    assert e.extra["found"] == "2020-02"  # first listed in 2020年第3期


def test_shared_host_blog_keeps_the_full_url():
    e = entry("2019-01", 27)
    assert e.name == "每日一股u的博客"
    assert e.urls == ["http://blog.sina.com.cn/u/5496756077"] and e.domains == ["blog.sina.com.cn"]
    assert e.extra["section"] == "含有非法内容的博客" and e.extra["category"] == "类别1-5"
    assert e.extra["found"] == "2019-03"


def test_wechat_article_url_is_kept_as_printed():
    e = entry("2019-01", 24)
    assert e.name == "每天送二只内幕消息股"
    assert e.urls == ["http://mp.weixin.qq.com/s?__biz=MzIzMjM3NzE4NA==&mid=2247483708&idx=1"
                      "&sn=227b87169f639281c5c0b842fb7d5ba5#rd"]
    assert e.domains == ["mp.weixin.qq.com"]


def test_section_changes_between_rows():
    before, after = entry("2019-01", 25), entry("2019-01", 26)
    assert before.extra["section"] == "非法仿冒机构网站、含有非法内容的网页"
    assert after.extra["section"] == "含有非法内容的博客"
    sections = [e.extra["section"] for e in parsed("2020-04").entries]
    first_blog = sections.index("含有非法内容的博客")
    assert set(sections[:first_blog]) == {"非法仿冒机构网站、含有非法内容的网页"}
    assert set(sections[first_blog:]) == {"含有非法内容的博客"}


def test_qq_numbers_are_split_from_urls():
    e = entry("2019-01", 53)  # …/u/5330860284QQ群：956902860
    assert e.urls == ["http://blog.sina.com.cn/u/5330860284"] and e.extra["qq"] == ["956902860"]
    e = entry("2019-01", 29)  # 联系QQ：570336887、569667620 on its own line
    assert e.name == "股市黑马涨停研究的博客" and e.extra["qq"] == ["570336887", "569667620"]
    e = entry("2019-01", 87)  # …/saadaasQQ:194219996
    assert e.urls == ["http://blog.eastmoney.com/saadaas"] and e.extra["qq"] == ["194219996"]


def test_comma_typed_for_a_dot_keeps_the_raw_url():
    e = entry("2019-06", 6)
    assert e.urls == ["http://huifengqianhai,com"] and e.domains == ["huifengqianhai.com"]
    assert e.name == "huifengqianhai.com" and e.extra["impersonates"] == "汇丰前海证券有限公司"


def test_weibo_and_https_urls():
    e = entry("2020-04", 20)
    assert e.name == "股海浮沉1" and e.urls == ["https://weibo.com/3880871484/IAeJ0vxrn?type=comment"]
    e = entry("2020-04", 3)
    assert e.name == "华金配资" and e.domains == ["hjpzw.com"] and e.extra["impersonates"] == "华金证券"


def test_non_breaking_spaces_in_names():
    e = entry("2019-07", 57)  # 用户5721192432\xa0的博客
    assert e.name == "用户5721192432 的博客"
    assert e.urls == ["http://blog.sina.com.cn/s/blog_1550277f00102w9nh.html"]


def test_description_without_impersonation_is_a_note():
    e = entry("2019-01", 82)
    assert e.name == "上海民生证券投资有限公司" and e.domains == ["3824382.blog.sohu.com"]
    assert e.extra["note"] == "今日热点：明日3只必涨牛股已公开发布非法证券信息"
    assert "impersonates" not in e.extra


def test_a_site_renamed_between_issues():
    old, new = entry("2019-03", 1), entry("2019-07", 5)
    assert (old.name, new.name) == ("银河配资", "金河配资")
    assert old.urls == new.urls == ["http://yinhepeizi.com"]


# ---- category definitions and metadata -----------------------------------------------------------

def test_category_definitions_come_from_the_header_rows():
    rows = docx_rows("2019-01")
    expected = {r[1]: r[2] for r in rows if re.fullmatch(r"类别1-\d", r[1])}
    expected.update({r[0]: r[1] for r in rows if re.fullmatch(r"类别\d", r[0]) and not r[1].startswith("类别")})
    table = DocxFormat().tables(path("2019-01").read_bytes())[0]
    header = SacLayout().header_index(table)
    assert header > 0
    defs = category_definitions(table[:header])
    assert defs == expected
    assert set(defs) == {"类别1", "类别1-1", "类别1-2", "类别1-3", "类别1-4", "类别1-5", "类别2", "类别3", "类别4"}
    assert defs["类别1"] == "非法投资咨询"
    assert entry("2019-01", 84).extra["category"] == "类别1-4"
    assert entry("2019-01", 84).extra["category_text"] == defs["类别1-4"]


def test_category_texts_are_read_not_hard_coded():
    table = DocxFormat().tables(path("2019-01").read_bytes())[0]
    layout = SacLayout()
    header = layout.header_index(table)
    i = next(n for n, r in enumerate(table[:header]) if r[1] == ["类别1-1"])
    table[i] = [c if n < 2 else ["(redefined)"] for n, c in enumerate(table[i])]
    entries = layout.entries(table, header)
    assert {e.extra["category_text"] for e in entries if e.extra["category"] == "类别1-1"} == {"(redefined)"}


def test_metadata():
    for issue in ISSUES:
        doc = parsed(issue)
        assert doc.title == "非法仿冒证券公司、证券投资咨询公司等机构黑名单"
        assert doc.published == ""  # no issue states its publication date
        year, n = issue.split("-")
        assert doc.issue == ("" if issue == "2020-04" else f"{year}年第{int(n)}期")


def test_found_month():
    assert found_month("2019年9月") == "2019-09"
    assert found_month("2019年 12 月") == "2019-12"
    assert found_month("2019-09-01") == "2019-09"
    assert found_month("不详") == "不详"


def test_parse_site_on_a_printed_cell():
    cell = [r[1] for r in docx_rows("2019-01") if r[0].strip() == "2"][0].split("\n")
    site = parse_site(cell)
    assert site["names"] == ["价值时代大讲堂直播平台"] and site["urls"] == ["www.aeukci.com/v/GZ016"]
    assert site["impersonates"] == "东莞证券股份有限公司"


# ---- layouts are not confused ---------------------------------------------------------------------

def test_sac_documents_are_recognised_without_a_hint():
    doc = parse_document(path("2019-05").read_bytes())
    assert doc.layout == "sac-blacklist"
    assert [layout.id for layout in LAYOUTS] == ["csrc-peizi", "sac-blacklist"]


def test_csrc_and_sac_headers_do_not_cross():
    sac_rows = DocxFormat().tables(path("2020-01").read_bytes())[0]
    shipped = resources.files("peizi_guard").joinpath("data/builtin/csrc-peizi-2020-07-08.json")
    csrc = [Entry.from_dict(e) for e in json.loads(shipped.read_text("utf-8"))["entries"]]
    # the CSRC list's header as printed (DATA.md), then real rows
    csrc_rows = [[["序号"], ["配资平台名称"], ["网址"], ["配资APP、微信公众号、小程序名称"], ["运营机构名称"], ["运营机构注册地"]]]
    csrc_rows += [[[str(e.seq)], [e.name], e.urls, [], [], [e.region]] for e in csrc[:20]]
    assert CsrcLayout().header_index(sac_rows) == -1
    assert SacLayout().header_index(csrc_rows) == -1
    assert SacLayout().header_index(sac_rows) >= 0 and CsrcLayout().header_index(csrc_rows) == 0
    with pytest.raises(DocumentError, match="csrc-peizi"):
        parse_document(path("2020-01").read_bytes(), expect_layout="csrc-peizi")
    page = "<html><body><table>" + "".join(
        "<tr>" + "".join(f"<td>{'<br>'.join(html.escape(x) for x in c)}</td>" for c in row) + "</tr>" for row in csrc_rows
    ) + "</table></body></html>"
    assert parse_document(page.encode("utf-8")).layout == "csrc-peizi"
    with pytest.raises(DocumentError, match="of the sac-blacklist list"):
        parse_document(page.encode("utf-8"), expect_layout="sac-blacklist")


def test_the_same_issue_as_html_or_xlsx_gives_the_same_entries():
    import io

    import openpyxl

    table = DocxFormat().tables(path("2020-04").read_bytes())[0]
    page = "<html><head><meta charset='gb18030'></head><body><table>" + "".join(
        "<tr>" + "".join(f"<td>{'<br>'.join(html.escape(x) for x in c)}</td>" for c in row) + "</tr>" for row in table
    ) + "</table></body></html>"
    wb = openpyxl.Workbook()
    for row in table:
        wb.active.append(["\n".join(c) or None for c in row])
    buf = io.BytesIO()
    wb.save(buf)
    want = parsed("2020-04").entries
    for data in (page.encode("gb18030"), buf.getvalue()):
        assert parse_document(data, expect_layout="sac-blacklist").entries == want
