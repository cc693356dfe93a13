//! Analysis: sentence text to normalised, stemmed word tokens.
//!
//! Words are found by the Unicode word rules (UAX #29), lower-cased, folded
//! (curly apostrophes to `'`, typographic dashes to `-`), numbers optionally
//! masked to `0`, then stemmed with Snowball (`rust-stemmers`). The whole
//! pipeline is built from [`AnalyzerConfig`], plain serialisable data, so a
//! saved model rebuilds exactly the analyzer it was trained with.
//!
//! Speed: sentences made only of ASCII and common typographic punctuation go
//! through a hand-written scanner that applies the UAX #29 word rules to that
//! alphabet (the crate has no such path; a property test proves both give the
//! same words), and [`TermCache`] stems each distinct word once.

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use unicode_segmentation::UnicodeSegmentation;

use crate::bytes::word_byte_mask;
use crate::text::segment::fast_path_applies;

/// Snowball stemming languages (every language `rust-stemmers` has).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[allow(missing_docs)]
pub enum Language {
    Arabic,
    Danish,
    Dutch,
    English,
    Finnish,
    French,
    German,
    Greek,
    Hungarian,
    Italian,
    Norwegian,
    Portuguese,
    Romanian,
    Russian,
    Spanish,
    Swedish,
    Tamil,
    Turkish,
}

impl Language {
    /// All languages with their ISO 639-1 codes.
    pub const ALL: [(Language, &'static str); 18] = [
        (Language::Arabic, "ar"),
        (Language::Danish, "da"),
        (Language::Dutch, "nl"),
        (Language::English, "en"),
        (Language::Finnish, "fi"),
        (Language::French, "fr"),
        (Language::German, "de"),
        (Language::Greek, "el"),
        (Language::Hungarian, "hu"),
        (Language::Italian, "it"),
        (Language::Norwegian, "no"),
        (Language::Portuguese, "pt"),
        (Language::Romanian, "ro"),
        (Language::Russian, "ru"),
        (Language::Spanish, "es"),
        (Language::Swedish, "sv"),
        (Language::Tamil, "ta"),
        (Language::Turkish, "tr"),
    ];

    /// Parses an ISO 639-1 code ("en") or an English name ("english").
    pub fn parse(s: &str) -> Option<Language> {
        let s = s.trim().to_ascii_lowercase();
        Language::ALL.iter().find_map(|&(lang, code)| {
            let name = format!("{lang:?}").to_ascii_lowercase();
            (s == code || s == name).then_some(lang)
        })
    }

    /// The ISO 639-1 code.
    pub fn code(self) -> &'static str {
        Language::ALL
            .iter()
            .find(|(l, _)| *l == self)
            .map_or("en", |(_, c)| c)
    }

    fn algorithm(self) -> rust_stemmers::Algorithm {
        use rust_stemmers::Algorithm as A;
        match self {
            Language::Arabic => A::Arabic,
            Language::Danish => A::Danish,
            Language::Dutch => A::Dutch,
            Language::English => A::English,
            Language::Finnish => A::Finnish,
            Language::French => A::French,
            Language::German => A::German,
            Language::Greek => A::Greek,
            Language::Hungarian => A::Hungarian,
            Language::Italian => A::Italian,
            Language::Norwegian => A::Norwegian,
            Language::Portuguese => A::Portuguese,
            Language::Romanian => A::Romanian,
            Language::Russian => A::Russian,
            Language::Spanish => A::Spanish,
            Language::Swedish => A::Swedish,
            Language::Tamil => A::Tamil,
            Language::Turkish => A::Turkish,
        }
    }
}

/// Settings of the analyzer; saved in every model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnalyzerConfig {
    /// Stemming language (default English).
    pub language: Language,
    /// Apply Snowball stemming (default true).
    pub stem: bool,
    /// Replace every run of digits with `0` (default true), so "1,200" and
    /// "35" become "0,0" and "0".
    pub mask_numbers: bool,
    /// Split a word at a full stop or colon glued to the next sentence
    /// ("peace.The", "said:The"): after a run of two or more letters and
    /// before a capital, the mark ends a sentence, not an abbreviation
    /// ("U.S." and "e.g." stay one word). UAX #29 keeps such a run as one
    /// word, so without this both words are lost to the model. Default
    /// true; models saved before the setting existed read as false.
    #[serde(default, skip_serializing_if = "is_false")]
    pub split_run_on: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl Default for AnalyzerConfig {
    fn default() -> Self {
        AnalyzerConfig {
            language: Language::English,
            stem: true,
            mask_numbers: true,
            split_run_on: true,
        }
    }
}

/// One analysed word, for inspection and tests (the hot path uses
/// a [`FeatureSession`](crate::features::FeatureSession) instead).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// Byte offset of the word in the analysed text.
    pub start: usize,
    /// Byte offset one past the word.
    pub end: usize,
    /// The stemmed, normalised form used for features.
    pub term: String,
}

/// Turns text into terms; immutable and shareable between threads.
pub struct Analyzer {
    config: AnalyzerConfig,
    stemmer: rust_stemmers::Stemmer,
}

impl std::fmt::Debug for Analyzer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Analyzer")
            .field("config", &self.config)
            .finish()
    }
}

impl Clone for Analyzer {
    fn clone(&self) -> Self {
        Analyzer::new(self.config.clone())
    }
}

impl Analyzer {
    /// Builds the analyzer a configuration describes.
    pub fn new(config: AnalyzerConfig) -> Self {
        let stemmer = rust_stemmers::Stemmer::create(config.language.algorithm());
        Analyzer { config, stemmer }
    }

