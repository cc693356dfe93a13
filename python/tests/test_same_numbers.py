"""The package gives the binaries' numbers: scoring as frametag-score does,
training as frametag-train does."""

from __future__ import annotations

import csv
import json
import struct
import subprocess
from pathlib import Path

import numpy as np
import pytest

import frametag
from conftest import REPO, assert_rows_equal, run_score


def test_score_articles_equals_frametag_score(articles, cli_rows):
    model = frametag.Model.default()
    got = model.score_articles([a["text"] for a in articles], ids=[a["id"] for a in articles])
    assert_rows_equal(got, cli_rows, model.labels)
    # Every sample article has rows, and the columns are the scorer's.
    assert set(got.doc_id) == {a["id"] for a in articles}


@pytest.mark.parametrize("threads", [1, 2])
def test_score_articles_does_not_depend_on_threads(articles, threads):
    model = frametag.Model.default()
    texts = [a["text"] for a in articles] * 20
    one = model.score_articles(texts, threads=1)
    assert one.equals(model.score_articles(texts, threads=threads))


def _sentences(limit: int = 800) -> list[str]:
    with open(REPO / "corpus" / "test.csv", encoding="utf-8", newline="") as f:
        return [row["text"] for row in csv.DictReader(f)][:limit]


def test_predict_proba_equals_frametag_score_unit_record(binaries, tmp_path):
    texts = _sentences()
    records = tmp_path / "sentences.jsonl"
    with open(records, "w", encoding="utf-8") as f:
        for i, t in enumerate(texts):
            f.write(json.dumps({"id": str(i), "text": t}) + "\n")
    cli = run_score(binaries, "--unit", "record", str(records))
    assert len(cli) == len(texts)
    cli = cli.sort_values("sent_idx", kind="stable").set_index(cli.doc_id.astype(int)).sort_index()
    model = frametag.Model.default()
    proba = model.predict_proba(texts)
    assert proba.shape == (len(texts), len(model.labels))
    expected = cli[model.labels].to_numpy()
    assert np.abs(proba - expected).max() <= 0.5e-4 + 1e-9
    predicted = [";".join(ls) for ls in model.predict(texts)]
    assert predicted == cli["labels"].tolist()
    # The indicator form is the same decisions.
    on = model.predict_indicator(texts)
    assert [";".join(np.array(model.labels)[row]) for row in on] == predicted


def _read_labeled(path: Path) -> tuple[list[str], list[str]]:
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return [r["text"] for r in rows], [r["labels"] for r in rows]


def _write_sample(src: Path, dest: Path, rows: int) -> None:
    """The first `rows` rows of a labeled CSV (header kept)."""
    with open(src, encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        head = [next(reader) for _ in range(rows + 1)]
    with open(dest, "w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(head)


def _model_parts(data: bytes) -> tuple[dict, bytes]:
    """A model file's header (JSON) and body (the arrays), as
    src/model/file.rs lays them out."""
    assert data[:8] == b"FRAMETAG"
    (header_len,) = struct.unpack("<Q", data[12:20])
    header = json.loads(data[20 : 20 + header_len])
    return header, data[20 + header_len : -8]


def test_train_gives_frametag_trains_model_bytes(binaries, tmp_path):
    train_csv, test_csv = tmp_path / "sample.csv", tmp_path / "held.csv"
    _write_sample(REPO / "corpus" / "train.csv", train_csv, 1500)
    _write_sample(REPO / "corpus" / "test.csv", test_csv, 300)
    options = dict(seed=7, char_ngrams="off", cv=3)
    cli_model, cli_report = tmp_path / "cli.ftm", tmp_path / "cli.json"
    subprocess.run(
        [
            str(binaries / "frametag-train"),
            "--data", str(train_csv), "--test", str(test_csv),
            "--seed", "7", "--char-ngrams", "off", "--cv", "3",
            "--out", str(cli_model), "--report", str(cli_report),
        ],
        check=True,
        capture_output=True,
    )
    texts, labels = _read_labeled(train_csv)
    model = frametag.train(texts, labels, test=_read_labeled(test_csv), name="sample.csv", **options)
    py_model = tmp_path / "py.ftm"
    model.save(py_model)
    expected, got = cli_model.read_bytes(), py_model.read_bytes()

    # The report is frametag-train's, but for where files were.
    report, py_report = json.loads(cli_report.read_text()), model.report
    for r in (report, py_report):
        r["model"] = r["train"]["file"] = None
        for t in r["tests"]:
            t["file"] = None
    assert py_report["cv"]["folds"] == 3 and py_report["tests"]
    assert py_report == report

    # The model records a checksum of the examples (texts and labels), so
    # the same rows give the same file whether they came from a CSV or from
    # Python lists.
    if got != expected:
        h_got, body_got = _model_parts(got)
        h_exp, body_exp = _model_parts(expected)
        assert h_got == h_exp, "model headers differ"
        assert body_got == body_exp, "weights differ"
    assert got == expected


def test_train_accepts_label_lists_and_pandas_missing_cells():
    texts, cells = _read_labeled(REPO / "corpus" / "train.csv")
    texts, cells = texts[:600], cells[:600]
    options = dict(alpha=0.1, char_ngrams="off", seed=3)
    joined = frametag.train(texts, cells, **options)
    as_lists = frametag.train(texts, [c.split(";") if c else [] for c in cells], **options)
    as_nan = frametag.train(texts, [c if c else float("nan") for c in cells], **options)
    assert joined.to_bytes() == as_lists.to_bytes() == as_nan.to_bytes()
    assert joined.info["examples"] == 600
    assert joined.report["train"]["examples"] == 600
