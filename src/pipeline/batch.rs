//! Scoring many texts held in memory at once, on the current rayon pool,
//! for callers that have them as a list (the Python package): the results
//! come back in input order and do not depend on the number of threads.

use rayon::prelude::*;

use crate::model::frame_model::FrameModel;
use crate::pipeline::article::{ArticleScorer, ScoredSentence, Unit};

/// Texts per rayon task: large enough that each task's scorer warms its
/// term cache, small enough to spread a few thousand texts over all cores.
const MIN_TEXTS_PER_TASK: usize = 64;

/// Scores every text by `unit` (as [`ArticleScorer`] does), in parallel on
/// the current rayon pool; one list of rows per text, in input order. A
/// text with nothing to score gets an empty list.
///
/// ```
/// use frametag::pipeline::score_texts;
/// use frametag::Unit;
///
/// let model = frametag::default_model();
/// let texts = ["Shelling resumed at dawn. Aid trucks were turned back.", "   "];
/// let rows = score_texts(&model, &texts, Unit::Sentence, 0);
/// assert_eq!(rows[0].len(), 2);
/// assert!(rows[1].is_empty());
/// ```
pub fn score_texts<T: AsRef<str> + Sync>(
    model: &FrameModel,
    texts: &[T],
    unit: Unit,
    explain: usize,
) -> Vec<Vec<ScoredSentence>> {
    texts
        .par_iter()
        .with_min_len(MIN_TEXTS_PER_TASK)
        .map_init(
            || ArticleScorer::new(model, unit, explain),
            |scorer, text| {
                let mut rows = Vec::new();
                scorer.score(text.as_ref(), &mut rows);
                rows
            },
        )
        .collect()
}

/// One probability per label for each text scored whole (as
/// `--unit record` scores a record), in parallel on the current rayon
/// pool: `texts.len() x labels` values, row-major, in input order. A text
/// with no words gets the scores of empty text (the model's biases).
///
/// ```
/// let model = frametag::default_model();
/// let k = model.labels().len();
/// let scores = frametag::pipeline::score_records(&model, &["Missiles hit the port.", ""]);
/// assert_eq!(scores.len(), 2 * k);
/// ```
pub fn score_records<T: AsRef<str> + Sync>(model: &FrameModel, texts: &[T]) -> Vec<f32> {
    let k = model.labels().len();
    let mut out = vec![0f32; texts.len() * k];
    if k == 0 {
        return out;
    }
    out.par_chunks_mut(k)
        .zip(texts.par_iter())
        .with_min_len(MIN_TEXTS_PER_TASK)
        .for_each_init(
            || model.scorer(),
            |scorer, (row, text)| {
                // The trimmed text, as Unit::Record scores it.
                scorer.score(text.as_ref().trim(), row);
                scorer.trim_cache();
            },
        );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_scores_equal_one_at_a_time_whatever_the_threads() {
        let model = crate::default_model();
        let texts: Vec<String> = (0..300)
            .map(|i| {
                format!(
                    "Missiles struck the port {i} times overnight. Aid convoys reached \
                     {i} families. The talks resume on Monday."
                )
            })
            .collect();
        let mut one = ArticleScorer::new(&model, Unit::Sentence, 2);
        let expected: Vec<Vec<ScoredSentence>> = texts
            .iter()
            .map(|t| {
                let mut rows = Vec::new();
                one.score(t, &mut rows);
                rows
            })
            .collect();
        for threads in [1, 3] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let got = pool.install(|| score_texts(&model, &texts, Unit::Sentence, 2));
            assert_eq!(got, expected, "{threads} threads");
        }
    }

    #[test]
    fn records_score_as_the_record_unit_does() {
        let model = crate::default_model();
        let k = model.labels().len();
        let texts = [
            "  A drone hit a school overnight, wounding three children.\n",
            "Shelling resumed at dawn. Talks are due in Geneva.",
            "",
        ];
        let got = score_records(&model, &texts);
        let mut record = ArticleScorer::new(&model, Unit::Record, 0);
        let mut rows = Vec::new();
        for (i, t) in texts.iter().enumerate().take(2) {
            record.score(t, &mut rows);
            assert_eq!(rows.len(), 1);
            assert_eq!(&got[i * k..(i + 1) * k], rows[0].scores.as_slice());
        }
        let mut empty = vec![0f32; k];
        model.scorer().score("", &mut empty);
        assert_eq!(&got[2 * k..], empty.as_slice());
    }
}
