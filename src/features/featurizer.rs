//! Texts to hashed n-gram counts: a [`Featurizer`] binds an analyzer to
//! feature settings, and hands out one [`FeatureSession`] per thread, so
//! features can only be computed with the settings they belong to.

use crate::error::Result;
use crate::features::column_tally::{self, ColumnTally};
use crate::features::sparse::CountRows;
use crate::features::vectorizer::{FeatureConfig, Vectorizer};
use crate::text::analyzer::{Analyzer, AnalyzerConfig, TermCache};

/// An analyzer bound to feature settings: texts to sorted `(bucket, count)`
/// pairs. Cheap to share between threads; each thread takes a
/// [`FeatureSession`].
///
/// ```
/// use frametag::features::{FeatureConfig, Featurizer};
/// use frametag::AnalyzerConfig;
///
/// let featurizer = Featurizer::new(AnalyzerConfig::default(), FeatureConfig::default())?;
/// let mut session = featurizer.session();
/// let mut counts = Vec::new();
/// session.bucket_counts("Missiles struck the port; missiles fell again.", &mut counts);
/// // Two unigrams repeat ("missil"), so some bucket counts 2.
/// assert!(counts.iter().any(|&(_, n)| n == 2));
/// # Ok::<(), frametag::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Featurizer {
    analyzer: Analyzer,
    config: FeatureConfig,
}

impl Featurizer {
    /// Binds analyzer settings to feature settings (checked).
    pub fn new(analyzer: AnalyzerConfig, config: FeatureConfig) -> Result<Self> {
        config.validate()?;
        Ok(Featurizer {
            analyzer: Analyzer::new(analyzer),
            config,
        })
    }

    /// The same, for settings already checked (a loaded model's).
    pub(crate) fn from_checked(analyzer: Analyzer, config: FeatureConfig) -> Self {
        Featurizer { analyzer, config }
    }

    /// The analyzer.
    pub fn analyzer(&self) -> &Analyzer {
        &self.analyzer
    }

    /// The feature settings.
    pub fn config(&self) -> &FeatureConfig {
        &self.config
    }

    /// Per-thread state: a term cache and buffers.
    pub fn session(&self) -> FeatureSession<'_> {
        FeatureSession {
            featurizer: self,
            scratch: FeatureScratch::new(&self.config),
        }
    }

    /// Bucket counts of many texts plus the first n-gram string seen in
    /// each bucket; deterministic whatever the number of threads.
    pub(crate) fn count_rows(&self, texts: &[&str]) -> (CountRows, NgramNames) {
        count_rows(&self.analyzer, &self.config, texts)
    }

    /// [`Featurizer::count_rows`] with a `Vec` per text.
    #[cfg(test)]
    pub(crate) fn count_texts(&self, texts: &[&str]) -> (Vec<BucketCounts>, NgramNames) {
        let (rows, names) = self.count_rows(texts);
        ((0..rows.n_rows()).map(|i| rows.row(i)).collect(), names)
    }
}

/// One thread's use of a [`Featurizer`]: its term cache (each distinct word
/// is stemmed once) and buffers.
#[derive(Debug, Clone)]
pub struct FeatureSession<'f> {
    featurizer: &'f Featurizer,
    scratch: FeatureScratch,
}

