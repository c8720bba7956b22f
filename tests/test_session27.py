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
