"""Files users give us (`check --file`, `--text-file`, `scan FILE`) → text, whatever their encoding.

Order: `--encoding` when given; a byte order mark (UTF-8, UTF-16, UTF-32); strict UTF-8;
under 64 bytes (the detector guesses wildly on less) the reading as GB18030, Big5 or UTF-16
that is most like Chinese text, or an error when none is; else BOM-less UTF-16 by its zero
bytes, the detector shipped with requests (charset-normalizer) for GBK/GB18030, Big5 and
UTF-16, strict GB18030, then line by line (UTF-8, else GB18030). A line that still does not decode, or that is longer
than `max_line` bytes, is reported with its number and left out; the rest goes on.

Lines end at \n only (a \r before it is dropped), so line numbers are those of `wc -l` and an
address with U+2028 or a form feed inside stays one line. A binary file (a PDF, a ZIP such as
.docx or .xlsx, NUL bytes, or mostly undecodable lines) is refused by `read`, not judged.
"""

from __future__ import annotations

import codecs
import re
import sys
from dataclasses import dataclass, field

MAX_LINE = 128 * 1024
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_DETECTABLE = {
    "gb18030",
    "gbk",
    "gb2312",
    "big5",
    "big5hkscs",
    "utf_16",
    "utf_16_le",
    "utf_16_be",
    "utf_32",
    "utf_32_le",
    "utf_32_be",
    "hz",
    "cp950",
    "cp936",
}


class InputError(ValueError):
    """The file cannot be read at all, or the encoding asked for does not exist."""


@dataclass
class Decoded:
    lines: list[tuple[int, str]] = field(default_factory=list)  # (line number, text) of the lines kept
    problems: list[str] = field(default_factory=list)  # "line 7: not valid UTF-8 or GB18030; left out"
    encoding: str = ""

    @property
    def text(self) -> str:
        return "\n".join(t for _, t in self.lines)


def read(path: str, encoding: str | None = None, max_line: int = MAX_LINE) -> Decoded:
    """Decode a file ('-' for standard input)."""
    try:
        if path == "-":
            data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read().encode()
        else:
            with open(path, "rb") as fh:
                data = fh.read()
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror}") from None
    name = "standard input" if path == "-" else path
    what = binary_kind(data)
    if what:
        raise InputError(f"{name}: {what}, not text{_IMPORT_HINT}")
    decoded = decode(data, encoding, max_line, name=name)
    what = _binary_text(decoded)
    if what:
        raise InputError(f"{name}: {what}, not text{_IMPORT_HINT}")
    return decoded


_IMPORT_HINT = " (a list document is added with `peizi-guard import FILE --source ID`)"
_MAGIC = (
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (.docx, .xlsx …)"),
    (b"\xd0\xcf\x11\xe0", "an old Office document (.doc, .xls)"),
)
_CONTROL = {chr(c) for c in range(32)} - set("\t\r\n\x0c") | {"\x7f", "\ufffd"}
_COUNT_CONTROL = re.compile("[" + re.escape("".join(sorted(_CONTROL))) + "]")


def binary_kind(data: bytes) -> str:
    """What a file that clearly is a document, not text, is ("a PDF document" …), else ""."""
    for magic, what in _MAGIC:
        if data.startswith(magic):
            return what
    return ""


def _binary_text(decoded: Decoded) -> str:
    """Why decoded bytes are binary, not text (NUL bytes, over 10 % control characters, mostly
    undecodable lines), else "". Real UTF-16 decodes without NULs, so it is never refused."""
    undecodable = sum("not valid" in p for p in decoded.problems)
    if undecodable >= 5 and undecodable > sum(bool(t.strip()) for _, t in decoded.lines):
        return f"mostly undecodable ({undecodable} lines)"
    text = decoded.text
    if "\x00" in text:
        return "binary (it holds NUL bytes)"
    if len(text) >= 16 and len(_COUNT_CONTROL.findall(text)) > 0.1 * len(text):  # (in C: a 100,000-line file)
        return "binary (over 10 % control characters)"
    return ""


def decode(data: bytes, encoding: str | None = None, max_line: int = MAX_LINE, name: str = "the input") -> Decoded:
    if encoding:
        try:
            codec = codecs.lookup(encoding).name
        except LookupError:
            raise InputError(f"unknown encoding {encoding!r}") from None
        return _whole_or_lines(data, codec, max_line)
    for mark, codec in _BOMS:
        if data.startswith(mark):
            return _split(data.decode(codec, "replace"), codec, max_line)
    try:
        text = data.decode("utf-8")
        if "\x00" not in text or not _utf16_by_zeros(data):  # ASCII in UTF-16 is valid UTF-8 too
            return _split(text, "utf-8", max_line)
    except UnicodeDecodeError:
        pass
    if len(data) < 64:  # too short for the detector: the reading that looks like Chinese, if one does
        try:
            return _split(*_short(data, name), max_line)
        except InputError:
            if not any(not line.isascii() and _is_utf8(line) for line in data.split(b"\n")):
                raise
            return _lines(data, ("utf-8", "gb18030"), max_line)  # UTF-8 with a damaged line
    for guess in (_utf16_by_zeros(data), _detect(data), "gb18030"):
        if guess:
            try:
                return _split(data.decode(guess), guess, max_line)
            except (UnicodeDecodeError, LookupError):
                pass
    return _lines(data, ("utf-8", "gb18030"), max_line)


