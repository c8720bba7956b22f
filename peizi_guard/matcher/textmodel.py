"""The offer model at run time: a logistic regression trained offline (`python -m
peizi_guard.train`), read from data/text_model.json and evaluated in plain Python.

score = intercept + Σ weight·x over the text's n-grams and named-feature tokens (x = (1 + ln
count)·idf, the vector scaled to unit length); the probability is that score through the
calibration fitted on cross-validated scores (Platt scaling).
"""

from __future__ import annotations

import json
import math
import re
from collections import defaultdict
from itertools import accumulate
from operator import mul
from dataclasses import dataclass
from functools import lru_cache

from .. import read_data
from .features import NAMED, QUOTE, TextFeatures, extract, gram_finder, prepare
from .lexicon import lexicon

MODEL_FILE = "text_model.json"


@dataclass(frozen=True)
class Contribution:
    feature: str  # "ngram" or a named feature id
    text: str  # the phrase (n-gram, or what the named feature matched)
    weight: float  # its share of the score: positive pushes towards "offer"


@dataclass(frozen=True)
class Judgement:
    probability: float
    score: float
    contributions: tuple[Contribution, ...]
    window: tuple[int, int] = (0, 0)  # the part of the prepared text judged
    stance: tuple[str, ...] = ()  # warning / report cues found (feature ids)


@dataclass(frozen=True)
class TextModel:
    intercept: float
    calibration: tuple[float, float]
    threshold: float
    ngrams: dict  # n-gram or @feature token -> (idf, weight)
    meta: dict

    @classmethod
    def from_dict(cls, d: dict) -> "TextModel":
        return cls(
            float(d["intercept"]),
            tuple(d["calibration"]),
            float(d["threshold"]),
            {k: (v[0], v[1]) for k, v in d["ngrams"].items()},
            d.get("meta", {}),
        )

    def probability_of(self, score: float) -> float:
        a, b = self.calibration
        z = a * score + b
        return 1 / (1 + math.exp(-z)) if z > -700 else 0.0

    def judge_features(self, f: TextFeatures, explain: int = 0, text: str = "") -> Judgement:
        """Score `f`; with `explain`, the largest contributions as phrases of `text` (the
        prepared text the features came from) and named features."""
        vocab, log = self.ngrams, math.log
        keys = [g for g in f.ngrams if g in vocab]
        idf_w = list(map(vocab.__getitem__, keys))
        # x = (1 + ln count)·idf: one for the many n-grams seen once, so no logarithm there
        xs = [iw[0] if n == 1 else (1 + log(n)) * iw[0] for iw, n in zip(idf_w, map(f.ngrams.__getitem__, keys))]
        ws = [iw[1] for iw in idf_w]
        norm = math.sqrt(sum(map(mul, xs, xs))) or 1.0
        score = self.intercept + sum(map(mul, ws, xs)) / norm
        named: list[Contribution] = []
        grams: list[tuple[str, float]] = []  # (n-gram, its contribution)
        if explain:
            for g, x, w in zip(keys, xs, ws):
                c = w * x / norm
                if not c:
                    continue
                if g.startswith(NAMED):
                    fid = g[len(NAMED) :]
                    named.append(Contribution(fid, "、".join(dict.fromkeys(f.hits.get(fid, []))) or fid, c))
                else:
                    grams.append((g, c))
        stance = tuple(p.id for p in lexicon().text_features if p.side == "stance" and p.id in f.named)
        read = f.text if f.text is not None else text  # without the footers the model never read
        top = _top(named, grams, explain, read, vocab, f.found) if explain else ()
        return Judgement(self.probability_of(score), score, top, stance=stance)


def _top(
    named: list[Contribution],
    grams: list[tuple[str, float]],
    k: int,
    text: str,
    vocab: dict | None = None,
    places: list | None = None,
) -> tuple[Contribution, ...]:
    """The k largest contributions by size: named features as they are, n-grams gathered into
    the phrases of the text they come from (overlapping 1:1, 1:10, :10杠 … read as "1:10杠杆").
    A phrase that is exactly what a named feature found (当天到账) is counted with that feature:
    the same words never show up both for and against an offer."""
    named, phrases = list(named), []
    found = {hit: i for i in reversed(range(len(named))) for hit in named[i].text.split("、")}
    for p in _phrases(text, grams, vocab, places):
        i = found.get(p.text)
        if i is None:
            phrases.append(p)
        else:
            named[i] = Contribution(named[i].feature, named[i].text, named[i].weight + p.weight)
    ranked = sorted(named + phrases, key=lambda c: (-round(abs(c.weight), 9), c.text))  # ties by text
    return tuple(ranked[:k])


