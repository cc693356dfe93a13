//! Training: labeled examples to a [`FrameModel`], with penalty selection,
//! threshold tuning and cross-validation.
//!
//! - Multi-label data (any example with zero or several labels): one binary
//!   logistic model per label; each label's threshold maximises F1 on
//!   out-of-fold scores.
//! - Single-label data (every example exactly one label): one softmax model;
//!   the top label wins.
//!
//! On data sets up to [`AUTO_PENALTY_LIMIT`] examples the L2 penalty is
//! chosen from [`PENALTY_GRID`] by out-of-fold macro-F1; larger sets use
//! [`DEFAULT_ALPHA`]. On data sets up to [`AUTO_CHAR_LIMIT`] examples,
//! character n-grams are chosen the same way (words only, or words plus
//! [`AUTO_CHAR_NGRAMS`]; a tie keeps words only): they help small or
//! informal data sets a lot and larger ones not at all, while doubling the
//! search and costing scoring speed. Folds are stratified by label set and assigned with a
//! seeded generator, so the same data and seed give the same model, byte for
//! byte, whatever the number of threads.

use std::collections::BTreeMap;

use linfa::dataset::DatasetBase;
use linfa::traits::{Fit, PredictInplace};
use linfa::ParamGuard;
use ndarray::{Array1, Array2};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::features::featurizer::Featurizer;
use crate::features::sparse::CsrMatrix;
use crate::features::vectorizer::{FeatureConfig, Vectorizer};
use crate::io::dataset::LabeledData;
use crate::model::frame_model::{decide_labels, FrameModel, LinearParts, Mode, TrainingInfo};
use crate::model::logistic::LogisticParams;
use crate::model::metrics::{best_f1_threshold, evaluate, Evaluation, LabelScores};
use crate::text::analyzer::AnalyzerConfig;

/// Penalties tried when the penalty is chosen automatically.
pub const PENALTY_GRID: [f64; 8] = [0.003, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0];
/// Penalty used on large data sets or when asked for.
pub const DEFAULT_ALPHA: f64 = 0.05;
/// Largest data set on which the penalty is chosen automatically.
pub const AUTO_PENALTY_LIMIT: usize = 50_000;
/// Character n-gram range tried against words only by [`CharNgrams::Auto`].
pub const AUTO_CHAR_NGRAMS: (u8, u8) = (2, 5);
/// Largest data set on which [`CharNgrams::Auto`] tries character n-grams.
/// Measured: on 523 FrAC sentences they raise CV macro-F1 from 0.53 to 0.61;
/// on samples of the shipped corpus they gain 0.004 at 1,000 rows and lose
/// 0.007 at 3,000 and 8,000 (test macro-F1), and out of fold they lose on all
/// 20,986 rows, where the search took 6 minutes of a 6.5-minute training.
pub const AUTO_CHAR_LIMIT: usize = 10_000;

/// Whether features include character n-grams.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CharNgrams {
    /// Words only, or words plus [`AUTO_CHAR_NGRAMS`], whichever scores
    /// better out of fold (words only on data sets over
    /// [`AUTO_CHAR_LIMIT`]).
    Auto,
    /// This range (`(0, 0)` for none).
    Fixed(u8, u8),
}

/// One setting tried by the search, with its out-of-fold macro-F1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchPoint {
    /// Character n-gram range, `(0, 0)` for words only.
    pub char_ngrams: (u8, u8),
    /// L2 penalty.
    pub alpha: f64,
    /// Out-of-fold macro-F1.
    pub macro_f1: f64,
}

/// How the L2 penalty is set.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Penalty {
    /// Chosen by cross-validation on small data, [`DEFAULT_ALPHA`] otherwise.
    Auto,
    /// This value.
    Fixed(f64),
}

/// How multi-label decision thresholds are set.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Thresholds {
    /// Maximise each label's F1 on out-of-fold scores.
    TuneF1,
    /// This probability for every label.
    Fixed(f32),
}

