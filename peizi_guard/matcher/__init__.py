"""Judge a query (name, URL or ad text) against the index: pure, no database access."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import TYPE_CHECKING

from .index import Index, build
from .lexicon import lexicon
from .match import ACCOUNT_FIELDS, Match, match_name, match_url, no_name_alone
from .multi import word_char
from ..lazyre import LazyPattern
from ..normalise import (
    as_written,
    clean_text,
    company_core,
    find_urls,
    fold,
    is_generic,
    name_key,
    name_variants,
    split_url,
    strip_generic,
    undefang,
)
from .query import LONG_NAME, inner_urls, parse, reads_as_text
from .settings import DEFAULT, Settings
from .signals import Signal, domain_signals, imitation_signals, name_signals, strongest, text_evidence
from .suffix import registrable, split_host
from .verdict import LISTED_METHODS, decide, decide_text

if TYPE_CHECKING:
    from .textmodel import TextModel


def __getattr__(name: str):  # noqa: ANN202
    """TextModel on first use: a name check does not load the text model's code."""
    if name == "TextModel":
        from .textmodel import TextModel

        return TextModel
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "DEFAULT",
    "Index",
    "Match",
    "Settings",
    "Signal",
    "TextModel",
    "Verdict",
    "build",
    "check",
    "check_page",
    "check_text",
    "detect_kind",
]


@dataclass
class Verdict:
    query: str
    kind: str  # name | url | text
    verdict: str  # listed | suspicious | clear
    score: float
    matches: list[Match] = field(default_factory=list)
    signals: list[Signal] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    probability: float | None = None  # texts: the model's probability of a 配资 offer

    def to_dict(self) -> dict:
        d = {
            "query": self.query,
            "kind": self.kind,
            "verdict": self.verdict,
            "score": self.score,
            "matches": [m.to_dict() for m in self.matches],
            "signals": [s.to_dict() for s in self.signals],
            "notes": self.notes,
        }
        if self.probability is not None:
            d["probability"] = round(self.probability, 4)
        return d


AS_TEXT = "这像一段文字，按文字判断；--as name 按名称核查 (this reads as text, not a name: judged as text; --as name judges it as a name)"


def detect_kind(query: str) -> str:
    return "text" if reads_as_text(query) else parse(query).kind


def read_tables() -> None:
    """Read whole what a check reads in part at first (the public suffix rules, the pinyin
    tables): in a process about to check many queries, or to fork workers that will."""
    from . import pinyin, suffix

    pinyin.read_whole()
    suffix.read_whole()


def check(ix: Index, query: str, kind: str | None = None) -> Verdict:
    """Judge a name or URL (kind detected unless given); a query holding an address and a name
    ("杜德配资 www.ddpz666.com", "网址：www.pz3789.com") is judged on both."""
    if kind == "text":
        return check_text(ix, query)
    if kind is None and reads_as_text(query):  # a pasted ad or sentence, not a name
        v = check_text(ix, query)
        v.notes.insert(0, AS_TEXT)
        return v
    q = parse(query, kind)
    matches: list[Match] = []
    signals: list[Signal] = []
    notes = list(q.notes)
    for url in q.urls:
        m, s, n = _url_evidence(ix, url)
        matches, signals, notes = matches + m, signals + s, notes + n
    if q.name:
        m, s, n = _name_evidence(ix, q.name)
        matches, signals, notes = matches + m, signals + s, notes + n
    verdict, score = decide([(m.method, m.score) for m in matches], strongest(signals), ix.settings)
    return Verdict(query, q.kind, verdict, score, _unique(matches), signals, notes)


GOOD_NAME_NOTE = (
    "同名提示：这也是持牌机构或大型公司的名称；请以官网域名核实 "
    "(also the name of a licensed or large company: verify by its official domain)"
)
ALLOWED_HOST = "allow-listed domain (licensed institution, regulator or large company)"


def _url_evidence(ix: Index, url: str) -> tuple[list[Match], list[Signal], list[str]]:
    host, _ = split_url(url)
    label = split_host(host)[1] if host else ""
    if label and registrable(host) in lexicon().allow_domains:
        # a listed page there is the page's, and a wrapper link's (baidu.com/link?url=…) where it leads
        matches = match_url(ix, url)
        return matches, [], [] if matches or inner_urls(url) else [ALLOWED_HOST]
    signals = (domain_signals(label, ix.settings) if label else []) + _imitation(url, ix.settings)
    return match_url(ix, url), signals, []


