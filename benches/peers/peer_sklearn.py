"""scikit-learn peer: TF-IDF word 1-2 grams + one-vs-rest logistic regression.

Command line: see common.peer_main. `train` fits on the training CSV,
predicts the test CSV (one line of `;`-joined labels per test row, written
to --predictions) and saves the model with joblib. `score` predicts a
one-sentence-per-line file in chunks and writes one line of labels per
sentence. A label is predicted when its probability is above 0.5. Timings of
the phases go to --info; the orchestrator measures the whole process from
outside.

The L2 penalty is a parameter (--C): the bench gives the peer the penalty of
frametag's model on the same data (C = 1/alpha; both minimise
sum(log-loss) + ||w||^2 / (2C)), so the peer does not pay for a penalty
search but is not left at a default that does not suit the data either.
"""

from __future__ import annotations

import argparse
import io
import sys

import joblib
import numpy as np
from joblib import Parallel, delayed
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier

import common

THRESHOLD = 0.5
# lbfgs (the default solver) rarely needs more than 100 iterations here, but
# a cap that is hit silently would make the large run look cheaper than it is.
MAX_ITER = 1000


def settings(c: float | None, threads: int) -> str:
    c_arg = "" if c is None else f"C={c:g}, "
    return (
        "TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True) + "
        f"OneVsRestClassifier(LogisticRegression({c_arg}max_iter={MAX_ITER}), n_jobs={threads}); "
        f"label if predict_proba > {THRESHOLD}"
    )


def binarize(rows: list[list[str]], labels: list[str]) -> np.ndarray:
    index = {label: i for i, label in enumerate(labels)}
    y = np.zeros((len(rows), len(labels)), dtype=np.int8)
    for r, row in enumerate(rows):
        for label in row:
            if label in index:
                y[r, index[label]] = 1
    return y


def decide(model: dict, texts: list[str]) -> list[list[str]]:
    """Labels whose probability exceeds THRESHOLD, for each text."""
    proba = model["classifier"].predict_proba(model["vectorizer"].transform(texts))
    labels = model["labels"]
    return [[labels[j] for j in np.flatnonzero(row > THRESHOLD)] for row in proba]


def train(args: argparse.Namespace) -> None:
    phases, data, test, labels = common.read_splits(args.train, args.test)

    vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
    x = vectorizer.fit_transform(data.texts)
    phases.lap("vectorize")
    classifier = OneVsRestClassifier(LogisticRegression(C=args.C, max_iter=MAX_ITER), n_jobs=args.threads)
    classifier.fit(x, binarize(data.labels, labels))
    phases.lap("fit")

    model = {"vectorizer": vectorizer, "classifier": classifier, "labels": labels}
    with open(args.predictions, "w", encoding="utf-8") as f:
        common.write_label_lines(f, decide(model, test.texts))
    phases.lap("predict_test")
    joblib.dump(model, args.model)
    phases.lap("save")

    common.write_json(
        args.info,
        {
            "tool": "scikit-learn",
            "settings": settings(args.C, args.threads),
            "C": args.C,
            "labels": labels,
            "train_rows": len(data.texts),
            "features": len(vectorizer.vocabulary_),
            "lbfgs_iterations": [int(max(np.ravel(e.n_iter_))) for e in classifier.estimators_],
            "phases_s": phases.seconds,
        },
    )


def predict_block(model: dict, blob: bytes) -> tuple[str, int]:
    """Predict a block of newline-separated sentences (UTF-8); returns the
    output lines (labels per sentence) as one string, and their count. One
    string each way keeps the cost of passing blocks between processes low."""
    out = io.StringIO()
    n = common.write_label_lines(out, decide(model, blob.decode("utf-8").split("\n")))
    return out.getvalue(), n


# Worker-side cache: each joblib worker loads the model once, not per block.
_MODEL: dict | None = None


def predict_block_cached(model_path: str, blob: bytes) -> tuple[str, int]:
    global _MODEL
    if _MODEL is None:
        _MODEL = joblib.load(model_path)
    return predict_block(_MODEL, blob)


def score(args: argparse.Namespace) -> None:
    phases = common.Phases()
    blocks = common.read_blobs_chunked(args.sentences, args.chunk)
    if args.threads == 1:
        model = joblib.load(args.model)
        phases.lap("load")
        results = (predict_block(model, blob) for blob in blocks)
    else:
        # Tokenising is pure Python and holds the GIL, so threads would not
        # help: spread the blocks over worker processes (loky); results come
        # back in input order. The worker function must come from an
        # importable module: functions of __main__ are pickled by value, with
        # a fresh copy of the module globals each time, which would defeat the
        # per-worker model cache and reload the model for every block.
        import peer_sklearn

        results = Parallel(n_jobs=args.threads, return_as="generator")(
            delayed(peer_sklearn.predict_block_cached)(args.model, blob) for blob in blocks
        )
    n = 0
    with open(args.out, "w", encoding="utf-8") as out:
        for text, count in results:
            out.write(text)
            n += count
    phases.lap("predict")
    common.write_json(
        args.info,
        {"tool": "scikit-learn", "settings": settings(None, args.threads), "sentences": n, "phases_s": phases.seconds},
    )


def train_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--C",
        type=float,
        default=1.0,
        help="inverse L2 penalty of LogisticRegression (the bench passes 1/alpha of frametag's model)",
    )


if __name__ == "__main__":
    common.peer_main(__doc__, train, score, sys.argv[1:], train_options)
