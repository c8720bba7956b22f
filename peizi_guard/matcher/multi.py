"""Many-key look-ups that stay fast at 100,000 entries: names inside a text (Aho-Corasick) and
names within one edit of a query (deletion neighbourhoods, as in SymSpell)."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator

import ahocorasick


class Mentions:
    """Finds listed keys inside a text in one pass, as a regular expression of the keys longest
    first would: scanning left to right, the longest key at the leftmost place, never overlapping."""

    def __init__(self, keys):  # noqa: ANN001
        self.automaton = ahocorasick.Automaton(ahocorasick.STORE_LENGTH)
        for k in keys:
            self.automaton.add_word(k)
        self.automaton.make_automaton()

    def keys(self) -> list[str]:
        return list(self.automaton.keys())

    def find(self, text: str) -> set[str]:
        return {text[end - n + 1 : end + 1] for end, n in self.automaton.iter_long(text)}


def _deletions(key: str) -> set[str]:
    return {key[:i] + key[i + 1 :] for i in range(len(key))}


class Near:
    """Keys within Levenshtein distance 1 of a query, from the keys and their one-character
    deletions: two strings are one edit apart exactly when one equals the other or one of its
    deletions, or their deletion sets share a string."""

    def __init__(self, keys: list[str]):
        self.keys = keys
        self.by: dict[str, list[int]] = defaultdict(list)
        for i, k in enumerate(keys):
            for d in {k} | _deletions(k):
                self.by[d].append(i)
        self.by = dict(self.by)

    def candidates(self, query: str) -> list[int]:
        """Indices of keys that may be within one edit (a superset; the caller measures)."""
        found: set[int] = set()
        for d in {query} | _deletions(query):
            found.update(self.by.get(d, ()))
        return sorted(found)


class Labels:
    """Short or generic listed names that count only standing alone (between punctuation, spaces
    or the text's ends); the expression is compiled on first use."""

    def __init__(self, keys: list[str]):
        self.keys = sorted(keys, key=len, reverse=True)
        self._rx: re.Pattern | None = None

    def finditer(self, text: str) -> Iterator[re.Match]:
        if self._rx is None:
            self._rx = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, self.keys)) + r")(?!\w)")
        return self._rx.finditer(text)
