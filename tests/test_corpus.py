"""The labelled corpus (corpus/): its shape, its provenance and its held-out split."""
from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from peizi_guard import train

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "corpus"))

import check  # noqa: E402


def test_corpus_passes_its_own_checks(capsys):
    assert check.main([]) == 0, capsys.readouterr().out


def test_corpus_size_and_balance():
    rows = train.load(train.CORPUS)
    labels = Counter(r["label"] for r in rows)
    assert len(rows) >= 1500 and labels["offer"] >= 600 and labels["not_offer"] >= 600
    kinds = Counter(r["kind"] for r in rows)
    for kind in ("regulator_warning", "news", "court_judgement", "education", "licensed_margin", "futures_margin",
                 "other_finance", "seo_page", "faq", "product_page", "landing_page"):
        assert kinds[kind] >= 20, kind
    assert "synthetic" not in kinds


def test_every_text_names_a_real_source():
    for r in train.load(train.CORPUS):
        src = r["source"]
        assert src.startswith(("http://", "https://")) or ("/" in src.split(":", 1)[0] and ":" in src), r["id"]


def test_every_text_was_reviewed_twice_and_kept_by_majority():
    notes = {o["id"]: o for o in map(json.loads, (ROOT / "corpus" / "annotations.jsonl").read_text("utf-8").splitlines())}
    raw = {r["id"]: r for r in train.load(ROOT / "corpus" / "raw")}
    for r in train.load(train.CORPUS):
        a, b, c = notes[r["id"]]["a"]["label"], notes[r["id"]]["b"]["label"], raw[r["id"]]["label"]
        assert [a, b, c].count(r["label"]) >= 2, r["id"]
        assert r["text"] == raw[r["id"]]["text"]  # verbatim: the collector's text, unchanged


SECOND_COLLECTION = ("h2o-", "h2n-")  # 2026-11-30: sites and repositories not used before


def test_first_held_out_groups_were_the_seeded_hash_choice():
    groups = {r["group"] for r in train.load(train.CORPUS) if not r["id"].startswith(SECOND_COLLECTION)}
    assert train.holdout_groups(train.HOLDOUT_V1) == {g for g in groups if train.holdout_pick(g)}


def test_held_out_groups_are_the_second_collection_and_nothing_else():
    rows = train.load(train.CORPUS)
    new = {r["group"] for r in rows if r["id"].startswith(SECOND_COLLECTION)}
    old = {r["group"] for r in rows if not r["id"].startswith(SECOND_COLLECTION)}
    assert train.holdout_groups(train.HOLDOUT) == new and not new & old
    assert not train.holdout_groups(train.HOLDOUT) & train.holdout_groups(train.HOLDOUT_V1)


def test_synthetic_texts_are_marked_and_apart():
    for r in train.load(train.SYNTHETIC):
        assert r["kind"] == "synthetic" and r["group"] == "synthetic"
