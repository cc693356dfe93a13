"""Peer benchmark: frametag against scikit-learn, fastText and Vowpal Wabbit.

Run it through benches/peers.sh, which prepares the virtual environment and
the release build first. This script:

1. trains every tool on the corpus train split and on a large set resampled
   from it, on 1 and 2 threads where the tool can use them, and scores each
   model on the corpus test split (macro/micro-F1);
2. scores a large article corpus: frametag-score end to end on the JSONL
   (sentence splitting, scoring, CSV output to a file), every peer in batch
   on the sentences frametag-score produced (one per line);
3. prints one table with wall time, CPU use, peak memory, throughput, F1 and
   frametag/peer ratios, and writes it with all raw figures to
   benches/out/peers/.

Every tool runs as its own process, measured from outside (measure.py); the
time of a peer includes starting Python, loading the model and any text
preprocessing it needs.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import importlib.metadata
import io
import json
import platform
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import common
import measure
import prepare

HERE = Path(__file__).resolve().parent

FRAMETAG = "frametag"
PEERS = {  # display name -> script
    "scikit-learn": "peer_sklearn.py",
    "fastText": "peer_fasttext.py",
    "Vowpal Wabbit": "peer_vw.py",
}
TOOL_FLAGS = {"frametag": FRAMETAG, "sklearn": "scikit-learn", "fasttext": "fastText", "vw": "Vowpal Wabbit"}
PEER_PACKAGES = ["scikit-learn", "fasttext-wheel", "vowpalwabbit", "numpy", "scipy", "joblib"]

# Where a tool cannot use a second thread, the table says why.
SINGLE_THREADED = {
    ("train", "Vowpal Wabbit"): "VW learns on one thread (no multi-threaded learning)",
    ("score", "fastText"): "fastText's Python predict() has no thread option",
    ("score", "Vowpal Wabbit"): "VW predicts on one thread",
}


@dataclass
class Row:
    """One line of the table: a tool on a task with a thread count."""

    task: str  # "train" or "score"
    dataset: str  # human-readable input description
    tool: str
    threads: int
    status: str = "ok"  # ok | failed | n/a
    note: str = ""
    input_mb: float = 0.0  # MB (10^6 bytes) of the input the task is about
    sentences: int = 0
    measurement: dict | None = None
    micro_f1: float | None = None
    macro_f1: float | None = None
    extra: dict = field(default_factory=dict)

    @property
    def wall(self) -> float | None:
        return self.measurement["wall_s"] if self.measurement and self.status == "ok" else None


def log(message: str) -> None:
    print(f"[peers {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- machine


def machine_info(root: Path, bin_dir: Path) -> dict:
    """CPU model, cores, RAM, OS and tool versions."""
    models, physical = [], set()
    current: dict[str, str] = {}
    with open("/proc/cpuinfo", encoding="utf-8") as f:
        for line in list(f) + [""]:
            if not line.strip():
                if current:
                    models.append(current.get("model name", "unknown"))
                    physical.add((current.get("physical id"), current.get("core id")))
                current = {}
                continue
            key, _, value = line.partition(":")
            current[key.strip()] = value.strip()
    mem_kib = 0
    with open("/proc/meminfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
    versions = {}
    for package in PEER_PACKAGES:
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return {
        "cpu_model": models[0] if models else "unknown",
        "logical_cpus": len(models),
        "physical_cores": len(physical) if all(p != (None, None) for p in physical) else None,
        "cpus_allowed": len(measure.allowed_cpus()),
        "ram_gib": round(mem_kib / 2**20, 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "rustc": _output(["rustc", "--version"]),
        "frametag": _output([bin_dir / "frametag-train", "--version"]),
        "frametag_commit": _output(["git", "-C", root, "describe", "--always", "--dirty"]) or "no commit",
        "peers": versions,
    }


def _output(command: list) -> str:
    try:
        return subprocess.run([str(c) for c in command], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


# ---------------------------------------------------------------- runs


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.root = Path(args.root).resolve()
        self.bin = Path(args.bin_dir).resolve() if args.bin_dir else self.root / "target" / "release"
        self.out = self.root / "benches" / "out"
        self.data = self.out / "data"
        self.work = self.out / "peers"
        for d in (self.data, self.work / "models", self.work / "logs", self.work / "predictions", self.work / "info"):
            d.mkdir(parents=True, exist_ok=True)
        self.snapshot_corpus()
        self.tools = [TOOL_FLAGS[t] for t in args.tools]
        self.rows: list[Row] = []
        self.notes: list[str] = []
        available = len(measure.allowed_cpus())
        self.threads = [t for t in args.threads if t <= available]
        for t in args.threads:
            if t > available:
                self.notes.append(f"{t}-thread runs skipped: only {available} CPUs available")

    def snapshot_corpus(self) -> None:
        """Copy the corpus splits, so that every tool in this run reads the
        same bytes even if corpus/ is edited meanwhile."""
        snapshot = self.data / "corpus"
        snapshot.mkdir(exist_ok=True)
        self.corpus: dict[str, Path] = {}
        self.corpus_sha256: dict[str, str] = {}
        for split in ("train", "test"):
            source = self.root / "corpus" / f"{split}.csv"
            target = snapshot / f"{split}.csv"
            shutil.copyfile(source, target)
            self.corpus[split] = target
            self.corpus_sha256[split] = hashlib.sha256(target.read_bytes()).hexdigest()
        # F1 is over the labels of the train split (the four frames).
        self.labels = common.label_set(common.read_labeled(self.corpus["train"]).labels)
        self.gold = common.read_labeled(self.corpus["test"]).labels

    # One measured process; failures are recorded, not raised.
    def run(self, row: Row, command: list, name: str) -> bool:
        """Run and measure `command` --repeat times; the row keeps the run
        with the shortest wall time (the one least disturbed by anything
        else on the machine). Outputs are those of the last run."""
        log(f"{row.task} {row.dataset}: {row.tool}, {row.threads} thread(s)")
        best = None
        walls = []
        for _ in range(self.args.repeat):
            if self.args.quiet_wait > 0:
                waited, busy = measure.wait_for_quiet(self.args.quiet_wait)
                row.extra["waited_for_quiet_s"] = row.extra.get("waited_for_quiet_s", 0) + round(waited, 1)
                if busy >= 0.15:
                    log(f"  machine still busy ({busy:.2f} CPUs) after {waited:.0f} s; running anyway")
            m = measure.run(command, threads=row.threads, log_prefix=self.work / "logs" / name, cwd=self.root)
            walls.append(m.wall_s)
            if m.returncode != 0:
                best = m
                break
            log(f"  {m.wall_s:.1f} s, peak {m.peak_rss_mb:.0f} MiB, CPU {m.cpu_percent:.0f}%")
            if best is None or m.wall_s < best.wall_s:
                best = m
        row.measurement = best.to_dict()
        row.extra["walls_s"] = walls
        row.extra["log"] = str(self.work / "logs" / name)
        if best.returncode != 0:
            row.status = "failed"
            row.note = f"exit code {best.returncode}, see {row.extra['log']}.stderr"
            log(f"  FAILED ({row.note})")
        self.rows.append(row)
        return best.returncode == 0

    def skip(self, row: Row, reason: str) -> None:
        row.status, row.note = "n/a", reason
        self.rows.append(row)

    # ------------------------------------------------------------ training

    def train_sets(self) -> list[tuple[str, str, Path, bool]]:
        """(key, description, csv, is_large) for each training set."""
        train = self.corpus["train"]
        sets = [("train", "corpus train split", train, False)]
        if self.args.large > 0:
            # Named after the source's hash: a changed train split is resampled again.
            source = self.corpus_sha256["train"][:12]
            path = self.data / f"train_resampled_{self.args.large}_seed{self.args.seed}_{source}.csv"
            if not path.exists():
                log(f"resampling {self.args.large:,} rows from {train} (seed {self.args.seed})")
                prepare.resample(train, self.args.large, self.args.seed, path)
            sets.append((f"large{self.args.large}", f"resampled from train split (seed {self.args.seed})", path, True))
        return sets

    def train_all(self) -> None:
        test = self.corpus["test"]
        for key, description, path, large in self.train_sets():
            rows = len(common.read_labeled(path).texts)
            shape = {"input_mb": path.stat().st_size / 1e6, "sentences": rows}
            label = f"{description}, {rows:,} sentences"
            for threads in self.threads:
                alpha = None
                if FRAMETAG in self.tools:
                    alpha = self.train_frametag(key, label, path, test, large, threads, shape)
                for tool in PEERS:
                    if tool not in self.tools:
                        continue
                    row = Row("train", label, tool, threads, **shape)
                    if threads > 1 and ("train", tool) in SINGLE_THREADED:
                        self.skip(row, SINGLE_THREADED[("train", tool)])
                        continue
                    self.train_peer(row, key, path, test, alpha)

    def model_path(self, key: str, tool: str, threads: int) -> Path:
        slug = tool.lower().replace(" ", "-")
        return self.work / "models" / f"{key}.{slug}.t{threads}.model"

    def train_frametag(self, key, label, path, test, large, threads, shape) -> float | None:
        """Train frametag; returns the penalty (alpha) its model uses."""
        row = Row("train", label, FRAMETAG, threads, **shape)
        report = self.work / "info" / f"train.{key}.frametag.t{threads}.json"
        command = [
            self.bin / "frametag-train",
            "--data", path,
            "--test", test,
            "--out", self.model_path(key, FRAMETAG, threads),
            "--report", report,
            "--threads", threads,
        ]  # fmt: skip
        if large:
            # Fixed penalty: frametag only searches it up to 50,000 rows.
            command += ["--alpha", self.args.large_alpha]
        if not self.run(row, command, f"train.{key}.frametag.t{threads}"):
            return None
        result = json.loads(report.read_text(encoding="utf-8"))
        row.micro_f1 = result["test"]["micro_f1"]
        row.macro_f1 = result["test"]["macro_f1"]
        alpha = result["train"]["alpha"]
        row.extra["alpha"] = alpha
        row.extra["thresholds"] = result["train"].get("thresholds")
        row.extra["settings"] = " ".join(str(c) for c in command[1:])
        self.recheck_frametag(row, self.model_path(key, FRAMETAG, threads), test)
        return alpha

    def recheck_frametag(self, row: Row, model: Path, test: Path) -> None:
        """Score the test split with frametag-score (not timed) and compute F1
        with the same code as for the peers, to make sure frametag's report
        and the peers' figures mean the same thing."""
        command = [
            self.bin / "frametag-score", "--model", model, "--input-format", "csv",
            "--unit", "record", "--quiet", test,
        ]  # fmt: skip
        done = subprocess.run([str(c) for c in command], check=False, capture_output=True, encoding="utf-8")
        if done.returncode != 0:
            row.extra["recheck"] = f"frametag-score failed: {done.stderr.strip()[-300:]}"
            return
        predicted = [common.parse_labels(r["labels"]) for r in csv.DictReader(io.StringIO(done.stdout, newline=""))]
        scores = common.f1_scores(self.gold, predicted, self.labels)
        row.extra["recheck"] = {"micro_f1": scores.micro_f1, "macro_f1": scores.macro_f1}
        if abs(scores.micro_f1 - row.micro_f1) > 5e-4 or abs(scores.macro_f1 - row.macro_f1) > 5e-4:
            row.note = f"bench recomputes F1 {scores.micro_f1:.3f}/{scores.macro_f1:.3f} from frametag-score"

    def train_peer(self, row: Row, key, path, test, alpha) -> None:
        name = f"train.{key}.{Path(PEERS[row.tool]).stem}.t{row.threads}"
        predictions = self.work / "predictions" / f"{name}.txt"
        info = self.work / "info" / f"{name}.json"
        command = [
            sys.executable, HERE / PEERS[row.tool], "train",
            "--train", path,
            "--test", test,
            "--model", self.model_path(key, row.tool, row.threads),
            "--predictions", predictions,
            "--info", info,
            "--threads", row.threads,
        ]  # fmt: skip
        if row.tool == "scikit-learn":
            if alpha:
                command += ["--C", repr(1.0 / alpha)]
            else:
                row.extra["C_note"] = "frametag's penalty unknown: scikit-learn default C=1"
        if not self.run(row, command, name):
            return
        scores = common.f1_scores(self.gold, common.read_label_lines(predictions), self.labels)
        row.micro_f1, row.macro_f1 = scores.micro_f1, scores.macro_f1
        row.extra["per_label_f1"] = scores.per_label_f1
        row.extra["info"] = json.loads(info.read_text(encoding="utf-8"))

    # ------------------------------------------------------------ scoring

    def articles(self) -> tuple[Path, dict]:
        mb = self.args.score_mb
        path = self.data / f"articles_{mb}mb.jsonl"
        manifest_path = self.data / f"articles_{mb}mb.json"
        if not (path.exists() and manifest_path.exists()):
            log(f"building a {mb} MB article corpus in {path}")
            manifest = prepare.build_articles(self.root, int(mb * 1e6), self.args.seed, path)
            common.write_json(manifest_path, manifest)
        return path, json.loads(manifest_path.read_text(encoding="utf-8"))

    def score_all(self) -> None:
        articles, manifest = self.articles()
        self.articles_manifest = manifest
        input_mb = articles.stat().st_size / 1e6
        label = f"{input_mb:,.0f} MB of articles ({manifest['origin']})"
        sentences_file = self.data / f"sentences_{self.args.score_mb}mb.txt"
        n_sentences = 0
        score_dir = self.work / "score"
        score_dir.mkdir(exist_ok=True)

        if FRAMETAG in self.tools:
            for threads in self.threads:
                out = score_dir / f"frametag.t{threads}.csv"
                row = Row("score", label, FRAMETAG, threads, input_mb=input_mb)
                model = self.model_path("train", FRAMETAG, self.threads[0])
                if not model.exists():
                    self.skip(row, f"no model {model}: run the train part first")
                    continue
                command = [
                    self.bin / "frametag-score",
                    "--model", model,
                    "--input-format", "jsonl",
                    "--text-field", "text",
                    "--id-field", "id",
                    "--output-format", "csv",
                    "-o", out,
                    "--threads", threads,
                    "--quiet",
                    articles,
                ]  # fmt: skip
                if not self.run(row, command, f"score.frametag.t{threads}"):
                    continue
                row.extra["settings"] = " ".join(str(c) for c in command[1:])
                if not out.exists():
                    row.status, row.note = "failed", f"frametag-score wrote no {out}"
                    continue
                if threads == self.threads[0]:
                    # Peers get frametag's own sentences: one per line.
                    n_sentences = prepare.extract_sentences(out, sentences_file)
                    row.sentences = n_sentences
                else:
                    row.sentences = count_csv_records(out)
                    if n_sentences and row.sentences != n_sentences:
                        row.note = f"{row.sentences:,} sentences, not {n_sentences:,} as on {self.threads[0]} thread"
                if not self.args.keep_outputs:
                    out.unlink()

        if not n_sentences:
            if sentences_file.exists():
                n_sentences = count_lines(sentences_file)
                self.notes.append(f"peers scored sentences left by an earlier frametag-score run: {sentences_file}")
            else:
                for tool in PEERS:
                    if tool in self.tools:
                        self.skip(Row("score", label, tool, 1), "no sentences: frametag-score did not run")
                return

        for tool in PEERS:
            if tool not in self.tools:
                continue
            for threads in self.threads:
                row = Row("score", label, tool, threads, input_mb=input_mb, sentences=n_sentences)
                if threads > 1 and ("score", tool) in SINGLE_THREADED:
                    self.skip(row, SINGLE_THREADED[("score", tool)])
                    continue
                model = self.model_path("train", tool, self.threads[0])
                if not model.exists():
                    self.skip(row, f"no model {model}: run the train part first")
                    continue
                name = f"score.{Path(PEERS[tool]).stem}.t{threads}"
                out = score_dir / f"{name}.out"
                info = self.work / "info" / f"{name}.json"
                command = [
                    sys.executable, HERE / PEERS[tool], "score",
                    "--model", model,
                    "--sentences", sentences_file,
                    "--out", out,
                    "--info", info,
                    "--threads", threads,
                ]  # fmt: skip
                if not self.run(row, command, name):
                    continue
                row.extra["info"] = json.loads(info.read_text(encoding="utf-8"))
                lines = count_lines(out)
                if lines != n_sentences:
                    row.status = "failed"
                    row.note = f"{lines:,} predictions for {n_sentences:,} sentences"
                if not self.args.keep_outputs:
                    out.unlink()

        for row in self.rows:
            if row.task == "score":
                row.dataset = f"{label}, {n_sentences:,} sentences"


