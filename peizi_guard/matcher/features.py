"""What the offer model sees in a text. Pure: the same code serves training and inference.

- Character n-grams (1–4) of the normalised text: entities decoded, invisible characters
  dropped, NFKC, traditional→simplified, lower case, whitespace removed, runs of five or
  more digits (phone and QQ numbers) read as one `#`. Words inside quotation marks ("“…”")
  are n-grams of their own kind (prefix `"`): a warning that quotes a slogan does not say it.
- Named features from the lexicon's `text_features` (leverage figures, fees per day, calls
  to action, speed claims; warning, court, reported-speech and footer vocabulary …), the
  same offer vocabulary found inside quotation marks (`quoted:<id>`), and the text's length.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from .lexicon import lexicon
from .normalise import clean_text

NGRAM_MIN, NGRAM_MAX = 1, 4
QUOTE = '"'  # prefix of n-grams read inside quotation marks
_SPACE = re.compile(r"\s+")
_LONG_DIGITS = re.compile(r"\d{5,}")
_QUOTED = re.compile(r"“[^“”]{1,300}”|「[^「」]{1,300}」|『[^『』]{1,300}』|‘[^‘’]{1,300}’|\"[^\"]{1,300}\"")
_LENGTHS = ((50, "len:<50"), (200, "len:<200"), (1000, "len:<1000"), (10 ** 12, "len:1000+"))


@dataclass
class TextFeatures:
    ngrams: Counter = field(default_factory=Counter)  # n-gram -> count
    named: dict[str, float] = field(default_factory=dict)  # feature id -> value
    hits: dict[str, list[str]] = field(default_factory=dict)  # feature id -> phrases that fired


def prepare(text: str) -> str:
    """The normalised text every feature is read from."""
    return _SPACE.sub("", clean_text(text))


def ngrams_of(text: str, out: Counter, prefix: str = "") -> None:
    text = _LONG_DIGITS.sub("#", text)
    n = len(text)
    for size in range(NGRAM_MIN, NGRAM_MAX + 1):
        for i in range(n - size + 1):
            out[prefix + text[i:i + size]] += 1


def split_quoted(text: str) -> tuple[str, list[str]]:
    """(text outside quotation marks, the quoted passages)."""
    quoted = [m.group(0)[1:-1] for m in _QUOTED.finditer(text)]
    return (_QUOTED.sub("|", text) if quoted else text), quoted


def extract(text: str, prepared: bool = False) -> TextFeatures:
    t = text if prepared else prepare(text)
    f = TextFeatures()
    outside, quoted = split_quoted(t)
    ngrams_of(outside, f.ngrams)
    for q in quoted:
        ngrams_of(q, f.ngrams, QUOTE)
    lx = lexicon()
    for p in lx.text_features:
        found = _find(p, outside)
        if found:
            f.named[p.id] = 1.0
            f.hits[p.id] = found
        if p.side == "offer" and quoted:
            inside = [x for q in quoted for x in _find(p, q)]
            if inside:
                f.named["quoted:" + p.id] = 1.0
                f.hits["quoted:" + p.id] = inside
    f.named[next(name for limit, name in _LENGTHS if len(t) < limit)] = 1.0
    return f


def _find(p, text: str, limit: int = 3) -> list[str]:  # noqa: ANN001
    """Up to `limit` matches; a stance cue right after a negation (不是非法) does not count."""
    out = []
    negated = lexicon().negations
    for m in p.regex.finditer(text):
        phrase = m.group(0)
        if not phrase or (p.side == "stance" and negated.search(text[max(0, m.start() - 4):m.start()])):
            continue
        out.append(phrase)
        if len(out) >= limit:
            break
    return out
