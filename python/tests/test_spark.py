"""frametag.spark.score on Spark in local mode gives frametag-score's rows."""

from __future__ import annotations

import os
import shutil
import sys

import pytest

import frametag
import frametag.spark
from conftest import assert_rows_equal


def _java() -> str | None:
    home = os.environ.get("JAVA_HOME")
    if home and os.path.exists(os.path.join(home, "bin", "java")):
        return os.path.join(home, "bin", "java")
    return shutil.which("java")


if _java() is None:
    reason = "Spark tests skipped: no Java on this machine (PATH or JAVA_HOME); Spark needs Java 17"
    print(reason, file=sys.stderr)
    pytest.skip(reason, allow_module_level=True)


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    # Workers use the interpreter running the tests (the one with frametag).
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    session = (
        SparkSession.builder.master("local[2]")
        .appName("frametag-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def article_df(spark, articles):
    # Four partitions over two cores: several batches and worker reuse.
    return spark.createDataFrame([(a["id"], a["text"]) for a in articles], ["id", "text"]).repartition(4)


def test_spark_rows_equal_frametag_score(article_df, cli_rows):
    model = frametag.Model.default()
    rows = frametag.spark.score(article_df)
    assert rows.columns == ["doc_id", "sent_idx", "start", "end", "labels", *model.labels, "text"]
    assert_rows_equal(rows.toPandas(), cli_rows, model.labels)


def test_spark_with_a_model_object_and_a_path(article_df, cli_rows, tmp_path, spark):
    model = frametag.Model.default()
    path = tmp_path / "model.ftm"
    model.save(path)
    for given in (model, str(path)):
        renamed = article_df.withColumnRenamed("id", "article").withColumnRenamed("text", "body")
        rows = frametag.spark.score(renamed, text_col="body", id_col="article", model=given)
        assert_rows_equal(rows.toPandas(), cli_rows, model.labels)


def test_spark_argument_errors(article_df, tmp_path):
    with pytest.raises(ValueError, match="no column 'body'"):
        frametag.spark.score(article_df, text_col="body")
    with pytest.raises(FileNotFoundError):
        frametag.spark.score(article_df, model=str(tmp_path / "missing.ftm"))
    with pytest.raises(TypeError, match="model must be"):
        frametag.spark.score(article_df, model=42)
