"""frametag from Python, start to end: score articles into a DataFrame,
train a model on labeled sentences, check it with scikit-learn, and save it
for frametag-score.

    pip install "./python[sklearn]"
    python python/examples/score_and_train.py [--out my.ftm]

Run from anywhere; it reads the corpus shipped in the repository.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd
from sklearn.model_selection import cross_val_score
from sklearn.preprocessing import MultiLabelBinarizer

import frametag
from frametag.sklearn import FrameClassifier

REPO = Path(__file__).resolve().parents[2]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="example.ftm", help="where to save the trained model")
    args = ap.parse_args()

    # 1. Score articles with the built-in model: one row per sentence.
    with open(REPO / "corpus" / "articles" / "articles.jsonl", encoding="utf-8") as f:
        articles = pd.DataFrame([json.loads(line) for line in f])
    model = frametag.Model.default()
    rows = model.score_articles(articles.text, ids=articles.id)
    print(f"{len(rows)} sentences in {len(articles)} articles")
    share = rows[model.labels].ge(pd.Series(model.thresholds)).groupby(rows.doc_id).mean()
    print("share of sentences per frame:\n", share.round(2).head(), "\n")
    print("why the first escalation sentence is escalation:")
    first = rows[rows.labels.str.contains("escalation")].iloc[0]
    print(" ", first.text)
    print(" ", model.explain(first.text, k=4)["escalation"], "\n")

    # 2. Train on labeled sentences (labels ';'-joined, empty = none).
    train = pd.read_csv(REPO / "corpus" / "train.csv", keep_default_na=False).iloc[::8]
    test = pd.read_csv(REPO / "corpus" / "test.csv", keep_default_na=False)
    mine = frametag.train(
        train.text,
        train.labels,
        alpha=0.1,
        char_ngrams="off",
        seed=1,
        test=(test.text, test.labels),
    )
    held_out = mine.report["test"]
    print(f"trained on {len(train)} sentences: held-out macro-F1 {held_out['macro_f1']:.3f}")
    for label, s in held_out["per_label"].items():
        print(f"  {label:<20} P {s['precision']:.2f}  R {s['recall']:.2f}  F1 {s['f1']:.2f}")

    # 3. The same as a scikit-learn estimator, cross-validated.
    y = MultiLabelBinarizer().fit_transform(train.labels.str.split(";").map(lambda ls: [l for l in ls if l]))
    scores = cross_val_score(FrameClassifier(alpha=0.1, char_ngrams="off"), train.text, y, cv=3, scoring="f1_macro")
    print(f"3-fold CV macro-F1: {scores.mean():.3f} ± {scores.std():.3f}")

    # 4. Save it: frametag-score --model reads the same file.
    mine.save(args.out)
    print(f"model saved to {args.out} (frametag-score --model {args.out} ARTICLES)")


if __name__ == "__main__":
    main()
