"""What a visitor sees of an HTML page: title, meta description/keywords and body text.

Pure: parses the markup (lxml if installed, else html.parser), executes nothing. Hidden means
inline `style` display:none / visibility:hidden or the `hidden` attribute; CSS classes and
stylesheets are not evaluated.
"""
from __future__ import annotations

import re

from bs4 import BeautifulSoup

try:
    import lxml  # noqa: F401
    _PARSER = "lxml"
except ImportError:  # pragma: no cover
    _PARSER = "html.parser"

_INVISIBLE_TAGS = ("script", "style", "noscript", "template", "iframe", "svg", "object",
                   "embed", "canvas", "head")
_HIDDEN_STYLE = re.compile(r"(display\s*:\s*none|visibility\s*:\s*hidden)", re.I)
_SPACE = re.compile(r"\s+")


def collapse(text: str) -> str:
    """Runs of whitespace (incl. full-width space, nbsp) as one space, ends trimmed."""
    return _SPACE.sub(" ", text).strip()


def _meta(soup: BeautifulSoup, *names: str) -> str:
    """Content of the first <meta name=…> or <meta property=…> matching one of `names`."""
    for tag in soup.find_all("meta"):
        key = (tag.get("name") or tag.get("property") or "").strip().lower()
        if key in names and tag.get("content"):
            return collapse(tag["content"])
    return ""


def _is_hidden(tag) -> bool:
    attrs = getattr(tag, "attrs", None) or {}
    return "hidden" in attrs or bool(_HIDDEN_STYLE.search(str(attrs.get("style", ""))))


def visible_text(html: str) -> tuple[str, str, str]:
    """(title, description, text) of `html`; description is meta description then keywords."""
    soup = BeautifulSoup(html, _PARSER)
    title = collapse(soup.title.get_text(" ")) if soup.title else ""
    description = collapse(" ".join(filter(None, (
        _meta(soup, "description", "og:description"), _meta(soup, "keywords")))))
    for tag in soup.find_all(_INVISIBLE_TAGS):
        tag.decompose()
    for tag in soup.find_all(_is_hidden):
        if not tag.decomposed:
            tag.decompose()
    return title, description, collapse(soup.get_text(" "))
