"""The official sources, as data (data/sources.json)."""

from __future__ import annotations

import json

from . import read_data
from functools import lru_cache


@lru_cache(maxsize=1)
def load_sources() -> dict[str, dict]:
    text = read_data("data/sources.json")
    return {s["id"]: s for s in json.loads(text)["sources"]}


def source_meta(source_id: str) -> dict:
    """The source's description; an unknown id gets a bare one (a local list)."""
    return load_sources().get(source_id, {"id": source_id, "publisher": "", "title": "", "url": ""})
