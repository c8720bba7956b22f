"""Name and URL matching against the index. Pure: query in, evidence out."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from urllib.parse import unquote, unquote_plus


from . import pinyin
from .index import Index, Ref, is_shared, letters
from .lexicon import lexicon
from ..normalise import (
    company_base,
    company_core,
    company_parts,
    is_generic,
    name_key,
    name_variants,
    split_url,
    strip_generic,
)
from .settings import DEFAULT
from .suffix import split_host

_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class Match:
    source: str
    seq: int
    entry: str  # the listed entry's name
    field: str  # name | company | domain | url | app | wechat | weibo | miniprogram
    value: str  # the listed value that matched
    method: str  # exact | exact-part | company-core | name-inside | fuzzy | homophone | host | domain | path | mirror-domain | pinyin-domain
    score: float
    query: str = ""  # the part of the query that matched
    list: str = "official"  # official | user (a list the user imported)

    def to_dict(self) -> dict:
        return {
            "source": self.source,
            "seq": self.seq,
            "entry": self.entry,
            "field": self.field,
            "value": self.value,
            "method": self.method,
            "score": self.score,
            "query": self.query,
            "list": self.list,
        }


def _m(ref: Ref, method: str, score: float, query: str) -> Match:
    if ref.list == "former":  # an entry a list dropped: as written, and evidence of its own kind
        method, score = FORMER, DEFAULT.method_scores[FORMER]
    return Match(ref.source, ref.seq, ref.entry, ref.field, ref.value, method, round(score, 3), query, ref.list)


FORMER = "formerly-listed"


def match_name(ix: Index, query: str) -> list[Match]:
    """A platform, company, app or WeChat name (or id)."""
    as_written = name_key(query)
    variants = name_variants(query) or [as_written]
    whole = variants[0] if variants else ""
    out: list[Match] = []
    for i, key in enumerate(variants + [as_written]):
        part = i > 0 and key != as_written
        if part and no_name_alone(key):
            continue  # trade words alone (股票配资), or everyday words (策略股)
        for ref in ix.names.get(key, ()):
            if ref.field in ACCOUNT_FIELDS and common_account(key):  # 程经理, 达人, 319: anyone's too
                if not part:  # (华泰证券 程经理 is the broker's manager)
                    out.append(_m(ref, "common-account", ix.settings.method_scores["common-account"], key))
                continue
            out.append(_m(ref, "exact-part" if part else "exact", 1.0, key))
        if part:  # one of several companies named (甲有限公司、乙有限公司)
            out += [_m(ref, "exact-part", 1.0, key) for ref in ix.companies.get(key, ())]
    for company in [query, *company_parts(query)]:
        out += [_m(ref, "exact", 1.0, company) for ref in ix.companies.get(name_key(company), ())]
    if out:
        return _dedupe(out)
    out += _name_core(ix, whole)
    # the query as a company, and each part of it that is one (签约方：…股份有限公司)
    suffixes = lexicon().company_suffixes
    for company in [query, *(v for v in variants[1:] if v.endswith(suffixes))]:
        out += _company_core(ix, company)
    if whole:
        out += _similar(ix, whole)
    return _dedupe(out)


ACCOUNT_FIELDS = frozenset({"app", "wechat", "weibo", "miniprogram"})
_TITLES = ("经理", "老师", "助理", "客服", "总监", "主管", "专员", "顾问")


def common_account(key: str) -> bool:
    """An app or WeChat name a list gives that anyone may have: digits alone (319), two
    characters (达人, 神牛), or a surname and a title (程经理)."""
    return key.isdigit() or len(key) <= 2 or (len(key) <= 4 and key.endswith(_TITLES))


def no_name_alone(key: str) -> bool:
    """Trade words alone (股票配资) or an everyday word (策略股): no part of a name is looked up under it."""
    return (is_generic(key) and not strip_generic(key)) or key in lexicon().ambiguous_names


def _company_core(ix: Index, company: str) -> list[Match]:
    """A company by its base (华信投资有限公司: the platform 华信投资) and its core (another legal
    form, a region, trade words: 北京哲杜德科技股份有限公司 for 北京哲杜德科技有限公司)."""
    out: list[Match] = []
    core, base, key = company_core(company), company_base(company), name_key(company)
    score = ix.settings.method_scores["company-core"]
    if base != key and len(base) >= 2 and not is_generic(base):  # (聚富上海分公司: the platform 聚富)
        if base not in lexicon().ambiguous_names:
            out += [_m(r, "company-core", score, base) for r in _platforms(ix, base)]
    if len(core) >= 2 and core != key:
        # 上海杜德配资有限公司: the platform 杜德配资 (not a two-character or everyday one: 聚富, 聚宝盆)
        common = len(core) < 3 or is_generic(core) or core in lexicon().ambiguous_names
        named = _platforms(ix, core) if not common else []
        out += [_m(r, "company-core", score, core) for r in [*ix.company_cores.get(core, ()), *named]]
        out += [m for m in _similar(ix, core) if m.field == "company"]
    return out


def _name_core(ix: Index, key: str) -> list[Match]:
    """A listed name without its trade words (配资, 股票, 策略 …), written alone or with others:
    鑫恒盈 and 鑫恒盈平台 for 鑫恒盈配资, 杜德股票配资 for 杜德配资. A core of two characters counts
    only beside 配资 itself, as an everyday word does: 杜德, 大有期货, 东方网 and 华尔街 are too common to
    point at 杜德配资, 大有策略, 东方配资 or 华尔街股票配资炒股."""
    core = strip_generic(key)
    common = len(core) == 2 or core in lexicon().ambiguous_names  # (华尔街, 红太阳: everyday words)
    if len(core) < 2 or core.isascii() or (common and "配资" not in key):
        return []
    score = ix.settings.method_scores["name-core"]
    return [_m(r, "name-core", score, core) for r in ix.name_cores.get(core, ())]


def _platforms(ix: Index, key: str) -> list[Ref]:
    """Platforms listed under `key` by name or alias: a company named after a platform is named
    after its name, not after its WeChat or app (领航科技有限公司 is not the account 领航平台)."""
    return [r for r in ix.names.get(key, ()) if r.field == "name"]


def _similar(ix: Index, key: str) -> list[Match]:
    out: list[Match] = []
    if len(key) > ix.settings.near_max_length:  # matched as written only (see Settings)
        return out
    if _everyday(key):  # 股票策略, 投资策略: words anyone writes, not a look-alike of a name
        return out
    ambiguous = lexicon().ambiguous_names  # 股市行情, 外盘期货: look-alikes of everyday words
    if len(key) >= ix.settings.homophone_min_length and not key.isascii():
        for listed, ref in ix.sounds.get(pinyin.full(key), ()):
            if listed != key and listed not in ambiguous:
                out.append(_m(ref, "homophone", ix.settings.method_scores["homophone"], key))
    if len(key) >= ix.settings.fuzzy_min_length and ix.fuzzy_keys and ix.near is not None:
        found = ix.near.candidates(key)
        for dist, i in _nearest(key, found, ix.fuzzy_keys) if found else ():  # (most names have none)
            listed = ix.fuzzy_keys[i]
            if (
                0 < dist
                and abs(len(listed) - len(key)) <= 1
                and not is_generic(listed)
                and listed not in ambiguous
                and not _core_differs(key, listed)
                and not _trade_word_changed(key, listed)
            ):
                score = 1 - dist / max(len(listed), len(key))
                out += [_m(ref, "fuzzy", score, key) for ref in ix.fuzzy_refs[i]]
    return out


def _nearest(key: str, found: list[int], keys) -> list[tuple[int, int]]:  # noqa: ANN001
    """(distance, index) of the five nearest of the `found` keys within one edit of `key`, as
    rapidfuzz's process.extract over every key would give them."""
    distance = _distance()
    return sorted((d, i) for i in found if (d := distance(key, keys[i], score_cutoff=1)) <= 1)[:5]


