"""Session 27: a site's short listed name after 欢迎访问 / 访问 / 登录 in an offer."""

from __future__ import annotations


def test_a_short_listed_name_after_visit_is_the_sites_own(db):
    from peizi_guard import Guard

    g = Guard(db)
    for text in ("欢迎访问益配资官网", "欢迎访问益配资官网，1:10杠杆", "登录益配资，按天配资"):
        v = g.check_text(text)
        assert v.verdict == "listed" and {m.entry for m in v.matches} == {"益配资"}, text
    # inside another word it is still no one's name: 收益 + 配资官网
    v = g.check_text("收益配资官网")
    assert v.matches == []
    # not in an offer (the label alone counts only in one)
    assert g.check_text("我们访问益配资官网时被骗，提现不到账。").matches == []


def test_a_licensed_firms_trade_name_is_no_look_alike_of_a_listed_one(db):
    from peizi_guard import Guard

    g = Guard(db)
    firm_note = "the trade name of the licensed or large company"
    v = g.check("华泰配资")  # was "one character differs" from 恒泰配资: another platform's name
    assert v.verdict == "suspicious" and v.matches == []
    assert any(f"{firm_note} 华泰证券" in n for n in v.notes)
    assert [s.signal for s in v.signals] == ["peizi-in-name"]
    v = g.check("中金策略")  # CICC's strategy research: was suspicious by 中泽策略 alone
    assert v.verdict == "clear" and v.matches == [] and any(f"{firm_note} 中金公司" in n for n in v.notes)
    assert g.check("中信证券策略").verdict == "clear"
    # a listed name is listed whatever it resembles; look-alikes of other names stay evidence
    assert g.check("恒泰配资").verdict == "listed"
    assert not any(firm_note in n for n in g.check("恒泰配资").notes)
    assert "股神策略" in [m.entry for m in g.check("股圣策略").matches]
    assert [m.method for m in g.check("杜得配资").matches] == ["homophone"]
    assert not any(firm_note in n for n in g.check("杜得配资").notes)


def test_a_three_character_name_in_a_question_and_a_name_before_a_business_word(db):
    from peizi_guard import Guard

    g = Guard(db)
    # round 14: each was clear, "not on the official lists" (鸿满仓 is CSRC #5)
    for q in ("有人用过鸿满仓吗", "用过鸿满仓吗？", "鸿满仓的客服", "推荐鸿满仓", "我在鸿满仓亏了钱", "用过操盘所吗"):
        v = g.check(q)
        assert v.verdict == "suspicious" and [m.method for m in v.matches] == ["name-inside"], q
    for q, entry in (
        ("我在闻道资本投资", "闻道资本"),
        ("通过申捷策略投资", "申捷策略"),
        ("杜德配资华信投资", "杜德配资"),
    ):
        v = g.check(q)
        assert v.verdict == "suspicious" and entry in {m.entry for m in v.matches}, q
    assert {m.entry for m in g.check("闻道资本和华信投资").matches} >= {"闻道资本", "华信投资"}
    for q in ("A股大牛市", "有人用过点牛股吗"):  # inside other words; an everyday name
        assert g.check(q).matches == [], q
    # a complaint shows the platform it names (clear: a report, not an offer)
    v = g.check_text("我在鸿满仓亏了20万，千万别上当")
    assert v.verdict == "clear" and [m.entry for m in v.matches] == ["鸿满仓"]


