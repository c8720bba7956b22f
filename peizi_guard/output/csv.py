"""CSV with a header row (one: a file appended to keeps its own); lists are flattened to readable cells."""

from __future__ import annotations

import csv

from .interface import Writer

COLUMNS = [
    "url",
    "final_url",
    "status",
    "verdict",
    "reason",
    "score",
    "evidence",
    "signals",
    "redirects",
    "error",
    "fetched_at",
    "line",  # of the URL in the input (last: a file appended to by an older version keeps its columns)
    "input",  # the input file, when there are several (scan --cluster on a folder or glob)
    "truncated",  # the page was judged on its first --max-bytes only
]


def evidence(result: dict) -> str:
    return "; ".join(
        f"{m['source']}#{m['seq']} {m['entry']} ({m['method']} {m['value']})" for m in result["matches"][:5]
    )


def said(signal: dict) -> str:
    """A signal as a reader says it: 配资口号“您炒股我出钱”, or a phrase of the text, “1:10杠杆”."""
    if signal["signal"] == "ngram":
        return f"“{signal['text']}”"
    return f"{(signal.get('note') or signal['signal']).split(' ')[0]}“{signal['text']}”"


def signals(result: dict, most: int = 5) -> str:
    """What pushed for an offer and what against, in words (the JSON output has every weight)."""
    pro = [said(s) for s in result["signals"] if not s.get("counter")][:most]
    con = [said(s) for s in result["signals"] if s.get("counter")][:most]
    return " | ".join(
        ([f"支持 for: {'；'.join(pro)}"] if pro else []) + ([f"反对 against: {'；'.join(con)}"] if con else [])
    )


class CsvWriter(Writer):
    name = "csv"

    def __init__(self, stream):  # noqa: ANN001
        super().__init__(stream)
        self.out = csv.writer(stream)
        if not appending(stream):
            self.out.writerow(COLUMNS)

    def write(self, result: dict) -> None:
        row = dict(
            result, evidence=evidence(result), signals=signals(result), redirects=" ".join(result.get("redirects", []))
        )
        self.out.writerow([cell(row.get(c)) for c in COLUMNS])


CHECK_COLUMNS = ["query", "kind", "verdict", "score", "probability", "evidence", "signals", "notes"]


def check_header() -> str:
    return _line(CHECK_COLUMNS)


def check_row(v) -> str:  # noqa: ANN001
    """One `check` verdict as a CSV line (without its line break)."""
    d = v.to_dict()
    row = dict(d, evidence=evidence(d), signals=signals(d), notes=" | ".join(d["notes"]))
    return _line([cell(row.get(c)) for c in CHECK_COLUMNS])


def _line(cells: list) -> str:
    import io

    buf = io.StringIO()
    csv.writer(buf, lineterminator="").writerow(cells)
    return buf.getvalue()


def appending(stream) -> bool:  # noqa: ANN001
    """A file opened for appending that already holds rows (scan --resume -o FILE)."""
    return "a" in getattr(stream, "mode", "") and stream.seekable() and stream.tell() > 0


def cell(value) -> str:  # noqa: ANN001
    """A CSV cell no spreadsheet runs as a formula (=, +, -, @, tab or CR first get a ')."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _number(text) else text


def _number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False
