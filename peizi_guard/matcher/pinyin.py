"""Toneless pinyin of Chinese characters, from a table generated from pypinyin's dictionary.

Loading pypinyin itself costs ~0.2 s per process; the generated table (data/pinyin.txt, one line
per syllable: ``syllable<TAB>characters``) loads in a few milliseconds.
`python -m peizi_guard.matcher.pinyin` regenerates it (needs pypinyin, a test dependency).
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache
from importlib import resources

TABLE = "data/pinyin.txt"


@lru_cache(maxsize=1)
def table() -> dict[str, str]:
    out: dict[str, str] = {}
    text = resources.files("peizi_guard").joinpath(TABLE).read_text("utf-8")
    for line in text.splitlines():
        if line and not line.startswith("#"):
            syl, chars = line.split("\t", 1)
            for ch in chars:
                out[ch] = syl
    return out


def syllables(text: str) -> list[str]:
    """One syllable per Chinese character (its most common reading); other characters pass as-is."""
    t = table()
    return [t.get(ch, ch) for ch in text]


def full(text: str) -> str:
    return "".join(syllables(text))


def initials(text: str) -> str:
    return "".join(s[0] for s in syllables(text) if s)


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


if __name__ == "__main__":
    path = resources.files("peizi_guard").joinpath(TABLE)
    with open(str(path), "w", encoding="utf-8") as fh:
        fh.write(generate())
    print(f"{TABLE}: {len(table.__wrapped__())} characters")
