"""Metamorphic changes for robustness measurements: what a 配资 site, an evader or a reporter
does to an offer. Pure. The disclaimers put after offers are real sentences, listed with their
sources in corpus/perturbations.json; the warnings offers are quoted in are real corpus texts
(`is_quoting_report`)."""

from __future__ import annotations

from functools import lru_cache


def with_disclaimer(text: str, disclaimer: str) -> str:
    """The offer with a real risk footer after it, as every real 配资 page has."""
    return f"{text}\n{disclaimer}"


def spaced(text: str) -> str:
    """A space between every two characters (杜 德 配 资)."""
    return " ".join(text)


def zero_width(text: str) -> str:
    """A zero-width space between every two characters: invisible to a reader."""
    return "\u200b".join(text)


def full_width(text: str) -> str:
    """ASCII letters, digits and signs in their full-width forms (１：１０, ＶＸ)."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else "\u3000" if c == " " else c for c in text)


@lru_cache(maxsize=1)
def _s2t():
    import opencc

    return opencc.OpenCC("s2t")


def traditional(text: str) -> str:
    """Simplified → traditional characters (配资 → 配資)."""
    return _s2t().convert(text)


def excerpt(text: str, limit: int) -> str:
    """The text's beginning, at most `limit` characters, cut after a sentence end when there is one."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    ends = [cut.rfind(p) for p in "。！？!?；;\n"]
    end = max(ends)
    return cut[: end + 1] if end >= limit // 3 else cut


def quoted_in(warning: str, offer: str, limit: int | None = 120) -> str:
    """The offer (its first `limit` characters; None = all of it) put in the place of the first
    quotation (“…”) of a real warning, the way warnings quote the ads they warn against."""
    start = warning.index("“")
    end = warning.index("”", start)
    quote = offer if limit is None else excerpt(offer, limit)
    return warning[: start + 1] + quote + warning[end:]


def is_quoting_report(row: dict) -> bool:
    """A real not-offer about 配资 that quotes something: a warning, news report, judgement or
    explanation whose first quotation an offer can take the place of."""
    from .matcher.features import prepare

    t = row["text"]
    return (
        row["label"] == "not_offer"
        and row["kind"] in ("regulator_warning", "news", "education", "court_judgement")
        and len(t) <= 1500
        and "“" in t
        and "”" in t[t.index("“") :]
        and "配资" in prepare(t)
    )


def with_name(text: str, name: str) -> str:
    """A listed platform's name put before the offer, as its own ad would."""
    return f"{name}：{text}"


NOISE = {"spaces": spaced, "zero-width": zero_width, "full-width": full_width, "traditional": traditional}
