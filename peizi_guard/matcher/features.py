"""What the offer model sees in a text. Pure: the same code serves training and inference.

- Character n-grams (1–4) of the normalised text: entities decoded, invisible characters
  dropped, NFKC, traditional→simplified, lower case, whitespace removed, runs of five or
  more digits (phone and QQ numbers) read as one `#`. Words inside quotation marks ("“…”")
  are n-grams of their own kind (prefix `"`): a warning that quotes a slogan does not say it.
- Boilerplate (the standard risk footer every page carries: 股市有风险，投资需谨慎, 风险提示,
  版权所有 …) is not read at all, only noted (`hits["footer"]`): every real 配资 page has one,
  so it can never count against an offer, nor dilute the offer's own words.
- Named features from the lexicon's `text_features` (leverage figures, fees per day, calls
  to action, speed claims; warning, court and reported-speech vocabulary …) and the
  same offer vocabulary found inside quotation marks (`quoted:<id>`). They enter the model as
  tokens of their own (`@leverage`) beside the n-grams, weighted and scaled the same way:
  binary features outside that vector got large weights and overfit (grouped CV: F1 0.77
  against 0.88 at the same false-alarm rate).
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Callable

import ahocorasick

from .lexicon import lexicon
from ..normalise import clean_text

NGRAM_MAX = 4  # n-grams of 1 to 4 characters
QUOTE = '"'  # prefix of n-grams read inside quotation marks
NAMED = "@"  # prefix of named-feature tokens
_SPACE = re.compile(r"\s+")
_LONG_DIGITS = re.compile(r"\d{5,}")
_QUOTED = re.compile(r"“[^“”]{1,300}”|「[^「」]{1,300}」|『[^『』]{1,300}』|‘[^‘’]{1,300}’|\"[^\"]{1,300}\"")


@dataclass
class TextFeatures:
    ngrams: Counter = field(default_factory=Counter)  # n-gram (or @feature token) -> count
    named: dict[str, float] = field(default_factory=dict)  # named feature id -> 1.0 when it fired
    hits: dict[str, list[str]] = field(default_factory=dict)  # feature id -> phrases that fired
    text: str | None = None  # the text read, footers cut out (evidence phrases come from it)
    found: list | None = None  # (end, n-gram) of the vocabulary in `text`, when read from it as is


def prepare(text: str, cleaned: bool = False) -> str:
    """The normalised text every feature is read from (from `clean_text` output when `cleaned`)."""
    return _SPACE.sub("", text if cleaned else clean_text(text))


def ngrams_of(text: str, out: Counter, prefix: str = "", keep=None) -> None:  # noqa: ANN001
    """Count the text's n-grams into `out` (only those in `keep`, when given: a model's vocabulary)."""
    text = _LONG_DIGITS.sub("#", text)
    if keep is not None:  # one Aho-Corasick pass finds just the vocabulary's n-grams
        finder = count_finder(keep) if not prefix else vocabulary_finder(keep, prefix)
        if finder is not None:
            out.update(map(_SECOND, finder.iter(text)))
        return
    grams, level = list(text), list(text)  # 1-grams; each longer size extends the one before, in C
    for size in range(2, NGRAM_MAX + 1):
        level = list(map(str.__add__, level[:-1], text[size - 1 :]))
        grams += level
    if prefix:
        grams = [prefix + g for g in grams]
    out.update(grams if keep is None else filter(keep.__contains__, grams))  # counted in C


_SECOND = itemgetter(1)
_FINDERS: dict[tuple[int, str], tuple[object, object]] = {}
_BUILDING = threading.Lock()


def vocabulary_finder(keep, prefix: str):  # noqa: ANN001, ANN201
    """An automaton finding in a text the n-grams that count, with `prefix`, under a key of
    `keep` (a model's vocabulary), each found as that key; None when there are none."""
    return _finder(keep, prefix, lambda: [(k[len(prefix) :], k) for k in keep if k.startswith(prefix)])


def count_finder(keep):  # noqa: ANN001, ANN201
    """An automaton finding in a text the n-grams that are keys of `keep`, each as itself."""
    return _finder(keep, "=", lambda: [(g, g) for g in keep])


def gram_finder(keep):  # noqa: ANN001, ANN201
    """An automaton finding every n-gram of `keep` as itself, and every quoted one without its
    quotation prefix too (phrases: where a quoted n-gram's words stand in the text)."""

    def words() -> list[tuple[str, str]]:
        grams = set(keep)  # NAMED keys too: "@老师" is also an n-gram of "@老师v"
        return [(g, g) for g in grams | {k.removeprefix(QUOTE) for k in grams}]

    return _finder(keep, "*", words)


def _finder(keep, kind: str, words: Callable[[], list[tuple[str, str]]]):  # noqa: ANN001, ANN202
    cached = _FINDERS.get((id(keep), kind))
    if cached is not None and cached[0] is keep:  # the entry holds `keep`: its id is not reused
        return cached[1]
    with _BUILDING:  # built once, though a scan's threads all want it at the start
        cached = _FINDERS.get((id(keep), kind))
        if cached is not None and cached[0] is keep:
            return cached[1]
        found = ahocorasick.Automaton()
        for gram, key in words():
            if 0 < len(gram) <= NGRAM_MAX:
                found.add_word(gram, key)
        finder = None
        if len(found):
            found.make_automaton()
            finder = found
        if len(_FINDERS) >= 12:  # cross-validation makes a vocabulary per fold (three finders each)
            _FINDERS.pop(next(iter(_FINDERS)))
        _FINDERS[(id(keep), kind)] = (keep, finder)
        return finder


def split_quoted(text: str) -> tuple[str, list[str]]:
    """(text outside quotation marks, the quoted passages)."""
    quoted = [m.group(0)[1:-1] for m in _QUOTED.finditer(text)]
    return (_QUOTED.sub("|", text) if quoted else text), quoted


def extract(text: str, prepared: bool = False, keep=None) -> TextFeatures:  # noqa: ANN001
    """The features of `text`; with `keep` (a model's vocabulary) only the n-grams it knows."""
    t = text if prepared else prepare(text)
    f = TextFeatures()
    lx = lexicon()
    chars = set(t)  # a feature none of whose first characters is here is not searched for
    for p in lx.text_features:
        if p.boilerplate and p.may_match(chars):
            found = p.regex.findall(t)
            if found:
                f.hits[p.id] = found[:3]
                t = _SEPARATORS.sub("|", _boilerplate(p).sub("|", t)).strip("|")
                chars = set(t)
    f.text = t
    outside, quoted = split_quoted(t)
    finder = count_finder(keep) if keep is not None and not quoted and QUOTE not in t else None
    if finder is not None and _LONG_DIGITS.search(t) is None:  # the n-grams of `text` itself: their
        f.found = list(finder.iter(t))  # places serve the evidence phrases too (textmodel._phrases)
        f.ngrams.update(map(_SECOND, f.found))
    else:
        ngrams_of(outside, f.ngrams, keep=keep)
    for q in quoted:
        ngrams_of(q, f.ngrams, QUOTE, keep)
    chars = set(outside)
    inner = "|".join(quoted)
    inner_chars = set(inner)
    cued = cued_features(outside)
    cued_inside = cued_features(inner) if quoted else set()
    for p in lx.text_features:
        if p.boilerplate:
            continue
        found = _find(p, outside) if p.id in cued and p.may_match(chars) else []
        if found:
            f.named[p.id] = 1.0
            f.hits[p.id] = found
        if p.side == "offer" and p.id in cued_inside and p.may_match(inner_chars):
            inside = _find(p, inner)
            if inside:
                f.named["quoted:" + p.id] = 1.0
                f.hits["quoted:" + p.id] = inside
    for fid in f.named:
        f.ngrams[NAMED + fid] = 1
    return f


_CUES: list = []  # [(the lexicon's features, automaton of their words, ids of features with no words)]


def cued_features(text: str) -> set[str]:
    """The ids of the text features that may match `text`: those one of whose required words
    (firstchars.required_words) it holds, found in one automaton pass, and any feature whose
    words are not known. A feature not among them cannot match: its regex need not run."""
    features = lexicon().text_features
    if not _CUES or _CUES[0][0] is not features:
        _CUES[:] = [_cue_finder(features)]
    _, finder, always = _CUES[0]
    return set(always).union(*map(_SECOND, finder.iter(text)))


def _cue_finder(features) -> tuple:  # noqa: ANN001
    from .firstchars import required_words

    words: dict[str, set[str]] = {}
    always = set()
    for p in features:
        need = None if p.boilerplate else required_words(p.source, p.flags)
        if need is None:
            always.add(p.id)
        for w in need or ():
            words.setdefault(w, set()).add(p.id)
    finder = ahocorasick.Automaton()
    for w, ids in words.items():
        finder.add_word(w, tuple(ids))
    if not words:  # an automaton of no words cannot be searched
        finder.add_word("\0", ())
    finder.make_automaton()
    return features, finder, frozenset(always)


_BOILERPLATE: dict[str, re.Pattern] = {}
_SEPARATORS = re.compile(r"\|{2,}")


def _boilerplate(p) -> re.Pattern:  # noqa: ANN001
    """The phrase with the punctuation after it: a footer line becomes one separator, and one at
    either end of the text vanishes, leaving the rest exactly as it was."""
    if p.id not in _BOILERPLATE:
        _BOILERPLATE[p.id] = re.compile(r"(?:" + p.regex.pattern + r")[\W_]*", re.I)
    return _BOILERPLATE[p.id]


def _find(p, text: str, limit: int = 3) -> list[str]:  # noqa: ANN001
    """Up to `limit` matches; a stance cue right after a negation (不是非法) does not count."""
    out = []
    negated = lexicon().negations
    for m in p.regex.finditer(text):
        phrase = m.group(0)
        if not phrase or (p.side == "stance" and negated.search(text[max(0, m.start() - 4) : m.start()])):
            continue
        out.append(phrase)
        if len(out) >= limit:
            break
    return out
