"""Parsers for the kinds of cell the official lists print: names, URLs, accounts, companies."""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..normalise import FORMER_NAME, STATUS_NOTE, host_of
from ..model import App, Company

_NONE = {"", "—", "－", "-", "–", "——", "无", "/"}

# Account labels as printed → identifier kind. Longest first, so 微信公众号 wins over 微信.
_LABELS = [
    ("微信公众号", "wechat"),
    ("公众号", "wechat"),
    ("微信小程序", "miniprogram"),
    ("小程序", "miniprogram"),
    ("微信号", "wechat"),
    ("微信", "wechat"),
    ("微博账号", "weibo"),
    ("微博", "weibo"),
    ("手机APP", "app"),
    ("APP", "app"),
    ("app", "app"),
]
_LABEL_RE = re.compile(
    r"^\s*((?:%s)(?:\s*[、,，]\s*(?:%s))*)\s*[:：]\s*" % (("|".join(label for label, _ in _LABELS),) * 2), re.I
)
_ID_IN_BRACKETS = re.compile(r"[（(]\s*([A-Za-z0-9_\-]{4,})\s*[)）]")
_SPLIT = re.compile(r"\s*[/、]\s*")


def is_none(text: str) -> bool:
    return text.strip() in _NONE


def distinct(parts: Iterable[str]) -> list[str]:
    """Values stripped, without blanks, dashes or repeats, in order."""
    out: list[str] = []
    for part in parts:
        part = part.strip()
        if part not in _NONE and part not in out:  # (stripped already: is_none, inline)
            out.append(part)
    return out


def split_names(lines: list[str]) -> list[str]:
    """Every name in a name cell: lines and `/` both separate aliases."""
    return distinct(part for line in lines for part in re.split(r"\s*/\s*", line))


def parse_urls(lines: list[str]) -> tuple[list[str], list[str]]:
    """(URLs as printed, their normalised hosts)."""
    urls = [u.strip() for line in lines for u in line.split() if not is_none(u)]
    hosts: list[str] = []
    for u in urls:
        h = host_of(u)
        if h and h not in hosts:
            hosts.append(h)
    return urls, hosts


def _kind_of(label: str) -> str:
    for text, kind in _LABELS:
        if label.lower() == text.lower():
            return kind
    return "app"


def parse_accounts(lines: list[str]) -> tuple[list[App], list[str]]:
    """Labelled account fields (手机APP:…, 微信公众号：…(id), 微信号：…) → (accounts, unlabelled notes)."""
    apps: list[App] = []
    notes: list[str] = []
    labels: list[str] = []
    pending = False  # a label printed with its value on the next line
    for line in lines:
        line = line.strip()
        if is_none(line):
            continue
        m = _LABEL_RE.match(line)
        if m:
            labels = [x.strip() for x in re.split(r"[、,，]", m.group(1))]
            value = line[m.end() :]
        elif labels and (pending or _ID_IN_BRACKETS.fullmatch(line)):
            value = line
        else:
            notes.append(line)
            continue
        pending = not value.strip()
        if pending:
            continue
        for label in labels:
            _add_values(apps, label, value)
    return apps, notes


def _add_values(apps: list[App], label: str, value: str) -> None:
    kind = _kind_of(label)
    ids = _ID_IN_BRACKETS.findall(value)
    bare = _ID_IN_BRACKETS.sub("", value).strip()
    for v in _SPLIT.split(bare) if bare else []:
        if v and not is_none(v):
            apps.append(App(kind=kind, value=v, label=label))
    for i in ids:
        apps.append(App(kind=kind, value=i, label="微信号" if kind == "wechat" else label))


def parse_companies(lines: list[str]) -> list[Company]:
    """Companies in a cell: split on `/`, with former names (曾用名) and status notes (已注销)."""
    text = "".join(s.strip() for s in lines)
    if is_none(text):
        return []
    former = FORMER_NAME.findall(text)
    status = STATUS_NOTE.findall(text)
    text = STATUS_NOTE.sub("", FORMER_NAME.sub("", text))
    out = []
    for part in _split_top(text):
        if not is_none(part):
            out.append(Company(name=part))
    if out:
        out[0].former_names = former
        out[0].status = status[0] if status else ""
    return out


def _split_top(text: str) -> list[str]:
    """Split on `/` outside brackets."""
    parts, depth, cur = [], 0, ""
    for ch in text:
        depth += ch in "(（"
        depth -= ch in ")）" and depth > 0
        if ch == "/" and depth == 0:
            parts.append(cur.strip())
            cur = ""
        else:
            cur += ch
    parts.append(cur.strip())
    return [p for p in parts if p]
