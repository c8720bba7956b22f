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
