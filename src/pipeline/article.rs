//! Scoring articles: split into sentences (or take the record whole), score
//! every sentence, decide labels.

use crate::model::frame_model::{Contribution, FrameModel, Scorer};
use crate::text::segment::{Segmenter, Sentence, SentenceKind};

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
    sentences: Vec<Sentence>,
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
            sentences: Vec::new(),
            unit,
            explain,
        }
    }

    /// Scores every unit of `text`, appending to `out` (cleared first).
    pub fn score(&mut self, text: &str, out: &mut Vec<ScoredSentence>) {
        out.clear();
        self.sentences.clear();
        match self.unit {
            Unit::Sentence => self.segmenter.split_into(text, &mut self.sentences),
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
        let k = self.model.labels().len();
        for (i, s) in self.sentences.iter().enumerate() {
            let mut scores = vec![0f32; k];
            self.scorer.score(&text[s.start..s.end], &mut scores);
            let labels = self.model.decide(&scores);
            let explain = if self.explain > 0 {
                (0..k)
                    .filter(|&c| labels[c])
                    .map(|c| (c, self.scorer.explain(c, self.explain)))
                    .collect()
            } else {
                Vec::new()
            };
            out.push(ScoredSentence {
                sent_idx: i,
                start: s.start,
                end: s.end,
                scores,
                labels,
                explain,
            });
        }
        self.scorer.trim_cache();
    }
}
