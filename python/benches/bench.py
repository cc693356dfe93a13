"""Throughput of the Python package against frametag-score on the same input.

    cargo build --release --bins
    pip install ./python
    python python/benches/bench.py            # --repeat 3 --rounds 3 by default

Two jobs, each on one core and on all cores:

- records: every sentence of corpus/train.csv and corpus/test.csv scored
  whole, by ``Model.predict_proba`` and by ``frametag-score --unit record``
  on the same sentences as JSON lines;
- articles: the same sentences joined 20 at a time into articles, split and
  scored by ``Model.score_articles`` (a pandas DataFrame) and by
  ``frametag-score`` (CSV rows to /dev/null).

Times are the best of --rounds runs of the whole call or process (reading,
scoring, building the array/DataFrame or writing CSV). Each run's output
is checked (row count and the first row's label), so a fast wrong answer
cannot pass. Prints sentences/s and the package's share of the binary's.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import subprocess
import tempfile
import time
from pathlib import Path

import frametag

REPO = Path(__file__).resolve().parents[2]


def machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores, {platform.system()}, Python {platform.python_version()}"


def sentences() -> list[str]:
    out = []
    for name in ("train.csv", "test.csv"):
        with open(REPO / "corpus" / name, encoding="utf-8", newline="") as f:
            out += [r["text"] for r in csv.DictReader(f)]
    return out


def best(rounds: int, run) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=3, help="copies of the corpus sentences")
    ap.add_argument("--rounds", type=int, default=3, help="runs per measurement (best kept)")
    ap.add_argument("--bin", default=str(REPO / "target" / "release" / "frametag-score"))
    args = ap.parse_args()

    model = frametag.Model.default()
    sents = sentences() * args.repeat
    articles = [" ".join(sents[i : i + 20]) for i in range(0, len(sents), 20)]
    n_records = len(sents)
    expected_rows = model.score_articles(articles[:50])  # warm up, and a reference
    n_article_rows = len(model.score_articles(articles))

    tmp = Path(tempfile.mkdtemp(prefix="frametag-bench-"))
    rec_file, art_file = tmp / "records.jsonl", tmp / "articles.jsonl"
    with open(rec_file, "w", encoding="utf-8") as f:
        for i, t in enumerate(sents):
            f.write(json.dumps({"id": str(i), "text": t}) + "\n")
    with open(art_file, "w", encoding="utf-8") as f:
        for i, t in enumerate(articles):
            f.write(json.dumps({"id": str(i), "text": t}) + "\n")

    def binary(path: Path, rows: int, threads: int | None, *flags: str):
        cmd = [args.bin, "--quiet", *flags, str(path)]
        if threads:
            cmd[1:1] = ["--threads", str(threads)]

        def run():
            out = subprocess.run(cmd, check=True, capture_output=True).stdout
            assert out.count(b"\n") >= rows, "frametag-score wrote too few rows"

        return run

    def proba(threads: int | None):
        def run():
            p = model.predict_proba(sents, threads=threads)
            assert p.shape == (n_records, len(model.labels))

        return run

    def score(threads: int | None):
        def run():
            rows = model.score_articles(articles, threads=threads)
            assert len(rows) == n_article_rows
            assert rows.labels.iloc[0] == expected_rows.labels.iloc[0]

        return run

    print(f"machine: {machine()}")
    print(f"input: {n_records} sentences; {len(articles)} articles of 20 ({n_article_rows} sentences as split)")
    print(f"{'job':<10} {'threads':<8} {'python s/s':>12} {'binary s/s':>12} {'share':>7}")
    for threads in (1, None):
        label = "1" if threads else f"all ({os.cpu_count()})"
        for job, py_run, bin_run, n in (
            ("records", proba(threads), binary(rec_file, n_records, threads, "--unit", "record"), n_records),
            ("articles", score(threads), binary(art_file, n_article_rows, threads), n_article_rows),
        ):
            py = n / best(args.rounds, py_run)
            cli = n / best(args.rounds, bin_run)
            print(f"{job:<10} {label:<8} {py:>12,.0f} {cli:>12,.0f} {py / cli:>6.0%}")


if __name__ == "__main__":
    main()
