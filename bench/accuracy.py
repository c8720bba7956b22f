"""How well the offer model judges real text: grouped cross-validation on the corpus, with
95 % confidence intervals, per kind, against a keyword baseline; metamorphic robustness; and,
once, the held-out groups. Needs the `train` extra.

    python bench/accuracy.py                 # nested grouped CV + robustness (a few minutes)
    python bench/accuracy.py --holdout       # score the held-out groups with the shipped model
    python bench/accuracy.py --curve         # the same CV with 25–100 % of the training groups

Design
- Texts: corpus/texts/*.jsonl minus the held-out groups (corpus/holdout_groups.txt); synthetic
  texts (corpus/synthetic.jsonl) are added to every training fold and never scored.
- Outer loop: 5 folds by group (StratifiedGroupKFold), so no site or template family is on
  both sides. Inside each training part an inner grouped 5-fold CV gives out-of-fold scores for
  the calibration and the threshold (best F1 with a false-alarm rate ≤ 2 %); the model is then
  fitted on the whole training part and judges the outer test fold. Nothing of the test fold
  touches its model, its calibration or its threshold.
- Intervals: percentile bootstrap over groups (2,000 resamples), since texts of one group are
  not independent.
- Robustness: each outer-fold model judges its own test-fold offers after each change; a flip is
  an offer flagged before the change (by `check_text`, as at run time) and clear after it (for "quoted in a warning" the flip we
  want is to clear; for "listed name" the verdict must become listed). Disclaimers are real
  footers (corpus/perturbations.json); the warnings an offer is quoted in are real warnings,
  news or explanations from the same test fold (never seen by that fold's model) that quote
  something themselves: the offer takes the place of their first quotation.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from peizi_guard import perturb, train  # noqa: E402
from peizi_guard.matcher.features import prepare  # noqa: E402
from peizi_guard.normalise import name_key, strip_generic  # noqa: E402

PERTURBATIONS = ROOT / "corpus" / "perturbations.json"
HOLDOUT_RESULT = ROOT / "corpus" / "holdout_result.json"
HOLDOUT_SEEN = ROOT / "corpus" / "holdout_seen.txt"  # texts shown before the split was fixed (none in v2)
BOOT, SEED = 2000, 7


# ---- metrics --------------------------------------------------------------------------

def counts(y: np.ndarray, flag: np.ndarray) -> dict:
    tp, fp = int(np.sum(flag & (y == 1))), int(np.sum(flag & (y == 0)))
    fn, tn = int(np.sum(~flag & (y == 1))), int(np.sum(~flag & (y == 0)))
    return {"tp": tp, "fp": fp, "fn": fn, "tn": tn}


def scores(c: dict) -> dict:
    p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else float("nan")
    r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else float("nan")
    f1 = 2 * c["tp"] / (2 * c["tp"] + c["fp"] + c["fn"]) if c["tp"] else 0.0
    fpr = c["fp"] / (c["fp"] + c["tn"]) if c["fp"] + c["tn"] else float("nan")
    return {"precision": p, "recall": r, "f1": f1, "fpr": fpr}


def resample(groups: list[str], stat, n: int = BOOT) -> list:  # noqa: ANN001
    """`stat(indices)` over `n` percentile-bootstrap resamples of whole groups."""
    by: dict[str, list[int]] = defaultdict(list)
    for i, g in enumerate(groups):
        by[g].append(i)
    keys, rng = sorted(by), random.Random(SEED)
    return [stat([i for g in rng.choices(keys, k=len(keys)) for i in by[g]]) for _ in range(n)]


def bootstrap(y: np.ndarray, flag: np.ndarray, groups: list[str]) -> dict:
    """95 % percentile intervals of each score, resampling whole groups."""
    samples = defaultdict(list)
    for s in resample(groups, lambda idx: scores(counts(y[idx], flag[idx]))):
        for k, v in s.items():
            if v == v:  # not nan
                samples[k].append(v)
    return {k: (float(np.percentile(v, 2.5)), float(np.percentile(v, 97.5))) for k, v in samples.items()}


def line(name: str, y: np.ndarray, flag: np.ndarray, groups: list[str]) -> str:
    s, ci = scores(counts(y, flag)), bootstrap(y, flag, groups)
    cell = lambda k: f"{s[k]:.3f} [{ci[k][0]:.3f}, {ci[k][1]:.3f}]" if k in ci else f"{s[k]:.3f}"  # noqa: E731
    return f"{name:<22}{cell('precision'):>26}{cell('recall'):>26}{cell('f1'):>26}{cell('fpr'):>26}"


HEAD = f"{'':<22}{'precision [95% CI]':>26}{'recall [95% CI]':>26}{'F1 [95% CI]':>26}{'false-alarm rate':>26}"


# ---- nested grouped cross-validation ---------------------------------------------------

def nested_cv(rows: list[dict], synthetic: list[dict], k: int) -> tuple[np.ndarray, np.ndarray, list]:
    """Outer-fold probability and decision for every text, and each fold's (model, test indices)."""
    t, syn = train.Texts.of(rows), train.Texts.of(synthetic)
    prob, flag, models = np.zeros(len(rows)), np.zeros(len(rows), dtype=bool), []
    for n, (tr, te) in enumerate(train.folds(t.y, t.groups, k)):
        t0 = time.perf_counter()
        part = t.take(tr)
        rc = train.recipe(part, syn)
        model = train.fit_all(part, syn, rc)
        raw = train.raw_scores(model, [t.feats[i] for i in te])
        prob[te] = [model.probability_of(s) for s in raw]
        flag[te] = prob[te] >= rc.threshold
        models.append((model, te))
        print(f"  fold {n + 1}/{k}: {len(tr)} train / {len(te)} test texts, C {rc.c:g}, threshold {rc.threshold:.3f}, "
              f"{time.perf_counter() - t0:.1f} s", flush=True)
    return prob, flag, models


