//! Assessing a saved model on labelled data: the raw scores of every
//! example, the label decisions and their evaluation, the confusion counts,
//! the precision-recall and F1-against-threshold curves, and the mistakes
//! with the n-grams that drove them.
//!
//! Everything here is computed through [`FrameModel::scorer`], so it sees
//! exactly what scoring an archive would.

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::io::dataset::LabeledData;
use crate::model::frame_model::{Contribution, FrameModel, Mode};
use crate::model::metrics::{evaluate, Evaluation};

/// A model's scores and decisions on one labelled data set.
#[derive(Debug, Clone)]
pub struct Assessment {
    /// The model's labels, in score order.
    pub labels: Vec<String>,
    /// Multi-label or multi-class.
    pub mode: Mode,
    /// The thresholds the decisions used (ignored in multi-class mode).
    pub thresholds: Vec<f32>,
    /// One score per label for each example.
    pub scores: Vec<Vec<f32>>,
    /// The true labels of each example, aligned to `labels`.
    pub truth: Vec<Vec<bool>>,
    /// The predicted labels of each example.
    pub predicted: Vec<Vec<bool>>,
    /// Precision, recall, F1 and support.
    pub evaluation: Evaluation,
    /// The confusion counts.
    pub confusion: Confusion,
}

/// True/false positive/negative counts of one label, with true negatives.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelCounts {
    /// Predicted and true.
    pub tp: usize,
    /// Predicted, not true.
    pub fp: usize,
    /// True, not predicted.
    #[serde(rename = "fn")]
    pub fn_: usize,
    /// Neither.
    pub tn: usize,
}

/// Confusion counts of an evaluation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Confusion {
    /// Per label, its 2x2 counts (multi-label and multi-class models alike).
    pub per_label: BTreeMap<String, LabelCounts>,
    /// Multi-class models: rows are true labels, columns predicted labels,
    /// in the order of `matrix_labels`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matrix: Option<Vec<Vec<usize>>>,
    /// Row names of `matrix`: the model's labels, then [`NO_LABEL`] when
    /// some examples carry none of them (columns are the model's labels).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub matrix_labels: Vec<String>,
}

/// The row of a multi-class confusion matrix for examples that carry none
/// of the model's labels.
pub const NO_LABEL: &str = "(none)";

impl Confusion {
    /// Counts from true and predicted label sets over `labels`.
    pub fn new(
        labels: &[String],
        mode: Mode,
        truth: &[Vec<bool>],
        predicted: &[Vec<bool>],
    ) -> Self {
        let k = labels.len();
        let mut counts = vec![LabelCounts::default(); k];
        for (t, p) in truth.iter().zip(predicted) {
            for c in 0..k {
                match (t[c], p[c]) {
                    (true, true) => counts[c].tp += 1,
                    (false, true) => counts[c].fp += 1,
                    (true, false) => counts[c].fn_ += 1,
                    (false, false) => counts[c].tn += 1,
                }
            }
        }
        let per_label = labels.iter().cloned().zip(counts).collect();
        if mode == Mode::MultiLabel {
            return Confusion {
                per_label,
                matrix: None,
                matrix_labels: Vec::new(),
            };
        }
        let unlabelled = truth.iter().any(|t| !t.contains(&true));
        let rows = k + usize::from(unlabelled);
        let mut matrix = vec![vec![0usize; k]; rows];
        for (t, p) in truth.iter().zip(predicted) {
            let Some(col) = p.iter().position(|&x| x) else {
                continue;
            };
            if !t.contains(&true) {
                matrix[k][col] += 1;
            }
            // An example with several true labels counts once in each row.
            for (row, _) in t.iter().enumerate().filter(|(_, &x)| x) {
                matrix[row][col] += 1;
            }
        }
        let mut matrix_labels = labels.to_vec();
        if unlabelled {
            matrix_labels.push(NO_LABEL.to_string());
        }
        Confusion {
            per_label,
            matrix: Some(matrix),
            matrix_labels,
        }
    }
}

