"""Registrable domains from the Public Suffix List snapshot that tldextract ships (never fetched).

Both sections are used, ICANN and private: a listed site on netlify.app or github.io names that
site, not every site of the host. tldextract's own import costs ~0.18 s (it loads requests), so
a cold `check` reads its bundled snapshot directly; the rules follow the PSL algorithm
(wildcards, exceptions), and a test checks the answers against tldextract's public API
(`include_psl_private_domains=True`, no network). A process's first hosts are looked up by
searching the snapshot's lines; the rules are read whole after them (see `_searched`).
"""

from __future__ import annotations

import importlib.util
import re
from functools import lru_cache
from pathlib import Path


def _snapshot_path() -> Path:
    spec = importlib.util.find_spec("tldextract")  # finds the package without importing it
    assert spec is not None and spec.submodule_search_locations, "tldextract is a dependency"
    return Path(list(spec.submodule_search_locations)[0]) / ".tld_set_snapshot"


@lru_cache(maxsize=1)
def _rules() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    text = _snapshot_path().read_text("utf-8")
    normal, wild, exc = set(), set(), set()
    for line in text.splitlines():
        rule = line.strip().lower()
        if not rule or rule.startswith("//"):
            continue
        if not rule.isascii():
            rule = ".".join(x if x.isascii() else "xn--" + x.encode("punycode").decode() for x in rule.split("."))
        if rule.startswith("!"):
            exc.add(rule[1:])
        elif rule.startswith("*."):
            wild.add(rule[2:])
        else:
            normal.add(rule)
    return frozenset(normal), frozenset(wild), frozenset(exc)


@lru_cache(maxsize=1)
def _longest_rule() -> int:
    return max(r.count(".") + 1 for rules in _rules() for r in rules) + 1  # + the label a wildcard stands for


@lru_cache(maxsize=65536)
def public_suffix(host: str) -> str:
    found = _searched(host)
    return found if found is not None else _from_rules(host)


def _from_rules(host: str) -> str:
    normal, wild, exc = _rules()
    labels = host.split(".")
    for i in range(max(0, len(labels) - _longest_rule() - 1), len(labels)):  # linear in the host's length
        cand = ".".join(labels[i:])
        if cand in exc:
            return ".".join(labels[i + 1 :])
        if cand in normal:
            return cand
        if i + 1 < len(labels) and ".".join(labels[i + 1 :]) in wild:
            return cand
    return labels[-1]  # unknown TLD: the last label


def read_whole() -> None:
    """The rules read now (a process about to look up many hosts, or to fork workers that will)."""
    _rules()
    _longest_rule()


SEARCHED = 16  # hosts answered from the snapshot's bytes before its rules are read (bulk work)
# plain ASCII labels, at most eight (no rule has more than five; each label is searched for)
_PLAIN_HOST = re.compile(r"[a-z0-9_-]+(?:\.[a-z0-9_-]+){0,7}")
_NOT_BLANK = bytes(range(0x21, 0x7F)) + b"\n" + bytes(range(0x80, 0x100))  # all but spaces, tabs and controls


# what str.splitlines breaks lines at besides a line feed (CR, VT, FF, FS, GS, RS, NEL, LS, PS)
_OTHER_BREAKS = (
    b"\r",
    b"\x0b",
    b"\x0c",
    b"\x1c",
    b"\x1d",
    b"\x1e",
    "\x85".encode(),
    "\u2028".encode(),
    "\u2029".encode(),
)


def _as_read(data: bytes) -> bool:
    """Whether every rule line (not a // comment) that reads as an ASCII rule is written as it is
    read, stripped and in lower case, the lines broken at line feeds only: then a host's suffix is
    listed exactly when a line is it."""
    if any(b in data for b in _OTHER_BREAKS):  # (in a comment too: what follows it is a line)
        return False
    rules = [line for line in data.split(b"\n") if not line.startswith(b"//")]
    blob = b"\n".join(rules)
    if blob != blob.lower() or blob.translate(None, _NOT_BLANK):  # a capital; a space, tab or CR
        return False
    # a line in UTF-8 that reads as ASCII (a no-break space at its end, a Kelvin sign for k)
    return not any(line.decode("utf-8", "replace").strip().lower().isascii() for line in rules if not line.isascii())


class _Snapshot:
    """The snapshot's bytes, for the first hosts of a process: a cold check looks up a few
    suffixes, each a search of 300 kB (microseconds), not every rule read and encoded (30 ms)."""

    def __init__(self, data: bytes):
        self.data = b"\n" + data + b"\n"
        self.as_read = _as_read(data)
        self.asked = 0

    def listed(self, rule: str) -> bool:
        return b"\n" + rule.encode("ascii") + b"\n" in self.data


@lru_cache(maxsize=1)
def _snapshot() -> _Snapshot:
    return _Snapshot(_snapshot_path().read_bytes())


def _searched(host: str) -> str | None:
    """public_suffix(host) read from the snapshot's lines, for a host of plain ASCII labels (never
    one in punycode: the rules of other scripts are encoded when read) while the rules are not
    read yet and SEARCHED hosts are not reached; else None. The first rule found from the left
    is the answer whatever label it starts at, so every label is tried."""
    if _rules.cache_info().currsize or not searchable(host):
        return None
    snap = _snapshot()
    if not snap.as_read or snap.asked >= SEARCHED:
        return None
    snap.asked += 1
    return _search(snap, host)


def searchable(host: str) -> bool:
    """At most eight plain ASCII labels, none in punycode (the rules of other scripts are
    encoded when read): a longer host costs a search a label."""
    return _PLAIN_HOST.fullmatch(host) is not None and "xn--" not in host


def _search(snap: _Snapshot, host: str) -> str:
    labels = host.split(".")
    for i in range(len(labels)):
        cand = ".".join(labels[i:])
        if snap.listed("!" + cand):
            return ".".join(labels[i + 1 :])
        if snap.listed(cand):
            return cand
        if i + 1 < len(labels) and snap.listed("*." + ".".join(labels[i + 1 :])):
            return cand
    return labels[-1]


_NUMBERS = re.compile(r"[\d.]+")  # an IP address (no top-level domain is a number)


@lru_cache(maxsize=65536)  # a URL's host is split by each kind of evidence that reads it
def split_host(host: str) -> tuple[str, str, str]:
    """(subdomain, label, suffix) of a normalised host: m.ddpz666.com → ("m", "ddpz666", "com");
    an IP address is all suffix (its last numbers are no domain others share: 45.76.1.2 is not 99.88.1.2)."""
    if _NUMBERS.fullmatch(host):
        return "", "", host
    suffix = public_suffix(host)
    rest = host[: -len(suffix) - 1] if host != suffix else ""
    if not rest:
        return "", "", suffix
    sub, _, label = rest.rpartition(".")
    return sub, label, suffix


def registrable(host: str) -> str:
    _, label, suffix = split_host(host)
    return f"{label}.{suffix}" if label else host
