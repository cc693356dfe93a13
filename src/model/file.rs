//! The model file format (version 2).
//!
//! ```text
//! magic      8 bytes   "FRAMETAG"
//! version    u32 LE    2
//! header_len u64 LE
//! header     JSON      settings, labels, mode, thresholds, dimensions,
//!                      n-gram names, training metadata
//! body       LE arrays buckets u32[n], idf f32[n], weights f32[n*k]
//!                      (row-major by feature), bias f32[k]
//! checksum   u64 LE    xxh3-64 of every byte before it
//! ```
//!
//! Everything that shapes features is in the header, so a loaded model
//! rebuilds its analyzer and vectorizer exactly.
//!
//! Version policy: the header refuses fields it does not know (a setting
//! must never be silently ignored), so any change that an older build
//! could not read bumps [`FORMAT_VERSION`]: a new header field, a change to
//! this layout, the hash or the analysis pipeline. A build reads every
//! version from 1 up to its own, giving a field that an older version
//! lacks the value that reproduces how that version scored; a newer
//! version is refused as such ("written by a newer frametag"), never as
//! corrupt.
//!
//! - Version 1: the layout above.
//! - Version 2: the header may also hold `norm_power` and the character
//!   n-gram range (features) and `split_run_on` (analyzer); a version 1
//!   file reads them as 1, none and off. (These fields were first written
//!   under version 1, so builds from that time call such files corrupt;
//!   version 2 makes the difference visible from now on.)
//!
//! Writing is deterministic (no maps with random order), so the same model
//! always gives the same bytes.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, ModelError, Result};
use crate::features::vectorizer::{FeatureConfig, Vectorizer};
use crate::model::frame_model::{FrameModel, LinearParts, Mode, TrainingInfo};
use crate::text::analyzer::AnalyzerConfig;

/// Magic bytes at the start of every model file.
pub const MAGIC: &[u8; 8] = b"FRAMETAG";
/// The largest model file read: 2^20 buckets of 64-bit weights for a few
/// dozen labels stay well below it.
pub const MAX_MODEL_BYTES: u64 = 1 << 31;
/// The format version this build writes, and the newest it reads.
pub const FORMAT_VERSION: u32 = 2;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    analyzer: AnalyzerConfig,
    features: FeatureConfig,
    labels: Vec<String>,
    mode: Mode,
    thresholds: Vec<f32>,
    n_features: usize,
    ngram_names: Vec<String>,
    training: TrainingInfo,
}