def learning_curve(rows: list[dict], synthetic: list[dict], k: int, repeats: int = 3) -> list[str]:
    """Nested grouped CV as above, each training part cut to a share of its groups (seeded draws):
    whether more sites and template families would raise the scores."""
    from sklearn.metrics import average_precision_score

    t, syn = train.Texts.of(rows), train.Texts.of(synthetic)
    folds = train.folds(t.y, t.groups, k)
    out = []
    for share in (0.25, 0.5, 0.75, 1.0):
        runs = []
        for rep in range(repeats if share < 1 else 1):
            rng = random.Random(SEED + rep)
            prob, flag = np.zeros(len(rows)), np.zeros(len(rows), dtype=bool)
            for tr, te in folds:
                groups = sorted({t.groups[i] for i in tr})
                kept = set(rng.sample(groups, round(share * len(groups))))
                part = t.take([i for i in tr if t.groups[i] in kept])
                rc = train.recipe(part, syn)
                model = train.fit_all(part, syn, rc)
                prob[te] = [model.probability_of(s) for s in train.raw_scores(model, [t.feats[i] for i in te])]
                flag[te] = prob[te] >= rc.threshold
            s = scores(counts(t.y, flag))
            runs.append((s["f1"], s["recall"], s["fpr"], average_precision_score(t.y, prob)))
        f1, rec, fpr, ap = (float(np.mean(x)) for x in zip(*runs))
        out.append(f"{share:>5.0%} of each training part's groups: F1 {f1:.3f} (runs "
                   f"{', '.join(f'{r[0]:.3f}' for r in runs)}), recall {rec:.3f}, false alarms {fpr:.1%}, "
                   f"average precision {ap:.3f}")
        print("  " + out[-1], flush=True)
    return out


