"""Vowpal Wabbit peer: multi-label one-against-all, logistic loss, bigrams.

Command line: see common.peer_main.

    --multilabel_oaa 5 --loss_function logistic --ngram 2 -b 20
    --passes 10 --holdout_off --cache_file ...

Classes 0..3 are the frames (sorted by name) and class 4 is "no frame":
VW's multi-label format treats an example without labels as test-only, so
sentences with no frame get the extra class, which turns them into negatives
for the four frame learners. Each class is an independent binary logistic
learner, and VW predicts the classes whose margin is above 0, i.e. whose
probability is above 0.5. -b 20 gives each class 2^20 hashed weights, the
hash space of frametag's default model; 10 passes over a cache file with the
holdout off lets the online learner converge on the small train split.

The text gets the same preprocessing as the fastText peer (lowercase,
punctuation as separate tokens), with VW's special characters `:` and `|`
dropped. Training and scoring run through VW's own file parser
(Workspace.run_parser, as the `vw` command line does), not a Python loop per
example. VW learns and predicts on one thread; --threads is ignored.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile

import vowpalwabbit

import common

PASSES = 10
BITS = 20
# ':' separates a feature from its value and '|' starts a namespace.
VW_SPECIAL = b":|"


def settings() -> str:
    return (
        f"--multilabel_oaa <frames+1> --loss_function logistic --ngram 2 -b {BITS} --passes {PASSES} "
        "--holdout_off --cache_file; lowercased, punctuation split, ':' and '|' dropped; "
        "sentences with no frame -> extra class; label if margin > 0 (p > 0.5)"
    )


def features(blob: bytes) -> bytes:
    """Newline-separated sentences to newline-separated VW feature parts."""
    body = common.split_punctuation(blob, drop=VW_SPECIAL)
    return b"|w " + body.replace(b"\n", b"\n|w ") + b"\n"


def run_vw(arguments: str) -> None:
    """Run VW's driver over a data file, as the `vw` executable would. VW
    splits the argument string on spaces, so paths must not contain any."""
    workspace = vowpalwabbit.Workspace(arguments + " --quiet")
    workspace.run_parser()
    workspace.finish()


def read_predictions(path: str, labels: list[str]) -> list[list[str]]:
    """VW's multilabel predictions (comma-separated class numbers per line) to
    frame names; the "no frame" class is dropped."""
    out = []
    with open(path, encoding="ascii") as f:
        for line in f:
            classes = [int(c) for c in line.strip().split(",") if c]
            out.append([labels[c] for c in classes if c < len(labels)])
    return out


def labels_path(model: str) -> str:
    """VW models do not keep class names; they go next to the model."""
    return model + ".labels.json"


def train(args: argparse.Namespace) -> None:
    phases, data, test, labels = common.read_splits(args.train, args.test)
    index = {label: i for i, label in enumerate(labels)}
    none_class = len(labels)

    work = tempfile.mkdtemp(dir=os.path.dirname(os.path.abspath(args.model)))
    train_file = os.path.join(work, "train.vw")
    test_file = os.path.join(work, "test.vw")
    predictions = os.path.join(work, "test.pred")
    try:
        with open(train_file, "wb") as f:
            for text, row in zip(data.texts, data.labels):
                classes = ",".join(str(index[label]) for label in row) if row else str(none_class)
                f.write(classes.encode() + b" " + features(common.one_line(text).encode("utf-8")))
        with open(test_file, "wb") as f:
            f.write(features("\n".join(common.one_line(t) for t in test.texts).encode("utf-8")))
        phases.lap("convert")
        run_vw(
            f"-d {train_file} --multilabel_oaa {none_class + 1} --loss_function logistic --ngram 2 "
            f"-b {BITS} --passes {PASSES} --holdout_off --cache_file {os.path.join(work, 'train.cache')} "
            f"--random_seed 0 -f {args.model}"
        )
        phases.lap("fit")
        run_vw(f"-t -i {args.model} -d {test_file} -p {predictions}")
        with open(args.predictions, "w", encoding="utf-8") as f:
            common.write_label_lines(f, read_predictions(predictions, labels))
        phases.lap("predict_test")
    finally:
        for name in os.listdir(work):
            os.unlink(os.path.join(work, name))
        os.rmdir(work)
    with open(labels_path(args.model), "w", encoding="utf-8") as f:
        json.dump(labels, f)
    common.write_json(
        args.info,
        {
            "tool": "Vowpal Wabbit",
            "settings": settings().replace("<frames+1>", str(none_class + 1)),
            "labels": labels,
            "train_rows": len(data.texts),
            "threads_note": "VW learns on one thread",
            "phases_s": phases.seconds,
        },
    )


def score(args: argparse.Namespace) -> None:
    """Convert the sentences to VW's format, then let VW predict the file.
    The output is VW's own prediction file: comma-separated class numbers per
    sentence (the frames in sorted order, then "no frame")."""
    phases = common.Phases()
    work = tempfile.mkdtemp(dir=os.path.dirname(os.path.abspath(args.out)))
    data_file = os.path.join(work, "sentences.vw")
    try:
        with open(data_file, "wb") as f:
            f.writelines(features(blob) for blob in common.read_blobs_chunked(args.sentences, args.chunk))
        phases.lap("convert")
        run_vw(f"-t -i {args.model} -d {data_file} -p {args.out}")
        phases.lap("predict")
    finally:
        if os.path.exists(data_file):
            os.unlink(data_file)
        os.rmdir(work)
    common.write_json(
        args.info,
        {
            "tool": "Vowpal Wabbit",
            "settings": settings(),
            "threads_note": "VW predicts on one thread",
            "phases_s": phases.seconds,
        },
    )


if __name__ == "__main__":
    common.peer_main(__doc__, train, score, sys.argv[1:])
