"""Train the offer model on the labelled corpus; needs the `train` extra (scikit-learn).

    pip install -e '.[train]'
    python -m peizi_guard.train            # writes peizi_guard/data/text_model.json

Reproducible: the same corpus gives byte-for-byte the same file (fixed seed, sorted
vocabulary, rounded numbers). The held-out groups (corpus/holdout_groups.txt) are never
used here; synthetic texts are used for training only, never for a measurement.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.feature_selection import chi2
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score
from sklearn.model_selection import StratifiedGroupKFold

from .matcher.features import NAMED, TextFeatures, extract
from .matcher.textmodel import TextModel

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus" / "texts"  # one .jsonl file per collection
SYNTHETIC = ROOT / "corpus" / "synthetic.jsonl"
HOLDOUT = ROOT / "corpus" / "holdout_groups.txt"
OUT = Path(__file__).resolve().parent / "data" / "text_model.json"

SEED = 20261129
C_GRID = (4.0, 16.0, 64.0)  # inverse regularisation strengths tried; the best by grouped CV is kept
MIN_DOCS, MIN_GROUPS = 3, 2  # an n-gram must occur in this many texts and groups
MAX_NGRAMS = 20_000  # kept by chi-squared on the training texts
MAX_FPR = 0.02  # the threshold is the one with the best F1 at a false-alarm rate within this
FOLDS = 5
HOLDOUT_SHARE = 0.2


# ---- the corpus -----------------------------------------------------------------------

def load(path: Path = CORPUS) -> list[dict]:
    """Every text of a .jsonl file, or of every .jsonl file in a folder (in name order)."""
    rows = []
    for f in sorted(path.glob("*.jsonl")) if path.is_dir() else [path]:
        with open(f, encoding="utf-8") as fh:
            rows += [json.loads(line) for line in fh if line.strip()]
    return rows


def holdout_pick(group: str) -> bool:
    """The seeded hash that chose the held-out groups once (kept in HOLDOUT as a list)."""
    h = int(hashlib.sha256(f"peizi-guard-holdout-v1:{group}".encode()).hexdigest()[:8], 16)
    return h / 0x100000000 < HOLDOUT_SHARE


def holdout_groups(path: Path = HOLDOUT) -> set[str]:
    return {ln.strip() for ln in path.read_text("utf-8").splitlines() if ln.strip() and not ln.startswith("#")}


def development(rows: list[dict], held: set[str]) -> list[dict]:
    return [r for r in rows if r["group"] not in held]


# ---- design matrix and fit ------------------------------------------------------------

class Design:
    """The vocabulary and idf of one training set, and its design matrix: (1 + ln tf)·idf of
    every n-gram and named-feature token, each row scaled to unit length."""

    def __init__(self, feats: list[TextFeatures], y: np.ndarray, groups: list[str]):
        self.vocab = _vocabulary(feats, y, groups)
        self.index = {g: i for i, g in enumerate(self.vocab)}
        df = np.asarray(_binary(feats, self.index).sum(axis=0)).ravel()
        self.idf = np.log((1 + len(feats)) / (1 + df)) + 1
        self.x = self.transform(feats)

    def transform(self, feats: list[TextFeatures]) -> sparse.csr_matrix:
        data, rows, cols = [], [], []
        for r, f in enumerate(feats):
            block = [(self.index[g], (1 + math.log(n)) * self.idf[self.index[g]])
                     for g, n in f.ngrams.items() if g in self.index]
            norm = math.sqrt(sum(v * v for _, v in block)) or 1.0
            for c, v in block:
                rows.append(r)
                cols.append(c)
                data.append(v / norm)
        return sparse.csr_matrix((data, (rows, cols)), shape=(len(feats), len(self.vocab)))

    def fit(self, y: np.ndarray, c: float) -> "Fitted":
        lr = LogisticRegression(C=c, class_weight="balanced", max_iter=5000, solver="lbfgs")
        lr.fit(self.x, y)
        return Fitted(self.vocab, self.idf, lr.coef_.ravel(), float(lr.intercept_[0]))


@dataclass
class Fitted:
    vocab: list[str]
    idf: np.ndarray
    coef: np.ndarray
    intercept: float

    def model(self, calibration=(1.0, 0.0), threshold=0.5, meta=None) -> TextModel:  # noqa: ANN001
        return TextModel(self.intercept, tuple(calibration), threshold,
                         {g: (float(i), float(w)) for g, i, w in zip(self.vocab, self.idf, self.coef)}, meta or {})

    def decision(self, x: sparse.csr_matrix) -> np.ndarray:
        return x @ self.coef + self.intercept


def _vocabulary(feats: list[TextFeatures], y: np.ndarray, groups: list[str]) -> list[str]:
    docs: dict[str, int] = {}
    grps: dict[str, set] = {}
    for f, g in zip(feats, groups):
        for gram in f.ngrams:
            docs[gram] = docs.get(gram, 0) + 1
            grps.setdefault(gram, set()).add(g)
    named = sorted(k for k in docs if k.startswith(NAMED))  # designed features are always kept
    designed = set(named)
    vocab = sorted(k for k, n in docs.items() if n >= MIN_DOCS and len(grps[k]) >= MIN_GROUPS and k not in designed)
    if len(vocab) <= MAX_NGRAMS:
        return sorted(vocab + named)
    x = _binary(feats, {g: i for i, g in enumerate(vocab)})
    stat, _ = chi2(x, y)
    stat = np.nan_to_num(stat)
    order = sorted(range(len(vocab)), key=lambda i: (-stat[i], vocab[i]))[:MAX_NGRAMS]
    return sorted([vocab[i] for i in order] + named)


def _binary(feats: list[TextFeatures], index: dict[str, int]) -> sparse.csr_matrix:
    rows, cols = [], []
    for r, f in enumerate(feats):
        for g in f.ngrams:
            c = index.get(g)
            if c is not None:
                rows.append(r)
                cols.append(c)
    return sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(feats), len(index)))


def fit(feats: list[TextFeatures], y: np.ndarray, groups: list[str], c: float) -> Fitted:
    return Design(feats, y, groups).fit(y, c)


def raw_scores(model: TextModel, feats: list[TextFeatures]) -> np.ndarray:
    """Scores through the run-time code (tests compare them with `Fitted.decision`)."""
    return np.array([model.judge_features(f).score for f in feats])


# ---- cross-validation, model choice, calibration, threshold ---------------------------

def folds(y: np.ndarray, groups: list[str], k: int = FOLDS, seed: int = SEED):
    return list(StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed).split(np.zeros(len(y)), y, groups))


def out_of_fold(feats, y, groups, extra=None, cs=C_GRID, k: int = FOLDS, seed: int = SEED) -> dict:  # noqa: ANN001
    """{C: raw score of every text from a model that never saw its group}. `extra` (features,
    labels) are added to every training fold (synthetic texts)."""
    extra_f, extra_y = extra or ([], np.array([], dtype=int))
    out = {c: np.zeros(len(y)) for c in cs}
    for train, test in folds(y, groups, k, seed):
        tf = [feats[i] for i in train] + list(extra_f)
        ty = np.concatenate([y[train], extra_y])
        design = Design(tf, ty, [groups[i] for i in train] + ["synthetic"] * len(extra_f))
        xt = design.transform([feats[i] for i in test])
        for c in cs:
            out[c][test] = design.fit(ty, c).decision(xt)
    return out


def choose(oof: dict, y: np.ndarray) -> float:
    """The regularisation with the best out-of-fold average precision (ties: the stronger one)."""
    return max(sorted(oof), key=lambda c: (round(average_precision_score(y, oof[c]), 6), -c))


def calibrate(scores: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Platt scaling: probability = sigmoid(a·score + b), fitted on out-of-fold scores."""
    lr = LogisticRegression(C=1e6, max_iter=1000)
    lr.fit(scores.reshape(-1, 1), y)
    return float(lr.coef_[0, 0]), float(lr.intercept_[0])


