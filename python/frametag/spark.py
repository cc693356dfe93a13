"""Scoring a Spark DataFrame of articles.

    >>> import frametag.spark
    >>> articles = spark.read.json("archive/*.jsonl.gz")          # doctest: +SKIP
    >>> rows = frametag.spark.score(articles, text_col="text", id_col="id")  # doctest: +SKIP
    >>> rows.write.parquet("rows.parquet")                       # doctest: +SKIP

Each partition is scored by ``mapInPandas``: batches of articles go to a
Python worker as pandas DataFrames, and the model is loaded once per worker
process (and kept while Spark reuses the worker), then every batch is
scored in Rust. Spark already runs one task per core, so each worker scores
with one thread.
"""

from __future__ import annotations

import hashlib
import os
from typing import Any, Dict, Iterator, Optional, Tuple, Union

from . import _frametag

__all__ = ["score", "output_schema"]

# Models loaded in this (worker) process, by what names them.
_MODELS: Dict[Tuple[str, str], "_frametag.Model"] = {}


def _worker_model(spec: Tuple[str, str], payload: Any = None) -> "_frametag.Model":
    """The model `spec` names, loaded once per process."""
    model = _MODELS.get(spec)
    if model is None:
        kind, value = spec
        if kind == "default":
            model = _frametag.Model.default()
        elif kind == "path":
            model = _frametag.Model.load(value)
        else:
            model = _frametag.Model.from_bytes(payload.value)
        _MODELS[spec] = model
    return model


def output_schema(model: "_frametag.Model", id_type: Any = None) -> Any:
    """The Spark schema of scored rows: doc_id (the id column's type),
    sent_idx, start, end (longs; start and end are UTF-8 byte offsets),
    labels (';'-joined), one double per label, text."""
    from pyspark.sql.types import DoubleType, LongType, StringType, StructField, StructType

    fields = [
        StructField("doc_id", id_type or StringType(), True),
        StructField("sent_idx", LongType(), False),
        StructField("start", LongType(), False),
        StructField("end", LongType(), False),
        StructField("labels", StringType(), False),
    ]
    fields += [StructField(label, DoubleType(), False) for label in model.labels]
    fields.append(StructField("text", StringType(), False))
    return StructType(fields)


def score(
    df: Any,
    text_col: str = "text",
    id_col: str = "id",
    model: Union[None, str, "os.PathLike[str]", "_frametag.Model"] = None,
) -> Any:
    """Scores the articles of Spark DataFrame `df`, one row per sentence.

    Returns a Spark DataFrame with frametag-score's columns: doc_id (the
    value of `id_col`), sent_idx, start, end, labels, one probability
    column per label, text; sentences are split and scored exactly as
    frametag-score does.

    model: None for the built-in English model; a path to a model file
    that every worker can read (a shared file system); or a frametag.Model,
    whose bytes are broadcast to the workers.

    A null text fails the task with a message naming its id: filter nulls
    first (``df.na.drop(subset=[text_col])``) if some articles have none.
    """
    if text_col not in df.columns:
        raise ValueError(f"no column {text_col!r} in the DataFrame (columns: {df.columns})")
    if id_col not in df.columns:
        raise ValueError(f"no column {id_col!r} in the DataFrame (columns: {df.columns})")
    payload = None
    if model is None:
        spec = ("default", "")
        local = _frametag.Model.default()
    elif isinstance(model, _frametag.Model):
        data = model.to_bytes()
        spec = ("bytes", hashlib.sha256(data).hexdigest())
        payload = df.sparkSession.sparkContext.broadcast(data)
        local = model
    elif isinstance(model, (str, os.PathLike)):
        path = os.fspath(model)
        # Read on the driver too: a bad path or model fails here, at once.
        local = _frametag.Model.load(path)
        spec = ("path", path)
    else:
        raise TypeError(
            f"model must be None, a path or a frametag.Model, not {type(model).__name__}"
        )
    schema = output_schema(local, df.schema[id_col].dataType)

    def score_batches(batches: Iterator[Any]) -> Iterator[Any]:
        m = _worker_model(spec, payload)
        for batch in batches:
            texts = batch[text_col]
            missing = texts.isna()
            if missing.any():
                first = batch[id_col][missing].iloc[0]
                raise ValueError(
                    f"article {first!r} has no text (null {text_col}); "
                    f"filter nulls first, e.g. df.na.drop(subset=[{text_col!r}])"
                )
            yield m.score_articles(texts, ids=batch[id_col], threads=1)

    return df.select(id_col, text_col).mapInPandas(score_batches, schema)