/// Scores every example of `data` with `model` (on all cores; the result
/// does not depend on their number) and evaluates the decisions.
pub fn assess(model: &FrameModel, data: &LabeledData) -> Assessment {
    let labels = model.labels().to_vec();
    let truth = data.truth_matrix(&labels);
    let scores: Vec<Vec<f32>> = data
        .texts
        .par_iter()
        .map_init(
            || model.scorer(),
            |scorer, text| {
                let mut out = vec![0f32; labels.len()];
                scorer.score(text, &mut out);
                out
            },
        )
        .collect();
    let predicted: Vec<Vec<bool>> = scores.iter().map(|s| model.decide(s)).collect();
    let evaluation = evaluate(&labels, &truth, &predicted);
    let confusion = Confusion::new(&labels, model.mode(), &truth, &predicted);
    Assessment {
        labels,
        mode: model.mode(),
        thresholds: model.thresholds().to_vec(),
        scores,
        truth,
        predicted,
        evaluation,
        confusion,
    }
}

/// One point of a label's precision-recall / F1 curve: the figures when
/// every example scoring at least `threshold` is called positive.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CurvePoint {
    /// The threshold.
    pub threshold: f64,
    /// Precision at it.
    pub precision: f64,
    /// Recall at it.
    pub recall: f64,
    /// F1 at it.
    pub f1: f64,
}

/// The precision-recall curve of one label: one point per distinct score,
/// from the highest threshold down. Empty when the label never occurs.
pub fn label_curve(scores: &[f32], truth: &[bool]) -> Vec<CurvePoint> {
    let positives = truth.iter().filter(|&&t| t).count();
    if positives == 0 {
        return Vec::new();
    }
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
    let (mut tp, mut fp) = (0usize, 0usize);
    let mut points = Vec::new();
    for (n, &i) in order.iter().enumerate() {
        if truth[i] {
            tp += 1;
        } else {
            fp += 1;
        }
        if order.get(n + 1).is_some_and(|&j| scores[j] == scores[i]) {
            continue; // a threshold cannot separate equal scores
        }
        let precision = tp as f64 / (tp + fp) as f64;
        let recall = tp as f64 / positives as f64;
        let f1 = if precision + recall == 0.0 {
            0.0
        } else {
            2.0 * precision * recall / (precision + recall)
        };
        points.push(CurvePoint {
            threshold: scores[i] as f64,
            precision,
            recall,
            f1,
        });
    }
    points
}

/// Whether a mistake is a false positive or a false negative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MistakeKind {
    /// The label was predicted but is not true.
    FalsePositive,
    /// The label is true but was not predicted.
    FalseNegative,
}

impl MistakeKind {
    /// `FP` or `FN`.
    pub fn code(self) -> &'static str {
        match self {
            MistakeKind::FalsePositive => "FP",
            MistakeKind::FalseNegative => "FN",
        }
    }
}

/// One wrong decision on one example.
#[derive(Debug, Clone, PartialEq)]
pub struct Mistake {
    /// Index of the example in the data.
    pub example: usize,
    /// FP or FN.
    pub kind: MistakeKind,
    /// Index of the label in the model's labels.
    pub label: usize,
    /// The label's score.
    pub score: f32,
    /// What it was measured against: the threshold (multi-label) or, in
    /// multi-class mode, the score of the label that won (false negative)
    /// or of the best true label (false positive; 0 when none is true).
    pub against: f32,
    /// How far on the wrong side: `|score - against|`. Larger is worse.
    pub margin: f32,
    /// The n-grams that raised the score of the label that drove the
    /// decision: the wrongly predicted label for a false positive; for a
    /// false negative, the missed label (multi-label) or the label that won
    /// instead (multi-class).
    pub drivers: Vec<Contribution>,
    /// Name of the label the drivers are for.
    pub drivers_for: usize,
}

