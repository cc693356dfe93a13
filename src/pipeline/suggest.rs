//! What to label next: from scored sentences, pick the ones whose labels
//! would teach the current model most, plus a share drawn at random.
//!
//! Uncertainty sampling: a sentence is informative when some label's score
//! lies near its threshold (for a multi-class model, when the two best
//! labels are close). The picks are spread over articles (a cap per
//! article), near-duplicates are left out, and a share is drawn uniformly
//! at random so that base rates stay measurable on the labelled set.
//!
//! Memory is bounded: only the most uncertain candidates and the lowest
//! random draws are kept while the archive streams by. Random draws are a
//! seeded hash of each sentence's position (`doc_id`, `start`, `end`), so
//! the choice depends on the seed and the data, never on thread timing or
//! input order.

use std::cmp::Ordering;
use std::collections::{BTreeSet, BinaryHeap, HashMap, HashSet};

use crate::model::frame_model::Mode;

/// How many suggestions to make, and how.
#[derive(Debug, Clone, PartialEq)]
pub struct SuggestConfig {
    /// Sentences to suggest.
    pub n: usize,
    /// Share of them drawn uniformly at random (0 to 1).
    pub random_fraction: f64,
    /// At most this many suggestions from one article.
    pub per_article: usize,
    /// Seed of the random draw.
    pub seed: u64,
    /// Two sentences whose word sets have at least this Jaccard similarity
    /// are near-duplicates; only the first is suggested.
    pub near_duplicate: f64,
    /// Uncertain picks need at least this many words (fragments such as
    /// bylines teach little); random picks take any sentence.
    pub min_words: usize,
}

impl Default for SuggestConfig {
    fn default() -> Self {
        SuggestConfig {
            n: 100,
            random_fraction: 0.2,
            per_article: 3,
            seed: 42,
            near_duplicate: 0.8,
            min_words: 4,
        }
    }
}

impl SuggestConfig {
    /// Checks the settings.
    pub fn validate(&self) -> crate::Result<()> {
        if !(0.0..=1.0).contains(&self.random_fraction) {
            return Err(crate::Error::config(
                "random share",
                self.random_fraction,
                "between 0 and 1",
            ));
        }
        if self.per_article == 0 {
            return Err(crate::Error::config(
                "cap per article",
                self.per_article,
                "at least 1",
            ));
        }
        Ok(())
    }

    fn n_random(&self) -> usize {
        (self.n as f64 * self.random_fraction).round() as usize
    }
}

/// A sentence offered for suggestion.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Article id.
    pub doc_id: String,
    /// Position of the sentence in the article.
    pub sent_idx: usize,
    /// UTF-8 byte offset of the sentence's first byte.
    pub start: usize,
    /// UTF-8 byte offset one past its last byte.
    pub end: usize,
    /// The sentence.
    pub text: String,
    /// The model's score for each label.
    pub scores: Vec<f32>,
}

/// Why a sentence was suggested.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Selection {
    /// Drawn uniformly at random.
    Random,
    /// Some label's score is near its threshold.
    Uncertain,
}

impl Selection {
    /// `random` or `uncertain`.
    pub fn as_str(self) -> &'static str {
        match self {
            Selection::Random => "random",
            Selection::Uncertain => "uncertain",
        }
    }
}

/// A suggested sentence.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    /// The sentence and its scores.
    pub candidate: Candidate,
    /// Why it was chosen.
    pub selection: Selection,
    /// Distance of the nearest decision, in log-odds (0 = on a threshold).
    pub margin: f32,
}