impl std::str::FromStr for Penalty {
    type Err = Error;

    /// `auto`, or a number >= 0.
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "auto" => Ok(Penalty::Auto),
            _ => match s.parse::<f64>() {
                Ok(a) if a.is_finite() && a >= 0.0 => Ok(Penalty::Fixed(a)),
                _ => Err(Error::Config(format!(
                    "penalty {s:?}: expected \"auto\" or a number >= 0"
                ))),
            },
        }
    }
}

impl std::str::FromStr for Thresholds {
    type Err = Error;

    /// `auto` (tune F1), or a probability.
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "auto" => Ok(Thresholds::TuneF1),
            _ => match s.parse::<f32>() {
                Ok(t) if (0.0..=1.0).contains(&t) => Ok(Thresholds::Fixed(t)),
                _ => Err(Error::Config(format!(
                    "threshold {s:?}: expected \"auto\" or a probability"
                ))),
            },
        }
    }
}

impl std::str::FromStr for CharNgrams {
    type Err = Error;

    /// `auto`, `off`, or `MIN-MAX` (e.g. `3-5`).
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "auto" => Ok(CharNgrams::Auto),
            "off" => Ok(CharNgrams::Fixed(0, 0)),
            _ => s
                .split_once('-')
                .and_then(|(a, b)| Some((a.trim().parse().ok()?, b.trim().parse().ok()?)))
                .map(|(a, b)| CharNgrams::Fixed(a, b))
                .ok_or_else(|| {
                    Error::Config(format!(
                        "character n-grams {s:?}: expected MIN-MAX (e.g. 3-5), \"off\" or \"auto\""
                    ))
                }),
        }
    }
}

/// Every training setting.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainConfig {
    /// Analyzer settings.
    pub analyzer: AnalyzerConfig,
    /// Feature settings (their character n-gram range is set by
    /// `char_ngrams`).
    pub features: FeatureConfig,
    /// Character n-grams.
    pub char_ngrams: CharNgrams,
    /// L2 penalty.
    pub penalty: Penalty,
    /// Balance classes (scikit-learn's `class_weight="balanced"`).
    pub balanced: bool,
    /// Threshold rule.
    pub thresholds: Thresholds,
    /// Folds used for penalty selection and threshold tuning (>= 2).
    pub inner_folds: usize,
    /// Seed of fold assignment.
    pub seed: u64,
    /// Explicit label set and order (default: the labels in the data, sorted).
    pub labels: Option<Vec<String>>,
    /// L-BFGS iteration cap.
    pub max_iterations: u64,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            analyzer: AnalyzerConfig::default(),
            features: FeatureConfig::default(),
            char_ngrams: CharNgrams::Auto,
            penalty: Penalty::Auto,
            balanced: false,
            thresholds: Thresholds::TuneF1,
            inner_folds: 5,
            seed: 42,
            labels: None,
            max_iterations: 300,
        }
    }
}

/// What training found besides the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainSummary {
    /// Every setting tried, in search order.
    pub search: Vec<SearchPoint>,
    /// Out-of-fold evaluation at the chosen penalty and thresholds.
    pub out_of_fold: Evaluation,
    /// The same for always predicting each label's majority answer.
    pub majority_baseline: Evaluation,
}

/// Examples with labels as a boolean matrix.
struct Examples<'a> {
    texts: Vec<&'a str>,
    truth: Vec<Vec<bool>>,
}

/// A specified, version-stable generator (SplitMix64) for fold assignment:
/// `rand`'s `StdRng` may change between releases, which would silently
/// change models trained from the same seed.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            v.swap(i, j);
        }
    }
}

