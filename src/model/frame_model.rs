//! A trained frame model: analyzer and feature settings, labels, weights,
//! thresholds and training metadata, and the scoring that uses them.
//!
//! The scorer has no settings of its own: everything that shapes features is
//! read from the model, so scoring reproduces training exactly.

use serde::{Deserialize, Serialize};

use crate::features::featurizer::{FeatureSession, Featurizer};
use crate::features::vectorizer::{FeatureConfig, Vectorizer};
use crate::model::objective::{decide, probabilities};
use crate::text::analyzer::{Analyzer, AnalyzerConfig};

/// How labels are decided from scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// One-vs-rest: each label independently, score >= its threshold; a
    /// sentence may carry several labels or none.
    MultiLabel,
    /// Softmax over the labels: exactly one label, the highest-scoring.
    MultiClass,
}

/// What a model records of how it was trained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingInfo {
    /// frametag version that trained the model.
    pub frametag_version: String,
    /// xxh3-64 (hex) of the training examples (see
    /// [`LabeledData::checksum`](crate::LabeledData::checksum)).
    pub corpus_checksum: String,
    /// Name of the training file (no directories).
    pub corpus_file: String,
    /// Examples used.
    pub examples: usize,
    /// Rows skipped.
    pub skipped: usize,
    /// Positive examples per label, in label order.
    pub label_counts: Vec<usize>,
    /// Seed of fold assignment.
    pub seed: u64,
    /// L2 penalty used.
    pub alpha: f64,
    /// Whether classes were balanced.
    pub balanced: bool,
    /// How thresholds were set ("cv-f1 (K folds)", "fixed", "argmax").
    pub thresholds_from: String,
    /// Headline figures (e.g. "cv_macro_f1", "test_macro_f1").
    pub metrics: std::collections::BTreeMap<String, f64>,
}

/// The linear part of a model.
pub(crate) struct LinearParts {
    /// `n_features x n_labels`, row-major by feature.
    pub weights: Vec<f32>,
    /// One bias per label.
    pub bias: Vec<f32>,
    /// One threshold per label.
    pub thresholds: Vec<f32>,
}

/// A trained model.
#[derive(Debug, Clone)]
pub struct FrameModel {
    /// The analyzer bound to the vectorizer's feature settings.
    pub(crate) featurizer: Featurizer,
    pub(crate) vectorizer: Vectorizer,
    pub(crate) labels: Vec<String>,
    pub(crate) mode: Mode,
    /// `n_features x n_labels`, row-major by feature.
    pub(crate) weights: Vec<f32>,
    pub(crate) bias: Vec<f32>,
    pub(crate) thresholds: Vec<f32>,
    pub(crate) info: TrainingInfo,
}

/// One n-gram's contribution to a label's score.
#[derive(Debug, Clone, PartialEq)]
pub struct Contribution {
    /// The n-gram (stemmed terms).
    pub ngram: String,
    /// weight x feature value: its share of the label's linear score.
    pub value: f32,
}

impl FrameModel {
    /// Assembles a model from its parts (used by training and loading; the
    /// caller has checked the dimensions).
    pub(crate) fn from_parts(
        analyzer: AnalyzerConfig,
        vectorizer: Vectorizer,
        labels: Vec<String>,
        mode: Mode,
        linear: LinearParts,
        info: TrainingInfo,
    ) -> Self {
        FrameModel {
            featurizer: Featurizer::from_checked(
                Analyzer::new(analyzer),
                vectorizer.config().clone(),
            ),
            vectorizer,
            labels,
            mode,
            weights: linear.weights,
            bias: linear.bias,
            thresholds: linear.thresholds,
            info,
        }
    }

    /// Label names, in score order.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// Multi-label or multi-class.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Decision threshold per label (multi-label models).
    pub fn thresholds(&self) -> &[f32] {
        &self.thresholds
    }

    /// Training metadata.
    pub fn info(&self) -> &TrainingInfo {
        &self.info
    }

    /// The same model with its headline metrics replaced (e.g. after a
    /// held-out evaluation), so they travel with the file.
    pub fn with_metrics(mut self, metrics: std::collections::BTreeMap<String, f64>) -> Self {
        self.info.metrics = metrics;
        self
    }

