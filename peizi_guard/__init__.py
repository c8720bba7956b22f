"""peizi-guard: check platforms, URLs and ad text against the official lists of illegal 配资 platforms."""


def version() -> str:
    """The installed package's version ("0+unknown" when run from a bare source tree)."""
    try:
        from importlib.metadata import version as installed

        return installed("peizi-guard")
    except Exception:  # not installed
        return "0+unknown"
