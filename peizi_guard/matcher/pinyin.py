"""Toneless pinyin of Chinese text, phrase-aware, from tables generated from pypinyin's dictionaries.

Loading pypinyin itself costs ~0.3 s per process; the generated tables load in a few
milliseconds: data/pinyin.txt (each character's most common reading, one line per syllable:
``syllable<TAB>characters``) and data/pinyin_phrases.txt (the 2–4 character phrases of
pypinyin's phrase dictionary that read otherwise, ``银行<TAB>yin hang``; longest match first).
`python -m peizi_guard.matcher.pinyin` regenerates both (needs pypinyin, a test dependency).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from functools import lru_cache
from typing import Any

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


_Table = Any  # a dict, or an _InPlace answering .get(key) from a table's text (None when absent)


@cached_below(64, 65536)  # a name's full spelling, its initials and its variants read it again
def _syllables(text: str) -> tuple[str, ...]:
    t, ph = _readings(), _phrases()
    if t.dict is not None and ph.dict is not None:  # both read whole (bulk work): plain look-ups
        return _read(text, t.dict, ph.dict, _phrase_starts())
    return _read(text, t, ph)


def _read(text: str, t: _Table, ph: _Table, starts: frozenset[str] | None = None) -> tuple[str, ...]:
    """Each character's syllable from `t`, a phrase's from `ph` (longest first); with `starts`,
    a phrase is looked for only at a character one starts with."""
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if starts is None or ch in starts:
            read, n = ph.get(text[i : i + 4]), 4
            if read is None:
                read, n = ph.get(text[i : i + 3]), 3
                if read is None:
                    read, n = ph.get(text[i : i + 2]), 2
            if read is not None:
                out += read
                i += n
                continue
        read = t.get(ch)
        out.append(read if read is not None else ch)
        i += 1
    return tuple(out)


@lru_cache(maxsize=1)
def _phrase_starts() -> frozenset[str]:
    return frozenset(p[0] for p in phrases() if p)


LOOK_UPS = 200  # look-ups answered from a table's text before it is read whole


class _InPlace:
    """table() or phrases() answered from the file's text, a search of 50 kB (microseconds),
    until LOOK_UPS look-ups, then from the whole dictionary: a cold check of a name needs a few
    readings, not the 12 ms of building both (tests/test_session30.py: the same answers)."""

    def __init__(self, text: str, find: Callable[[str, str], Any], whole: Callable[[], dict]):
        self.text, self.find, self.whole = "\n" + text, find, whole
        self.asked = 0
        self.dict: dict | None = None

    def read_whole(self) -> None:
        if self.dict is None:
            self.dict = self.whole()

    def get(self, key: str) -> Any:
        if self.dict is None:
            self.asked += 1
            if self.asked <= LOOK_UPS:
                return self.find(self.text, key)
            self.dict = self.whole()
        return self.dict.get(key)


def _reading_in(text: str, ch: str) -> str | None:
    """The syllable of the line of data/pinyin.txt that lists `ch` (each character on one line,
    after the tab; no character there is ASCII)."""
    if ch.isascii():
        return None
    at = text.find(ch)
    while at >= 0:
        start = text.rfind("\n", 0, at) + 1
        tab = text.find("\t", start, at)
        if tab >= 0 and not text.startswith("#", start):
            return text[start:tab]
        at = text.find(ch, at + 1)
    return None


def _phrase_in(text: str, phrase: str) -> list[str] | None:
    """The syllables of `phrase` in data/pinyin_phrases.txt (``phrase<TAB>syllables``), if listed."""
    if not phrase or "\n" in phrase or "\t" in phrase or phrase.startswith("#"):
        return None
    at = text.find("\n" + phrase + "\t")
    if at < 0:
        return None
    start = at + len(phrase) + 2
    end = text.find("\n", start)
    return text[start : end if end >= 0 else len(text)].split()


def read_whole() -> None:
    """Both tables read whole now (a process about to check many names, or to fork workers that will)."""
    _readings().read_whole()
    _phrases().read_whole()


@lru_cache(maxsize=1)
def _readings() -> _InPlace:
    return _InPlace(read_data(TABLE), _reading_in, table)


@lru_cache(maxsize=1)
def _phrases() -> _InPlace:
    return _InPlace(read_data(PHRASES), _phrase_in, phrases)


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