    /// The configuration this analyzer was built from.
    pub fn config(&self) -> &AnalyzerConfig {
        &self.config
    }

    /// Normalises and stems one word.
    pub fn term(&self, word: &str) -> String {
        self.term_with(word, &mut String::with_capacity(word.len()))
    }

    /// [`Analyzer::term`] using `buf` (cleared first) for the normalised form.
    fn term_with(&self, word: &str, buf: &mut String) -> String {
        buf.clear();
        normalize_into(word, self.config.mask_numbers, buf);
        if self.config.stem {
            self.stemmer.stem(buf).into_owned()
        } else {
            buf.clone()
        }
    }

    /// Every word of `text` with its offsets and term.
    pub fn tokens(&self, text: &str) -> Vec<Token> {
        let mut out = Vec::new();
        self.for_each_word(text, &mut Vec::new(), |s, e| {
            out.push(Token {
                start: s,
                end: e,
                term: self.term(&text[s..e]),
            })
        });
        out
    }

    /// Appends the term ids of `text`'s words to `out`, stemming each
    /// distinct word once through `cache`.
    pub(crate) fn analyze(&self, text: &str, cache: &mut TermCache, out: &mut Vec<u32>) {
        let mut masks = std::mem::take(&mut cache.masks);
        self.for_each_word(text, &mut masks, |s, e| {
            out.push(cache.id(self, &text[s..e]));
        });
        cache.masks = masks;
    }

    /// [`Analyzer::analyze`] that also appends each term's hash to
    /// `hashes`. The words are found first and their word-table slots
    /// prefetched, then looked up: the table holds every distinct word of
    /// the run (megabytes), so its loads miss the caches, and issued
    /// together they overlap where one at a time they queue.
    pub(crate) fn analyze_hashed(
        &self,
        text: &str,
        cache: &mut TermCache,
        ids: &mut Vec<u32>,
        hashes: &mut Vec<u64>,
    ) {
        let mut words = std::mem::take(&mut cache.words);
        let mut masks = std::mem::take(&mut cache.masks);
        words.clear();
        let (b, short) = (text.as_bytes(), &cache.short);
        // [`Analyzer::for_each_word`] spelt out: there each word took two
        // calls (the shared closure serves both scanners, so it was not
        // inlined); here each scanner has its own, inlined.
        let split = self.config.split_run_on;
        if fast_path_applies(text) {
            fast_words(text, &mut masks, |s, e, marked| {
                if split && marked {
                    split_run_on(text, s, e, &mut |s, e| {
                        note_word(&mut words, short, b, s, e)
                    });
                } else {
                    note_word(&mut words, short, b, s, e);
                }
            });
        } else {
            for (s, w) in text.unicode_word_indices() {
                let e = s + w.len();
                if split {
                    split_run_on(text, s, e, &mut |s, e| {
                        note_word(&mut words, short, b, s, e)
                    });
                } else {
                    note_word(&mut words, short, b, s, e);
                }
            }
        }
        let first = ids.len();
        ids.extend(words.iter().map(|w| cache.id_of(self, text, w)));
        hashes.extend(ids[first..].iter().map(|&id| cache.hashes[id as usize]));
        cache.words = words;
        cache.masks = masks;
    }

    /// The word spans this analyzer's settings give; `masks` is scratch.
    fn for_each_word(&self, text: &str, masks: &mut Vec<u64>, mut f: impl FnMut(usize, usize)) {
        let split = self.config.split_run_on;
        for_each_word_marked(text, false, masks, |s, e, marked| {
            if split && marked {
                split_run_on(text, s, e, &mut f)
            } else {
                f(s, e)
            }
        });
    }
}

/// Notes the word `text[start..end]` in `words` and prefetches its slot in
/// `short`.
#[inline(always)]
fn note_word(words: &mut Vec<Word>, short: &ShortWords, text: &[u8], start: usize, end: usize) {
    // A word too long for a byte key keeps the empty key (length 0).
    let key = if (1..=ShortKey::MAX).contains(&(end - start)) {
        ShortKey::at(text, start, end)
    } else {
        ShortKey::default()
    };
    let hash = key.hash();
    short.prefetch(hash);
    words.push(Word {
        key,
        hash,
        start,
        end,
    });
}

/// Calls `f` for the pieces of the word `text[start..end]` split at each
/// full stop or colon that follows two or more letters and precedes an
/// upper-case letter (see [`AnalyzerConfig::split_run_on`]); the mark
/// itself belongs to no piece.
///
/// Deliberately broader than the segmenter's run-on rule
/// (`segment::run_on_breaks`), which must not end a sentence at
/// "Mr.Smith", "Ukraine.NATO" or "said:The"; cutting a *word* there loses
/// nothing, and this check runs on every word, so it stays a byte scan.
fn split_run_on(text: &str, start: usize, end: usize, f: &mut impl FnMut(usize, usize)) {
    let word = &text[start..end];
    // Fast exit: most words hold no mark (the Unicode path asks for every
    // word).
    if !word.bytes().any(|b| b == b'.' || b == b':') {
        f(start, end);
        return;
    }
    let mut piece = start;
    let mut letters = 0usize;
    let mut chars = word.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if (c == '.' || c == ':')
            && letters >= 2
            && chars.peek().is_some_and(|&(_, n)| n.is_uppercase())
        {
            f(piece, start + i);
            piece = start + i + 1;
            letters = 0;
        } else if c.is_alphabetic() {
            letters += 1;
        } else {
            letters = 0;
        }
    }
    f(piece, end);
}

