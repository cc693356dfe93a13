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

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::features::vectorizer::FeatureConfig;
use crate::io::dataset::LabeledData;
use crate::model::folds::stratified_folds;
use crate::model::frame_model::{FrameModel, LinearParts, Mode, TrainingInfo};
use crate::model::metrics::{evaluate, Evaluation};
use crate::model::objective::Objective;
use crate::model::progress::{OnTrainEvent, Progress};
use crate::model::search::{search, Validation};
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
/// On Reuters paragraphs labelled with 24 keyword-rule topics
/// (benches/peers/many_labels.py) they gain 0.042 test macro-F1 at 2,000
/// rows and 0.014 at 5,000, and lose 0.025 at 10,000, where their search
/// took 120 of 150 CPU seconds. Past 5,000 rows they have lost on both data
/// sets while costing five times the words-only search, so larger sets keep
/// words only unless asked (`CharNgrams::Fixed`).
pub const AUTO_CHAR_LIMIT: usize = 5_000;

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
                _ => Err(Error::config(
                    "penalty",
                    s,
                    "expected \"auto\" or a number >= 0",
                )),
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
                _ => Err(Error::config(
                    "threshold",
                    s,
                    "expected \"auto\" or a probability",
                )),
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
                    Error::config(
                        "character n-grams",
                        s,
                        "expected MIN-MAX (e.g. 3-5), \"off\" or \"auto\"",
                    )
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

/// Label set and mode of a data set; refuses unusable ones.
pub(crate) fn labels_and_mode(
    data: &LabeledData,
    config: &TrainConfig,
) -> Result<(Vec<String>, Mode)> {
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

/// Trains a model on `data`. Refuses a model that does no better out of fold
/// than predicting the majority answer.
pub fn train(data: &LabeledData, config: &TrainConfig) -> Result<(FrameModel, TrainSummary)> {
    train_inner(data, config, Progress::default())
}

/// [`train()`], reporting progress to `on` (from any thread).
pub fn train_with_progress(
    data: &LabeledData,
    config: &TrainConfig,
    on: OnTrainEvent<'_>,
) -> Result<(FrameModel, TrainSummary)> {
    train_inner(data, config, Progress::to(on))
}

pub(crate) fn train_inner(
    data: &LabeledData,
    config: &TrainConfig,
    progress: Progress<'_>,
) -> Result<(FrameModel, TrainSummary)> {
    config.features.validate()?;
    if config.inner_folds < 2 {
        return Err(Error::config(
            "inner folds",
            config.inner_folds,
            "at least 2",
        ));
    }
    let (labels, mode) = labels_and_mode(data, config)?;
    let texts: Vec<&str> = data.texts.iter().map(String::as_str).collect();
    let truth = data.truth_matrix(&labels);
    let min_class = (0..labels.len())
        .map(|c| truth.iter().filter(|t| t[c]).count())
        .min()
        .unwrap_or(0);
    let k_folds = config.inner_folds.min(min_class.max(2)).min(texts.len());
    if texts.len() < 4 || k_folds < 2 {
        return Err(Error::Dataset {
            path: data.path.clone(),
            message: format!(
                "{} examples are too few to train and check a model",
                texts.len()
            ),
        });
    }
    // Small data: K-fold out-of-fold scores for every example. Large data:
    // one stratified 10% holdout, so training stays a few fits per label.
    let small = texts.len() <= AUTO_PENALTY_LIMIT;
    let (folds, held): (Vec<usize>, Vec<usize>) = if small {
        (
            stratified_folds(&truth, k_folds, config.seed),
            (0..k_folds).collect(),
        )
    } else {
        (stratified_folds(&truth, 10, config.seed), vec![0])
    };
    let penalties: Vec<f64> = match config.penalty {
        Penalty::Fixed(a) => vec![a],
        Penalty::Auto if small => PENALTY_GRID.to_vec(),
        Penalty::Auto => vec![DEFAULT_ALPHA],
    };
    let char_ranges = match config.char_ngrams {
        CharNgrams::Fixed(lo, hi) => vec![(lo, hi)],
        CharNgrams::Auto if texts.len() <= AUTO_CHAR_LIMIT => vec![(0, 0), AUTO_CHAR_NGRAMS],
        CharNgrams::Auto => vec![(0, 0)],
    };
    let validation = Validation {
        folds: &folds,
        held: &held,
    };
    let objective = Objective::new(mode, config.balanced, config.max_iterations);
    progress.planned(
        objective.fits(
            labels.len(),
            char_ranges.len() * penalties.len() * held.len(),
        ) + objective.fits(labels.len(), 1),
    );
    let (chosen, points) = search(
        &texts,
        &truth,
        &labels,
        mode,
        config,
        &char_ranges,
        &penalties,
        &validation,
        progress,
    )?;
    let baseline = evaluate(&labels, &truth, &objective.majority(&truth));
    if chosen.out_of_fold.micro_f1 <= baseline.micro_f1 + 1e-9 {
        return Err(Error::Training(format!(
            "out-of-fold micro-F1 {:.3} is no better than always predicting the majority answer \
             ({:.3}); the model would be useless, so it was not saved",
            chosen.out_of_fold.micro_f1, baseline.micro_f1
        )));
    }
    progress.stage("final fit");
    // From the winner's fold models: fitted on 80-90% of these rows at
    // this penalty, they are close to the answer, and the fit needs a
    // fraction of the iterations it takes from zero.
    let linear = objective.fit(
        &chosen.x,
        &truth,
        chosen.alpha,
        Some(&chosen.start),
        progress,
    )?;
    let thresholds_from = match (mode, config.thresholds) {
        (Mode::MultiClass, _) => "argmax".to_string(),
        (_, Thresholds::Fixed(_)) => "fixed".to_string(),
        (_, Thresholds::TuneF1) if held.len() > 1 => format!("out-of-fold F1 ({k_folds} folds)"),
        (_, Thresholds::TuneF1) => "F1 on a 10% holdout".to_string(),
    };
    let info = TrainingInfo {
        frametag_version: env!("CARGO_PKG_VERSION").into(),
        corpus_checksum: data.checksum(),
        corpus_file: data.file_names(),
        examples: data.len(),
        skipped: data.skipped.len(),
        label_counts: (0..labels.len())
            .map(|c| truth.iter().filter(|t| t[c]).count())
            .collect(),
        seed: config.seed,
        alpha: chosen.alpha,
        balanced: config.balanced,
        thresholds_from,
        metrics: BTreeMap::from([
            (
                "oof_macro_f1".to_string(),
                round6(chosen.out_of_fold.macro_f1),
            ),
            (
                "oof_micro_f1".to_string(),
                round6(chosen.out_of_fold.micro_f1),
            ),
        ]),
    };
    let model = FrameModel::from_parts(
        config.analyzer.clone(),
        chosen.vectorizer,
        labels,
        mode,
        LinearParts {
            weights: linear.weights,
            bias: linear.bias,
            thresholds: chosen.thresholds,
        },
        info,
    );
    Ok((
        model,
        TrainSummary {
            search: points,
            out_of_fold: chosen.out_of_fold,
            majority_baseline: baseline,
        },
    ))
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

#[cfg(test)]
mod tests {
    use super::*;

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