def test_everyday_words_are_no_look_alikes(db):
    from peizi_guard import Guard

    g = Guard(db)
    # round 14: all suspicious, "one character differs" from a listed everyday name or 投牛策略
    for q in (
        "投资策略",
        "股市行情",
        "选股策略",
        "彩民之家",
        "外盘期货",
        "华尔街",
        "红太阳",
        "港股策略",
        "美股策略",
        "炒股策略",
        "股票策略",
        "全球策略",
    ):
        v = g.check(q)
        assert v.verdict == "clear" and v.matches == [], q
    # a decorated licensed or large company's name is that name: no homophone of 大智慧配资
    for q in ("大智慧官网", "大智慧APP", "大智慧客服"):
        v = g.check(q)
        assert v.verdict == "clear" and v.matches == [] and any("同名提示" in n for n in v.notes), q
    # the listed names themselves, and look-alikes of distinctive ones, stay
    assert g.check("华尔街股票配资炒股").verdict == "listed"
    assert g.check("股票行情").verdict == "listed"
    # … and a name an earlier SAC issue listed word for word (2019 第1-2期: a 51sole.com page
    # titled 股票开户), shipped since session 29: formerly listed, not a look-alike
    assert [(m.method, m.list) for m in g.check("股票开户").matches] == [("formerly-listed", "former")]
    assert [m.method for m in g.check("杜得配资").matches] == ["homophone"]
    assert "股神策略" in [m.entry for m in g.check("股圣策略").matches]


def test_a_usage_error_is_one_line(tmp_path):
    import subprocess
    import sys

    cli = [sys.executable, "-c", "from peizi_guard.cli import run; run()", "--db", str(tmp_path / "u.db")]
    for args, says in (
        (["check", "--as-of", "2020-7-8", "x"], "is not a date (YYYY-MM-DD)"),
        (["check", "--as", "text", "x"], "'text' is not one of"),
        (["chek", "x"], "Did you mean 'check'?"),
        (["scan"], "Missing argument"),
    ):
        p = subprocess.run(cli + args, capture_output=True, text=True, timeout=60)
        assert p.returncode == 2 and p.stdout == "", args
        assert p.stderr.startswith("peizi-guard: error: ") and says in p.stderr, p.stderr
        assert len(p.stderr.strip().splitlines()) == 1 and "--help" in p.stderr, p.stderr


def test_an_account_label_written_close_to_its_id_goes(db):
    from peizi_guard import Guard

    g = Guard(db)
    for q in ("加微信bjhmc68", "微信bjhmc68", "微信号 bjhmc68", "加微信：bjhmc68", "微信:bjhmc68"):
        v = g.check(q)  # 加微信bjhmc68 was "named inside", the others listed
        assert v.verdict == "listed" and [(m.entry, m.method) for m in v.matches] == [("鸿满仓", "exact")], q
    assert g.check("wxid_abc123").matches == []  # an id that starts like a label keeps it


def test_a_host_dressed_as_a_licensed_firms_domain_is_suspicious(db):
    from peizi_guard import Guard
    from peizi_guard.output.report import advice_for

    g = Guard(db)
    for q, firm in (
        ("http://www.htsc.com.cn.evil.cn", "htsc.com.cn"),
        ("https://htsc-com-cn.top", "htsc.com.cn"),
        ("http://www.csrc.gov.cn.xyz.com/login", "csrc.gov.cn"),
    ):
        v = g.check(q)  # each was clear, with no note
        assert v.verdict == "suspicious" and [(s.signal, s.text) for s in v.signals] == [
            ("imitates-allowed-domain", firm)
        ], q
        assert "dresses up as a licensed firm's domain" in advice_for(v)
    for q in ("https://www.htsc.com.cn/", "https://m.htsc.com.cn", "htsc.com.cn", "https://evil.cn", "abc-ca.com"):
        assert g.check(q).signals == [], q
    # round 16: other shapes, a CDN's host named after its customer's, and inside a text
    for q in ("htsc.com-cn.top", "htsc.com.cn-login.top", "www-htsc-com-cn.xyz", "htsc-com-cn.evil.cn",
              "http://htsc.com.cn@evil.cn/"):
        assert [s.text for s in g.check(q).signals] == ["htsc.com.cn"], q
    for q in ("www.htsc.com.cn.cdn.dnsv1.com", "www.12306.cn.w.kunlunsl.com", "my-163.com", "x-qq.com"):
        assert g.check(q).verdict == "clear", q
    v = g.check_text("华泰证券官方网站：www.htsc.com.cn.evil.cn ，请登录开户")  # was clear (0.46)
    assert v.verdict == "suspicious" and v.signals[0].signal == "imitates-allowed-domain"
    assert g.check_text("华泰证券官方网站：www.htsc.com.cn ，请登录开户").verdict == "clear"