/// The terms seen so far, each with a stable 64-bit hash; maps raw words to
/// term ids so each distinct word is normalised and stemmed once.
///
/// Term hashes are xxh3-64 of the term's UTF-8 bytes with the cache's seed:
/// specified and stable across platforms and releases.
#[derive(Debug, Clone)]
pub struct TermCache {
    seed: u64,
    /// Words of up to 16 bytes (nearly all tokens), keyed by their bytes
    /// read as two integers: a hit costs a multiply and a few compares,
    /// with no string hashing, no pointer chase and no `memcmp`.
    short: ShortWords,
    /// Longer words.
    by_word: FxHashMap<Box<str>, u32>,
    by_term: FxHashMap<Box<str>, u32>,
    terms: Vec<Term>,
    /// Each term's xxh3-64 (with the cache's seed) by id, apart from the
    /// texts: the hot path reads only the hash, and 8 bytes a term keep the
    /// common (low) ids in few cache lines (as a field beside each text
    /// they spread over three times as many).
    hashes: Vec<u64>,
    buf: String,
    /// Words of the text being analysed (reused), so the lookups after the
    /// prefetches need not read the key or hash it again.
    words: Vec<Word>,
    /// The word scanner's bitmasks of word edges (reused).
    masks: Vec<u64>,
    limit: usize,
    generation: u64,
}

/// A word of the text being analysed: its byte key (empty if too long for
/// one), the key's hash and its span.
#[derive(Debug, Clone, Copy)]
struct Word {
    key: ShortKey,
    hash: u64,
    start: usize,
    end: usize,
}

/// A raw word of 1 to 16 bytes as two integers and its length: its bytes
/// zero-padded to 16, read little-endian as the low and the high 8. With
/// the length the key is exact: it determines every byte.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct ShortKey {
    head: u64,
    tail: u64,
    len: u32,
}

/// `KEEP_BYTES[n]` keeps the low `n` bytes of a `u128`.
const KEEP_BYTES: [u128; 17] = {
    let mut m = [0u128; 17];
    let mut n = 1;
    while n <= 16 {
        m[n] = u128::MAX >> (128 - 8 * n);
        n += 1;
    }
    m
};

impl ShortKey {
    const MAX: usize = 16;

    /// The key of `word` (1 to 16 bytes).
    #[cfg(test)]
    fn of(word: &[u8]) -> ShortKey {
        Self::at(word, 0, word.len())
    }

    /// The key of the word `text[start..end]` (1 to 16 bytes). Where 16
    /// bytes follow `start` inside `text` (nearly always) they are read at
    /// once and the bytes past the word masked off: no branch on the
    /// word's length, whose outcome the CPU cannot guess.
    #[inline(always)]
    fn at(text: &[u8], start: usize, end: usize) -> ShortKey {
        let n = end - start;
        debug_assert!((1..=Self::MAX).contains(&n));
        let read16 =
            |at: usize| u128::from_le_bytes(text[at..at + 16].try_into().expect("16 bytes"));
        let raw = if start + Self::MAX <= text.len() {
            read16(start)
        } else if end >= Self::MAX {
            // Near the end of the text: the 16 bytes ending with the word,
            // shifted down to it (a fixed-size read, where copying the word
            // out called `memcpy` with a varying length).
            read16(end - Self::MAX) >> (8 * (Self::MAX - n))
        } else {
            let mut buf = [0u8; Self::MAX];
            buf[..n].copy_from_slice(&text[start..end]);
            u128::from_le_bytes(buf)
        };
        let v = raw & KEEP_BYTES[n];
        ShortKey {
            head: v as u64,
            tail: (v >> 64) as u64,
            len: n as u32,
        }
    }

    /// An in-memory slot choice, never saved.
    #[inline]
    fn hash(&self) -> u64 {
        (self.head ^ self.tail.rotate_left(29) ^ u64::from(self.len) << 56)
            .wrapping_mul(0x9e37_79b9_7f4a_7c15)
    }
}

/// One slot of [`ShortWords`]: a key and its term id, 24 bytes. (32-byte
/// slots holding the term hash too measured no faster, and take a third
/// more memory.)
#[derive(Debug, Clone, Copy, Default)]
struct ShortSlot {
    head: u64,
    tail: u64,
    len: u32,
    id: u32,
}

impl ShortSlot {
    #[inline]
    fn holds(&self, key: &ShortKey) -> bool {
        self.head == key.head && self.tail == key.tail && self.len == key.len
    }
}

/// Open-addressing table (linear probing, at most half full) of short
/// words to term ids; `len == 0` marks an empty slot.
#[derive(Debug, Clone)]
struct ShortWords {
    slots: Vec<ShortSlot>,
    len: usize,
    /// 64 less log2 of the slot count: a hash shifted right by it is a
    /// slot (kept, not recounted from the length at each lookup).
    shift: u32,
}

impl ShortWords {
    const INITIAL: usize = 1 << 12;

    fn new() -> Self {
        ShortWords {
            slots: vec![Default::default(); Self::INITIAL],
            len: 0,
            shift: 64 - Self::INITIAL.trailing_zeros(),
        }
    }

    /// The slot of a key whose [`ShortKey::hash`] is `hash`.
    #[inline]
    fn slot(&self, hash: u64) -> usize {
        (hash >> self.shift) as usize
    }

    /// Asks the CPU to start loading the slot of the key whose hash is
    /// `hash`.
    #[inline]
    fn prefetch(&self, hash: u64) {
        crate::prefetch::prefetch(&self.slots[self.slot(hash)]);
    }

