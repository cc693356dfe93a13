"""Many-labels training benchmark: frametag-train with its defaults against
scikit-learn's TF-IDF + one-vs-rest logistic regression.

A SPEED benchmark on a labelled set built at run time, not a quality claim:
no labelled paragraph set with 20+ labels is in ../shared/data, so this
script takes paragraphs of the Reuters-21578 articles
(../shared/data/reuters21578/docs.jsonl, paragraphs = the indented blocks of
each article's text, 80 to 1,200 characters, in file order) and labels each
with every topic whose keyword rule (KEYWORDS below: lower-cased whole words
or prefixes) matches it; a paragraph can have several labels or none. The
first --rows paragraphs are the training set, the next --test-rows the test
set. The data go to benches/out/data/ (git-ignored); their text is never
committed.

Both tools get the same rows and the same CPUs (pinned, see measure.py):
- frametag-train --data TRAIN --test TEST --out M --threads N, all other
  settings at their defaults, so its penalty search (and, up to 10,000 rows,
  its character n-gram search) is included;
- peer_sklearn.py train: TfidfVectorizer(ngram_range=(1, 2),
  sublinear_tf=True) + OneVsRestClassifier(LogisticRegression(C=1.0,
  max_iter=1000), n_jobs=N), one fit at scikit-learn's default penalty, as a
  user who does not search would run it.
Each process is timed from outside (wall, CPU, peak RSS), and both predict
the test rows, whose macro-F1 is printed beside the times as a sanity check.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from pathlib import Path

import common
import measure

# Topic -> keyword rule. A word matches a keyword when it equals it, or
# starts with it where the keyword ends in '*'.
KEYWORDS: dict[str, list[str]] = {
    "oil": ["oil", "crude", "opec", "petroleum", "barrel*", "refiner*"],
    "gas": ["gas", "lng", "pipeline*"],
    "grain": ["grain*", "wheat", "corn", "maize", "barley", "sorghum", "rice"],
    "oilseed": ["soybean*", "soy*", "oilseed*", "rapeseed", "sunflower*", "palm"],
    "sugar": ["sugar"],
    "coffee": ["coffee"],
    "cocoa": ["cocoa"],
    "cotton": ["cotton"],
    "livestock": ["cattle", "hog*", "pork", "beef", "livestock", "meat"],
    "gold": ["gold"],
    "metals": ["copper", "zinc", "nickel", "tin", "aluminium", "aluminum", "lead", "silver", "steel"],
    "earnings": ["profit*", "earnings", "shr", "dividend*", "revs", "loss"],
    "acquisition": ["acqui*", "merger*", "takeover*", "tender", "stake"],
    "currency": ["dollar*", "yen", "currenc*", "mark", "marks", "sterling", "franc", "francs"],
    "interest": ["interest", "prime", "discount", "libor"],
    "trade": ["trade", "tariff*", "export*", "import*", "surplus", "deficit*"],
    "shipping": ["ship*", "vessel*", "port*", "tanker*", "freight*", "cargo*"],
    "banking": ["bank*", "lender*", "deposit*"],
    "debt": ["debt*", "loan*", "creditor*", "borrow*"],
    "inflation": ["inflation", "prices", "cpi"],
    "growth": ["gnp", "gdp", "growth", "recession"],
    "jobs": ["unemployment", "jobless", "employment", "jobs", "workers", "strike*"],
    "bonds": ["bond*", "treasury", "notes", "yield*"],
    "government": ["minister*", "government", "parliament", "president"],
}

WORD = re.compile(r"[a-z]+")


def labels_of(text: str) -> list[str]:
    words = set(WORD.findall(text.lower()))
    out = []
    for topic, keys in KEYWORDS.items():
        for k in keys:
            if (k.endswith("*") and any(w.startswith(k[:-1]) for w in words)) or k in words:
                out.append(topic)
                break
    return out


def paragraphs(docs: Path):
    with open(docs, encoding="utf-8") as f:
        for line in f:
            text = json.loads(line).get("text") or ""
            for para in re.split(r"\n\s{2,}", text):
                para = " ".join(para.split())
                if 80 <= len(para) <= 1200:
                    yield para


def build(docs: Path, out_dir: Path, rows: int, test_rows: int) -> tuple[Path, Path, dict]:
    out_dir.mkdir(parents=True, exist_ok=True)
    train, test = out_dir / f"many-labels-{rows}.csv", out_dir / f"many-labels-{rows}-test.csv"
    taken = []
    for para in paragraphs(docs):
        taken.append((para, labels_of(para)))
        if len(taken) == rows + test_rows:
            break
    if len(taken) < rows + test_rows:
        sys.exit(f"only {len(taken)} paragraphs in {docs}, fewer than {rows + test_rows}")
    for path, part in ((train, taken[:rows]), (test, taken[rows:])):
        with open(path, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(["text", "labels"])
            for text, labels in part:
                w.writerow([text, ";".join(labels)])
    counts = {t: sum(t in ls for _, ls in taken[:rows]) for t in KEYWORDS}
    none = sum(not ls for _, ls in taken[:rows])
    return train, test, {"label_counts": counts, "no_label": none}


def main() -> None:
    root = Path(__file__).resolve().parents[2]
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rows", type=int, default=10000)
    p.add_argument("--test-rows", type=int, default=2000)
    p.add_argument("--threads", default="1,2", help="thread counts, e.g. 1,2")
    p.add_argument("--tools", default="frametag,sklearn")
    p.add_argument("--docs", default=str(root.parent / "shared/data/reuters21578/docs.jsonl"))
    p.add_argument("--binary", default=str(root / "target/release/frametag-train"))
    args = p.parse_args()
    docs = Path(args.docs)
    if not docs.exists():
        sys.exit(f"skipped: {docs} is absent (the Reuters-21578 articles of ../shared/data)")
    work = root / "benches/out/many-labels"
    train, test, stats = build(docs, root / "benches/out/data", args.rows, args.test_rows)
    labels = [t for t, n in stats["label_counts"].items() if n > 0]
    print(f"{args.rows} training paragraphs, {args.test_rows} test paragraphs, {len(labels)} labels, "
          f"{stats['no_label']} training rows with none", file=sys.stderr)
    gold = common.read_labeled(test)
    results = []
    for threads in [int(t) for t in args.threads.split(",")]:
        for tool in args.tools.split(","):
            name = f"{tool}-{threads}t"
            pred = work / f"{name}.labels"
            if tool == "frametag":
                report = work / f"{name}.json"
                cmd = [args.binary, "--data", train, "--test", test, "--out", work / f"{name}.ftm",
                       "--report", report, "--threads", threads]
            else:
                cmd = [sys.executable, Path(__file__).with_name("peer_sklearn.py"), "train", "--train", train,
                       "--test", test, "--model", work / f"{name}.joblib", "--predictions", pred,
                       "--info", work / f"{name}.info.json", "--threads", threads, "--C", "1.0"]
            m = measure.run(cmd, threads=threads, log_prefix=work / "logs" / name, cwd=root)
            if m.returncode != 0:
                sys.exit(f"{name} failed (exit {m.returncode}); see {work / 'logs' / name}.stderr")
            if tool == "frametag":
                macro = json.loads(report.read_text())["test"]["macro_f1"]
            else:
                scores = common.f1_scores(gold.labels, common.read_label_lines(pred), labels)
                macro = scores.macro_f1
            results.append({"tool": tool, "threads": threads, "wall_s": m.wall_s, "cpu_s": round(m.user_s + m.sys_s, 2),
                            "peak_rss_mb": m.peak_rss_mb, "other_cpu_s": m.other_cpu_s, "test_macro_f1": round(macro, 3)})
            print(json.dumps(results[-1]), file=sys.stderr)
    print("| tool | threads | wall s | CPU s | peak RSS MB | test macro-F1 | other processes' CPU s |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['tool']} | {r['threads']} | {r['wall_s']} | {r['cpu_s']} | {r['peak_rss_mb']} | "
              f"{r['test_macro_f1']} | {r['other_cpu_s']} |")
    for threads in sorted({r["threads"] for r in results}):
        pair = {r["tool"]: r for r in results if r["threads"] == threads}
        if {"frametag", "sklearn"} <= pair.keys():
            ratio = pair["frametag"]["wall_s"] / pair["sklearn"]["wall_s"]
            print(f"{threads} thread(s): frametag / scikit-learn wall time = {ratio:.2f}x (target <= 3x)")
    (work / "results.json").write_text(json.dumps({"stats": stats, "results": results}, indent=2))


if __name__ == "__main__":
    main()
