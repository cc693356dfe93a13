//! The scoring pipeline: one article at a time ([`ArticleScorer`]), texts
//! held in memory on all cores ([`score_texts`], [`score_records`]), or whole
//! archives on all cores into a [`Sink`] ([`score_files`]), and what to
//! label next ([`SuggestConfig`]).

pub(crate) mod article;
pub(crate) mod batch;
pub(crate) mod engine;
pub(crate) mod input_batch;
pub(crate) mod suggest;

pub use article::{ArticleScorer, ScoredSentence, Unit};
pub use batch::{score_records, score_texts};
pub use engine::{score_files, Event, Failure, Options, Outcome, Sink, Totals, VecSink};
pub use suggest::{Exclusions, Selection, SuggestConfig, Suggestion};
