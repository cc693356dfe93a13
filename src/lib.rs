//! frametag finds narrative framing in news text, sentence by sentence.
//!
//! The data flows through five folders:
//! - [`text`]: a [`Segmenter`] splits article text into [`Sentence`]s with
//!   byte offsets; an [`Analyzer`] turns sentence text into normalised,
//!   stemmed terms.
//! - [`features`]: a [`Featurizer`](features::Featurizer) hashes word (and
//!   character) n-grams; a [`Vectorizer`] weights them by TF-IDF.
//! - [`model`]: a [`FrameModel`] (one-vs-rest or softmax logistic
//!   regression) scores each frame; [`model::train()`] and
//!   [`model::cross_validate`] build and check models from in-memory
//!   [`LabeledData`]; models are saved in a versioned, self-describing file.
//! - [`io`]: article inputs (files, folders, JSONL, CSV, gzip), labeled CSVs
//!   and stand-off annotations, output rows, atomic output files.
//! - [`pipeline`]: an [`ArticleScorer`] scores one article;
//!   [`pipeline::score_files`] scores whole archives on all cores into a
//!   [`pipeline::Sink`].
//!
//! [`report`] turns evaluations and scored archives into text tables and
//! self-contained HTML pages with charts.
//!
//! Score texts with the built-in model:
//!
//! ```
//! let model = frametag::default_model();
//! let text = "A drone hit a school overnight, wounding three children.";
//! let mut scorer = model.scorer();
//! let mut scores = vec![0.0; model.labels().len()];
//! scorer.score(text, &mut scores);
//! let labels: Vec<&str> = model
//!     .decide(&scores)
//!     .iter()
//!     .zip(model.labels())
//!     .filter(|(on, _)| **on)
//!     .map(|(_, l)| l.as_str())
//!     .collect();
//! assert!(labels.contains(&"humanitarian"));
//! ```
//!
//! Split an article into sentences and score each:
//!
//! ```
//! use frametag::{ArticleScorer, Unit};
//!
//! let model = frametag::default_model();
//! let mut scorer = ArticleScorer::new(&model, Unit::Sentence, 0);
//! let article = "Shelling resumed at dawn. Talks on guarantees are due in Geneva.";
//! let mut rows = Vec::new();
//! scorer.score(article, &mut rows);
//! assert_eq!(rows.len(), 2);
//! assert_eq!(&article[rows[1].start..rows[1].end], "Talks on guarantees are due in Geneva.");
//! ```
#![deny(missing_docs)]

mod bytes;
pub mod error;
pub mod features;
pub mod io;
pub mod model;
pub mod pipeline;
mod prefetch;
pub mod report;
pub mod text;

pub use error::{ConfigError, Error, Location, ModelError, Result};
pub use features::{FeatureConfig, Vectorizer};
pub use io::{Columns, LabeledData};
pub use model::{evaluate, Evaluation, FrameModel, LabelScores, Mode, TrainConfig};
pub use pipeline::{ArticleScorer, ScoredSentence, Unit};
pub use text::{Analyzer, AnalyzerConfig, Language, Segmenter, Sentence};

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
