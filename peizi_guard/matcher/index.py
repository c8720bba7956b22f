"""The search index: built once per process from entry records, then read-only and pure."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from . import pinyin
from .lexicon import lexicon
from .multi import Labels, Mentions, Near
from ..normalise import company_core, fold, is_generic, name_key, name_variants, split_url, strip_generic
from .settings import DEFAULT, Settings
from .suffix import registrable, split_host

if TYPE_CHECKING:  # the text model is loaded when a text is first judged
    from .textmodel import TextModel

NAME_FIELDS = ("name", "app", "wechat", "weibo", "miniprogram")


class NearLike(Protocol):
    def candidates(self, query: str) -> list[int]: ...


class MentionsLike(Protocol):
    def find(self, text: str) -> set[str]: ...


class LabelsLike(Protocol):
    def find(self, text: str) -> list[str]: ...


@dataclass(frozen=True)
class Ref:
    """Where a listed value comes from: which list, which entry, which field, what value."""

    source: str
    seq: int
    entry: str  # the entry's name
    field: str  # name | company | domain | url | app | wechat | weibo | miniprogram
    value: str  # the listed value as printed
    list: str = "official"  # official | user (a list the user imported)


@dataclass
class Index:
    names: dict[str, list[Ref]] = field(default_factory=lambda: defaultdict(list))  # name-like keys
    companies: dict[str, list[Ref]] = field(default_factory=lambda: defaultdict(list))
    company_cores: dict[str, list[Ref]] = field(default_factory=lambda: defaultdict(list))
    sounds: dict[str, list[tuple[str, Ref]]] = field(default_factory=lambda: defaultdict(list))  # pinyin → keys
    spelled: dict[str, list[Ref]] = field(default_factory=lambda: defaultdict(list))  # name pinyin / initials
    hosts: dict[str, list[Ref]] = field(default_factory=lambda: defaultdict(list))
    domains: dict[str, list[Ref]] = field(default_factory=lambda: defaultdict(list))  # registrable domains
    paths: dict[str, list[tuple[str, Ref]]] = field(default_factory=lambda: defaultdict(list))  # shared hosts
    labels: dict[str, list[tuple[str, Ref]]] = field(default_factory=lambda: defaultdict(list))  # label → (domain, ref)
    stems: dict[str, list[tuple[str, Ref]]] = field(default_factory=lambda: defaultdict(list))  # letters of label
    # (a saved index supplies read-only stand-ins for the fields below: db/indexfile.py)
    fuzzy_keys: Sequence[str] = field(default_factory=list)
    fuzzy_refs: Sequence[list[Ref]] = field(default_factory=list)
    near: NearLike | None = None  # fuzzy_keys within one edit of a query
    mentions: MentionsLike | None = None  # listed names as they may appear inside a text
    labels_in_text: LabelsLike | None = None  # short or generic listed names, standing alone in an offer
    entries: int = 0
    settings: Settings = DEFAULT
    model: TextModel | None = None  # None = the shipped one (textmodel.default_model)


def _letters(label: str) -> str:
    return re.sub(r"[\d-]+", "", label)


def build(entries: list[dict], settings: Settings = DEFAULT, model=None) -> Index:  # noqa: ANN001
    """Index entry records (dicts as stored: source, seq, name, aliases, urls, domains, apps, companies).
    `settings` and `model` replace the shipped numbers and text model (tests, experiments)."""
    lx = lexicon()
    ix = Index(entries=len(entries), settings=settings, model=model)
    fuzzy: dict[str, list[Ref]] = defaultdict(list)
    for e in entries:
        src, seq, entry = e.get("source", ""), e["seq"], e["name"]
        lst = "user" if e.get("list") == "user" else "official"
        values = [("name", v) for v in [e["name"], *e["aliases"]]] + [(a["kind"], a["value"]) for a in e["apps"]]
        for kind, value in values:
            ref = Ref(src, seq, entry, kind, value, lst)
            variants = name_variants(value)
            for key in variants[:1] + [name_key(value)]:
                if ref not in ix.names[key]:
                    ix.names[key].append(ref)
            key = variants[0] if variants else ""
            if kind in ("name", "app", "wechat") and len(key) >= settings.fuzzy_min_length:
                fuzzy[key].append(ref)
            if len(key) >= settings.homophone_min_length and not key.isascii():
                ix.sounds[pinyin.full(key)].append((key, ref))
                if kind == "name" and not is_generic(key):
                    for spelling in pinyin.spellings(key):
                        ix.spelled[spelling].append(ref)
                    if len(key) >= 3:
                        ix.spelled[pinyin.initials(key)].append(ref)
        for c in e["companies"]:
            for value in [c["name"], *c["former_names"]]:
                ref = Ref(src, seq, entry, "company", value, lst)
                ix.companies[name_key(value)].append(ref)
                core = company_core(value)
                if len(core) >= 2:
                    ix.company_cores[core].append(ref)
                if len(core) >= settings.homophone_min_length and not core.isascii():
                    ix.sounds[pinyin.full(core)].append((core, ref))
        for url in e["urls"]:
            host, path = split_url(url)
            if not host:
                continue
            ref = Ref(src, seq, entry, "url", url, lst)
            if is_shared(host):  # only the listed page, or the listed user subdomain (x.blog.sohu.com)
                if path or host in lx.shared_hosts or host == registrable(host):
                    ix.paths[host].append((path, ref))
                else:
                    ix.hosts[host].append(ref)
                continue
            ix.hosts[host].append(ref)
            sub, label, suffix = split_host(host)
            if label:
                domain = f"{label}.{suffix}"
                ix.domains[domain].append(ref)
                ix.labels[label].append((domain, ref))
                stem = _letters(label)
                if stem != label and len(stem) >= 2:
                    ix.stems[stem].append((domain, ref))
    ix.fuzzy_keys = list(fuzzy)
    ix.fuzzy_refs = [fuzzy[k] for k in ix.fuzzy_keys]
    ix.near = Near(ix.fuzzy_keys)
    ix.mentions = _mention_pattern(ix, settings.text_mention_min_length)
    ix.labels_in_text = _label_pattern(ix, settings.text_mention_min_length)
    return ix


def is_shared(host: str) -> bool:
    """A host where only a listed path identifies an offender: blog and social platforms, and any
    host of an allow-listed company (a listed page on eastmoney.com does not list eastmoney.com)."""
    lx = lexicon()
    reg = registrable(host)
    return host in lx.shared_hosts or reg in lx.shared_hosts or reg in lx.allow_domains


def _mention_pattern(ix: Index, min_len: int) -> Mentions | None:
    """Listed names as written in a text (whitespace dropped): their keys, and the names with their
    own punctuation kept (大发T+0配资), so a text's punctuation never joins two words into a name."""
    keys: set[str] = set()
    for k, refs in ix.names.items():
        if len(k) >= min_len and not k.isascii() and not is_generic(k) and any(r.field == "name" for r in refs):
            keys.add(k)
            keys.update(
                w
                for r in refs
                if r.field == "name" and len(w := re.sub(r"\s+", "", fold(r.value))) > len(k) and name_key(w) == k
            )
    return Mentions(sorted(keys)) if keys else None


def _label_pattern(ix: Index, min_len: int) -> Labels | None:
    """Listed names too short or too generic to look for inside running text (红盘, 乐配资): they
    count only as a label of their own, between punctuation, spaces or the text's ends."""
    keys = [
        k
        for k, refs in ix.names.items()
        if len(k) >= 2
        and not k.isascii()
        and any(r.field == "name" for r in refs)
        and (len(k) < min_len or is_generic(k))
        and strip_generic(k)
    ]
    return Labels(keys) if keys else None