def count_lines(path: Path) -> int:
    with open(path, "rb") as f:
        return sum(1 for _ in f)


def count_csv_records(path: Path) -> int:
    with open(path, newline="", encoding="utf-8") as f:
        return sum(1 for _ in csv.reader(f)) - 1  # minus the header


# ---------------------------------------------------------------- table


def _fmt(x: float | None, digits: int) -> str:
    return "" if x is None else f"{x:,.{digits}f}"


def render(result: dict) -> str:
    """The table as Markdown (also readable as plain text)."""
    rows = [Row(**r) for r in result["rows"]]
    reference = {(r.task, r.dataset, r.threads): r for r in rows if r.tool == FRAMETAG and r.status == "ok"}
    header = [
        "task", "input", "tool", "threads", "wall s", "CPU %", "peak RSS MiB", "MB/s",
        "sentences/s", "sent/s per thread", "micro-F1", "macro-F1", "frametag/peer speed", "frametag/peer memory",
    ]  # fmt: skip
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    for r in rows:
        cells = [r.task, r.dataset, r.tool, str(r.threads)]
        if r.status != "ok":
            cells += [f"{r.status}: {r.note}"] + [""] * (len(header) - 5)
        else:
            m = r.measurement
            wall = m["wall_s"]
            ratio = memory = ""
            ref = reference.get((r.task, r.dataset, r.threads))
            if r.tool != FRAMETAG and ref is not None:
                # Same input, so the throughput ratio is the inverse time ratio.
                ratio = f"{wall / ref.wall:.2f}"
                memory = f"{ref.measurement['peak_rss_mb'] / m['peak_rss_mb']:.2f}"
            per_second = r.sentences / wall if wall else None
            cells += [
                _fmt(wall, 1),
                _fmt(m["cpu_percent"], 0),
                _fmt(m["peak_rss_mb"], 0),
                _fmt(r.input_mb / wall if wall else None, 2),
                _fmt(per_second, 0),
                _fmt(per_second / r.threads if per_second else None, 0),
                _fmt(r.micro_f1, 3),
                _fmt(r.macro_f1, 3),
                ratio,
                memory,
            ]
            if r.note:
                cells[2] += f" ({r.note})"
        lines.append("| " + " | ".join(cells) + " |")
    mach = result["machine"]
    cores = f"{mach['physical_cores']} physical cores, " if mach["physical_cores"] else ""
    intro = [
        f"- Machine: {mach['cpu_model']}, {mach['logical_cpus']} logical CPUs ({cores}{mach['cpus_allowed']} usable), "
        f"{mach['ram_gib']} GiB RAM, {mach['os']}; {mach['frametag']} ({mach['frametag_commit']}), {mach['rustc']}, "
        f"Python {mach['python']}, " + ", ".join(f"{k} {v}" for k, v in mach["peers"].items()) + ".",
        f"- Command: `{result['command']}`",
    ]
    if result.get("corpus"):
        intro.append(
            "- Corpus: "
            + ", ".join(
                f"{split} split {c['sentences']:,} sentences (sha256 {c['sha256'][:12]})"
                for split, c in result["corpus"].items()
            )
            + "."
        )
    if result.get("articles"):
        a = result["articles"]
        intro.append(
            f"- Articles to score: {a['bytes'] / 1e6:,.0f} MB, {a['records']:,} records: "
            f"{a['distinct_articles']:,} distinct articles ({a['origin']}), "
            f"{a['repetitions']} pass{'' if a['repetitions'] == 1 else 'es'} over them."
        )
    intro.append("")
    legend = [
        (
            "wall s: elapsed time of the whole process (start-up, reading input, work, writing output)"
            + (
                f", the fastest of {result['config']['repeat']} runs. "
                if result["config"].get("repeat", 1) > 1
                else ". "
            )
            + "CPU %: (user + system CPU time) / wall. Peak RSS: largest resident memory of the process tree "
            "(ru_maxrss, or the sampled sum over processes if larger). MB/s: input megabytes (10^6 bytes; "
            "training CSV, or article JSONL for scoring) per wall second, the same figure for every tool on a task. "
            "sentences/s per thread: sentences/s divided by the threads (= CPU cores pinned) of the run. "
            "frametag/peer speed: peer wall time / frametag wall time on the same input and thread count "
            "(> 1: frametag is faster). frametag/peer memory: frametag peak / peer peak (< 1: frametag uses less). "
            "F1 on the corpus test split; peers predict a label at probability > 0.5."
        ),
    ]
    others = [(r.measurement["other_cpu_s"] / r.measurement["wall_s"], r) for r in rows if r.measurement]
    if others:
        worst, worst_row = max(others, key=lambda x: x[0])
        legend.append(
            "Other processes used on average "
            f"{100 * sum(o for o, _ in others) / len(others):.0f}% of a CPU during the runs "
            f"(most: {100 * worst:.0f}% during {worst_row.task} / {worst_row.tool} / {worst_row.threads} thread(s))."
        )
    legend += [f"Note: {n}" for n in result.get("notes", [])]
    return "\n".join(intro + lines) + "\n\n" + "\n\n".join(legend) + "\n"