def _imitation(url: str, settings: Settings) -> list[Signal]:
    """A host (or the name before an @ in the address) dressed as an allow-listed domain."""
    host, _ = split_url(url)
    domain = registrable(host) if host else ""
    if not host or domain in lexicon().allow_domains:
        return []
    return imitation_signals(host, domain, settings, _userinfo(url))


def _userinfo(url: str) -> str:
    """What an address writes before an @ (http://www.htsc.com.cn@evil.cn/: the browser goes to evil.cn)."""
    rest = url.split("://", 1)[-1].split("/", 1)[0]
    return rest.rpartition("@")[0].lower()


def _name_evidence(ix: Index, name: str) -> tuple[list[Match], list[Signal], list[str]]:
    matches = match_name(ix, name)
    if _known_good_name(name):  # its look-alikes are no evidence; a listed company inside it is
        matches = [m for m in matches if m.method in LISTED_METHODS] or _company_inside(ix, name)
        return (
            matches,
            name_signals(name, ix.settings),
            [GOOD_NAME_NOTE],
        )
    notes = []
    firm = _firm_named(name)
    if firm and not any(m.method in LISTED_METHODS for m in matches):
        # 华泰配资, 中金策略: a licensed firm's trade name explains the name better than a listed
        # name one character away (恒泰配资, 中泽策略)
        matches = [m for m in matches if m.method not in ("fuzzy", "homophone")]
        notes.append(
            f"名称含持牌机构或大型公司“{firm}”的字号；持牌证券公司不以任何名义提供场外配资，请以官网域名核实 "
            f"(the name carries the trade name of the licensed or large company {firm}; no licensed firm "
            "offers 配资 under any name: verify by its official domain)"
        )
    inside: list[Match] = []
    if not matches:
        inside = _named_inside(ix, name) or _company_inside(ix, name)
    elif all(m.method == "company-core" for m in matches):  # a branch's company: its whole name is
        inside = _company_inside(ix, name)  # better evidence than its core
    if inside:
        matches = inside
        notes.append("查询中含有名单上的名称 (the query holds a listed name inside it)")
    return matches, name_signals(name, ix.settings), notes


MIN_NAME_INSIDE = 4  # a shorter listed name inside a longer one is too often a coincidence …
MAX_NAME_INSIDE = 24  # (… unless the rest is words asked about it: 鸿满仓网) and no listed name is longer


def _named_inside(ix: Index, name: str) -> list[Match]:
    """Listed names written inside a longer query (我在杜德配资亏了钱怎么办): suspicious, not
    listed (a name inside another is not that name). Each part is looked up, with no automaton
    to build for a name check; never a trade word or an everyday word some platforms are named."""
    key = name_key(name)
    lx = lexicon()
    if len(key) > LONG_NAME or key.endswith(lx.company_suffixes):  # text (--text judges it), or a company
        return []  # (its core is matched; 我在闻道资本投资 is no company)
    score = ix.settings.method_scores["name-inside"]
    parts = [
        key[a:b] for a in range(len(key)) for b in range(a + MIN_NAME_INSIDE, min(len(key), a + MAX_NAME_INSIDE) + 1)
    ]
    for n in (2, 3):  # a short name only at an end, beside words asked about it: 鸿满仓网, 投诉鸿满仓
        parts += [
            p
            for p, rest in ((key[:n], key[n:]), (key[-n:], key[:-n]))
            if len(key) > n and ix.names.get(p) and _topic_words(rest)
        ]
    # a three-character one also where it stands as a name: 用过鸿满仓, 鸿满仓的客服, 我在鸿满仓亏了钱
    parts += [p for a in range(len(key) - 2) if ix.names.get(p := key[a : a + 3]) and _stands(key, p)]
    # a site's own name after 欢迎访问 / 访问 / 登录, however short or generic: 欢迎访问益配资官网
    site = []
    if key.startswith(lx.label_before):
        site = next((name_variants(key[len(w) :])[:1] for w in lx.label_before if key.startswith(w)), [])
    out: list[Match] = []
    for part in dict.fromkeys(parts + site):
        if part == key or not ix.names.get(part) or no_name_alone(part):  # (股票配资, 策略股)
            continue
        if part in site or not is_generic(part):
            out += [replace(m, method="name-inside", score=score) for m in match_name(ix, part) if m.method == "exact"]
    return out


