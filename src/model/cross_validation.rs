//! Held-out evaluation of a model, and stratified K-fold cross-validation
//! of the whole training procedure.

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::io::dataset::LabeledData;
use crate::model::folds::stratified_folds;
use crate::model::frame_model::FrameModel;
use crate::model::metrics::{evaluate, Evaluation, LabelScores};
use crate::model::progress::{OnTrainEvent, Progress};
use crate::model::train::{labels_and_mode, train_inner, TrainConfig};

/// Predicted label sets of a model on labeled data, aligned to the model's
/// labels; labels the model does not know count as missed.
pub fn evaluate_model(model: &FrameModel, data: &LabeledData) -> Evaluation {
    let labels = model.labels();
    let truth = data.truth_matrix(labels);
    let predicted: Vec<Vec<bool>> = data
        .texts
        .par_iter()
        .map_init(
            || (model.scorer(), vec![0f32; labels.len()]),
            |(scorer, buf), text| {
                scorer.score(text, buf);
                model.decide(buf)
            },
        )
        .collect();
    evaluate(labels, &truth, &predicted)
}

/// Cross-validation results: per-fold evaluations and their mean and spread.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrossValidation {
    /// Number of folds.
    pub folds: usize,
    /// Mean micro-F1 over folds.
    pub micro_f1: f64,
    /// Mean macro-F1 over folds.
    pub macro_f1: f64,
    /// Standard deviation of micro-F1 over folds.
    pub micro_f1_std: f64,
    /// Standard deviation of macro-F1 over folds.
    pub macro_f1_std: f64,
    /// Per label: mean precision, recall, F1; total support.
    pub per_label: BTreeMap<String, LabelScores>,
    /// Standard deviation of each label's F1 over folds.
    pub per_label_f1_std: BTreeMap<String, f64>,
    /// Each fold's evaluation.
    pub fold_results: Vec<Evaluation>,
}

/// Stratified K-fold cross-validation of the whole training procedure
/// (penalty choice and threshold tuning rerun inside each fold).
pub fn cross_validate(
    data: &LabeledData,
    config: &TrainConfig,
    k: usize,
) -> Result<CrossValidation> {
    cross_validate_inner(data, config, k, Progress::default())
}

/// [`cross_validate`], reporting each fold's training to `on` (from any
/// thread).
pub fn cross_validate_with_progress(
    data: &LabeledData,
    config: &TrainConfig,
    k: usize,
    on: OnTrainEvent<'_>,
) -> Result<CrossValidation> {
    cross_validate_inner(data, config, k, Progress::to(on))
}

fn cross_validate_inner(
    data: &LabeledData,
    config: &TrainConfig,
    k: usize,
    progress: Progress<'_>,
) -> Result<CrossValidation> {
    if k < 2 {
        return Err(Error::config("cross-validation folds", k, "at least 2"));
    }
    let (labels, _) = labels_and_mode(data, config)?;
    let truth = data.truth_matrix(&labels);
    let folds = stratified_folds(&truth, k, config.seed ^ 0x5eed);
    let fold_config = TrainConfig {
        labels: Some(labels.clone()),
        ..config.clone()
    };
    let results: Vec<Evaluation> = (0..k)
        .map(|f| {
            let pick = |keep: bool| -> LabeledData {
                let idx: Vec<usize> = (0..data.len())
                    .filter(|&i| (folds[i] == f) != keep)
                    .collect();
                data.subset(&idx)
            };
            progress.stage(&format!("cross-validation: fold {} of {k}", f + 1));
            let (model, _) = train_inner(&pick(true), &fold_config, progress)?;
            Ok(evaluate_model(&model, &pick(false)))
        })
        .collect::<Result<_>>()?;
    let mean = |f: &dyn Fn(&Evaluation) -> f64| results.iter().map(f).sum::<f64>() / k as f64;
    let std = |f: &dyn Fn(&Evaluation) -> f64| {
        let m = mean(f);
        (results.iter().map(|e| (f(e) - m).powi(2)).sum::<f64>() / k as f64).sqrt()
    };
    let mut per_label = BTreeMap::new();
    let mut per_label_f1_std = BTreeMap::new();
    for l in &labels {
        let get = |e: &Evaluation| e.per_label.get(l).copied().unwrap_or_default();
        per_label.insert(
            l.clone(),
            LabelScores {
                precision: mean(&|e| get(e).precision),
                recall: mean(&|e| get(e).recall),
                f1: mean(&|e| get(e).f1),
                support: results.iter().map(|e| get(e).support).sum(),
            },
        );
        per_label_f1_std.insert(l.clone(), std(&|e| get(e).f1));
    }
    Ok(CrossValidation {
        folds: k,
        micro_f1: mean(&|e| e.micro_f1),
        macro_f1: mean(&|e| e.macro_f1),
        micro_f1_std: std(&|e| e.micro_f1),
        macro_f1_std: std(&|e| e.macro_f1),
        per_label,
        per_label_f1_std,
        fold_results: results,
    })
}
