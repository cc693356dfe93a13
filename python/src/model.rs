//! `frametag.Model`: a [`FrameModel`] and the ways to score with it.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use numpy::ndarray::Array2;
use numpy::{IntoPyArray, PyArray1, PyArray2};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString};

use frametag::model::Contribution;
use frametag::pipeline::{score_records, score_texts};
use frametag::{FrameModel, Mode, Unit};

use crate::convert;
use crate::errors::{to_py, ModelError};
use crate::pool;

/// A trained frame model: labels, thresholds, and scoring.
///
/// Get one with Model.default() (the built-in English model),
/// Model.load(path), or frametag.train(...). Scoring runs in Rust with the
/// GIL released, on all cores unless `threads` is given; the numbers are
/// those of frametag-score, whatever the number of threads.
#[pyclass(module = "frametag", name = "Model", frozen)]
pub struct Model {
    pub(crate) inner: Arc<FrameModel>,
    /// The training report as JSON, for models trained in this process.
    pub(crate) report: Option<String>,
}

impl Model {
    pub(crate) fn new(model: FrameModel, report: Option<String>) -> Self {
        Model {
            inner: Arc::new(model),
            report,
        }
    }
}

/// A JSON text as Python objects (dicts, lists...).
/// `{label: [(ngram, value), ...]}` from n-gram contributions per label.
fn contributions_dict<'py>(
    py: Python<'py>,
    per_label: impl IntoIterator<Item = (String, Vec<Contribution>)>,
) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for (label, parts) in per_label {
        let list: Vec<(String, f64)> = parts
            .into_iter()
            .map(|c| (c.ngram, c.value as f64))
            .collect();
        d.set_item(label, list)?;
    }
    Ok(d)
}

fn json_to_py<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    py.import("json")?.call_method1("loads", (text,))
}

#[pymethods]
impl Model {
    /// The built-in English model (blame-shifting, escalation,
    /// humanitarian, security-guarantee), trained from the shipped corpus.
    #[staticmethod]
    fn default() -> Self {
        Model::new(frametag::default_model(), None)
    }

    /// Reads a model file written by frametag-train or Model.save.
    ///
    /// Raises FileNotFoundError (or another OSError) when the file cannot be
    /// read, and frametag.ModelError when it is not a usable model.
    #[staticmethod]
    fn load(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        let model = py.detach(|| FrameModel::load(&path)).map_err(to_py)?;
        Ok(Model::new(model, None))
    }

    /// A model from the bytes of a model file (as Model.to_bytes gives).
    #[staticmethod]
    fn from_bytes(data: &[u8]) -> PyResult<Self> {
        let model = FrameModel::from_bytes(data)
            .map_err(|kind| ModelError::new_err(format!("model bytes: {kind}")))?;
        Ok(Model::new(model, None))
    }

    /// Used by pickle: the model's bytes and its training report.
    #[staticmethod]
    #[pyo3(name = "_restore")]
    fn restore(data: &[u8], report: Option<String>) -> PyResult<Self> {
        let mut m = Model::from_bytes(data)?;
        m.report = report;
        Ok(m)
    }

