//! `frametag.train`: labeled texts in memory to a Model, with
//! frametag-train's options and report.

use std::path::PathBuf;

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyString;

use frametag::io::Skipped;
use frametag::model::{
    cross_validate, train as train_model, with_test_metrics, CharNgrams, Penalty, SkippedRow,
    TestReport, Thresholds, TrainConfig, TrainReport,
};
use frametag::{AnalyzerConfig, FeatureConfig, LabeledData, Language};

use crate::convert;
use crate::errors::to_py;
use crate::model::Model;
use crate::pool;

/// A setting given as "auto"/a word or as a number, parsed as the command
/// line parses it; errors name the option.
fn setting<T>(name: &str, value: &Bound<'_, PyAny>) -> PyResult<T>
where
    T: std::str::FromStr<Err = frametag::Error>,
{
    let text = if let Ok(s) = value.cast::<PyString>() {
        s.to_str()?.to_owned()
    } else if let Ok(x) = value.extract::<f64>() {
        x.to_string()
    } else if let Ok((a, b)) = value.extract::<(u8, u8)>() {
        format!("{a}-{b}")
    } else {
        return Err(PyTypeError::new_err(format!(
            "{name}: expected \"auto\" or a number, got {}",
            value.get_type().name()?
        )));
    };
    text.parse::<T>()
        .map_err(|e| PyValueError::new_err(format!("{name}: {e}")))
}

/// Labeled examples in memory, as the CSV reader would take them from a
/// file called `name`: texts that are empty or blank are skipped and
/// listed (as lines 1, 2, ... of `name`), like empty-text rows of a CSV.
fn examples(texts: Vec<String>, labels: Vec<Vec<String>>, name: &str) -> PyResult<LabeledData> {
    if texts.len() != labels.len() {
        return Err(PyValueError::new_err(format!(
            "{} texts but {} label cells: one label cell per text",
            texts.len(),
            labels.len()
        )));
    }
    let mut skipped = Vec::new();
    let mut lines = Vec::new();
    let (texts, labels): (Vec<String>, Vec<Vec<String>>) = texts
        .into_iter()
        .zip(labels)
        .enumerate()
        .filter_map(|(i, (t, l))| {
            if t.trim().is_empty() {
                skipped.push(Skipped {
                    line: i as u64 + 1,
                    reason: "empty text".into(),
                });
                None
            } else {
                lines.push(i as u64 + 1);
                Some((t, l))
            }
        })
        .unzip();
    if texts.is_empty() {
        return Err(PyValueError::new_err(format!(
            "no usable examples ({} given, all empty)",
            skipped.len()
        )));
    }
    let mut data = LabeledData::in_memory(texts, labels);
    data.path = PathBuf::from(name);
    data.lines = lines;
    data.skipped = skipped;
    Ok(data)
}

/// Trains a frame model on labeled texts, as frametag-train does on a CSV.
///
/// texts: a list (or Series) of str. labels: one cell per text, either a
/// list of label names or a ';'-joined str; an empty list, "", "none",
/// None or NaN means no label. When every text has exactly one label the
/// model is multi-class, otherwise multi-label.
///
/// Options mirror frametag-train's flags (defaults as there; None means
/// the default, "auto" where there is one): alpha
/// ("auto" or the L2 penalty), threshold ("auto" or a probability for
/// every label; `thresholds` is accepted too), char_ngrams ("auto", "off",
/// "MIN-MAX" or a (min, max) tuple), cv (K folds of cross-validation, in
/// the report), seed, language, stem, keep_numbers, ngram_max, bits,
/// min_df, norm_power, balanced, threshold_folds, max_iter, label_order
/// (frametag-train's --labels), test ((texts, labels) held out; its
/// figures go into the model as there), top (n-grams per label in the
/// report), threads (default: all cores).
///
/// name: what the model records as its training file (frametag-train
/// records the CSV's file name); give the CSV's name to get the same
/// model bytes as frametag-train on the same rows and seed.
///
/// The model's `report` is the frametag-train --report dict; its "model"
/// (where the model was written) is "" and "train"/"file" is `name`.
#[pyfunction]
#[pyo3(signature = (
    texts, labels, *,
    alpha = None, threshold = None, thresholds = None, char_ngrams = None, cv = None,
    seed = 42, language = "en", stem = true, keep_numbers = false, ngram_max = 2, bits = 20,
    min_df = 2, norm_power = 0.75, balanced = false, threshold_folds = 5, max_iter = 300,
    label_order = None, test = None, top = 12, threads = None, name = "<memory>"
))]
#[allow(clippy::too_many_arguments)]
pub fn train(
    py: Python<'_>,
    texts: &Bound<'_, PyAny>,
    labels: &Bound<'_, PyAny>,
    alpha: Option<&Bound<'_, PyAny>>,
    threshold: Option<&Bound<'_, PyAny>>,
    thresholds: Option<&Bound<'_, PyAny>>,
    char_ngrams: Option<&Bound<'_, PyAny>>,
    cv: Option<usize>,
    seed: u64,
    language: &str,
    stem: bool,
    keep_numbers: bool,
    ngram_max: u8,
    bits: u8,
    min_df: u32,
    norm_power: f32,
    balanced: bool,
    threshold_folds: usize,
    max_iter: u64,
    label_order: Option<Vec<String>>,
    test: Option<(Bound<'_, PyAny>, Bound<'_, PyAny>)>,
    top: usize,
    threads: Option<usize>,
    name: &str,
) -> PyResult<Model> {
    let language = Language::parse(language).ok_or_else(|| {
        PyValueError::new_err(format!(
            "language {language:?}: unknown; one of {}",
            Language::ALL.map(|(_, c)| c).join(", ")
        ))
    })?;
    let penalty: Penalty = match alpha {
        Some(a) => setting("alpha", a)?,
        None => Penalty::Auto,
    };
    let threshold = match (threshold, thresholds) {
        (Some(_), Some(_)) => {
            return Err(PyTypeError::new_err(
                "give threshold or thresholds, not both",
            ))
        }
        (Some(t), None) | (None, Some(t)) => setting("threshold", t)?,
        (None, None) => Thresholds::TuneF1,
    };
    let char_ngrams: CharNgrams = match char_ngrams {
        Some(c) => setting("char_ngrams", c)?,
        None => CharNgrams::Auto,
    };
    if cv.is_some_and(|k| k < 2) {
        return Err(PyValueError::new_err("cv needs at least 2 folds"));
    }
    if threshold_folds < 2 {
        return Err(PyValueError::new_err("threshold_folds needs at least 2"));
    }
    let (char_min, char_max) = match char_ngrams {
        CharNgrams::Fixed(a, b) => (a, b),
        CharNgrams::Auto => (0, 0),
    };
    let features = FeatureConfig {
        bits,
        char_min,
        char_max,
        norm_power,
        ngram_max,
        min_df,
        ..FeatureConfig::default()
    };
    features.validate().map_err(to_py)?;
    let config = TrainConfig {
        analyzer: AnalyzerConfig {
            language,
            stem,
            mask_numbers: !keep_numbers,
            ..AnalyzerConfig::default()
        },
        features,
        char_ngrams,
        penalty,
        balanced,
        thresholds: threshold,
        inner_folds: threshold_folds,
        seed,
        labels: label_order,
        max_iterations: max_iter,
    };
    let data = examples(
        convert::texts(texts, "texts")?,
        convert::label_lists(labels, "labels")?,
        name,
    )?;
    let test = match test {
        None => None,
        Some((t, l)) => Some(examples(
            convert::texts(&t, "test texts")?,
            convert::label_lists(&l, "test labels")?,
            "<test>",
        )?),
    };

    let outcome = pool::run(py, threads, || -> frametag::Result<_> {
        let cv = cv.map(|k| cross_validate(&data, &config, k)).transpose()?;
        let (model, summary) = train_model(&data, &config)?;
        let tests: Vec<TestReport> = test.iter().map(|t| TestReport::of(&model, t)).collect();
        let model = with_test_metrics(model, &tests);
        let top = model.top_ngrams(top);
        let skipped = SkippedRow::of(std::slice::from_ref(&data));
        let report = TrainReport::new(
            &model,
            PathBuf::new(),
            &data,
            skipped,
            &summary,
            cv,
            &tests,
            &top,
        );
        Ok((model, report.to_json()))
    })?;
    let (model, report) = outcome.map_err(to_py)?;
    Ok(Model::new(model, Some(report)))
}
