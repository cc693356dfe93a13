//! frametag finds narrative framing in news text, sentence by sentence.
//!
//! The pipeline: [`Segmenter`] splits article text into [`Sentence`]s with
//! byte offsets; [`Analyzer`] turns a sentence into normalised, stemmed
//! terms; [`features`] hashes word n-grams into TF-IDF rows; a
//! [`FrameModel`] (one-vs-rest or softmax logistic regression, see
//! [`logistic`]) scores each frame. [`train`] builds models from labeled
//! CSVs ([`LabeledData`]) and [`model_file`] saves them in a versioned,
//! self-describing format.
#![deny(missing_docs)]

pub mod analyzer;
pub mod dataset;
pub mod error;
pub mod features;
pub mod logistic;
pub mod metrics;
pub mod model;
pub mod model_file;
pub mod segment;
pub mod sparse;
pub mod train;

pub use analyzer::{Analyzer, AnalyzerConfig, Language, TermCache, Token};
pub use dataset::{Columns, LabeledData, Skipped};
pub use error::{Error, ModelError, Result};
pub use features::{FeatureConfig, Vectorizer};
pub use metrics::{evaluate, Evaluation, LabelScores};
pub use model::{Contribution, FrameModel, Mode, Scorer, TrainingInfo};
pub use segment::{Segmenter, Sentence, SentenceKind};
pub use sparse::CsrMatrix;
pub use train::{cross_validate, evaluate_model, TrainConfig};