/// Fold of each example: stratified by label set, seeded.
pub fn stratified_folds(truth: &[Vec<bool>], k: usize, seed: u64) -> Vec<usize> {
    let mut groups: BTreeMap<&[bool], Vec<usize>> = BTreeMap::new();
    for (i, t) in truth.iter().enumerate() {
        groups.entry(t.as_slice()).or_default().push(i);
    }
    let mut rng = SplitMix64(seed);
    let mut fold = vec![0; truth.len()];
    let mut next = 0;
    for idx in groups.values_mut() {
        rng.shuffle(idx);
        for &i in idx.iter() {
            fold[i] = next % k;
            next += 1;
        }
    }
    fold
}

/// Label set and mode of a data set; refuses unusable ones.
fn labels_and_mode(data: &LabeledData, config: &TrainConfig) -> Result<(Vec<String>, Mode)> {
    let found = data.label_set();
    let labels = match &config.labels {
        Some(list) => {
            for (n, ls) in data.labels.iter().enumerate() {
                if let Some(l) = ls.iter().find(|l| !list.contains(l)) {
                    return Err(Error::data(
                        data.file(n),
                        data.lines[n],
                        format!("label {l:?} is not in the label list ({})", list.join(", ")),
                    ));
                }
            }
            list.clone()
        }
        None => found.clone(),
    };
    for l in &labels {
        if !found.contains(l) {
            return Err(Error::Dataset {
                path: data.path.clone(),
                message: format!("label {l:?} never occurs positively; a model cannot learn it"),
            });
        }
    }
    if labels.is_empty() {
        return Err(Error::Dataset {
            path: data.path.clone(),
            message: "no example carries a label (every row is none): only one class".into(),
        });
    }
    let single = data.labels.iter().all(|l| l.len() == 1);
    if single && labels.len() < 2 {
        return Err(Error::Dataset {
            path: data.path.clone(),
            message: format!(
                "every example has the same label {:?}: only one class",
                labels[0]
            ),
        });
    }
    if !single {
        for l in &labels {
            let pos = data.labels.iter().filter(|ls| ls.contains(l)).count();
            if pos == data.len() {
                return Err(Error::Dataset {
                    path: data.path.clone(),
                    message: format!("every example carries label {l:?}: only one class for it"),
                });
            }
        }
    }
    let mode = if single {
        Mode::MultiClass
    } else {
        Mode::MultiLabel
    };
    Ok((labels, mode))
}

fn truth_matrix(data: &LabeledData, labels: &[String]) -> Vec<Vec<bool>> {
    data.labels
        .iter()
        .map(|ls| labels.iter().map(|l| ls.contains(l)).collect())
        .collect()
}

fn logistic(
    alpha: f64,
    config: &TrainConfig,
) -> Result<crate::model::logistic::ValidLogisticParams> {
    LogisticParams::default()
        .alpha(alpha)
        .balanced(config.balanced)
        .max_iterations(config.max_iterations)
        .check()
}

/// Linear weights (`n_features x k`, row-major) and biases for all labels.
fn fit_weights(
    x: &CsrMatrix,
    truth: &[Vec<bool>],
    mode: Mode,
    alpha: f64,
    config: &TrainConfig,
) -> Result<(Vec<f64>, Vec<f64>)> {
    let k = truth.first().map_or(0, Vec::len);
    let params = logistic(alpha, config)?;
    match mode {
        Mode::MultiLabel => {
            let fits: Vec<_> = (0..k)
                .into_par_iter()
                .map(|c| {
                    let y = Array1::from_iter(truth.iter().map(|t| t[c]));
                    params.fit(&DatasetBase::new(x.clone(), y))
                })
                .collect::<Result<_>>()?;
            let d = x.n_cols();
            let mut w = vec![0.0; d * k];
            for (c, f) in fits.iter().enumerate() {
                for j in 0..d {
                    w[j * k + c] = f.weights[j];
                }
            }
            Ok((w, fits.iter().map(|f| f.intercept).collect()))
        }
        Mode::MultiClass => {
            let y = Array1::from_iter(truth.iter().map(|t| t.iter().position(|&b| b).unwrap_or(0)));
            let f = params.fit(&DatasetBase::new(x.clone(), y))?;
            let mut bias = f.intercepts;
            let mut w = f.weights;
            // Classes beyond the largest index seen get no weights; pad.
            if bias.len() < k {
                let d = x.n_cols();
                let kk = bias.len();
                let mut padded = vec![0.0; d * k];
                for j in 0..d {
                    padded[j * k..j * k + kk].copy_from_slice(&w[j * kk..(j + 1) * kk]);
                }
                w = padded;
                bias.resize(k, -1e3);
            }
            Ok((w, bias))
        }
    }
}

