"""Every number the matcher decides with, in one place (the text model's weights and its
threshold live in data/text_model.json). Pass a changed copy to `build(..., settings=)` to
try other values: `dataclasses.replace(DEFAULT, suspicious=0.7)`."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Settings:
    # verdict: evidence scoring at least this makes a name or URL query suspicious
    suspicious: float = 0.6
    # scores of the non-exact match methods (exact, host, domain and path are 1.0 and listed)
    method_scores: dict = field(
        default_factory=lambda: {
            "company-core": 0.85,
            "name-inside": 0.8,
            "name-core": 0.8,
            "formerly-listed": 0.8,  # on an earlier issue of a list, not on the current one
            "common-account": 0.7,  # an app or WeChat name anyone may have (程经理, 319), as listed
            "homophone": 0.9,
            "mirror-domain": 0.8,
            "short-mirror": 0.75,
            "pinyin-domain": 0.7,
            "idn-name": 0.85,
        }
    )
    # names and domains that spell 配资 / 杠杆 themselves
    signal_scores: dict = field(
        default_factory=lambda: {
            "peizi-in-name": 0.7,
            "leverage-in-name": 0.6,
            "peizi-domain": 0.6,
            "imitates-allowed-domain": 0.75,
        }
    )
    # an address mentioned in a text counts when its match scores at least this
    text_url_min_score: float = 0.8
    # the text model: None = the threshold stored with the model (chosen by cross-validation)
    text_threshold: float | None = None
    # long texts are judged in windows of this many characters (the worst window decides)
    text_window: int = 2000
    text_stride: int = 1500
    # judge at most this many characters of a text (None: all of it; a cut is noted in the verdict)
    text_max_chars: int | None = None
    # how many contributing features a text verdict shows
    text_evidence: int = 8
    # name matching
    fuzzy_min_length: int = 4
    homophone_min_length: int = 3
    # a name longer than this is matched as written only (no one-edit, homophone or pinyin keys):
    # its one-edit neighbourhood grows with the square of its length, and no listed name is near it
    near_max_length: int = 64
    mirror_min_letters: int = 3
    text_mention_min_length: int = 3


DEFAULT = Settings()
