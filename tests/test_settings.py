"""Every number the matcher decides with comes from one Settings object (and the model file),
and a test or experiment can inject others."""
from __future__ import annotations

from dataclasses import replace

from peizi_guard import builtin
from peizi_guard.matcher import DEFAULT, TextModel, build, check, check_text

AD = "按天配资，1:10杠杆，当天到账，免息体验三天，加微信了解详情。"


def test_thresholds_are_injected_through_the_index():
    records = builtin.records()
    assert check(build(records), "ddpz999.com").verdict == "suspicious"  # mirror domain, 0.8
    strict = build(records, settings=replace(DEFAULT, suspicious=0.85))
    assert check(strict, "ddpz999.com").verdict == "clear"
    cheap = build(records, settings=replace(DEFAULT, method_scores={**DEFAULT.method_scores, "mirror-domain": 0.95}))
    assert check(cheap, "ddpz999.com").score == 0.95
    assert check_text(build(records), AD).verdict == "suspicious"
    assert check_text(build(records, settings=replace(DEFAULT, text_threshold=0.9999)), AD).verdict == "clear"


def test_a_model_is_injected_through_the_index():
    silent = TextModel(intercept=-10.0, calibration=(1.0, 0.0), threshold=0.5, ngrams={}, meta={})
    v = check_text(build(builtin.records(), model=silent), AD)
    assert v.verdict == "clear" and v.probability < 0.001
    eager = TextModel(intercept=10.0, calibration=(1.0, 0.0), threshold=0.5, ngrams={}, meta={})
    assert check_text(build(builtin.records(), model=eager), "今天天气不错").verdict == "suspicious"


def test_the_note_shows_the_probability_as_the_score_shows_it():
    """0.9951 was "score 0.99" (rounded to 3 places, then shown with 2) beside "probability 1.00"."""
    import math

    from peizi_guard.output.report import render

    for p in (0.9951, 0.9949, 0.6049, 0.12345, 0.0051):
        model = TextModel(intercept=math.log(p / (1 - p)), calibration=(1.0, 0.0), threshold=0.5, ngrams={}, meta={})
        v = check_text(build(builtin.records(), model=model), "今天天气不错")
        shown = f"{v.score:.2f}"
        assert f"probability of an offer {shown} " in v.notes[0] and f"(score {shown})" in render(v), (p, v.notes)
