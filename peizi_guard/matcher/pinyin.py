"""Toneless pinyin of Chinese text, phrase-aware, from tables generated from pypinyin's dictionaries.

Loading pypinyin itself costs ~0.3 s per process; the generated tables load in a few
milliseconds: data/pinyin.txt (each character's most common reading, one line per syllable:
``syllable<TAB>characters``) and data/pinyin_phrases.txt (the 2–4 character phrases of
pypinyin's phrase dictionary that read otherwise, ``银行<TAB>yin hang``; longest match first).
`python -m peizi_guard.matcher.pinyin` regenerates both (needs pypinyin, a test dependency).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from .. import read_data
from ..normalise import cached_below

TABLE = "data/pinyin.txt"
PHRASES = "data/pinyin_phrases.txt"


@lru_cache(maxsize=1)
def table() -> dict[str, str]:
    out: dict[str, str] = {}
    text = read_data(TABLE)
    for line in text.splitlines():
        if line and not line.startswith("#"):
            syl, chars = line.split("\t", 1)
            for ch in chars:
                out[ch] = syl
    return out


@lru_cache(maxsize=1)
def phrases() -> dict[str, list[str]]:
    text = read_data(PHRASES)
    return {
        p: syl.split()
        for p, syl in (line.split("\t", 1) for line in text.splitlines() if line and not line.startswith("#"))
    }


def syllables(text: str) -> list[str]:
    """One syllable per Chinese character: its reading in a known phrase (银行 → yin hang), else its
    most common reading; other characters pass as-is."""
    return list(_syllables(text))


@cached_below(64, 65536)  # a name's full spelling, its initials and its variants read it again
def _syllables(text: str) -> tuple[str, ...]:
    t, ph = table(), phrases()
    out: list[str] = []
    i = 0
    while i < len(text):
        for n in (4, 3, 2):
            if text[i : i + n] in ph:
                out += ph[text[i : i + n]]
                i += n
                break
        else:
            out.append(t.get(text[i], text[i]))
            i += 1
    return tuple(out)


def full(text: str) -> str:
    return "".join(_syllables(text))


def initials(text: str) -> str:
    return "".join(s[0] for s in _syllables(text) if s)


def toneless(reading: str) -> str:
    """lüè → lve (ü written v, as pinyin input methods do)."""
    decomposed = unicodedata.normalize("NFD", reading).replace("u\u0308", "v")
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def spellings(text: str) -> list[str]:
    """How a name's pinyin is written in domains: with v, and with u for ü (celue, celve)."""
    out = [full(text)]
    if "v" in out[0]:
        out.append(out[0].replace("v", "u"))
    return out


def generate() -> str:
    from pypinyin.pinyin_dict import pinyin_dict

    by_syl: dict[str, list[str]] = {}
    for code, readings in sorted(pinyin_dict.items()):
        syl = toneless(readings.split(",")[0])
        by_syl.setdefault(syl, []).append(chr(code))
    lines = ["# generated from pypinyin's pinyin_dict (MIT): most common reading, tone marks removed"]
    lines += [f"{s}\t{''.join(cs)}" for s, cs in sorted(by_syl.items())]
    return "\n".join(lines) + "\n"


def generate_phrases() -> str:
    """The phrases whose reading differs from their characters' most common readings."""
    from pypinyin.phrases_dict import phrases_dict

    t = table()
    lines = [
        "# generated from pypinyin's phrases_dict (MIT): 2-4 character phrases read otherwise than "
        "character by character"
    ]
    for phrase, readings in sorted(phrases_dict.items()):
        syl = [toneless(r[0]) for r in readings]
        if 2 <= len(phrase) <= 4 and len(syl) == len(phrase) and any(t.get(c) != s for c, s in zip(phrase, syl)):
            lines.append(f"{phrase}\t{' '.join(syl)}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    from importlib import resources

    root = resources.files("peizi_guard")
    with open(str(root.joinpath(TABLE)), "w", encoding="utf-8") as fh:
        fh.write(generate())
    table.cache_clear()
    with open(str(root.joinpath(PHRASES)), "w", encoding="utf-8") as fh:
        fh.write(generate_phrases())
    print(f"{TABLE}: {len(table())} characters; {PHRASES}: {len(phrases.__wrapped__())} phrases")
