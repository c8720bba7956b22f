"""The official sources, as data (data/sources.json)."""

from __future__ import annotations

import json
import re

from . import read_data
from functools import lru_cache


@lru_cache(maxsize=1)
def load_sources() -> dict[str, dict]:
    text = read_data("data/sources.json")
    return {s["id"]: s for s in json.loads(text)["sources"]}


def source_meta(source_id: str) -> dict:
    """The source's description; an unknown id gets a bare one (a local list)."""
    return load_sources().get(source_id, {"id": source_id, "publisher": "", "title": "", "url": ""})


_ID = re.compile(r"\w[\w.-]{0,63}")


def id_problem(source_id: str) -> str:
    """Why `source_id` cannot name a new list ("" when it can): not a plain name, or one letter
    or two away from an official source's id (a typo would start a list of its own)."""
    if not _ID.fullmatch(source_id or "") or ".." in source_id:
        return f"--source {source_id!r}: a list's name is letters, digits, '-', '_' or '.' (up to 64)"
    if source_id in load_sources():
        return ""
    from rapidfuzz.distance import Levenshtein

    near = [k for k in load_sources() if Levenshtein.distance(source_id.lower(), k.lower(), score_cutoff=2) <= 2]
    if near:
        return f"unknown source {source_id!r}: did you mean {near[0]!r}? (a new name starts a new list: pick one unlike the official ids)"
    return ""
