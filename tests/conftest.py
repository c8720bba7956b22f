"""Shared fixtures: the real documents under fixtures/, and a temporary database per test."""
from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CSRC_PDF = FIXTURES / "2020-07-08-illegal-peizi-platforms.pdf"


@pytest.fixture(scope="session")
def csrc_bytes() -> bytes:
    return CSRC_PDF.read_bytes()


@pytest.fixture(scope="session")
def csrc_doc(csrc_bytes):
    from peizi_guard.scraper.parse import parse_document

    return parse_document(csrc_bytes, CSRC_PDF.name)


@pytest.fixture()
def db(tmp_path, monkeypatch) -> str:
    """A fresh database file; PEIZI_GUARD_DB points at it too."""
    path = str(tmp_path / "pg.db")
    monkeypatch.setenv("PEIZI_GUARD_DB", path)
    return path
