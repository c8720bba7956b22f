"""Parse untrusted documents in a child process with a memory cap and a time limit.

A 1 MiB PDF can inflate to gigabytes (a decompression bomb); no parser library promises to stop
it. The child (`python -m peizi_guard.scraper.capped`, about 0.2 s to start) limits its own
address space first (RLIMIT_AS, where the platform has one), reads the document from stdin and
writes the parse to stdout. Past the cap an allocation fails, the child reports MemoryError or
dies, and the parent raises a one-line DocumentError. Nothing the child does can touch the
database: it never opens it.
"""

from __future__ import annotations

import importlib
import os
import pickle
import subprocess
import sys
from typing import Any, Callable

from ..errors import first_line
from ..model import DocumentError

MAX_MEMORY_MIB = 448  # address space of the parsing child; $PEIZI_GUARD_PARSE_MEMORY overrides
TIME_LIMIT = 300.0  # seconds per document; $PEIZI_GUARD_PARSE_SECONDS overrides


def max_memory() -> int:
    return int(os.environ.get("PEIZI_GUARD_PARSE_MEMORY", MAX_MEMORY_MIB)) << 20


def time_limit() -> float:
    return float(os.environ.get("PEIZI_GUARD_PARSE_SECONDS", TIME_LIMIT))


def run_capped(fn: Callable, *args: Any, what: str = "document") -> Any:
    """fn(*args) in a capped child. fn is passed by name (module-level, importable); its
    arguments and result must pickle. The child sees the parent's sys.path."""
    limit, seconds = max_memory(), time_limit()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    job = pickle.dumps((fn.__module__, fn.__qualname__, args, limit))
    too_big = f"the {what} needs more than {limit >> 20} MiB to parse (a decompression bomb?): refused"
    try:
        proc = subprocess.run(
            [sys.executable, "-m", __name__], input=job, capture_output=True, timeout=seconds, env=env
        )
    except subprocess.TimeoutExpired:
        raise DocumentError(f"parsing the {what} took longer than {seconds:g} s: stopped") from None
    try:
        kind, value = pickle.loads(proc.stdout)
    except Exception:  # died without a word: killed at the cap, or crashed in C code
        raise DocumentError(
            too_big
            if proc.returncode < 0 or b"MemoryError" in proc.stderr
            else f"the parser stopped on this {what} (exit {proc.returncode})"
        ) from None
    if kind == "ok":
        return value
    if kind == "document":
        raise DocumentError(value)
    if kind == "memory":
        raise DocumentError(too_big)
    raise DocumentError(f"{what} not understood ({value})")


def parse_document(data: bytes, hint: str = "", expect_layout: str = ""):
    """`parse.parse_document` under the caps (looked up at call time, so tests can replace it)."""
    from . import parse

    return run_capped(parse.parse_document, data, hint, expect_layout)


def _limit(limit: int) -> None:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):
        pass  # no address-space limit on this platform: the time limit still holds


def _child() -> None:
    module, name, args, limit = pickle.loads(sys.stdin.buffer.read())
    _limit(limit)
    try:
        fn: Any = importlib.import_module(module)
        for part in name.split("."):
            fn = getattr(fn, part)
        answer: tuple = ("ok", fn(*args))
    except DocumentError as exc:
        answer = ("document", str(exc))
    except MemoryError:
        answer = ("memory", "")
    except Exception as exc:  # a parser tripping over an unexpected layout
        line = first_line(exc)
        answer = ("crash", f"{type(exc).__name__}: {line}"[:200] if line else type(exc).__name__)
    try:
        out = pickle.dumps(answer)
    except MemoryError:
        out = pickle.dumps(("memory", ""))
    sys.stdout.buffer.write(out)


if __name__ == "__main__":
    _child()
