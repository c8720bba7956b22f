"""Session 30: shortcuts on the path of every checked name, each the same answer as the full
reading it skips (the verdicts of the names harness are byte for byte the same)."""

from __future__ import annotations

import unicodedata

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from peizi_guard import normalise
from peizi_guard.matcher.suffix import split_host

quick = settings(max_examples=400, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])

# what addresses are written with, full-width and ideographic forms, and what NFKC turns into a
# dot, a colon or a slash (․ ﹒ ﹕ ⒈ … ｡)
ALPHABET = (
    "abcwxyz019-_:/.。．｡，,[](){}点 \u3000ｗ：／\u2024\ufe52\ufe55\u2488\u2026\u00b7杜德配资网址" + "ＷｗＣＯＭｃｏｍ"
)
texts = st.text(alphabet=ALPHABET, max_size=24)


def _full_looks_like_url(text: str) -> bool:
    """looks_like_url as it read every text before the shortcut (session 29)."""
    n = normalise
    t = n.undefang(unicodedata.normalize("NFKC", text.strip()).translate(n._DOTS)).lstrip("/")
    if "/" not in t and "?" not in t:
        t = t.rstrip(".")
    if n._SCHEME.match(t) or t.lower().startswith("www."):
        return True
    host = t.split("/", 1)[0].split("?", 1)[0].split(":", 1)[0]
    if n.IPV4.fullmatch(host):
        return True
    labels = host.split(".")
    if len(labels) < 2 or not all(labels[-1:]):
        return False
    return bool(n._TLD.fullmatch(labels[-1].lower())) and all(n._LABEL.fullmatch(lab) for lab in labels if lab)


@quick
@given(texts)
@example("ｗｗｗ．ddpz666．com")
@example("www。ddpz666。com")
@example("ddpz666[.]com")
@example("ddpz666点com")
@example("ddpz666\u2024com")
@example("1\u2488com")
@example("http://45.76.1.2")
def test_a_name_without_a_dot_or_colon_is_no_address_as_the_full_reading_says(text):
    assert normalise.looks_like_url.__wrapped__(text) == _full_looks_like_url(text)


@quick
@given(st.text(alphabet="abc019-:/点。，杜德 [](){}\u2024ｗ", max_size=30).filter(lambda t: "." not in t))
@example("http://ddpz666点com")
@example("45:76:1:2")
def test_text_without_a_dot_holds_no_address_the_pattern_would_read(text):
    # what find_urls skips for such a text: the pattern's reading finds nothing in it either
    assert [m.group(0) for m in normalise._urls_in(text) if normalise.looks_like_url(m.group(0))] == []


def test_the_shortcut_still_reads_the_addresses_users_write():
    for written in (
        "www.ddpz666.com",
        "ｗｗｗ．ｄｄｐｚ６６６．ｃｏｍ",
        "ddpz666[.]com",
        "ddpz666点com",
        "https://a.cn/x",
    ):
        assert normalise.looks_like_url(written), written
    for name in ("杜德配资", "鑫盛配资平台", "ddpz", "华泰证券 程经理"):
        assert not normalise.looks_like_url(name), name


def test_split_host_is_kept_and_the_same_answer():
    split_host.cache_clear()
    assert split_host("m.ddpz666.com") == ("m", "ddpz666", "com")
    assert split_host("45.76.1.2") == ("", "", "45.76.1.2")
    assert split_host("x.github.io") == ("", "x", "github.io")


def test_readings_found_in_the_files_text_are_the_tables():
    from peizi_guard.matcher import pinyin

    whole, listed = pinyin.table(), pinyin.phrases()
    readings = pinyin._InPlace(pinyin.read_data(pinyin.TABLE), pinyin._reading_in, dict)
    phrases = pinyin._InPlace(pinyin.read_data(pinyin.PHRASES), pinyin._phrase_in, dict)
    readings.asked = phrases.asked = -(10**9)  # every look-up below searches the text
    for ch in [*whole, "a", "Z", "1", "#", "\t", "\n", "。", "🀄", "𠀀"]:
        assert readings.get(ch) == whole.get(ch), ch
    others = ["银", "银行行", "#", "\n银行", "银行\t", "yin", "", "行长x"]
    for p in [*listed, *others, *(p[:-1] for p in listed), *(p + "行" for p in list(listed)[:300])]:
        assert phrases.get(p) == listed.get(p), p


