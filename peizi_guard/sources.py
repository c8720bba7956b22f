"""The official sources, as data (data/sources.json)."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=1)
def load_sources() -> dict[str, dict]:
    text = resources.files("peizi_guard").joinpath("data/sources.json").read_text("utf-8")
    return {s["id"]: s for s in json.loads(text)["sources"]}


def source_meta(source_id: str) -> dict:
    """The source's description; an unknown id gets a bare one (a local list)."""
    return load_sources().get(source_id, {"id": source_id, "publisher": "", "title": "", "url": ""})
