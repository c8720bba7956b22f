"""Pure functions over landing pages: decode them, find the list documents they link, spot tables."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

from bs4 import BeautifulSoup

from .formats import format_of_content_type, format_of_suffix

_KEYWORDS = ("附件", "名单", "黑名单", "下载")
# legacy Office: a document, not a page, but no format we read (refresh says so in one line)
_LEGACY_TYPES = {"application/vnd.ms-excel": "xls", "application/msword": "doc"}


@dataclass
class Link:
    url: str  # absolute
    text: str
    format: str  # a registered attachment format: pdf | docx | xlsx (whatever the link claims)


def _suffix(path: str) -> str:
    name = unquote(path).rstrip().rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def link_format(url: str, text: str, formats: list[str]) -> str:
    """The document format a link claims: its path's extension, else a file name in its text or query."""
    allowed = [f.lower() for f in formats]
    parts = urlsplit(url)
    for candidate in (parts.path, text, *re.split(r"[&=]", parts.query)):
        fmt = format_of_suffix(_suffix(candidate)) if _suffix(candidate) else ""
        if fmt in allowed:
            return fmt
    return ""


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def find_documents(html: str, base_url: str, formats: list[str]) -> list[Link]:
    """Linked documents of the allowed formats, those named like an attachment or list first."""
    soup = BeautifulSoup(html, "html.parser")
    base = soup.find("base", href=True)
    if base:
        base_url = urljoin(base_url, str(base["href"]).strip())
    found: list[tuple[int, int, Link]] = []
    seen: set[str] = set()
    tags = soup.find_all(["a", "area", "iframe", "embed"])
    for order, tag in enumerate(tags):
        href = str(tag.get("href") or tag.get("src") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        url = urldefrag(urljoin(base_url, href))[0]
        text = _clean(tag.get_text(" "))
        title = _clean(f"{tag.get('title') or ''} {tag.get('download') or ''}")
        fmt = link_format(url, text, formats) or link_format(url, title, formats)
        if not fmt or url in seen:
            continue
        seen.add(url)
        rank = 0 if any(k in text or k in title for k in _KEYWORDS) else 1
        found.append((rank, order, Link(url=url, text=text or title, format=fmt)))
    return [link for _, _, link in sorted(found, key=lambda t: t[:2])]


def page_has_table(html: str) -> bool:
    """True when the page holds a data table: an innermost <table> with 2+ rows of 2+ cells."""
    soup = BeautifulSoup(html, "html.parser")
    for table in soup.find_all("table"):
        if table.find("table"):
            continue  # a layout table wrapping others
        rows = [tr for tr in table.find_all("tr") if len(tr.find_all(["td", "th"])) >= 2]
        if len(rows) >= 2:
            return True
    return False


def _zip_format(content: bytes) -> str:
    try:
        names = zipfile.ZipFile(io.BytesIO(content)).namelist()
    except (zipfile.BadZipFile, ValueError):
        return ""
    if any(n.startswith("word/") for n in names):
        return "docx"
    if any(n.startswith("xl/") for n in names):
        return "xlsx"
    return ""


def document_format(content: bytes, content_type: str = "", url: str = "") -> str:
    """What a response claims to be when it is a document rather than a page, else "".

    The Content-Type decides, then the URL's extension, then the leading bytes.
    """
    mime = (content_type or "").split(";", 1)[0].strip().lower()
    if format_of_content_type(mime) or mime in _LEGACY_TYPES:
        return format_of_content_type(mime) or _LEGACY_TYPES[mime]
    if mime in ("", "application/octet-stream", "application/download", "application/force-download"):
        ext = _suffix(urlsplit(url).path)
        if format_of_suffix(ext) or ext in ("xls", "doc"):
            return format_of_suffix(ext) or ext
    head = content[:1024].lstrip()
    if head.startswith(b"%PDF-"):
        return "pdf"
    if content.startswith(b"PK\x03\x04"):
        return _zip_format(content)
    if content.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # OLE2: legacy Office
        return "doc" if "word" in mime else "xls"
    return ""
