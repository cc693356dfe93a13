//! Features: hashed word n-grams with TF-IDF weights, L2-normalised.
//!
//! The feature id of an n-gram is specified so any implementation can
//! reproduce it:
//! - a term's hash is xxh3-64 of its UTF-8 bytes with seed `hash_seed`;
//! - an n-gram of n >= 2 terms hashes to xxh3-64 of the concatenated
//!   little-endian bytes of its terms' hashes, with seed `hash_seed + n - 1`;
//! - the bucket is the low `bits` bits of that hash.
//!
//! A fitted [`Vectorizer`] keeps the buckets seen in training (its columns),
//! their inverse document frequencies, and one n-gram string per column so
//! models can be explained. Buckets never seen in training are dropped, as
//! scikit-learn's `TfidfVectorizer` drops out-of-vocabulary terms.

use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_64_with_seed;

use crate::analyzer::{Analyzer, TermCache};
use crate::error::{Error, Result};
use crate::sparse::CsrMatrix;

/// Settings of the feature layer; saved in every model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeatureConfig {
    /// Hash function of the feature ids (only "xxh3-64" exists).
    pub hash: String,
    /// Seed of the hash (default 0x6672616d65746167, "frametag").
    pub hash_seed: u64,
    /// Number of hash bits: 2^bits buckets (default 20).
    pub bits: u8,
    /// Smallest n-gram length (default 1).
    pub ngram_min: u8,
    /// Largest n-gram length (default 2).
    pub ngram_max: u8,
    /// Use 1 + ln(tf) instead of raw counts (default true).
    pub sublinear_tf: bool,
    /// Drop buckets seen in fewer training documents (default 2: n-grams
    /// seen once teach a model its corpus's phrasing, not its labels).
    pub min_df: u32,
}

/// Name of the only feature hash.
pub const XXH3_64: &str = "xxh3-64";

impl Default for FeatureConfig {
    fn default() -> Self {
        FeatureConfig {
            hash: XXH3_64.into(),
            hash_seed: 0x6672_616d_6574_6167,
            bits: 20,
            ngram_min: 1,
            ngram_max: 2,
            sublinear_tf: true,
            min_df: 2,
        }
    }
}

impl FeatureConfig {
    /// Checks the settings, naming the first bad one.
    pub fn validate(&self) -> Result<()> {
        if self.hash != XXH3_64 {
            return Err(Error::Config(format!(
                "unknown feature hash {:?}",
                self.hash
            )));
        }
        if !(8..=28).contains(&self.bits) {
            return Err(Error::Config(format!(
                "hash bits {} not in 8..=28",
                self.bits
            )));
        }
        if self.ngram_min == 0 || self.ngram_min > self.ngram_max || self.ngram_max > 5 {
            return Err(Error::Config(format!(
                "n-gram range {}..={} must satisfy 1 <= min <= max <= 5",
                self.ngram_min, self.ngram_max
            )));
        }
        if self.min_df == 0 {
            return Err(Error::Config("min_df must be at least 1".into()));
        }
        Ok(())
    }

    fn mask(&self) -> u64 {
        (1u64 << self.bits) - 1
    }

    /// Calls `f(bucket, first, last)` for every n-gram of `hashes` (term
    /// hashes of one text), where `first..=last` are the n-gram's positions.
    pub fn for_each_ngram(&self, hashes: &[u64], mut f: impl FnMut(u32, usize, usize)) {
        let mask = self.mask();
        let mut bytes = [0u8; 40];
        for n in self.ngram_min as usize..=self.ngram_max as usize {
            if n == 1 {
                for (i, &h) in hashes.iter().enumerate() {
                    f((h & mask) as u32, i, i);
                }
                continue;
            }
            let seed = self.hash_seed.wrapping_add(n as u64 - 1);
            for i in 0..hashes.len().saturating_sub(n - 1) {
                for (k, h) in hashes[i..i + n].iter().enumerate() {
                    bytes[k * 8..k * 8 + 8].copy_from_slice(&h.to_le_bytes());
                }
                let h = xxh3_64_with_seed(&bytes[..n * 8], seed);
                f((h & mask) as u32, i, i + n - 1);
            }
        }
    }
}

