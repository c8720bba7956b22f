"""The offer model on real text from the corpus: reproducible training, run-time scores equal to
the training maths, evidence a reader can check, and precedence that cannot be gamed."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from peizi_guard import builtin, perturb, train
from peizi_guard.matcher import build, check_text
from peizi_guard.normalise import name_key, strip_generic
from peizi_guard.matcher.textmodel import default_model

from .conftest import TEST_DB

# no database in it: retraining is checked once, in the SQLite run
once = pytest.mark.skipif(bool(TEST_DB), reason="database-independent (27 s): runs in the SQLite run")

ROOT = Path(__file__).resolve().parent.parent
DISCLAIMERS = json.loads((ROOT / "corpus" / "perturbations.json").read_text("utf-8"))["disclaimers"]
FOOTERS = [d["text"] for d in DISCLAIMERS if d["kind"] == "risk_footer"]


@pytest.fixture(scope="module")
def ix():
    return build(builtin.records())


@pytest.fixture(scope="module")
def dev():
    return train.development(train.load(train.CORPUS), train.holdout_groups(train.HOLDOUT))


@pytest.fixture(scope="module")
def flagged_offers(ix, dev):
    """Development offers the shipped model flags (it was trained on them: these tests are about
    what the rules around the model do, not about its accuracy, which bench/accuracy.py measures)."""
    return [r["text"] for r in dev if r["label"] == "offer" and check_text(ix, r["text"]).verdict == "suspicious"]


@once
def test_shipped_model_is_reproducible_byte_for_byte(tmp_path):
    out = tmp_path / "model.json"
    train.main(["--out", str(out)])
    assert out.read_bytes() == (ROOT / "peizi_guard" / "data" / "text_model.json").read_bytes()


def test_shipped_model_was_trained_on_the_development_groups_only(dev):
    meta = default_model().meta
    assert meta["texts"] == len(dev) and meta["offers"] == sum(r["label"] == "offer" for r in dev)
    assert meta["corpus_sha256"] == train.corpus_digest(dev)
    assert 0 < default_model().threshold < 1


def test_run_time_scores_equal_the_training_maths(dev):
    rows = dev[::7]
    t = train.Texts.of(rows)
    design = train.Design(t.feats, t.y, t.groups)
    fitted = design.fit(t.y, 4.0)
    expected = fitted.decision(design.transform(t.feats))
    got = train.raw_scores(fitted.model(), t.feats)
    assert np.allclose(got, expected, atol=1e-9)


def test_an_offer_is_explained_by_its_own_words(ix):
    text = "按天配资，1:10杠杆，当天到账，免息体验三天，加微信了解详情。"
    v = check_text(ix, text)
    assert v.verdict == "suspicious" and v.probability >= default_model().threshold
    shown = [s for s in v.signals if s.weight > 0]
    assert shown and all(s.text for s in shown)
    assert "leverage" in {s.signal for s in shown}  # 1:10, named as a leverage figure
    assert any("probability of an offer" in n for n in v.notes)


def test_evidence_phrases_are_whole_clauses_not_fragments(dev):
    """ "加微信了解详情", not "解详" (a run cut where the push changed sign inside the words); a
    clause over CLAUSE characters is still cut, into pieces of it."""
    from peizi_guard.matcher.features import prepare
    from peizi_guard.matcher.textmodel import _ADDRESS, CLAUSE, judge

    text = "按天配资，1:10杠杆，当天到账，免息体验三天，加微信了解详情。"
    phrases = [c.text for c in judge(default_model(), text).contributions if c.feature == "ngram"]
    assert "加微信了解详情" in phrases and set(phrases) <= {
        "按天配资",
        "1:10杠杆",
        "当天到账",
        "免息体验三天",
        "加微信了解详情",
    }
    import re

    for r in dev[::25]:
        j = judge(default_model(), r["text"])
        t = prepare(r["text"])[j.window[0] : j.window[1]] if j.window != (0, 0) else prepare(r["text"])
        words = _ADDRESS.sub("|", t)  # an address is a phrase break too
        clauses = [c for c in re.split(r"[^\w%+:.\-]|_|(?<!\w)[:.\-]|[:.\-](?!\d)", words) if c]
        for c in j.contributions:
            if c.feature == "ngram":
                assert c.text in t and (
                    c.text in clauses or len(c.text) > CLAUSE or any(c.text in k and len(k) > CLAUSE for k in clauses)
                ), (r["id"], c.text)


def test_a_risk_footer_never_turns_an_offer_clear(ix, flagged_offers):
    """Every flagged offer with a real footer, each footer in turn (every pair: bench/accuracy.py)."""
    assert len(flagged_offers) > 150 and len(FOOTERS) > 1
    for i, text in enumerate(flagged_offers):
        footer = FOOTERS[i % len(FOOTERS)]
        assert check_text(ix, perturb.with_disclaimer(text, footer)).verdict != "clear", (text[:60], footer)


def test_a_listed_name_offered_in_a_text_is_listed_whatever_follows(ix, flagged_offers):
    names = [
        e["name"]
        for e in builtin.records()  # 股票配资 / 炒股配资 are listed names, but only trade words
        if e["source"] == "csrc-peizi" and strip_generic(name_key(e["name"]))
    ]
    for i, text in enumerate(flagged_offers[:120]):
        changed = perturb.with_disclaimer(perturb.with_name(text, names[i % len(names)]), FOOTERS[i % len(FOOTERS)])
        v = check_text(ix, changed)
        assert v.verdict == "listed", (names[i % len(names)], text[:60])


def test_invisible_and_width_changes_do_not_hide_an_offer(ix, flagged_offers):
    for text in flagged_offers[:60]:
        for change in (perturb.spaced, perturb.zero_width, perturb.full_width):
            assert check_text(ix, change(text)).verdict != "clear", (change.__name__, text[:60])


def test_a_warning_that_quotes_an_offer_stays_clear(ix, dev, flagged_offers):
    warnings = [r["text"] for r in dev if perturb.is_quoting_report(r)]
    clear = sum(
        check_text(ix, perturb.quoted_in(warnings[i % len(warnings)], text)).verdict == "clear"
        for i, text in enumerate(flagged_offers)
    )
    assert clear / len(flagged_offers) >= 0.9


def test_a_warning_naming_a_listed_platform_stays_clear_with_the_mention_noted(ix, dev):
    warnings = [r["text"] for r in dev if r["kind"] == "regulator_warning" and perturb.is_quoting_report(r)]
    assert warnings
    for w in warnings:
        v = check_text(ix, perturb.quoted_in(w, "杜德配资", None))
        assert v.verdict == "clear", w[:80]
        assert any(m.entry == "杜德配资" for m in v.matches)
        assert any("warning or report" in n for n in v.notes)


def test_text_feature_patterns_are_lower_case():
    """They are compiled without re.I (speed) and read folded, lower-case text: an upper-case
    letter in one would never match."""
    import re

    from peizi_guard.matcher.lexicon import lexicon

    for p in lexicon().text_features:
        assert not re.findall(r"(?<!\\)[A-Z]", p.regex.pattern), p.id
        assert not p.regex.flags & re.I


def test_automaton_finds_the_same_ngrams_and_phrases_as_plain_search(dev):
    """ngrams_of with a vocabulary and the phrase cutting use Aho-Corasick; they must find what
    generating every n-gram and str.find do, on real texts (and their quoted n-grams)."""
    from collections import Counter

    from peizi_guard.matcher import features, textmodel

    model = default_model()
    vocab = model.ngrams
    edge = '加@老师v，"@cyg"“股票配资”股股股股票配资'  # NAMED-looking and quoted n-grams, self-overlaps
    for text in [edge] + [r["text"] for r in dev[::5]]:
        t = features.prepare(text)[:2000]
        for prefix in ("", features.QUOTE):
            fast, every = Counter(), Counter()
            features.ngrams_of(t, fast, prefix, keep=vocab)
            features.ngrams_of(t, every, prefix)
            assert fast == Counter({g: n for g, n in every.items() if g in vocab})
        f = features.extract(t, prepared=True, keep=vocab)
        grams = [(g, vocab[g][1]) for g in f.ngrams if not g.startswith(features.NAMED)]
        assert textmodel._phrases(t, grams, vocab) == textmodel._phrases(t, grams)


def test_skipping_features_by_first_characters_changes_no_features(dev, monkeypatch):
    from peizi_guard.matcher import features
    from peizi_guard.matcher.lexicon import Pattern

    texts = [features.prepare(r["text"]) for r in dev[::3]]
    fast = [features.extract(t) for t in texts]
    monkeypatch.setattr(Pattern, "may_match", lambda self, chars: True)
    for t, got in zip(texts, fast):
        want = features.extract(t)
        assert (got.named, got.hits, got.ngrams) == (want.named, want.hits, want.ngrams)


def test_features_skipped_by_their_required_words_would_have_found_nothing(dev, monkeypatch):
    """extract runs a feature's regex only on a text holding one of its required words: on real
    texts it finds exactly what running every regex finds."""
    from peizi_guard.matcher import features
    from peizi_guard.matcher.lexicon import lexicon

    texts = [features.prepare(r["text"]) for r in dev[::2]]  # every other text: each kind, half the time
    fast = [features.extract(t, prepared=True) for t in texts]
    every = {p.id for p in lexicon().text_features}
    monkeypatch.setattr(features, "cued_features", lambda text: set(every))
    slow = [features.extract(t, prepared=True) for t in texts]
    assert [(f.named, f.hits) for f in fast] == [(f.named, f.hits) for f in slow]
    assert sum(bool(f.named) for f in fast) > len(texts) // 2  # the features do fire
