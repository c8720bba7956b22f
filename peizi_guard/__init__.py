"""peizi-guard: check platforms, URLs and ad text against the official lists of illegal 配资 platforms."""

from functools import lru_cache


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
