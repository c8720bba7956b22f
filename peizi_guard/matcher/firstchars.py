"""The characters a regular expression's matches can start with, read from its parse tree.

A text that holds none of them cannot match anywhere, so the regex need not run on it: of the
lexicon's 26 text features most start with a few Chinese characters (按天配资, 警戒线 …), and a
page without any of those skips them. The answer is None (no shortcut) whenever it is not
certain: a pattern that can match the empty string, a leading `.`, `\\d`, `\\w`, a negated
class, a back-reference, case-insensitive matching.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

try:  # Python 3.11+ (the parser the re module itself uses)
    parser: Any = importlib.import_module("re._parser")
    C: Any = importlib.import_module("re._constants")
except ImportError:  # pragma: no cover -- Python 3.10
    parser = importlib.import_module("sre_parse")
    C = importlib.import_module("sre_constants")

MAX_RANGE = 30_000  # a class wider than this (e.g. all CJK) gives no shortcut worth its set

_REPEATS = {C.MAX_REPEAT, C.MIN_REPEAT} | ({C.POSSESSIVE_REPEAT} if hasattr(C, "POSSESSIVE_REPEAT") else set())
_ZERO_WIDTH = {C.AT, C.ASSERT, C.ASSERT_NOT}


class _Unknown(Exception):
    pass


def first_chars(pattern: str, flags: int = 0) -> frozenset[str] | None:
    """Every character a match of `pattern` can begin with, or None when that is not known."""
    if flags & re.IGNORECASE:
        return None
    try:
        chars, nullable = _sequence(list(parser.parse(pattern, flags)))
    except (_Unknown, re.error, RecursionError):
        return None
    return None if nullable else frozenset(chars)


def _sequence(items: list) -> tuple[set[str], bool]:
    """(first characters, can be empty) of items matched one after the other."""
    out: set[str] = set()
    for op, av in items:
        chars, nullable = _item(op, av)
        out |= chars
        if not nullable:
            return out, False
    return out, True


def _item(op, av) -> tuple[set[str], bool]:  # noqa: ANN001
    if op is C.LITERAL:
        return {chr(av)}, False
    if op is C.IN:
        return _class(av), False
    if op is C.BRANCH:
        out: set[str] = set()
        nullable = False
        for alt in av[1]:
            chars, empty = _sequence(list(alt))
            out |= chars
            nullable = nullable or empty
        return out, nullable
    if op is C.SUBPATTERN:
        _group, add_flags, _del_flags, sub = av
        if add_flags & re.IGNORECASE:
            raise _Unknown
        return _sequence(list(sub))
    if op in _REPEATS:
        low, _high, sub = av
        chars, nullable = _sequence(list(sub))
        return chars, nullable or low == 0
    if op is getattr(C, "ATOMIC_GROUP", None):
        return _sequence(list(av))
    if op in _ZERO_WIDTH:  # anchors and look-arounds consume nothing: what follows starts the match
        return set(), True
    raise _Unknown  # ANY, NOT_LITERAL, CATEGORY outside a class, GROUPREF …


def _class(items) -> set[str]:  # noqa: ANN001
    out: set[str] = set()
    for op, av in items:
        if op is C.LITERAL:
            out.add(chr(av))
        elif op is C.RANGE and av[1] - av[0] <= MAX_RANGE:
            out.update(map(chr, range(av[0], av[1] + 1)))
        else:  # NEGATE, CATEGORY (\d, \w …), a huge range
            raise _Unknown
    return out


def required_words(pattern: str, flags: int = 0) -> frozenset[str] | None:
    """Words one of which every match of `pattern` holds (警戒线 for `(?:亏损)?警戒线`, 元起配 for
    `\\d+元起配`, one word for each alternative), or None when that is not certain: a text that
    holds none of them cannot match anywhere."""
    if flags & re.IGNORECASE:
        return None
    try:
        words = _required(list(parser.parse(pattern, flags)))
    except (re.error, RecursionError):
        return None
    return frozenset(words) if words and "" not in words else None


def _required(items: list) -> set[str] | None:
    """Of items matched one after the other: the run of plain characters or the part every match
    has whose words are longest (the rarer in a text: 日息|月息 rather than the % after them);
    None when no such words are known."""
    runs, run, parts = [], "", []
    for op, av in items:
        if op is C.LITERAL:
            run += chr(av)
            continue
        runs.append(run)
        run = ""
        words = _required_part(op, av)
        if words:
            parts.append(words)
    runs.append(run)
    choices = [{r} for r in runs if r] + parts
    if not choices:
        return None
    return max(choices, key=lambda words: (min(map(len, words)), -len(words)))


def _required_part(op, av) -> set[str] | None:  # noqa: ANN001
    if op is C.BRANCH:
        out: set[str] = set()
        for alt in av[1]:
            words = _required(list(alt))
            if not words:
                return None  # an alternative with no known word: the part promises nothing
            out |= words
        return out
    if op is C.SUBPATTERN:
        _group, add_flags, _del_flags, sub = av
        return None if add_flags & re.IGNORECASE else _required(list(sub))
    if op in _REPEATS:
        low, _high, sub = av
        return _required(list(sub)) if low >= 1 else None
    if op is getattr(C, "ATOMIC_GROUP", None):
        return _required(list(av))
    return None  # classes, ANY, anchors and look-arounds: no word
