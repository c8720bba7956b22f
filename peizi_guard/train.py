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
from sklearn.model_selection import StratifiedGroupKFold

from .matcher.features import TextFeatures, extract
from .matcher.lexicon import lexicon
from .matcher.textmodel import TextModel

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus" / "texts"  # one .jsonl file per collection
SYNTHETIC = ROOT / "corpus" / "synthetic.jsonl"
HOLDOUT = ROOT / "corpus" / "holdout_groups.txt"
OUT = Path(__file__).resolve().parent / "data" / "text_model.json"

SEED = 20261129
C = 4.0  # inverse regularisation strength
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

def named_vocabulary() -> list[str]:
    ids = [p.id for p in lexicon().text_features]
    offer = [p.id for p in lexicon().text_features if p.side == "offer"]
    return ids + ["quoted:" + i for i in offer] + ["len:<50", "len:<200", "len:<1000", "len:1000+"]


@dataclass
class Fitted:
    vocab: list[str]
    idf: np.ndarray
    coef_ngrams: np.ndarray
    coef_named: np.ndarray
    intercept: float

    def model(self, calibration=(1.0, 0.0), threshold=0.5, meta=None) -> TextModel:  # noqa: ANN001
        return TextModel(self.intercept, tuple(calibration), threshold,
                         {g: (float(i), float(w)) for g, i, w in zip(self.vocab, self.idf, self.coef_ngrams)},
                         dict(zip(named_vocabulary(), map(float, self.coef_named))), meta or {})


def _vocabulary(feats: list[TextFeatures], y: np.ndarray, groups: list[str]) -> list[str]:
    docs: dict[str, int] = {}
    grps: dict[str, set] = {}
    for f, g in zip(feats, groups):
        for gram in f.ngrams:
            docs[gram] = docs.get(gram, 0) + 1
            grps.setdefault(gram, set()).add(g)
    vocab = sorted(k for k, n in docs.items() if n >= MIN_DOCS and len(grps[k]) >= MIN_GROUPS)
    if len(vocab) <= MAX_NGRAMS:
        return vocab
    x = _binary(feats, {g: i for i, g in enumerate(vocab)})
    stat, _ = chi2(x, y)
    stat = np.nan_to_num(stat)
    order = sorted(range(len(vocab)), key=lambda i: (-stat[i], vocab[i]))[:MAX_NGRAMS]
    return sorted(vocab[i] for i in order)


def _binary(feats: list[TextFeatures], index: dict[str, int]) -> sparse.csr_matrix:
    rows, cols = [], []
    for r, f in enumerate(feats):
        for g in f.ngrams:
            c = index.get(g)
            if c is not None:
                rows.append(r)
                cols.append(c)
    return sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(feats), len(index)))


def _matrix(feats: list[TextFeatures], vocab: list[str], idf: np.ndarray) -> sparse.csr_matrix:
    index = {g: i for i, g in enumerate(vocab)}
    named = {k: i for i, k in enumerate(named_vocabulary())}
    data, rows, cols = [], [], []
    for r, f in enumerate(feats):
        block = [(index[g], (1 + math.log(n)) * idf[index[g]]) for g, n in f.ngrams.items() if g in index]
        norm = math.sqrt(sum(v * v for _, v in block)) or 1.0
        for c, v in block:
            rows.append(r)
            cols.append(c)
            data.append(v / norm)
        for k, v in f.named.items():
            if k in named:
                rows.append(r)
                cols.append(len(vocab) + named[k])
                data.append(v)
    return sparse.csr_matrix((data, (rows, cols)), shape=(len(feats), len(vocab) + len(named)))


def fit(feats: list[TextFeatures], y: np.ndarray, groups: list[str], c: float = C) -> Fitted:
    vocab = _vocabulary(feats, y, groups)
    df = np.asarray(_binary(feats, {g: i for i, g in enumerate(vocab)}).sum(axis=0)).ravel()
    idf = np.log((1 + len(feats)) / (1 + df)) + 1
    x = _matrix(feats, vocab, idf)
    lr = LogisticRegression(C=c, class_weight="balanced", max_iter=5000, solver="lbfgs")
    lr.fit(x, y)
    w = lr.coef_.ravel()
    return Fitted(vocab, idf, w[:len(vocab)], w[len(vocab):], float(lr.intercept_[0]))


def raw_scores(model: TextModel, feats: list[TextFeatures]) -> np.ndarray:
    """Scores through the run-time code itself, so training and inference cannot drift apart."""
    return np.array([model.judge_features(f).score for f in feats])


# ---- cross-validation, calibration, threshold ---------------------------------------

def folds(y: np.ndarray, groups: list[str], k: int = FOLDS, seed: int = SEED):
    return list(StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed).split(np.zeros(len(y)), y, groups))


def out_of_fold(feats, y, groups, extra=None, c: float = C, k: int = FOLDS, seed: int = SEED) -> np.ndarray:  # noqa: ANN001
    """Raw scores of every text from a model that never saw its group. `extra` (features, labels)
    are added to every training fold (synthetic texts)."""
    extra_f, extra_y = extra or ([], np.array([], dtype=int))
    out = np.zeros(len(y))
    for train, test in folds(y, groups, k, seed):
        tf = [feats[i] for i in train] + list(extra_f)
        ty = np.concatenate([y[train], extra_y])
        tg = [groups[i] for i in train] + ["synthetic"] * len(extra_f)
        out[test] = raw_scores(fit(tf, ty, tg, c).model(), [feats[i] for i in test])
    return out


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


def labels(rows: list[dict]) -> np.ndarray:
    return np.array([1 if r["label"] == "offer" else 0 for r in rows])


def featurize(rows: list[dict]) -> list[TextFeatures]:
    return [extract(r["text"]) for r in rows]


def train(rows: list[dict], synthetic: list[dict], c: float = C) -> TextModel:
    """The shipped model: fitted on `rows` + `synthetic`; calibration and threshold from
    grouped cross-validation on `rows`."""
    feats, y, groups = featurize(rows), labels(rows), [r["group"] for r in rows]
    sf, sy = featurize(synthetic), labels(synthetic)
    oof = out_of_fold(feats, y, groups, (sf, sy), c)
    a, b = calibrate(oof, y)
    prob = 1 / (1 + np.exp(-(a * oof + b)))
    threshold = pick_threshold(prob, y)
    fitted = fit(feats + sf, np.concatenate([y, sy]), groups + ["synthetic"] * len(sf), c)
    meta = {"texts": len(rows), "offers": int(y.sum()), "synthetic": len(synthetic),
            "groups": len(set(groups)), "seed": SEED, "C": c, "folds": FOLDS, "max_fpr": MAX_FPR,
            "corpus_sha256": hashlib.sha256("\n".join(r["id"] + "\t" + r["text"] for r in rows).encode()).hexdigest()}
    return fitted.model((a, b), threshold, meta)


def dump(model: TextModel) -> str:
    r = lambda x: float(f"{x:.6g}")  # noqa: E731
    d = {
        "format": 1,
        "features": {"ngram": [1, 4], "weighting": "(1+ln tf)*idf, L2-normalised; named features binary"},
        "threshold": r(model.threshold), "intercept": r(model.intercept),
        "calibration": [r(model.calibration[0]), r(model.calibration[1])],
        "meta": model.meta,
        "named": {k: r(v) for k, v in sorted(model.named.items())},
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
    print(f"{args.out}: {len(model.ngrams)} n-grams, {len(model.named)} named features, "
          f"threshold {model.threshold:.4f}; trained on {len(rows)} texts (+{len(synthetic)} synthetic)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
