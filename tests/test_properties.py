"""Property tests (Hypothesis): normalisation, URL reading, the many-key look-ups and the parsers
hold their promises on any input, not only on the examples we thought of."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import Levenshtein

from peizi_guard import normalise
from peizi_guard.matcher.multi import Mentions, Near
from peizi_guard.normalise import find_urls, fold, name_key, read_url, split_url
from peizi_guard.model import DocumentError
from peizi_guard.scraper.parse import parse_document
from peizi_guard.scraper.userlist import parse_user_list

CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF)
NAMEISH = st.text(st.one_of(CJK, st.sampled_from("配资股票-_ .·（）()【】app官网APP1２３ａｂ資證")), max_size=20)
ANY = st.text(max_size=60)
HOSTISH = st.text(st.sampled_from("abcdxyz019-.。．/\\@:%?#=&ＡＢＣ配资"), max_size=40)
# derandomized: the same examples on every run, so CI never fails on a draw it had not seen before
quick = settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])


@quick
@given(ANY)
def test_fold_and_name_key_are_idempotent(text):
    assert fold(fold(text)) == fold(text)
    assert name_key(name_key(text)) == name_key(text)


# what fold's shortcuts could get wrong: full-width forms before combining marks (Ａ + ́ is Á),
# compatibility ideographs, traditional characters whose simplified form is traditional too,
# characters beyond the Basic Multilingual Plane, and pages past the short-text path
FOLDISH = st.text(
    st.one_of(
        st.sampled_from(
            "配资股票臺灣證券乾幹髮發後著着甦苏薴苧ＡａＺ１！，：（）\u3000\u0301\u0308\u3099ｶﾞ①㈱ﬁ豈\uf900\uf9ff"
        ),
        st.characters(min_codepoint=0x3000, max_codepoint=0x33FF),
        st.characters(min_codepoint=0xFE00, max_codepoint=0xFFEF),
        CJK,
    ),
    max_size=400,
)
ASTRAL = st.text(st.sampled_from("𠁞𠀾𠌥𠏢配資"), min_size=1, max_size=5)  # 𠁞 → 𠀾


@quick
@given(st.one_of(FOLDISH, FOLDISH.map(lambda t: t * 3), st.tuples(FOLDISH, ASTRAL).map("".join), ANY))
@example("薴苧、" + "股票配资，" * 60)  # a page: 薴 → 苧 and 苧 → 苎, so never one after the other
@example("𠁞。" + "股票配资，" * 60)  # a page with a traditional character past the BMP
@example("Ａ\u0301①㈱ﬁｶﾞ豈：" + "股票配资，" * 60)  # a page the normaliser has more to do in (Ａ + ́ is Á)
def test_fold_equals_nfkc_then_simplified_then_lower_case(text):
    import unicodedata

    from peizi_guard.normalise import _t2s_table

    assert fold(text) == unicodedata.normalize("NFKC", text).translate(_t2s_table()).lower()


@quick
@given(st.one_of(ANY, HOSTISH, HOSTISH.map(lambda h: "http://" + h)))
def test_split_url_gives_a_plain_host_or_nothing(value):
    host, path = split_url(value)
    if not host:
        assert path == ""
        return
    assert host.isascii() and host == host.lower() and len(host) <= 253 and "." in host
    assert not host.startswith("www.") or host.count(".") < 2
    assert re.fullmatch(r"[a-z0-9.-]+", host) and ".." not in host
    assert split_url("http://" + host + "/")[0] == host  # reading a read host changes nothing


PLAINISH = st.builds(
    lambda scheme, labels, tld, slash: scheme + ".".join(labels + [tld]) + slash,
    st.sampled_from(["", "http://", "HTTPS://", "ftp://", "//"]),
    st.lists(st.text("abcXYZ019-_.x", min_size=0, max_size=8), min_size=0, max_size=4),
    st.one_of(st.text("abcxnZ-", min_size=1, max_size=6), st.sampled_from(["com", "xn--fiqs8s", "0x1f", "123"])),
    st.sampled_from(["", "/", "//", ":80", "/a?b", ".", " "]),
)


@quick
@given(st.one_of(PLAINISH, HOSTISH))
def test_the_plain_address_fast_path_reads_as_the_standard_does(value):
    assert split_url(value) == read_url(value)


@quick
@given(st.text(st.sampled_from("配资a1&#;x\u200b\u200d\ufeff\u00ad臺：，8203 "), max_size=30))
def test_clean_text_drops_invisible_characters_entities_included(text):
    import html

    from peizi_guard.normalise import _INVISIBLE, clean_text

    want = fold((html.unescape(text) if "&" in text else text).translate(_INVISIBLE))
    assert clean_text(text) == want and not any(ord(c) in _INVISIBLE for c in clean_text(text))


@quick
@given(ANY)
def test_find_urls_returns_pieces_of_the_text(text):
    for start, end, url in find_urls(text):
        assert text[start:end] == url


URLISH = st.lists(
    st.one_of(
        st.sampled_from(list("abchtps:/.-019 ，。）)中wKſİ")),
        st.sampled_from(["http://", "HTTPS://", ".com", ".cn", "www.", "1.2.3.4", "::ffff:", ":8080/"]),
    ),
    max_size=30,
).map("".join)


@quick
@given(st.one_of(URLISH, ANY))
def test_addresses_are_sought_only_where_a_run_of_host_characters_starts_with_the_same_result(text):
    # normalise._urls_in skips the places the pattern's look-behind rules out; nothing else changes
    whole = [m.span() for m in normalise._URL_IN_TEXT.finditer(text)]
    assert [m.span() for m in normalise._urls_in(text)] == whole


@quick
@given(st.lists(NAMEISH.filter(lambda k: len(k) >= 2), min_size=1, max_size=30, unique=True), st.data())
def test_mentions_equal_one_regular_expression_longest_first(keys, data):
    text = "".join(data.draw(st.lists(st.one_of(st.sampled_from(keys), NAMEISH), max_size=12)))
    rx = re.compile("|".join(map(re.escape, sorted(keys, key=len, reverse=True))))
    assert Mentions(keys).find(text) == list(dict.fromkeys(m.group(0) for m in rx.finditer(text)))


@quick
@given(st.lists(NAMEISH.filter(bool), min_size=1, max_size=40, unique=True), NAMEISH)
def test_near_finds_every_key_within_one_edit(keys, query):
    near = Near(keys)
    found = {keys[i] for i in near.candidates(query) if Levenshtein.distance(query, keys[i]) <= 1}
    assert found == {k for k in keys if Levenshtein.distance(query, k) <= 1}


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.binary(max_size=400),
        st.binary(max_size=400).map(lambda b: b"%PDF-1.4\n" + b),
        st.binary(max_size=400).map(lambda b: b"PK\x03\x04" + b),
        ANY.map(lambda t: f"<html><table><tr><td>序号</td><td>{t}</td></tr></table>".encode()),
    )
)
def test_a_document_parses_or_fails_with_a_document_error(data):
    try:
        parse_document(data, "x")
    except DocumentError:
        pass


@quick
@given(st.one_of(ANY, ANY.map(lambda t: "name,urls\n" + t), ANY.map(lambda t: '{"name": "' + t)))
def test_a_user_list_parses_or_fails_with_a_document_error(text):
    try:
        doc = parse_user_list(text.encode("utf-8"), "x.csv")
    except DocumentError:
        return
    assert all(e.name.strip() for e in doc.entries)  # a header alone is an empty list (emptied only with --force)


@quick
@given(st.lists(NAMEISH.filter(lambda k: len(k) >= 1), min_size=1, max_size=30, unique=True), st.data())
def test_labels_equal_the_regular_expression_with_word_boundaries(keys, data):
    from peizi_guard.matcher.multi import Labels

    text = "".join(
        data.draw(st.lists(st.one_of(st.sampled_from(keys), NAMEISH, st.sampled_from(" ，_a1")), max_size=12))
    )
    rx = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, sorted(keys, key=len, reverse=True))) + r")(?!\w)")
    assert Labels(keys).find(text) == [m.group(0) for m in rx.finditer(text)]


# --- the text features' first characters (matcher/firstchars.py) ---------------------------


def _feature_alphabet():
    from peizi_guard.matcher.lexicon import lexicon

    chars = set("0123456789.:：%|#-/~ 元天日月倍")
    for p in lexicon().text_features:
        chars |= p.starts or set()
    return sorted(chars)


@quick
@given(st.text(st.sampled_from(_feature_alphabet()), max_size=40))
def test_a_text_skipped_by_first_characters_has_no_match(text):
    from peizi_guard.matcher.lexicon import lexicon

    for p in lexicon().text_features:
        if p.regex.search(text):
            assert p.may_match(set(text)), (p.id, text)


@quick
@given(st.text(st.sampled_from(_feature_alphabet() + list("配资杠杆炒股微信天到账仓线金保证体验")), max_size=40))
def test_a_feature_whose_required_words_are_absent_has_no_match(text):
    from peizi_guard.matcher.features import cued_features
    from peizi_guard.matcher.lexicon import lexicon

    cued = cued_features(text)
    for p in lexicon().text_features:
        if not p.boilerplate and p.regex.search(text):
            assert p.id in cued, (p.id, text)


def test_required_words_of_regex_constructs():
    from peizi_guard.matcher.firstchars import required_words

    assert required_words("(?:亏损)?警戒线") == {"警戒线"}
    assert required_words("\\d+元起配|百元起配") == {"元起配", "百元起配"}
    assert required_words("(?<![不未])受法律保护") == {"受法律保护"}
    assert required_words("(?:操盘|配资)方案|补仓线") == {"方案", "补仓线"}
    assert required_words("(?:日息|月息)[^。]{0,8}?\\d+%") == {"日息", "月息"}  # the longest run: none; a part's words
    assert required_words("公布.{0,10}名单") == {"公布"}
    assert required_words("配资|\\d+") is None  # an alternative with no word: no promise
    assert required_words("(?:配资)?") is None and required_words("配资", re.I) is None


def test_first_characters_of_regex_constructs():
    from peizi_guard.matcher.firstchars import first_chars

    assert first_chars("按天配资|(?<![\\d.])1\\s*[:：]") == {"按", "1"}
    assert first_chars("(?:亏损)?警戒线") == {"亏", "警"}
    assert first_chars("[三四五]{1,3}倍") == {"三", "四", "五"}
    assert first_chars("(?=配)配资") == {"配"}
    assert first_chars("a?") is None  # matches the empty string: anywhere
    assert first_chars("\\d+元") is None and first_chars(".配") is None and first_chars("[^x]y") is None
    assert first_chars("配资", re.I) is None and first_chars("(?i:配)资") is None


@quick
@given(st.tuples(ANY, st.one_of(st.integers(), st.booleans()), st.one_of(ANY, st.none()), ANY, ANY, ANY))
def test_a_ref_is_written_as_the_json_encoder_writes_it(values):
    import json

    from peizi_guard.db.indexmake import _ref_json
    from peizi_guard.matcher.index import Ref

    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    assert _ref_json(Ref(*values), dumps) == dumps(list(values))


# ---- a page's visible text: found by XPath as by walking every element ---------------------------

_TAG = st.sampled_from(["p", "div", "span", "b", "a", "script", "style", "noscript", "template", "svg", "br", "li"])
_ATTRS = st.sampled_from(["", " hidden", ' style="display:none"', ' style="color:red"', ' style="visibility: hidden"',
                          ' hidden="hidden" style="x"', ' class="c"'])
_WORDS = st.sampled_from(["配资", "1:10杠杆", "  ", "\n", "&amp;", "新闻", "x", ""])


def _html(draw, depth: int) -> str:  # noqa: ANN001
    parts = []
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.integers(0, 5))
        if kind == 0:
            parts.append(draw(_WORDS))
        elif kind == 1:
            parts.append(f"<!-- {draw(_WORDS)} -->")
        elif kind == 2:
            parts.append(f"<?pi {draw(_WORDS)}?>")
        else:
            tag = draw(_TAG)
            inner = _html(draw, depth + 1) if depth < 3 else draw(_WORDS)
            parts.append(f"<{tag}{draw(_ATTRS)}>{inner}</{tag}>{draw(_WORDS)}")
    return "".join(parts)


@st.composite
def _pages(draw) -> str:  # noqa: ANN001
    return f"<html><head><title>{draw(_WORDS)}</title></head><body{draw(_ATTRS)}>{_html(draw, 0)}</body></html>"


def _visible_by_walking(root):  # noqa: ANN001, ANN202
    """The earlier reading (every element walked in Python, comments emptied, itertext): the reference."""
    from lxml import etree

    from peizi_guard.scraper.visible import _HIDDEN_STYLE, _INVISIBLE, collapse

    doomed = list(root.iter(*_INVISIBLE))
    doomed += [
        el
        for el in root.iter()
        if isinstance(el.tag, str) and (el.get("hidden") is not None or _HIDDEN_STYLE.search(el.get("style") or ""))
    ]
    for el in doomed:
        if el.getparent() is not None:
            el.drop_tree()
    for el in root.iter(etree.Comment, etree.ProcessingInstruction):
        el.text = ""
    return collapse(" ".join(t for t in root.itertext() if t.strip()))


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(_pages())
def test_visible_text_by_xpath_is_the_text_found_by_walking_every_element(page):
    import lxml.html

    from peizi_guard.scraper.visible import _visible

    assert _visible(lxml.html.document_fromstring(page))[2] == _visible_by_walking(lxml.html.document_fromstring(page))
