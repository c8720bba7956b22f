"""What a visitor sees of an HTML page: title, meta description/keywords and body text, and
where the page itself sends the visitor (meta refresh, script `location`, iframes) or links to.

Pure: parses the markup with lxml (libxml2's forgiving HTML parser; about ten times faster
than building a BeautifulSoup tree, which matters when a scan judges thousands of pages on
two cores) and executes nothing. Hidden means inline `style` display:none /
visibility:hidden or the `hidden` attribute; CSS classes and stylesheets are not evaluated.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

_INVISIBLE = ("script", "style", "noscript", "template", "iframe", "svg", "object", "embed", "canvas", "head")
_HIDDEN_STYLE = re.compile(r"(display\s*:\s*none|visibility\s*:\s*hidden)", re.I)
_SPACE = re.compile(r"\s+")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*>", re.I)


def collapse(text: str) -> str:
    """Runs of whitespace (incl. full-width space, nbsp) as one space, ends trimmed."""
    return _SPACE.sub(" ", text).strip()


def _meta(root, *names: str) -> str:  # noqa: ANN001
    """Content of the first <meta name=…> or <meta property=…> matching one of `names`."""
    for tag in root.iter("meta"):
        key = (tag.get("name") or tag.get("property") or "").strip().lower()
        if key in names and tag.get("content"):
            return collapse(tag.get("content"))
    return ""


@dataclass
class Content:
    title: str = ""
    description: str = ""  # meta description, then meta keywords
    text: str = ""
    goes_to: list[str] = field(default_factory=list)  # meta refresh and script location targets
    refreshes: list[str] = field(default_factory=list)  # … of those, the meta refresh ones (always taken)
    frames: list[str] = field(default_factory=list)  # iframe / frame sources
    links: list[str] = field(default_factory=list)  # <a href> to other hosts


MAX_LINKS = 500
_REFRESH_URL = re.compile(r"url\s*=\s*['\"]?([^'\";\s]+)", re.I)
_SCRIPT_GO = re.compile(
    r"(?:\b(?:window|document|top|self|parent)\s*\.\s*)?\blocation(?:\s*\.\s*href)?\s*=\s*(['\"])([^'\"\s]{1,2000})\1"
    r"|\blocation\s*\.\s*(?:replace|assign)\s*\(\s*(['\"])([^'\"\s]{1,2000})\3\s*\)"
)


def _absolute(base: str, ref: str) -> str:
    try:
        url = urljoin(base, ref.strip()) if base else ref.strip()
    except ValueError:
        return ""
    return url if url.lower().startswith(("http://", "https://")) else ""


def visible_text(html: str) -> tuple[str, str, str]:
    """(title, description, text) of `html`; description is meta description then keywords."""
    c = content(html)
    return c.title, c.description, c.text


_PARSERS = threading.local()


def _parser() -> lxml.html.HTMLParser:
    """This thread's parser (lxml's parsers are not shared between threads). huge_tree: past
    libxml2's 256 levels of nesting the default parser drops the rest of the page, which a
    browser shows: an ad inside 300 <div>s read as nothing, and the page as clear."""
    parser = getattr(_PARSERS, "parser", None)
    if parser is None:
        parser = _PARSERS.parser = lxml.html.HTMLParser(huge_tree=True)
    return parser


def content(html: str, base_url: str = "") -> Content:
    """Everything the page shows or does to a visitor without running it. Addresses are absolute
    http(s) URLs resolved against `base_url`; links are those to other hosts only."""
    html = _XML_DECL.sub("", html)  # lxml refuses str input that declares an encoding
    if not html.strip():
        return Content()
    parser = _parser()
    try:
        root = lxml.html.document_fromstring(html, parser=parser)
    except (etree.ParserError, ValueError):
        return Content(text=_tags_stripped(html))
    # nested past 2,048 levels: what lies deeper is not in the tree, though a browser shows it
    cut = any(e.type_name == "ERR_RESOURCE_LIMIT" for e in parser.error_log)
    out = Content()
    for tag in root.iter("meta"):
        if (tag.get("http-equiv") or "").strip().lower() == "refresh":
            m = _REFRESH_URL.search(tag.get("content") or "")
            if m:
                out.goes_to.append(_absolute(base_url, m.group(1)))
                out.refreshes.append(out.goes_to[-1])
    for script in root.iter("script"):
        for m in _SCRIPT_GO.finditer(script.text or ""):
            out.goes_to.append(_absolute(base_url, m.group(2) or m.group(4)))
    for tag in root.iter("iframe", "frame"):
        if tag.get("src"):
            out.frames.append(_absolute(base_url, tag.get("src")))
    own = _host(base_url)
    for tag in root.iter("a"):
        url = _absolute(base_url, tag.get("href") or "")
        if url and _host(url) != own:
            out.links.append(url)
            if len(out.links) >= MAX_LINKS:
                break
    out.goes_to = list(dict.fromkeys(u for u in out.goes_to if u))
    out.frames = list(dict.fromkeys(u for u in out.frames if u))
    out.links = list(dict.fromkeys(out.links))
    out.title, out.description, out.text = _visible(root)
    if cut:  # every word of the page, as tags stripped leave it (scripts, styles and comments out)
        out.text = _tags_stripped(_UNSHOWN.sub(" ", html))
    return out


def _tags_stripped(html: str) -> str:
    """The words of `html` with every tag taken for a space (when no parse reads it whole)."""
    return collapse(re.sub(r"<[^>]*>", " ", html))


_UNSHOWN = re.compile(r"<(script|style)\b.*?</\1\s*>|<!--.*?-->", re.I | re.S)


PHRASE_BREAK = "\n|\n"  # between title, description and text: the model drops whitespace, not '|'
_TAGS = (  # HTML's elements, the old ones pages still use (center, font, marquee) among them
    "a abbr address area article aside audio b base bdi bdo big blockquote body br button canvas caption center "
    "cite code col colgroup data dd del details dfn dialog div dl dt em embed fieldset figcaption figure font "
    "footer form frame frameset h1 h2 h3 h4 h5 h6 head header hr html i iframe img input ins kbd label legend li "
    "link main map mark marquee menu meta meter nav noscript object ol optgroup option output p param picture pre "
    "progress q s samp script section select small source span strike strong style sub summary sup svg table "
    "tbody td template textarea tfoot th thead time title tr track tt u ul var video wbr"
).split()
_MARKUP = re.compile(
    r"\s*<(?:!--|!doctype\s+html|(?:" + "|".join(sorted(_TAGS, key=len, reverse=True)) + r")[\s>/])", re.I
)


def shown_text(title: str, description: str, text: str) -> str:
    """What a page shows, as one text to judge: each part a phrase of its own."""
    return PHRASE_BREAK.join(x for x in (title, description, text) if x)


def is_markup(text: str) -> bool:
    """HTML source rather than text (it starts with a comment, a doctype or an HTML element's tag)."""
    return bool(_MARKUP.match(text))


def page_source(text: str) -> tuple[str, list[str]] | None:
    """For HTML source pasted as text: (what the page shows, the addresses it sends a visitor
    to or links); None for text that is not markup."""
    if not is_markup(text):
        return None
    c = content(text)
    return shown_text(c.title, c.description, c.text), c.goes_to + c.frames + c.links


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def _visible(root) -> tuple[str, str, str]:  # noqa: ANN001
    title_el = root.find(".//title")
    title = collapse(title_el.text_content()) if title_el is not None else ""
    description = collapse(
        " ".join(filter(None, (_meta(root, "description", "og:description"), _meta(root, "keywords"))))
    )
    # found by XPath, in C: a Python object is made only for the elements returned (iterating
    # over every element makes one each, through lxml.html's class lookup: most of the time)
    doomed = [el for el in root.iter(*_INVISIBLE)]
    marked = root.xpath(".//*[@hidden or @style]")  # (an element's own call: XPath objects are per thread)
    doomed += [el for el in marked if el.get("hidden") is not None or _HIDDEN_STYLE.search(el.get("style") or "")]
    for el in doomed:
        if el.getparent() is not None:
            el.drop_tree()
    # the text nodes in document order: what itertext() gives but the text of comments and
    # processing instructions, which are not text nodes
    parts = [t for t in root.xpath(".//text()", smart_strings=False) if t.strip()]
    return title, description, collapse(" ".join(parts))