    /// The term id of `key`, whose hash is `hash`, if it is in the table.
    #[inline]
    fn get(&self, key: &ShortKey, hash: u64) -> Option<u32> {
        let mask = self.slots.len() - 1;
        let mut i = self.slot(hash);
        loop {
            let slot = &self.slots[i];
            if slot.holds(key) {
                return Some(slot.id);
            }
            if slot.len == 0 {
                return None;
            }
            i = (i + 1) & mask;
        }
    }

    fn insert(&mut self, key: ShortKey, id: u32) {
        if 2 * (self.len + 1) > self.slots.len() {
            let bigger = vec![Default::default(); 2 * self.slots.len()];
            let old = std::mem::replace(&mut self.slots, bigger);
            self.shift -= 1;
            for slot in old.into_iter().filter(|s| s.len != 0) {
                let key = ShortKey {
                    head: slot.head,
                    tail: slot.tail,
                    len: slot.len,
                };
                self.place(key, slot.id);
            }
        }
        self.place(key, id);
        self.len += 1;
    }

    fn place(&mut self, key: ShortKey, id: u32) {
        let mask = self.slots.len() - 1;
        let mut i = self.slot(key.hash());
        while self.slots[i].len != 0 {
            i = (i + 1) & mask;
        }
        self.slots[i] = ShortSlot {
            head: key.head,
            tail: key.tail,
            len: key.len,
            id,
        };
    }

    fn clear(&mut self) {
        *self = ShortWords::new();
    }
}

/// A distinct term in a [`TermCache`]; its hash is
/// [`TermCache::hash`].
#[derive(Debug, Clone)]
pub struct Term {
    /// The stemmed, normalised form.
    pub text: Box<str>,
}

impl TermCache {
    /// Words cached before the cache is emptied: 2^17 keeps one thread's
    /// cache near 35 MB at its fullest (word slots, term texts, two maps),
    /// while the 100 MB benchmark archive (57,000 distinct words) never
    /// resets it; refilling after a reset re-stems the common words once.
    /// Measured on a 34 MB archive of 3.8 million distinct words: peak
    /// 83 MB at one thread and 124 MB at two, against 480 and 809 MB with
    /// the cap of 2 million words before; 2^16 saved another 20 MB per
    /// thread but reset on the benchmark archive and cost it 10% CPU.
    const LIMIT: usize = 1 << 17;

    /// An empty cache whose term hashes use `seed`.
    pub fn new(seed: u64) -> Self {
        TermCache {
            seed,
            short: ShortWords::new(),
            by_word: FxHashMap::default(),
            by_term: FxHashMap::default(),
            terms: Vec::new(),
            hashes: Vec::new(),
            buf: String::new(),
            words: Vec::new(),
            masks: Vec::new(),
            limit: Self::LIMIT,
            generation: 0,
        }
    }

    /// Caps the number of cached words; past it the cache is emptied, so
    /// memory stays flat on endless streams (ids are then reissued, so call
    /// [`TermCache::reset_if_full`] only between documents). Tests use it to
    /// reach the reset path.
    #[cfg(test)]
    pub fn with_limit(mut self, limit: usize) -> Self {
        self.limit = limit.max(1);
        self
    }

    /// Empties the cache when it holds more words than its limit.
    pub fn reset_if_full(&mut self) {
        if self.by_word.len() + self.short.len > self.limit {
            self.short.clear();
            self.by_word.clear();
            self.by_term.clear();
            self.terms.clear();
            self.hashes.clear();
            self.generation += 1;
        }
    }

    /// Counts the resets: term ids of one generation mean nothing in
    /// another, so anything keyed by them must be rebuilt when it changes.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// The term with id `id`.
    pub fn term(&self, id: u32) -> &Term {
        &self.terms[id as usize]
    }

    /// xxh3-64 of the text of term `id` with the cache's seed.
    pub fn hash(&self, id: u32) -> u64 {
        self.hashes[id as usize]
    }

    /// The id of raw word `word`, analysing it on first sight.
    #[inline]
    pub fn id(&mut self, analyzer: &Analyzer, word: &str) -> u32 {
        self.id_hash(analyzer, word).0
    }

    /// The id of raw word `word` and its term's hash, analysing it on
    /// first sight.
    #[inline]
    pub(crate) fn id_hash(&mut self, analyzer: &Analyzer, word: &str) -> (u32, u64) {
        self.id_hash_at(analyzer, word, 0, word.len())
    }

    /// [`TermCache::id_hash`] of the word `text[start..end]`.
    #[inline]
    fn id_hash_at(
        &mut self,
        analyzer: &Analyzer,
        text: &str,
        start: usize,
        end: usize,
    ) -> (u32, u64) {
        let key = if (1..=ShortKey::MAX).contains(&(end - start)) {
            ShortKey::at(text.as_bytes(), start, end)
        } else {
            ShortKey::default()
        };
        let word = Word {
            key,
            hash: key.hash(),
            start,
            end,
        };
        let id = self.id_of(analyzer, text, &word);
        (id, self.hashes[id as usize])
    }

    /// The term id of `word` of `text`, its byte key and hash already
    /// read: a hit reads the key only, and the `str` (with its
    /// char-boundary checks) is cut for words seen the first time or too
    /// long for the byte keys.
    #[inline]
    fn id_of(&mut self, analyzer: &Analyzer, text: &str, word: &Word) -> u32 {
        if word.key.len != 0 {
            return match self.short.get(&word.key, word.hash) {
                Some(id) => id,
                None => self.insert_short(analyzer, text, word),
            };
        }
        let word = &text[word.start..word.end];
        match self.by_word.get(word) {
            Some(&id) => id,
            None => {
                let id = self.analyze_new(analyzer, word);
                self.by_word.insert(word.into(), id);
                id
            }
        }
    }

