"""Addresses and question words inside name queries are found and judged as what they are."""
from __future__ import annotations

import pytest

from peizi_guard import builtin
from peizi_guard.matcher import build, check
from peizi_guard.matcher.query import parse, strip_question


@pytest.fixture(scope="module")
def ix():
    return build(builtin.records())


@pytest.mark.parametrize("query, kind, name, urls", [
    ("网址：www.pz3789.com", "url", "", ("www.pz3789.com",)),
    ("官网: http://www.ddpz666.com/", "url", "", ("http://www.ddpz666.com/",)),
    ("ddpz666.com.", "url", "", ("ddpz666.com.",)),
    ("杜德配资靠谱吗", "name", "杜德配资", ()),
    ("请问杜德配资是不是骗局？", "name", "杜德配资", ()),
    ("杜德配资 www.ddpz666.com", "name", "杜德配资", ("www.ddpz666.com",)),
    ("华泰证券", "name", "华泰证券", ()),
])
def test_parse(query, kind, name, urls):
    q = parse(query)
    assert (q.kind, q.name, q.urls) == (kind, name, urls)


def test_question_words_never_eat_the_whole_name():
    assert strip_question("怎么样") == "怎么样"
    assert strip_question("X网靠谱吗") == "X网"


@pytest.mark.parametrize("query, expected, entry", [
    ("网址：www.pz3789.com", "listed", "优配资"),  # the CSRC list gives www.pz3789.com for 优配资
    ("ddpz666.com.", "listed", "杜德配资"),  # trailing dot of a fully qualified name
    ("杜德配资靠谱吗", "listed", "杜德配资"),
    ("宝利配资官网是真的吗？", "listed", "宝利配资"),
    ("网址：www.ddpz999.com", "suspicious", "杜德配资"),  # a mirror of a listed domain
])
def test_addresses_and_names_inside_queries_are_judged(ix, query, expected, entry):
    v = check(ix, query)
    assert v.verdict == expected
    assert v.matches and v.matches[0].entry == entry
    assert v.notes or query == "ddpz666.com."  # says what was taken from the query


def test_as_name_keeps_an_address_looking_query_a_name(ix):
    assert check(ix, "ddpz666.com", "name").kind == "name"
    assert check(ix, "华泰证券靠谱吗").verdict == "clear"


@pytest.mark.parametrize("company, listed", [
    ("上海杜德配资有限公司", "杜德配资"),  # CSRC #3, listed by name only, without a company
    ("杜德配资科技有限公司", "杜德配资"),
    ("北京闻道资本管理有限公司", "闻道资本"),  # CSRC #13
])
def test_a_company_named_after_a_listed_platform_is_suspicious_with_that_platform_as_evidence(ix, company, listed):
    v = check(ix, company)
    assert v.verdict == "suspicious" and v.matches, v.to_dict()
    assert {(m.entry, m.field, m.method) for m in v.matches} == {(listed, "name", "company-core")}


def test_a_licensed_brokers_company_name_is_not_made_suspicious_by_its_core(ix):
    for company in ("广发证券股份有限公司", "中信证券股份有限公司", "华泰证券股份有限公司"):
        assert check(ix, company).verdict == "clear", company


def test_a_listed_name_inside_a_sentence_is_evidence_not_a_listing(ix):
    """我在杜德配资亏了钱怎么办: suspicious, with 杜德配资 (CSRC #3) as the evidence; before, only
    the word 配资 counted and the listed platform went unmentioned."""
    v = check(ix, "我在杜德配资亏了钱怎么办")
    assert v.verdict == "suspicious" and [(m.seq, m.entry, m.method) for m in v.matches] == [(3, "杜德配资", "name-inside")]
    two = check(ix, "听说闻道资本和杜德配资都是骗子")
    assert {m.entry for m in two.matches} == {"闻道资本", "杜德配资"} and two.verdict == "suspicious"
    assert check(ix, "我在内盘期货上做单").matches == []  # an everyday word some platform is named
    long = "我在杜德配资亏了钱，真的很后悔，不知道去哪里投诉才能拿回本金和利息，家里人也不知道这件事情，怎么办才好"
    text = check(ix, long)  # over 40 characters: judged as text, the listed name as its evidence
    assert text.kind == "text" and any("judged as text" in n for n in text.notes)
    assert [(m.seq, m.method) for m in text.matches] == [(3, "exact")]
    assert v.kind == "name" and not any("judged as text" in n for n in v.notes)
    assert check(ix, "杜德配资靠谱吗").verdict == "listed"  # the question form is the name itself, as before
