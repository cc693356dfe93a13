"""frametag as a scikit-learn estimator.

    >>> from sklearn.model_selection import cross_val_score
    >>> from sklearn.preprocessing import MultiLabelBinarizer
    >>> from frametag.sklearn import FrameClassifier
    >>> y = MultiLabelBinarizer().fit_transform(label_lists)      # doctest: +SKIP
    >>> cross_val_score(FrameClassifier(alpha=0.1), texts, y, cv=5, scoring="f1_macro")  # doctest: +SKIP

``FrameClassifier`` takes raw texts as X (a list, NumPy array or pandas
Series of str) and either of sklearn's target types as y:

- a 2-D 0/1 indicator array (``MultiLabelBinarizer`` output, dense or
  sparse): multi-label; ``classes_`` is ``arange(n_labels)``, ``predict``
  returns an indicator array and ``predict_proba`` one probability per
  label (n, n_labels), as ``OneVsRestClassifier`` does;
- a 1-D array of class labels (str or int): single-label (softmax, exactly
  one class per text); ``predict`` returns classes and ``predict_proba``
  rows that sum to 1, columns in ``classes_`` order.

Fitting is ``frametag.train`` with the estimator's parameters (the same as
its keyword options), so a fitted ``model_`` is a ``frametag.Model`` whose
file frametag-score can use.
"""

from __future__ import annotations

import warnings
from typing import Any, Optional, Sequence, Tuple, Union

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

from . import _frametag

__all__ = ["FrameClassifier"]


def _label_names(classes: Any) -> list:
    """frametag label names for classes: their text form, or "#i" (the
    class's position) for one that a labels cell could not hold as it is
    ("", "none", a ';', stray whitespace) or that repeats another's."""
    names = []
    for i, c in enumerate(classes):
        name = str(c)
        if not name or name != name.strip() or ";" in name or name.lower() == "none":
            name = f"#{i}"
        names.append(name)
    if len(set(names)) != len(names):
        names = [f"#{i}" for i in range(len(names))]
    return names


def _texts(X: Any) -> list:
    """X as a list of texts: 1-D, or 2-D with one column (a one-column
    DataFrame)."""
    if isinstance(X, (str, bytes)):
        raise TypeError("X must be a list (or array, Series) of texts, not a single str")
    shape = getattr(X, "shape", None)
    if shape is not None and len(shape) == 2:
        if shape[1] != 1:
            raise ValueError(
                f"X has shape {shape}: frametag takes raw texts, one per row "
                "(a 1-D list, array or Series of str)"
            )
        X = X.iloc[:, 0] if hasattr(X, "iloc") else np.asarray(X)[:, 0]
    return list(X)


