//! frametag finds narrative framing in news text, sentence by sentence.
//!
//! The text pipeline: [`Segmenter`] splits article text into [`Sentence`]s
//! with byte offsets; [`Analyzer`] turns a sentence into normalised,
//! stemmed terms.
#![deny(missing_docs)]

pub mod analyzer;
pub mod error;
pub mod segment;

pub use analyzer::{Analyzer, AnalyzerConfig, Language, TermCache, Token};
pub use error::{Error, ModelError, Result};
pub use segment::{Segmenter, Sentence, SentenceKind};