@lru_cache(maxsize=1)
def _distance():  # noqa: ANN202
    """rapidfuzz's Levenshtein distance, imported on first use (10-20 ms of a cold check): by a
    name that has keys within one edit to measure, not by every name."""
    from rapidfuzz.distance import Levenshtein

    return Levenshtein.distance


def _everyday(key: str) -> bool:
    """A name made of trade words only (股票策略), or of trade words and one everyday business word
    (投资策略, 资本平台)."""
    core = strip_generic(key)
    return not core or (core != key and core in lexicon().company_words)


def _core_differs(key: str, listed: str) -> bool:
    """One character changed inside the two-character core of a plain business name (华泰投资 /
    华信投资: 华泰 against 华信) is another name, not a copy. Names of the 配资 trade (股神策略,
    杜德配资) keep their one-edit look-alikes, and homophones are found as such."""
    if strip_generic(listed) != listed or len(key) != len(listed):
        return False
    core = company_core(listed)
    return len(core) <= 2 and company_core(key) != core


def _trade_word_changed(key: str, listed: str) -> bool:
    """One character that turns a listed 配资 name into a plain business name (九鼎配资 → 九鼎投资,
    桥水配资 → 桥水投资) is another business, not a copy: the query has no trade word left and
    ends in a business word (投资, 资本, 科技 …)."""
    return strip_generic(key) == key and strip_generic(listed) != listed and key.endswith(lexicon().company_words)


