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


def start_mypy() -> subprocess.Popen:
    """mypy on peizi_guard/ in the background (a cold run takes ~20 s of one core): conftest
    starts it when the session has collected test_mypy, so it runs beside the other tests."""
    import tempfile

    cache = tempfile.mkdtemp(prefix="peizi-guard-mypy-")
    p = subprocess.Popen(_tool("mypy") + ["peizi_guard", "--cache-dir", cache], cwd=ROOT,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    p.cache = cache  # type: ignore[attr-defined]
    return p


@once
def test_mypy(request):
    started = getattr(request.config, "_mypy", None)
    p = started or start_mypy()
    out, _ = p.communicate(timeout=600)
    shutil.rmtree(p.cache, ignore_errors=True)
    assert p.returncode == 0, out[-4000:]
