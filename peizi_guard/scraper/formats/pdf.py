"""PDF tables, read from the characters' positions (pdfplumber).

Word-made PDFs wrap long cell text at the column edge, anywhere inside a word or URL, and some
draw two lines on top of each other. Lines are therefore rebuilt from the characters: a new
visual line starts where the text jumps back to the left; a visual line continues into the
next when it ends with a joiner such as ``-`` or the next starts with ``.`` or ``/``, or when the
next one's first character would not have fitted (the line is full) and the next line does not
itself open a new item (``www.``, ``http://``, a ``label:``, or a host after a complete host).
"""

from __future__ import annotations

import io
import re

from ...errors import first_line
from ...model import DocumentError
from . import register
from .interface import DocumentFormat, Table

_JOIN_END = ("-", "/", "_", ".")
# A visual line that starts like this begins a new item even after a full line.
_ITEM_HEAD = re.compile(r"^(www\.|https?://|[^\s:：/]{2,12}[:：])", re.I)
_ENDS_HOST = re.compile(r"\.[a-z]{2,3}$", re.I)
_STARTS_HOST = re.compile(r"^[a-z0-9-]{3,}\.[a-z0-9]", re.I)
_JOIN_START = (".", "/", "-", "_", ")", "）")


class PdfFormat(DocumentFormat):
    name = "pdf"
    suffixes = (".pdf",)
    content_types = ("application/pdf", "application/x-pdf")

    def sniff(self, data: bytes) -> bool:
        return data[:1024].lstrip().startswith(b"%PDF-")

    def tables(self, data: bytes) -> list[Table]:
        import pdfplumber
        from pdfminer.pdfdocument import PDFPasswordIncorrect

        if not self.sniff(data):
            raise DocumentError("not a PDF file")
        try:
            with pdfplumber.open(io.BytesIO(data)) as pdf:
                return [t for page in pdf.pages for t in _page_tables(page)]
        except DocumentError:
            raise
        except PDFPasswordIncorrect:
            raise DocumentError("the PDF is encrypted with a password") from None
        except MemoryError:
            raise  # the parsing child's memory cap: reported as such
        except Exception as exc:  # pdfminer raises many unrelated types on broken files
            if any(isinstance(e, MemoryError) for e in (*exc.args, exc.__cause__, exc.__context__)):
                raise MemoryError from None  # pdfplumber wraps it in PdfminerException
            msg = first_line(exc, type(exc).__name__)
            if b"/Encrypt" in data or "password" in msg.lower():
                raise DocumentError("the PDF is encrypted (password-protected)") from None
            raise DocumentError(f"corrupt or truncated PDF ({msg[:80]})") from None


def _page_tables(page) -> list[Table]:
    found = page.find_tables()
    if not found:
        return []
    chars = [c for c in page.chars if c["text"].strip()]
    out = []
    for table in found:
        rows = []
        for row in table.rows:
            cells: list[list[str]] = []
            for bbox in row.cells:
                if bbox is None:
                    cells.append([])
                    continue
                x0, top, x1, bottom = bbox
                inside = [
                    c
                    for c in chars
                    if x0 <= (c["x0"] + c["x1"]) / 2 < x1 and top <= (c["top"] + c["bottom"]) / 2 < bottom
                ]
                cells.append(cell_lines(inside, x0, x1))
            rows.append(cells)
        out.append(rows)
    return out


def visual_lines(chars: list[dict]) -> list[list[dict]]:
    """Split characters (in drawing order) into visual lines."""
    lines: list[list[dict]] = []
    for ch in chars:
        if lines:
            prev, first = lines[-1][-1], lines[-1][0]
            back = ch["x0"] < prev["x0"] - 0.5
            below = ch["top"] - first["top"] > 0.8 * ch["size"]
            if not back and not below:
                lines[-1].append(ch)
                continue
        lines.append([ch])
    return lines


def cell_lines(chars: list[dict], x0: float, x1: float) -> list[str]:
    """The logical lines of one cell: visual lines with column-width wraps joined."""
    vis = visual_lines(chars)
    if not vis:
        return []
    pad = max(0.0, min(6.0, min(line[0]["x0"] for line in vis) - x0))
    right = x1 - pad
    out: list[str] = []
    joining = False
    for i, line in enumerate(vis):
        text = "".join(c["text"] for c in line)
        if joining:
            out[-1] += text
        else:
            out.append(text)
        joining = False
        if i + 1 < len(vis):
            nxt = vis[i + 1]
            overlaid = abs(nxt[0]["top"] - line[0]["top"]) < 0.5 * line[0]["size"]
            if overlaid:
                continue
            full = line[-1]["x1"] + _unit_width(nxt) > right + 0.5
            nxt_text = "".join(c["text"] for c in nxt)
            joining = _continues(out[-1], nxt_text, full)
    return [s.strip() for s in out if s.strip()]


_NO_LINE_START = set("）)」』】，。、：；！？,.:;!?%")


def _unit_width(line: list[dict]) -> float:
    """Width of what a line starts with that the layout could not have split: a Latin word,
    or a character with the closing punctuation that may not begin a line."""
    n = 1
    if line[0]["text"].isascii() and line[0]["text"].isalnum():
        while n < len(line) and line[n]["text"].isascii() and line[n]["text"].isalnum():
            n += 1
    while n < len(line) and line[n]["text"] in _NO_LINE_START:
        n += 1
    return line[n - 1]["x1"] - line[0]["x0"]


def _continues(text: str, nxt: str, full: bool) -> bool:
    """Whether the visual line after `text` continues it (see the module's doc)."""
    if text.endswith(_JOIN_END) or nxt.startswith(_JOIN_START):
        return True
    if not full or _ITEM_HEAD.match(nxt):
        return False
    return not (_ENDS_HOST.search(text) and _STARTS_HOST.match(nxt))


register(PdfFormat())
