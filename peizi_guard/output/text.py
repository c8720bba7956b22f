"""Plain-text helpers for terminal output (CJK-aware column widths)."""

from __future__ import annotations

import re
import unicodedata

_ESCAPES = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def safe(text: str) -> str:
    """Text from pages or files made safe for a terminal line: escape sequences removed, other
    control and bidi characters shown as \\xNN, line breaks as spaces."""
    text = _ESCAPES.sub("", str(text))
    return _CONTROLS.sub(lambda m: " " if m.group(0) in "\n\r\t" else f"\\x{ord(m.group(0)):02x}", text)


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, n: int) -> str:
    return text + " " * max(0, n - width(text))


def clip(text: str, n: int) -> str:
    if width(text) <= n:
        return text
    out = ""
    for ch in text:
        if width(out + ch) > n - 1:
            break
        out += ch
    return out + "…"


def table(rows: list[list[str]], widths: list[int]) -> str:
    return "\n".join("  ".join(pad(clip(c, w), w) for c, w in zip(r, widths)).rstrip() for r in rows)
