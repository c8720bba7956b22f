"""The verdict rules, in one place.

listed      some match is on an official list exactly: a name, alias, company, account or id after
            normalisation; a listed host or a host inside a listed registrable domain; a listed
            path on a shared host. In text: a listed name or address mentioned, unless the text
            reads as a warning.
suspicious  otherwise, the strongest evidence scores at least the `suspicious` threshold:
            near-identical names, homophones, company cores, mirror or pinyin domains, or
            solicitation signals combined by noisy-or.
clear       otherwise.
"""
from __future__ import annotations

from .lexicon import lexicon

LISTED_METHODS = frozenset({"exact", "exact-part", "host", "domain", "path"})


def decide(match_scores: list[tuple[str, float]], signal_score: float, warning: bool = False) -> tuple[str, float]:
    """(verdict, score) from (method, score) of every match and the combined signal score."""
    th = lexicon().thresholds
    if warning:
        return "clear", round(min(signal_score, th["suspicious"] - 0.01) * 0.5, 3)
    if any(method in LISTED_METHODS for method, _ in match_scores):
        return "listed", 1.0
    score = max([s for _, s in match_scores] + [signal_score, 0.0])
    return ("suspicious" if score >= th["suspicious"] else "clear"), round(score, 3)
