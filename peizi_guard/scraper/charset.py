"""HTML bytes → text: the scraper's one charset rule (pages, landing pages, HTML documents).

Order:
1. A byte order mark decides (UTF-8, UTF-16), as in browsers.
2. Bytes that hold non-ASCII text and are valid UTF-8 are UTF-8, whatever the page declares.
   Chinese CMS templates often keep `charset=gb2312` after a site moved to UTF-8, and UTF-8
   Chinese often decodes without error as GB18030 mojibake; GBK text practically never is
   valid UTF-8.
3. The declared charsets, strongest first: HTTP header, <meta charset> / http-equiv, an
   `<?xml encoding>`; the first that decodes cleanly wins.
4. Else UTF-8, else GB18030.
5. Nothing decodes cleanly: the first declared codec with replacement characters; with none
   declared, whichever of UTF-8 and GB18030 needs fewer replacements.

Labels: GBK/GB2312 read as GB18030 (their superset), Big5 as Big5-HKSCS, ASCII/Latin-1 as
cp1252 (as browsers do). A <meta> claiming UTF-16 means UTF-8 (it could not be read otherwise).
With `complete=False` (a body cut short) a character cut at the end is dropped, not an error.
"""

from __future__ import annotations

import codecs
import re

_PRESCAN = 8192  # bytes searched for <meta> / <?xml>
_LABEL_ALIASES = {
    "x-gbk": "gbk",
    "windows-936": "gbk",
    "csgb2312": "gb2312",
    "gb_2312-80": "gb2312",
    "x-euc-cn": "gb2312",
}
_CODEC_UPGRADES = {
    "gbk": "gb18030",
    "gb2312": "gb18030",
    "big5": "big5hkscs",
    "ascii": "cp1252",
    "iso8859-1": "cp1252",
    "latin-1": "cp1252",
}
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([a-z0-9._:-]+)""", re.I)
_META_CHARSET = re.compile(rb"""<meta\b[^>]*?charset\s*=\s*["']?\s*([a-z0-9._:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]+?encoding\s*=\s*["']\s*([a-z0-9._:-]+)""", re.I)
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def _codec(label: str | bytes | None) -> str:
    """Python codec for a charset label, or "" when unknown."""
    if isinstance(label, bytes):
        label = label.decode("ascii", "replace")
    label = (label or "").strip().strip("\"'").lower()
    try:
        info = codecs.lookup(_LABEL_ALIASES.get(label, label)) if label else None
    except LookupError:
        return ""
    if info is None or not getattr(info, "_is_text_encoding", True):
        return ""  # unknown, or bytes-to-bytes such as "zlib" / "base64"
    return _CODEC_UPGRADES.get(info.name, info.name)


def header_charset(content_type: str | None) -> str:
    """Codec for the charset of a Content-Type value ("text/html; charset=GBK" → "gb18030"), or ""."""
    m = _HEADER_CHARSET.search(content_type or "")
    return _codec(m.group(1)) if m else ""


def bom_codec(data: bytes) -> str | None:
    """Codec a byte order mark at the start of `data` names ("utf-8-sig" / "utf-16"), else None."""
    return next((codec for mark, codec in _BOMS if data.startswith(mark)), None)


def _in_document(data: bytes) -> list[str]:
    head = data[:_PRESCAN]
    found = [_codec(m.group(1)) for m in (_META_CHARSET.search(head), _XML_ENCODING.search(head)) if m]
    return ["utf-8" if c.startswith("utf-16") else c for c in found]


def _decode(data: bytes, codec: str, errors: str, final: bool) -> str:
    return codecs.getincrementaldecoder(codec)(errors).decode(data, final=final)


def decode(data: bytes, content_type: str = "", complete: bool = True) -> tuple[str, str]:
    """(text, codec used) for HTML bytes; `content_type` is the HTTP header value, if any."""
    bom = bom_codec(data)
    if bom:
        return _decode(data, bom, "replace", complete), bom
    declared = [c for c in dict.fromkeys([header_charset(content_type), *_in_document(data)]) if c]
    first = [] if data.isascii() else ["utf-8"]
    for codec in dict.fromkeys(first + declared + ["utf-8", "gb18030"]):
        try:
            text = _decode(data, codec, "strict", complete)
        except UnicodeDecodeError:
            continue
        if codec in ("cp1252", "gb18030"):  # (declared or not: a GBK page declared Latin-1, Big5 declared GB2312)
            return _likelier_chinese(data, text, codec, complete)
        return text, codec
    if declared:
        return _decode(data, declared[0], "replace", complete), declared[0]
    texts = [(_decode(data, c, "replace", complete), c) for c in ("utf-8", "gb18030")]
    return min(texts, key=lambda tc: tc[0].count("\ufffd"))


def _likelier_chinese(data: bytes, text: str, codec: str, complete: bool) -> tuple[str, str]:
    """(text, codec), or the Chinese reading of `data` when it is far likelier: a page declared
    Latin-1 or windows-1252 that is GBK (ÎÒ³öÇ for 我出钱), or Big5 with nothing declared
    (GB18030 reads Big5 bytes without error, as nonsense hanzi)."""
    from ..inputs import plausible  # the share of a text that is common Chinese

    def score(t: str) -> float:
        return plausible("".join(c for c in t[:65536] if not c.isascii())[:500])

    best = (score(text), text, codec)
    if best[0] >= 0.8:  # reads as Chinese already (most GBK pages): nothing else to try
        return text, codec
    for other in ("gb18030", "big5hkscs"):
        if other == codec:
            continue
        t = _decode(data, other, "replace", complete)  # (a stray © or a UTF-8 footer is no reason to give up)
        s = score(t)
        if s >= 0.8 and s > best[0] + 0.2:
            best = (s, t, other)
    return best[1], best[2]
