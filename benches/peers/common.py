"""Helpers shared by the peer benchmark scripts (standard library only).

Everything here is used both by the orchestrator (run.py, which runs under
any python3) and by the peer scripts (which run inside benches/.venv), so it
must not import third-party packages.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import string
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Iterable, Iterator, Sequence

# Labeled CSVs hold long sentences; lift the csv module's 128 KiB field cap.
csv.field_size_limit(sys.maxsize)

# Same convention as frametag's trainer: labels are ';'-joined, an empty cell
# or "none" means the sentence has no frame.
NO_LABEL = "none"

# Punctuation that the whitespace-splitting peers (fastText, Vowpal Wabbit)
# get as separate tokens: ASCII punctuation plus the typographic quotes and
# dashes of news text. This is the preprocessing of the fastText tutorial
# (`sed -e "s/\([.!?,'/()]\)/ \1 /g" | tr "[:upper:]" "[:lower:]"`), widened
# to all punctuation. It works on UTF-8 bytes with bytes.replace, which is
# two to three times as fast in CPython as a regular expression; the peers'
# throughput includes this step.
_PUNCTUATION = [bytes([c]) for c in string.punctuation.encode()] + [
    c.encode() for c in "\u201c\u201d\u2018\u2019\u2013\u2014\u2026\u00ab\u00bb"
]


def split_punctuation(blob: bytes, drop: bytes = b"") -> bytes:
    """Lowercase ASCII letters and surround punctuation with spaces; the
    characters in `drop` become a plain space instead. Newlines are kept, so a
    whole batch of lines can go through at once."""
    blob = blob.lower()
    for p in _PUNCTUATION:
        if p in blob:
            blob = blob.replace(p, b" " if p in drop else b" " + p + b" ")
    return blob


@dataclass
class Labeled:
    """A labeled CSV in memory: parallel lists of texts and label lists."""

    texts: list[str]
    labels: list[list[str]]


def parse_labels(cell: str) -> list[str]:
    """Split a `;`-joined label cell; empty parts and "none" are dropped."""
    out = []
    for part in cell.split(";"):
        part = part.strip()
        if part and part.lower() != NO_LABEL and part not in out:
            out.append(part)
    return out


def read_labeled(path: str | Path, text_column: str = "text", labels_column: str = "labels") -> Labeled:
    """Read a `text,labels` CSV (with header). Rows with empty text are skipped,
    as frametag-train does."""
    texts: list[str] = []
    labels: list[list[str]] = []
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            text = (row.get(text_column) or "").strip()
            if not text:
                continue
            texts.append(text)
            labels.append(parse_labels(row.get(labels_column) or ""))
    return Labeled(texts, labels)


def label_set(rows: Iterable[Sequence[str]]) -> list[str]:
    """Sorted set of labels that occur in `rows`."""
    return sorted({label for labels in rows for label in labels})


def one_line(text: str) -> str:
    """Collapse all whitespace (including newlines) to single spaces."""
    return " ".join(text.split())


def read_lines_chunked(path: str | Path, chunk: int) -> Iterator[list[str]]:
    """Yield the lines of a one-sentence-per-line file in lists of `chunk`,
    without their newline."""
    for blob in read_blobs_chunked(path, chunk):
        yield blob.decode("utf-8").split("\n")


def read_blobs_chunked(path: str | Path, chunk: int) -> Iterator[bytes]:
    """Yield a one-sentence-per-line file as UTF-8 blocks of `chunk` lines,
    joined by newlines, without the last newline."""
    batch: list[bytes] = []
    with open(path, "rb") as f:
        for line in f:
            batch.append(line)
            if len(batch) == chunk:
                yield b"".join(batch)[:-1]
                batch = []
    if batch:
        yield b"".join(batch).rstrip(b"\n")


def write_label_lines(f, predictions: Iterable[Sequence[str]]) -> int:
    """Write one line per sentence, labels `;`-joined (empty line = none).
    Returns the number of lines written."""
    n = 0
    for labels in predictions:
        f.write(";".join(labels))
        f.write("\n")
        n += 1
    return n


def read_label_lines(path: str | Path) -> list[list[str]]:
    """Inverse of write_label_lines."""
    with open(path, encoding="utf-8") as f:
        return [parse_labels(line.rstrip("\n")) for line in f]


@dataclass
class Scores:
    micro_f1: float
    macro_f1: float
    per_label_f1: dict[str, float]


def f1_scores(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]], labels: Sequence[str]) -> Scores:
    """Multi-label F1 over a fixed label set, scikit-learn's definitions:
    macro-F1 is the unweighted mean of per-label F1, micro-F1 pools true/false
    positives and false negatives over all labels. A label with no gold and
    no predicted positives scores 0 (scikit-learn's zero_division=0)."""
    if len(gold) != len(pred):
        raise ValueError(f"{len(gold)} gold rows but {len(pred)} predictions")
    counts = {label: [0, 0, 0] for label in labels}  # tp, fp, fn
    for g, p in zip(gold, pred):
        g, p = set(g), set(p)
        for label in labels:
            c = counts[label]
            if label in p and label in g:
                c[0] += 1
            elif label in p:
                c[1] += 1
            elif label in g:
                c[2] += 1

    def f1(tp: int, fp: int, fn: int) -> float:
        return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0

    per_label = {label: f1(*counts[label]) for label in labels}
    totals = [sum(c[i] for c in counts.values()) for i in range(3)]
    macro = sum(per_label.values()) / len(labels) if labels else 0.0
    return Scores(micro_f1=f1(*totals), macro_f1=macro, per_label_f1=per_label)


class Phases:
    """Wall-clock time of named phases inside one peer process."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._start = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.seconds[name] = round(now - self._start, 4)
        self._start = now


def read_splits(train: str | Path, test: str | Path) -> tuple[Phases, Labeled, Labeled, list[str]]:
    """Start a peer's phase clock, read its train and test splits and their
    label set, and time that as the "read" phase."""
    phases = Phases()
    data = read_labeled(train)
    held = read_labeled(test)
    labels = label_set(data.labels)
    phases.lap("read")
    return phases, data, held, labels


def write_json(path: str | Path, data) -> None:
    """Write JSON atomically (rename over the target)."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=2, sort_keys=False)
        f.write("\n")
    os.replace(tmp, path)


def peer_main(doc: str, train, score, argv: Sequence[str], train_options=None) -> None:
    """Command line shared by the peer scripts:

        train --train CSV --test CSV --model OUT --predictions OUT --info OUT.json --threads N
        score --model MODEL --sentences TXT --out OUT --info OUT.json --threads N [--chunk K]

    `train_options`, if given, adds peer-specific options to `train`."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    t = sub.add_parser("train", help="fit on --train, predict --test, save the model")
    t.add_argument("--train", required=True, help="labeled CSV (text,labels)")
    t.add_argument("--test", required=True, help="labeled CSV to predict")
    t.add_argument("--model", required=True, help="where to save the model")
    t.add_argument("--predictions", required=True, help="labels predicted for --test, one line per row")
    t.add_argument("--info", required=True, help="JSON with settings and phase timings")
    t.add_argument("--threads", type=int, default=1)
    if train_options:
        train_options(t)
    s = sub.add_parser("score", help="predict a one-sentence-per-line file")
    s.add_argument("--model", required=True)
    s.add_argument("--sentences", required=True, help="one sentence per line")
    s.add_argument("--out", required=True, help="labels, one line per sentence")
    s.add_argument("--info", required=True, help="JSON with settings and phase timings")
    s.add_argument("--threads", type=int, default=1)
    s.add_argument("--chunk", type=int, default=20000, help="sentences per batch")
    args = parser.parse_args(argv)
    if args.command == "train":
        train(args)
    else:
        score(args)