_SHORT = ("gb18030", "big5", "utf-16-le", "utf-16-be")  # in this order when readings tie


def _short(data: bytes, name: str) -> tuple[str, str]:
    """(text, codec) of a few bytes that are not UTF-8: GB18030 reads almost any bytes, so
    each reading is scored by how much of it is common Chinese; none plausible is an error."""
    readings = []
    for codec in _SHORT:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        readings.append((-plausible(text), _SHORT.index(codec), text, codec))
    readings.sort()
    if not readings or -readings[0][0] < 0.8:
        raise InputError(
            f"{name}: cannot tell the encoding of so few bytes (not UTF-8); give --encoding (gbk, big5, utf-16…)"
        )
    return readings[0][2], readings[0][3]


def plausible(text: str) -> float:
    """The share of `text` a Chinese list is made of: printable ASCII, spaces, CJK punctuation
    and full-width forms, and hanzi of GB2312 (simplified, or traditional with a simplified form
    there): the 3,755 common ones count whole, the 3,008 rarer ones half."""
    from .normalise import _t2s_table

    t2s, score = _t2s_table(), 0.0
    for c in text:
        if c.isascii():
            score += c.isprintable() or c in "\t\r\n"
        elif "\u3000" <= c <= "\u303f" or "\uff01" <= c <= "\uff5e" or "\u2010" <= c <= "\u2027":
            score += 1
        else:
            try:
                code = chr(t2s.get(ord(c), ord(c))).encode("gb2312")
            except UnicodeEncodeError:
                continue
            score += (
                1 if len(code) == 2 and 0xB0 <= code[0] <= 0xD7 else 0.5 if len(code) == 2 and code[0] >= 0xD8 else 0
            )
    return score / len(text) if text else 0.0


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def _utf16_by_zeros(data: bytes) -> str:
    """UTF-16 without a BOM: ASCII letters leave a zero byte in every other place."""
    if len(data) < 4:
        return ""
    even, odd = data[0::2].count(0), data[1::2].count(0)
    half = len(data) / 2
    return "utf-16-be" if even > 0.3 * half and odd == 0 else "utf-16-le" if odd > 0.3 * half and even == 0 else ""


def _detect(data: bytes) -> str:
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - requests ships it
        return ""
    best = from_bytes(data[:200_000]).best()
    name = best.encoding if best else ""
    return name if name in _DETECTABLE else ""


def _whole_or_lines(data: bytes, codec: str, max_line: int) -> Decoded:
    try:
        return _split(data.decode(codec), codec, max_line)
    except UnicodeDecodeError:
        if codec.startswith(("utf_16", "utf_32", "utf-16", "utf-32")):
            return _split(data.decode(codec, "replace"), codec, max_line)
        return _lines(data, (codec,), max_line)


def _split(text: str, codec: str, max_line: int) -> Decoded:
    out = Decoded(encoding=codec)
    for n, line in enumerate(split_lines(text), 1):
        if len(line) > max_line:
            out.problems.append(f"line {n}: longer than {max_line // 1024} KiB; left out")
        else:
            out.lines.append((n, line))
    return out


def is_comment(line: str) -> bool:
    """A comment in a list of queries or URLs: `#` alone or followed by a space ("# checked
    2026-11"), as in shell scripts. "#杜德配资#" (a Weibo topic) is a query, never skipped."""
    s = line.lstrip()
    return s == "#" or s.startswith(("# ", "#\t"))


def split_lines(text: str) -> list[str]:
    """Lines as `wc -l` counts them: at \n only, a \r before it dropped (not str.splitlines,
    which also breaks at U+2028, form feeds, \x1c-\x1e, \x85 …)."""
    lines = [ln[:-1] if ln.endswith("\r") else ln for ln in text.split("\n")]
    if lines and not lines[-1]:  # the final newline ends the last line; it starts no new one
        lines.pop()
    return lines


def _lines(data: bytes, codecs_: tuple[str, ...], max_line: int) -> Decoded:
    out = Decoded(encoding="/".join(codecs_))
    for n, raw in enumerate(data.split(b"\n"), 1):
        raw = raw.rstrip(b"\r")
        if len(raw) > max_line:
            out.problems.append(f"line {n}: longer than {max_line // 1024} KiB; left out")
            continue
        for codec in codecs_:
            try:
                out.lines.append((n, raw.decode(codec)))
                break
            except UnicodeDecodeError:
                continue
        else:
            out.problems.append(f"line {n}: not valid {' or '.join(c.upper() for c in codecs_)}; left out")
    if out.lines and not out.lines[-1][1] and data.endswith(b"\n"):
        out.lines.pop()
    return out
