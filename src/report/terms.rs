//! The n-grams that raise each label most, for people to read: whole-word
//! n-grams and character n-grams apart, each shown once.

use std::collections::HashSet;

use crate::model::{Contribution, FrameModel};

/// One label's strongest n-grams.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelTerms {
    /// The label.
    pub label: String,
    /// Whole-word n-grams (stemmed), strongest first.
    pub words: Vec<Contribution>,
    /// Character n-grams (`<` and `>` mark word edges), strongest first.
    pub chars: Vec<Contribution>,
}

/// Per label, the `n` word n-grams and the `n` character n-grams with the
/// largest positive weights. A name is shown once (two buckets can carry
/// the same n-gram), and an n-gram that only repeats one word ("war war")
/// is left out as saying nothing new.
pub fn top_terms(model: &FrameModel, n: usize) -> Vec<LabelTerms> {
    let k = model.labels().len();
    let v = model.vectorizer();
    let (names, buckets) = (v.names(), v.buckets());
    let config = model.feature_config();
    let weights = &model.weights;
    model
        .labels()
        .iter()
        .enumerate()
        .map(|(c, label)| {
            let mut idx: Vec<usize> = (0..names.len())
                .filter(|&j| weights[j * k + c] > 0.0)
                .collect();
            idx.sort_by(|&a, &b| {
                weights[b * k + c]
                    .total_cmp(&weights[a * k + c])
                    .then(a.cmp(&b))
            });
            let mut seen: HashSet<(bool, &str)> = HashSet::new();
            let (mut words, mut chars) = (Vec::new(), Vec::new());
            for j in idx {
                if words.len() >= n && chars.len() >= n {
                    break;
                }
                let name = names[j].as_str();
                let is_char = config.is_char_bucket(buckets[j]);
                let list = if is_char { &mut chars } else { &mut words };
                if list.len() >= n || name.is_empty() || !seen.insert((is_char, name)) {
                    continue;
                }
                if !is_char && repeats_one_word(name) {
                    continue;
                }
                list.push(Contribution {
                    ngram: name.to_string(),
                    value: weights[j * k + c],
                });
            }
            LabelTerms {
                label: label.clone(),
                words,
                chars,
            }
        })
        .collect()
}

/// "war war": more than one word, all the same.
fn repeats_one_word(ngram: &str) -> bool {
    let mut words = ngram.split(' ');
    let first = words.next().unwrap_or_default();
    let mut rest = words.peekable();
    rest.peek().is_some() && rest.all(|w| w == first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_words_are_recognised() {
        assert!(repeats_one_word("war war"));
        assert!(!repeats_one_word("war"));
        assert!(!repeats_one_word("war zone"));
    }

    #[test]
    fn default_model_terms_are_unique_and_split_by_kind() {
        let model = crate::default_model();
        let terms = top_terms(&model, 15);
        assert_eq!(terms.len(), model.labels().len());
        for t in &terms {
            assert!(!t.words.is_empty(), "{}", t.label);
            let unique: HashSet<&str> = t.words.iter().map(|c| c.ngram.as_str()).collect();
            assert_eq!(unique.len(), t.words.len(), "{:?}", t.words);
            assert!(t.words.windows(2).all(|w| w[0].value >= w[1].value));
            if !model.feature_config().has_chars() {
                assert!(t.chars.is_empty());
            }
        }
    }
}