/// Reusable per-thread state for turning texts into feature rows.
#[derive(Debug, Clone)]
pub struct FeatureScratch {
    /// Term cache of the analyzer.
    pub cache: TermCache,
    ids: Vec<u32>,
    hashes: Vec<u64>,
    buckets: Vec<u32>,
}

impl FeatureScratch {
    /// Scratch state for the given feature settings.
    pub fn new(config: &FeatureConfig) -> Self {
        FeatureScratch {
            cache: TermCache::new(config.hash_seed),
            ids: Vec::new(),
            hashes: Vec::new(),
            buckets: Vec::new(),
        }
    }

    /// Analyses `text` and returns its sorted `(bucket, count)` pairs in
    /// `out` (cleared first). The term ids of the text stay in
    /// [`FeatureScratch::term_ids`] until the next call.
    pub fn bucket_counts(
        &mut self,
        analyzer: &Analyzer,
        config: &FeatureConfig,
        text: &str,
        out: &mut Vec<(u32, u32)>,
    ) {
        self.bucket_counts_with(analyzer, config, text, out, |_, _, _| {});
    }

    /// [`FeatureScratch::bucket_counts`], also calling `on_ngram(bucket,
    /// first, last)` for every n-gram in text order (positions index
    /// [`FeatureScratch::term_ids`]).
    fn bucket_counts_with(
        &mut self,
        analyzer: &Analyzer,
        config: &FeatureConfig,
        text: &str,
        out: &mut Vec<(u32, u32)>,
        mut on_ngram: impl FnMut(u32, usize, usize),
    ) {
        self.ids.clear();
        analyzer.analyze(text, &mut self.cache, &mut self.ids);
        self.hashes.clear();
        self.hashes
            .extend(self.ids.iter().map(|&id| self.cache.term(id).hash));
        self.buckets.clear();
        config.for_each_ngram(&self.hashes, |b, first, last| {
            self.buckets.push(b);
            on_ngram(b, first, last);
        });
        self.buckets.sort_unstable();
        out.clear();
        for &b in &self.buckets {
            match out.last_mut() {
                Some((last, c)) if *last == b => *c += 1,
                _ => out.push((b, 1)),
            }
        }
    }

    /// Term ids of the last analysed text.
    pub fn term_ids(&self) -> &[u32] {
        &self.ids
    }
}

/// A fitted TF-IDF vectorizer over hashed n-grams.
#[derive(Debug, Clone, PartialEq)]
pub struct Vectorizer {
    config: FeatureConfig,
    /// Buckets kept in training, ascending: column `j` is bucket `buckets[j]`.
    buckets: Vec<u32>,
    idf: Vec<f32>,
    names: Vec<String>,
    /// bucket -> column. A map sized to the vocabulary stays in cache,
    /// where a table over all 2^bits buckets would miss on every lookup.
    column_of: rustc_hash::FxHashMap<u32, u32>,
}

impl Vectorizer {
    /// Rebuilds a vectorizer from its saved parts.
    pub fn from_parts(
        config: FeatureConfig,
        buckets: Vec<u32>,
        idf: Vec<f32>,
        names: Vec<String>,
    ) -> Result<Self> {
        config.validate()?;
        if buckets.len() != idf.len() || buckets.len() != names.len() {
            return Err(Error::Config(format!(
                "vectorizer parts disagree: {} buckets, {} idf values, {} names",
                buckets.len(),
                idf.len(),
                names.len()
            )));
        }
        let size = 1usize << config.bits;
        let mut column_of = rustc_hash::FxHashMap::default();
        column_of.reserve(buckets.len());
        let mut prev = None;
        for (j, &b) in buckets.iter().enumerate() {
            if b as usize >= size || prev.is_some_and(|p| p >= b) {
                return Err(Error::Config(format!(
                    "bucket {b} out of range or out of order"
                )));
            }
            if !idf[j].is_finite() || idf[j] <= 0.0 {
                return Err(Error::Config(format!("bad idf {} for bucket {b}", idf[j])));
            }
            prev = Some(b);
            column_of.insert(b, j as u32);
        }
        Ok(Vectorizer {
            config,
            buckets,
            idf,
            names,
            column_of,
        })
    }

