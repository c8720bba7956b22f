"""What a query asks about: a name, an address, or both ("网址：www.pz3789.com", "X网靠谱吗",
"ddpz666.com."). Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import unquote

from .lexicon import lexicon
from ..normalise import find_urls, fold, looks_like_url, name_key, split_url, undefang

_EDGE = re.compile(r"^[\s\W_]+|[\s\W_]+$")
_ASKING = re.compile(r"^(?:请问|问一下|问下|大家知道|有人知道|有谁知道|谁知道|求问)")


@dataclass(frozen=True)
class Query:
    kind: str  # name | url
    name: str = ""  # the name asked about, without question words ("" when none)
    urls: tuple[str, ...] = ()  # the addresses asked about
    notes: tuple[str, ...] = field(default_factory=tuple)


def strip_question(text: str) -> str:
    """ "X网靠谱吗" → "X网": question words at either end go."""
    words = lexicon().query_questions
    t = _ASKING.sub("", text.strip())
    changed = True
    while changed:
        changed = False
        t = t.rstrip()
        if not t.endswith(words):  # one look for all of them: most queries end in none
            break
        for w in words:
            if t.endswith(w) and len(name_key(t[: -len(w)])) >= 2:
                t, changed = t[: -len(w)], True
    return t.strip()


_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")  # terminal colour codes pasted with a name


def parse(query: str, kind: str | None = None) -> Query:
    q = _ANSI.sub("", query).strip() if "\x1b" in query else query.strip()
    notes: list[str] = []
    if kind == "url":
        if split_url(q)[0]:
            return Query("url", urls=(q, *inner_urls(q)))
        kind = None  # asked to read an address where there is none: never a silent "clear"
        notes.append("不是网址，按名称核查 not an address (as asked): judged as a name")
    if kind != "name" and looks_like_url(q) and (split_url(q)[0] or not find_urls(undefang(fold(q)), bare_ips=True)):
        inner = inner_urls(q)  # (an address with more after it, www.x.com,杜德配资: its parts, below)
        if inner:
            notes.append("address inside the link: " + ", ".join(inner))
        return Query("url", urls=(q, *inner), notes=tuple(notes))
    label = lexicon().account_labels.match(q)
    if label and q[label.end() :].strip():  # 微信号：gh_d3cc254439bb is the id
        q = q[label.end() :].strip()
        notes.append(f"judged as the account “{q}” (label dropped)")
    if kind == "name" and looks_like_url(q):
        notes.append(
            "按要求作为名称核查；它像网址，不加 --as 即按网址核查 judged as a name, as asked; it looks like an address"
        )
    name = strip_question(q)
    if name != q:
        notes.append(f"judged as the name “{name}” (question words dropped)")
    urls: list[str] = []
    if kind != "name":
        folded = undefang(fold(name))
        found = find_urls(folded, bare_ips=True)
        if found:
            urls = [u for _, _, u in found]
            rest = folded
            for start, end, _ in reversed(found):
                rest = rest[:start] + " " + rest[end:]
            rest = _EDGE.sub("", lexicon().address_labels.sub(" ", rest))
            name = rest if len(name_key(rest)) >= 2 else ""
            notes.append("address found in the query: " + ", ".join(urls))
    if urls and not name:
        return Query("url", "", tuple(urls), tuple(notes))
    if kind != "name" and reads_as_text(q):
        notes.append(
            "这像一段文字，不像名称：文字请用 --text 判断 (this reads as text, not a name: judge text with --text)"
        )
    return Query("name", name or q, tuple(urls), tuple(notes))


LONG_NAME = 40  # longer than any listed name: a sentence or a page, pasted


def reads_as_text(q: str) -> bool:
    """A pasted ad rather than a name or address: longer than any listed name, several lines,
    or sentences (check and the web page judge such a query as text)."""
    q = q.strip()
    text = len(q) > LONG_NAME or "\n" in q or (len(q) > 15 and any(p in q for p in "，。！？；,!?"))
    if not text or (not any(c.isspace() for c in q) and looks_like_url(q)):  # a long link is an address
        return False
    return not all(looks_like_url(p) for p in _LIST.split(q) if p)  # addresses in a row: 45.76.1.2,1.2.3.4


_LIST = re.compile(r"\s*[,，;；、]\s*")


def inner_urls(url: str) -> list[str]:
    """Addresses carried inside a link's query (google.com/url?q=…, baidu.com/link?url=…,
    a redirector's ?target=…): where the link takes a visitor."""
    if "?" not in url:
        return []
    out = []
    for part in url.split("?", 1)[1].split("#", 1)[0].split("&"):
        value = unquote(part.partition("=")[2]).strip()
        if value and value != url and looks_like_url(value) and value not in out:
            out.append(value)
    return out