@quick
@given(st.text(alphabet="银行长重庆乐音觉得了中国平安杜德配资鑫旺优配a1 。#\t", max_size=12))
def test_a_names_syllables_read_in_place_or_whole_are_the_same(text):
    from peizi_guard.matcher import pinyin

    t, ph = pinyin.table(), pinyin.phrases()
    want, i = [], 0
    while i < len(text):  # the reading of session 29, from the two dictionaries
        for n in (4, 3, 2):
            if text[i : i + n] in ph:
                want += ph[text[i : i + n]]
                i += n
                break
        else:
            want.append(t.get(text[i], text[i]))
            i += 1
    assert list(pinyin._syllables.__wrapped__(text)) == want


def test_a_hosts_suffix_searched_in_the_snapshot_is_the_one_its_rules_give():
    import random

    from peizi_guard.matcher import suffix

    normal, wild, exc = suffix._rules()  # the rules, read as before this session (test_suffix.py: as tldextract's)
    snap = suffix._Snapshot(suffix._snapshot_path().read_bytes())
    assert snap.as_read
    rnd = random.Random(30)
    plain = sorted(r for r in normal if r.isascii())
    hosts = ["www.ddpz666.com", "m.x.com.cn", "a.github.io", "b.kawasaki.jp", "city.kawasaki.jp", "www.ck", "x.y.ck"]
    hosts += [f"{p}{r}" for r in rnd.sample(plain, 800) for p in ("", "x.", "a.b-c.")]
    hosts += [f"{p}{r}" for r in wild if r.isascii() for p in ("", "y.", "z.y.")]
    hosts += [f"{p}{r}" for r in exc if r.isascii() for p in ("", "w.")]
    hosts += ["".join(rnd.choice("abcio.-") for _ in range(rnd.randint(1, 12))).strip(".") or "a" for _ in range(400)]
    searched = [h for h in hosts if suffix.searchable(h)]
    assert len(searched) > 2000
    assert (
        not suffix.searchable("xn--1ctwo.jp")
        and not suffix.searchable("A.com")
        and not suffix.searchable("a." * 8 + "com")
    )
    for host in searched:
        assert suffix._search(snap, host) == suffix._from_rules(host), host
    for host in hosts + ["xn--1ctwo.jp", "x.xn--55qx5d.cn", "A.COM", "a." * 20 + "co.uk"]:  # every host, as answered
        assert suffix.public_suffix.__wrapped__(host) == suffix._from_rules(host), host


GOOD = "// ===BEGIN ICANN DOMAINS===\ncom\n*.ck\n!www.ck\n公司.cn\n\n".encode()
NOT_AS_READ = [
    "COM\n",
    "com \n",
    " com\n",
    "co\tm\n",
    "com\r\n",
    "com\u00a0\n",
    "\u212aawasaki.jp\n",
    "// c\ryy.zz\n",
    "// c\u2028yy.zz\n",
    "中\u2028yy.zz\n",
    "// c\x0cyy.zz\n",
    "// c\x85yy.zz\n",
]


def test_a_snapshot_not_written_as_read_is_never_searched(monkeypatch):
    from functools import lru_cache

    from peizi_guard.matcher import suffix

    assert suffix._as_read(GOOD)
    for bad in NOT_AS_READ:
        assert not suffix._as_read(GOOD + bad.encode()), bad
    # while the rules are not read, a plain host is searched in a snapshot written as read only
    monkeypatch.setattr(suffix, "_rules", lru_cache(maxsize=1)(suffix._rules.__wrapped__))
    monkeypatch.setattr(suffix, "_snapshot", lambda: snap)
    snap = suffix._Snapshot(GOOD + "yy.zz\n".encode())
    assert suffix._searched("a.yy.zz") == "yy.zz" and suffix._searched("w.www.ck") == "ck"
    snap = suffix._Snapshot(GOOD + "// c\u2028yy.zz\n".encode())
    assert suffix._searched("a.yy.zz") is None
    snap = suffix._Snapshot(GOOD)
    snap.asked = suffix.SEARCHED
    assert suffix._searched("a.yy.zz") is None  # past the first hosts: the rules are read