def _company_inside(ix: Index, name: str) -> list[Match]:
    """Listed companies written inside a longer query (北京哲杜德科技有限公司上海分公司, 甲方北京哲杜德…,
    签约方：…): each part of the query that ends in a legal form (有限公司 …) is looked up;
    suspicious, as a name inside another is. A part that starts inside a word counts when it
    starts with a region or its core has three characters or more, or follows a word said before a
    name (用过, 在): 中信立投资有限公司 does not hold 信立投资有限公司 (中信立 is another trade name, as
    华泰 is not 华信)."""
    key = name_key(name)
    lx = lexicon()
    suffixes = [s for s in lx.company_suffixes if s in key]
    if len(key) > LONG_NAME or not suffixes:
        return []
    score = ix.settings.method_scores["name-inside"]
    starts, at = set(), 0  # where the query's words start, in the key
    for w in _WORDS.split(fold(name)):
        starts.add(at)
        at += len(name_key(w)) if w else 0
    ends = sorted({i + len(s) for s in suffixes for i in _places(key, s)})
    out: list[Match] = []
    for end in ends:
        for start in range(max(0, end - MAX_NAME_INSIDE - 16), end - MIN_NAME_INSIDE + 1):
            part = key[start:end]
            if part == key or not (ix.companies.get(part) or ix.names.get(part)):  # (the SAC lists companies by name)
                continue
            after_word = key[:start].endswith(lx.name_before)  # 有人用过信立投资有限公司吗, 我在…
            if start in starts or after_word or part.startswith(lx.regions) or len(company_core(part)) >= 3:
                out += [
                    replace(m, method="name-inside", score=score)
                    for m in match_name(ix, part)
                    if m.field in ("company", "name") and m.method in LISTED_METHODS
                ]
    return _unique(out)


_WORDS = re.compile(r"[^\w()（）]+|_")  # (a region in brackets is inside a company name)


def _places(text: str, word: str) -> list[int]:
    return [m.start() for m in re.finditer(re.escape(word), text)]


@lru_cache(maxsize=4096)
def _topic_words(rest: str) -> bool:
    """True when `rest` is made of words asked with a name (最新网址, 提现难): lexicon query_topics."""
    topics = lexicon().query_topics
    return not rest or any(rest[:n] in topics and _topic_words(rest[n:]) for n in range(1, len(rest) + 1))


def model_of(ix: Index) -> TextModel:
    from .textmodel import default_model

    return ix.model or default_model()


def check_text(ix: Index, text: str, links: Sequence[str] = ()) -> Verdict:
    """Judge ad copy or page text: the offer model, and listed names and addresses in it.
    `links` are addresses the text points to (a page's links), judged like written ones."""
    from .features import prepare
    from .textmodel import judge

    st, model = ix.settings, model_of(ix)
    cleaned = clean_text(text)  # read once: the model, names and addresses all start from it
    prepared = prepare(cleaned, cleaned=True)
    j = judge(
        model,
        prepared,
        window=st.text_window,
        stride=st.text_stride,
        max_chars=st.text_max_chars,
        explain=st.text_evidence,
        prepared=True,
    )
    threshold = st.text_threshold if st.text_threshold is not None else model.threshold
    offer = j.probability >= threshold
    report = not offer and (bool(j.stance) or any(c in prepared for c in lexicon().complaint_cues))
    matches, urls = _mentions(ix, cleaned, prepared, offer, links)
    verdict, score = decide_text([(m.method, m.score) for m in matches], j.probability, threshold, report, st)
    fakes = [x for u in urls for x in _imitation(u, st)]  # 华泰证券官方网站：www.htsc.com.cn.evil.cn
    if fakes and verdict == "clear" and not report:
        verdict, score = "suspicious", max(x.weight for x in fakes)
    notes = [_plain(j.probability, threshold)]
    if st.text_max_chars and len(prepared) > st.text_max_chars:
        notes.append(
            f"只判断了前 {st.text_max_chars:,} 个字符 (only the first {st.text_max_chars:,} of "
            f"{len(prepared):,} characters were judged)"
        )
    if matches and verdict == "clear" and report:
        notes.append(
            "names a listed platform inside a warning or report: noted, not flagged "
            "(提及名单上的平台，但语境为警示或报道)"
        )
    signals = [*dict.fromkeys(fakes), *_as_written(text, text_evidence(j))]
    return Verdict(text, "text", verdict, score, matches, signals, notes, j.probability)


