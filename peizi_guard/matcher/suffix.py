"""Registrable domains from the Public Suffix List snapshot that tldextract ships (never fetched).

Both sections are used, ICANN and private: a listed site on netlify.app or github.io names that
site, not every site of the host. tldextract's own import costs ~0.18 s (it loads requests), so
a cold `check` reads its bundled snapshot directly; the rules follow the PSL algorithm
(wildcards, exceptions), and a test checks the answers against tldextract's public API
(`include_psl_private_domains=True`, no network).
"""

from __future__ import annotations

import importlib.util
import re
from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=1)
def _rules() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    spec = importlib.util.find_spec("tldextract")  # finds the package without importing it
    assert spec is not None and spec.submodule_search_locations, "tldextract is a dependency"
    text = (Path(list(spec.submodule_search_locations)[0]) / ".tld_set_snapshot").read_text("utf-8")
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
