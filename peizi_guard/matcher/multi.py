"""Many-key look-ups that stay fast at 100,000 entries: names inside a text (Aho-Corasick) and
names within one edit of a query (deletion neighbourhoods, as in SymSpell)."""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")


class _Once(Generic[T]):
    """A structure built on first use, once, by whichever thread asks first. An index built
    only to be saved (import, refresh) never builds its look-up structures in memory."""

    def __init__(self, make: Callable[[], T]):
        self.make, self.lock = make, threading.Lock()
        self.obj: T | None = None

    def get(self) -> T:
        if self.obj is None:
            with self.lock:
                if self.obj is None:
                    self.obj = self.make()
        return self.obj


def _automaton(keys):  # noqa: ANN001, ANN202
    import ahocorasick

    a = ahocorasick.Automaton(ahocorasick.STORE_LENGTH)
    for k in keys:
        a.add_word(k)
    a.make_automaton()
    return a


class Mentions:
    """Finds listed keys inside a text in one pass, as a regular expression of the keys longest
    first would: scanning left to right, the longest key at the leftmost place, never overlapping."""

    def __init__(self, keys):  # noqa: ANN001
        self.words = list(keys)
        self._automaton = _Once(lambda: _automaton(self.words))

    def keys(self) -> list[str]:
        return sorted(self.words)

    def find(self, text: str) -> list[str]:
        """The keys found, each once, in the order the text first names them."""
        return list(dict.fromkeys(text[end - n + 1 : end + 1] for end, n in self._automaton.get().iter_long(text)))


def _deletions(key: str) -> set[str]:
    return {key[:i] + key[i + 1 :] for i in range(len(key))}


class Near:
    """Keys within Levenshtein distance 1 of a query, from the keys and their one-character
    deletions: two strings are one edit apart exactly when one equals the other or one of its
    deletions, or their deletion sets share a string."""

    def __init__(self, keys: list[str]):
        self.keys = keys
        self._by = _Once(self._build)

    @property
    def by(self) -> dict[str, list[int]]:
        return self._by.get()

    def _build(self) -> dict[str, list[int]]:
        by: dict[str, list[int]] = defaultdict(list)
        for d, i in neighbourhoods(self.keys):
            by[d].append(i)
        return dict(by)

    def candidates(self, query: str) -> list[int]:
        """Indices of keys that may be within one edit (a superset; the caller measures)."""
        found: set[int] = set()
        by = self.by
        for d in {query} | _deletions(query):
            found.update(by.get(d, ()))
        return sorted(found)


def neighbourhoods(keys: list[str], start: int = 0) -> Iterator[tuple[str, int]]:
    """(key or one of its one-character deletions, the key's index), for every key; the first
    key's index is `start`."""
    for i, k in enumerate(keys, start):
        for d in {k} | _deletions(k):
            yield d, i


class Labels:
    """Short or generic listed names that count only standing alone (between punctuation, spaces
    or the text's ends): what ``(?<!\\w)(?:names, longest first)(?!\\w)`` finds, in one
    Aho-Corasick pass instead of a regular expression of every name."""

    def __init__(self, keys: list[str]):
        self.keys = sorted(keys, key=len, reverse=True)
        self._automaton = _Once(lambda: _automaton(self.keys))

    def find(self, text: str, after: tuple[str, ...] = (), before: tuple[str, ...] = ()) -> list[str]:
        """The names standing alone; a name followed by one of `after` stands too (益配资官网), and
        one after one of `before` (访问益配资)."""
        starts: dict[int, list[int]] = {}
        for end, n in self._automaton.get().iter(text):
            starts.setdefault(end - n + 1, []).append(n)
        out, pos = [], 0
        for s in sorted(starts):
            if s < pos or (s > 0 and word_char(text[s - 1]) and not text.endswith(before, 0, s)):
                continue
            for n in sorted(starts[s], reverse=True):
                if s + n == len(text) or not word_char(text[s + n]) or text.startswith(after, s + n):
                    out.append(text[s : s + n])
                    pos = s + n
                    break
        return out


def word_char(ch: str) -> bool:
    """What \\w matches in a regular expression."""
    return ch.isalnum() or ch == "_"