def _as_written(text: str, signals: list[Signal]) -> list[Signal]:
    """Evidence quoted as the text writes it (槓桿, "add WeChat"), not as the model reads it
    (杠杆, "addwechat"); a phrase not found so stays as read. Words shown once: a phrase that
    reads as what a named feature found is counted with that feature, and phrases that read the
    same once whole words are shown ("leverage" from "lev" and "erage") are one, their weights
    added (a phrase the text repeats word for word stays one signal a place: shown ×N)."""
    shown = ["、".join(_written(text, part) for part in s.text.split("、")) for s in signals]
    out: list[Signal] = []
    at: dict[str, int] = {}  # words shown → the signal in `out` that carries them
    for s, t in zip(signals, shown):
        if s.signal != "ngram":
            out.append(s if t == s.text else replace(s, text=t))
            for part in t.split("、"):
                at.setdefault(part, len(out) - 1)
    for s, t in zip(signals, shown):
        if s.signal != "ngram":
            continue
        i = at.get(t)
        if i is None:
            if t != s.text:
                at[t] = len(out)
            out.append(s if t == s.text else replace(s, text=t))
            continue
        weight = round(out[i].weight + s.weight, 3)
        out[i] = replace(out[i], weight=weight, counter=weight < 0)
    return sorted(out, key=lambda s: -abs(s.weight))


def _written(text: str, part: str) -> str:
    """`part` as `text` writes it; "以|为名" (quoted words cut out of a pattern's match) as 以…为名."""
    return as_written(text, part) or part.replace("|", "…")


def _plain(p: float, threshold: float) -> str:
    """The model's reading in words; its probability shown as the verdict's score is (rounded to
    3 places, then 2): 0.9951 is not 1.00 here and 0.99 there."""
    zh, en = (
        ("读起来是配资招揽", "reads as a 配资 offer")
        if p >= threshold
        else ("不像配资招揽", "does not read as a 配资 offer")
    )
    shown, cut = f"{round(p, 3):.2f}", f"{threshold:.2f}"
    if shown == cut:  # 0.7545 under a threshold of 0.7635: not "0.76 (threshold 0.76)"
        shown, cut = f"{p:.4f}", f"{threshold:.4f}"
    return f"模型：配资招揽概率 {shown}（阈值 {cut}），{zh} / model: probability of an offer {shown} (threshold {cut}): {en}"


def _mentions(
    ix: Index, cleaned: str, prepared: str, offer: bool, links: Sequence[str]
) -> tuple[list[Match], list[str]]:
    """Listed names (exact, after normalisation) and addresses written in the text or linked;
    `cleaned` is the text through `clean_text`, `prepared` the same without whitespace. Also the
    addresses, each once."""
    ambiguous = lexicon().ambiguous_names  # also everyday words or brands: evidence only in an offer
    matches: list[Match] = []
    # in the order the text names them: the same text gives the same evidence in every process
    names = ix.mentions.find(prepared) if ix.mentions is not None else []
    if ix.company_mentions is not None:  # a company holding a listed name never hides it
        names = list(dict.fromkeys([*names, *ix.company_mentions.find(prepared)]))
    if offer and ix.labels_in_text is not None:  # an offer carrying a short listed name as its label
        lx = lexicon()  # 益配资官网, 优配资平台, 乐配资APP; 欢迎访问益配资
        names = list(dict.fromkeys([*names, *ix.labels_in_text.find(cleaned, lx.decorations, lx.label_before)]))
    trade = None  # does the text speak of 配资 or leverage (read once, when asked)
    for name in names:
        if not offer and name in ambiguous:
            continue
        if not offer and _known_good_name(name):  # 广发证券…上海分公司: in the news no evidence, …
            trade = bool(name_signals(cleaned, ix.settings)) if trade is None else trade
            if not trade:  # … offering 配资 under it (a fake broker's name on the SAC list) it is
                continue
        if len(name) < MIN_NAME_INSIDE and not _stands(cleaned, name):  # A股大牛市: not 股大牛
            continue
        if name[0].isascii() and name[0].isalnum() and not _whole_in(cleaned, name):  # 清理68 配资, …168配资
            continue
        matches += [m for m in match_name(ix, name) if m.method == "exact"]
    for token in dict.fromkeys(
        t for t in _ACCOUNT_ID.findall(cleaned) if not t.isalpha()
    ):  # 加微信 ykpz888, gh_d3cc254439bb
        if ix.names.get(name_key(token)):  # most tokens are no one's: one look-up
            matches += [m for m in match_name(ix, token) if m.method == "exact" and m.field in ACCOUNT_FIELDS]
    low = cleaned.lower()
    if any(hint in low for hint in _CUE_HINTS):  # (the pattern is read only where a label may be)
        for after in _ACCOUNT_CUE.findall(cleaned):  # 加微信 linghangpz, 公众号：领航平台 (a word after its label)
            matches += _account_named(ix, after)
    urls = [u for _, _, u in find_urls(undefang(cleaned))] + list(links)
    urls += [inner for u in urls for inner in inner_urls(u)]  # google.com/url?q=…: where it leads
    urls = list(dict.fromkeys(urls))
    for url in urls:
        matches += [x for x in match_url(ix, url) if x.score >= ix.settings.text_url_min_score]
    return _unique(matches), urls