    /// [`TermCache::id_of`] for a short word not seen before; out of line,
    /// so the hit path's loop keeps its registers.
    #[cold]
    #[inline(never)]
    fn insert_short(&mut self, analyzer: &Analyzer, text: &str, word: &Word) -> u32 {
        let id = self.analyze_new(analyzer, &text[word.start..word.end]);
        self.short.insert(word.key, id);
        id
    }

    /// The term id of a word not seen before: normalised and stemmed, then
    /// looked up among the terms.
    fn analyze_new(&mut self, analyzer: &Analyzer, word: &str) -> u32 {
        let stemmed = analyzer.term_with(word, &mut self.buf);
        match self.by_term.get(stemmed.as_str()) {
            Some(&id) => id,
            None => {
                let id = self.terms.len() as u32;
                let hash = xxhash_rust::xxh3::xxh3_64_with_seed(stemmed.as_bytes(), self.seed);
                self.by_term.insert(stemmed.clone().into_boxed_str(), id);
                self.terms.push(Term {
                    text: stemmed.into_boxed_str(),
                });
                self.hashes.push(hash);
                id
            }
        }
    }
}

/// Lower-cases and folds one word into `out`.
fn normalize_into(word: &str, mask_numbers: bool, out: &mut String) {
    let mut in_digits = false;
    if word.is_ascii() {
        for b in word.bytes() {
            if mask_numbers && b.is_ascii_digit() {
                if !in_digits {
                    out.push('0');
                }
                in_digits = true;
                continue;
            }
            in_digits = false;
            out.push(b.to_ascii_lowercase() as char);
        }
        return;
    }
    for c in word.chars() {
        let c = fold_char(c);
        if mask_numbers && c.is_numeric() {
            if !in_digits {
                out.push('0');
            }
            in_digits = true;
            continue;
        }
        in_digits = false;
        if c.is_lowercase() || !c.is_alphabetic() {
            out.push(c);
        } else {
            out.extend(c.to_lowercase());
        }
    }
}

/// Typographic variants to their plain forms.
fn fold_char(c: char) -> char {
    match c {
        '\u{2018}' | '\u{2019}' | '\u{201b}' | '\u{2032}' | '\u{02bc}' | '\u{ff07}' => '\'',
        '\u{201c}' | '\u{201d}' | '\u{201e}' | '\u{2033}' | '\u{ff02}' => '"',
        '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}'
        | '\u{2212}' | '\u{fe63}' | '\u{ff0d}' => '-',
        _ => c,
    }
}

/// Byte spans of the words of `text` (UAX #29 words holding a letter or
/// digit), by the fast scanner where it applies.
pub fn word_spans(text: &str) -> Vec<(usize, usize)> {
    let mut v = Vec::new();
    for_each_word(text, false, |s, e| v.push((s, e)));
    v
}

/// Byte spans of the words of `text` by the full Unicode rules only.
pub fn word_spans_unicode(text: &str) -> Vec<(usize, usize)> {
    let mut v = Vec::new();
    for_each_word(text, true, |s, e| v.push((s, e)));
    v
}

/// The positions of the set bits of `words` (bit `k` of `words[k / 64]`),
/// in order: a bit search and a clear per position.
struct SetBits<'a> {
    words: &'a [u64],
    /// Index of the word `bits` came from.
    k: usize,
    /// The bits of `words[k]` not yet returned.
    bits: u64,
}

impl<'a> SetBits<'a> {
    fn new(words: &'a [u64]) -> Self {
        SetBits {
            words,
            k: 0,
            bits: words.first().copied().unwrap_or(0),
        }
    }
}

impl Iterator for SetBits<'_> {
    type Item = usize;

    #[inline]
    fn next(&mut self) -> Option<usize> {
        while self.bits == 0 {
            self.k += 1;
            self.bits = *self.words.get(self.k)?;
        }
        let at = self.k * 64 + self.bits.trailing_zeros() as usize;
        self.bits &= self.bits - 1;
        Some(at)
    }
}

/// Calls `f(start, end)` for each UAX #29 word of `text` that holds a letter
/// or digit (what `unicode_words` yields), using the fast scanner where it
/// applies unless `unicode_only`.
pub(crate) fn for_each_word(text: &str, unicode_only: bool, mut f: impl FnMut(usize, usize)) {
    for_each_word_marked(text, unicode_only, &mut Vec::new(), |s, e, _| f(s, e));
}

/// [`for_each_word`] that also tells `f` whether the word may hold a `.`
/// or `:` (what run-on splitting looks for): the fast scanner knows, the
/// Unicode path says `true` and leaves the check to [`split_run_on`];
/// `masks` is the fast scanner's scratch.
fn for_each_word_marked(
    text: &str,
    unicode_only: bool,
    masks: &mut Vec<u64>,
    mut f: impl FnMut(usize, usize, bool),
) {
    // The segmenter's fast-path alphabet, line breaks included: sentences
    // of hard-wrapped text (newswire) keep their `\n`s, which only separate
    // words (UAX #29 WB3a-b break around CR and LF, and they join nothing),
    // so they need not go down the Unicode path.
    if !unicode_only && fast_path_applies(text) {
        fast_words(text, masks, f);
    } else {
        for (i, w) in text.unicode_word_indices() {
            f(i, i + w.len(), true);
        }
    }
}