    /// Fits document frequencies on `docs` (each a sorted list of
    /// `(bucket, count)`), with `names[bucket]` the n-gram seen first.
    pub fn fit(
        config: FeatureConfig,
        docs: &[Vec<(u32, u32)>],
        names: &std::collections::BTreeMap<u32, String>,
    ) -> Result<Self> {
        config.validate()?;
        let mut df = vec![0u32; 1usize << config.bits];
        for doc in docs {
            for &(b, _) in doc {
                df[b as usize] += 1;
            }
        }
        let n = docs.len() as f64;
        let mut buckets = Vec::new();
        let mut idf = Vec::new();
        let mut kept_names = Vec::new();
        for (b, &d) in df.iter().enumerate() {
            if d >= config.min_df && d > 0 {
                buckets.push(b as u32);
                idf.push((((1.0 + n) / (1.0 + d as f64)).ln() + 1.0) as f32);
                kept_names.push(names.get(&(b as u32)).cloned().unwrap_or_default());
            }
        }
        Vectorizer::from_parts(config, buckets, idf, kept_names)
    }

    /// The feature settings.
    pub fn config(&self) -> &FeatureConfig {
        &self.config
    }

    /// Number of columns (buckets kept in training).
    pub fn n_features(&self) -> usize {
        self.buckets.len()
    }

    /// Buckets of the columns, ascending.
    pub fn buckets(&self) -> &[u32] {
        &self.buckets
    }

    /// Inverse document frequency of each column.
    pub fn idf(&self) -> &[f32] {
        &self.idf
    }

    /// The n-gram (stemmed terms joined by spaces) behind each column.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The column of a bucket, if it was seen in training.
    #[inline]
    pub fn column(&self, bucket: u32) -> Option<usize> {
        self.column_of.get(&bucket).map(|&c| c as usize)
    }

    /// Turns `(bucket, count)` pairs into an L2-normalised TF-IDF row of
    /// `(column, value)`, ascending by column, in `out` (cleared first).
    pub fn transform_counts(&self, counts: &[(u32, u32)], out: &mut Vec<(u32, f32)>) {
        out.clear();
        let mut norm = 0f32;
        for &(b, c) in counts {
            if let Some(j) = self.column(b) {
                let tf = if self.config.sublinear_tf {
                    1.0 + (c as f32).ln()
                } else {
                    c as f32
                };
                let v = tf * self.idf[j];
                norm += v * v;
                out.push((j as u32, v));
            }
        }
        if norm > 0.0 {
            let inv = 1.0 / norm.sqrt();
            for (_, v) in out.iter_mut() {
                *v *= inv;
            }
        }
        // Buckets are sorted and columns follow bucket order.
    }

    /// Builds the CSR matrix of many documents' counts.
    pub fn transform_all(&self, docs: &[Vec<(u32, u32)>]) -> CsrMatrix {
        let mut m = CsrMatrix::with_columns(self.n_features());
        let mut row = Vec::new();
        for doc in docs {
            self.transform_counts(doc, &mut row);
            m.push_row(&row);
        }
        m
    }
}

/// Sorted `(bucket, count)` pairs of one text.
pub type BucketCounts = Vec<(u32, u32)>;

/// The first n-gram string seen in each bucket.
pub type NgramNames = std::collections::BTreeMap<u32, String>;