def _phrases(
    text: str, grams: list[tuple[str, float]], vocab: dict | None = None, places: list | None = None
) -> list[Contribution]:
    """Spread each n-gram's contribution over the characters it covers (its first 20 separate
    occurrences), then cut the text into clauses at punctuation (a clause over CLAUSE characters
    into runs pushing the same way); a phrase's weight is what its characters carry. `vocab`
    (the model's n-grams) lets one automaton pass find every occurrence; `places`, that pass's
    (end, n-gram) over the unquoted n-grams when extract made it already."""
    n = len(text)
    diff = [0.0] * (n + 1)  # a contribution added over a span: at its start, taken off after it
    # one automaton pass over the text costs about its length; finding each n-gram (at most 20
    # times) costs about their number: a repetitive page has few n-grams, a real one many
    ends = _ends(text, vocab, places) if len(grams) > n // 8 else None
    for g, weight in grams:
        g = g.removeprefix(QUOTE)
        size = len(g)
        if not size:
            continue
        found = ends.get(g) if ends is not None else None
        if found is not None and len(found) == 1:  # the common case, inline
            share = weight / size
            diff[found[0] - size + 1] += share
            diff[found[0] + 1] -= share
            continue
        spots = _spots(text, g, ends)
        if spots:
            share = weight / (len(spots) * size)
            for at in spots:
                diff[at] += share
                diff[at + size] -= share
    # the running sum is the push on each character; no residue where nothing pushes
    push = [x if x > 1e-12 or x < -1e-12 else 0.0 for x in accumulate(diff[:n])]
    breaks = {m.start() for m in _BREAK.finditer(text)}
    breaks.update(i for m in _MAYBE_BREAK.finditer(text) if _breaks(text, i := m.start()))
    for m in _ADDRESS.finditer(text):  # an address is judged as one, not read as words
        breaks.update(range(m.start(), m.end()))
    out: list[Contribution] = []
    start = 0
    for end in sorted({*breaks, n}):  # clauses, between punctuation
        if end - start <= CLAUSE:
            _phrase(out, text, push, start, end)
        else:  # a long run of words: cut where the push changes sign
            for i in [j for j in range(start + 1, end) if (push[j] > 0) != (push[j - 1] > 0)] + [end]:
                _phrase(out, text, push, start, i)
                start = i
        start = end + 1
    return out


CLAUSE = 20  # a clause up to this long is one phrase, however its parts push


SHOWN = 40  # a phrase longer than this (a page of words with no punctuation) is shown cut, with …


def _phrase(out: list[Contribution], text: str, push: list[float], start: int, end: int) -> None:
    words = text[start:end]
    weight = sum(push[start:end])
    if abs(weight) > 1e-6 and _TWO_ALNUM.search(words):
        out.append(Contribution("ngram", words if len(words) <= SHOWN else words[:SHOWN] + "…", weight))


def _ends(text: str, vocab: dict | None, places: list | None = None) -> dict[str, list[int]] | None:
    """Where every n-gram of `vocab` ends in `text`, from one automaton pass (None without one);
    `places`: that pass made already (no quoted n-grams in the text, so none is looked up)."""
    if places is None:
        finder = gram_finder(vocab) if vocab is not None else None
        if finder is None:
            return None
        places = finder.iter(text)
    ends = defaultdict(list)
    for end, g in places:
        ends[g].append(end)
    return ends


def _spots(text: str, g: str, ends: dict[str, list[int]] | None) -> list[int]:
    """The starts of the first 20 occurrences of `g` that do not overlap, as str.find from the
    end of the one before finds them."""
    if ends is None:
        spots: list[int] = []
        at = text.find(g)
        while at >= 0 and len(spots) < 20:
            spots.append(at)
            at = text.find(g, at + len(g))
        return spots
    found = ends.get(g)
    if not found:
        return []
    size = len(g)
    if len(found) == 1:
        return [found[0] - size + 1]
    spots, after = [], 0
    for end in found:
        if end - size + 1 >= after:
            spots.append(end - size + 1)
            after = end + 1
            if len(spots) == 20:
                break
    return spots


# an address in text without its spaces (prepared): scheme, host, and an ASCII path that stops
# at the first character an address does not have (a comma, a colon, Chinese)
_ADDRESS = re.compile(
    r"(?:https?://)?(?:[a-z0-9-]+\.)+(?:com|cn|net|org|top|vip|xyz|cc|info|io|me|co|hk|tw|biz|club|site|online|shop"
    r"|wang|ltd|pro|app|tv)(?![a-z])(?:/[a-z0-9/?=&._%#~+-]*)?"
)
# sre's \w is str.isalnum() or "_", so [^\W_] is str.isalnum()
_BREAK = re.compile(r"[^\w%+:.\-]|_")  # punctuation that always ends a phrase
_MAYBE_BREAK = re.compile(r"[:.\-]")  # … and that does unless inside 1:10, 0.5, T-1
_TWO_ALNUM = re.compile(r"[^\W_][\s\S]*?[^\W_]")


def _breaks(text: str, i: int) -> bool:
    """Punctuation ends a phrase, but not inside 1:10, 0.5, 5%, T+0."""
    ch = text[i]
    if ch.isalnum() or ch in "%+":
        return False
    if ch in ":.-":
        return not (0 < i < len(text) - 1 and text[i - 1].isalnum() and text[i + 1].isdigit())
    return True


def judge(
    model: TextModel,
    text: str,
    *,
    window: int = 2000,
    stride: int = 1500,
    max_chars: int | None = None,
    explain: int = 8,
    prepared: bool = False,
) -> Judgement:
    """Judge `text` (already `prepare`d when `prepared`), its first `max_chars` only when given;
    a long one in overlapping windows, the window most like an offer deciding."""
    t = text if prepared else prepare(text)
    t = t[:max_chars] if max_chars else t
    if len(t) <= window:
        return model.judge_features(extract(t, prepared=True, keep=model.ngrams), explain, t)
    best: tuple[float, int, TextFeatures] | None = None
    for start in range(0, max(1, len(t) - window + stride), stride):
        f = extract(t[start : start + window], prepared=True, keep=model.ngrams)
        score = model.judge_features(f).score
        if best is None or score > best[0]:
            best = (score, start, f)
    assert best is not None
    _, start, f = best
    part = t[start : start + window]
    j = model.judge_features(f, explain, part)  # explained once, for the window that decides
    return Judgement(j.probability, j.score, j.contributions, (start, min(len(t), start + window)), j.stance)


@lru_cache(maxsize=1)
def default_model() -> TextModel:
    raw = read_data("data/" + MODEL_FILE)
    return TextModel.from_dict(json.loads(raw))
