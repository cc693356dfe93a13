"""Shared fixtures: the repository, the real binaries to compare with, and
the sample articles."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[2]
ARTICLES = REPO / "corpus" / "articles" / "articles.jsonl"


def _target_dir() -> Path:
    return Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))


@pytest.fixture(scope="session")
def binaries() -> Path:
    """The folder of release builds of frametag-score and frametag-train,
    built here (cargo) when they are missing or older than the sources.
    FRAMETAG_BIN_DIR names another folder holding them."""
    given = os.environ.get("FRAMETAG_BIN_DIR")
    if given:
        return Path(given)
    cargo = shutil.which("cargo")
    folder = _target_dir() / "release"
    if cargo is None:
        if (folder / "frametag-score").exists():
            return folder
        pytest.skip("no cargo on PATH and no release binaries to compare with "
                    "(set FRAMETAG_BIN_DIR)")
    subprocess.run(
        [cargo, "build", "--release", "--quiet", "--bin", "frametag-score", "--bin", "frametag-train"],
        cwd=REPO,
        check=True,
    )
    return folder


def run_score(binaries: Path, *args: str) -> pd.DataFrame:
    """frametag-score's CSV rows, read as pandas reads CSVs."""
    out = subprocess.run(
        [str(binaries / "frametag-score"), "--quiet", *args],
        check=True,
        capture_output=True,
    ).stdout
    from io import BytesIO

    return pd.read_csv(
        BytesIO(out),
        dtype={"doc_id": str, "labels": str, "text": str},
        keep_default_na=False,
    )


@pytest.fixture(scope="session")
def articles() -> list[dict]:
    """The sample articles (id, text)."""
    with open(ARTICLES, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


@pytest.fixture(scope="session")
def cli_rows(binaries: Path) -> pd.DataFrame:
    """frametag-score's rows for the sample articles."""
    return run_score(binaries, str(ARTICLES))


def assert_rows_equal(got: pd.DataFrame, expected: pd.DataFrame, labels: list[str]) -> None:
    """Rows as frametag-score writes them: the same sentences, offsets and
    labels, and the same scores to its 4 decimals."""
    got = got.sort_values(["doc_id", "sent_idx"]).reset_index(drop=True)
    expected = expected.sort_values(["doc_id", "sent_idx"]).reset_index(drop=True)
    assert len(got) == len(expected) > 0
    assert list(got.columns) == list(expected.columns)
    for col in ["doc_id", "labels", "text"]:
        assert got[col].astype(str).tolist() == expected[col].astype(str).tolist(), col
    for col in ["sent_idx", "start", "end"]:
        assert got[col].astype("int64").tolist() == expected[col].astype("int64").tolist(), col
    for label in labels:
        diff = (got[label].astype(float) - expected[label].astype(float)).abs().max()
        # The CSV rounds to 4 decimals: half a unit of the last digit.
        assert diff <= 0.5e-4 + 1e-9, (label, diff)
