"""The CSRC list of 258 illegal 配资 platforms (2020-07-08), parsed from the original PDF."""
from __future__ import annotations

import json

import pytest

from peizi_guard import builtin


def by_seq(doc):
    return {e.seq: e for e in doc.entries}


def test_all_258_rows_in_order(csrc_doc):
    assert [e.seq for e in csrc_doc.entries] == list(range(1, 259))
    assert csrc_doc.layout == "csrc-peizi" and csrc_doc.format == "pdf"
    assert all(e.name for e in csrc_doc.entries)


# (seq, field, expected) — the hard cases of DATA.md, checked against the printed document.
SPOT = [
    (3, "domains", ["ddpz666.com", "ddpz777.com", "ddpz88.com"]),
    (4, "urls", ["www.xhz666.com", "www.pz399.com", "www.zhongkegr.com"]),  # .co + m wrapped
    (7, "urls", ["www.1716188.com", "www.jingshengpeizi.com", "www.690882.com"]),
    (11, "urls", ["www.sjcl7.com", "www.sjcl8.com", "www.shenjiecelue.com"]),
    (16, "names", ["诚飞财富", "期货协汇"]),  # two names on two lines
    (18, "urls", ["www.yingtoukeji.com.cn"]),
    (41, "urls", ["qzjld.com/default.php"]),
    (53, "urls", ["www.huihuangpeizi.com.cn"]),
    (71, "domains", ["wbpz68.com", "488.com.cn"]),  # two URL lines drawn on top of each other
    (72, "urls", ["pz3799.com", "www.xhypz.com"]),  # a URL not starting with www.
    (83, "urls", ["www.bytz668.com", "47919.shop.52bjw.cn"]),
    (85, "urls", ["www.dayou.suiyongbao.com.cn"]),
    (106, "urls", ["www.winwinwin168.com"]),
    (122, "urls", ["www.51cxpz.com", "http://shipichen.cn.cebn.cn"]),
    (135, "urls", ["http://www.jinlongchengzichan.com/jinlongcheng.html"]),
    (156, "urls", ["www.appstn.com/peizi/175.html"]),
    (161, "urls", ["www.yuanjin-capital.com"]),
    (163, "urls", ["www.china-futures.cn"]),
    (182, "names", ["涵乔财富", "涵乔配资", "涵乔mom操盘网"]),
    (192, "domains", ["mwww.301200.com", "lqpz66.com"]),
    (196, "urls", ["www.syh02.com", "www.abcgzs.com/index.html"]),
    (202, "urls", ["https://xb.xinbaopeizi.com", "www.76438.com"]),
    (207, "urls", ["http://www.203958.com", "www.669.com.cn"]),
    (218, "urls", ["www.zhaoniuwang668.com", "www.zhaoniuwang688.com", "www.jiuniu198.com", "www.jiuniu188.co"]),
    (228, "urls", ["www.qihuopeizi.com.cn"]),
    (228, "names", ["文商期货配资", "小兵期货配资网"]),
    (249, "urls", ["www.shuangyingbao163.com"]),
    (256, "urls", ["www.3377.com..cn"]),  # the official typo, kept as printed
    (256, "domains", ["3377.com.cn"]),  # and the evident domain
    (258, "domains", ["885.com.cn"]),
    (26, "urls", []),
    (136, "urls", []),
]


@pytest.mark.parametrize("seq,field,expected", SPOT)
def test_spot_checks(csrc_doc, seq, field, expected):
    e = by_seq(csrc_doc)[seq]
    value = [e.name] + e.aliases if field == "names" else getattr(e, field)
    assert value == expected


def apps(e):
    return [(a.kind, a.value) for a in e.apps]


