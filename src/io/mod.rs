//! Reading and writing: article inputs ([`read_all`]), labeled training data
//! ([`LabeledData`], stand-off annotations via [`read_labeled`]), output rows
//! ([`RowFormat`]) and files that are replaced atomically ([`OutFile`]).

pub(crate) mod csv_quotes;
pub(crate) mod dataset;
pub(crate) mod input;
pub(crate) mod out_file;
pub(crate) mod output;
pub(crate) mod standoff;

pub use dataset::{split_labels, Columns, LabeledData, Skipped};
pub use input::{
    expand_paths, read_all, Delimiter, Expanded, InputFormat, Item, Record, RecordFields, Skip,
    MAX_RECORD_BYTES,
};
pub use out_file::{check_outputs, remove_temporary_files_on_signal, write_atomic, OutFile};
pub use output::{OutputFormat, RowFormat, SummaryFormat};
pub use standoff::{read_exclusions, read_labeled, sentence_checksum, ArticleSource, Loaded};