/// [`fast_words`]' classes of the byte after a run of word bytes: whether
/// it may join letters (`.`, `'`, `:`) and/or digits (`.`, `'`, `,`, `;`),
/// or may start U+2018/U+2019 (which join both).
const MID_LETTERS: u8 = 1;
const MID_DIGITS: u8 = 2;
const MID_QUOTE_LEAD: u8 = 4;
static MID_CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    t[b'.' as usize] = MID_LETTERS | MID_DIGITS;
    t[b'\'' as usize] = MID_LETTERS | MID_DIGITS;
    t[b':' as usize] = MID_LETTERS;
    t[b',' as usize] = MID_DIGITS;
    t[b';' as usize] = MID_DIGITS;
    t[0xE2] = MID_QUOTE_LEAD;
    t
};

/// The UAX #29 word rules on the fast-path alphabet: letters, digits and `_`
/// join (WB5, WB8-10, WB13a-b); a letter, a MidLetter/MidNumLet/quote, and a
/// letter join (WB6-7); a digit, a MidNum/MidNumLet/quote, and a digit join
/// (WB11-12). Segments without a letter or digit are dropped. `f` also gets
/// whether a `.` or `:` joined the word.
///
/// Word bytes are found 64 at a time as bitmasks, and from them the edges
/// of their runs ([`word_edges`], in `edges`, reused), so a word costs a
/// bit search and a clear per edge rather than a branch per byte; only the
/// byte after a word is looked at one by one.
fn fast_words(text: &str, edges: &mut Vec<u64>, mut f: impl FnMut(usize, usize, bool)) {
    let b = text.as_bytes();
    let n = b.len();
    word_edges(b, edges);
    // The width of a mid character at `i` (ASCII or U+2018/U+2019), and
    // whether it may join letters and/or digits.
    // A table, not a `match`: the byte after a word is a space, a comma,
    // a full stop... at random, and a jump table on it mispredicts often.
    let mid = |i: usize| -> Option<(usize, bool, bool)> {
        let class = MID_CLASS[*b.get(i)? as usize];
        if class == 0 {
            None
        } else if class == MID_QUOTE_LEAD {
            (b.get(i + 1) == Some(&0x80) && matches!(b.get(i + 2), Some(0x98 | 0x99)))
                .then_some((3, true, true))
        } else {
            Some((1, class & MID_LETTERS != 0, class & MID_DIGITS != 0))
        }
    };
    // Edges alternate: the start of a run of word bytes, then its end.
    let mut edges = SetBits::new(edges);
    while let Some(start) = edges.next() {
        let mut marked = false;
        let mut i = edges.next().unwrap_or(n);
        while let Some((w, letters, digits)) = mid(i) {
            let (prev, next) = (b[i - 1], b.get(i + w).copied().unwrap_or(b' '));
            let joins = (letters && prev.is_ascii_alphabetic() && next.is_ascii_alphabetic())
                || (digits && prev.is_ascii_digit() && next.is_ascii_digit());
            if !joins {
                break;
            }
            marked |= matches!(b[i], b'.' | b':');
            // The mid character is no word byte and the one after it is:
            // the next edge starts a run at `i + w`, the one after ends it.
            let resumes = edges.next();
            debug_assert_eq!(resumes, Some(i + w));
            i = edges.next().unwrap_or(n);
        }
        if b[start] != b'_' || b[start..i].iter().any(u8::is_ascii_alphanumeric) {
            f(start, i, marked);
        }
    }
}

