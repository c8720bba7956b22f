"""Document format plug-ins, and detection of which one a document is."""
from __future__ import annotations

from ...model import DocumentError
from .interface import DocumentFormat, Table

_REGISTRY: list[DocumentFormat] = []


def register(fmt: DocumentFormat) -> DocumentFormat:
    _REGISTRY.append(fmt)
    return fmt


def formats() -> list[DocumentFormat]:
    if not _REGISTRY:
        from . import pdf  # noqa: F401  (each registers itself)
    return list(_REGISTRY)


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
    raise DocumentError(f"not a PDF, .docx, .xlsx or HTML document{what}")


__all__ = ["DocumentFormat", "Table", "detect", "formats", "register"]