impl FeatureSession<'_> {
    /// Analyses `text` into its sorted `(bucket, count)` pairs in `out`
    /// (cleared first).
    pub fn bucket_counts(&mut self, text: &str, out: &mut Vec<(u32, u32)>) {
        let f = self.featurizer;
        self.scratch
            .bucket_counts(&f.analyzer, &f.config, text, out);
    }

    /// Analyses `text` into sorted `(column, count)` pairs of `vectorizer`'s
    /// columns in `out` (cleared first), dropping buckets it never saw:
    /// what [`Vectorizer::transform_column_counts`] takes. The same as
    /// mapping [`FeatureSession::bucket_counts`] through
    /// [`Vectorizer::column`], without sorting or counting the dropped
    /// buckets. `vectorizer` must have this featurizer's settings.
    pub fn column_counts(
        &mut self,
        vectorizer: &Vectorizer,
        text: &str,
        out: &mut Vec<(u32, u32)>,
    ) {
        debug_assert_eq!(vectorizer.config(), &self.featurizer.config);
        self.scratch
            .column_counts(&self.featurizer.analyzer, vectorizer, text, out);
    }

    /// Analyses `text` into term ids (ids of this session's cache: equal
    /// words get equal ids until the cache is trimmed).
    pub fn term_ids(&mut self, text: &str) -> &[u32] {
        self.scratch.ids.clear();
        self.featurizer
            .analyzer
            .analyze(text, &mut self.scratch.cache, &mut self.scratch.ids);
        &self.scratch.ids
    }

    /// Empties the term cache when it has grown past its limit; call between
    /// documents on long streams to keep memory flat.
    pub fn trim_cache(&mut self) {
        self.scratch.cache.reset_if_full();
    }

    /// Sorts columns for models of more than `limit` columns, in place of
    /// [`column_tally::MAX_COLUMNS`] (tests of both paths).
    #[cfg(test)]
    pub(crate) fn with_tally_limit(mut self, limit: usize) -> Self {
        self.scratch.tally_limit = limit;
        self.scratch.tally_owner = None;
        self
    }

    /// Caps the term cache (tests of the reset path).
    #[cfg(test)]
    pub(crate) fn with_cache_limit(mut self, limit: usize) -> Self {
        self.scratch.cache = TermCache::new(self.featurizer.config.hash_seed).with_limit(limit);
        self
    }
}

/// Where a feature came from, for naming buckets.
#[derive(Debug, Clone, Copy)]
enum Gram {
    /// Word n-gram over term positions `first..=last`.
    Words { first: usize, last: usize },
    /// The `index`-th character n-gram of the term at position `pos`.
    Chars { pos: usize, index: u32 },
}

/// Reusable per-thread state for turning texts into feature rows.
#[derive(Debug, Clone)]
pub(crate) struct FeatureScratch {
    /// Term cache of the analyzer.
    pub(crate) cache: TermCache,
    ids: Vec<u32>,
    hashes: Vec<u64>,
    /// Word n-gram buckets of the text, before `key`.
    raw: Vec<u32>,
    buckets: Vec<u32>,
    /// Character n-gram buckets of every term id seen so far, computed once
    /// per term: `char_spans[id]` is `(start, len)` in `char_buckets`.
    char_spans: Vec<(u32, u32)>,
    char_buckets: Vec<u32>,
    /// Term-cache generation the spans belong to.
    char_generation: u64,
    /// The column of every term id's unigram ([`NO_COLUMN`] where the
    /// vectorizer dropped it), filled as ids appear, for the vectorizer
    /// and term-cache generation in `unigram_owner`.
    unigram_columns: Vec<u32>,
    unigram_owner: Option<(u64, u64)>,
    /// Counts the columns of the vectorizer `tally_owner` when it has at
    /// most `tally_limit` (else they are sorted).
    tally: Option<ColumnTally>,
    tally_owner: Option<u64>,
    tally_limit: usize,
}

/// A unigram the vectorizer does not keep.
const NO_COLUMN: u32 = u32::MAX;

impl FeatureScratch {
    /// Scratch state for the given feature settings.
    pub(crate) fn new(config: &FeatureConfig) -> Self {
        FeatureScratch {
            cache: TermCache::new(config.hash_seed),
            ids: Vec::new(),
            hashes: Vec::new(),
            raw: Vec::new(),
            buckets: Vec::new(),
            char_spans: Vec::new(),
            char_buckets: Vec::new(),
            char_generation: 0,
            unigram_columns: Vec::new(),
            unigram_owner: None,
            tally: None,
            tally_owner: None,
            tally_limit: column_tally::MAX_COLUMNS,
        }
    }