/// How far scores are from changing a decision, in log-odds: for
/// multi-label models the smallest distance of a label's score from its
/// threshold; for multi-class models the log-ratio of the two best scores.
pub fn margin(scores: &[f32], thresholds: &[f32], mode: Mode) -> f32 {
    fn logit(p: f32) -> f32 {
        let p = p.clamp(1e-6, 1.0 - 1e-6);
        (p / (1.0 - p)).ln()
    }
    match mode {
        Mode::MultiLabel => scores
            .iter()
            .zip(thresholds)
            .map(|(&s, &t)| (logit(s) - logit(t)).abs())
            .fold(f32::INFINITY, f32::min),
        Mode::MultiClass => {
            let mut top = [0f32; 2];
            for &s in scores {
                if s > top[0] {
                    top = [s, top[0]];
                } else if s > top[1] {
                    top[1] = s;
                }
            }
            (top[0].max(1e-6) / top[1].max(1e-6)).ln()
        }
    }
}

/// A candidate in a bounded heap, ordered by a key (smaller = better);
/// ties are broken by the random draw and then by position, so the order
/// is total and the same whatever the order of arrival.
#[derive(Debug, Clone)]
struct Ranked {
    key: f32,
    draw: u64,
    margin: f32,
    candidate: Candidate,
}

impl Ranked {
    fn order(&self, other: &Self) -> Ordering {
        self.key
            .total_cmp(&other.key)
            .then(self.draw.cmp(&other.draw))
            .then_with(|| self.candidate.doc_id.cmp(&other.candidate.doc_id))
            .then(self.candidate.start.cmp(&other.candidate.start))
    }
}

impl PartialEq for Ranked {
    fn eq(&self, other: &Self) -> bool {
        self.order(other) == Ordering::Equal
    }
}
impl Eq for Ranked {}
impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> Ordering {
        self.order(other)
    }
}

/// Keeps the `cap` smallest items of a stream.
#[derive(Debug)]
struct Smallest {
    cap: usize,
    heap: BinaryHeap<Ranked>,
}

impl Smallest {
    fn new(cap: usize) -> Self {
        Smallest {
            cap,
            heap: BinaryHeap::new(),
        }
    }

    fn offer(&mut self, r: Ranked) {
        if self.cap == 0 {
            return;
        }
        if self.heap.len() < self.cap {
            self.heap.push(r);
        } else if self.heap.peek().is_some_and(|worst| r < *worst) {
            self.heap.pop();
            self.heap.push(r);
        }
    }

    fn into_sorted(self) -> Vec<Ranked> {
        self.heap.into_sorted_vec()
    }
}

/// Sentences to leave out: already labelled ones, or whole articles.
#[derive(Debug, Clone, Default)]
pub struct Exclusions {
    /// `(doc_id, start, end)` of sentences.
    pub sentences: HashSet<(String, usize, usize)>,
    /// Articles left out entirely.
    pub articles: HashSet<String>,
}

impl Exclusions {
    /// True when the sentence is excluded.
    pub fn contains(&self, doc_id: &str, start: usize, end: usize) -> bool {
        self.articles.contains(doc_id) || self.sentences.contains(&(doc_id.to_string(), start, end))
    }
}

/// Streams scored sentences and picks the suggestions.
#[derive(Debug)]
pub struct Suggester {
    config: SuggestConfig,
    thresholds: Vec<f32>,
    mode: Mode,
    exclude: Exclusions,
    uncertain: Smallest,
    random: Smallest,
    offered: u64,
    excluded: u64,
}

/// What [`Suggester::finish`] returns.
#[derive(Debug, Clone)]
pub struct Suggestions {
    /// The suggestions, in input order (article, then position).
    pub picks: Vec<Suggestion>,
    /// Sentences offered.
    pub offered: u64,
    /// Sentences left out because they were excluded.
    pub excluded: u64,
}

impl Suggester {
    /// A suggester for a model with these thresholds and mode.
    pub fn new(config: SuggestConfig, thresholds: &[f32], mode: Mode, exclude: Exclusions) -> Self {
        let n_random = config.n_random();
        let n_uncertain = config.n - n_random;
        // Room for picks lost to the article cap and to near-duplicates.
        let slack = |n: usize| if n == 0 { 0 } else { n * 8 + 64 };
        Suggester {
            uncertain: Smallest::new(slack(n_uncertain)),
            random: Smallest::new(slack(n_random)),
            thresholds: thresholds.to_vec(),
            mode,
            exclude,
            config,
            offered: 0,
            excluded: 0,
        }
    }

