"""Document format plug-ins, and detection of which one a document is."""

from __future__ import annotations

from ...model import DocumentError
from .interface import DocumentFormat, Table

_REGISTRY: list[DocumentFormat] = []
NOT_A_DOCUMENT = "not a PDF, .docx, .xlsx or HTML document"  # `import` adds what a user list is


def register(fmt: DocumentFormat) -> DocumentFormat:
    _REGISTRY.append(fmt)
    return fmt


# Sniffing order: zip formats before HTML. Fixed here, not by import order (a module imported
# on its own, e.g. by a test, registers itself early).
_ORDER = ("pdf", "docx", "xlsx", "html")


def formats() -> list[DocumentFormat]:
    from . import pdf, docx, xlsx, html  # noqa: F401  (each registers itself, once)

    return sorted(_REGISTRY, key=lambda f: _ORDER.index(f.name) if f.name in _ORDER else len(_ORDER))


def attachment_formats() -> list[str]:
    """Names of the formats a landing page may link its list as (pdf, docx, xlsx)."""
    return [f.name for f in formats() if f.attachment]


def format_of_suffix(ext: str) -> str:
    """The attachment format a file name ending (without the dot) names, or ""."""
    ext = "." + ext.lower().lstrip(".")
    return next((f.name for f in formats() if f.attachment and ext in f.suffixes), "")


def format_of_content_type(mime: str) -> str:
    """The attachment format a media type names, or ""."""
    return next((f.name for f in formats() if f.attachment and mime.lower() in f.content_types), "")


def detect(data: bytes, hint: str = "") -> DocumentFormat:
    """The format whose signature the bytes carry; `hint` (a file name or type) only explains errors."""
    for fmt in formats():
        if fmt.sniff(data):
            return fmt
    what = f" ({hint})" if hint else ""
    if not data:
        raise DocumentError(f"empty document{what}")
    head = data[:512].lstrip().lower()
    if head.startswith(b"<!doctype") or head.startswith(b"<html") or b"<html" in head:
        raise DocumentError(f"an HTML page with no list table{what}")
    raise DocumentError(f"{NOT_A_DOCUMENT}{what}")


__all__ = [
    "NOT_A_DOCUMENT",
    "DocumentFormat",
    "Table",
    "attachment_formats",
    "detect",
    "format_of_content_type",
    "format_of_suffix",
    "formats",
    "register",
]
