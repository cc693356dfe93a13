"""FrameClassifier in scikit-learn's machinery."""

from __future__ import annotations

import csv
import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.preprocessing import MultiLabelBinarizer

import frametag
from conftest import REPO
from frametag.sklearn import FrameClassifier

# Quick settings: a fixed penalty, words only.
FAST = dict(alpha=0.1, char_ngrams="off", seed=5)


@pytest.fixture(scope="module")
def data() -> tuple[list[str], list[list[str]]]:
    with open(REPO / "corpus" / "train.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    # Every 10th row: all four frames, and no topic cluster of the file.
    rows = rows[::10][:900]
    return [r["text"] for r in rows], [r["labels"].split(";") if r["labels"] else [] for r in rows]


def test_params_and_clone():
    est = FrameClassifier(**FAST)
    params = est.get_params()
    assert params["alpha"] == 0.1 and params["threads"] is None
    other = clone(est).set_params(alpha=0.5, threads=1)
    assert other.alpha == 0.5 and est.alpha == 0.1
    assert clone(other).get_params() == other.get_params()


def test_multilabel_with_multilabelbinarizer(data):
    texts, labels = data
    mlb = MultiLabelBinarizer()
    y = mlb.fit_transform(labels)
    est = FrameClassifier(**FAST).fit(texts, y)
    assert (est.classes_ == np.arange(len(mlb.classes_))).all()
    pred = est.predict(texts[:50])
    assert pred.shape == (50, len(mlb.classes_)) and set(np.unique(pred)) <= {0, 1}
    proba = est.predict_proba(texts[:50])
    assert proba.shape == (50, len(mlb.classes_))
    # The estimator's numbers are frametag.train's with the same options.
    model = frametag.train(texts, labels, **FAST)
    assert model.labels == list(mlb.classes_)
    assert np.array_equal(proba, model.predict_proba(texts[:50]))
    assert np.array_equal(pred.astype(bool), model.predict_indicator(texts[:50]))
    # Decoded back to names, predictions are the model's.
    assert [list(t) for t in mlb.inverse_transform(pred)] == model.predict(texts[:50])
    again = pickle.loads(pickle.dumps(est))
    assert np.array_equal(again.predict_proba(texts[:50]), proba)


def test_cross_val_score_multilabel(data):
    texts, labels = data
    y = MultiLabelBinarizer().fit_transform(labels)
    scores = cross_val_score(FrameClassifier(**FAST), texts, y, cv=3, scoring="f1_macro")
    assert scores.shape == (3,)
    assert np.isfinite(scores).all() and scores.mean() > 0.3, scores


def test_single_label_classes(data):
    texts, labels = data
    # One class per text: its first frame, or "none".
    y = np.array([ls[0] if ls else "none" for ls in labels])
    est = FrameClassifier(**FAST).fit(texts, y)
    assert list(est.classes_) == sorted(set(y))
    assert est.model_.mode == "multi-class"
    proba = est.predict_proba(texts[:40])
    assert proba.shape == (40, len(est.classes_))
    assert np.allclose(proba.sum(axis=1), 1.0, atol=1e-5)
    pred = est.predict(texts[:40])
    assert set(pred) <= set(est.classes_)
    assert list(pred) == list(est.classes_[proba.argmax(axis=1)])
    assert est.score(texts, y) > 0.5
    scores = cross_val_score(FrameClassifier(**FAST), texts, y, cv=3)
    assert np.isfinite(scores).all() and scores.mean() > 0.4, scores


def test_integer_classes_round_trip(data):
    texts, labels = data
    y = np.array([1 if "escalation" in ls else 0 for ls in labels])
    est = FrameClassifier(**FAST).fit(texts, y)
    assert est.classes_.tolist() == [0, 1]
    assert est.predict(texts[:10]).dtype == y.dtype


def test_grid_search(data):
    texts, labels = data
    y = MultiLabelBinarizer().fit_transform(labels)
    grid = GridSearchCV(
        FrameClassifier(char_ngrams="off", seed=5),
        {"alpha": [0.05, 0.5]},
        cv=2,
        scoring="f1_micro",
    ).fit(texts, y)
    assert grid.best_params_["alpha"] in (0.05, 0.5)
    assert grid.best_estimator_.predict(texts[:5]).shape == (5, y.shape[1])


def test_a_label_absent_from_a_training_fold_is_predicted_as_seen(data):
    texts, labels = data
    y = MultiLabelBinarizer().fit_transform(labels)
    y = np.hstack([y, np.zeros((len(y), 1), dtype=y.dtype)])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est = FrameClassifier(**FAST).fit(texts, y)
    assert any("on for no training text" in str(w.message) for w in caught)
    assert (est.predict(texts[:20])[:, -1] == 0).all()
    assert (est.predict_proba(texts[:20])[:, -1] == 0).all()


def test_bad_targets():
    texts = ["Missiles struck the port.", "Talks resume on Monday."] * 10
    with pytest.raises(ValueError, match="MultiLabelBinarizer"):
        FrameClassifier(**FAST).fit(texts, [["escalation"], []] * 10)
    with pytest.raises(ValueError, match="one class"):
        FrameClassifier(**FAST).fit(texts, ["a"] * 20)
    with pytest.raises(ValueError, match="20 texts but y has 3"):
        FrameClassifier(**FAST).fit(texts, ["a", "b", "a"])
    with pytest.raises(TypeError, match="single str"):
        FrameClassifier(**FAST).fit("one text", ["a"])