    /// Analyses `text` and returns its sorted `(bucket, count)` pairs in
    /// `out` (cleared first). The term ids of the text stay in
    /// [`FeatureScratch::term_ids`] until the next call.
    pub(crate) fn bucket_counts(
        &mut self,
        analyzer: &Analyzer,
        config: &FeatureConfig,
        text: &str,
        out: &mut Vec<(u32, u32)>,
    ) {
        self.bucket_counts_with(analyzer, config, text, out, Some, |_| {}, |_, _| {});
    }

    /// Analyses `text` into sorted `(column, count)` pairs of the
    /// vectorizer's columns in `out` (cleared first): buckets the
    /// vectorizer does not keep are dropped before counting, and no bucket
    /// is looked up twice. With unigrams on and a model of at most
    /// [`column_tally::MAX_COLUMNS`] columns, they are counted in a
    /// [`ColumnTally`] rather than sorted.
    pub(crate) fn column_counts(
        &mut self,
        analyzer: &Analyzer,
        vectorizer: &Vectorizer,
        text: &str,
        out: &mut Vec<(u32, u32)>,
    ) {
        if vectorizer.config().ngram_min == 1 {
            self.column_counts_kept_unigrams(analyzer, vectorizer, text, out);
        } else {
            self.bucket_counts_with(
                analyzer,
                vectorizer.config(),
                text,
                out,
                |b| vectorizer.column_of(b),
                |b| vectorizer.prefetch_column(b),
                |_, _| {},
            );
        }
    }

    /// [`FeatureScratch::column_counts`] where unigrams are counted. A
    /// unigram's column depends on its term alone, so it is looked up once
    /// per term and kept by term id: a word costs one load from a small
    /// dense array where it cost a hash, a prefetch and a column lookup.
    /// Only the longer n-grams are hashed and looked up per occurrence.
    fn column_counts_kept_unigrams(
        &mut self,
        analyzer: &Analyzer,
        vectorizer: &Vectorizer,
        text: &str,
        out: &mut Vec<(u32, u32)>,
    ) {
        let config = vectorizer.config();
        self.analyze(analyzer, text);
        let owner = Some((vectorizer.instance(), self.cache.generation()));
        if self.unigram_owner != owner {
            self.unigram_columns.clear();
            self.unigram_owner = owner;
        }
        if self.tally_owner != Some(vectorizer.instance()) {
            let n = vectorizer.n_features();
            self.tally = (n <= self.tally_limit)
                .then(|| ColumnTally::for_columns(n))
                .flatten();
            self.tally_owner = Some(vectorizer.instance());
        }
        self.raw.clear();
        config.for_each_ngram_from(2, &self.hashes, |b, _, _| {
            vectorizer.prefetch_column(b);
            self.raw.push(b);
        });
        self.buckets.clear();
        self.push_char_grams(config, |b| vectorizer.column_of(b), |_, _| {});
        let FeatureScratch {
            cache,
            ids,
            raw,
            buckets,
            unigram_columns,
            tally,
            ..
        } = self;
        let cached = (&*cache, &ids[..], unigram_columns);
        match tally {
            // Added straight to the tally: no list of columns to sort.
            Some(tally) => {
                let mut adder = tally.adder(ids.len() + raw.len() + buckets.len());
                for_each_kept_column(cached, raw, vectorizer, |c| adder.add(c));
                for &c in buckets.iter() {
                    adder.add(c);
                }
                adder.drain_sorted(out);
            }
            None => {
                for_each_kept_column(cached, raw, vectorizer, |c| buckets.push(c));
                self.count_sorted(out);
            }
        }
    }