def match_url(ix: Index, query: str) -> list[Match]:
    """A URL or bare domain: listed host, inside a listed domain, a listed path on a shared host,
    or a mirror / pinyin spelling of a listed one."""
    host, path = split_url(query)
    if not host:
        return []
    lx = lexicon()
    out: list[Match] = []
    desktop = _desktop(host)
    if desktop:  # the mobile site of a shared host: its pages are the desktop site's
        out += [
            replace(m, query=host + path)
            for m in match_url(ix, f"http://{desktop}{path}")
            if m.method in ("path", "host")
        ]
        if host in _MOBILE or out:
            return _dedupe(out)
    if is_shared(host):
        for listed_path, ref in ix.paths.get(host, ()):
            if _path_within(path, listed_path) or _same_post(host, path, listed_path):
                out.append(_m(ref, "path", 1.0, host + path))
        out += [_m(r, "host", 1.0, host) for r in ix.hosts.get(host, ())]
        return _dedupe(out)
    out += [_m(r, "host", 1.0, host) for r in ix.hosts.get(host, ())]
    sub, label, suffix = split_host(host)
    domain = f"{label}.{suffix}" if label else host
    if not out:
        out += [_m(r, "domain", 1.0, domain) for r in ix.domains.get(domain, ())]
    if out or not label or domain in lx.allow_domains:
        return _dedupe(out)
    # not listed: a mirror (same label elsewhere, or the same letters with other digits) …
    for listed_domain, ref in ix.labels.get(label, ()):
        if listed_domain != domain:
            out.append(_m(ref, "mirror-domain", ix.settings.method_scores["mirror-domain"], domain))
    stem = letters(label)
    if stem != label and len(stem) >= ix.settings.mirror_min_letters:
        out += [
            _m(ref, "mirror-domain", ix.settings.method_scores["mirror-domain"], domain)
            for d, ref in ix.stems.get(stem, ())
            if d != domain
        ]
    elif stem != label and len(stem) == 2:
        out += _short_stem_mirrors(ix, label, stem, domain)
    if label.startswith("xn--"):
        out += _idn_name(ix, label, domain)
    # … or spelled from a listed name's pinyin or initials
    if len(stem) >= ix.settings.mirror_min_letters:
        out += [
            _m(ref, "pinyin-domain", ix.settings.method_scores["pinyin-domain"], domain)
            for ref in ix.spelled.get(stem, ())
        ]
    return _dedupe(out)