def pick_threshold(prob: np.ndarray, y: np.ndarray, max_fpr: float = MAX_FPR) -> float:
    """The probability cut with the best F1 among those whose false-alarm rate is ≤ max_fpr."""
    best, best_t = -1.0, 0.5
    for t in np.unique(np.round(prob, 4)):
        flag = prob >= t
        tp, fp = int(np.sum(flag & (y == 1))), int(np.sum(flag & (y == 0)))
        fn, neg = int(np.sum(~flag & (y == 1))), int(np.sum(y == 0))
        if neg and fp / neg > max_fpr:
            continue
        f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        if f1 > best:
            best, best_t = f1, float(t)
    return best_t


@dataclass
class Recipe:
    """Everything learned about one training set before the final fit."""
    c: float
    calibration: tuple[float, float]
    threshold: float


def recipe(feats, y, groups, extra) -> Recipe:  # noqa: ANN001
    """Choose C, fit the calibration and the threshold, all on grouped out-of-fold scores."""
    oof = out_of_fold(feats, y, groups, extra)
    c = choose(oof, y)
    a, b = calibrate(oof[c], y)
    return Recipe(c, (a, b), pick_threshold(1 / (1 + np.exp(-(a * oof[c] + b))), y))


def labels(rows: list[dict]) -> np.ndarray:
    return np.array([1 if r["label"] == "offer" else 0 for r in rows])


