"""Signals: what a name or domain says of itself (配资 in the name, pz in the domain), and the
text model's contributions shown as evidence. Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .index import letters as label_letters
from .lexicon import lexicon
from ..normalise import fold
from .settings import Settings

if TYPE_CHECKING:
    from .textmodel import Judgement


@dataclass(frozen=True)
class Signal:
    signal: str  # a lexicon feature id (leverage, court …), "ngram", or a name/domain signal id
    text: str  # what matched
    weight: float  # for names: the evidence score; for text: the share of the model's score
    counter: bool = False  # True when it speaks against an offer (warning, court, report …)
    note: str = ""  # what it is, in Chinese (or both languages)
    note_en: str = ""  # … in English, for a reader of English (the web page in English)

    def to_dict(self) -> dict:
        return {
            "signal": self.signal,
            "text": self.text,
            "weight": self.weight,
            "counter": self.counter,
            "note": self.note,
            "note_en": self.note_en,
        }


def name_signals(text: str, settings: Settings) -> list[Signal]:
    folded = fold(text)
    out = []
    for p in lexicon().name_signals:
        m = p.regex.search(folded)
        if m:
            out.append(Signal(p.id, m.group(0), settings.signal_scores[p.id], note=p.zh, note_en=p.en))
    return out


def domain_signals(label: str, settings: Settings) -> list[Signal]:
    """A registrable label that spells 配资 (…peizi…, ddpz666-style pz + digits)."""
    letters = label_letters(label)
    for stem in lexicon().domain_stems:
        long_stem = len(stem) >= 4 and stem in letters
        short_stem = (
            len(stem) < 4
            and letters != label
            and 0 < len(letters) <= 4
            and (letters.startswith(stem) or letters.endswith(stem))
        )
        if long_stem or short_stem:
            return [
                Signal(
                    "peizi-domain",
                    label,
                    settings.signal_scores["peizi-domain"],
                    note="域名拼写“配资”",
                    note_en="the domain spells 配资 (peizi)",
                )
            ]
    return []


_DOT_OR_DASH = re.compile(r"[.-]")


def imitation_signals(host: str, registrable: str, settings: Settings, userinfo: str = "") -> list[Signal]:
    """A host dressed as a licensed firm's or regulator's domain that is not theirs, as the SAC's
    blacklist of fake broker sites shows they are: theirs written before its own domain's suffix,
    with dots or dashes (www.htsc.com.cn.evil.cn, htsc-com-cn.top, htsc.com.cn-login.top), or
    before an @ (http://htsc.com.cn@evil.cn/). A CDN's host named after its customer's
    (www.htsc.com.cn.cdn.dnsv1.com, lexicon cdn_domains) is the customer's."""
    lx = lexicon()
    if registrable in lx.cdn_domains:
        return []
    suffix = registrable.split(".", 1)[1] if "." in registrable else ""
    head = host[: -len(suffix) - 1] if suffix and host.endswith("." + suffix) else host
    words = [w for w in _DOT_OR_DASH.split(head) if w]  # the host's words, its public suffix left out
    found = next(
        (
            d
            for i in range(len(words))
            for j in range(i + 2, len(words) + 1)
            if (d := ".".join(words[i:j])) in lx.allow_domains and d != registrable
        ),
        None,
    )
    if found is None and userinfo:
        found = next((d for d in lx.allow_domains if userinfo == d or userinfo.endswith("." + d)), None)
    if found is None:
        return []
    weight = settings.signal_scores["imitates-allowed-domain"]
    return [
        Signal(
            "imitates-allowed-domain",
            found,
            weight,
            note="仿冒持牌机构域名 imitates a licensed firm's domain",
            note_en="imitates a licensed firm's domain",
        )
    ]


def strongest(signals: list[Signal]) -> float:
    return max((s.weight for s in signals if not s.counter), default=0.0)


def text_evidence(j: Judgement) -> list[Signal]:
    """The model's largest contributions, as signals a reader can check."""
    notes = {p.id: (p.zh, p.en) for p in lexicon().text_features}
    out = []
    for c in j.contributions:
        fid = c.feature
        base = fid.split(":", 1)[1] if fid.startswith("quoted:") else fid
        if fid == "ngram":  # a phrase of the text (textmodel._phrases), quoted or not
            note, note_en = "词语 phrase", "phrase"
        else:
            zh, en = notes.get(base, (fid, fid))
            note, note_en = zh + ("（引号内 quoted）" if fid != base else ""), en + (" (quoted)" if fid != base else "")
        out.append(Signal(fid, c.text, round(c.weight, 3), c.weight < 0, note, note_en))
    return out