def test_a_licensed_firms_name_listed_exactly_is_advised_as_such(db):
    from peizi_guard import Guard
    from peizi_guard.output.report import ADVICE, advice_for

    g = Guard(db)
    for q in ("广发证券股份有限公司上海分公司", "同花顺"):  # a fake site's name on the SAC list; a CSRC platform's
        v = g.check(q)
        assert v.verdict == "listed" and advice_for(v) == ADVICE["listed-good-name"], q
    assert advice_for(g.check("杜德配资")) == ADVICE["listed"]


def test_an_app_or_wechat_name_anyone_may_have_is_suspicious_not_listed(db):
    from peizi_guard import Guard

    g = Guard(db)
    for q, entry in (("程经理", "普臣资产"), ("达人", "达人配资"), ("319", "319策略"), ("神牛", "神牛168")):
        v = g.check(q)  # each was listed, "do not sign or pay"
        assert v.verdict == "suspicious" and [(m.entry, m.method) for m in v.matches] == [(entry, "common-account")], q
    assert g.check("华泰证券 程经理").verdict == "clear"  # was listed (exact part): the broker's manager
    assert g.check("bjhmc68").verdict == "listed"  # a real id stays listed


def test_a_company_listed_by_name_is_found_under_another_legal_form(db):
    from peizi_guard import Guard

    g = Guard(db)
    for q in ("武汉慕鑫源文化发展股份有限公司", "慕鑫源文化发展有限公司"):  # SAC #9 lists it by name: clear before
        v = g.check(q)
        assert v.verdict == "suspicious" and [(m.source, m.method) for m in v.matches] == [
            ("sac-blacklist", "company-core")
        ], q
    assert {m.entry for m in g.check("鸿满仓文化").matches} == {"鸿满仓"}  # 文化 is a business word, as 科技 is


def test_the_first_evidence_is_the_listed_value_that_matched(db):
    from peizi_guard import Guard

    v = Guard(db).check("红盘上海分公司")  # the core 红盘: the platform 红盘 (#153), then companies holding it
    assert [(m.seq, m.field) for m in v.matches][:1] == [(153, "name")]
    assert {m.seq for m in v.matches} == {113, 153}


def test_round16_names_in_sentences_and_labels_close_to_ids(db):
    from peizi_guard import Guard

    g = Guard(db)
    for q in ("鸿满仓充值", "鸿满仓不给出金", "我在鸿满仓投资", "鸿满仓老师", "我在鸿满仓充了五万"):  # each was clear
        assert [(m.entry, m.method) for m in g.check(q).matches] == [("鸿满仓", "name-inside")], q
    for q, entry in (
        ("有人用过信立投资有限公司吗", "信立投资"),  # a listed company after 用过
        ("有人用过武汉慕鑫源文化发展有限公司吗", "武汉慕鑫源文化发展有限公司"),  # the SAC lists it by name
        ("我在希陌科技（北京）有限公司亏了十万", "诚飞财富"),
    ):
        v = g.check(q)
        assert v.verdict == "suspicious" and entry in {m.entry for m in v.matches}, q
    assert g.check("中信立投资有限公司").verdict == "clear"  # another trade name, as before
    assert [m.entry for m in g.check("我在配多多投了十万").matches] == ["配多多"]
    for q in ("欢迎访问益配资官网", "访问益配资"):  # a site's own name after 访问, however generic
        assert [(m.entry, m.method) for m in g.check(q).matches] == [("益配资", "name-inside")], q
    assert g.check("访问股票配资").matches == []  # trade words alone are no one's name
    for q in ("加Vbjhmc68", "+Vbjhmc68", "微信搜索bjhmc68", "加微bjhmc68", "薇信bjhmc68", "加我微信bjhmc68"):
        assert [(m.entry, m.method) for m in g.check(q).matches] == [("鸿满仓", "exact")], q
    v = g.check("国泰君安配资")  # a large firm's whole name as the trade name
    assert v.matches == [] and any("国泰君安" in n for n in v.notes)