/// Probabilities of rows of `x` under weights `w`, bias `b`.
fn predict_scores(x: &CsrMatrix, w: &[f64], b: &[f64], mode: Mode) -> Vec<Vec<f64>> {
    let k = b.len();
    match mode {
        Mode::MultiLabel => (0..k)
            .map(|c| {
                let model = crate::model::logistic::BinaryLogistic {
                    weights: (0..x.n_cols()).map(|j| w[j * k + c]).collect(),
                    intercept: b[c],
                };
                let mut out = model.default_target(x);
                model.predict_inplace(x, &mut out);
                out.to_vec()
            })
            .fold(vec![Vec::new(); x.n_rows()], |mut acc, col| {
                for (row, v) in acc.iter_mut().zip(col) {
                    row.push(v);
                }
                acc
            }),
        Mode::MultiClass => {
            let model = crate::model::logistic::MultinomialLogistic {
                weights: w.to_vec(),
                intercepts: b.to_vec(),
            };
            let mut out: Array2<f64> = model.default_target(x);
            model.predict_inplace(x, &mut out);
            out.rows().into_iter().map(|r| r.to_vec()).collect()
        }
    }
}

/// Out-of-fold probabilities of the examples in the `held` folds, each
/// from a model fitted on all other folds; `None` for examples not held.
fn out_of_fold(
    x: &CsrMatrix,
    truth: &[Vec<bool>],
    folds: &[usize],
    held: &[usize],
    mode: Mode,
    alpha: f64,
    config: &TrainConfig,
) -> Result<Vec<Option<Vec<f64>>>> {
    let parts: Vec<(Vec<usize>, Vec<Vec<f64>>)> = held
        .par_iter()
        .copied()
        .map(|f| {
            let train: Vec<usize> = (0..folds.len()).filter(|&i| folds[i] != f).collect();
            let held: Vec<usize> = (0..folds.len()).filter(|&i| folds[i] == f).collect();
            let xt = x.select_rows(&train);
            let tt: Vec<Vec<bool>> = train.iter().map(|&i| truth[i].clone()).collect();
            let (w, b) = fit_weights(&xt, &tt, mode, alpha, config)?;
            Ok((
                held.clone(),
                predict_scores(&x.select_rows(&held), &w, &b, mode),
            ))
        })
        .collect::<Result<_>>()?;
    let mut scores = vec![None; truth.len()];
    for (rows, s) in parts {
        for (i, row) in rows.into_iter().zip(s) {
            scores[i] = Some(row);
        }
    }
    Ok(scores)
}

/// Decisions from probabilities.
fn decide(scores: &[Vec<f64>], thresholds: &[f64], mode: Mode) -> Vec<Vec<bool>> {
    scores
        .iter()
        .map(|s| decide_labels(s, thresholds, mode))
        .collect()
}

/// Thresholds per label from out-of-fold scores.
fn tune_thresholds(
    scores: &[Vec<f64>],
    truth: &[Vec<bool>],
    rule: Thresholds,
    mode: Mode,
) -> Vec<f64> {
    let k = truth.first().map_or(0, Vec::len);
    match (mode, rule) {
        (Mode::MultiClass, _) => vec![0.0; k],
        (Mode::MultiLabel, Thresholds::Fixed(t)) => vec![t as f64; k],
        (Mode::MultiLabel, Thresholds::TuneF1) => (0..k)
            .map(|c| {
                let s: Vec<f64> = scores.iter().map(|r| r[c]).collect();
                let t: Vec<bool> = truth.iter().map(|r| r[c]).collect();
                best_f1_threshold(&s, &t).0
            })
            .collect(),
    }
}

