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
from itertools import accumulate
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .features import NAMED, QUOTE, TextFeatures, extract, prepare
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
        xs = []  # (n-gram, x, weight)
        for g, n in f.ngrams.items():
            iw = vocab.get(g)
            if iw is not None:
                xs.append((g, iw[0] if n == 1 else (1 + log(n)) * iw[0], iw[1]))
        norm = math.sqrt(sum(x * x for _, x, _ in xs)) or 1.0
        score = self.intercept + sum(w * x for _, x, w in xs) / norm
        parts: list[Contribution] = []
        if explain:
            for g, x, w in xs:
                c = w * x / norm
                if not c:
                    continue
                if g.startswith(NAMED):
                    fid = g[len(NAMED) :]
                    parts.append(Contribution(fid, "、".join(f.hits.get(fid, [])) or fid, c))
                else:
                    parts.append(Contribution("ngram", g, c))
        stance = tuple(p.id for p in lexicon().text_features if p.side == "stance" and p.id in f.named)
        top = _top(parts, explain, text) if explain else ()
        return Judgement(self.probability_of(score), score, top, stance=stance)


def _top(parts: list[Contribution], k: int, text: str) -> tuple[Contribution, ...]:
    """The k largest contributions by size: named features as they are, n-grams gathered into
    the phrases of the text they come from (overlapping 1:1, 1:10, :10杠 … read as "1:10杠杆")."""
    named = [c for c in parts if c.feature != "ngram"]
    phrases = _phrases(text, [c for c in parts if c.feature == "ngram"])
    ranked = sorted(named + phrases, key=lambda c: (-round(abs(c.weight), 9), c.text))  # ties by text
    return tuple(ranked[:k])


def _phrases(text: str, grams: list[Contribution]) -> list[Contribution]:
    """Spread each n-gram's contribution over the characters it covers (its first 20 separate
    occurrences), then cut the text into runs pushing the same way; a run is a phrase whose
    weight is what its characters carry."""
    n = len(text)
    diff = [0.0] * (n + 1)  # a contribution added over a span: at its start, taken off after it
    for c in grams:
        g = c.text.removeprefix(QUOTE)
        if not g:
            continue
        spots: list[int] = []
        at = text.find(g)
        while at >= 0 and len(spots) < 20:
            spots.append(at)
            at = text.find(g, at + len(g))
        if spots:
            share = c.weight / (len(spots) * len(g))
            for at in spots:
                diff[at] += share
                diff[at + len(g)] -= share
    # the running sum is the push on each character; no residue where nothing pushes
    push = [x if x > 1e-12 or x < -1e-12 else 0.0 for x in accumulate(diff[:n])]
    out, start = [], 0
    breaks = {m.start(): _breaks(text, m.start()) for m in _NOT_ALNUM.finditer(text)}  # only these can break
    positive = [x > 0 for x in push]
    # a phrase ends at a break or where the push changes sign: only those places are visited
    changes = [i for i, (a, b) in enumerate(zip(positive, positive[1:]), 1) if a != b]
    for i in sorted({n, *changes, *(i for i, b in breaks.items() if b)}):
        brk = i == n or breaks.get(i, False)
        if brk or (i > start and positive[i] != positive[start]):
            words = text[start:i]
            weight = sum(push[start:i])
            if abs(weight) > 1e-6 and sum(ch.isalnum() for ch in words) >= 2:
                out.append(Contribution("ngram", words, weight))
            start = i + 1 if brk else i
    return out


_NOT_ALNUM = re.compile(r"[^\w]|_")  # sre's \w is str.isalnum() or "_"


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
    max_chars: int = 200_000,
    explain: int = 8,
    prepared: bool = False,
) -> Judgement:
    """Judge `text` (already `prepare`d when `prepared`); a long one in overlapping windows, the
    window most like an offer deciding."""
    t = (text if prepared else prepare(text))[:max_chars]
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
    raw = resources.files("peizi_guard").joinpath("data").joinpath(MODEL_FILE).read_text("utf-8")
    return TextModel.from_dict(json.loads(raw))
