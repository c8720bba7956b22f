"""Build corpus/texts/ from the collectors' files (raw/) and the two blind reviews (annotations.jsonl).

    python corpus/adjudicate.py          # rewrites texts/*.jsonl, then run corpus/check.py

Every raw text was labelled three times: by its collector, and by two annotators who saw only
the text (not its source, collector, label or any model output) and followed LABELLING.md.
The final label is the one at least two of the three gave (offer or not_offer); a text with no
such majority, or that two called undecidable, is left out (it stays in raw/ and in
annotations.jsonl). The kind is the collector's when the collector's label stands, else that of
the annotator(s) in the majority. Groups of one site or template family that collectors named
differently are unified (GROUPS), then near-duplicates are dropped (check.near_duplicates).
"""
from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import check  # noqa: E402

RAW, TEXTS, ANNOTATIONS = HERE / "raw", HERE / "texts", HERE / "annotations.jsonl"
KEYS = ("id", "text", "label", "kind", "source", "group", "date")

# one site or template family, named differently by different collectors
GROUPS = {
    "family:news-lanmu": "family:news-lanmu-farm",
    # 823239259/qihuodasai: one code base behind 配股宝, 投资达人 and 维胜; hhr360 and outer-funding copy its pages
    "site:vs.com": "family:qihuodasai", "site:tzdr.com": "family:qihuodasai",
    "site:peigubao.com": "family:qihuodasai", "site:hhr360.com": "family:qihuodasai",
    "repo:oryxtc/outer-funding": "family:qihuodasai",
    # two copies of the same 80万 SMS data set
    "repo:Ydoit/Spam_Message_Classification": "family:sms-80w",
    "repo:xiaojie16/SpamMessageProcessing": "family:sms-80w",
    "site:kooka-nature.com": "family:yuanding-kwinject",
}


def decide(collector: dict, a: dict | None, b: dict | None) -> tuple[str, str]:
    """(label or "dropped", kind)."""
    votes = [collector["label"]] + [x["label"] for x in (a, b) if x]
    label, n = Counter(votes).most_common(1)[0]
    if n < 2 or label == "undecidable" or (a is None or b is None):
        return "dropped", collector["kind"]
    if label == collector["label"]:
        return label, collector["kind"]
    agree = next(x for x in (a, b) if x["label"] == label)
    return label, agree["kind"]


def main() -> int:
    notes = {}
    if ANNOTATIONS.exists():
        notes = {o["id"]: o for o in map(json.loads, ANNOTATIONS.read_text("utf-8").splitlines())}
    TEXTS.mkdir(exist_ok=True)
    out: dict[str, list[dict]] = {}
    tally: Counter = Counter()
    for path in sorted(RAW.glob("*.jsonl")):
        for line in path.read_text("utf-8").splitlines():
            row = json.loads(line)
            ann = notes.get(row["id"], {})
            label, kind = decide(row, ann.get("a"), ann.get("b"))
            tally[(row["label"], label)] += 1
            if label == "dropped":
                continue
            row = dict(row, label=label, kind=kind, group=GROUPS.get(row["group"], row["group"]))
            row["_file"] = path.name
            out.setdefault(path.name, []).append(row)
    rows = [r for name in sorted(out) for r in out[name]]
    dups = check.near_duplicates(rows)
    gone = {id(rows[drop]) for _, drop, _ in dups}
    for old in TEXTS.glob("*.jsonl"):
        old.unlink()
    for name in sorted(out):
        keep = [r for r in rows if r["_file"] == name and id(r) not in gone]
        lines = [json.dumps({k: r[k] for k in KEYS if k in r}, ensure_ascii=False) for r in keep]
        (TEXTS / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    for (was, now), n in sorted(tally.items()):
        print(f"collector {was:<10} -> {now:<10} {n:>5}")
    print(f"{len(dups)} near-duplicates left out; texts in {TEXTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