    /// [`FeatureScratch::bucket_counts`] with every bucket passed through
    /// `key` (a monotone map: `None` drops the bucket), also calling
    /// `on_gram(bucket, gram)` for every feature in text order (positions
    /// index [`FeatureScratch::term_ids`]). Word n-gram buckets are all
    /// computed, and handed to `prefetch`, before `key` sees the first:
    /// lookups that miss the caches then overlap.
    #[allow(clippy::too_many_arguments)]
    fn bucket_counts_with(
        &mut self,
        analyzer: &Analyzer,
        config: &FeatureConfig,
        text: &str,
        out: &mut Vec<(u32, u32)>,
        key: impl Fn(u32) -> Option<u32>,
        prefetch: impl Fn(u32),
        mut on_gram: impl FnMut(u32, Gram),
    ) {
        self.analyze(analyzer, text);
        self.raw.clear();
        config.for_each_ngram(&self.hashes, |b, first, last| {
            prefetch(b);
            self.raw.push(b);
            on_gram(b, Gram::Words { first, last });
        });
        self.buckets.clear();
        self.buckets.extend(self.raw.iter().filter_map(|&b| key(b)));
        self.push_char_grams(config, key, on_gram);
        self.count_sorted(out);
    }

    /// Term ids and hashes of `text`'s words into `ids` and `hashes`.
    fn analyze(&mut self, analyzer: &Analyzer, text: &str) {
        self.ids.clear();
        self.hashes.clear();
        analyzer.analyze_hashed(text, &mut self.cache, &mut self.ids, &mut self.hashes);
    }

    /// Appends the character n-gram buckets of the analysed words, passed
    /// through `key`, to `buckets` (and each to `on_gram`), when the
    /// settings have them.
    fn push_char_grams(
        &mut self,
        config: &FeatureConfig,
        key: impl Fn(u32) -> Option<u32>,
        mut on_gram: impl FnMut(u32, Gram),
    ) {
        if config.has_chars() {
            if self.char_generation != self.cache.generation() {
                self.char_spans.clear();
                self.char_buckets.clear();
                self.char_generation = self.cache.generation();
            }
            for (pos, &id) in self.ids.iter().enumerate() {
                while self.char_spans.len() <= id as usize {
                    let term = self.cache.term(self.char_spans.len() as u32);
                    let start = self.char_buckets.len() as u32;
                    config.for_each_char_ngram(&term.text, |b, _| self.char_buckets.push(b));
                    self.char_spans
                        .push((start, self.char_buckets.len() as u32 - start));
                }
                let (start, len) = self.char_spans[id as usize];
                let grams = &self.char_buckets[start as usize..(start + len) as usize];
                self.buckets.extend(grams.iter().filter_map(|&b| key(b)));
                for (index, &b) in grams.iter().enumerate() {
                    on_gram(
                        b,
                        Gram::Chars {
                            pos,
                            index: index as u32,
                        },
                    );
                }
            }
        }
    }

