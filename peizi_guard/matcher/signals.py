"""Ad-text signals and the counter-signals that mark a warning. Pure: text in, evidence out."""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from .lexicon import Pattern, lexicon
from .normalise import fold


@dataclass(frozen=True)
class Signal:
    signal: str  # the lexicon id, e.g. leverage
    text: str  # what matched
    weight: float
    counter: bool = False  # True for a warning / enforcement cue
    note: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


def find(patterns: tuple[Pattern, ...], text: str, counter: bool = False, limit: int = 3) -> list[Signal]:
    """Matches of each pattern; a warning cue that is negated (不是非法) is no warning."""
    out = []
    negated = lexicon().negations
    for p in patterns:
        found = 0
        for m in p.regex.finditer(text):
            if not m.group(0).strip() or (counter and negated.search(text[max(0, m.start() - 4):m.start()])):
                continue
            out.append(Signal(p.id, m.group(0).strip(), p.weight, counter, p.zh))
            found += 1
            if found >= limit:
                break
    return out


def text_signals(text: str) -> list[Signal]:
    folded = fold(text)
    lx = lexicon()
    return find(lx.signals, folded) + find(lx.counter_signals, folded, counter=True)


def name_signals(text: str) -> list[Signal]:
    return find(lexicon().name_signals, fold(text), limit=1)



def domain_signals(label: str) -> list[Signal]:
    """A registrable label that spells 配资 (…peizi…, ddpz666-style pz + digits)."""
    letters = re.sub(r"[\d-]+", "", label)
    for stem in lexicon().domain_stems:
        long_stem = len(stem) >= 4 and stem in letters
        short_stem = len(stem) < 4 and letters != label and 0 < len(letters) <= 4 and (
            letters.startswith(stem) or letters.endswith(stem))
        if long_stem or short_stem:
            return [Signal("peizi-domain", label, 0.6, note="域名拼写“配资”")]
    return []


def combined(signals: list[Signal]) -> float:
    """Noisy-or over the strongest signal of each kind."""
    best: dict[str, float] = {}
    for s in signals:
        best[s.signal] = max(best.get(s.signal, 0.0), s.weight)
    p = 1.0
    for w in best.values():
        p *= 1 - w
    return 1 - p


def is_warning(signals: list[Signal]) -> bool:
    """Text that warns against 配资 (investor education, enforcement news, court reports)."""
    kinds = {s.signal for s in signals if s.counter}
    return len(kinds) >= lexicon().thresholds["warning_counter_min"]
