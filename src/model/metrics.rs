//! Evaluation: per-label precision, recall, F1 and support; micro and macro
//! averages as scikit-learn defines them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Scores of one label.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct LabelScores {
    /// TP / (TP + FP); 0 when nothing was predicted.
    pub precision: f64,
    /// TP / (TP + FN); 0 when the label never occurs.
    pub recall: f64,
    /// Harmonic mean of precision and recall; 0 when both are 0.
    pub f1: f64,
    /// Number of true occurrences.
    pub support: usize,
}

/// Scores of a whole evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Evaluation {
    /// F1 over all (example, label) decisions pooled.
    pub micro_f1: f64,
    /// Unweighted mean of the per-label F1 scores.
    pub macro_f1: f64,
    /// Fraction of examples whose predicted label set is exactly right.
    pub subset_accuracy: f64,
    /// Number of examples evaluated.
    pub examples: usize,
    /// Scores per label.
    pub per_label: BTreeMap<String, LabelScores>,
}

/// True/false positive/negative counts of one label.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// True positives.
    pub tp: usize,
    /// False positives.
    pub fp: usize,
    /// False negatives.
    pub fn_: usize,
}

impl Counts {
    /// Precision, recall and F1 of these counts.
    pub fn scores(&self) -> LabelScores {
        let p = ratio(self.tp, self.tp + self.fp);
        let r = ratio(self.tp, self.tp + self.fn_);
        LabelScores {
            precision: p,
            recall: r,
            f1: f1(p, r),
            support: self.tp + self.fn_,
        }
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

fn f1(p: f64, r: f64) -> f64 {
    if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    }
}

/// Evaluates predicted label sets against true ones. Each set is a slice of
/// `bool` per label (`labels[k]` names column `k`).
pub fn evaluate(labels: &[String], truth: &[Vec<bool>], predicted: &[Vec<bool>]) -> Evaluation {
    let k = labels.len();
    let mut counts = vec![Counts::default(); k];
    let mut exact = 0;
    for (t, p) in truth.iter().zip(predicted) {
        if t == p {
            exact += 1;
        }
        for c in 0..k {
            match (t[c], p[c]) {
                (true, true) => counts[c].tp += 1,
                (false, true) => counts[c].fp += 1,
                (true, false) => counts[c].fn_ += 1,
                _ => {}
            }
        }
    }
    let total = counts.iter().fold(Counts::default(), |a, c| Counts {
        tp: a.tp + c.tp,
        fp: a.fp + c.fp,
        fn_: a.fn_ + c.fn_,
    });
    let per_label: BTreeMap<String, LabelScores> = labels
        .iter()
        .cloned()
        .zip(counts.iter().map(Counts::scores))
        .collect();
    let macro_f1 = if k == 0 {
        0.0
    } else {
        per_label.values().map(|s| s.f1).sum::<f64>() / k as f64
    };
    Evaluation {
        micro_f1: total.scores().f1,
        macro_f1,
        subset_accuracy: ratio(exact, truth.len()),
        examples: truth.len(),
        per_label,
    }
}

/// The threshold on `scores` that maximises F1 against `truth`, and that F1.
/// Candidates lie between consecutive distinct scores (their midpoint, or
/// the next `f32` above the lower one where the midpoint rounds onto it), so
/// `score >= threshold` on these very scores gives the F1 returned; ties go
/// to the threshold nearest 0.5, so the choice is deterministic.
pub fn best_f1_threshold(scores: &[f32], truth: &[bool]) -> (f32, f64) {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
    let positives = truth.iter().filter(|&&t| t).count();
    if positives == 0 {
        return (0.5, 0.0);
    }
    let (mut tp, mut fp) = (0usize, 0usize);
    let mut best: (f32, f64) = (0.5, -1.0);
    for (n, &i) in order.iter().enumerate() {
        if truth[i] {
            tp += 1;
        } else {
            fp += 1;
        }
        let next = order.get(n + 1).map(|&j| scores[j]);
        if next == Some(scores[i]) {
            continue; // a threshold cannot separate equal scores
        }
        let thr = match next {
            Some(s) => {
                let mid = ((f64::from(scores[i]) + f64::from(s)) / 2.0) as f32;
                if mid > s {
                    mid
                } else {
                    next_up(s)
                }
            }
            None => scores[i] / 2.0,
        };
        let f = f1(ratio(tp, tp + fp), ratio(tp, positives));
        let better = f > best.1 + 1e-12
            || ((f - best.1).abs() <= 1e-12 && (thr - 0.5).abs() < (best.0 - 0.5).abs());
        if better {
            best = (thr, f);
        }
    }
    best
}

/// The least `f32` above `x` (finite `x`). By hand because `f32::next_up`
/// needs Rust 1.86 and the crate supports 1.85.
fn next_up(x: f32) -> f32 {
    if x == 0.0 {
        f32::from_bits(1)
    } else if x > 0.0 {
        f32::from_bits(x.to_bits() + 1)
    } else {
        f32::from_bits(x.to_bits() - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn micro_and_macro_follow_scikit_learn() {
        let labels = vec!["a".to_string(), "b".to_string()];
        let truth = vec![
            vec![true, false],
            vec![true, true],
            vec![false, true],
            vec![false, false],
        ];
        let pred = vec![
            vec![true, false],
            vec![false, true],
            vec![true, true],
            vec![false, false],
        ];
        let e = evaluate(&labels, &truth, &pred);
        // a: tp1 fp1 fn1 -> f1 0.5; b: tp2 -> f1 1.0; micro: tp3 fp1 fn1 -> 0.75
        assert!((e.per_label["a"].f1 - 0.5).abs() < 1e-12);
        assert!((e.per_label["b"].f1 - 1.0).abs() < 1e-12);
        assert!((e.macro_f1 - 0.75).abs() < 1e-12);
        assert!((e.micro_f1 - 0.75).abs() < 1e-12);
        assert_eq!(e.per_label["a"].support, 2);
        assert!((e.subset_accuracy - 0.5).abs() < 1e-12);
    }

    #[test]
    fn best_threshold_separates_classes() {
        let scores = [0.9, 0.8, 0.35, 0.3, 0.1];
        let truth = [true, true, true, false, false];
        let (thr, f) = best_f1_threshold(&scores, &truth);
        assert!((f - 1.0).abs() < 1e-12);
        assert!(thr > 0.3 && thr < 0.35);
    }

    #[test]
    fn next_up_is_the_next_float() {
        assert_eq!(next_up(0.0), f32::from_bits(1));
        assert!(next_up(0.3) > 0.3);
        assert_eq!(f32::from_bits(next_up(0.3).to_bits() - 1), 0.3);
        assert!(next_up(-1.0) > -1.0 && next_up(-1.0) < -0.999_999);
    }
}
