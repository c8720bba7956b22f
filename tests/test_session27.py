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
    firm_note = "the trade name of the licensed firm"
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