def _whole_in(text: str, name: str) -> bool:
    """A listed name that starts with a digit or letter (68配资) is written as such in `text`: whole,
    not run into the number or id before it (13912345168配资, bjhmc68配资) nor spread over a space."""
    at = text.find(name)
    while at >= 0:
        if at == 0 or not (text[at - 1].isascii() and (text[at - 1].isalnum() or text[at - 1] in "_-")):
            return True
        at = text.find(name, at + 1)
    return False


def _stands(text: str, name: str) -> bool:
    """A short listed name (three characters) stands as a name somewhere in `text`: each side a
    space, punctuation, the text's end or a word said beside a name (用过鸿满仓吗, 鸿满仓提现,
    股大牛配资平台). Inside other words it is a coincidence: A股大牛市, 财富牛市, 操盘所需."""
    lx = lexicon()
    trade = (*lx.generic_words, *lx.decorations, *lx.query_topics)
    before, after = (*trade, *lx.name_before), (*trade, *lx.name_after)
    at = text.find(name)
    while at >= 0:
        end = at + len(name)
        left = at == 0 or not word_char(text[at - 1]) or text[:at].endswith(before)
        right = end == len(text) or not word_char(text[end]) or text.startswith(after, end)
        if left and right:
            return True
        at = text.find(name, at + 1)
    return False


# an account id written in a text: a WeChat id is 6-20 letters, digits, _ or -, from a letter
_ACCOUNT_ID = re.compile(r"(?<![a-z0-9_-])[a-z][a-z0-9_-]{5,19}(?![a-z0-9_-])")
# what follows a label of an account (微信, 公众号 …): an id of letters (no word of English
# counts without its label), or a name up to the next space or punctuation
_ACCOUNT_CUE = LazyPattern(  # (compiled on first use: 2.5 ms at import, in every cold check)
    r"(?:微信公众号|公众号|微信号|微\s*信|薇信|威信|wechat|weixin|vx|v信|wx|加v|\+v|加微|qq号|qq|抖音号|微博|小程序)"
    r"\s*(?:搜索|搜)?\s*[:：(（“\"「『]?\s*"
    r"([a-z][a-z0-9_-]{3,19}(?![a-z0-9_-])|[^\W\d_a-z]{2,12})",
    re.I,
)


_CUE_HINTS = ("微", "薇", "威", "公众号", "抖音号", "小程序", "vx", "v信", "wx", "+v", "加v", "qq", "wechat", "weixin")


def _account_named(ix: Index, after: str) -> list[Match]:
    """A listed account written after its label: the id, whole (gh_d3cc254439bb1 is another), or
    the longest listed account name the words after the label start with (公众号：领航平台每日推荐
    names 领航平台)."""
    if after.isascii():
        return [m for m in match_name(ix, after) if m.method == "exact" and m.field in ACCOUNT_FIELDS]
    for n in range(len(after), 1, -1):
        if ix.names.get(name_key(after[:n])):
            found = [m for m in match_name(ix, after[:n]) if m.method == "exact" and m.field in ACCOUNT_FIELDS]
            if found:
                return found
    return []