def calibration(prob: np.ndarray, y: np.ndarray) -> str:
    brier = float(np.mean((prob - y) ** 2))
    bins = np.minimum((prob * 10).astype(int), 9)
    ece = sum(abs(prob[bins == b].mean() - y[bins == b].mean()) * np.sum(bins == b) for b in range(10) if np.any(bins == b))
    return f"Brier score {brier:.4f}; expected calibration error (10 bins) {ece / len(y):.4f}"


def per_kind(rows: list[dict], y: np.ndarray, flag: np.ndarray) -> list[str]:
    out = [f"{'kind':<20}{'label':<11}{'n':>5}{'groups':>8}{'flagged':>9}{'rate [95% CI]':>24}"]
    kinds = sorted({(r["label"], r["kind"]) for r in rows}, key=lambda x: (x[0] != "offer", x[1]))
    for label, kind in kinds:
        idx = [i for i, r in enumerate(rows) if r["kind"] == kind and r["label"] == label]
        f = flag[idx]
        grp = [rows[i]["group"] for i in idx]
        ci = _rate_ci(f, grp)
        out.append(f"{kind:<20}{label:<11}{len(idx):>5}{len(set(grp)):>8}{int(f.sum()):>9}"
                   f"{f.mean():>10.3f} [{ci[0]:.3f}, {ci[1]:.3f}]")
    return out


def _rate_ci(f: np.ndarray, groups: list[str]) -> tuple[float, float]:
    vals = resample(groups, lambda idx: float(f[idx].mean()))
    return float(np.percentile(vals, 2.5)), float(np.percentile(vals, 97.5))


# ---- robustness ------------------------------------------------------------------------

def robustness(rows: list[dict], flag: np.ndarray, models: list) -> list[str]:
    from peizi_guard import builtin
    from peizi_guard.matcher import build, check_text

    real = json.loads(PERTURBATIONS.read_text("utf-8"))["disclaimers"]
    footers = [d["text"] for d in real if d["kind"] == "risk_footer"]
    mentions = [d["text"] for d in real if d["kind"] == "regulator_mention"]
    names = [e["name"] for e in builtin.records()  # a listed name that is more than the trade words (股票配资)
             if e.get("source") == "csrc-peizi" and strip_generic(name_key(e["name"]))]
    records = builtin.records()
    rng = random.Random(SEED)
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # change -> [flips, offers tried]
    for model, te in models:
        ix = build(records, model=model)
        warnings = [rows[i]["text"] for i in te if perturb.is_quoting_report(rows[i])]
        for i in te:
            r = rows[i]
            if r["label"] != "offer" or not flag[i]:
                continue
            text = r["text"]
            if check_text(ix, text).verdict == "clear":  # flagged on the whole text, clear as judged
                continue  # at run time (a text over the window is judged in windows): no flip to see
            changes = {"risk footer appended": perturb.with_disclaimer(text, rng.choice(footers)),
                       "CSRC-mention sentence appended": perturb.with_disclaimer(text, rng.choice(mentions))}
            changes.update({f"{k} inserted": fn(text) for k, fn in perturb.NOISE.items()})
            for change, changed in changes.items():
                tally[change][1] += 1
                tally[change][0] += check_text(ix, changed).verdict == "clear"
            for change, limit in (("quoted in a warning (first 120 chars)", 120), ("quoted in a warning (whole offer)", None)):
                v = check_text(ix, perturb.quoted_in(rng.choice(warnings), text, limit)).verdict
                tally[change][1] += 1
                tally[change][0] += v == "clear"
            v = check_text(ix, perturb.with_name(text, rng.choice(names))).verdict
            tally["listed name inserted"][1] += 1
            tally["listed name inserted"][0] += v == "listed"
    out = [f"{'change':<40}{'offers':>8}{'result':>30}"]
    for change, (k, n) in tally.items():
        what = ("became clear" if change.startswith("quoted") else "became listed" if "listed" in change
                else "flipped to clear")
        out.append(f"{change:<40}{n:>8}{k / n:>12.1%} {what:<17}")
    return out


# ---- main ------------------------------------------------------------------------------

