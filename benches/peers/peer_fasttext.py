"""fastText peer: supervised classifier with one-vs-all loss and word bigrams.

Command line: see common.peer_main.

Settings are those of the multi-label example in the fastText tutorial
(https://fasttext.cc/docs/en/supervised-tutorial.html): lr 0.5, 25 epochs,
wordNgrams 2, 200,000 buckets, dim 50, loss one-vs-all; the text gets the
tutorial's preprocessing (lowercase, punctuation split off as tokens).

fastText's trainer skips lines without a label, so sentences with no frame
are given the extra label `__label__none`; being one-vs-all, that adds a
fifth binary classifier and lets the four frame classifiers see those
sentences as negatives. `none` is dropped from predictions.

Prediction uses `predict(lines, k=-1, threshold=0.5)`: every label with
probability >= 0.5. The Python binding has no thread option for predict(),
so `score` always runs on one thread; --threads only affects training.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

import fasttext

import common

PREFIX = "__label__"
NONE = PREFIX + common.NO_LABEL
THRESHOLD = 0.5
HYPER = {"loss": "ova", "wordNgrams": 2, "lr": 0.5, "epoch": 25, "dim": 50, "bucket": 200_000, "seed": 0}


def settings(threads: int) -> str:
    hyper = ", ".join(f"{k}={v!r}" for k, v in HYPER.items())
    return (
        f"fasttext.train_supervised({hyper}, thread={threads}); lowercased, punctuation split; "
        f"unlabeled sentences -> {NONE}; predict(k=-1, threshold={THRESHOLD})"
    )


def prepare(text: str) -> str:
    """The tutorial's preprocessing of one text, kept on one line."""
    return common.split_punctuation(common.one_line(text).encode("utf-8")).decode("utf-8")


def decide(model, lines: list[str], labels: set[str]) -> list[list[str]]:
    """Frame labels with probability >= THRESHOLD for preprocessed lines."""
    predicted, _ = model.predict(lines, k=-1, threshold=THRESHOLD)
    return [[p[len(PREFIX) :] for p in row if p[len(PREFIX) :] in labels] for row in predicted]


def train(args: argparse.Namespace) -> None:
    phases, data, test, labels = common.read_splits(args.train, args.test)

    # fastText trains from a file in its own format.
    fd, path = tempfile.mkstemp(suffix=".ft.txt", dir=os.path.dirname(os.path.abspath(args.model)))
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            for text, row in zip(data.texts, data.labels):
                tags = " ".join(PREFIX + label for label in row) if row else NONE
                f.write(f"{tags} {prepare(text)}\n")
        phases.lap("convert")
        model = fasttext.train_supervised(input=path, thread=args.threads, verbose=0, **HYPER)
        phases.lap("fit")
    finally:
        os.unlink(path)

    with open(args.predictions, "w", encoding="utf-8") as f:
        common.write_label_lines(f, decide(model, [prepare(t) for t in test.texts], set(labels)))
    phases.lap("predict_test")
    model.save_model(args.model)
    phases.lap("save")
    common.write_json(
        args.info,
        {
            "tool": "fastText",
            "settings": settings(args.threads),
            "labels": labels,
            "train_rows": len(data.texts),
            "words": len(model.words),
            "phases_s": phases.seconds,
        },
    )


def score(args: argparse.Namespace) -> None:
    phases = common.Phases()
    model = fasttext.load_model(args.model)
    labels = {label[len(PREFIX) :] for label in model.labels} - {common.NO_LABEL}
    phases.lap("load")
    n = 0
    preprocess_s = 0.0
    with open(args.out, "w", encoding="utf-8") as out:
        # Preprocess a whole block of lines at once, then predict the block.
        for blob in common.read_blobs_chunked(args.sentences, args.chunk):
            start = time.perf_counter()
            lines = common.split_punctuation(blob).decode("utf-8").split("\n")
            preprocess_s += time.perf_counter() - start
            n += common.write_label_lines(out, decide(model, lines, labels))
    phases.lap("predict")
    phases.seconds["of_which_preprocess"] = round(preprocess_s, 4)
    common.write_json(
        args.info,
        {
            "tool": "fastText",
            "settings": settings(1),
            "threads_note": "fastText's Python predict() has no thread option",
            "sentences": n,
            "phases_s": phases.seconds,
        },
    )


if __name__ == "__main__":
    common.peer_main(__doc__, train, score, sys.argv[1:])
