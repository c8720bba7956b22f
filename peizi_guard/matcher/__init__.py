"""Judge a query (name, URL or ad text) against the index: pure, no database access."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .index import Index, build
from .lexicon import lexicon
from .match import Match, match_name, match_url
from functools import lru_cache

from .normalise import company_core, fold, looks_like_url, name_key, split_url
from .signals import Signal, combined, domain_signals, is_warning, name_signals, text_signals
from .suffix import registrable, split_host
from .verdict import LISTED_METHODS, decide

__all__ = ["Index", "Match", "Signal", "Verdict", "build", "check", "check_text", "detect_kind"]


@dataclass
class Verdict:
    query: str
    kind: str  # name | url | text
    verdict: str  # listed | suspicious | clear
    score: float
    matches: list[Match] = field(default_factory=list)
    signals: list[Signal] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "query": self.query, "kind": self.kind, "verdict": self.verdict, "score": self.score,
            "matches": [m.to_dict() for m in self.matches],
            "signals": [s.to_dict() for s in self.signals],
            "notes": self.notes,
        }


def detect_kind(query: str) -> str:
    return "url" if looks_like_url(query) else "name"


def check(ix: Index, query: str, kind: str | None = None) -> Verdict:
    """Judge a name or URL (kind detected unless given)."""
    kind = kind or detect_kind(query)
    if kind == "text":
        return check_text(ix, query)
    notes: list[str] = []
    if kind == "url":
        matches = match_url(ix, query)
        host, _ = split_url(query)
        label = split_host(host)[1] if host else ""
        allowed = bool(label) and registrable(host) in lexicon().allow_domains
        if allowed:
            notes.append("allow-listed domain (licensed institution, regulator or large company)")
        signals = [] if allowed or not label else domain_signals(label)
    else:
        matches = match_name(ix, query)
        signals = name_signals(query)
        if _known_good_name(query):
            matches = [m for m in matches if m.method in LISTED_METHODS]
            notes.append("同名提示：这也是持牌机构或大型公司的名称；请以官网域名核实 "
                         "(also the name of a licensed or large company: verify by its official domain)")
    verdict, score = decide([(m.method, m.score) for m in matches], combined(signals))
    return Verdict(query, kind, verdict, score, matches, signals, notes)


# Starts only where a run of host characters starts, and never backtracks into a label: linear time
# even on hostile pages (100 kB of letters without a dot).
_URL_IN_TEXT = re.compile(
    r"(?<![a-z0-9.-])(?:https?://)?(?:[a-z0-9-]++\.)++[a-z]{2,}+(?::\d+)?(?:/[^\s\"'<>，。）)]*)?", re.I)


def check_text(ix: Index, text: str) -> Verdict:
    """Judge ad copy or page text: solicitation signals, warning cues, listed names and addresses in it."""
    folded = fold(text)
    signals = text_signals(text)
    soliciting = any(not s.counter for s in signals)
    ambiguous = lexicon().ambiguous_names  # also everyday words or brands: evidence only in an offer
    matches: list[Match] = []
    if ix.mentions is not None:
        for name in {m.group(0) for m in ix.mentions.finditer(re.sub(r"\s+", "", folded))}:
            if name in ambiguous and not soliciting:
                continue
            matches += [m for m in match_name(ix, name) if m.method == "exact"]
    for m in _URL_IN_TEXT.finditer(folded):
        if looks_like_url(m.group(0)):
            matches += [x for x in match_url(ix, m.group(0)) if x.score >= 0.8]
    warning = is_warning(signals)
    solicitation = combined([s for s in signals if not s.counter])
    verdict, score = decide([(m.method, m.score) for m in matches], solicitation, warning)
    notes = ["reads as a warning or news report about 配资, not as an offer"] if warning else []
    return Verdict(text, "text", verdict, score, _unique(matches), signals, notes)


def _unique(matches: list[Match]) -> list[Match]:
    seen, out = set(), []
    for m in matches:
        if (m.source, m.seq, m.value) not in seen:
            seen.add((m.source, m.seq, m.value))
            out.append(m)
    return out


def check_page(ix: Index, url: str, hops: list[str], text: str) -> Verdict:
    """Judge a fetched ad page: its URL and every redirect hop as addresses, its visible text as text.
    A listed address makes the page listed whatever the text says; otherwise the text decides."""
    matches: list[Match] = []
    signals: list[Signal] = []
    for hop in [url, *[h for h in hops if h != url]]:
        v = check(ix, hop, "url")
        matches += v.matches
        signals += v.signals
    tv = check_text(ix, text) if text.strip() else Verdict("", "text", "clear", 0.0)
    signals += tv.signals
    address_listed = any(m.method in ("host", "domain", "path") for m in matches)
    warning = is_warning(signals) and not address_listed
    all_matches = _unique(matches + tv.matches)
    verdict, score = decide([(m.method, m.score) for m in all_matches],
                            combined([s for s in signals if not s.counter]), warning)
    notes = tv.notes if warning else []
    return Verdict(url, "url", verdict, score, all_matches, signals, notes)


@lru_cache(maxsize=1)
def _allow_name_keys() -> frozenset[str]:
    return frozenset(name_key(n) for n in lexicon().allow_names)


def _known_good_name(query: str) -> bool:
    names = _allow_name_keys()
    return name_key(query) in names or company_core(query) in names
