"""frametag finds narrative framing in news text, sentence by sentence.

It tags each sentence as blame-shifting, security-guarantee, escalation
and/or humanitarian framing (or none) with a trained sparse linear model.
This package is frametag's Rust core, with the GIL released and all cores
at work; it gives the same numbers as the ``frametag-score`` and
``frametag-train`` binaries.

    >>> import frametag
    >>> model = frametag.Model.default()
    >>> model.predict(["A drone hit a school overnight, wounding three children."])
    [['escalation', 'humanitarian']]
    >>> rows = model.score_articles(["Shelling resumed at dawn. Talks are due in Geneva."])
    >>> list(rows.columns)[:5]
    ['doc_id', 'sent_idx', 'start', 'end', 'labels']

- :class:`Model`: ``Model.default()``, ``Model.load(path)``, ``save``,
  ``labels``, ``thresholds``, ``predict``, ``predict_proba``,
  ``score_articles`` (a pandas DataFrame of sentence rows), ``explain``.
- :func:`train`: labeled texts to a Model, with frametag-train's options.
- ``frametag.sklearn.FrameClassifier``: a scikit-learn estimator.
- ``frametag.spark.score``: score a Spark DataFrame of articles.
"""

from __future__ import annotations

import importlib
from typing import Any

from ._frametag import (
    MODEL_FORMAT_VERSION,
    DataError,
    FrametagError,
    Model,
    ModelError,
    TrainingError,
    __version__,
    train,
)

__all__ = [
    "Model",
    "train",
    "FrametagError",
    "ModelError",
    "DataError",
    "TrainingError",
    "MODEL_FORMAT_VERSION",
    "__version__",
    "sklearn",
    "spark",
]

# These name the package in tracebacks and help() instead of the private
# extension module.
for _obj in (Model, train, FrametagError, ModelError, DataError, TrainingError):
    try:
        _obj.__module__ = "frametag"
    except (AttributeError, TypeError):
        pass


def __getattr__(name: str) -> Any:
    # frametag.sklearn and frametag.spark import scikit-learn and pyspark,
    # so they load when first used, not with the package.
    if name in ("sklearn", "spark"):
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
