"""Code quality gates, run with the tests: ruff's formatter and linter, and mypy, on peizi_guard/."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import TEST_DB

ROOT = Path(__file__).resolve().parent.parent
once = pytest.mark.skipif(bool(TEST_DB), reason="the code is checked in the SQLite run; this run is for the database")


def _tool(name: str) -> list[str]:
    found = shutil.which(name, path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-m", name]


@once
def test_ruff_format_and_lint():
    fmt = subprocess.run(_tool("ruff") + ["format", "--check", "peizi_guard"], cwd=ROOT, capture_output=True, text=True)
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr
    lint = subprocess.run(_tool("ruff") + ["check", "peizi_guard"], cwd=ROOT, capture_output=True, text=True)
    assert lint.returncode == 0, lint.stdout + lint.stderr


@once
def test_mypy(tmp_path):
    r = subprocess.run(_tool("mypy") + ["peizi_guard", "--cache-dir", str(tmp_path / "mypy")], cwd=ROOT,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-1000:]
