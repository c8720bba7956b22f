"""Plain-text helpers for terminal output (CJK-aware column widths)."""
from __future__ import annotations

import unicodedata


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