    /// The same model deciding with other thresholds (one per label, each
    /// in 0..=1), e.g. overrides given at scoring time. Multi-class models
    /// decide by the top score and ignore thresholds.
    pub fn with_thresholds(mut self, thresholds: Vec<f32>) -> crate::Result<Self> {
        if thresholds.len() != self.labels.len()
            || thresholds.iter().any(|t| !(0.0..=1.0).contains(t))
        {
            return Err(crate::Error::config(
                "thresholds",
                format!("{thresholds:?}"),
                format!("{} values between 0 and 1", self.labels.len()),
            ));
        }
        self.thresholds = thresholds;
        Ok(self)
    }

    /// Analyzer settings.
    pub fn analyzer_config(&self) -> &AnalyzerConfig {
        self.featurizer.analyzer().config()
    }

    /// Feature settings.
    pub fn feature_config(&self) -> &FeatureConfig {
        self.vectorizer.config()
    }

    /// The fitted vectorizer.
    pub fn vectorizer(&self) -> &Vectorizer {
        &self.vectorizer
    }

    /// Per-thread scoring state.
    pub fn scorer(&self) -> Scorer<'_> {
        Scorer {
            model: self,
            features: self.featurizer.session(),
            counts: Vec::new(),
            row: Vec::new(),
            z: vec![0.0; self.labels.len()],
        }
    }

    /// The labels whose scores pass: thresholds in multi-label mode, the
    /// top score in multi-class mode.
    pub fn decide(&self, scores: &[f32]) -> Vec<bool> {
        decide(self.mode, scores, &self.thresholds)
    }

    /// The `n` n-grams with the largest positive weight for each label.
    pub fn top_ngrams(&self, n: usize) -> Vec<(String, Vec<Contribution>)> {
        let k = self.labels.len();
        let names = self.vectorizer.names();
        self.labels
            .iter()
            .enumerate()
            .map(|(c, label)| {
                let mut idx: Vec<usize> = (0..names.len()).collect();
                idx.sort_by(|&a, &b| {
                    self.weights[b * k + c]
                        .total_cmp(&self.weights[a * k + c])
                        .then(a.cmp(&b))
                });
                let top = idx
                    .into_iter()
                    .take(n)
                    .filter(|&j| self.weights[j * k + c] > 0.0)
                    .map(|j| Contribution {
                        ngram: names[j].clone(),
                        value: self.weights[j * k + c],
                    })
                    .collect();
                (label.clone(), top)
            })
            .collect()
    }
}

/// Scores texts with a model; one per thread.
pub struct Scorer<'m> {
    model: &'m FrameModel,
    features: FeatureSession<'m>,
    counts: Vec<(u32, u32)>,
    row: Vec<(u32, f32)>,
    z: Vec<f32>,
}

impl Scorer<'_> {
    /// Writes one probability per label for `text` into `out`.
    pub fn score(&mut self, text: &str, out: &mut [f32]) {
        let m = self.model;
        self.features
            .column_counts(&m.vectorizer, text, &mut self.counts);
        // Start loading every column's idf and weights before the first is
        // read (see `crate::prefetch`): the loads overlap.
        let k = m.bias.len();
        for &(j, _) in &self.counts {
            m.vectorizer.prefetch_idf(j);
            if let Some(w) = m.weights.get(j as usize * k) {
                crate::prefetch::prefetch(w);
            }
        }
        m.vectorizer
            .transform_column_counts(&self.counts, &mut self.row);
        probabilities(
            m.mode,
            &m.weights,
            &m.bias,
            self.row.iter().copied(),
            &mut self.z,
            out,
        );
    }

    /// The `n` n-grams of the last scored text that raised label `label`'s
    /// score most (call after [`Scorer::score`]).
    pub fn explain(&self, label: usize, n: usize) -> Vec<Contribution> {
        let m = self.model;
        let k = m.labels.len();
        let mut parts: Vec<Contribution> = self
            .row
            .iter()
            .map(|&(j, v)| Contribution {
                ngram: m.vectorizer.names()[j as usize].clone(),
                value: m.weights[j as usize * k + label] * v,
            })
            .filter(|c| c.value > 0.0)
            .collect();
        parts.sort_by(|a, b| {
            b.value
                .total_cmp(&a.value)
                .then_with(|| a.ngram.cmp(&b.ngram))
        });
        parts.truncate(n);
        parts
    }

    /// Empties the term cache when it has grown past its limit; call between
    /// documents on long streams to keep memory flat.
    pub fn trim_cache(&mut self) {
        self.features.trim_cache();
    }
}
