#!/usr/bin/env python3
"""Learning curve of the default model: macro-F1 on the real test split
(corpus/real/test.csv), on realnews-dev and on corpus/test.csv against the
number of real training sentences added to corpus/train.csv.

Run from the repository root after `cargo build --release`, with
../shared/data present (the real sentences' text is read from it):

    python3 models/learning_curve.py [SIZES...]

Each size below the full set draws that many rows of corpus/real/train.csv
at random, three times (seeds 1-3), and trains with the default model's
settings; a row of the table gives the mean (and the range) over the draws.
"""
import csv, json, os, random, subprocess, sys, tempfile

SHARED = "../shared/data"
ARTICLES = [f"{SHARED}/semeval2025-urw/articles.jsonl", f"{SHARED}/ukraine-war-news/articles.jsonl"]
DEV = f"{SHARED}/realnews-dev/sentences.csv"
TRAIN = "target/release/frametag-train"
TESTS = ["corpus/real/test.csv", DEV, "corpus/test.csv"]


def train(tmp, part):
    args = [TRAIN, "--data", "corpus/train.csv", "--articles", *ARTICLES, "--seed", "42",
            "--out", os.path.join(tmp, "m.ftm"), "--report", os.path.join(tmp, "r.json")]
    if part:
        args[3:3] = ["--data", part]
    for t in TESTS:
        args += ["--test", t]
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(os.path.join(tmp, "r.json")) as f:
        return [t["evaluation"]["macro_f1"] for t in json.load(f)["tests"]]


def main():
    with open("corpus/real/train.csv", newline="") as f:
        reader = csv.DictReader(f)
        header, rows = reader.fieldnames, list(reader)
    sizes = [int(s) for s in sys.argv[1:]] or [0, 500, 1000, 2000, len(rows)]
    print("| real training sentences | real test macro-F1 | realnews-dev macro-F1 | corpus test macro-F1 |")
    print("|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            runs = []
            for seed in ([1, 2, 3] if 0 < n < len(rows) else [1]):
                part = None
                if n > 0:
                    order = list(range(len(rows)))
                    random.Random(seed).shuffle(order)
                    part = os.path.join(tmp, "real.csv")
                    with open(part, "w", newline="") as f:
                        w = csv.DictWriter(f, header, lineterminator="\n")
                        w.writeheader()
                        w.writerows(rows[i] for i in sorted(order[:n]))
                runs.append(train(tmp, part))
            cells = []
            for k in range(len(TESTS)):
                xs = [r[k] for r in runs]
                mean = sum(xs) / len(xs)
                cells.append(f"{mean:.3f}" + (f" ({min(xs):.3f}-{max(xs):.3f})" if len(xs) > 1 else ""))
            print(f"| {n} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
