"""The Model API: shapes, types, files, errors, threads and the GIL."""

from __future__ import annotations

import ast
import inspect
import pickle
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import frametag
from frametag import _frametag
from conftest import REPO

SCHOOL = "A drone hit a school overnight, wounding three children."
DULL = "The committee meets next week."


@pytest.fixture(scope="module")
def model() -> frametag.Model:
    return frametag.Model.default()


def test_default_model_labels_and_thresholds(model):
    assert model.labels == ["blame-shifting", "escalation", "humanitarian", "security-guarantee"]
    assert list(model.thresholds) == model.labels
    assert all(0.0 < t < 1.0 for t in model.thresholds.values())
    assert model.mode == "multi-label"
    assert model.info["examples"] > 1000
    assert model.report is None
    assert "multi-label" in repr(model)


def test_predict_and_proba(model):
    assert model.predict([SCHOOL, DULL]) == [["escalation", "humanitarian"], []]
    proba = model.predict_proba([SCHOOL, DULL])
    assert proba.shape == (2, 4) and proba.dtype == np.float64
    t = np.array([model.thresholds[l] for l in model.labels])
    assert ((proba >= t) == model.predict_indicator([SCHOOL, DULL])).all()
    # Any iterable of str: a Series, a NumPy array, a generator.
    series = pd.Series([SCHOOL, DULL])
    assert (model.predict_proba(series) == proba).all()
    assert (model.predict_proba(np.array([SCHOOL, DULL], dtype=object)) == proba).all()
    assert (model.predict_proba(t for t in [SCHOOL, DULL]) == proba).all()


def test_empty_inputs(model):
    assert model.predict_proba([]).shape == (0, 4)
    assert model.predict([]) == []
    rows = model.score_articles([])
    assert len(rows) == 0
    assert list(rows.columns) == ["doc_id", "sent_idx", "start", "end", "labels", *model.labels, "text"]
    # A blank text is one unit with no words: the biases' scores, no row.
    assert model.predict_proba(["   "]).shape == (1, 4)
    assert len(model.score_articles(["   ", "* * *"])) == 0


def test_score_articles_rows(model):
    text = "Shelling resumed at dawn. Talks on guarantees are due in Geneva."
    rows = model.score_articles([text, "Aid trucks were turned back."], ids=["a", "b"])
    assert rows.doc_id.tolist() == ["a", "a", "b"]
    assert rows.sent_idx.tolist() == [0, 1, 0]
    second = rows.iloc[1]
    assert text.encode()[second.start : second.end].decode() == second.text
    assert second.text == "Talks on guarantees are due in Geneva."
    # Positions as doc ids when no ids are given.
    assert model.score_articles([text]).doc_id.tolist() == [0, 0]
    # Offsets are UTF-8 bytes, as frametag-score writes them.
    accented = "Le café a fermé. Missiles struck the port."
    r = model.score_articles([accented]).iloc[1]
    assert accented.encode()[r.start : r.end].decode() == r.text == "Missiles struck the port."


def test_explain(model):
    parts = model.explain(SCHOOL, k=3)
    assert list(parts) == model.labels
    for label, grams in parts.items():
        assert len(grams) <= 3
        values = [v for _, v in grams]
        assert values == sorted(values, reverse=True) and all(v > 0 for v in values)
    assert "drone" in [g for g, _ in parts["escalation"]]
    assert model.explain(SCHOOL, k=0)["escalation"] == []


def test_files_and_pickle(model, tmp_path):
    path = tmp_path / "m.ftm"
    model.save(path)
    assert path.read_bytes() == (REPO / "models" / "frametag-en.ftm").read_bytes()
    again = frametag.Model.load(str(path))
    assert again.to_bytes() == model.to_bytes()
    copy = pickle.loads(pickle.dumps(model))
    assert (copy.predict_proba([SCHOOL]) == model.predict_proba([SCHOOL])).all()