    /// Sorts `buckets` into `(bucket, count)` pairs in `out` (cleared
    /// first).
    fn count_sorted(&mut self, out: &mut Vec<(u32, u32)>) {
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
    pub(crate) fn term_ids(&self) -> &[u32] {
        &self.ids
    }
}

/// Calls `add` with the column of every kept unigram of the term ids
/// `cached.1`, in text order, then of every bucket of `raw` the vectorizer
/// keeps. `cached.2` holds the unigram column of each term id of the cache
/// `cached.0` ([`NO_COLUMN`] if dropped) and is filled as new ids appear,
/// in a loop of its own: a loop that may grow a vector keeps its values on
/// the stack, and the loop that adds is the hot one.
fn for_each_kept_column(
    cached: (&TermCache, &[u32], &mut Vec<u32>),
    raw: &[u32],
    vectorizer: &Vectorizer,
    mut add: impl FnMut(u32),
) {
    let (cache, ids, unigram_columns) = cached;
    let config = vectorizer.config();
    for &id in ids {
        while unigram_columns.len() <= id as usize {
            let bucket = config.unigram_bucket(cache.hash(unigram_columns.len() as u32));
            unigram_columns.push(vectorizer.column_of(bucket).unwrap_or(NO_COLUMN));
        }
    }
    let unigram_columns = &unigram_columns[..];
    for &id in ids {
        let column = unigram_columns[id as usize];
        if column != NO_COLUMN {
            add(column);
        }
    }
    for &b in raw {
        if let Some(column) = vectorizer.column_of(b) {
            add(column);
        }
    }
}

/// Sorted `(bucket, count)` pairs of one text.
#[cfg(test)]
pub(crate) type BucketCounts = Vec<(u32, u32)>;

/// The first n-gram string seen in each bucket.
pub(crate) type NgramNames = std::collections::BTreeMap<u32, String>;

/// Bucket counts of many texts plus the first n-gram string seen in each
/// bucket; deterministic whatever the number of threads.
pub(crate) fn count_rows(
    analyzer: &Analyzer,
    config: &FeatureConfig,
    texts: &[&str],
) -> (CountRows, NgramNames) {
    use rayon::prelude::*;
    const CHUNK: usize = 2048;
    // Chunks are counted in parallel a batch at a time and merged in
    // order, so only one batch's chunk results (counts with growth slack,
    // names) are held beside the rows merged so far: on a million rows all
    // chunks at once took 1.5 GB where the counts need 0.35 GB.
    const BATCH: usize = 32 * CHUNK;
    let mut all_docs = CountRows::default();
    let mut all_names = std::collections::BTreeMap::new();
    for batch in texts.chunks(BATCH) {
        let chunks: Vec<_> = batch
            .par_chunks(CHUNK)
            .map(|chunk| {
                let mut scratch = FeatureScratch::new(config);
                let mut names = std::collections::BTreeMap::new();
                // Buckets named so far in this chunk: only an n-gram whose bucket
                // is new is turned into a string.
                let mut named = vec![0u64; config.n_buckets().div_ceil(64)];
                let mut fresh = Vec::new();
                let mut docs = CountRows::default();
                let mut counts = Vec::new();
                for text in chunk {
                    scratch.bucket_counts_with(
                        analyzer,
                        config,
                        text,
                        &mut counts,
                        Some,
                        |_| {},
                        |b, gram| {
                            let (word, bit) = (b as usize / 64, 1u64 << (b % 64));
                            if named[word] & bit == 0 {
                                named[word] |= bit;
                                fresh.push((b, gram));
                            }
                        },
                    );
                    let ids = scratch.term_ids();
                    for (b, gram) in fresh.drain(..) {
                        let name = match gram {
                            Gram::Words { first, last } => {
                                let ngram: Vec<&str> = ids[first..=last]
                                    .iter()
                                    .map(|&i| scratch.cache.term(i).text.as_ref())
                                    .collect();
                                ngram.join(" ")
                            }
                            Gram::Chars { pos, index } => {
                                let term = &scratch.cache.term(ids[pos]).text;
                                let mut name = String::new();
                                let mut k = 0;
                                config.for_each_char_ngram(term, |_, g| {
                                    if k == index {
                                        name = g.to_string();
                                    }
                                    k += 1;
                                });
                                name
                            }
                        };
                        names.insert(b, name);
                    }
                    docs.push_row(&counts);
                }
                (docs, names)
            })
            .collect();
        for (docs, names) in chunks {
            all_docs.append(docs);
            for (b, n) in names {
                all_names.entry(b).or_insert(n);
            }
        }
    }
    (all_docs, all_names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unigram_columns_follow_the_vectorizer_and_cache_resets() {
        // One session, two vectorizers with different columns, and a term
        // cache that resets after every text: the kept unigram columns must
        // never leak from one vectorizer or one cache generation to another.
        let config = FeatureConfig {
            min_df: 1,
            ..FeatureConfig::default()
        };
        let f = Featurizer::new(AnalyzerConfig::default(), config.clone()).unwrap();
        let fit = |texts: &[&str]| {
            let (docs, names) = f.count_texts(texts);
            Vectorizer::fit(config.clone(), &docs, &names).unwrap()
        };
        let a = fit(&["missile strike on the port", "aid convoy reached the city"]);
        let b = fit(&["talks on security guarantees", "the city blamed the port"]);
        let texts = [
            "the port and the city",
            "missile strike, aid convoy",
            "security guarantees for the city",
        ];
        for (limit, alternate) in [(1, true), (1, false), (1000, true)] {
            let mut session = f.session().with_cache_limit(limit);
            let (mut buckets, mut columns) = (Vec::new(), Vec::new());
            for round in 0..3 {
                for (i, text) in texts.iter().enumerate() {
                    let v = if alternate && (i + round) % 2 == 1 {
                        &b
                    } else {
                        &a
                    };
                    session.column_counts(v, text, &mut columns);
                    session.bucket_counts(text, &mut buckets);
                    let mapped: Vec<(u32, u32)> = buckets
                        .iter()
                        .filter_map(|&(bucket, c)| v.column(bucket).map(|j| (j as u32, c)))
                        .collect();
                    assert_eq!(columns, mapped, "{text:?}, limit {limit}");
                    session.trim_cache();
                }
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn tally_and_sort_give_the_same_column_counts(
            texts in proptest::collection::vec("[a-f ]{0,60}", 1..12),
            chars in proptest::bool::ANY,
            ngram_max in 1u8..4,
        ) {
            let config = FeatureConfig {
                bits: 10,
                min_df: 1,
                ngram_max,
                char_min: if chars { 2 } else { 0 },
                char_max: if chars { 3 } else { 0 },
                ..FeatureConfig::default()
            };
            let f = Featurizer::new(AnalyzerConfig::default(), config.clone()).unwrap();
            let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
            let (docs, names) = f.count_texts(&refs);
            let v = Vectorizer::fit(config, &docs, &names).unwrap();
            let mut tallied = f.session();
            let mut sorted = f.session().with_tally_limit(0);
            let (mut a, mut b) = (Vec::new(), Vec::new());
            for text in refs.iter().chain(["a a a b a b c", "", "f e d c b a a"].iter()) {
                tallied.column_counts(&v, text, &mut a);
                sorted.column_counts(&v, text, &mut b);
                proptest::prop_assert_eq!(&a, &b, "{:?}", text);
            }
        }
    }

    #[test]
    fn term_cache_resets_rebuild_char_ngrams() {
        let config = FeatureConfig {
            char_min: 3,
            char_max: 3,
            ..FeatureConfig::default()
        };
        let f = Featurizer::new(AnalyzerConfig::default(), config).unwrap();
        let mut session = f.session().with_cache_limit(1);
        let mut first = Vec::new();
        session.bucket_counts("missile strike", &mut first);
        session.trim_cache();
        let mut other = Vec::new();
        session.bucket_counts("aid convoy", &mut other);
        let mut fresh = Vec::new();
        f.session().bucket_counts("aid convoy", &mut fresh);
        assert_eq!(other, fresh);
        assert_ne!(first, other);
    }

    #[test]
    fn term_ids_repeat_for_repeated_words() {
        let f = Featurizer::new(AnalyzerConfig::default(), FeatureConfig::default()).unwrap();
        let mut session = f.session();
        assert_eq!(
            session.term_ids("Strikes, strikes and more strikes"),
            [0, 0, 1, 2, 0]
        );
    }

    #[test]
    fn bad_settings_are_refused_when_bound() {
        let bad = FeatureConfig {
            bits: 40,
            ..FeatureConfig::default()
        };
        assert!(Featurizer::new(AnalyzerConfig::default(), bad).is_err());
    }
}