def _unique(matches: list[Match]) -> list[Match]:
    seen, out = set(), []
    for m in matches:
        if (m.source, m.seq, m.value) not in seen:
            seen.add((m.source, m.seq, m.value))
            out.append(m)
    return out


def check_page(
    ix: Index,
    url: str,
    hops: list[str],
    text: str,
    *,
    targets: Sequence[str] = (),
    links: Sequence[str] = (),
) -> Verdict:
    """Judge a fetched ad page. Its URL, every redirect hop and every place the page sends a
    visitor itself (meta refresh, script location, iframe: `targets`) are judged as addresses:
    a listed one makes the page listed whatever the text says. The text (title, description,
    body) is judged like `check --text`, the page's `links` like addresses written in it."""
    matches: list[Match] = []
    signals: list[Signal] = []
    for hop in dict.fromkeys([url, *hops, *targets]):
        v = check(ix, hop, "url")
        matches += v.matches
        signals += [x for x in v.signals if x not in signals]  # www.x.com, then http://www.x.com: once
    tv = check_text(ix, text, links) if text.strip() else None
    all_matches = _unique(matches + (tv.matches if tv else []))
    if any(m.method in LISTED_METHODS for m in matches):
        verdict, score = "listed", 1.0
    elif tv is not None and tv.verdict != "clear":
        verdict, score = tv.verdict, tv.score
    else:
        verdict, score = decide([(m.method, m.score) for m in matches], strongest(signals), ix.settings)
    notes = tv.notes if tv else []
    return Verdict(
        url,
        "url",
        verdict,
        score,
        all_matches,
        signals + (tv.signals if tv else []),
        notes,
        tv.probability if tv else None,
    )


@lru_cache(maxsize=1)
def _allow_name_keys() -> frozenset[str]:
    return frozenset(name_key(n) for n in lexicon().allow_names)


@lru_cache(maxsize=1)
def _firm_trade_names() -> dict[str, str]:
    """A licensed firm's trade name (华泰 of 华泰证券, 中金 of 中金公司) and its whole name."""
    out: dict[str, str] = {}
    for n in sorted(lexicon().allow_names):
        if n.endswith(_FIRM_WORDS) and len(n) >= 4:
            out.setdefault(name_key(n[:-2]), n)
    return out


_FIRM_WORDS = ("证券", "公司")


def _firm_named(query: str) -> str | None:
    """The licensed firm or large company whose trade name is all a name holds besides trade
    words (华泰配资, 中信策略, 华泰证券配资, 国泰君安配资): its name; else None."""
    key = name_key(query)
    core = strip_generic(key)
    if core == key or len(core) < 2:
        return None
    names = _firm_trade_names()
    return names.get(core) or (core if core in _allow_name_keys() else None)  # 国泰君安配资, 华泰证券配资


def _known_good_name(query: str) -> bool:
    """A licensed institution's or large company's name (lexicon allow_names), its company name,
    or one of its branches (广发证券股份有限公司上海分公司, 华泰证券南京中山东路证券营业部)."""
    names = _allow_name_keys()
    key = name_key(query)
    if key in names or company_core(query) in names:
        return True
    whole = name_variants(query)  # without its decorations: 大智慧官网, 同花顺APP
    if len(whole) == 1 and whole[0] != key and whole[0] in names:
        return True
    return key.endswith(_BRANCH_ENDS) and any(
        (key[:i] in names or company_core(key[:i]) in names) and _is_branch(key[i:]) for i in range(2, len(key) - 2)
    )


_BRANCH_ENDS = ("分公司", "营业部", "分行", "支行")
_BRANCH = LazyPattern(r"(?:股份有限公司|有限责任公司|有限公司)?(\w{2,16}?)(?:证券营业部|营业部|分公司|分行|支行)")


def _is_branch(rest: str) -> bool:
    """What follows a firm's name in one of its branches: its legal form, a place that starts with
    a region (上海, 南京中山东路), a branch word; never a trade word (广发证券配资上海分公司)."""
    m = _BRANCH.fullmatch(rest)
    return m is not None and m[1].startswith(lexicon().regions) and strip_generic(m[1]) == m[1]
