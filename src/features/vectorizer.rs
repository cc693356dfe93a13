//! Features: hashed word (and optionally character) n-grams with TF-IDF
//! weights and length normalisation.
//!
//! The feature id of an n-gram is specified so any implementation can
//! reproduce it:
//! - a term's hash is xxh3-64 of its UTF-8 bytes with seed `hash_seed`;
//! - an n-gram of n >= 2 terms hashes to xxh3-64 of the concatenated
//!   little-endian bytes of its terms' hashes, with seed `hash_seed + n - 1`;
//! - the bucket is the low `bits` bits of that hash.
//!
//! Optional character n-grams (`char_min..=char_max`, 0 for none) make
//! words the model never saw count through their pieces ("guarantor",
//! "reassured", misspellings, run-together words):
//! - each term is wrapped as `<term>` and every run of n Unicode scalar
//!   values of it, for n in `char_min..=char_max`, is one character n-gram;
//! - its hash is xxh3-64 of the n-gram's UTF-8 bytes with seed
//!   `hash_seed + 16 + n`;
//! - its bucket is the low `bits` bits of that hash plus `2^bits`, so word
//!   and character features never share a bucket.
//!
//! Word and character features are TF-IDF weighted together but
//! normalised as two blocks, so the many character n-grams of a sentence
//! do not drown its words (scikit-learn's `FeatureUnion` of two
//! `TfidfVectorizer`s does the same). Each block is divided by its L2 norm
//! raised to `norm_power` (1 = plain L2 normalisation).
//!
//! A fitted [`Vectorizer`] keeps the buckets seen in training (its columns),
//! their inverse document frequencies, and one n-gram string per column so
//! models can be explained. Buckets never seen in training are dropped, as
//! scikit-learn's `TfidfVectorizer` drops out-of-vocabulary terms.

use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_64_with_seed;

use crate::error::{Error, ModelError, Result};
use crate::features::sparse::{CountRows, CsrMatrix};

/// Settings of the feature layer; saved in every model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    /// Length normalisation: each block of a row is divided by its L2 norm
    /// raised to this power. 1 is plain L2 normalisation; the default 0.75
    /// lets a long sentence keep some of its extra evidence, where plain L2
    /// dilutes a frame stated in one clause of a long sentence (a pivoted
    /// length normalisation, as in Singhal et al., SIGIR 1996).
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub norm_power: f32,
    /// Shortest character n-gram of each term, 0 for none (default 0).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub char_min: u8,
    /// Longest character n-gram of each term, 0 for none (default 0).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub char_max: u8,
}

fn is_zero(v: &u8) -> bool {
    *v == 0
}

fn one() -> f32 {
    1.0
}

fn is_one(v: &f32) -> bool {
    *v == 1.0
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
            norm_power: 0.75,
            char_min: 0,
            char_max: 0,
        }
    }
}

impl FeatureConfig {
    /// Checks the settings, naming the first bad one.
    pub fn validate(&self) -> Result<()> {
        if self.hash != XXH3_64 {
            return Err(Error::config(
                "feature hash",
                &self.hash,
                format!("only {XXH3_64:?}"),
            ));
        }
        if !(8..=28).contains(&self.bits) {
            return Err(Error::config("hash bits", self.bits, "8 to 28"));
        }
        if self.ngram_min == 0 || self.ngram_min > self.ngram_max || self.ngram_max > 5 {
            return Err(Error::config(
                "n-gram range",
                format!("{}..={}", self.ngram_min, self.ngram_max),
                "1 <= min <= max <= 5",
            ));
        }
        if !(0.0..=1.0).contains(&self.norm_power) {
            return Err(Error::config("norm power", self.norm_power, "0 to 1"));
        }
        let chars_off = self.char_min == 0 && self.char_max == 0;
        if !chars_off && (self.char_min == 0 || self.char_min > self.char_max || self.char_max > 8)
        {
            return Err(Error::config(
                "character n-gram range",
                format!("{}..={}", self.char_min, self.char_max),
                "off (0..=0) or 1 <= min <= max <= 8",
            ));
        }
        if self.min_df == 0 {
            return Err(Error::config("min_df", self.min_df, "at least 1"));
        }
        Ok(())
    }

    fn mask(&self) -> u64 {
        (1u64 << self.bits) - 1
    }

    /// Whether character n-grams are on.
    pub fn has_chars(&self) -> bool {
        self.char_max > 0
    }