/// Always predicting each label's majority answer (the most frequent class
/// in multi-class mode).
fn majority(truth: &[Vec<bool>], mode: Mode) -> Vec<Vec<bool>> {
    let k = truth.first().map_or(0, Vec::len);
    let counts: Vec<usize> = (0..k)
        .map(|c| truth.iter().filter(|t| t[c]).count())
        .collect();
    let guess: Vec<bool> = match mode {
        Mode::MultiLabel => counts.iter().map(|&n| 2 * n > truth.len()).collect(),
        Mode::MultiClass => {
            let best = (0..k).fold(0, |b, c| if counts[c] > counts[b] { c } else { b });
            (0..k).map(|c| c == best).collect()
        }
    };
    vec![guess; truth.len()]
}

/// Trains a model on `data`. Refuses a model that does no better out of fold
/// than predicting the majority answer.
pub fn train(data: &LabeledData, config: &TrainConfig) -> Result<(FrameModel, TrainSummary)> {
    config.features.validate()?;
    if config.inner_folds < 2 {
        return Err(Error::Config("inner folds must be at least 2".into()));
    }
    let (labels, mode) = labels_and_mode(data, config)?;
    let ex = Examples {
        texts: data.texts.iter().map(String::as_str).collect(),
        truth: truth_matrix(data, &labels),
    };
    let min_class = (0..labels.len())
        .map(|c| ex.truth.iter().filter(|t| t[c]).count())
        .min()
        .unwrap_or(0);
    let k_folds = config.inner_folds.min(min_class.max(2)).min(ex.texts.len());
    if ex.texts.len() < 4 || k_folds < 2 {
        return Err(Error::Dataset {
            path: data.path.clone(),
            message: format!(
                "{} examples are too few to train and check a model",
                ex.texts.len()
            ),
        });
    }
    // Small data: K-fold out-of-fold scores for every example. Large data:
    // one stratified 10% holdout, so training stays a few fits per label.
    let small = ex.texts.len() <= AUTO_PENALTY_LIMIT;
    let (folds, held): (Vec<usize>, Vec<usize>) = if small {
        (
            stratified_folds(&ex.truth, k_folds, config.seed),
            (0..k_folds).collect(),
        )
    } else {
        (stratified_folds(&ex.truth, 10, config.seed), vec![0])
    };
    let grid: Vec<f64> = match config.penalty {
        Penalty::Fixed(a) => vec![a],
        Penalty::Auto if small => PENALTY_GRID.to_vec(),
        Penalty::Auto => vec![DEFAULT_ALPHA],
    };
    let char_ranges = match config.char_ngrams {
        CharNgrams::Fixed(lo, hi) => vec![(lo, hi)],
        CharNgrams::Auto if ex.texts.len() <= AUTO_CHAR_LIMIT => vec![(0, 0), AUTO_CHAR_NGRAMS],
        CharNgrams::Auto => vec![(0, 0)],
    };
    let mut search = Vec::new();
    // The best point so far (feature setting, penalty, thresholds,
    // out-of-fold evaluation) and the features of its setting. Later points
    // must beat it strictly, so a tie keeps the cheaper features and the
    // smaller penalty.
    let mut best: Option<(usize, f64, Vec<f64>, Evaluation)> = None;
    let mut kept: Option<(Vectorizer, CsrMatrix)> = None;
    for (setting, (char_min, char_max)) in char_ranges.into_iter().enumerate() {
        let features = FeatureConfig {
            char_min,
            char_max,
            ..config.features.clone()
        };
        let featurizer = Featurizer::new(config.analyzer.clone(), features.clone())?;
        let (counts, names) = featurizer.count_texts(&ex.texts);
        let vectorizer = Vectorizer::fit(features, &counts, &names)?;
        drop(names);
        let x = vectorizer.transform_all(&counts);
        drop(counts);
        for &alpha in &grid {
            let oof = out_of_fold(&x, &ex.truth, &folds, &held, mode, alpha, config)?;
            let (scores, truth): (Vec<Vec<f64>>, Vec<Vec<bool>>) = oof
                .into_iter()
                .zip(&ex.truth)
                .filter_map(|(s, t)| s.map(|s| (s, t.clone())))
                .unzip();
            let thr = tune_thresholds(&scores, &truth, config.thresholds, mode);
            let eval = evaluate(&labels, &truth, &decide(&scores, &thr, mode));
            search.push(SearchPoint {
                char_ngrams: (char_min, char_max),
                alpha,
                macro_f1: eval.macro_f1,
            });
            if best
                .as_ref()
                .is_none_or(|b| eval.macro_f1 > b.3.macro_f1 + 1e-9)
            {
                best = Some((setting, alpha, thr, eval));
            }
        }
        if best.as_ref().is_some_and(|b| b.0 == setting) {
            kept = Some((vectorizer, x));
        }
    }
    let (_, alpha, thr, oof_eval) = best.expect("search is not empty");
    let (vectorizer, x) = kept.expect("the best setting's features are kept");
    let baseline = evaluate(&labels, &ex.truth, &majority(&ex.truth, mode));
    let validation = if held.len() > 1 {
        format!("out-of-fold F1 ({k_folds} folds)")
    } else {
        "F1 on a 10% holdout".to_string()
    };
    if oof_eval.micro_f1 <= baseline.micro_f1 + 1e-9 {
        return Err(Error::Training(format!(
            "out-of-fold micro-F1 {:.3} is no better than always predicting the majority answer \
             ({:.3}); the model would be useless, so it was not saved",
            oof_eval.micro_f1, baseline.micro_f1
        )));
    }
    let (w, b) = fit_weights(&x, &ex.truth, mode, alpha, config)?;
    let thresholds_from = match (mode, config.thresholds) {
        (Mode::MultiClass, _) => "argmax".to_string(),
        (_, Thresholds::Fixed(_)) => "fixed".to_string(),
        (_, Thresholds::TuneF1) => validation,
    };
    let info = TrainingInfo {
        frametag_version: env!("CARGO_PKG_VERSION").into(),
        corpus_checksum: data.checksum.clone(),
        corpus_file: data.file_names(),
        examples: data.len(),
        skipped: data.skipped.len(),
        label_counts: (0..labels.len())
            .map(|c| ex.truth.iter().filter(|t| t[c]).count())
            .collect(),
        seed: config.seed,
        alpha,
        balanced: config.balanced,
        thresholds_from,
        metrics: BTreeMap::from([
            ("oof_macro_f1".to_string(), round6(oof_eval.macro_f1)),
            ("oof_micro_f1".to_string(), round6(oof_eval.micro_f1)),
        ]),
    };
    let model = FrameModel::from_parts(
        config.analyzer.clone(),
        vectorizer,
        labels,
        mode,
        LinearParts {
            weights: w.iter().map(|&v| v as f32).collect(),
            bias: b.iter().map(|&v| v as f32).collect(),
            thresholds: thr.iter().map(|&v| v as f32).collect(),
        },
        info,
    );
    Ok((
        model,
        TrainSummary {
            search,
            out_of_fold: oof_eval,
            majority_baseline: baseline,
        },
    ))
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// Predicted label sets of a model on labeled data, aligned to the model's
/// labels; labels the model does not know count as missed.
pub fn evaluate_model(model: &FrameModel, data: &LabeledData) -> Evaluation {
    let labels = model.labels();
    let truth = truth_matrix(data, labels);
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
    if k < 2 {
        return Err(Error::Config(
            "cross-validation needs at least 2 folds".into(),
        ));
    }
    let (labels, _) = labels_and_mode(data, config)?;
    let truth = truth_matrix(data, &labels);
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
            let (model, _) = train(&pick(true), &fold_config)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_are_stratified_and_seeded() {
        let truth: Vec<Vec<bool>> = (0..100).map(|i| vec![i % 4 == 0, i % 5 == 0]).collect();
        let a = stratified_folds(&truth, 5, 1);
        assert_eq!(a, stratified_folds(&truth, 5, 1));
        assert_ne!(a, stratified_folds(&truth, 5, 2));
        for f in 0..5 {
            let pos = (0..100).filter(|&i| a[i] == f && truth[i][0]).count();
            assert!(
                (4..=6).contains(&pos),
                "fold {f} has {pos} positives of label 0"
            );
        }
    }

    #[test]
    fn majority_baseline_is_all_negative_for_rare_labels() {
        let truth = vec![vec![true, false], vec![false, false], vec![false, false]];
        assert_eq!(
            majority(&truth, Mode::MultiLabel),
            vec![vec![false, false]; 3]
        );
    }

    /// 240 rows where the label hangs on a suffix of words seen once each:
    /// words alone cannot learn it, character n-grams can.
    fn suffix_data() -> LabeledData {
        let syllables = ["ka", "lo", "mi", "te", "ru", "sa", "vo", "ni", "de", "po"];
        let mut data = LabeledData::default();
        for i in 0..240usize {
            let stem: String = [i % 10, (i / 10) % 10, (i / 100) % 10, (i * 7) % 10]
                .iter()
                .map(|&k| syllables[k])
                .collect();
            let positive = i % 3 == 0;
            let suffix = if positive { "ovich" } else { "enko" };
            data.texts
                .push(format!("The report quoted {stem}{suffix} at length."));
            data.labels
                .push(if positive { vec!["x".into()] } else { vec![] });
            data.lines.push(i as u64 + 2);
        }
        data
    }

    #[test]
    fn auto_char_ngrams_are_chosen_where_they_help() {
        let data = suffix_data();
        let config = TrainConfig {
            penalty: Penalty::Fixed(0.01),
            ..TrainConfig::default()
        };
        let (model, summary) = train(&data, &config).unwrap();
        assert_eq!(summary.search.len(), 2);
        let f = model.feature_config();
        assert_eq!((f.char_min, f.char_max), AUTO_CHAR_NGRAMS);
        assert!(summary.search[1].macro_f1 > summary.search[0].macro_f1 + 0.3);
        // Fixed settings are obeyed and searched no further.
        let words = TrainConfig {
            char_ngrams: CharNgrams::Fixed(0, 0),
            ..config
        };
        let (model, summary) = train(&data, &words).unwrap();
        assert!(!model.feature_config().has_chars());
        assert_eq!(summary.search.len(), 1);
    }

    #[test]
    fn auto_char_ngrams_keep_words_only_on_a_tie() {
        // Every row carries its label in a repeated word: both settings are
        // perfect, so the cheaper one must win.
        let mut data = LabeledData::default();
        for i in 0..60usize {
            let positive = i % 2 == 0;
            let word = if positive { "shelling" } else { "weather" };
            data.texts.push(format!("{word} report number {i}"));
            data.labels
                .push(if positive { vec!["x".into()] } else { vec![] });
            data.lines.push(i as u64 + 2);
        }
        let config = TrainConfig {
            penalty: Penalty::Fixed(0.01),
            ..TrainConfig::default()
        };
        let (model, summary) = train(&data, &config).unwrap();
        assert_eq!(summary.search[0].macro_f1, summary.search[1].macro_f1);
        assert!(!model.feature_config().has_chars());
    }
}