/// Every false positive and false negative of `assessment` (made by
/// `model` on `data`), worst (largest margin) first, ties in data order;
/// each with its `top` driving n-grams.
pub fn mistakes(
    model: &FrameModel,
    data: &LabeledData,
    assessment: &Assessment,
    top: usize,
) -> Vec<Mistake> {
    let a = assessment;
    let k = a.labels.len();
    let mut found: Vec<Mistake> = (0..a.scores.len())
        .into_par_iter()
        .map_init(
            || (model.scorer(), vec![0f32; k]),
            |(scorer, buf), i| {
                let (s, t, p) = (&a.scores[i], &a.truth[i], &a.predicted[i]);
                if t == p {
                    return Vec::new();
                }
                scorer.score(&data.texts[i], buf);
                let winner = p.iter().position(|&x| x).unwrap_or(0);
                let best_true = (0..k).filter(|&c| t[c]).map(|c| s[c]).fold(0f32, f32::max);
                (0..k)
                    .filter(|&c| t[c] != p[c])
                    .map(|c| {
                        let kind = if p[c] {
                            MistakeKind::FalsePositive
                        } else {
                            MistakeKind::FalseNegative
                        };
                        let (against, drivers_for) = match (a.mode, kind) {
                            (Mode::MultiLabel, _) => (a.thresholds[c], c),
                            (Mode::MultiClass, MistakeKind::FalsePositive) => (best_true, c),
                            (Mode::MultiClass, MistakeKind::FalseNegative) => (s[winner], winner),
                        };
                        Mistake {
                            example: i,
                            kind,
                            label: c,
                            score: s[c],
                            against,
                            margin: (s[c] - against).abs(),
                            drivers: scorer.explain(drivers_for, top),
                            drivers_for,
                        }
                    })
                    .collect()
            },
        )
        .flatten()
        .collect();
    found.sort_by(|x, y| {
        y.margin
            .total_cmp(&x.margin)
            .then(x.example.cmp(&y.example))
            .then(x.label.cmp(&y.label))
    });
    found
}

/// Writes `mistakes` as CSV: file, line, kind, label, score, against,
/// margin, the driving n-grams (with the label they drove) and the text.
pub fn mistakes_csv(data: &LabeledData, labels: &[String], mistakes: &[Mistake]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "file", "line", "kind", "label", "score", "against", "margin", "drivers", "text",
    ])
    .expect("writing to memory");
    for m in mistakes {
        let file = match data.file_of.get(m.example) {
            Some(&f) => data.files[f as usize].display().to_string(),
            None => data.path.display().to_string(),
        };
        let drivers: Vec<String> = m
            .drivers
            .iter()
            .map(|c| format!("{} ({:.2})", c.ngram, c.value))
            .collect();
        let drivers = match drivers.is_empty() {
            true => String::new(),
            false => format!("{}: {}", labels[m.drivers_for], drivers.join(", ")),
        };
        w.write_record([
            file,
            data.lines.get(m.example).copied().unwrap_or(0).to_string(),
            m.kind.code().to_string(),
            labels[m.label].clone(),
            format!("{:.4}", m.score),
            format!("{:.4}", m.against),
            format!("{:.4}", m.margin),
            drivers,
            data.texts[m.example].clone(),
        ])
        .expect("writing to memory");
    }
    w.into_inner().expect("writing to memory")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn multi_class_matrix_counts_true_rows_and_predicted_columns() {
        let labels = names(&["a", "b"]);
        let truth = vec![
            vec![true, false],
            vec![true, false],
            vec![false, true],
            vec![false, false],
        ];
        let pred = vec![
            vec![true, false],
            vec![false, true],
            vec![false, true],
            vec![true, false],
        ];
        let c = Confusion::new(&labels, Mode::MultiClass, &truth, &pred);
        assert_eq!(c.matrix, Some(vec![vec![1, 1], vec![0, 1], vec![1, 0]]));
        assert_eq!(c.matrix_labels, names(&["a", "b", NO_LABEL]));
        assert_eq!(
            c.per_label["a"],
            LabelCounts {
                tp: 1,
                fp: 1,
                fn_: 1,
                tn: 1
            }
        );
        let m = Confusion::new(&labels, Mode::MultiLabel, &truth, &pred);
        assert!(m.matrix.is_none());
        assert_eq!(m.per_label["b"].tp + m.per_label["b"].fp, 2);
    }

    #[test]
    fn curve_steps_through_distinct_scores() {
        let scores = [0.9, 0.8, 0.8, 0.3];
        let truth = [true, false, true, false];
        let c = label_curve(&scores, &truth);
        assert_eq!(c.len(), 3, "{c:?}");
        assert_eq!((c[0].precision, c[0].recall), (1.0, 0.5));
        assert!((c[1].precision - 2.0 / 3.0).abs() < 1e-12 && c[1].recall == 1.0);
        assert_eq!(c[2].precision, 0.5);
        assert!(label_curve(&scores, &[false; 4]).is_empty());
    }
}