    /// Number of possible buckets: `2^bits` word buckets, and as many again
    /// for character n-grams when they are on.
    pub fn n_buckets(&self) -> usize {
        (1usize << self.bits) << usize::from(self.has_chars())
    }

    /// Whether `bucket` holds character n-grams.
    pub fn is_char_bucket(&self, bucket: u32) -> bool {
        bucket as u64 > self.mask()
    }

    /// Calls `f(bucket, ngram)` for every character n-gram of `term`.
    pub fn for_each_char_ngram(&self, term: &str, mut f: impl FnMut(u32, &str)) {
        if !self.has_chars() {
            return;
        }
        let mut wrapped = String::with_capacity(term.len() + 2);
        wrapped.push('<');
        wrapped.push_str(term);
        wrapped.push('>');
        // Byte offset of every char, plus the end.
        let bounds: Vec<usize> = wrapped
            .char_indices()
            .map(|(i, _)| i)
            .chain([wrapped.len()])
            .collect();
        let chars = bounds.len() - 1;
        let high = 1u64 << self.bits;
        for n in self.char_min as usize..=self.char_max as usize {
            let seed = self.hash_seed.wrapping_add(16 + n as u64);
            for i in 0..chars.saturating_sub(n - 1) {
                let gram = &wrapped[bounds[i]..bounds[i + n]];
                let h = xxh3_64_with_seed(gram.as_bytes(), seed);
                f(((h & self.mask()) | high) as u32, gram);
            }
        }
    }

    /// Calls `f(bucket, first, last)` for every n-gram of `hashes` (term
    /// hashes of one text), where `first..=last` are the n-gram's positions.
    pub fn for_each_ngram(&self, hashes: &[u64], f: impl FnMut(u32, usize, usize)) {
        self.for_each_ngram_from(self.ngram_min, hashes, f);
    }

    /// The bucket of a unigram: what [`FeatureConfig::for_each_ngram`] gives
    /// for a term with hash `hash`.
    #[inline]
    pub(crate) fn unigram_bucket(&self, hash: u64) -> u32 {
        (hash & self.mask()) as u32
    }