def _short_stem_mirrors(ix: Index, label: str, stem: str, domain: str) -> list[Match]:
    """Two-letter stems (zc391, zc392, zc396 …) are common; a label is a mirror only when one entry
    lists at least two domains of that stem with the same shape (same letters, same digit count)."""
    shape = _DIGIT.sub("0", label)
    by_entry: dict[tuple, list[Ref]] = {}
    for d, ref in ix.stems.get(stem, ()):
        if d != domain and _DIGIT.sub("0", d.split(".")[0]) == shape:
            by_entry.setdefault((ref.source, ref.seq), []).append(ref)
    return [
        _m(refs[0], "mirror-domain", ix.settings.method_scores["short-mirror"], domain)
        for refs in by_entry.values()
        if len(refs) >= 2
    ]


def _idn_name(ix: Index, label: str, domain: str) -> list[Match]:
    """A Chinese domain spelled with a listed name itself (杜德配资.com)."""
    try:
        name = label.encode("ascii").decode("idna")
    except UnicodeError:
        return []
    return [
        Match(
            m.source,
            m.seq,
            m.entry,
            m.field,
            m.value,
            "idn-name",
            ix.settings.method_scores["idn-name"],
            domain,
            m.list,
        )
        for m in match_name(ix, name)
        if m.method == "exact"
    ]


def _path_within(path: str, listed: str) -> bool:
    """A query path is the listed path or below it. The query string counts only where the path
    alone names nothing (mp.weixin.qq.com/s?__biz=…): there it must start as listed."""

    (p, q), (lp, lq) = _split_path(path), _split_path(listed)
    if not lp:
        return False
    if lq and len(lp) <= 3:  # every listed parameter, in any order, however encoded
        return p == lp and lq <= q
    return p == lp or p.startswith(lp + "/")


# mobile sites of shared hosts, and where their pages are on the desktop site
_MOBILE = {"blog.sina.cn": "blog.sina.com.cn", "m.weibo.cn": "weibo.com", "weibo.cn": "weibo.com"}


def _desktop(host: str) -> str:
    """The desktop host of a shared host's mobile site (m.blog.sina.com.cn, blog.sina.cn), or ""."""
    if host in _MOBILE:
        return _MOBILE[host]
    sub, _, rest = host.partition(".")
    return rest if sub in ("m", "wap", "3g", "h5") and "." in rest and is_shared(rest) else ""


def _same_post(host: str, path: str, listed: str) -> bool:
    """A Weibo post by its id: m.weibo.cn/detail/ID and /status/ID are weibo.com/UID/ID."""
    parts = path.split("?", 1)[0].strip("/").split("/")
    if host != "weibo.com" or len(parts) != 2 or parts[0] not in ("detail", "status"):
        return False
    return listed.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1] == parts[1]


@lru_cache(maxsize=8192)
def _split_path(p: str) -> tuple[str, frozenset[tuple[str, str]]]:
    """The path (percent-decoded, lower case) and its query's parameters."""
    base, _, query = p.partition("?")
    params = frozenset(
        (unquote_plus(k).lower(), unquote_plus(v).lower())
        for k, _, v in (x.partition("=") for x in query.split("&") if x)
    )
    return unquote(base).rstrip("/").lower(), params


def _dedupe(matches: list[Match]) -> list[Match]:
    best: dict[tuple, Match] = {}
    for m in matches:
        k = (m.source, m.seq, m.field, m.value)
        if k not in best or m.score > best[k].score:
            best[k] = m
    # a value an earlier issue listed and the current one still lists (an entry whose other
    # addresses changed) is evidence once, as listed now
    listed = {(m.source, m.field, m.value) for m in best.values() if m.list != "former"}
    if listed:
        best = {k: m for k, m in best.items() if m.list != "former" or (m.source, m.field, m.value) not in listed}
    # the strongest first; among equals, a listed value that is what matched (the platform 红盘
    # for the core 红盘) before one that holds it (长沙红盘网络科技有限公司)
    return sorted(
        best.values(), key=lambda m: (-m.score, m.field == "url" or name_key(m.value) != m.query, m.source, m.seq)
    )