def keyword(rows: list[dict]) -> np.ndarray:
    return np.array(["配资" in prepare(r["text"]) for r in rows])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--folds", type=int, default=train.FOLDS)
    ap.add_argument("--holdout", action="store_true", help="score the held-out groups (once!) and record it")
    ap.add_argument("--again", action="store_true", help="with --holdout: overwrite an earlier record")
    ap.add_argument("--no-robustness", action="store_true")
    ap.add_argument("--curve", action="store_true", help="learning curve: the scores with 25-100 %% of the training groups")
    args = ap.parse_args()
    everything = train.load(train.CORPUS)
    held = train.holdout_groups(train.HOLDOUT)
    synthetic = train.load(train.SYNTHETIC) if train.SYNTHETIC.exists() else []
    if args.holdout:
        return score_holdout(everything, held, synthetic, args.again)
    rows = train.development(everything, held)
    y, groups = train.labels(rows), [r["group"] for r in rows]
    print(f"development set: {len(rows)} texts ({int(y.sum())} offers, {int(len(y) - y.sum())} not offers), "
          f"{len(set(groups))} groups; {len(everything) - len(rows)} texts in {len(held)} held-out groups not used; "
          f"{len(synthetic)} synthetic texts for training only")
    if args.curve:
        print("learning curve (nested grouped cross-validation, training groups drawn at random):")
        learning_curve(rows, synthetic, args.folds)
        return 0
    t0 = time.perf_counter()
    prob, flag, models = nested_cv(rows, synthetic, args.folds)
    print(f"nested grouped {args.folds}-fold cross-validation in {time.perf_counter() - t0:.0f} s\n")
    print(HEAD)
    print(line("offer model", y, flag, groups))
    print(line("keyword baseline", y, keyword(rows), groups))
    print("\n" + calibration(prob, y) + "\n")
    print("\n".join(per_kind(rows, y, flag)))
    if not args.no_robustness:
        print("\nrobustness (outer-fold models on their own test-fold offers that they flag):")
        print("\n".join(robustness(rows, flag, models)))
    return 0


def score_holdout(everything: list[dict], held: set[str], synthetic: list[dict], again: bool) -> int:
    from peizi_guard.matcher.textmodel import default_model, judge

    if HOLDOUT_RESULT.exists() and not again:
        print(f"the held-out set was scored already: {HOLDOUT_RESULT} (--again overwrites; say so when reporting)")
        print(HOLDOUT_RESULT.read_text("utf-8"))
        return 1
    seen = train.holdout_groups(HOLDOUT_SEEN) if HOLDOUT_SEEN.exists() else set()
    rows = [r for r in everything if r["group"] in held and r["id"] not in seen]
    model = default_model()
    y, groups = train.labels(rows), [r["group"] for r in rows]
    prob = np.array([judge(model, r["text"], explain=0).probability for r in rows])
    flag = prob >= model.threshold
    print(f"held-out set: {len(rows)} texts ({int(y.sum())} offers), {len(set(groups))} groups "
          f"({len(seen)} texts shown before the split was fixed left out); shipped model, "
          f"threshold {model.threshold:.4f}\n")
    print(HEAD)
    print(line("offer model", y, flag, groups))
    print(line("keyword baseline", y, keyword(rows), groups))
    print("\n" + "\n".join(per_kind(rows, y, flag)))
    c, s = counts(y, flag), scores(counts(y, flag))
    HOLDOUT_RESULT.write_text(json.dumps({
        "texts": len(rows), "groups": len(set(groups)), "offers": int(y.sum()), "threshold": model.threshold,
        "model_corpus_sha256": model.meta.get("corpus_sha256"), **c, **{k: round(v, 4) for k, v in s.items()},
        "misjudged": [{"id": r["id"], "label": r["label"], "kind": r["kind"], "probability": round(float(p), 4)}
                      for r, p, f in zip(rows, prob, flag) if f != (r["label"] == "offer")],
    }, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"\nrecorded in {HOLDOUT_RESULT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