# ---------------------------------------------------------------- main


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", default=str(HERE.parent.parent), help="repository root")
    parser.add_argument("--bin-dir", help="frametag release binaries (default: ROOT/target/release)")
    parser.add_argument("--large", type=int, default=1_000_000, help="rows of the resampled training set (0: skip)")
    parser.add_argument("--large-alpha", default="0.05", help="frametag-train --alpha for the resampled set")
    parser.add_argument("--score-mb", type=int, default=500, help="size of the article corpus to score, in MB")
    parser.add_argument("--seed", type=int, default=42, help="seed of the resampling (and assembled articles)")
    parser.add_argument(
        "--threads", default="1,2", type=lambda s: sorted({int(x) for x in s.split(",")}), help="thread counts"
    )
    parser.add_argument(
        "--tools",
        default=",".join(TOOL_FLAGS),
        type=lambda s: [t.strip() for t in s.split(",") if t.strip()],
        help=f"comma-separated subset of {','.join(TOOL_FLAGS)}",
    )
    parser.add_argument("--parts", default="train,score", type=lambda s: set(s.split(",")), help="train, score or both")
    parser.add_argument(
        "--repeat", type=int, default=1, help="run each measurement N times and keep the fastest (default 1)"
    )
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=0,
        metavar="SECONDS",
        help="before each run, wait up to SECONDS for other processes to leave the CPUs idle (shared machines)",
    )
    parser.add_argument(
        "--keep-outputs", action="store_true", help="keep the scoring outputs in benches/out/peers/score"
    )
    parser.add_argument("--command", default="", help="command line to print with the results")
    args = parser.parse_args(argv)
    unknown = [t for t in args.tools if t not in TOOL_FLAGS]
    if unknown:
        parser.error(f"unknown tools {unknown}; known: {', '.join(TOOL_FLAGS)}")
    if not args.parts <= {"train", "score"}:
        parser.error("--parts takes train, score or train,score")
    if min(args.threads) < 1:
        parser.error("--threads: counts must be at least 1")
    if args.score_mb < 1:
        parser.error("--score-mb must be at least 1")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def main(argv: list[str]) -> None:
    args = parse_args(argv)
    bench = Bench(args)
    started = time.time()
    machine = machine_info(bench.root, bench.bin)
    if "train" in args.parts:
        bench.train_all()
    if "score" in args.parts:
        bench.score_all()
    result = {
        "command": args.command or " ".join([sys.argv[0]] + argv),
        "started": time.strftime("%Y-%m-%d %H:%M:%S %z", time.localtime(started)),
        "minutes": round((time.time() - started) / 60, 1),
        "machine": machine,
        "config": {k: (sorted(v) if isinstance(v, set) else v) for k, v in vars(args).items()},
        "corpus": {
            split: {"sentences": len(common.read_labeled(path).texts), "sha256": bench.corpus_sha256[split]}
            for split, path in bench.corpus.items()
        },
        "articles": getattr(bench, "articles_manifest", None),
        "notes": bench.notes,
        "rows": [r.__dict__ for r in bench.rows],
    }
    common.write_json(bench.work / "results.json", result)
    table = render(result)
    (bench.work / "results.md").write_text(table, encoding="utf-8")
    print(table)
    log(f"results: {bench.work / 'results.md'} and results.json ({result['minutes']} min)")
    if any(r.status == "failed" for r in bench.rows):
        sys.exit(1)


if __name__ == "__main__":
    main(sys.argv[1:])
