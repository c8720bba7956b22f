"""Helpers shared by the benchmark scripts: timing whole processes and building inputs."""
from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"


def exe() -> list[str]:
    """The installed console script, else the module through this interpreter."""
    found = shutil.which("peizi-guard", path=str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""))
    return [found] if found else [sys.executable, "-c", "from peizi_guard.cli import run; run()"]


def run(args: list[str], env: dict | None = None, stdin=None) -> tuple[float, int, subprocess.CompletedProcess]:  # noqa: ANN001
    """(wall seconds, peak RSS of children in MiB so far, completed process)."""
    t = time.perf_counter()
    proc = subprocess.run(exe() + args, env={**os.environ, **(env or {})}, stdin=stdin,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wall = time.perf_counter() - t
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return wall, int(rss), proc


def best_of(n: int, fn) -> float:  # noqa: ANN001
    return min(fn() for _ in range(n))


def entries() -> list[dict]:
    from peizi_guard import builtin

    return builtin.records()


def report(title: str, rows: list[tuple[str, str]]) -> None:
    print(f"\n## {title}")
    for k, v in rows:
        print(f"- {k}: {v}")


def dump(path: Path, obj) -> None:  # noqa: ANN001
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=1))
