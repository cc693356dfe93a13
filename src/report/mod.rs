//! Reports people read: the text tables `frametag-train` prints, the
//! n-grams behind each label, and self-contained HTML pages with charts
//! (training and evaluation of a model; an archive's frames overall, over
//! time and by group).

pub(crate) mod archive;
pub(crate) mod charts;
pub(crate) mod html;
pub(crate) mod model_page;
pub(crate) mod terms;
pub(crate) mod text;

pub use archive::{parse_date, ArchiveFields, ArchiveStats, ArticleDigest, TopSentence};
pub use model_page::{model_page, ModelPage};
pub use terms::{top_terms, LabelTerms};
pub use text::{confusion_text, evaluation_text, inspection_text, terms_text, training_text};
