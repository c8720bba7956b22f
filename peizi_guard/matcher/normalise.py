"""The one normalisation module: names, hosts and URLs, used by parsers and matchers alike."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from urllib.parse import urlsplit

_T2S = None


def _t2s(text: str) -> str:
    global _T2S
    if _T2S is None:
        import opencc  # opencc-python-reimplemented: pure Python, bundled dictionaries

        _T2S = opencc.OpenCC("t2s")
    return _T2S.convert(text)


def fold(text: str) -> str:
    """Width, case and script folding: NFKC, traditional→simplified, lower case."""
    text = unicodedata.normalize("NFKC", text or "")
    if any(ord(ch) > 0x2E7F for ch in text):
        text = _t2s(text)
    return text.lower()


_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)


def name_key(text: str) -> str:
    """A name with width, case, script, spaces and punctuation folded away."""
    return _PUNCT.sub("", fold(text))


# ---- hosts and URLs -------------------------------------------------------

_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.I)
_DOTS = str.maketrans({"。": ".", "．": ".", "｡": ".", "，": "."})


def split_url(value: str) -> tuple[str, str]:
    """(host, path) of a URL or bare domain as printed, or ("", "") when there is no host.

    The host is lower case, ASCII (IDNA), without port, user info, trailing or doubled dots
    and without a leading ``www.``; the path keeps its query but drops the fragment.
    """
    text = unicodedata.normalize("NFKC", (value or "").strip()).translate(_DOTS)
    text = re.sub(r"\s+", "", text)
    if not text:
        return "", ""
    if not _SCHEME.match(text):
        text = "http://" + text.lstrip("/")
    try:
        parts = urlsplit(text)
        netloc = parts.netloc
    except ValueError:
        return "", ""
    host = netloc.rsplit("@", 1)[-1]
    if host.startswith("["):
        return "", ""  # IPv6 literals never name a listed platform
    host = host.split(":", 1)[0]
    host = clean_host(host)
    if not host:
        return "", ""
    path = parts.path or ""
    if parts.query:
        path += "?" + parts.query
    if path == "/":
        path = ""
    return host, path


@lru_cache(maxsize=65536)
def clean_host(host: str) -> str:
    host = re.sub(r"\.{2,}", ".", host.strip(".").lower())
    if not host or not re.fullmatch(r"[^\s/\\?#@:]+", host):
        return ""
    try:
        if not host.isascii():
            host = host.encode("idna").decode("ascii")
        elif "xn--" in host:
            host.encode("ascii").decode("idna")  # validate punycode
    except (UnicodeError, ValueError):
        return ""
    if host.startswith("www.") and host.count(".") >= 2:
        host = host[4:]
    if "." not in host or not re.fullmatch(r"[a-z0-9.-]+", host):
        return ""
    return host


def host_of(value: str) -> str:
    return split_url(value)[0]


def looks_like_url(text: str) -> bool:
    """True when a query is a URL or a bare domain rather than a name."""
    t = unicodedata.normalize("NFKC", text.strip()).translate(_DOTS)
    if _SCHEME.match(t) or t.lower().startswith("www."):
        return True
    host = t.split("/", 1)[0].split("?", 1)[0].split(":", 1)[0]
    labels = host.split(".")
    if len(labels) < 2 or not all(labels[-1:]):
        return False
    tld = labels[-1]
    return bool(re.fullmatch(r"[a-z]{2,24}|xn--[a-z0-9-]+", tld.lower())) and all(
        re.fullmatch(r"[\w-]+", lab) for lab in labels if lab
    )
