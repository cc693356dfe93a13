//! frametag finds narrative framing in news text, sentence by sentence.
//!
//! The pipeline: [`Segmenter`] splits article text into [`Sentence`]s with
//! byte offsets; [`Analyzer`] turns a sentence into normalised, stemmed
//! terms; [`features`] hashes word n-grams into TF-IDF rows; a
//! [`FrameModel`] (one-vs-rest or softmax logistic regression, see
//! [`logistic`]) scores each frame. [`train`] builds models from labeled
//! CSVs ([`LabeledData`]) and [`model_file`] saves them in a versioned,
//! self-describing format.
//!
//! ```
//! let model = frametag::default_model();
//! let text = "A drone hit a school overnight, wounding three children.";
//! let mut scorer = model.scorer();
//! let mut scores = vec![0.0; model.labels().len()];
//! scorer.score(text, &mut scores);
//! assert_eq!(scores.len(), 4);
//! ```
#![deny(missing_docs)]

pub mod analyzer;
mod csv_quotes;
pub mod dataset;
pub mod error;
pub mod features;
pub mod input;
pub mod logistic;
pub mod metrics;
pub mod model;
pub mod model_file;
pub mod out_file;
pub mod output;
pub mod pipeline;
pub mod report;
pub mod score;
pub mod segment;
pub mod sparse;
pub mod standoff;
pub mod suggest;
pub mod train;

pub use analyzer::{Analyzer, AnalyzerConfig, Language, TermCache, Token};
pub use dataset::{Columns, LabeledData, Skipped};
pub use error::{Error, Location, ModelError, Result};
pub use features::{FeatureConfig, Vectorizer};
pub use metrics::{evaluate, Evaluation, LabelScores};
pub use model::{Contribution, FrameModel, Mode, Scorer, TrainingInfo};
pub use score::{ArticleScorer, ScoredSentence, Unit};
pub use segment::{Segmenter, Sentence, SentenceKind};
pub use sparse::CsrMatrix;
pub use train::{cross_validate, evaluate_model, TrainConfig};

/// The bytes of the default English model, built into the library from
/// `models/frametag-en.ftm`.
pub const DEFAULT_MODEL_BYTES: &[u8] = include_bytes!("../models/frametag-en.ftm");

/// The default English model (trained from `corpus/train.csv`).
///
/// # Panics
/// Never in a released build: a test loads the embedded bytes.
pub fn default_model() -> FrameModel {
    FrameModel::from_bytes(DEFAULT_MODEL_BYTES).expect("the embedded default model is valid")
}
