"""The verdict rules, in one place.

Names and URLs
  listed      some match is on an official list exactly: a name, alias, company, account or id
              after normalisation; a listed host or a host inside a listed registrable domain; a
              listed path on a shared host.
  suspicious  otherwise the strongest evidence scores at least `settings.suspicious`: near-identical
              names, homophones, company cores, mirror or pinyin domains, a name that offers 配资.
  clear       otherwise.

Texts (ad copy, page text)
  listed      a listed name or address appears in a text that offers it, or that is no report
              about it. A risk footer changes nothing: the model does not read it at all
              (features.py); other stance words are features it weighs, never an override.
  suspicious  the model's probability of an offer reaches its threshold (chosen by grouped
              cross-validation), or a mirror / near spelling of a listed address appears in a
              text that is no report.
  clear       otherwise; a warning, news report or judgement that names a listed platform stays
              clear, with the mention noted as evidence.
  A report is a text the model does not read as an offer and that carries warning, enforcement,
  news, court or reported-speech cues, or a victim's complaint (提现不到账, 千万别上当: lexicon
  complaint_cues).
"""

from __future__ import annotations

from .settings import Settings

LISTED_METHODS = frozenset({"exact", "exact-part", "host", "domain", "path"})


def decide(match_scores: list[tuple[str, float]], signal_score: float, settings: Settings) -> tuple[str, float]:
    """(verdict, score) of a name or URL from (method, score) of every match and its own signals."""
    if any(method in LISTED_METHODS for method, _ in match_scores):
        return "listed", 1.0
    score = max([s for _, s in match_scores] + [signal_score, 0.0])
    return ("suspicious" if score >= settings.suspicious else "clear"), round(score, 3)


def decide_text(
    match_scores: list[tuple[str, float]], probability: float, threshold: float, report: bool, settings: Settings
) -> tuple[str, float]:
    """(verdict, score) of a text; the score is the model's probability unless a list decides."""
    offer = probability >= threshold
    listed = any(method in LISTED_METHODS for method, _ in match_scores)
    near = max([s for m, s in match_scores if m not in LISTED_METHODS] + [0.0])
    if listed and (offer or not report):
        return "listed", 1.0
    if offer:
        return "suspicious", round(probability, 3)
    if near >= settings.suspicious and not report:
        return "suspicious", round(near, 3)
    return "clear", round(probability, 3)