APPS = [
    (1, [("app", "319"), ("wechat", "319策略"), ("wechat", "gh_df20a346d09a")]),  # id on the next line
    (9, [("wechat", "168杠杆配资策略"), ("wechat", "www168pzcom")]),
    (36, [("app", "51配资"), ("wechat", "51我要配资"), ("wechat", "GZ51PZ")]),
    (37, [("app", "百铭洋配资"), ("wechat", "百铭洋平台"), ("wechat", "gh_d38a84d2652a")]),
    (59, [("wechat", "米涂盘"), ("wechat", "gh_7ebc671e6a23")]),  # mixed brackets （…)
    (60, [("app", "民信配资端"), ("app", "民信交易端")]),
    (72, [("wechat", "鑫恒盈配资"), ("wechat", "xhypz999")]),
    (122, [("miniprogram", "股票配资在线申请"), ("weibo", "识股不识人")]),
    (209, [("app", "迪莱奥普交易端软件"), ("wechat", "迪莱aopu科技")]),
    (215, [("app", "博易大师牛资管软件"), ("weibo", "新牛人-股票期货投资神器")]),
    (245, [("wechat", "K线视野"), ("wechat", "程经理"), ("weibo", "浙江普臣资产管理有限公司"),
           ("weibo", "普臣资产小许"), ("weibo", "普臣小刘")]),
    (251, [("app", "投融界"), ("wechat", "投融界"), ("miniprogram", "投融界"), ("weibo", "投融界")]),
    (10, []),  # — means none
    (26, [("app", "牛人股票配资")]),
]


@pytest.mark.parametrize("seq,expected", APPS)
def test_accounts(csrc_doc, seq, expected):
    assert apps(by_seq(csrc_doc)[seq]) == expected


def test_companies(csrc_doc):
    e = by_seq(csrc_doc)
    assert [c.name for c in e[3].companies] == ["北京哲杜德科技有限公司", "西安杜德网络信息科技有限公司"]
    assert e[1].companies[0].name == "中航动力科技（北京）有限公司"  # brackets inside a name stay
    assert e[239].companies[0].name == "杭州盈乾网络科技有限公司"
    assert e[239].companies[0].former_names == ["杭州喜股网络科技有限公司"]
    assert e[243].companies[0].status == "已注销"
    assert e[243].companies[0].name == "杭州锦祥网络科技有限公司"
    assert e[10].companies == [] and e[10].region == "北京"
    assert e[20].companies[1].name == "上海鑫钏国际贸易有限公司"


def test_regions(csrc_doc):
    regions = {e.region for e in csrc_doc.entries}
    assert {"北京", "广东", "深圳", "浙江", "重庆", "青岛", "厦门"} <= regions
    assert "" not in regions


def test_every_url_has_a_domain_except_none(csrc_doc):
    for e in csrc_doc.entries:
        assert len(e.domains) <= len(e.urls)
        if e.urls:
            assert e.domains, e.seq


def test_shipped_data_equals_a_fresh_parse(csrc_doc, csrc_bytes):
    [doc] = [d for d in builtin.manifest() if d["source"] == "csrc-peizi"]
    shipped, raw = builtin.load(doc)
    assert raw == csrc_bytes
    assert [e.to_dict() for e in shipped.entries] == [e.to_dict() for e in csrc_doc.entries]
    assert json.dumps([e.to_dict() for e in shipped.entries], ensure_ascii=False).count("www.") > 300


@pytest.mark.parametrize("doc", [d for d in builtin.manifest() if d["source"] != "csrc-peizi"], ids=lambda d: d["file"])
def test_every_shipped_document_equals_a_fresh_parse(doc):
    from peizi_guard.scraper.parse import parse_document

    from .conftest import FIXTURES

    shipped, raw = builtin.load(doc)
    fresh = parse_document(raw, doc["file"], expect_layout=doc["source"])
    assert [e.to_dict() for e in shipped.entries] == [e.to_dict() for e in fresh.entries]
    assert len(shipped.entries) > 50
    assert any(raw == f.read_bytes() for f in FIXTURES.iterdir()), "shipped document is a copy of a fixture"