    /// [`FeatureConfig::for_each_ngram`] for the n-grams of `lowest` words
    /// and more only.
    pub(crate) fn for_each_ngram_from(
        &self,
        lowest: u8,
        hashes: &[u64],
        mut f: impl FnMut(u32, usize, usize),
    ) {
        let mask = self.mask();
        let mut bytes = [0u8; 40];
        for n in lowest.max(self.ngram_min) as usize..=self.ngram_max as usize {
            if n == 1 {
                for (i, &h) in hashes.iter().enumerate() {
                    f(self.unigram_bucket(h), i, i);
                }
                continue;
            }
            let seed = self.hash_seed.wrapping_add(n as u64 - 1);
            if n == 2 {
                // The common case with the length a constant, so the hash's
                // dispatch on length folds away: the same bytes, the same
                // bucket.
                for (i, pair) in hashes.windows(2).enumerate() {
                    let mut bytes = [0u8; 16];
                    bytes[..8].copy_from_slice(&pair[0].to_le_bytes());
                    bytes[8..].copy_from_slice(&pair[1].to_le_bytes());
                    f((xxh3_64_with_seed(&bytes, seed) & mask) as u32, i, i + 1);
                }
                continue;
            }
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

/// A fitted TF-IDF vectorizer over hashed n-grams.
#[derive(Debug, Clone, PartialEq)]
pub struct Vectorizer {
    config: FeatureConfig,
    /// Buckets kept in training, ascending: column `j` is bucket `buckets[j]`.
    buckets: Vec<u32>,
    idf: Vec<f32>,
    names: Vec<String>,
    /// bucket -> column, as a rank over a bitmap of the kept buckets.
    column_of: ColumnIndex,
    /// Columns of word n-grams; character n-gram columns come after them.
    word_columns: u32,
    /// `1 + ln(count)` for counts below 16 (see [`Vectorizer::tfidf`]).
    sublinear_tf_of: SublinearTf,
    /// Tells this vectorizer apart from others, for per-session caches.
    instance: Instance,
}

/// The sublinear term frequency `1 + ln(count)` of the counts below 16,
/// computed once with the same call as for larger counts, so a look-up
/// gives the same bits. Reading it in place of branching on count 1 (the
/// common count, where `ln` was skipped) saves that branch's
/// mispredictions, about two per news sentence. Derived from nothing, so
/// not part of equality.
#[derive(Debug, Clone)]
struct SublinearTf([f32; 16]);

impl SublinearTf {
    fn new() -> Self {
        SublinearTf(std::array::from_fn(|count| sublinear_tf(count as u32)))
    }
}

impl PartialEq for SublinearTf {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// `1 + ln(count)`, the one place of this arithmetic.
#[inline]
fn sublinear_tf(count: u32) -> f32 {
    1.0 + (count as f32).ln()
}

/// A number no other vectorizer built in this process has, so a session's
/// cache of columns knows whose columns it holds (an address could be
/// reused by the next vectorizer). Clones share it: they have the same
/// columns. Not part of equality, and never saved.
#[derive(Debug, Clone, Copy)]
struct Instance(u64);

impl Instance {
    fn new() -> Self {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        Instance(NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
    }
}

impl PartialEq for Instance {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// Bucket to column without hashing: one bit per possible bucket (kept or
/// not), and per 64 buckets the number of kept buckets before them; a
/// bucket's column is that count plus the kept buckets below it in its
/// word. Columns follow bucket order, so the rank *is* the column. 16 bytes
/// per 64 buckets (256 KiB for 2^20 buckets) stays in cache where a dense
/// table of columns (4 MiB) would not, and a lookup is one cache line, a
/// mask and a popcount, where the hash map it replaced hashed, probed and
/// compared.
#[derive(Debug, Clone, PartialEq)]
struct ColumnIndex {
    /// `(bits, kept buckets before this word)` per 64 buckets.
    words: Vec<(u64, u32)>,
}

impl ColumnIndex {
    /// The index of `buckets` (ascending, each below `size`).
    fn new(buckets: &[u32], size: usize) -> Self {
        let mut words = vec![(0u64, 0u32); size.div_ceil(64)];
        for &b in buckets {
            words[b as usize / 64].0 |= 1u64 << (b % 64);
        }
        let mut before = 0u32;
        for w in &mut words {
            w.1 = before;
            before += w.0.count_ones();
        }
        ColumnIndex { words }
    }

    /// The column of `bucket`, if it is kept.
    #[inline]
    fn get(&self, bucket: u32) -> Option<u32> {
        let (bits, before) = *self.words.get(bucket as usize / 64)?;
        let bit = 1u64 << (bucket % 64);
        (bits & bit != 0).then(|| before + (bits & (bit - 1)).count_ones())
    }

    /// Starts loading the entry of `bucket` (see [`crate::prefetch`]).
    #[inline]
    fn prefetch(&self, bucket: u32) {
        if let Some(w) = self.words.get(bucket as usize / 64) {
            crate::prefetch::prefetch(w);
        }
    }
}

impl Vectorizer {
    /// Rebuilds a vectorizer from its saved parts.
    pub fn from_parts(
        config: FeatureConfig,
        buckets: Vec<u32>,
        idf: Vec<f32>,
        names: Vec<String>,
    ) -> std::result::Result<Self, ModelError> {
        config
            .validate()
            .map_err(|e| ModelError::Corrupt(e.to_string()))?;
        if buckets.len() != idf.len() || buckets.len() != names.len() {
            return Err(ModelError::Corrupt(format!(
                "vectorizer parts disagree: {} buckets, {} idf values, {} names",
                buckets.len(),
                idf.len(),
                names.len()
            )));
        }
        let size = config.n_buckets();
        let mut prev = None;
        for (j, &b) in buckets.iter().enumerate() {
            if b as usize >= size || prev.is_some_and(|p| p >= b) {
                return Err(ModelError::Corrupt(format!(
                    "bucket {b} out of range or out of order"
                )));
            }
            if !idf[j].is_finite() || idf[j] <= 0.0 {
                return Err(ModelError::Corrupt(format!(
                    "bad idf {} for bucket {b}",
                    idf[j]
                )));
            }
            prev = Some(b);
        }
        let column_of = ColumnIndex::new(&buckets, size);
        let word_columns = buckets.partition_point(|&b| !config.is_char_bucket(b)) as u32;
        Ok(Vectorizer {
            config,
            buckets,
            idf,
            names,
            column_of,
            word_columns,
            sublinear_tf_of: SublinearTf::new(),
            instance: Instance::new(),
        })
    }

    /// This vectorizer's [`Instance`] number.
    pub(crate) fn instance(&self) -> u64 {
        self.instance.0
    }

    /// Fits document frequencies on `docs` (each a sorted list of
    /// `(bucket, count)`), with `names[bucket]` the n-gram seen first.
    pub fn fit(
        config: FeatureConfig,
        docs: &[Vec<(u32, u32)>],
        names: &std::collections::BTreeMap<u32, String>,
    ) -> Result<Self> {
        config.validate()?;
        let mut df = vec![0u32; config.n_buckets()];
        for doc in docs {
            for &(b, _) in doc {
                df[b as usize] += 1;
            }
        }
        Self::from_df(config, &df, docs.len(), names)
    }

    /// [`Vectorizer::fit`] on rows counted flat.
    pub(crate) fn fit_rows(
        config: FeatureConfig,
        rows: &CountRows,
        names: &std::collections::BTreeMap<u32, String>,
    ) -> Result<Self> {
        config.validate()?;
        let mut df = vec![0u32; config.n_buckets()];
        // A row's buckets are distinct, so each entry is one document.
        for &b in &rows.buckets {
            df[b as usize] += 1;
        }
        Self::from_df(config, &df, rows.n_rows(), names)
    }

    /// The columns and idf of document frequencies `df` over `docs`
    /// documents.
    fn from_df(
        config: FeatureConfig,
        df: &[u32],
        docs: usize,
        names: &std::collections::BTreeMap<u32, String>,
    ) -> Result<Self> {
        let n = docs as f64;
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
        // Fitted parts always agree; a failure here is a bug, not bad data.
        Vectorizer::from_parts(config, buckets, idf, kept_names)
            .map_err(|e| Error::Training(format!("inconsistent vectorizer: {e}")))
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
        self.column_of.get(bucket).map(|c| c as usize)
    }

    /// Turns `(bucket, count)` pairs into a TF-IDF row of `(column,
    /// value)`, ascending by column, in `out` (cleared first); the word and
    /// the character block are each divided by their L2 norm to the power
    /// `norm_power`.
    pub fn transform_counts(&self, counts: &[(u32, u32)], out: &mut Vec<(u32, f32)>) {
        // Off the scoring path (which counts by column already): the
        // columns go through a list of their own, so that one piece of code
        // makes every row.
        let columns: Vec<(u32, u32)> = counts
            .iter()
            .filter_map(|&(b, c)| self.column_of.get(b).map(|j| (j, c)))
            .collect();
        self.transform_column_counts(&columns, out);
    }

    /// [`Vectorizer::transform_counts`] for counts already keyed by column
    /// (ascending, as [`FeatureSession::column_counts`] gives them): the
    /// same arithmetic in the same order, so the same values to the bit.
    ///
    /// [`FeatureSession::column_counts`]: crate::features::FeatureSession::column_counts
    pub fn transform_column_counts(&self, counts: &[(u32, u32)], out: &mut Vec<(u32, f32)>) {
        // Columns follow bucket order, so the word block comes first. Each
        // block's norm is summed in a loop of its own (choosing the sum per
        // column put a conditional move between one addition and the next),
        // and each value is written in place (a push checked the capacity
        // and stored the length per column).
        out.clear();
        out.resize(counts.len(), (0, 0.0));
        let split = counts.partition_point(|&(j, _)| j < self.word_columns);
        let (words, chars) = counts.split_at(split);
        let (word_row, char_row) = out.split_at_mut(split);
        for (counts, row) in [(words, word_row), (chars, char_row)] {
            let mut norm = 0f32;
            for (&(j, c), slot) in counts.iter().zip(row.iter_mut()) {
                let v = self.tfidf(j, c);
                norm += v * v;
                *slot = (j, v);
            }
            if let Some(inv) = self.norm_factor(norm) {
                for (_, v) in row.iter_mut() {
                    *v *= inv;
                }
            }
        }
    }

    /// The column of `bucket` if it was seen in training (the hot-path
    /// form of [`Vectorizer::column`]).
    #[inline]
    pub(crate) fn column_of(&self, bucket: u32) -> Option<u32> {
        self.column_of.get(bucket)
    }

    /// Starts loading what [`Vectorizer::column_of`] reads for `bucket`.
    #[inline]
    pub(crate) fn prefetch_column(&self, bucket: u32) {
        self.column_of.prefetch(bucket);
    }

    /// Starts loading the idf of `column`.
    #[inline]
    pub(crate) fn prefetch_idf(&self, column: u32) {
        if let Some(idf) = self.idf.get(column as usize) {
            crate::prefetch::prefetch(idf);
        }
    }

    /// TF-IDF value of `count` in `column`, before the row's norm; the
    /// one place of this arithmetic for [`Vectorizer::transform_column_counts`] and
    /// [`Vectorizer::transform_rows`], so both give the same bits.
    #[inline]
    fn tfidf(&self, column: u32, count: u32) -> f32 {
        let tf = if self.config.sublinear_tf {
            // Most counts are small: their value is read, not computed.
            match self.sublinear_tf_of.0.get(count as usize) {
                Some(&tf) => tf,
                None => sublinear_tf(count),
            }
        } else {
            count as f32
        };
        tf * self.idf[column as usize]
    }

    /// What a block of a row is multiplied by, given its squared L2 norm
    /// (`None` for an empty block).
    #[inline]
    fn norm_factor(&self, squared_norm: f32) -> Option<f32> {
        (squared_norm > 0.0).then(|| 1.0 / squared_norm.powf(0.5 * self.config.norm_power))
    }

    /// The CSR matrix of counted rows, built in the rows' own memory:
    /// buckets become columns and counts values where they lie, unseen
    /// buckets are squeezed out. The same arithmetic in the same order as
    /// [`Vectorizer::transform_counts`] (both through
    /// [`Vectorizer::tfidf`]), so the same values to the bit.
    pub(crate) fn transform_rows(&self, rows: CountRows) -> CsrMatrix {
        let CountRows {
            mut indptr,
            buckets: mut indices,
            counts,
        } = rows;
        // Same size and alignment: the counts' allocation is reused. Counts
        // below 2^24 are exact in f32, and `transform_column_counts` converts them so.
        let mut values: Vec<f32> = counts.into_iter().map(|c| c as f32).collect();
        let mut w = 0;
        let mut start = 0;
        for i in 0..indptr.len() - 1 {
            let end = indptr[i + 1];
            let row_start = w;
            let mut norms = [0f32; 2];
            let mut split = 0;
            for r in start..end {
                let Some(j) = self.column_of.get(indices[r]) else {
                    continue;
                };
                // `values[r]` holds a count, exactly (see above).
                let v = self.tfidf(j, values[r] as u32);
                let block = usize::from(j >= self.word_columns);
                norms[block] += v * v;
                split += 1 - block;
                indices[w] = j;
                values[w] = v;
                w += 1;
            }
            let split = row_start + split;
            for (range, norm) in [(row_start..split, norms[0]), (split..w, norms[1])] {
                if let Some(inv) = self.norm_factor(norm) {
                    for v in &mut values[range] {
                        *v *= inv;
                    }
                }
            }
            start = end;
            indptr[i + 1] = w;
        }
        indices.truncate(w);
        values.truncate(w);
        CsrMatrix::from_parts(self.n_features(), indptr, indices, values)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sublinear_tf_of_small_counts_is_read_with_the_same_bits() {
        // Counts below 16 read the table, larger ones call `ln`: both give
        // the bits of `1 + ln(count)` computed as scoring always did.
        let config = FeatureConfig {
            sublinear_tf: true,
            ..FeatureConfig::default()
        };
        let v = Vectorizer::from_parts(config, vec![3], vec![1.0], vec!["x".into()]).unwrap();
        for count in 1..40u32 {
            let expected = 1.0f32 + (count as f32).ln();
            assert_eq!(v.tfidf(0, count).to_bits(), expected.to_bits(), "{count}");
        }
        assert_eq!(v.tfidf(0, 1), 1.0);
    }
    use crate::features::featurizer::Featurizer;
    use crate::text::analyzer::AnalyzerConfig;

    fn featurizer(config: &FeatureConfig) -> Featurizer {
        Featurizer::new(AnalyzerConfig::default(), config.clone()).unwrap()
    }

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

    proptest::proptest! {
        #[test]
        fn column_index_is_the_rank_of_kept_buckets(
            kept in proptest::collection::btree_set(0u32..4096, 0..600),
            probes in proptest::collection::vec(0u32..4200, 50),
        ) {
            let buckets: Vec<u32> = kept.iter().copied().collect();
            let index = ColumnIndex::new(&buckets, 4096);
            for b in probes.into_iter().chain(buckets.iter().copied()) {
                let want = buckets.binary_search(&b).ok().map(|j| j as u32);
                proptest::prop_assert_eq!(index.get(b), want);
            }
        }

        #[test]
        fn column_counts_equal_bucket_counts_mapped_to_columns(
            texts in proptest::collection::vec("[a-e ]{0,30}", 1..12),
            chars in proptest::bool::ANY,
        ) {
            let config = FeatureConfig {
                bits: 10,
                min_df: 2,
                char_min: if chars { 2 } else { 0 },
                char_max: if chars { 3 } else { 0 },
                ..FeatureConfig::default()
            };
            let f = featurizer(&config);
            let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
            let (docs, names) = f.count_texts(&refs);
            let v = Vectorizer::fit(config, &docs, &names).unwrap();
            let mut session = f.session();
            let (mut buckets, mut columns) = (Vec::new(), Vec::new());
            let (mut old_row, mut new_row) = (Vec::new(), Vec::new());
            for text in refs.iter().chain(["a b c d e ab cd", "zz"].iter()) {
                session.bucket_counts(text, &mut buckets);
                session.column_counts(&v, text, &mut columns);
                let mapped: Vec<(u32, u32)> = buckets
                    .iter()
                    .filter_map(|&(b, c)| v.column(b).map(|j| (j as u32, c)))
                    .collect();
                proptest::prop_assert_eq!(&columns, &mapped);
                v.transform_counts(&buckets, &mut old_row);
                v.transform_column_counts(&columns, &mut new_row);
                let bits = |r: &[(u32, f32)]| r.iter().map(|&(j, x)| (j, x.to_bits())).collect::<Vec<_>>();
                proptest::prop_assert_eq!(bits(&old_row), bits(&new_row));
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn rows_transformed_in_place_equal_rows_transformed_one_by_one(
            texts in proptest::collection::vec("[a-e ]{0,30}", 1..12),
            chars in proptest::bool::ANY,
            min_df in 1u32..3,
            sublinear_tf in proptest::bool::ANY,
        ) {
            let config = FeatureConfig {
                bits: 10,
                min_df,
                sublinear_tf,
                char_min: if chars { 2 } else { 0 },
                char_max: if chars { 3 } else { 0 },
                ..FeatureConfig::default()
            };
            let f = featurizer(&config);
            let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
            let (docs, names) = f.count_texts(&refs);
            let (rows, flat_names) = f.count_rows(&refs);
            proptest::prop_assert_eq!(&names, &flat_names);
            let v = Vectorizer::fit(config.clone(), &docs, &names).unwrap();
            let flat = Vectorizer::fit_rows(config, &rows, &names).unwrap();
            proptest::prop_assert_eq!(v.buckets(), flat.buckets());
            proptest::prop_assert_eq!(v.idf(), flat.idf());
            let (a, b) = (v.transform_all(&docs), flat.transform_rows(rows));
            proptest::prop_assert_eq!(a.n_rows(), b.n_rows());
            for i in 0..a.n_rows() {
                let bits = |(c, x): (&[u32], &[f32])| (c.to_vec(), x.iter().map(|x| x.to_bits()).collect::<Vec<_>>());
                proptest::prop_assert_eq!(bits(a.row(i)), bits(b.row(i)));
            }
        }
    }

    #[test]
    fn tfidf_rows_are_unit_length_and_drop_unseen_buckets() {
        let config = FeatureConfig {
            min_df: 1,
            norm_power: 1.0,
            ..FeatureConfig::default()
        };
        let (docs, names) = featurizer(&config).count_texts(&["missile strike", "aid convoy"]);
        let v = Vectorizer::fit(config.clone(), &docs, &names).unwrap();
        assert_eq!(v.n_features(), 6);
        assert!(v.names().contains(&"missil strike".to_string()));
        let f = featurizer(&config);
        let mut counts = Vec::new();
        f.session()
            .bucket_counts("missile strike near a school", &mut counts);
        let mut row = Vec::new();
        v.transform_counts(&counts, &mut row);
        assert_eq!(row.len(), 3);
        let norm: f32 = row.iter().map(|(_, x)| x * x).sum();
        assert!((norm - 1.0).abs() < 1e-5);
    }

    #[test]
    fn min_df_drops_rare_ngrams() {
        let config = FeatureConfig::default();
        let texts = ["missile strike", "missile attack", "aid convoy"];
        let (docs, names) = featurizer(&config).count_texts(&texts);
        let v = Vectorizer::fit(config, &docs, &names).unwrap();
        assert_eq!(v.names(), ["missil"]);
    }

    #[test]
    fn norm_power_scales_rows_by_a_power_of_their_norm() {
        let texts = ["missile strike on the port", "aid convoy"];
        let mut rows = Vec::new();
        for norm_power in [1.0, 0.75, 0.0] {
            let config = FeatureConfig {
                min_df: 1,
                norm_power,
                ..FeatureConfig::default()
            };
            let (docs, names) = featurizer(&config).count_texts(&texts);
            let v = Vectorizer::fit(config, &docs, &names).unwrap();
            let mut row = Vec::new();
            v.transform_counts(&docs[0], &mut row);
            rows.push(row);
        }
        let norm = |r: &[(u32, f32)]| r.iter().map(|(_, x)| x * x).sum::<f32>().sqrt();
        let raw = norm(&rows[2]);
        assert!(raw > 1.0);
        assert!((norm(&rows[0]) - 1.0).abs() < 1e-5);
        assert!((norm(&rows[1]) - raw.powf(0.25)).abs() < 1e-4);
        // Same direction whatever the power.
        for ((j0, x0), (j1, x1)) in rows[0].iter().zip(&rows[1]) {
            assert_eq!(j0, j1);
            assert!((x1 / x0 - raw.powf(0.25)).abs() < 1e-4);
        }
    }

    #[test]
    fn char_ngrams_follow_the_specification() {
        let config = FeatureConfig {
            char_min: 2,
            char_max: 3,
            ..FeatureConfig::default()
        };
        let mut got = Vec::new();
        config.for_each_char_ngram("aé", |b, g| got.push((b, g.to_string())));
        let grams = ["<a", "aé", "é>", "<aé", "aé>"];
        assert_eq!(got.len(), grams.len());
        for ((b, g), want) in got.iter().zip(grams) {
            assert_eq!(g, want);
            let n = want.chars().count() as u64;
            let h = xxh3_64_with_seed(want.as_bytes(), config.hash_seed + 16 + n);
            assert_eq!(*b as u64, (h & ((1 << 20) - 1)) | (1 << 20));
            assert!(config.is_char_bucket(*b));
        }
        let mut none = 0;
        FeatureConfig::default().for_each_char_ngram("aé", |_, _| none += 1);
        assert_eq!(none, 0);
    }

    #[test]
    fn char_ngrams_are_named_counted_and_normalised_as_their_own_block() {
        let config = FeatureConfig {
            min_df: 1,
            norm_power: 1.0,
            char_min: 3,
            char_max: 4,
            ..FeatureConfig::default()
        };
        let texts = ["missile strikes", "missile attack"];
        let (docs, names) = featurizer(&config).count_texts(&texts);
        let v = Vectorizer::fit(config.clone(), &docs, &names).unwrap();
        assert!(v.names().contains(&"<mis".to_string()));
        assert!(v.names().contains(&"missil".to_string()));
        // "<mi" occurs once per text however often the word repeats.
        let f = featurizer(&config);
        let mut counts = Vec::new();
        f.session().bucket_counts("missile missile", &mut counts);
        let mut bucket = None;
        config.for_each_char_ngram("missil", |b, g| {
            if g == "<mi" {
                bucket = Some(b)
            }
        });
        let count = counts.iter().find(|(b, _)| Some(*b) == bucket).unwrap().1;
        assert_eq!(count, 2);
        let mut row = Vec::new();
        v.transform_counts(&docs[0], &mut row);
        let (mut words, mut chars) = (0f32, 0f32);
        for &(j, x) in &row {
            if config.is_char_bucket(v.buckets()[j as usize]) {
                chars += x * x;
            } else {
                words += x * x;
            }
        }
        assert!((words - 1.0).abs() < 1e-5 && (chars - 1.0).abs() < 1e-5);
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
        for (char_min, char_max) in [(0, 3), (4, 3), (2, 9)] {
            let bad = FeatureConfig {
                char_min,
                char_max,
                ..FeatureConfig::default()
            };
            assert!(bad.validate().is_err(), "{char_min}..={char_max}");
        }
        let bad = FeatureConfig {
            norm_power: 1.5,
            ..FeatureConfig::default()
        };
        assert!(bad.validate().is_err());
    }
}
