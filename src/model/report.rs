//! The training report: what `frametag-train --report` writes as JSON, and
//! the rule that held-out figures travel with the model.
//!
//! The JSON's keys are sorted, as reports have always been written, so
//! reports stay diffable across versions.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::io::dataset::LabeledData;
use crate::model::assess::Confusion;
use crate::model::cross_validation::CrossValidation;
use crate::model::frame_model::{Contribution, FrameModel, Mode};
use crate::model::metrics::Evaluation;
use crate::model::train::{SearchPoint, TrainSummary};

/// The whole report. Evaluating a saved model writes the same report:
/// `train` then holds what the model file records of its training (no
/// out-of-fold figures, no search, `null` where a figure is unknown).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainReport {
    /// Cross-validation of the whole procedure, when asked for.
    pub cv: Option<CrossValidation>,
    /// Where the model was written.
    pub model: PathBuf,
    /// The first test file's evaluation (kept for readers of older reports).
    pub test: Option<Evaluation>,
    /// Every test file's evaluation, in the order given.
    pub tests: Vec<TestReport>,
    /// Per label, the n-grams with the largest weights and their weights.
    pub top_ngrams: BTreeMap<String, Vec<(String, f32)>>,
    /// What training saw and chose.
    pub train: TrainingReport,
}

/// One test file's evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestReport {
    /// Confusion counts on the file (absent in older reports).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confusion: Option<Confusion>,
    /// Scores on the file.
    pub evaluation: Evaluation,
    /// The file.
    pub file: PathBuf,
}

impl TestReport {
    /// Scores `data` with `model` (all cores) and reports the figures and
    /// confusion counts; labels the model does not know count as missed.
    pub fn of(model: &FrameModel, data: &LabeledData) -> TestReport {
        let a = crate::model::assess::assess(model, data);
        TestReport {
            confusion: Some(a.confusion),
            evaluation: a.evaluation,
            file: data.path.clone(),
        }
    }
}

/// What training saw and chose.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingReport {
    /// The L2 penalty chosen.
    pub alpha: f64,
    /// Training examples used.
    pub examples: usize,
    /// The training file(s), `+`-joined.
    pub file: PathBuf,
    /// The labels, in score order.
    pub labels: Vec<String>,
    /// Always predicting the majority answer, out of fold (`null` when a
    /// saved model is evaluated).
    pub majority_baseline: Option<Evaluation>,
    /// Multi-label or multi-class.
    pub mode: Mode,
    /// Out-of-fold evaluation at the chosen settings (`null` when a saved
    /// model is evaluated).
    pub out_of_fold: Option<Evaluation>,
    /// Every setting tried.
    pub search: Vec<SearchPoint>,
    /// Rows not used, with their file, line and reason.
    pub skipped: Vec<SkippedRow>,
    /// Each label's decision threshold.
    pub thresholds: BTreeMap<String, f32>,
}

/// A training row that was not used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedRow {
    /// Its file.
    pub file: PathBuf,
    /// Its 1-based line.
    pub line: u64,
    /// Why.
    pub reason: String,
}

impl SkippedRow {
    /// The skipped rows of data sets read from files, in order.
    pub fn of(parts: &[LabeledData]) -> Vec<SkippedRow> {
        parts
            .iter()
            .flat_map(|p| {
                p.skipped.iter().map(|s| SkippedRow {
                    file: p.path.clone(),
                    line: s.line,
                    reason: s.reason.clone(),
                })
            })
            .collect()
    }
}

impl TrainReport {
    /// The report of a trained model; `top_ngrams` as
    /// [`FrameModel::top_ngrams`] gives them.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        model: &FrameModel,
        model_path: PathBuf,
        data: &LabeledData,
        skipped: Vec<SkippedRow>,
        summary: &TrainSummary,
        cv: Option<CrossValidation>,
        tests: &[TestReport],
        top_ngrams: &[(String, Vec<Contribution>)],
    ) -> TrainReport {
        TrainReport {
            cv,
            model: model_path,
            test: tests.first().map(|t| t.evaluation.clone()),
            tests: tests.to_vec(),
            top_ngrams: top_map(top_ngrams),
            train: TrainingReport {
                alpha: model.info().alpha,
                examples: data.len(),
                file: data.path.clone(),
                labels: model.labels().to_vec(),
                majority_baseline: Some(summary.majority_baseline.clone()),
                mode: model.mode(),
                out_of_fold: Some(summary.out_of_fold.clone()),
                search: summary.search.clone(),
                skipped,
                thresholds: thresholds(model),
            },
        }
    }

    /// The report of evaluating a saved model (read from `model_path`) on
    /// test files: the same schema as training's, with `train` taken from
    /// what the model records.
    pub fn of_saved_model(
        model: &FrameModel,
        model_path: PathBuf,
        tests: &[TestReport],
        top_ngrams: &[(String, Vec<Contribution>)],
    ) -> TrainReport {
        let info = model.info();
        TrainReport {
            cv: None,
            model: model_path,
            test: tests.first().map(|t| t.evaluation.clone()),
            tests: tests.to_vec(),
            top_ngrams: top_map(top_ngrams),
            train: TrainingReport {
                alpha: info.alpha,
                examples: info.examples,
                file: PathBuf::from(&info.corpus_file),
                labels: model.labels().to_vec(),
                majority_baseline: None,
                mode: model.mode(),
                out_of_fold: None,
                search: Vec::new(),
                skipped: Vec::new(),
                thresholds: thresholds(model),
            },
        }
    }

    /// The report as pretty-printed JSON, every object's keys sorted (as
    /// reports have always been written).
    pub fn to_json(&self) -> String {
        let value = serde_json::to_value(self).expect("the report serialises");
        serde_json::to_string_pretty(&value).expect("a JSON value prints")
    }
}

fn top_map(top: &[(String, Vec<Contribution>)]) -> BTreeMap<String, Vec<(String, f32)>> {
    top.iter()
        .map(|(l, c)| {
            let grams = c.iter().map(|c| (c.ngram.clone(), c.value)).collect();
            (l.clone(), grams)
        })
        .collect()
}

fn thresholds(model: &FrameModel) -> BTreeMap<String, f32> {
    model
        .labels()
        .iter()
        .cloned()
        .zip(model.thresholds().iter().copied())
        .collect()
}

/// The model with its held-out figures: the first test file's macro- and
/// micro-F1 as `test_macro_f1`/`test_micro_f1`, the next ones as
/// `test2_*`, `test3_*`... Cross-validation figures stay in the report, so
/// asking for them never changes the model's bytes.
pub fn with_test_metrics(model: FrameModel, tests: &[TestReport]) -> FrameModel {
    let round6 = |x: f64| (x * 1e6).round() / 1e6;
    let mut metrics = model.info().metrics.clone();
    for (i, e) in tests.iter().map(|t| &t.evaluation).enumerate() {
        let key = if i == 0 {
            "test".to_string()
        } else {
            format!("test{}", i + 1)
        };
        metrics.insert(format!("{key}_macro_f1"), round6(e.macro_f1));
        metrics.insert(format!("{key}_micro_f1"), round6(e.micro_f1));
    }
    model.with_metrics(metrics)
}
