//! Scoring articles: split into sentences (or take the record whole), score
//! every sentence, decide labels.

use crate::model::frame_model::{Contribution, FrameModel, Mode, Scorer};
use crate::text::segment::{Segmenter, Sentence, SentenceKind, SplitScratch};

/// What one output row describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Each sentence of the article.
    Sentence,
    /// The whole record as one unit (pre-split sentences).
    Record,
}

/// One scored sentence. `start..end` are UTF-8 byte offsets into the
/// article text.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoredSentence {
    /// 0-based position in the article.
    pub sent_idx: usize,
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
    /// One probability per model label.
    pub scores: Vec<f32>,
    /// Whether each label was assigned.
    pub labels: Vec<bool>,
    /// For each assigned label (by index), the n-grams that raised it most.
    pub explain: Vec<(usize, Vec<Contribution>)>,
}

/// Scores articles with one model; one per thread.
pub struct ArticleScorer<'m> {
    model: &'m FrameModel,
    scorer: Scorer<'m>,
    segmenter: Segmenter,
    split: SplitScratch,
    sentences: Vec<Sentence>,
    /// Rows of earlier calls, reused so a sentence costs no allocation.
    spare: Vec<ScoredSentence>,
    unit: Unit,
    explain: usize,
}

impl<'m> ArticleScorer<'m> {
    /// A scorer for `unit`s, explaining each label with `explain` n-grams
    /// (0 = no explanations).
    pub fn new(model: &'m FrameModel, unit: Unit, explain: usize) -> Self {
        ArticleScorer {
            model,
            scorer: model.scorer(),
            segmenter: Segmenter::new(),
            split: SplitScratch::default(),
            sentences: Vec::new(),
            spare: Vec::new(),
            unit,
            explain,
        }
    }

    /// Scores every unit of `text`, appending to `out` (cleared first).
    pub fn score(&mut self, text: &str, out: &mut Vec<ScoredSentence>) {
        self.spare.append(out);
        self.sentences.clear();
        match self.unit {
            Unit::Sentence => {
                self.segmenter
                    .split_reusing(text, &mut self.sentences, &mut self.split)
            }
            Unit::Record => {
                let trimmed = text.trim_start();
                let start = text.len() - trimmed.len();
                let end = start + trimmed.trim_end().len();
                if end > start {
                    self.sentences.push(Sentence {
                        start,
                        end,
                        kind: SentenceKind::Prose,
                    });
                }
            }
        }
        let model = self.model;
        let k = model.labels().len();
        for (i, s) in self.sentences.iter().enumerate() {
            let mut row = self.spare.pop().unwrap_or_else(|| ScoredSentence {
                sent_idx: 0,
                start: 0,
                end: 0,
                scores: Vec::new(),
                labels: Vec::new(),
                explain: Vec::new(),
            });
            row.scores.clear();
            row.scores.resize(k, 0.0);
            self.scorer.score(&text[s.start..s.end], &mut row.scores);
            match model.mode() {
                // What `FrameModel::decide` gives, without a new vector.
                Mode::MultiLabel => {
                    row.labels.clear();
                    row.labels.extend(
                        row.scores
                            .iter()
                            .zip(model.thresholds())
                            .map(|(s, t)| s >= t),
                    );
                }
                Mode::MultiClass => row.labels = model.decide(&row.scores),
            }
            row.explain.clear();
            if self.explain > 0 {
                row.explain.extend(
                    (0..k)
                        .filter(|&c| row.labels[c])
                        .map(|c| (c, self.scorer.explain(c, self.explain))),
                );
            }
            row.sent_idx = i;
            row.start = s.start;
            row.end = s.end;
            out.push(row);
        }
        self.scorer.trim_cache();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reused_rows_equal_fresh_scoring_and_model_decisions() {
        let model = crate::default_model();
        let texts = [
            "Shelling hit the port. Aid trucks waited at the border. Kyiv blamed Moscow.",
            "One sentence only.",
            "",
            "Missiles struck Kharkiv overnight. Officials promised security guarantees. \
             Talks resumed. Refugees crossed into Poland.",
        ];
        let mut reused = ArticleScorer::new(&model, Unit::Sentence, 2);
        let mut out = Vec::new();
        for text in texts {
            reused.score(text, &mut out);
            let mut fresh_out = Vec::new();
            ArticleScorer::new(&model, Unit::Sentence, 2).score(text, &mut fresh_out);
            assert_eq!(out, fresh_out);
            let mut scorer = model.scorer();
            for row in &out {
                let mut scores = vec![0f32; model.labels().len()];
                scorer.score(&text[row.start..row.end], &mut scores);
                assert_eq!(row.scores, scores);
                assert_eq!(row.labels, model.decide(&scores));
            }
        }
    }
}
