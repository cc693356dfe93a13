"""Type stubs of frametag's extension module (frametag._frametag).

tests/test_api.py checks that every name here exists at run time and the
other way round.
"""

from __future__ import annotations

import os
from typing import Iterable, Literal, Optional, Sequence, Tuple, Union

import numpy as np
import numpy.typing as npt
import pandas as pd

__version__: str
MODEL_FORMAT_VERSION: int

LabelCell = Union[str, Sequence[str], None, float]
"""One text's labels: a ';'-joined str, a list of names, or None/NaN/""/"none" for none."""

class FrametagError(Exception):
    """Base class of the errors frametag raises (besides OSError, ValueError and TypeError)."""

class ModelError(FrametagError):
    """A model file or model bytes that cannot be used: not a model, corrupt, truncated, or written by a newer frametag."""

class DataError(FrametagError):
    """Training data that cannot be used."""

    path: Optional[str]
    line: Optional[int]

class TrainingError(FrametagError):
    """Training ran but the model would be useless."""

class Model:
    """A trained frame model: labels, thresholds, and scoring."""

    @staticmethod
    def default() -> Model:
        """The built-in English model."""
    @staticmethod
    def load(path: Union[str, os.PathLike[str]]) -> Model:
        """Reads a model file; OSError if unreadable, ModelError if not a usable model."""
    @staticmethod
    def from_bytes(data: bytes) -> Model:
        """A model from the bytes of a model file."""
    def to_bytes(self) -> bytes:
        """The model as the bytes of a model file."""
    def save(self, path: Union[str, os.PathLike[str]]) -> None:
        """Writes the model file atomically."""
    @property
    def labels(self) -> list[str]:
        """Label names, in score order."""
    @property
    def thresholds(self) -> dict[str, float]:
        """Each label's decision threshold."""
    @property
    def mode(self) -> Literal["multi-label", "multi-class"]:
        """How labels are decided from scores."""
    @property
    def info(self) -> dict[str, object]:
        """What the model records of its training."""
    @property
    def report(self) -> Optional[dict[str, object]]:
        """The frametag-train --report dict of a model trained in this process."""
    @property
    def n_features(self) -> int:
        """Number of feature columns."""
    def top_ngrams(self, n: int = 12) -> dict[str, list[Tuple[str, float]]]:
        """The n n-grams with the largest positive weight per label."""
    def predict_proba(
        self, texts: Iterable[str], *, threads: Optional[int] = None
    ) -> npt.NDArray[np.float64]:
        """Probabilities, shape (len(texts), len(labels)); each text scored whole."""
    def predict(
        self, texts: Iterable[str], *, threads: Optional[int] = None
    ) -> list[list[str]]:
        """The labels of each text, scored whole."""
    def predict_indicator(
        self, texts: Iterable[str], *, threads: Optional[int] = None
    ) -> npt.NDArray[np.bool_]:
        """The labels of each text as a boolean array (len(texts), len(labels))."""
    def score_articles(
        self,
        texts: Iterable[str],
        ids: Optional[Iterable[object]] = None,
        *,
        threads: Optional[int] = None,
    ) -> pd.DataFrame:
        """Sentence rows: doc_id, sent_idx, start, end, labels, one column per label, text."""
    def explain(self, text: str, k: int = 5) -> dict[str, list[Tuple[str, float]]]:
        """The n-grams of text that raised each label's score most."""

def train(
    texts: Iterable[str],
    labels: Iterable[LabelCell],
    *,
    alpha: Union[str, float, None] = None,
    threshold: Union[str, float, None] = None,
    thresholds: Union[str, float, None] = None,
    char_ngrams: Union[str, Tuple[int, int], None] = None,
    cv: Optional[int] = None,
    seed: int = 42,
    language: str = "en",
    stem: bool = True,
    keep_numbers: bool = False,
    ngram_max: int = 2,
    bits: int = 20,
    min_df: int = 2,
    norm_power: float = 0.75,
    balanced: bool = False,
    threshold_folds: int = 5,
    max_iter: int = 300,
    label_order: Optional[Sequence[str]] = None,
    test: Optional[Tuple[Iterable[str], Iterable[LabelCell]]] = None,
    top: int = 12,
    threads: Optional[int] = None,
    name: str = "<memory>",
) -> Model:
    """Trains a frame model on labeled texts, as frametag-train does on a CSV."""