/// Bucket counts of many texts plus the first n-gram string seen in each
/// bucket; deterministic whatever the number of threads.
pub fn count_texts(
    analyzer: &Analyzer,
    config: &FeatureConfig,
    texts: &[&str],
) -> (Vec<BucketCounts>, NgramNames) {
    use rayon::prelude::*;
    const CHUNK: usize = 2048;
    let chunks: Vec<_> = texts
        .par_chunks(CHUNK)
        .map(|chunk| {
            let mut scratch = FeatureScratch::new(config);
            let mut names = std::collections::BTreeMap::new();
            // Buckets named so far in this chunk: only an n-gram whose bucket
            // is new is turned into a string.
            let mut named = vec![0u64; (1usize << config.bits).div_ceil(64)];
            let mut fresh = Vec::new();
            let mut docs = Vec::with_capacity(chunk.len());
            for text in chunk {
                let mut counts = Vec::new();
                scratch.bucket_counts_with(
                    analyzer,
                    config,
                    text,
                    &mut counts,
                    |b, first, last| {
                        let (word, bit) = (b as usize / 64, 1u64 << (b % 64));
                        if named[word] & bit == 0 {
                            named[word] |= bit;
                            fresh.push((b, first, last));
                        }
                    },
                );
                let ids = scratch.term_ids();
                for (b, first, last) in fresh.drain(..) {
                    let ngram: Vec<&str> = ids[first..=last]
                        .iter()
                        .map(|&i| scratch.cache.term(i).text.as_ref())
                        .collect();
                    names.insert(b, ngram.join(" "));
                }
                docs.push(counts);
            }
            (docs, names)
        })
        .collect();
    let mut all_docs = Vec::with_capacity(texts.len());
    let mut all_names = std::collections::BTreeMap::new();
    for (docs, names) in chunks {
        all_docs.extend(docs);
        for (b, n) in names {
            all_names.entry(b).or_insert(n);
        }
    }
    (all_docs, all_names)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyzer::AnalyzerConfig;

    #[test]
    fn ngram_hash_is_the_specified_one() {
        let config = FeatureConfig::default();
        let h1 = xxh3_64_with_seed(b"missil", config.hash_seed);
        let h2 = xxh3_64_with_seed(b"strike", config.hash_seed);
        let mut got = Vec::new();
        config.for_each_ngram(&[h1, h2], |b, s, e| got.push((b, s, e)));
        let mut bytes = h1.to_le_bytes().to_vec();
        bytes.extend(h2.to_le_bytes());
        let bigram = xxh3_64_with_seed(&bytes, config.hash_seed + 1);
        let mask = (1u64 << 20) - 1;
        assert_eq!(
            got,
            [
                ((h1 & mask) as u32, 0, 0),
                ((h2 & mask) as u32, 1, 1),
                ((bigram & mask) as u32, 0, 1)
            ]
        );
    }

    #[test]
    fn tfidf_rows_are_unit_length_and_drop_unseen_buckets() {
        let analyzer = Analyzer::new(AnalyzerConfig::default());
        let config = FeatureConfig {
            min_df: 1,
            ..FeatureConfig::default()
        };
        let (docs, names) = count_texts(&analyzer, &config, &["missile strike", "aid convoy"]);
        let v = Vectorizer::fit(config.clone(), &docs, &names).unwrap();
        assert_eq!(v.n_features(), 6);
        assert!(v.names().contains(&"missil strike".to_string()));
        let mut scratch = FeatureScratch::new(&config);
        let mut counts = Vec::new();
        scratch.bucket_counts(
            &analyzer,
            &config,
            "missile strike near a school",
            &mut counts,
        );
        let mut row = Vec::new();
        v.transform_counts(&counts, &mut row);
        assert_eq!(row.len(), 3);
        let norm: f32 = row.iter().map(|(_, x)| x * x).sum();
        assert!((norm - 1.0).abs() < 1e-5);
    }

    #[test]
    fn min_df_drops_rare_ngrams() {
        let analyzer = Analyzer::new(AnalyzerConfig::default());
        let config = FeatureConfig::default();
        let texts = ["missile strike", "missile attack", "aid convoy"];
        let (docs, names) = count_texts(&analyzer, &config, &texts);
        let v = Vectorizer::fit(config, &docs, &names).unwrap();
        assert_eq!(v.names(), ["missil"]);
    }

    #[test]
    fn invalid_configs_are_refused() {
        let bad = FeatureConfig {
            ngram_min: 3,
            ngram_max: 2,
            ..FeatureConfig::default()
        };
        assert!(bad.validate().is_err());
        let bad = FeatureConfig {
            hash: "ahash".into(),
            ..FeatureConfig::default()
        };
        assert!(bad.validate().is_err());
    }
}
