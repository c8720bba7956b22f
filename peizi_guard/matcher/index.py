"""The search index: built once per process from entry records, then read-only and pure."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from . import pinyin
from .lexicon import lexicon
from .multi import Labels, Mentions, Near
from ..normalise import _name_variants, company_core, fold, is_generic, name_key, split_url, strip_generic
from .settings import DEFAULT, Settings
from .suffix import registrable, split_host

if TYPE_CHECKING:  # the text model is loaded when a text is first judged
    from .textmodel import TextModel

NAME_FIELDS = ("name", "app", "wechat", "weibo", "miniprogram")


class NearLike(Protocol):
    def candidates(self, query: str) -> list[int]: ...


class MentionsLike(Protocol):
    def find(self, text: str) -> list[str]: ...


class LabelsLike(Protocol):
    def find(self, text: str, after: tuple[str, ...] = (), before: tuple[str, ...] = ()) -> list[str]: ...


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
    name_cores: dict[str, list[Ref]] = field(default_factory=lambda: defaultdict(list))  # names without trade words
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
    company_mentions: MentionsLike | None = None  # listed companies inside a text (never hiding a name)
    entries: int = 0
    settings: Settings = DEFAULT
    model: TextModel | None = None  # None = the shipped one (textmodel.default_model)
    lists_key: str | None = None  # which lists a saved index was written for (its file's key)


_DIGITS = re.compile(r"[\d-]+")
_SPACES = re.compile(r"\s+")


def letters(label: str) -> str:
    """A domain label without its digits and hyphens: pz-388 → pz (mirrors, stems, 配资 spellings)."""
    return _DIGITS.sub("", label)


REF_MAPS = ("names", "companies", "company_cores", "spelled", "hosts", "domains", "name_cores")  # key → [Ref]
PAIR_MAPS = ("sounds", "paths", "labels", "stems")  # key → [(str, Ref)]
FUZZY = "fuzzy"  # a name key compared by edit distance (fuzzy_keys, in order of first posting)
MENTION, LABEL = "mention", "label"  # a listed name as found in a text: inside it, or standing alone
COMPANY = "company"  # a listed company's name as found inside a text (甲方：…有限公司), apart from names

Posting = tuple[str, str, int, str]  # (table, key, ref's position in the entry's refs, string of a pair)


def postings(e: dict, settings: Settings = DEFAULT) -> tuple[list[Ref], list[Posting]]:
    """What one entry record adds to the index: its refs, and each key a ref is filed under
    (and the words its names are found by in a text: MENTION, LABEL). Pure; `build` collects
    them in memory, `db/indexfile.write` streams them into a file."""
    lx = lexicon()
    src, seq, entry = e.get("source", ""), e["seq"], e["name"]
    lst: str = e["list"] if e.get("list") in ("user", "former") else "official"
    refs: list[Ref] = []
    out: list[Posting] = []
    if lst == "former":  # found as written only: its names, companies and addresses
        return _former_postings(e, src, seq, entry)
    named: set[tuple[str, str, str]] = set()  # an entry lists a name once under a key (a repeated alias)
    mention_min, fuzzy_min, sound_min, near_max = (
        settings.text_mention_min_length,
        settings.fuzzy_min_length,
        settings.homophone_min_length,
        settings.near_max_length,
    )

    values = [("name", v) for v in [e["name"], *e["aliases"]]] + [(a["kind"], a["value"]) for a in e["apps"]]
    for kind, value in values:
        refs.append(Ref(src, seq, entry, kind, value, lst))
        r = len(refs) - 1
        variants = _name_variants(value)
        key = variants[0] if variants else ""
        for k in (key, name_key(value)) if key else (name_key(value),):
            if (k, kind, value) not in named:
                named.add((k, kind, value))
                out.append(("names", k, r, ""))
                if kind == "name":
                    out += [(MENTION, w, r, "") for w in _mention_words(k, value, mention_min)]
                    if _is_label(k, mention_min):
                        out.append((LABEL, k, r, ""))
        core = strip_generic(key) if kind == "name" else key
        if core != key and len(core) >= 2 and not core.isascii():  # 鑫恒盈配资: 鑫恒盈
            out.append(("name_cores", core, r, ""))
        if kind == "name" and key.endswith(lx.company_suffixes):  # a company listed by name (the SAC's)
            company = company_core(value)
            if len(company) >= 2 and company != key:
                out.append(("company_cores", company, r, ""))
        if len(key) > near_max:  # matched as written only
            continue
        if kind in ("name", "app", "wechat") and len(key) >= fuzzy_min:
            out.append((FUZZY, key, r, ""))
        if len(key) >= sound_min and not key.isascii():
            out.append(("sounds", pinyin.full(key), r, key))
            if kind == "name" and not is_generic(key) and key not in lx.ambiguous_names:  # tonghuashun.com
                for spelling in pinyin.spellings(key):
                    out.append(("spelled", spelling, r, ""))
                if len(key) >= 3:
                    out.append(("spelled", pinyin.initials(key), r, ""))
    for c in e["companies"]:
        for value in [c["name"], *c["former_names"]]:
            refs.append(Ref(src, seq, entry, "company", value, lst))
            r = len(refs) - 1
            out.append(("companies", name_key(value), r, ""))
            out += [(COMPANY, w, r, "") for w in _mention_words(name_key(value), value, mention_min)]
            core = company_core(value)
            if len(core) >= 2:
                out.append(("company_cores", core, r, ""))
            if len(core) >= sound_min and not core.isascii():
                out.append(("sounds", pinyin.full(core), r, core))
    for url in e["urls"]:
        host, path = split_url(url)
        if not host:
            continue
        refs.append(Ref(src, seq, entry, "url", url, lst))
        r = len(refs) - 1
        out.append(_host_posting(host, path, r))
        if is_shared(host):
            continue  # (filed by its page or subdomain only)
        sub, label, suffix = split_host(host)
        domain = f"{label}.{suffix}" if label else host  # its registrable domain
        if label:
            out.append(("domains", domain, r, ""))
            out.append(("labels", label, r, domain))
            stem = letters(label)
            if stem != label and len(stem) >= 2:
                out.append(("stems", stem, r, domain))
    return refs, out


def _former_postings(e: dict, src: str, seq: int, entry: str) -> tuple[list[Ref], list[Posting]]:
    """An entry a list dropped (store.iter_former_records): its names, aliases and accounts, its
    companies and its hosts, each looked up as written (no look-alikes, nor mentions in texts)."""
    refs: list[Ref] = []
    out: list[Posting] = []
    values = [("name", v) for v in [e["name"], *e["aliases"]]] + [(a["kind"], a["value"]) for a in e["apps"]]
    values += [("company", v) for c in e["companies"] for v in [c["name"], *c["former_names"]]]
    for kind, value in values:
        refs.append(Ref(src, seq, entry, kind, value, "former"))
        table = "companies" if kind == "company" else "names"
        out += [
            (table, k, len(refs) - 1, "") for k in dict.fromkeys([*_name_variants(value)[:1], name_key(value)]) if k
        ]
    for url in e["urls"]:
        host, path = split_url(url)
        if host:
            refs.append(Ref(src, seq, entry, "url", url, "former"))
            out.append(_host_posting(host, path, len(refs) - 1))
    return refs, out


def _host_posting(host: str, path: str, r: int) -> Posting:
    """Where a listed address is filed: its host; on a shared host only the listed page, or the
    listed user subdomain (x.blog.sohu.com)."""
    if is_shared(host) and (path or host in lexicon().shared_hosts or host == registrable(host)):
        return ("paths", host, r, path)
    return ("hosts", host, r, "")


def build(entries: Iterable[dict], settings: Settings = DEFAULT, model=None) -> Index:  # noqa: ANN001
    """Index entry records (dicts as stored: source, seq, name, aliases, urls, domains, apps, companies).
    `settings` and `model` replace the shipped numbers and text model (tests, experiments)."""
    ix = Index(settings=settings, model=model)
    fuzzy: dict[str, list[Ref]] = defaultdict(list)
    mentions: set[str] = set()
    companies: set[str] = set()
    labels: dict[str, None] = {}  # in order of first listing
    for e in entries:
        ix.entries += 1
        refs, posted = postings(e, settings)
        for table, key, r, pair in posted:
            if table == FUZZY:
                fuzzy[key].append(refs[r])
            elif table == MENTION:
                mentions.add(key)
            elif table == COMPANY:
                companies.add(key)
            elif table == LABEL:
                labels[key] = None
            elif table in PAIR_MAPS:
                getattr(ix, table)[key].append((pair, refs[r]))
            else:
                getattr(ix, table)[key].append(refs[r])
    ix.fuzzy_keys = list(fuzzy)
    ix.fuzzy_refs = [fuzzy[k] for k in ix.fuzzy_keys]
    ix.near = Near(ix.fuzzy_keys)
    ix.mentions = Mentions(sorted(mentions)) if mentions else None
    ix.labels_in_text = Labels(list(labels)) if labels else None
    ix.company_mentions = Mentions(sorted(companies)) if companies else None
    return ix


def _mention_words(key: str, value: str, min_len: int) -> list[str]:
    """What to find inside running text for a listed name `value` filed under `key`: long keys,
    not Latin, not trade words alone; and the name with its own punctuation kept (大发T+0配资),
    so a text's punctuation never joins two words into a name."""
    if len(key) < min_len or key.isascii() or is_generic(key):
        return []
    w = _SPACES.sub("", fold(value))
    return [key, w] if len(w) > len(key) and name_key(w) == key else [key]


def _is_label(key: str, min_len: int) -> bool:
    """A listed name too short or too generic to look for inside running text (红盘, 乐配资): it
    counts only as a label of its own, between punctuation, spaces or the text's ends."""
    return len(key) >= 2 and not key.isascii() and (len(key) < min_len or is_generic(key)) and bool(strip_generic(key))


def is_shared(host: str) -> bool:
    """A host where only a listed path identifies an offender: blog and social platforms, and any
    host of an allow-listed company (a listed page on eastmoney.com does not list eastmoney.com)."""
    lx = lexicon()
    reg = registrable(host)
    return host in lx.shared_hosts or reg in lx.shared_hosts or reg in lx.allow_domains
