"""Speed of the text judgement (target: ≤ 2 ms for a 1 kB text).

Texts are cut from the real corpus into pieces of 1 kB of UTF-8 (about 330 Chinese
characters); each is judged `--repeat` times and the best time kept (the machine's noise is
not the model's). Reported: median and 99th percentile per piece, for the model alone
(features + score) and for the whole `check_text` (model, listed names and addresses, evidence).

    python bench/bench_text.py [--pieces 1000] [--repeat 3]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def pieces(n: int, size: int = 1000) -> list[str]:
    from common import corpus_texts

    out = []
    for text in corpus_texts():
        while len(text.encode()) >= size and len(out) < n:
            cut = text.encode()[:size].decode("utf-8", "ignore")
            out.append(cut)
            text = text[len(cut):]
    return out[:n]


def timed(fn, items: list[str], repeat: int) -> list[float]:  # noqa: ANN001
    out = []
    for t in items:
        best = float("inf")
        for _ in range(repeat):
            t0 = time.perf_counter()
            fn(t)
            best = min(best, time.perf_counter() - t0)
        out.append(best * 1000)
    return out


def report(name: str, ms: list[float]) -> None:
    ms = sorted(ms)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    print(f"{name:<34} median {statistics.median(ms):6.3f} ms   p99 {p99:6.3f} ms   max {ms[-1]:6.3f} ms")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pieces", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    from peizi_guard import builtin
    from peizi_guard.matcher import build, check_text
    from peizi_guard.matcher.textmodel import default_model, judge

    t0 = time.perf_counter()
    model = default_model()
    t1 = time.perf_counter()
    ix = build(builtin.records())
    items = pieces(args.pieces)
    print(f"{len(items)} pieces of 1 kB from the corpus; model loaded in {(t1 - t0) * 1000:.0f} ms "
          f"({len(model.ngrams)} n-grams)")
    report("model (features + score)", timed(lambda t: judge(model, t, explain=0), items, args.repeat))
    report("model with evidence", timed(lambda t: judge(model, t, explain=8), items, args.repeat))
    report("check_text (whole verdict)", timed(lambda t: check_text(ix, t), items, args.repeat))
    return 0


if __name__ == "__main__":
    sys.exit(main())