def featurize(rows: list[dict]) -> list[TextFeatures]:
    return [extract(r["text"]) for r in rows]


def train(rows: list[dict], synthetic: list[dict]) -> TextModel:
    """The shipped model: C, calibration and threshold from grouped cross-validation on `rows`,
    then fitted on `rows` + `synthetic`."""
    feats, y, groups = featurize(rows), labels(rows), [r["group"] for r in rows]
    sf, sy = featurize(synthetic), labels(synthetic)
    rc = recipe(feats, y, groups, (sf, sy))
    fitted = fit(feats + sf, np.concatenate([y, sy]), groups + ["synthetic"] * len(sf), rc.c)
    meta = {"texts": len(rows), "offers": int(y.sum()), "synthetic": len(synthetic),
            "groups": len(set(groups)), "seed": SEED, "C": rc.c, "folds": FOLDS, "max_fpr": MAX_FPR,
            "corpus_sha256": hashlib.sha256("\n".join(r["id"] + "\t" + r["text"] for r in rows).encode()).hexdigest()}
    return fitted.model(rc.calibration, rc.threshold, meta)


def dump(model: TextModel) -> str:
    r = lambda x: float(f"{x:.6g}")  # noqa: E731
    d = {
        "format": 1,
        "features": {"ngram": [1, 4], "weighting": "(1+ln tf)*idf over n-grams and @feature tokens, L2-normalised"},
        "threshold": r(model.threshold), "intercept": r(model.intercept),
        "calibration": [r(model.calibration[0]), r(model.calibration[1])],
        "meta": model.meta,
        "ngrams": {k: [r(i), r(w)] for k, (i, w) in sorted(model.ngrams.items())},
    }
    return json.dumps(d, ensure_ascii=False, separators=(",", ":"), sort_keys=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--synthetic", type=Path, default=SYNTHETIC)
    ap.add_argument("--holdout", type=Path, default=HOLDOUT)
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    rows = development(load(args.corpus), holdout_groups(args.holdout))
    synthetic = load(args.synthetic) if args.synthetic.exists() else []
    model = train(rows, synthetic)
    args.out.write_text(dump(model), encoding="utf-8")
    print(f"{args.out}: {len(model.ngrams)} n-grams and feature tokens, "
          f"threshold {model.threshold:.4f}; trained on {len(rows)} texts (+{len(synthetic)} synthetic)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
