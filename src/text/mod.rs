//! Text: article text to sentences with byte offsets ([`Segmenter`]), and
//! sentence text to normalised, stemmed terms ([`Analyzer`]).

pub(crate) mod analyzer;
pub(crate) mod segment;

pub use analyzer::{Analyzer, AnalyzerConfig, Language, Token};
pub use segment::{Segmenter, Sentence, SentenceKind};

/// Word finding, exposed for the property tests that hold the ASCII fast
/// path to the Unicode rules; not part of the supported API.
#[doc(hidden)]
pub use analyzer::{word_spans, word_spans_unicode};