impl FrameModel {
    /// The model as bytes in the file format.
    pub fn to_bytes(&self) -> Vec<u8> {
        let header = Header {
            analyzer: self.analyzer_config().clone(),
            features: self.vectorizer.config().clone(),
            labels: self.labels.clone(),
            mode: self.mode,
            thresholds: self.thresholds.clone(),
            n_features: self.vectorizer.n_features(),
            ngram_names: self.vectorizer.names().to_vec(),
            training: self.info.clone(),
        };
        let json = serde_json::to_vec(&header).expect("model header serialises");
        let mut out = Vec::with_capacity(json.len() + 16 * self.weights.len() + 64);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&(json.len() as u64).to_le_bytes());
        out.extend_from_slice(&json);
        for b in self.vectorizer.buckets() {
            out.extend_from_slice(&b.to_le_bytes());
        }
        for x in self
            .vectorizer
            .idf()
            .iter()
            .chain(&self.weights)
            .chain(&self.bias)
        {
            out.extend_from_slice(&x.to_le_bytes());
        }
        let sum = xxhash_rust::xxh3::xxh3_64(&out);
        out.extend_from_slice(&sum.to_le_bytes());
        out
    }

    /// Writes the model to `path` atomically (a temporary file in the same
    /// directory, then a rename).
    ///
    /// ```
    /// use frametag::FrameModel;
    ///
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("model.ftm");
    /// let model = frametag::default_model();
    /// model.save(&path)?;
    /// let loaded = FrameModel::load(&path)?;
    /// assert_eq!(loaded.labels(), model.labels());
    /// assert_eq!(loaded.to_bytes(), model.to_bytes());
    /// // A damaged file is refused, saying why.
    /// let mut bytes = std::fs::read(&path)?;
    /// let last = bytes.len() - 1;
    /// bytes[last] ^= 1;
    /// std::fs::write(&path, &bytes)?;
    /// let err = FrameModel::load(&path).unwrap_err();
    /// assert!(err.to_string().contains("checksum"), "{err}");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn save(&self, path: &Path) -> Result<()> {
        crate::io::out_file::write_atomic(path, &self.to_bytes())
    }

    /// Reads a model file, refusing unknown versions and corrupt contents.
    /// At most [`MAX_MODEL_BYTES`] are read: a device or a huge file given
    /// by mistake is refused instead of filling memory.
    pub fn load(path: &Path) -> Result<FrameModel> {
        use std::io::Read;
        let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        // The magic bytes first, so that a wrong file is refused unread.
        let mut bytes = Vec::new();
        (&mut file)
            .take(MAGIC.len() as u64)
            .read_to_end(&mut bytes)
            .map_err(|e| Error::io(path, e))?;
        if bytes.as_slice() != MAGIC {
            return Err(Error::model(path, ModelError::BadMagic));
        }
        file.take(MAX_MODEL_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| Error::io(path, e))?;
        if bytes.len() as u64 > MAX_MODEL_BYTES {
            return Err(Error::model(
                path,
                ModelError::Corrupt(format!(
                    "larger than {} MiB, far beyond any model this build writes",
                    MAX_MODEL_BYTES >> 20
                )),
            ));
        }
        FrameModel::from_bytes(&bytes).map_err(|kind| Error::model(path, kind))
    }

    /// Parses a model from bytes in the file format.
    pub fn from_bytes(bytes: &[u8]) -> std::result::Result<FrameModel, ModelError> {
        if bytes.len() < 8 || &bytes[..8] != MAGIC {
            return Err(ModelError::BadMagic);
        }
        let mut r = Reader { bytes, pos: 8 };
        let version = u32::from_le_bytes(r.take::<4>("version")?);
        if version > FORMAT_VERSION && version < 1 << 16 {
            return Err(ModelError::NewerVersion {
                found: version,
                supported: FORMAT_VERSION,
            });
        }
        if version == 0 || version > FORMAT_VERSION {
            return Err(ModelError::UnsupportedVersion {
                found: version,
                supported: FORMAT_VERSION,
            });
        }
        if bytes.len() < 8 + 4 + 8 + 8 {
            return Err(ModelError::Truncated(
                "file shorter than its fixed fields".into(),
            ));
        }
        let (content, tail) = bytes.split_at(bytes.len() - 8);
        let header_len = u64::from_le_bytes(r.take::<8>("header length")?) as usize;
        if header_len > content.len().saturating_sub(r.pos) {
            return Err(ModelError::Truncated(format!(
                "header of {header_len} bytes runs past the end"
            )));
        }
        let stored = u64::from_le_bytes(tail.try_into().expect("8 bytes"));
        if xxhash_rust::xxh3::xxh3_64(content) != stored {
            return Err(ModelError::Checksum);
        }
        let header: Header = serde_json::from_slice(&content[r.pos..r.pos + header_len])
            .map_err(|e| ModelError::Corrupt(format!("header: {e}")))?;
        r.pos += header_len;
        let n = header.n_features;
        let k = header.labels.len();
        if k == 0 {
            return Err(ModelError::Corrupt("no labels".into()));
        }
        if header.thresholds.len() != k {
            return Err(ModelError::Corrupt(format!(
                "{} thresholds for {k} labels",
                header.thresholds.len()
            )));
        }
        let body = n
            .checked_mul(4 * (2 + k))
            .and_then(|x| x.checked_add(4 * k))
            .ok_or_else(|| ModelError::Corrupt("dimensions overflow".into()))?;
        let left = content.len() - r.pos;
        if body != left {
            return Err(ModelError::Corrupt(format!(
                "body has {left} bytes, dimensions ({n} features x {k} labels) need {body}"
            )));
        }
        let body = &content[r.pos..];
        let u32s = |s: &[u8]| -> Vec<u32> {
            s.chunks_exact(4)
                .map(|c| u32::from_le_bytes(c.try_into().expect("4 bytes")))
                .collect()
        };
        let f32s = |s: &[u8]| -> Vec<f32> {
            s.chunks_exact(4)
                .map(|c| f32::from_le_bytes(c.try_into().expect("4 bytes")))
                .collect()
        };
        let buckets = u32s(&body[..4 * n]);
        let idf = f32s(&body[4 * n..8 * n]);
        let weights = f32s(&body[8 * n..8 * n + 4 * n * k]);
        let bias = f32s(&body[8 * n + 4 * n * k..]);
        if weights.iter().chain(&bias).any(|w| !w.is_finite()) {
            return Err(ModelError::Corrupt("non-finite weight".into()));
        }
        let vectorizer = Vectorizer::from_parts(header.features, buckets, idf, header.ngram_names)?;
        Ok(FrameModel::from_parts(
            header.analyzer,
            vectorizer,
            header.labels,
            header.mode,
            LinearParts {
                weights,
                bias,
                thresholds: header.thresholds,
            },
            header.training,
        ))
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn take<const N: usize>(&mut self, what: &str) -> std::result::Result<[u8; N], ModelError> {
        let s = self
            .bytes
            .get(self.pos..self.pos + N)
            .ok_or_else(|| ModelError::Truncated(format!("file ends in the {what}")))?;
        self.pos += N;
        Ok(s.try_into().expect("N bytes"))
    }
}