    /// Offers one scored sentence.
    pub fn offer(&mut self, candidate: Candidate) {
        self.offered += 1;
        if self
            .exclude
            .contains(&candidate.doc_id, candidate.start, candidate.end)
        {
            self.excluded += 1;
            return;
        }
        let m = margin(&candidate.scores, &self.thresholds, self.mode);
        let draw = self.draw(&candidate);
        let words = word_set(&candidate.text).len();
        if words >= self.config.min_words {
            self.uncertain.offer(Ranked {
                key: m,
                draw,
                margin: m,
                candidate: candidate.clone(),
            });
        }
        self.random.offer(Ranked {
            key: 0.0,
            draw,
            margin: m,
            candidate,
        });
    }

    fn draw(&self, c: &Candidate) -> u64 {
        let mut h = xxhash_rust::xxh3::Xxh3::with_seed(self.config.seed);
        h.update(c.doc_id.as_bytes());
        h.update(&[0]);
        h.update(&(c.start as u64).to_le_bytes());
        h.update(&(c.end as u64).to_le_bytes());
        h.digest()
    }

    /// Picks the suggestions: the random share first, then the most
    /// uncertain sentences, each respecting the article cap and skipping
    /// near-duplicates of sentences already picked.
    pub fn finish(self) -> Suggestions {
        let n_random = self.config.n_random();
        let mut picked: Vec<Suggestion> = Vec::new();
        let mut per_article: HashMap<String, usize> = HashMap::new();
        let mut seen_spans: HashSet<(String, usize)> = HashSet::new();
        let mut word_sets: Vec<BTreeSet<String>> = Vec::new();
        let mut take = |r: Ranked, selection: Selection, picked: &mut Vec<Suggestion>| -> bool {
            let c = &r.candidate;
            if seen_spans.contains(&(c.doc_id.clone(), c.start)) {
                return false;
            }
            if per_article.get(&c.doc_id).copied().unwrap_or(0) >= self.config.per_article {
                return false;
            }
            let words = word_set(&c.text);
            if !words.is_empty()
                && word_sets
                    .iter()
                    .any(|w| jaccard(w, &words) >= self.config.near_duplicate)
            {
                return false;
            }
            seen_spans.insert((c.doc_id.clone(), c.start));
            *per_article.entry(c.doc_id.clone()).or_default() += 1;
            word_sets.push(words);
            picked.push(Suggestion {
                margin: r.margin,
                selection,
                candidate: r.candidate,
            });
            true
        };
        let mut n = 0;
        for r in self.random.into_sorted() {
            if n == n_random {
                break;
            }
            if take(r, Selection::Random, &mut picked) {
                n += 1;
            }
        }
        for r in self.uncertain.into_sorted() {
            if picked.len() == self.config.n {
                break;
            }
            take(r, Selection::Uncertain, &mut picked);
        }
        picked.sort_by(|a, b| {
            (a.candidate.doc_id.as_str(), a.candidate.start)
                .cmp(&(b.candidate.doc_id.as_str(), b.candidate.start))
        });
        Suggestions {
            picks: picked,
            offered: self.offered,
            excluded: self.excluded,
        }
    }
}