    /// The model as the bytes of a model file.
    fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        let bytes = py.detach(|| self.inner.to_bytes());
        PyBytes::new(py, &bytes)
    }

    /// Writes the model file to `path` atomically (the same bytes
    /// frametag-train writes for the same data and seed).
    fn save(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        py.detach(|| self.inner.save(&path)).map_err(to_py)
    }

    /// Label names, in score order (the columns of predict_proba).
    #[getter]
    fn labels(&self) -> Vec<String> {
        self.inner.labels().to_vec()
    }

    /// Each label's decision threshold, {label: probability}. A
    /// multi-class model takes the top score instead (its thresholds are 0).
    #[getter]
    fn thresholds<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (l, t) in self.inner.labels().iter().zip(self.inner.thresholds()) {
            d.set_item(l, *t as f64)?;
        }
        Ok(d)
    }

    /// "multi-label" (each label against its threshold) or "multi-class"
    /// (exactly one label, the top score).
    #[getter]
    fn mode(&self) -> &'static str {
        match self.inner.mode() {
            Mode::MultiLabel => "multi-label",
            Mode::MultiClass => "multi-class",
        }
    }

    /// What the model records of its training (corpus checksum and file,
    /// examples, seed, alpha, headline metrics...), as a dict.
    #[getter]
    fn info<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let text = serde_json::to_string(self.inner.info())
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        json_to_py(py, &text)
    }

    /// The training report (the schema of `frametag-train --report`) of a
    /// model trained by frametag.train in this process; None otherwise.
    #[getter]
    fn report<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.report
            .as_deref()
            .map(|text| json_to_py(py, text))
            .transpose()
    }

    /// Number of feature columns (n-grams kept at training).
    #[getter]
    fn n_features(&self) -> usize {
        self.inner.vectorizer().n_features()
    }

    /// The `n` n-grams with the largest positive weight per label:
    /// {label: [(ngram, weight), ...]}.
    #[pyo3(signature = (n = 12))]
    fn top_ngrams<'py>(&self, py: Python<'py>, n: usize) -> PyResult<Bound<'py, PyDict>> {
        contributions_dict(py, self.inner.top_ngrams(n))
    }

    /// One probability per label for each text, scored whole (as
    /// `frametag-score --unit record`): a float64 array of shape
    /// (len(texts), len(labels)).
    #[pyo3(signature = (texts, *, threads = None))]
    fn predict_proba<'py>(
        &self,
        py: Python<'py>,
        texts: &Bound<'py, PyAny>,
        threads: Option<usize>,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let texts = convert::texts(texts, "texts")?;
        let k = self.inner.labels().len();
        let model = &*self.inner;
        let scores = pool::run(py, threads, || {
            let s = score_records(model, &texts);
            s.into_iter().map(f64::from).collect::<Vec<f64>>()
        })?;
        let array = Array2::from_shape_vec((texts.len(), k), scores)
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        Ok(array.into_pyarray(py))
    }

    /// The labels of each text, scored whole (as `frametag-score --unit
    /// record`): a list of label lists, in the model's label order.
    #[pyo3(signature = (texts, *, threads = None))]
    fn predict(
        &self,
        py: Python<'_>,
        texts: &Bound<'_, PyAny>,
        threads: Option<usize>,
    ) -> PyResult<Vec<Vec<String>>> {
        let decided = self.decisions(py, texts, threads)?;
        let labels = self.inner.labels();
        Ok(decided
            .chunks(labels.len().max(1))
            .map(|row| {
                labels
                    .iter()
                    .zip(row)
                    .filter(|(_, on)| **on)
                    .map(|(l, _)| l.clone())
                    .collect()
            })
            .collect())
    }

    /// The labels of each text as a boolean indicator array of shape
    /// (len(texts), len(labels)), as MultiLabelBinarizer encodes them.
    #[pyo3(signature = (texts, *, threads = None))]
    fn predict_indicator<'py>(
        &self,
        py: Python<'py>,
        texts: &Bound<'py, PyAny>,
        threads: Option<usize>,
    ) -> PyResult<Bound<'py, PyArray2<bool>>> {
        let decided = self.decisions(py, texts, threads)?;
        let k = self.inner.labels().len();
        let n = decided.len().checked_div(k).unwrap_or(0);
        let array = Array2::from_shape_vec((n, k), decided)
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        Ok(array.into_pyarray(py))
    }

    /// Splits each text into sentences as frametag-score does and scores
    /// every sentence: a pandas DataFrame with frametag-score's row
    /// columns (doc_id, sent_idx, start, end, labels, one probability
    /// column per label, text).
    ///
    /// `doc_id` is ids[i] for the i-th text (its position when ids is
    /// None); `start` and `end` are UTF-8 byte offsets into the text, as
    /// frametag-score writes them; `labels` are ';'-joined. A text with no
    /// sentence in it gives no row.
    #[pyo3(signature = (texts, ids = None, *, threads = None))]
    fn score_articles<'py>(
        &self,
        py: Python<'py>,
        texts: &Bound<'py, PyAny>,
        ids: Option<&Bound<'py, PyAny>>,
        threads: Option<usize>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let texts = convert::texts(texts, "texts")?;
        let ids: Option<Vec<Bound<'py, PyAny>>> = match ids {
            None => None,
            Some(ids) if ids.is_none() => None,
            Some(ids) => {
                let not_ids = |_| {
                    pyo3::exceptions::PyTypeError::new_err(
                        "ids must be a list (or other iterable) of ids, one per text",
                    )
                };
                let list: Vec<Bound<'py, PyAny>> = ids
                    .try_iter()
                    .map_err(not_ids)?
                    .collect::<PyResult<_>>()
                    .map_err(not_ids)?;
                if list.len() != texts.len() {
                    return Err(PyValueError::new_err(format!(
                        "ids has {} items for {} texts",
                        list.len(),
                        texts.len()
                    )));
                }
                Some(list)
            }
        };
        let model = &*self.inner;
        let rows = pool::run(py, threads, || {
            score_texts(model, &texts, Unit::Sentence, 0)
        })?;
        let labels = model.labels();
        let k = labels.len();
        let n: usize = rows.iter().map(Vec::len).sum();
        let mut article = Vec::with_capacity(n);
        let mut sent_idx = Vec::with_capacity(n);
        let mut start = Vec::with_capacity(n);
        let mut end = Vec::with_capacity(n);
        let mut scores: Vec<Vec<f64>> = (0..k).map(|_| Vec::with_capacity(n)).collect();
        let label_column = PyList::empty(py);
        let text_column = PyList::empty(py);
        let doc_column = PyList::empty(py);
        // Rows share one Python string per label combination.
        let mut joined: HashMap<Vec<bool>, Bound<'py, PyString>> = HashMap::new();
        for (a, (text, sentences)) in texts.iter().zip(&rows).enumerate() {
            for s in sentences {
                article.push(a as i64);
                sent_idx.push(s.sent_idx as i64);
                start.push(s.start as i64);
                end.push(s.end as i64);
                for (col, v) in scores.iter_mut().zip(&s.scores) {
                    col.push(*v as f64);
                }
                let cell = match joined.get(&s.labels) {
                    Some(c) => c.clone(),
                    None => {
                        let names: Vec<&str> = labels
                            .iter()
                            .zip(&s.labels)
                            .filter(|(_, on)| **on)
                            .map(|(l, _)| l.as_str())
                            .collect();
                        let c = PyString::new(py, &names.join(";"));
                        joined.insert(s.labels.clone(), c.clone());
                        c
                    }
                };
                label_column.append(cell)?;
                text_column.append(PyString::new(py, &text[s.start..s.end]))?;
                if let Some(ids) = &ids {
                    doc_column.append(&ids[a])?;
                }
            }
        }
        let columns = PyDict::new(py);
        match ids {
            Some(_) => columns.set_item("doc_id", doc_column)?,
            None => columns.set_item("doc_id", PyArray1::from_vec(py, article))?,
        }
        columns.set_item("sent_idx", PyArray1::from_vec(py, sent_idx))?;
        columns.set_item("start", PyArray1::from_vec(py, start))?;
        columns.set_item("end", PyArray1::from_vec(py, end))?;
        columns.set_item("labels", label_column)?;
        for (label, col) in labels.iter().zip(scores) {
            columns.set_item(label, PyArray1::from_vec(py, col))?;
        }
        columns.set_item("text", text_column)?;
        let pandas = py.import("pandas")?;
        pandas.getattr("DataFrame")?.call1((columns,))
    }

    /// The n-grams of `text` (scored whole) that raised each label's score
    /// most: {label: [(ngram, contribution), ...]}, at most `k` per label,
    /// largest first; a contribution is weight x feature value, its share
    /// of the label's linear score.
    #[pyo3(signature = (text, k = 5))]
    fn explain<'py>(
        &self,
        py: Python<'py>,
        text: &Bound<'py, PyAny>,
        k: usize,
    ) -> PyResult<Bound<'py, PyDict>> {
        let text = convert::text(text, "text")?;
        let model = &*self.inner;
        let parts = py.detach(|| {
            let mut scorer = model.scorer();
            let mut scores = vec![0f32; model.labels().len()];
            scorer.score(text.trim(), &mut scores);
            (0..model.labels().len())
                .map(|c| scorer.explain(c, k))
                .collect::<Vec<_>>()
        });
        contributions_dict(py, model.labels().iter().cloned().zip(parts))
    }

    #[allow(clippy::type_complexity)]
    fn __reduce__<'py>(
        &self,
        py: Python<'py>,
    ) -> PyResult<(Bound<'py, PyAny>, (Bound<'py, PyBytes>, Option<String>))> {
        let restore = py.get_type::<Model>().getattr("_restore")?;
        Ok((restore, (self.to_bytes(py), self.report.clone())))
    }

    fn __repr__(&self) -> String {
        let info = self.inner.info();
        format!(
            "<frametag.Model {} labels [{}], {} features, trained on {} examples of {}>",
            self.mode(),
            self.inner.labels().join(", "),
            self.n_features(),
            info.examples,
            info.corpus_file
        )
    }
}

impl Model {
    /// Label decisions of each text scored whole, `len(texts) x labels`.
    fn decisions(
        &self,
        py: Python<'_>,
        texts: &Bound<'_, PyAny>,
        threads: Option<usize>,
    ) -> PyResult<Vec<bool>> {
        let texts = convert::texts(texts, "texts")?;
        let model = &*self.inner;
        pool::run(py, threads, || {
            let k = model.labels().len();
            let scores = score_records(model, &texts);
            scores
                .chunks(k.max(1))
                .flat_map(|row| model.decide(row))
                .collect()
        })
    }
}
