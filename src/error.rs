//! The crate's error type: every variant says where (file, line or record).

use std::path::PathBuf;

/// A result with the crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in frametag's library code.
///
/// Variants that come from user data carry the file and the line or record
/// number, and their messages print them.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be opened, read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A data file is malformed at a given line.
    #[error("{}:{line}: {message}", path.display())]
    Data {
        /// The file.
        path: PathBuf,
        /// 1-based line number (0 when unknown).
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// A data set is unusable as a whole (empty, one class, missing column).
    #[error("{}: {message}", path.display())]
    Dataset {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A model file could not be used.
    #[error("model {}: {kind}", path.display())]
    Model {
        /// The model file (or `<embedded>`).
        path: PathBuf,
        /// Why it was refused.
        kind: ModelError,
    },
    /// An invalid setting, refused before any work starts.
    #[error("invalid setting: {0}")]
    Config(ConfigError),
    /// Training could not produce a model worth saving.
    #[error("training failed: {0}")]
    Training(String),
    /// An error reported by linfa.
    #[error(transparent)]
    Linfa(#[from] linfa::Error),
}

/// Why a model file was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ModelError {
    /// The file does not start with frametag's magic bytes.
    #[error("not a frametag model (bad magic bytes)")]
    BadMagic,
    /// The file was written by a newer frametag, in a format version this
    /// build cannot read.
    #[error(
        "written by a newer frametag: model format version {found}, and this build reads \
         versions 1 to {supported}; upgrade frametag to use this model"
    )]
    NewerVersion {
        /// Version found in the file.
        found: u32,
        /// The newest version this build reads.
        supported: u32,
    },
    /// The version field holds no version frametag ever wrote.
    #[error(
        "unsupported model format version {found} (this build reads versions 1 to {supported})"
    )]
    UnsupportedVersion {
        /// Version found in the file.
        found: u32,
        /// The newest version this build reads.
        supported: u32,
    },
    /// The file ends before its declared contents.
    #[error("truncated file: {0}")]
    Truncated(String),
    /// The checksum does not match the contents.
    #[error("checksum mismatch: the file is corrupt")]
    Checksum,
    /// The contents are inconsistent (dimensions, settings, JSON header).
    #[error("corrupt contents: {0}")]
    Corrupt(String),
}

/// An invalid setting: which one, the value given, and what is allowed.
///
/// ```
/// let e = "-1".parse::<frametag::model::Penalty>().unwrap_err();
/// let frametag::Error::Config(c) = e else { panic!() };
/// assert_eq!(c.setting, "penalty");
/// assert_eq!(c.value, "-1");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{setting} {value:?}: {expected}")]
pub struct ConfigError {
    /// The setting, as the library names it (e.g. `penalty`,
    /// `char n-grams`, `inner folds`).
    pub setting: &'static str,
    /// The value given, as text.
    pub value: String,
    /// What the setting accepts.
    pub expected: String,
}

/// Where an error is, for callers that act on it without parsing the
/// message.
///
/// It prints as `file`, `file:line` or `file[record]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Location {
    /// The file (`-` for standard input, or `<memory>`, `<embedded>`).
    pub path: PathBuf,
    /// 1-based line, when known.
    pub line: Option<u64>,
    /// 0-based index of the record in a JSON array, when that is how the
    /// record is found.
    pub record: Option<u64>,
}

impl Location {
    /// A whole file.
    pub fn file(path: impl Into<PathBuf>) -> Self {
        Location {
            path: path.into(),
            line: None,
            record: None,
        }
    }

    /// Line `line` (1-based) of a file.
    pub fn line(path: impl Into<PathBuf>, line: u64) -> Self {
        Location {
            line: Some(line),
            ..Location::file(path)
        }
    }

    /// Record `index` (0-based) of a JSON array file.
    pub fn record(path: impl Into<PathBuf>, index: u64) -> Self {
        Location {
            record: Some(index),
            ..Location::file(path)
        }
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(record) = self.record {
            write!(f, "[{record}]")?;
        }
        Ok(())
    }
}

impl Error {
    /// The file and line the error is about, if it is about one.
    ///
    /// ```
    /// use std::path::Path;
    /// let e = frametag::LabeledData::parse_csv(
    ///     Path::new("train.csv"),
    ///     b"text,labels\n\"never closed,a\n",
    ///     &frametag::Columns::default(),
    /// )
    /// .unwrap_err();
    /// let at = e.location().unwrap();
    /// assert_eq!(at.path, Path::new("train.csv"));
    /// ```
    pub fn location(&self) -> Option<Location> {
        let (path, line) = match self {
            Error::Io { path, .. } | Error::Dataset { path, .. } | Error::Model { path, .. } => {
                (path, None)
            }
            Error::Data { path, line, .. } => (path, (*line > 0).then_some(*line)),
            Error::Config(_) | Error::Training(_) | Error::Linfa(_) => return None,
        };
        Some(Location {
            path: path.clone(),
            line,
            record: None,
        })
    }

    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// A data error at `path:line`.
    pub fn data(path: impl Into<PathBuf>, line: u64, message: impl Into<String>) -> Self {
        Error::Data {
            path: path.into(),
            line,
            message: message.into(),
        }
    }

    /// An invalid `setting`: `value` given, `expected` allowed.
    pub fn config(
        setting: &'static str,
        value: impl std::fmt::Display,
        expected: impl Into<String>,
    ) -> Self {
        Error::Config(ConfigError {
            setting,
            value: value.to_string(),
            expected: expected.into(),
        })
    }

    /// A model error on `path`.
    pub fn model(path: impl Into<PathBuf>, kind: ModelError) -> Self {
        Error::Model {
            path: path.into(),
            kind,
        }
    }
}