/// Lower-cased alphanumeric words of a sentence.
fn word_set(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

fn jaccard(a: &BTreeSet<String>, b: &BTreeSet<String>) -> f64 {
    let inter = a.intersection(b).count();
    let union = a.len() + b.len() - inter;
    if union == 0 {
        1.0
    } else {
        inter as f64 / union as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand(doc: &str, start: usize, text: &str, score: f32) -> Candidate {
        Candidate {
            doc_id: doc.into(),
            sent_idx: start,
            start,
            end: start + text.len(),
            text: text.into(),
            scores: vec![score, 0.01],
        }
    }

    fn run(config: SuggestConfig, cands: &[Candidate], exclude: Exclusions) -> Vec<Suggestion> {
        let mut s = Suggester::new(config, &[0.5, 0.5], Mode::MultiLabel, exclude);
        for c in cands {
            s.offer(c.clone());
        }
        s.finish().picks
    }

    #[test]
    fn margin_is_distance_to_the_nearest_threshold_in_log_odds() {
        let m = margin(&[0.5, 0.9], &[0.5, 0.5], Mode::MultiLabel);
        assert!(m.abs() < 1e-6);
        let m = margin(&[0.9, 0.1], &[0.5, 0.5], Mode::MultiLabel);
        assert!((m - 9f32.ln()).abs() < 1e-4);
        let m = margin(&[0.6, 0.3, 0.1], &[], Mode::MultiClass);
        assert!((m - 2f32.ln()).abs() < 1e-5);
    }

    #[test]
    fn picks_the_most_uncertain_spread_over_articles() {
        let cands: Vec<Candidate> = (0..6)
            .map(|i| {
                cand(
                    if i < 4 { "a" } else { "b" },
                    i * 100,
                    &format!("sentence number {i} about distinct topic {}", i * 7),
                    0.5 + i as f32 * 0.05,
                )
            })
            .collect();
        let config = SuggestConfig {
            n: 3,
            random_fraction: 0.0,
            per_article: 2,
            ..Default::default()
        };
        let picks = run(config, &cands, Exclusions::default());
        let got: Vec<(&str, usize)> = picks
            .iter()
            .map(|p| (p.candidate.doc_id.as_str(), p.candidate.start))
            .collect();
        // a:0 and a:100 are the most uncertain; a's cap then passes to b.
        assert_eq!(got, [("a", 0), ("a", 100), ("b", 400)]);
        assert!(picks.iter().all(|p| p.selection == Selection::Uncertain));
    }

    #[test]
    fn near_duplicates_and_exclusions_are_left_out() {
        let cands = vec![
            cand(
                "a",
                0,
                "Missiles hit the port of Odesa overnight, officials said.",
                0.5,
            ),
            cand(
                "b",
                0,
                "Missiles hit the port of Odesa overnight, officials said!",
                0.51,
            ),
            cand("c", 0, "The talks will resume in Geneva next week.", 0.6),
            cand(
                "d",
                0,
                "A ceasefire was agreed on the northern front.",
                0.55,
            ),
        ];
        let mut exclude = Exclusions::default();
        exclude.articles.insert("d".into());
        let config = SuggestConfig {
            n: 4,
            random_fraction: 0.0,
            ..Default::default()
        };
        let picks = run(config, &cands, exclude);
        let docs: Vec<&str> = picks.iter().map(|p| p.candidate.doc_id.as_str()).collect();
        assert_eq!(docs, ["a", "c"]);
    }

    #[test]
    fn random_share_is_deterministic_for_a_seed_and_independent_of_order() {
        let cands: Vec<Candidate> = (0..200)
            .map(|i| {
                cand(
                    &format!("d{}", i / 5),
                    i,
                    &format!("words {i} x{} y{}", i * 3, i * 11),
                    0.99,
                )
            })
            .collect();
        let config = SuggestConfig {
            n: 20,
            random_fraction: 0.5,
            ..Default::default()
        };
        let a = run(config.clone(), &cands, Exclusions::default());
        let mut rev = cands.clone();
        rev.reverse();
        let b = run(config.clone(), &rev, Exclusions::default());
        assert_eq!(a, b);
        assert_eq!(a.len(), 20);
        assert_eq!(
            a.iter()
                .filter(|p| p.selection == Selection::Random)
                .count(),
            10
        );
        let other = run(
            SuggestConfig { seed: 7, ..config },
            &cands,
            Exclusions::default(),
        );
        assert_ne!(a, other);
    }
}