def test_bad_paths_and_models_raise_with_the_librarys_message(tmp_path):
    with pytest.raises(FileNotFoundError, match="no-such.ftm"):
        frametag.Model.load(tmp_path / "no-such.ftm")
    with pytest.raises(IsADirectoryError):
        frametag.Model.load(tmp_path)
    not_model = tmp_path / "notes.txt"
    not_model.write_text("hello")
    with pytest.raises(frametag.ModelError, match="not a frametag model"):
        frametag.Model.load(not_model)
    data = bytearray((REPO / "models" / "frametag-en.ftm").read_bytes())
    truncated = tmp_path / "truncated.ftm"
    truncated.write_bytes(bytes(data[: len(data) // 2]))
    with pytest.raises(frametag.ModelError, match="truncated|corrupt"):
        frametag.Model.load(truncated)
    data[len(data) // 2] ^= 0xFF
    flipped = tmp_path / "flipped.ftm"
    flipped.write_bytes(bytes(data))
    with pytest.raises(frametag.ModelError, match="checksum"):
        frametag.Model.load(flipped)
    with pytest.raises(frametag.ModelError):
        frametag.Model.from_bytes(b"FRAMETAG\x00")
    assert issubclass(frametag.ModelError, frametag.FrametagError)
    with pytest.raises(OSError):
        frametag.Model.default().save(tmp_path / "missing-folder" / "m.ftm")


def test_wrong_input_types_raise_type_errors(model):
    with pytest.raises(TypeError, match="single str"):
        model.predict_proba(SCHOOL)
    with pytest.raises(TypeError, match=r"texts\[1\]: expected str, got float \(a missing value"):
        model.predict([SCHOOL, float("nan")])
    with pytest.raises(TypeError, match=r"texts\[0\]: expected str, got int"):
        model.score_articles([3])
    with pytest.raises(TypeError, match="not int"):
        model.predict(42)
    with pytest.raises(TypeError):
        model.explain(["a list"])
    with pytest.raises(TypeError):
        frametag.Model.load(42)
    with pytest.raises(ValueError, match="ids has 1 items for 2 texts"):
        model.score_articles([SCHOOL, DULL], ids=["x"])
    with pytest.raises(ValueError, match="threads=0"):
        model.predict([SCHOOL], threads=0)


def test_train_errors_are_python_exceptions():
    texts = ["Missiles struck the port.", "Talks resume on Monday."] * 10
    with pytest.raises(frametag.DataError, match="only one class") as e:
        frametag.train(texts, ["escalation"] * 20)
    assert e.value.path == "<memory>"
    with pytest.raises(ValueError, match="alpha"):
        frametag.train(texts, ["escalation", ""] * 10, alpha=-1)
    with pytest.raises(ValueError, match="language"):
        frametag.train(texts, ["escalation", ""] * 10, language="klingon")
    with pytest.raises(ValueError, match="one label cell per text"):
        frametag.train(texts, ["escalation"])
    with pytest.raises(TypeError, match=r"labels\[0\]"):
        frametag.train(texts, [3] * 20)
    with pytest.raises(TypeError):
        frametag.train(texts, ["escalation", ""] * 10, no_such_option=1)


def test_threads_give_the_same_numbers(model):
    texts = [SCHOOL, DULL, "Aid trucks were turned back at the crossing."] * 400
    one = model.predict_proba(texts, threads=1)
    assert (one == model.predict_proba(texts, threads=2)).all()
    assert (one == model.predict_proba(texts)).all()


def test_scoring_releases_the_gil(model):
    """Another Python thread runs while a long call scores: with the GIL
    held, the main thread would stall for the whole call. The input grows
    until one call takes long enough to tell, whatever the machine's speed."""
    n = 20_000
    for _ in range(8):
        texts = [SCHOOL + " " + DULL] * n
        done = threading.Event()
        took = []

        def work():
            start = time.perf_counter()
            model.predict_proba(texts, threads=1)
            took.append(time.perf_counter() - start)
            done.set()

        worker = threading.Thread(target=work)
        worker.start()
        gaps, last = [], time.perf_counter()
        while not done.is_set():
            now = time.perf_counter()
            gaps.append(now - last)
            last = now
            sum(range(100))
        worker.join()
        if took[0] > 0.5:
            break
        n *= 2
    assert took[0] > 0.5, "the call was too short to tell"
    # Converting the texts and building the array hold the GIL (Python
    # objects); the scoring itself must not.
    assert max(gaps) < 0.5 * took[0], (max(gaps), took[0])


def _stub_names(tree: ast.Module) -> tuple[set[str], dict[str, set[str]]]:
    top, members = set(), {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            top.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            top.add(node.target.id)
        if isinstance(node, ast.ClassDef):
            members[node.name] = {
                n.name for n in node.body if isinstance(n, ast.FunctionDef)
            } | {n.target.id for n in node.body if isinstance(n, ast.AnnAssign)}
    return top, members


def test_type_stubs_match_the_module():
    stub = Path(frametag.__file__).with_name("_frametag.pyi")
    top, members = _stub_names(ast.parse(stub.read_text()))
    top.discard("LabelCell")  # a type alias of the stubs only
    public = {n for n in dir(_frametag) if not n.startswith("_")} | {"__version__"}
    assert top == public
    model_api = {n for n in dir(frametag.Model) if not n.startswith("_")}
    assert members["Model"] == model_api
    # The stub's train() takes the keywords the function takes.
    stub_train = next(n for n in ast.parse(stub.read_text()).body
                      if isinstance(n, ast.FunctionDef) and n.name == "train")
    stub_kw = [a.arg for a in stub_train.args.args + stub_train.args.kwonlyargs]
    assert stub_kw == list(inspect.signature(frametag.train).parameters)


def test_docstrings_for_help():
    for obj in (frametag.Model, frametag.Model.score_articles, frametag.Model.predict_proba,
                frametag.Model.explain, frametag.train, frametag.Model.load):
        assert obj.__doc__ and len(obj.__doc__) > 40, obj
    assert "frametag-train" in frametag.train.__doc__
    assert frametag.sklearn.FrameClassifier.__doc__
    assert frametag.spark.score.__doc__
