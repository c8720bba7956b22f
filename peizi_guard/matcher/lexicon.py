"""The matcher's language: lexicon.json (decorations, name and text features, shared hosts) and the
allow-lists. Numbers live in settings.py and data/text_model.json."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache

from .. import read_data


@dataclass(frozen=True)
class Pattern:
    id: str
    source: str  # the regular expression
    zh: str
    en: str
    side: str = "offer"  # offer | stance | context (text features only)
    boilerplate: bool = False  # its phrases are read as the feature only, never as words
    flags: int = re.I

    @cached_property
    def starts(self) -> frozenset[str] | None:
        """The characters its matches can begin with (None: not known): a text with none of
        them is not searched."""
        from .firstchars import first_chars

        return first_chars(self.source, self.flags)

    def may_match(self, chars: set[str]) -> bool:
        """False only when a text made of `chars` cannot hold a match."""
        return self.starts is None or not self.starts.isdisjoint(chars)

    @cached_property
    def regex(self) -> re.Pattern:
        """Compiled on first use: a name check needs none of the text features (~25 ms)."""
        return re.compile(self.source, self.flags)


def _read(name: str) -> str:
    return read_data("data/" + name)


def _patterns(items: list[dict], flags: int = re.I) -> tuple[Pattern, ...]:
    return tuple(
        Pattern(i["id"], i["pattern"], i["zh"], i["en"], i.get("side", "offer"), bool(i.get("boilerplate")), flags)
        for i in items
    )


@dataclass(frozen=True)
class Lexicon:
    decorations: tuple[str, ...]
    separators: re.Pattern
    generic_words: tuple[str, ...]
    company_suffixes: tuple[str, ...]
    company_words: tuple[str, ...]
    regions: tuple[str, ...]
    name_signals: tuple[Pattern, ...]
    domain_stems: tuple[str, ...]
    text_features: tuple[Pattern, ...]
    negations: re.Pattern
    query_questions: tuple[str, ...]
    query_topics: frozenset[str]  # words asked with a platform's name: 鸿满仓网, 鸿满仓提现
    address_labels: re.Pattern
    account_labels: re.Pattern  # 微信号：, 公众号: … before an account id
    ambiguous_names: frozenset[str]
    name_before: tuple[str, ...]  # words that end just before a name in a sentence (用过鸿满仓吗)
    name_after: tuple[str, ...]  # … and that start just after one
    label_before: tuple[str, ...]  # a site's own name follows these (欢迎访问益配资官网)
    complaint_cues: tuple[str, ...]  # a victim's complaint (提现不到账, 别上当): a report, not an offer
    shared_hosts: frozenset[str]
    cdn_domains: frozenset[str]  # CDNs name a customer's host after its domain (www.x.com.cdn.dnsv1.com)
    allow_domains: frozenset[str]
    allow_names: frozenset[str]


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    d = json.loads(_read("lexicon.json"))
    by_len = lambda words: tuple(sorted(words, key=len, reverse=True))  # noqa: E731
    return Lexicon(
        decorations=by_len(d["decorations"]),
        separators=re.compile(d["separators"]),
        generic_words=by_len(d["generic_words"]),
        company_suffixes=by_len(d["company_suffixes"]),
        company_words=by_len(d["company_words"]),
        regions=by_len(d["regions"]),
        name_signals=_patterns(d["name_signals"]),
        domain_stems=tuple(d["domain_stems"]),
        # read from folded text only (lower case already): without re.I the regex engine can
        # skip ahead on the first characters, several times faster on a page
        text_features=_patterns(d["text_features"], 0),
        negations=re.compile(f"(?:{d['negations']})$"),
        query_questions=by_len(d["query_questions"]),
        query_topics=frozenset(d["query_topics"]),
        address_labels=re.compile(d["address_labels"], re.I),
        account_labels=re.compile(d["account_labels"], re.I),
        ambiguous_names=frozenset(n.lower() for n in d["ambiguous_names"]),
        name_before=by_len(d["name_before"]),
        name_after=by_len(d["name_after"]),
        label_before=by_len(d["label_before"]),
        complaint_cues=tuple(d["complaint_cues"]),
        shared_hosts=frozenset(d["shared_hosts"]),
        cdn_domains=frozenset(d["cdn_domains"]),
        allow_domains=frozenset(
            _domains("allowlist/category-securities-cn.txt") | _domains("allowlist/known-good.txt")
        ),
        allow_names=frozenset(_lines("allowlist/known-good-names.txt")),
    )


def _domains(name: str) -> set[str]:
    out = set()
    for line in _read(name).splitlines():
        line = line.split("#", 1)[0].strip().lower()
        if line and not line.startswith(("regexp:", "keyword:")):
            out.add(line.split(":", 1)[-1] if line.startswith(("full:", "domain:")) else line)
    return out


def _lines(name: str) -> list[str]:
    return [x.split("#", 1)[0].strip() for x in _read(name).splitlines() if x.split("#", 1)[0].strip()]