/// Sets in `edges` (cleared first; bit `k` of `edges[k / 64]`) the
/// positions where `b` goes from a non-word byte to a word byte or back
/// (the text's ends count as non-word bytes), from the word bytes found
/// 64 at a time as bitmasks ([`word_byte_mask`]).
fn word_edges(b: &[u8], edges: &mut Vec<u64>) {
    let n = b.len();
    edges.clear();
    edges.reserve(n / 64 + 2);
    // Bit 0: whether the byte before the block is a word byte.
    let mut carry = 0;
    let mut edge = |m: u64| {
        let e = m ^ (m << 1 | carry);
        carry = m >> 63;
        e
    };
    let mut blocks = b.chunks_exact(64);
    for block in &mut blocks {
        edges.push(edge(word_byte_mask(
            block.try_into().expect("64-byte block"),
        )));
    }
    let rest = blocks.remainder().len();
    if rest > 0 && n >= 64 {
        // The last 64 bytes, their mask shifted down to the bytes not yet
        // covered (zeros shift in: not word bytes). A fixed-size read where
        // copying the rest out called `memcpy` with a varying length.
        let last = b[n - 64..].try_into().expect("64-byte block");
        edges.push(edge(word_byte_mask(last) >> (64 - rest)));
    } else if rest > 0 {
        // Zero padding: not a word byte.
        let mut last = [0u8; 64];
        last[..rest].copy_from_slice(blocks.remainder());
        edges.push(edge(word_byte_mask(&last)));
    }
    // A word that reaches the end of a text of whole blocks ends at `n`.
    let end = edge(0);
    edges.push(end);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(text: &str) -> Vec<String> {
        Analyzer::new(AnalyzerConfig::default())
            .tokens(text)
            .into_iter()
            .map(|t| t.term)
            .collect()
    }

    #[test]
    fn normalises_folds_and_stems() {
        assert_eq!(
            terms("Russia’s guarantees were REJECTED in 2025, costing $1,200.50"),
            ["russia", "guarante", "were", "reject", "in", "0", "cost", "0,0.0"]
        );
    }

    #[test]
    fn non_breaking_hyphen_splits_like_a_hyphen() {
        assert_eq!(
            terms("Real\u{2011}World cease-fire"),
            ["real", "world", "ceas", "fire"]
        );
    }

    #[test]
    fn keeps_dotted_abbreviations_as_one_word() {
        // "U.S" is one word; Snowball then strips its "s" like a plural.
        let a = Analyzer::new(AnalyzerConfig::default());
        let spans: Vec<(usize, usize)> = a
            .tokens("U.S.-led talks")
            .iter()
            .map(|t| (t.start, t.end))
            .collect();
        assert_eq!(spans, [(0, 3), (5, 8), (9, 14)]);
        assert_eq!(terms("U.S.-led talks"), ["u.", "led", "talk"]);
    }

    #[test]
    fn unicode_words_outside_ascii() {
        assert_eq!(terms("Türkiye’s envoy"), ["türkiy", "envoy"]);
    }

    #[test]
    fn language_parse_accepts_codes_and_names() {
        assert_eq!(Language::parse("en"), Some(Language::English));
        assert_eq!(Language::parse("German"), Some(Language::German));
        assert_eq!(Language::parse("xx"), None);
        assert_eq!(Language::English.code(), "en");
    }

    #[test]
    fn cache_reuses_ids_for_same_term() {
        let a = Analyzer::new(AnalyzerConfig::default());
        let mut cache = TermCache::new(7);
        let mut ids = Vec::new();
        a.analyze("strikes Strikes striking", &mut cache, &mut ids);
        assert_eq!(ids[0], ids[1]);
        assert_eq!(cache.term(ids[0]).text.as_ref(), "strike");
        assert_eq!(
            cache.hash(ids[0]),
            xxhash_rust::xxh3::xxh3_64_with_seed(b"strike", 7)
        );
    }

    #[test]
    fn splits_words_glued_across_a_missing_space() {
        assert_eq!(
            terms("peace.The talks:Kyiv U.S.Army e.g.Kyiv Ukraine.Éire 3.5.The"),
            [
                "peac", "the", "talk", "kyiv", "u.s.armi", "e.g.kyiv", "ukrain", "éire", "0.0",
                "the"
            ]
        );
        // Lower case after the mark, or a single letter before it, is not a
        // sentence boundary.
        assert_eq!(terms("bbc.com a.b.C"), ["bbc.com", "a.b.c"]);
        let spans: Vec<(usize, usize)> = Analyzer::new(AnalyzerConfig::default())
            .tokens("war.They")
            .iter()
            .map(|t| (t.start, t.end))
            .collect();
        assert_eq!(spans, [(0, 3), (4, 8)]);
    }

    #[test]
    fn models_saved_before_run_on_splitting_keep_glued_words() {
        let legacy: AnalyzerConfig =
            serde_json::from_str(r#"{"language":"english","stem":true,"mask_numbers":true}"#)
                .unwrap();
        assert!(!legacy.split_run_on);
        let a = Analyzer::new(legacy);
        let terms: Vec<String> = a.tokens("peace.The").into_iter().map(|t| t.term).collect();
        assert_eq!(terms, ["peace.th"]);
        // The setting is written only when on, so legacy headers keep their bytes.
        assert!(!serde_json::to_string(a.config()).unwrap().contains("split"));
    }

    proptest::proptest! {
        #[test]
        fn fast_words_match_unicode_words_with_line_breaks(
            text in "([A-Za-z]{1,6}|[0-9]{1,3}|[ .,:;'_\n\r\t]|’|“|—){0,40}"
        ) {
            proptest::prop_assert!(fast_path_applies(&text));
            let (mut a, mut b) = (Vec::new(), Vec::new());
            for_each_word(&text, false, |s, e| a.push((s, e)));
            for_each_word(&text, true, |s, e| b.push((s, e)));
            proptest::prop_assert_eq!(a, b);
        }

        #[test]
        fn short_keys_read_in_place_equal_keys_of_the_word(
            text in proptest::collection::vec(proptest::num::u8::ANY, 1..40),
            start in 0usize..40,
            len in 1usize..=16,
        ) {
            // Words with 16 bytes after their start in the text are read in
            // one load and masked; the others (and `of`) are copied out.
            let start = start % text.len();
            let end = (start + len).min(text.len());
            proptest::prop_assert_eq!(
                ShortKey::at(&text, start, end),
                ShortKey::of(&text[start..end])
            );
        }

        #[test]
        fn short_keys_differ_for_different_words(
            a in proptest::collection::vec(proptest::num::u8::ANY, 1..=16),
            b in proptest::collection::vec(proptest::num::u8::ANY, 1..=16),
        ) {
            proptest::prop_assert_eq!(ShortKey::of(&a) == ShortKey::of(&b), a == b);
            // Same length, one byte changed anywhere.
            for i in 0..a.len() {
                let mut c = a.clone();
                c[i] ^= 1;
                proptest::prop_assert_ne!(ShortKey::of(&a), ShortKey::of(&c));
            }
        }

        #[test]
        fn cached_terms_equal_fresh_analysis(text in "([a-zA-Z0-9'.é’ ]{0,24}[ ,;]){0,60}") {
            // The cache (byte keys, growth, long words) against the analyzer
            // without a cache, on words of every length around 16 bytes.
            let a = Analyzer::new(AnalyzerConfig::default());
            let mut cache = TermCache::new(7);
            let mut ids = Vec::new();
            for _ in 0..2 {
                ids.clear();
                a.analyze(&text, &mut cache, &mut ids);
                let cached: Vec<&str> = ids.iter().map(|&i| cache.term(i).text.as_ref()).collect();
                let fresh: Vec<String> = a.tokens(&text).into_iter().map(|t| t.term).collect();
                proptest::prop_assert_eq!(cached, fresh);
            }
        }

        #[test]
        fn hashed_analysis_equals_ids_and_term_hashes(
            text in "([a-zA-Z0-9'.é’ ]{0,24}[ ,;]){0,60}",
            limit in 1usize..40,
        ) {
            // The prefetching path with its hashes
            // against the plain one and the terms' own hashes, across table
            // growth and cache resets; on the Unicode word path and (without
            // the `é`) on the fast scanner, each with run-on splitting.
            let a = Analyzer::new(AnalyzerConfig::default());
            for text in [text.clone(), text.replace('é', "e")] {
                let mut cache = TermCache::new(7).with_limit(limit);
                let mut plain = TermCache::new(7).with_limit(limit);
                let (mut ids, mut hashes, mut expected) = (Vec::new(), Vec::new(), Vec::new());
                for _ in 0..3 {
                    ids.clear();
                    hashes.clear();
                    expected.clear();
                    a.analyze_hashed(&text, &mut cache, &mut ids, &mut hashes);
                    a.analyze(&text, &mut plain, &mut expected);
                    proptest::prop_assert_eq!(&ids, &expected);
                    let terms: Vec<u64> = ids
                        .iter()
                        .map(|&i| {
                            xxhash_rust::xxh3::xxh3_64_with_seed(cache.term(i).text.as_bytes(), 7)
                        })
                        .collect();
                    proptest::prop_assert_eq!(&hashes, &terms);
                    cache.reset_if_full();
                    plain.reset_if_full();
                }
            }
        }
    }

    #[test]
    fn short_word_table_grows_and_keeps_every_word() {
        let a = Analyzer::new(AnalyzerConfig::default());
        let mut cache = TermCache::new(7);
        let words: Vec<String> = (0..20_000).map(|i| format!("w{i}x")).collect();
        let ids: Vec<u32> = words.iter().map(|w| cache.id(&a, w)).collect();
        assert!(cache.short.slots.len() > ShortWords::INITIAL);
        // A hash shifted right by `shift` reaches every slot, no further.
        let short = &cache.short;
        assert_eq!(short.slots.len(), 1 << (64 - short.shift));
        for (w, &id) in words.iter().zip(&ids) {
            assert_eq!(cache.id(&a, w), id);
            assert_eq!(cache.term(id).text.as_ref(), a.term(w));
        }
    }

    #[test]
    fn fast_words_match_unicode_words_across_line_breaks() {
        let t = "wrapped\nline a.\nb 3,\r\n4 x\r\ry don\n't U.S.\nArmy \n\n’x’\n“q”\r";
        assert!(fast_path_applies(t));
        let mut a = Vec::new();
        let mut b = Vec::new();
        for_each_word(t, false, |s, e| a.push(&t[s..e]));
        for_each_word(t, true, |s, e| b.push(&t[s..e]));
        assert_eq!(a, b);
    }

    #[test]
    fn fast_words_match_unicode_words_across_64_byte_blocks() {
        // Words, joins ("U.S.", "3,5", "don't") and separators on every
        // side of the scanner's block edges, and texts ending exactly on one.
        let unit = "U.S. don't 3,5 a.b x_y __ Kyiv: peace.The ";
        for len in [63, 64, 65, 127, 128, 129, 200] {
            for shift in 0..unit.len() {
                let t: String = unit.repeat(8).chars().skip(shift).take(len).collect();
                let (mut a, mut b) = (Vec::new(), Vec::new());
                for_each_word(&t, false, |s, e| a.push((s, e)));
                for_each_word(&t, true, |s, e| b.push((s, e)));
                assert_eq!(a, b, "{t:?}");
            }
        }
    }

    #[test]
    fn set_bits_walk_every_bit_in_order() {
        let words = [0b1001, 0, 1 << 63, u64::MAX];
        let expected: Vec<usize> = [0, 3, 191].into_iter().chain(192..256).collect();
        assert_eq!(SetBits::new(&words).collect::<Vec<_>>(), expected);
        assert_eq!(SetBits::new(&[]).next(), None);
        assert_eq!(SetBits::new(&[0, 0]).next(), None);
    }

    #[test]
    fn word_edges_end_a_word_at_the_end_of_whole_blocks() {
        let mut edges = Vec::new();
        for n in [63, 64, 65, 128] {
            word_edges(&b"x".repeat(n), &mut edges);
            assert_eq!(SetBits::new(&edges).collect::<Vec<_>>(), [0, n]);
        }
    }

    proptest::proptest! {
        #[test]
        fn word_edges_are_where_word_bytes_start_and_stop(
            text in proptest::collection::vec(
                proptest::sample::select(b"ab_09 .'\xe2".to_vec()), 0..300),
        ) {
            // Against a byte-by-byte comparison of each byte with the one
            // before, the text's ends counting as non-word bytes.
            let mut edges = Vec::new();
            word_edges(&text, &mut edges);
            let is_word = |i: usize| text.get(i).is_some_and(|&c| crate::bytes::is_word_byte(c));
            let expected: Vec<usize> = (0..=text.len())
                .filter(|&i| is_word(i) != (i > 0 && is_word(i - 1)))
                .collect();
            proptest::prop_assert_eq!(SetBits::new(&edges).collect::<Vec<_>>(), expected);
        }
    }

    #[test]
    fn fast_words_match_unicode_words() {
        let t = "Don’t stop: it's 3.5% (1,000;2) a.b.c x_y __ U.S. “quoted” e-mail a:b 1:2 ‘x’";
        let mut a = Vec::new();
        let mut b = Vec::new();
        for_each_word(t, false, |s, e| a.push(&t[s..e]));
        for_each_word(t, true, |s, e| b.push(&t[s..e]));
        assert_eq!(a, b);
    }
}
