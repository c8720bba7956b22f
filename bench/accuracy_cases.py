"""Accuracy of `check` on the labelled cases in tests/cases/check_cases.tsv.

Per category: n, precision and recall of "flagged" (listed or suspicious) against the labels,
and exact-verdict accuracy; then overall, and the failing cases.

    python bench/accuracy_cases.py [--cases FILE] [--quiet]
"""
from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FLAGGED = {"listed", "suspicious"}


def entries() -> list[dict]:
    from peizi_guard import builtin

    return builtin.records()  # every shipped list: the CSRC platforms and the SAC blacklist


def ratio(num: int, den: int) -> str:
    return f"{num / den:.3f}" if den else "  -  "


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", default=str(ROOT / "tests" / "cases" / "check_cases.tsv"))
    ap.add_argument("--quiet", action="store_true", help="table only, no list of failures")
    args = ap.parse_args()

    from peizi_guard.matcher import build, check

    with open(args.cases, encoding="utf-8", newline="") as fh:
        cases = list(csv.DictReader(fh, delimiter="\t"))
    t0 = time.perf_counter()
    ix = build(entries())
    t1 = time.perf_counter()
    rows = [(c, check(ix, c["query"], c["kind"])) for c in cases]
    t2 = time.perf_counter()

    by_cat: dict[str, list] = defaultdict(list)
    for c, v in rows:
        by_cat[c["category"]].append((c, v))

    head = f"{'category':<16}{'n':>5}{'TP':>5}{'FP':>5}{'FN':>5}{'prec(flag)':>12}{'rec(flag)':>11}{'exact acc':>11}"
    print(head)
    print("-" * len(head))

    def line(name: str, items: list) -> None:
        tp = sum(1 for c, v in items if c["expected"] in FLAGGED and v.verdict in FLAGGED)
        fp = sum(1 for c, v in items if c["expected"] not in FLAGGED and v.verdict in FLAGGED)
        fn = sum(1 for c, v in items if c["expected"] in FLAGGED and v.verdict not in FLAGGED)
        ok = sum(1 for c, v in items if c["expected"] == v.verdict)
        print(f"{name:<16}{len(items):>5}{tp:>5}{fp:>5}{fn:>5}{ratio(tp, tp + fp):>12}{ratio(tp, tp + fn):>11}"
              f"{ratio(ok, len(items)):>11}")

    for cat in by_cat:  # file order
        line(cat, by_cat[cat])
    print("-" * len(head))
    line("overall", rows)
    print(f"\nindex built in {t1 - t0:.2f} s; {len(rows)} checks in {t2 - t1:.2f} s")

    wrong = [(c, v) for c, v in rows if c["expected"] != v.verdict]
    if wrong and not args.quiet:
        print(f"\n{len(wrong)} failing case(s):")
        for c, v in wrong:
            ev = "; ".join(f"{m.method}:{m.field}={m.value}#{m.seq}" for m in v.matches[:2]) or "-"
            sig = ", ".join(f"{s.signal}{'(counter)' if s.counter else ''}={s.text}" for s in v.signals[:5]) or "-"
            print(f"  [{c['category']}] {c['query']}\n      expected {c['expected']}, got {v.verdict} "
                  f"({v.score}); matches: {ev}; signals: {sig}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
