"""Check the corpus and print its make-up; `--fix` rewrites texts/*.jsonl without near-duplicates.

    python corpus/check.py            # schema, duplicates, counts per kind / label / group
    python corpus/check.py --fix      # drop near-duplicates (the later copy) and renumber nothing

Rules (corpus/README.md): every object has id, text, label, kind, source, group (date and note
optional); ids are unique; a text is 20–3,000 characters; two texts whose 5-character shingles
overlap by 80 % or more of the shorter one are near-duplicates (50 % when they are in different
groups: a partial copy of another site's text must not sit on the other side of a split), and
only the first is kept.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
TEXTS = HERE / "texts"
OFFER_KINDS = {"landing_page", "faq", "product_page", "seo_page", "sms", "social_post", "forum_post", "app_description"}
NOT_OFFER_KINDS = {"regulator_warning", "news", "court_judgement", "education", "personal_story", "licensed_margin",
                   "futures_margin", "other_finance", "unrelated"}
KEYS = {"id", "text", "label", "kind", "source", "group"}
OPTIONAL = {"date", "note"}
SHINGLE, OVERLAP, CROSS_OVERLAP, MIN_LEN, MAX_LEN = 5, 0.8, 0.5, 20, 3000
_SPACE = re.compile(r"\s+")


def load(folder: Path = TEXTS) -> list[dict]:
    rows = []
    for path in sorted(folder.glob("*.jsonl")):
        for n, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            if line.strip():
                row = json.loads(line)
                row["_file"], row["_line"] = path.name, n
                rows.append(row)
    return rows


def problems(row: dict) -> list[str]:
    out = []
    keys = set(row) - {"_file", "_line"}
    if KEYS - keys:
        out.append(f"missing {sorted(KEYS - keys)}")
    if keys - KEYS - OPTIONAL:
        out.append(f"unknown keys {sorted(keys - KEYS - OPTIONAL)}")
    kinds = OFFER_KINDS if row.get("label") == "offer" else NOT_OFFER_KINDS if row.get("label") == "not_offer" else None
    if kinds is None:
        out.append(f"bad label {row.get('label')!r}")
    elif row.get("kind") not in kinds:
        out.append(f"kind {row.get('kind')!r} does not go with label {row['label']}")
    if not MIN_LEN <= len(row.get("text", "")) <= MAX_LEN:
        out.append(f"text length {len(row.get('text', ''))}")
    if not str(row.get("source", "")).strip() or not str(row.get("group", "")).strip():
        out.append("empty source or group")
    return out


def shingles(text: str) -> set[str]:
    t = _SPACE.sub("", text).lower()
    return {t[i:i + SHINGLE] for i in range(max(1, len(t) - SHINGLE + 1))}


def near_duplicates(rows: list[dict]) -> list[tuple[int, int, float]]:
    """(kept, dropped, overlap) for every text that repeats an earlier one."""
    sets = [shingles(r["text"]) for r in rows]
    postings: dict[str, list[int]] = defaultdict(list)
    out = []
    dropped: set[int] = set()
    for i, s in enumerate(sets):
        counts: Counter = Counter()
        for sh in s:
            for j in postings.get(sh, ()):
                counts[j] += 1
        for j, n in counts.most_common(5):
            overlap = n / max(1, min(len(s), len(sets[j])))
            limit = OVERLAP if rows[i]["group"] == rows[j]["group"] else CROSS_OVERLAP
            if overlap >= limit and j not in dropped:
                out.append((j, i, overlap))
                dropped.add(i)
                break
        if i not in dropped:
            for sh in s:
                postings[sh].append(i)
    return out


def report(rows: list[dict]) -> None:
    by = Counter((r["label"], r["kind"]) for r in rows)
    print(f"{len(rows)} texts: {sum(r['label'] == 'offer' for r in rows)} offers, "
          f"{sum(r['label'] == 'not_offer' for r in rows)} not offers; "
          f"{len({r['source'] for r in rows})} distinct sources, {len({r['group'] for r in rows})} groups")
    for (label, kind), n in sorted(by.items()):
        groups = len({r["group"] for r in rows if r["kind"] == kind and r["label"] == label})
        print(f"  {label:<10}{kind:<18}{n:>5}  ({groups} groups)")
    big = Counter(r["group"] for r in rows).most_common(5)
    print("largest groups: " + ", ".join(f"{g} {n}" for g, n in big))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fix", action="store_true", help="rewrite the files without near-duplicates")
    ap.add_argument("--folder", type=Path, default=TEXTS)
    args = ap.parse_args(argv)
    rows = load(args.folder)
    bad = [(r, p) for r in rows for p in problems(r)]
    ids = Counter(r.get("id") for r in rows)
    bad += [(r, "duplicate id") for r in rows if ids[r.get("id")] > 1]
    for r, p in bad:
        print(f"{r['_file']}:{r['_line']}: {r.get('id')}: {p}")
    dups = near_duplicates(rows)
    for keep, drop, ov in dups:
        print(f"near-duplicate ({ov:.0%}): {rows[drop]['id']} repeats {rows[keep]['id']}")
    if args.fix and dups:
        gone = {drop for _, drop, _ in dups}
        for name in sorted({r["_file"] for r in rows}):
            keep = [r for i, r in enumerate(rows) if r["_file"] == name and i not in gone]
            lines = [json.dumps({k: v for k, v in r.items() if not k.startswith("_")}, ensure_ascii=False) for r in keep]
            (args.folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
        rows = [r for i, r in enumerate(rows) if i not in gone]
        print(f"removed {len(gone)} near-duplicates")
        dups = []
    report(rows)
    return 1 if bad or dups else 0


if __name__ == "__main__":
    sys.exit(main())
