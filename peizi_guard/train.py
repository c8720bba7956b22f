"""Train the offer model on the labelled corpus; needs the `train` extra (scikit-learn).

    pip install -e '.[train]'
    python -m peizi_guard.train            # writes peizi_guard/data/text_model.json

Reproducible: the same corpus gives byte-for-byte the same file (fixed seed, sorted
vocabulary, rounded numbers). The held-out groups (corpus/holdout_groups.txt) are never
used here; synthetic texts are used for training only, never for a measurement. (The first
held-out groups, corpus/holdout_v1_groups.txt, were scored once and then joined training.)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import multiprocessing
import os
import random
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.feature_selection import chi2
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score
from sklearn.model_selection import StratifiedGroupKFold

from . import perturb
from .matcher.features import NAMED, TextFeatures, extract
from .matcher.textmodel import TextModel

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus" / "texts"  # one .jsonl file per collection
SYNTHETIC = ROOT / "corpus" / "synthetic.jsonl"
HOLDOUT = ROOT / "corpus" / "holdout_groups.txt"
HOLDOUT_V1 = ROOT / "corpus" / "holdout_v1_groups.txt"  # scored once (2026-11-29), then trained on
OUT = Path(__file__).resolve().parent / "data" / "text_model.json"

SEED = 20261129
C_GRID = (4.0, 16.0, 64.0)  # inverse regularisation strengths tried; the best by grouped CV is kept
MIN_DOCS, MIN_GROUPS = 3, 2  # an n-gram must occur in this many texts and groups
MAX_NGRAMS = 20_000  # kept by chi-squared on the training texts
AUGMENT = 150  # about this many offers of a training set are also quoted inside a report (not_offer)
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
    """The seeded hash that chose the first held-out groups once (kept in HOLDOUT_V1 as a list)."""
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
        index, idf, log = self.index, self.idf.tolist(), math.log  # plain floats: the same values, faster
        for r, f in enumerate(feats):
            block = [(c, (1 + log(n)) * idf[c]) for g, n in f.ngrams.items() if (c := index.get(g)) is not None]
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
        return TextModel(
            self.intercept,
            tuple(calibration),
            threshold,
            {g: (float(i), float(w)) for g, i, w in zip(self.vocab, self.idf, self.coef)},
            meta or {},
        )

    def decision(self, x: sparse.csr_matrix) -> np.ndarray:
        return x @ self.coef + self.intercept


def _vocabulary(feats: list[TextFeatures], y: np.ndarray, groups: list[str]) -> list[str]:
    docs: Counter = Counter()  # n-gram -> texts it occurs in
    in_group: dict[str, set[str]] = {}  # group -> the n-grams of its texts
    for f, g in zip(feats, groups):
        docs.update(f.ngrams.keys())
        in_group.setdefault(g, set()).update(f.ngrams.keys())
    grps: Counter = Counter()  # n-gram -> groups it occurs in
    for grams in in_group.values():
        grps.update(grams)
    named = sorted(k for k in docs if k.startswith(NAMED))  # designed features are always kept
    designed = set(named)
    vocab = sorted(k for k, n in docs.items() if n >= MIN_DOCS and grps[k] >= MIN_GROUPS and k not in designed)
    if len(vocab) <= MAX_NGRAMS:
        return sorted(vocab + named)
    x = _binary(feats, {g: i for i, g in enumerate(vocab)})
    stat, _ = chi2(x, y)
    stat = np.nan_to_num(stat)
    order = np.argsort(-stat, kind="stable")[:MAX_NGRAMS]  # ties in vocabulary order: vocab is sorted
    return sorted([vocab[i] for i in order] + named)


def _binary(feats: list[TextFeatures], index: dict[str, int]) -> sparse.csr_matrix:
    rows: list[int] = []
    cols: list[int] = []
    keys = index.keys()
    for r, f in enumerate(feats):  # ones: their order in a row changes no sum
        found = [index[g] for g in f.ngrams.keys() & keys]
        rows += [r] * len(found)
        cols += found
    return sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(feats), len(index)))


def fit(feats: list[TextFeatures], y: np.ndarray, groups: list[str], c: float) -> Fitted:
    return Design(feats, y, groups).fit(y, c)


def raw_scores(model: TextModel, feats: list[TextFeatures]) -> np.ndarray:
    """Scores through the run-time code (tests compare them with `Fitted.decision`)."""
    return np.array([model.judge_features(f).score for f in feats])


# ---- cross-validation, model choice, calibration, threshold ---------------------------


def folds(y: np.ndarray, groups: list[str], k: int = FOLDS, seed: int = SEED):
    return list(StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed).split(np.zeros(len(y)), y, groups))


@dataclass
class Texts:
    """Texts with their features, labels (1 = offer) and groups."""

    rows: list[dict]
    feats: list[TextFeatures]
    y: np.ndarray
    groups: list[str]

    @classmethod
    def of(cls, rows: list[dict]) -> "Texts":
        return cls(rows, featurize(rows), labels(rows), [r["group"] for r in rows])

    def take(self, idx) -> "Texts":  # noqa: ANN001
        return Texts(
            [self.rows[i] for i in idx], [self.feats[i] for i in idx], self.y[idx], [self.groups[i] for i in idx]
        )

    def __add__(self, other: "Texts") -> "Texts":
        return Texts(
            self.rows + other.rows,
            self.feats + other.feats,
            np.concatenate([self.y, other.y]),
            self.groups + other.groups,
        )


def augmented(t: Texts, seed: int = SEED) -> Texts:
    """Offers of `t` quoted inside reports of `t` (warnings, news, explanations that quote
    something), labelled not_offer: what a reader does with a quoted ad. Training only; built
    from the training texts alone, so a test fold never leaks in."""
    rng = random.Random(seed)
    wrappers = [r for r in t.rows if perturb.is_quoting_report(r)]
    offers = [r for r in t.rows if r["label"] == "offer"]
    rows = []
    for r in offers[:: max(1, len(offers) // AUGMENT)] if wrappers else []:
        w = rng.choice(wrappers)
        rows.append(
            {
                "id": "aug-" + r["id"],
                "label": "not_offer",
                "kind": "synthetic",
                "group": w["group"],
                "text": perturb.quoted_in(w["text"], r["text"], rng.choice((60, 120, 240))),
            }
        )
    return Texts.of(rows)


def training_set(t: Texts, synthetic: Texts) -> Texts:
    return t + synthetic + augmented(t)


def out_of_fold(t: Texts, synthetic: Texts, cs=C_GRID, k: int = FOLDS, seed: int = SEED) -> dict:  # noqa: ANN001
    """{C: raw score of every text from a model that never saw its group}. The folds are fitted
    on forked processes where there are several cores: each fold is the same computation either way."""
    out = {c: np.zeros(len(t.y)) for c in cs}
    splits = folds(t.y, t.groups, k, seed)
    for (_, te), scores in zip(splits, _each_fold((t, synthetic, tuple(cs), splits))):
        for c, d in zip(cs, scores):
            out[c][te] = d
    return out


_JOB: tuple | None = None  # what the forked fold workers read (inherited, never pickled)


def _each_fold(job: tuple) -> list[list[np.ndarray]]:
    global _JOB
    n = len(job[3])
    jobs = min(n, os.cpu_count() or 1)
    _JOB = job
    try:
        if jobs < 2 or "fork" not in multiprocessing.get_all_start_methods():
            return [_fold(i) for i in range(n)]
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            return pool.map(_fold, range(n), chunksize=1)
    finally:
        _JOB = None


def _fold(i: int) -> list[np.ndarray]:
    """The test scores of fold `i` under each C, from a model fitted on the other folds."""
    assert _JOB is not None
    t, synthetic, cs, splits = _JOB
    tr, te = splits[i]
    ts = training_set(t.take(tr), synthetic)
    design = Design(ts.feats, ts.y, ts.groups)
    xt = design.transform([t.feats[j] for j in te])
    return [design.fit(ts.y, c).decision(xt) for c in cs]


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


def recipe(t: Texts, synthetic: Texts) -> Recipe:
    """Choose C, fit the calibration and the threshold, all on grouped out-of-fold scores."""
    oof = out_of_fold(t, synthetic)
    c = choose(oof, t.y)
    a, b = calibrate(oof[c], t.y)
    return Recipe(c, (a, b), pick_threshold(1 / (1 + np.exp(-(a * oof[c] + b))), t.y))


def fit_all(t: Texts, synthetic: Texts, rc: Recipe, meta: dict | None = None) -> TextModel:
    ts = training_set(t, synthetic)
    return fit(ts.feats, ts.y, ts.groups, rc.c).model(rc.calibration, rc.threshold, meta)


def labels(rows: list[dict]) -> np.ndarray:
    return np.array([1 if r["label"] == "offer" else 0 for r in rows])


def featurize(rows: list[dict]) -> list[TextFeatures]:
    return [extract(r["text"]) for r in rows]


def train(rows: list[dict], synthetic: list[dict]) -> TextModel:
    """The shipped model: C, calibration and threshold from grouped cross-validation on `rows`,
    then fitted on `rows` + `synthetic`."""
    t, syn = Texts.of(rows), Texts.of(synthetic)
    rc = recipe(t, syn)
    meta = {
        "texts": len(rows),
        "offers": int(t.y.sum()),
        "synthetic": len(synthetic),
        "groups": len(set(t.groups)),
        "seed": SEED,
        "C": rc.c,
        "folds": FOLDS,
        "max_fpr": MAX_FPR,
        "corpus_sha256": corpus_digest(rows),
    }
    return fit_all(t, syn, rc, meta)


def corpus_digest(rows: list[dict]) -> str:
    """What the model was trained on: every text's id, label and text."""
    return hashlib.sha256("\n".join(f"{r['id']}\t{r['label']}\t{r['text']}" for r in rows).encode()).hexdigest()


def dump(model: TextModel) -> str:
    r = lambda x: float(f"{x:.6g}")  # noqa: E731
    d = {
        "format": 1,
        "features": {"ngram": [1, 4], "weighting": "(1+ln tf)*idf over n-grams and @feature tokens, L2-normalised"},
        "threshold": r(model.threshold),
        "intercept": r(model.intercept),
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
    print(
        f"{args.out}: {len(model.ngrams)} n-grams and feature tokens, "
        f"threshold {model.threshold:.4f}; trained on {len(rows)} texts (+{len(synthetic)} synthetic)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