class FrameClassifier(ClassifierMixin, BaseEstimator):
    """A frametag model as a scikit-learn classifier of raw texts.

    Parameters mirror ``frametag.train`` (and frametag-train's flags):

    alpha : "auto" or float, default "auto"
        L2 penalty; "auto" chooses it by cross-validation (up to 50,000 texts).
    threshold : "auto" or float, default "auto"
        Multi-label decision threshold for every label; "auto" maximises
        each label's F1 out of fold.
    char_ngrams : "auto", "off", "MIN-MAX" or (min, max), default "auto"
        Character n-grams of each word.
    seed : int, default 42
        Seed of fold assignment: the same data and seed give the same model.
    language : str, default "en"
        Stemming language (ISO 639-1 code or name).
    stem, keep_numbers, ngram_max, bits, min_df, norm_power, balanced,
    threshold_folds, max_iter
        As frametag-train's flags of the same names.
    threads : int or None, default None
        Threads for fitting and prediction (None: all cores). Use 1 inside
        ``cross_val_score(..., n_jobs=k)``.

    Attributes
    ----------
    model_ : frametag.Model
        The fitted model. Its labels are the class names as str (or "#i",
        the class's position, for a name a labels cell cannot hold, such
        as "none" or ""), or the indicator columns' indices.
    classes_ : ndarray
        Class labels (single-label) or ``arange(n_labels)`` (indicator y).
    """

    def __init__(
        self,
        alpha: Union[str, float] = "auto",
        threshold: Union[str, float] = "auto",
        char_ngrams: Union[str, Tuple[int, int]] = "auto",
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
        threads: Optional[int] = None,
    ) -> None:
        self.alpha = alpha
        self.threshold = threshold
        self.char_ngrams = char_ngrams
        self.seed = seed
        self.language = language
        self.stem = stem
        self.keep_numbers = keep_numbers
        self.ngram_max = ngram_max
        self.bits = bits
        self.min_df = min_df
        self.norm_power = norm_power
        self.balanced = balanced
        self.threshold_folds = threshold_folds
        self.max_iter = max_iter
        self.threads = threads

    def _train_options(self) -> dict:
        return dict(
            alpha=self.alpha,
            threshold=self.threshold,
            char_ngrams=self.char_ngrams,
            seed=self.seed,
            language=self.language,
            stem=self.stem,
            keep_numbers=self.keep_numbers,
            ngram_max=self.ngram_max,
            bits=self.bits,
            min_df=self.min_df,
            norm_power=self.norm_power,
            balanced=self.balanced,
            threshold_folds=self.threshold_folds,
            max_iter=self.max_iter,
            threads=self.threads,
        )

    def fit(self, X: Any, y: Any) -> "FrameClassifier":
        """Trains on texts X and targets y (a 1-D array of classes, or a
        2-D 0/1 indicator array for multi-label data)."""
        texts = _texts(X)
        if hasattr(y, "toarray"):  # a sparse indicator matrix
            y = y.toarray()
        if not hasattr(y, "shape") and any(isinstance(v, (list, tuple, set)) for v in y):
            raise ValueError(
                "y holds lists of labels: encode them with "
                "sklearn.preprocessing.MultiLabelBinarizer (or use frametag.train directly)"
            )
        y_arr = np.asarray(y)
        if len(y_arr) != len(texts):
            raise ValueError(f"X has {len(texts)} texts but y has {len(y_arr)} rows")
        if y_arr.ndim == 2:
            self._fit_indicator(texts, y_arr)
        elif y_arr.ndim == 1:
            self._fit_classes(texts, y_arr)
        else:
            raise ValueError(f"y must be 1-D (classes) or 2-D (indicator), not {y_arr.ndim}-D")
        return self

    def _fit_indicator(self, texts: list, y: np.ndarray) -> None:
        if not np.isin(y, (0, 1)).all():
            raise ValueError("a 2-D y must be a 0/1 indicator array (MultiLabelBinarizer output)")
        y = y.astype(bool)
        k = y.shape[1]
        self.multilabel_ = True
        self.classes_ = np.arange(k)
        # A label that is never (or always) on in this training set cannot
        # be learned; it is predicted as it was seen, as OneVsRestClassifier
        # does, instead of failing a cross-validation fold.
        counts = y.sum(axis=0)
        self.constant_ = {
            int(c): float(counts[c] == len(y)) for c in range(k) if counts[c] in (0, len(y))
        }
        for c, v in self.constant_.items():
            warnings.warn(
                f"label {c} is {'on for every' if v else 'on for no'} training text; "
                f"it is predicted as {int(v)}",
                UserWarning,
                stacklevel=3,
            )
        self.learned_ = [c for c in range(k) if c not in self.constant_]
        if not self.learned_:
            raise ValueError("no label of y varies across the training texts")
        names = [str(c) for c in self.learned_]
        cells = [[str(c) for c in self.learned_ if row[c]] for row in y]
        self.model_ = _frametag.train(texts, cells, label_order=names, **self._train_options())

    def _fit_classes(self, texts: list, y: np.ndarray) -> None:
        self.multilabel_ = False
        self.classes_ = np.unique(y)
        names = _label_names(self.classes_)
        if len(names) < 2:
            raise ValueError(f"y has one class only ({self.classes_[0]!r}): nothing to tell apart")
        index = {c: i for i, c in enumerate(self.classes_)}
        cells = [[names[index[v]]] for v in y]
        self.constant_ = {}
        self.learned_ = list(range(len(names)))
        self.model_ = _frametag.train(texts, cells, label_order=names, **self._train_options())

    def _full(self, learned: np.ndarray, n: int, dtype: Any) -> np.ndarray:
        """Columns for every label: the model's, and the constant ones."""
        out = np.zeros((n, len(self.classes_)), dtype=dtype)
        out[:, self.learned_] = learned
        for c, v in self.constant_.items():
            out[:, c] = v
        return out

    def predict_proba(self, X: Any) -> np.ndarray:
        """Probabilities: one per label (multi-label) or per class, summing
        to 1 (single-label), columns in ``classes_`` order."""
        check_is_fitted(self, "model_")
        texts = _texts(X)
        proba = self.model_.predict_proba(texts, threads=self.threads)
        return self._full(proba, len(texts), np.float64)

    def predict(self, X: Any) -> np.ndarray:
        """An indicator array (multi-label) or one class per text."""
        check_is_fitted(self, "model_")
        texts = _texts(X)
        on = self.model_.predict_indicator(texts, threads=self.threads)
        if self.multilabel_:
            return self._full(on, len(texts), np.int64)
        return self.classes_[np.argmax(on, axis=1)]

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags

    def _more_tags(self) -> dict:  # scikit-learn < 1.6
        return {"multilabel": True, "X_types": ["string"]}
