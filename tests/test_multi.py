"""The many-key look-ups give what the plain scans they replace gave, on the shipped lists."""
from __future__ import annotations

import json
import random
import re

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from peizi_guard import builtin, matcher
from peizi_guard.matcher.features import prepare
from peizi_guard.matcher.multi import Mentions, Near
from peizi_guard.normalise import clean_text

from .conftest import FIXTURES

CORPUS = FIXTURES.parent / "corpus" / "texts"


def _index():
    return matcher.build(builtin.records())


def test_near_finds_what_a_scan_of_every_key_finds():
    ix = _index()
    rng = random.Random(5)
    queries = []
    for key in rng.sample(ix.fuzzy_keys, 150):
        i = rng.randrange(len(key))
        queries += [key, key[:i] + key[i + 1:], key[:i] + "配" + key[i + 1:], key[:i] + "金" + key[i:]]
    for q in queries:
        brute = [(ix.fuzzy_keys[i], d) for _, d, i in
                 process.extract(q, ix.fuzzy_keys, scorer=Levenshtein.distance, score_cutoff=1, limit=None)]
        found = [(ix.fuzzy_keys[i], Levenshtein.distance(q, ix.fuzzy_keys[i])) for i in ix.near.candidates(q)]
        assert sorted(brute) == sorted(x for x in found if x[1] <= 1), q
    assert Near(["杜德配资"]).candidates("杜德配") == [0] and Near(["杜德配资"]).candidates("杜配") == []


def test_mentions_find_what_one_regular_expression_of_all_keys_found():
    ix = _index()
    keys = ix.mentions.keys()
    rx = re.compile("|".join(map(re.escape, sorted(keys, key=len, reverse=True))))
    texts = [json.loads(line)["text"] for f in sorted(CORPUS.glob("*.jsonl")) for line in open(f, encoding="utf-8")]
    rng = random.Random(6)
    texts += ["".join(rng.choice(keys + ["的", "配资", "，"]) for _ in range(rng.randint(1, 25))) for _ in range(500)]
    found = 0
    for t in texts:
        p = prepare(clean_text(t), cleaned=True)
        want = list(dict.fromkeys(m.group(0) for m in rx.finditer(p)))  # each once, as first named
        assert ix.mentions.find(p) == want, t[:80]
        found += bool(want)
    assert found > 500  # the comparison is not empty-handed
    assert Mentions(["配资", "杜德配资"]).find("在杜德配资配资") == ["杜德配资", "配资"]
