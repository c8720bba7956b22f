"""peizi-guard: check platforms, URLs and ad text against the official lists of illegal 配资 platforms."""

import os
from functools import lru_cache

PACKAGE = os.path.dirname(os.path.abspath(__file__))


def read_data(name: str) -> str:
    """A text file shipped in the package (`data/lexicon.json`), read as UTF-8; a plain file read:
    importlib.resources would import its readers and zipfile first, 15 ms of a cold check."""
    with open(os.path.join(PACKAGE, *name.split("/")), encoding="utf-8") as fh:
        return fh.read()


# the values scan takes (low, high; None: no bound), for `scan`'s options and ScanOptions alike
# (jobs: every command's --jobs)
SCAN_LIMITS: dict[str, tuple] = {
    "concurrency": (1, 256),
    "timeout": (0.1, 600),
    "max_bytes": (1024, None),
    "jobs": (0, 64),
}


def check_limit(label: str, name: str, value: object) -> None:
    """`value` for `name` within SCAN_LIMITS: TypeError when it is not a number, ValueError out
    of range; `label` names it in the message (ScanOptions.timeout, jobs)."""
    low, high = SCAN_LIMITS[name]
    if isinstance(value, bool) or not isinstance(value, (int, float) if name == "timeout" else int):
        raise TypeError(f"{label} must be a number, not {type(value).__name__}")
    if value < low or (high is not None and value > high):
        raise ValueError(f"{label} must be in {low}…{high if high is not None else ''}, not {value}")


def cores() -> int:
    """The cores this process may run on (its affinity where the system tells it)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


@lru_cache(maxsize=1)
def version() -> str:
    """The installed package's version ("0+unknown" when run from a bare source tree); read once
    (importlib.metadata parses the package's metadata file each time: 1.5 ms a request in `scan`)."""
    try:
        from importlib.metadata import version as installed

        return installed("peizi-guard")
    except Exception:  # not installed
        return "0+unknown"


def __getattr__(name: str):  # noqa: ANN202
    """`from peizi_guard import Guard` without importing the library for the CLI's every start."""
    if name == "Guard":
        from .guard import Guard

        return Guard
    raise AttributeError(f"module 'peizi_guard' has no attribute {name!r}")
