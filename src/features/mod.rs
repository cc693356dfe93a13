//! Features: sentence text to hashed word (and character) n-gram counts
//! ([`Featurizer`], one [`FeatureSession`] per thread), then to TF-IDF rows
//! ([`Vectorizer`]) held in a [`CsrMatrix`].

pub(crate) mod column_tally;
pub(crate) mod featurizer;
pub(crate) mod sparse;
pub(crate) mod vectorizer;

pub use featurizer::{FeatureSession, Featurizer};
pub use sparse::CsrMatrix;
pub use vectorizer::{FeatureConfig, Vectorizer};
