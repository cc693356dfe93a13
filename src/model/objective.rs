//! The objective of a model: how a [`Mode`] is fitted, how it turns feature
//! rows into probabilities, how it decides labels, and how its thresholds
//! are tuned; every place that differs between one-vs-rest and softmax is
//! here.
//!
//! Training predicts out of fold with [`probabilities`], the function the
//! [`Scorer`](crate::model::Scorer) uses, on the `f32` weights a model file
//! keeps; so the numbers that tune a threshold are the numbers it is
//! applied to.

use linfa::ParamGuard;
use rayon::prelude::*;

use crate::error::Result;
use crate::features::sparse::{CsrMatrix, RowView};
use crate::model::frame_model::Mode;
use crate::model::logistic::{
    BinaryLogistic, LogisticParams, MultinomialLogistic, ValidLogisticParams,
};
use crate::model::metrics::best_f1_threshold;
use crate::model::progress::Progress;
use crate::model::train::Thresholds;

/// Bias of a class that never occurred in a softmax fit: its probability
/// underflows to 0.
const ABSENT_CLASS_BIAS: f32 = -1e3;

/// Fitted linear weights as a model keeps them.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Linear {
    /// `n_features x n_labels`, row-major by feature.
    pub weights: Vec<f32>,
    /// One bias per label.
    pub bias: Vec<f32>,
}

impl Linear {
    /// Adds `other`'s weights and biases (same shape) to these.
    pub(crate) fn add(&mut self, other: &Linear) {
        debug_assert_eq!(self.weights.len(), other.weights.len());
        for (w, o) in self.weights.iter_mut().zip(&other.weights) {
            *w += o;
        }
        for (b, o) in self.bias.iter_mut().zip(&other.bias) {
            *b += o;
        }
    }

    /// Multiplies every weight and bias by `factor`.
    pub(crate) fn scale(&mut self, factor: f32) {
        for w in self.weights.iter_mut().chain(self.bias.iter_mut()) {
            *w *= factor;
        }
    }
}

/// A mode with its fitting settings (all but the penalty).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Objective {
    mode: Mode,
    balanced: bool,
    max_iterations: u64,
}

impl Objective {
    /// The objective of `mode`.
    pub fn new(mode: Mode, balanced: bool, max_iterations: u64) -> Self {
        Objective {
            mode,
            balanced,
            max_iterations,
        }
    }

    fn params(&self, alpha: f64) -> Result<ValidLogisticParams> {
        LogisticParams::default()
            .alpha(alpha)
            .balanced(self.balanced)
            .max_iterations(self.max_iterations)
            .check()
    }

    /// Fits weights for all labels with L2 penalty `alpha`, starting from
    /// `start` (weights of the same columns and labels, such as the fold
    /// models' mean at that penalty) or, without it, from zero.
    pub fn fit(
        &self,
        x: &CsrMatrix,
        truth: &[Vec<bool>],
        alpha: f64,
        start: Option<&Linear>,
        progress: Progress<'_>,
    ) -> Result<Linear> {
        let mut path = self.fit_path(RowView::all(x), truth, &[alpha], start, false, progress)?;
        Ok(path.pop().expect("one penalty, one fit"))
    }

    /// Fits weights for all labels on the rows of `x` at each penalty of
    /// `alphas`, in that order (labels in parallel for one-vs-rest);
    /// `truth[i]` is the truth of matrix row `i`. The first fit starts from
    /// `start` if given (and shaped `x.n_cols() x labels`), else from zero.
    /// With `warm`, each later fit starts from the previous penalty's
    /// solution, which saves most of the iterations when the penalties go
    /// from large to small. A start changes where L-BFGS stops within its
    /// tolerance, not the optimum (the penalised loss is strictly convex).
    pub fn fit_path(
        &self,
        x: RowView<'_>,
        truth: &[Vec<bool>],
        alphas: &[f64],
        start: Option<&Linear>,
        warm: bool,
        progress: Progress<'_>,
    ) -> Result<Vec<Linear>> {
        let k = truth.first().map_or(0, Vec::len);
        let d = x.n_cols();
        let start = start.filter(|l| l.weights.len() == d * k && l.bias.len() == k);
        let params: Vec<ValidLogisticParams> = alphas
            .iter()
            .map(|&a| self.params(a))
            .collect::<Result<_>>()?;
        match self.mode {
            Mode::MultiLabel => {
                // fits[c][a]: label c at penalty a.
                let fits: Vec<Vec<BinaryLogistic>> = (0..k)
                    .into_par_iter()
                    .map(|c| {
                        let y: Vec<bool> = (0..x.n_rows()).map(|r| truth[x.index(r)][c]).collect();
                        let first = start.map(|l| BinaryLogistic {
                            weights: (0..d).map(|j| l.weights[j * k + c] as f64).collect(),
                            intercept: l.bias[c] as f64,
                        });
                        let mut path: Vec<BinaryLogistic> = Vec::with_capacity(params.len());
                        for p in &params {
                            let from = match path.last() {
                                None => first.as_ref(),
                                Some(previous) => warm.then_some(previous),
                            };
                            let fit = p.fit_binary(x, &y, &[], from)?;
                            progress.fitted();
                            path.push(fit);
                        }
                        Ok(path)
                    })
                    .collect::<Result<_>>()?;
                Ok((0..params.len())
                    .map(|a| {
                        let mut weights = vec![0.0; d * k];
                        for (c, f) in fits.iter().enumerate() {
                            for j in 0..d {
                                weights[j * k + c] = f[a].weights[j] as f32;
                            }
                        }
                        let bias = fits.iter().map(|f| f[a].intercept as f32).collect();
                        Linear { weights, bias }
                    })
                    .collect())
            }
            Mode::MultiClass => {
                let y: Vec<usize> = (0..x.n_rows())
                    .map(|r| truth[x.index(r)].iter().position(|&b| b).unwrap_or(0))
                    .collect();
                // The classes this fit sees (`fit_multinomial` fits
                // 0..=max): the start's other classes are padding.
                let seen = y.iter().max().map_or(0, |m| m + 1).min(k);
                let first = start.map(|l| MultinomialLogistic {
                    weights: (0..d)
                        .flat_map(|j| l.weights[j * k..j * k + seen].iter().map(|&w| w as f64))
                        .collect(),
                    intercepts: l.bias[..seen].iter().map(|&b| b as f64).collect(),
                });
                let mut path: Vec<MultinomialLogistic> = Vec::with_capacity(params.len());
                for p in &params {
                    let from = match path.last() {
                        None => first.as_ref(),
                        Some(previous) => warm.then_some(previous),
                    };
                    let fit = p.fit_multinomial(x, y.clone(), &[], from)?;
                    progress.fitted();
                    path.push(fit);
                }
                Ok(path
                    .iter()
                    .map(|f| {
                        // Classes beyond the largest index seen get no
                        // weights: pad.
                        let seen = f.intercepts.len();
                        let mut weights = vec![0.0; d * k];
                        for j in 0..d {
                            for c in 0..seen {
                                weights[j * k + c] = f.weights[j * seen + c] as f32;
                            }
                        }
                        let mut bias: Vec<f32> = f.intercepts.iter().map(|&b| b as f32).collect();
                        bias.resize(k, ABSENT_CLASS_BIAS);
                        Linear { weights, bias }
                    })
                    .collect())
            }
        }
    }

    /// Number of fits [`Objective::fit_path`] makes for `labels` labels and
    /// `penalties` penalties.
    pub fn fits(&self, labels: usize, penalties: usize) -> u64 {
        let per_penalty = match self.mode {
            Mode::MultiLabel => labels,
            Mode::MultiClass => 1,
        };
        (per_penalty * penalties) as u64
    }

    /// Probabilities of every row of `x`.
    #[cfg(test)]
    pub fn predict(&self, linear: &Linear, x: &CsrMatrix) -> Vec<Vec<f32>> {
        self.predict_rows(linear, RowView::all(x))
    }

    /// Probabilities of the rows of `x`.
    pub fn predict_rows(&self, linear: &Linear, x: RowView<'_>) -> Vec<Vec<f32>> {
        let k = linear.bias.len();
        let mut z = vec![0f32; k];
        (0..x.n_rows())
            .map(|i| {
                let (cols, vals) = x.row(i);
                let mut out = vec![0f32; k];
                probabilities(
                    self.mode,
                    &linear.weights,
                    &linear.bias,
                    cols.iter().copied().zip(vals.iter().copied()),
                    &mut z,
                    &mut out,
                );
                out
            })
            .collect()
    }

    /// Thresholds per label from held-out probabilities: each label's F1
    /// maximised, or one fixed value; none in multi-class mode (0, the top
    /// label wins).
    pub fn tune(&self, scores: &[Vec<f32>], truth: &[Vec<bool>], rule: Thresholds) -> Vec<f32> {
        let k = truth.first().map_or(0, Vec::len);
        match (self.mode, rule) {
            (Mode::MultiClass, _) => vec![0.0; k],
            (Mode::MultiLabel, Thresholds::Fixed(t)) => vec![t; k],
            (Mode::MultiLabel, Thresholds::TuneF1) => (0..k)
                .map(|c| {
                    let s: Vec<f32> = scores.iter().map(|r| r[c]).collect();
                    let t: Vec<bool> = truth.iter().map(|r| r[c]).collect();
                    best_f1_threshold(&s, &t).0
                })
                .collect(),
        }
    }

    /// Label decisions of many score rows.
    pub fn decide_all(&self, scores: &[Vec<f32>], thresholds: &[f32]) -> Vec<Vec<bool>> {
        scores
            .iter()
            .map(|s| decide(self.mode, s, thresholds))
            .collect()
    }

    /// Always predicting each label's majority answer (the most frequent
    /// class in multi-class mode): the baseline a model must beat.
    pub fn majority(&self, truth: &[Vec<bool>]) -> Vec<Vec<bool>> {
        let k = truth.first().map_or(0, Vec::len);
        let counts: Vec<usize> = (0..k)
            .map(|c| truth.iter().filter(|t| t[c]).count())
            .collect();
        let guess: Vec<bool> = match self.mode {
            Mode::MultiLabel => counts.iter().map(|&n| 2 * n > truth.len()).collect(),
            Mode::MultiClass => {
                let best = (0..k).fold(0, |b, c| if counts[c] > counts[b] { c } else { b });
                (0..k).map(|c| c == best).collect()
            }
        };
        vec![guess; truth.len()]
    }
}

/// Probabilities of one feature row (`(column, value)` pairs) into `out`,
/// using `z` (one slot per label) as scratch: the only scoring arithmetic.
#[inline]
pub(crate) fn probabilities(
    mode: Mode,
    weights: &[f32],
    bias: &[f32],
    row: impl Iterator<Item = (u32, f32)>,
    z: &mut [f32],
    out: &mut [f32],
) {
    // A fixed label count lets the compiler keep the margins in registers
    // and drop the per-column slice checks; every count adds the same
    // products in the same order, so the bits do not depend on the path.
    match bias.len() {
        1 => margins::<1>(weights, bias, row, z),
        2 => margins::<2>(weights, bias, row, z),
        3 => margins::<3>(weights, bias, row, z),
        4 => margins::<4>(weights, bias, row, z),
        5 => margins::<5>(weights, bias, row, z),
        6 => margins::<6>(weights, bias, row, z),
        7 => margins::<7>(weights, bias, row, z),
        8 => margins::<8>(weights, bias, row, z),
        k => {
            z.copy_from_slice(bias);
            for (j, v) in row {
                let w = &weights[j as usize * k..(j as usize + 1) * k];
                for (z, w) in z.iter_mut().zip(w) {
                    *z += w * v;
                }
            }
        }
    }
    match mode {
        Mode::MultiLabel => {
            for (o, z) in out.iter_mut().zip(z.iter()) {
                *o = 1.0 / (1.0 + (-z).exp());
            }
        }
        Mode::MultiClass => {
            let mx = z.iter().cloned().fold(f32::NEG_INFINITY, f32::max);
            let sum: f32 = z.iter().map(|z| (z - mx).exp()).sum();
            for (o, z) in out.iter_mut().zip(z.iter()) {
                *o = (z - mx).exp() / sum;
            }
        }
    }
}

/// The margins `bias + sum(w * v)` of `K` labels into `z`, column by column
/// in row order.
#[inline]
fn margins<const K: usize>(
    weights: &[f32],
    bias: &[f32],
    row: impl Iterator<Item = (u32, f32)>,
    z: &mut [f32],
) {
    let mut acc: [f32; K] = bias.try_into().expect("one bias per label");
    for (j, v) in row {
        let w: &[f32; K] = weights[j as usize * K..][..K]
            .try_into()
            .expect("K weights per column");
        for (a, w) in acc.iter_mut().zip(w) {
            *a += w * v;
        }
    }
    z.copy_from_slice(&acc);
}

/// Label decisions from scores: each score against its threshold in
/// multi-label mode; the first highest score in multi-class mode.
pub(crate) fn decide(mode: Mode, scores: &[f32], thresholds: &[f32]) -> Vec<bool> {
    match mode {
        Mode::MultiLabel => scores.iter().zip(thresholds).map(|(s, t)| s >= t).collect(),
        Mode::MultiClass => {
            let best = (0..scores.len()).fold(0, |b, i| if scores[i] > scores[b] { i } else { b });
            (0..scores.len()).map(|i| i == best).collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_label_counts_give_the_generic_bits() {
        // Margins summed in registers for 1-8 labels against the plain
        // slice loop, on values whose sums round differently by order.
        for k in 1..=10usize {
            let cols = 37usize;
            let weights: Vec<f32> = (0..cols * k)
                .map(|i| ((i * 7919 % 1000) as f32 - 500.0) * 1e-3 + 1e-7 * i as f32)
                .collect();
            let bias: Vec<f32> = (0..k).map(|c| c as f32 * 0.37 - 1.0).collect();
            let row: Vec<(u32, f32)> = (0..cols as u32)
                .step_by(3)
                .map(|j| (j, 1.0 / (1.0 + j as f32)))
                .collect();
            let mut expected = bias.clone();
            for &(j, v) in &row {
                for c in 0..k {
                    expected[c] += weights[j as usize * k + c] * v;
                }
            }
            for mode in [Mode::MultiLabel, Mode::MultiClass] {
                let (mut z, mut out) = (vec![0f32; k], vec![0f32; k]);
                probabilities(mode, &weights, &bias, row.iter().copied(), &mut z, &mut out);
                let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(&z), bits(&expected), "{k} labels");
            }
        }
    }

    #[test]
    fn majority_baseline_is_all_negative_for_rare_labels() {
        let o = Objective::new(Mode::MultiLabel, false, 10);
        let truth = vec![vec![true, false], vec![false, false], vec![false, false]];
        assert_eq!(o.majority(&truth), vec![vec![false, false]; 3]);
        let o = Objective::new(Mode::MultiClass, false, 10);
        let truth = vec![vec![true, false], vec![false, true], vec![false, true]];
        assert_eq!(o.majority(&truth), vec![vec![false, true]; 3]);
    }

    #[test]
    fn a_start_changes_where_the_fit_stops_not_its_answer() {
        // Twelve rows over five columns, two labels that both depend on
        // the rows' words.
        let rows: Vec<Vec<f32>> = (0..12)
            .map(|i| (0..5).map(|j| ((i * 7 + j * 3) % 5) as f32 / 4.0).collect())
            .collect();
        let x = CsrMatrix::from_dense(&rows);
        for mode in [Mode::MultiLabel, Mode::MultiClass] {
            let truth: Vec<Vec<bool>> = rows
                .iter()
                .map(|r| match mode {
                    Mode::MultiLabel => vec![r[0] > r[1], r[2] + r[3] > 1.0],
                    Mode::MultiClass => vec![r[0] > r[1], r[0] <= r[1]],
                })
                .collect();
            let o = Objective::new(mode, false, 1000);
            let cold = o.fit(&x, &truth, 0.05, None, Progress::default()).unwrap();
            let mut near = cold.clone();
            near.scale(0.5);
            let warm = o
                .fit(&x, &truth, 0.05, Some(&near), Progress::default())
                .unwrap();
            assert_ne!(warm, cold, "{mode:?}: the start was not used");
            for (a, b) in o.predict(&warm, &x).iter().zip(o.predict(&cold, &x)) {
                for (a, b) in a.iter().zip(&b) {
                    assert!((a - b).abs() < 1e-3, "{mode:?}: {a} against {b}");
                }
            }
            // A start of another shape is not used.
            let wrong = Linear {
                weights: vec![1.0; 3],
                bias: vec![1.0; 2],
            };
            let ignored = o
                .fit(&x, &truth, 0.05, Some(&wrong), Progress::default())
                .unwrap();
            assert_eq!(ignored, cold, "{mode:?}");
        }
    }

    #[test]
    fn linear_sums_and_scales_in_place() {
        let mut a = Linear {
            weights: vec![1.0, 2.0],
            bias: vec![0.5],
        };
        a.add(&Linear {
            weights: vec![3.0, -2.0],
            bias: vec![1.5],
        });
        a.scale(0.5);
        assert_eq!(a.weights, vec![2.0, 0.0]);
        assert_eq!(a.bias, vec![1.0]);
    }

    #[test]
    fn softmax_pads_classes_never_seen() {
        let x = CsrMatrix::from_dense(&[vec![1.0, 0.0], vec![0.0, 1.0], vec![1.0, 1.0]]);
        let truth = vec![
            vec![true, false, false],
            vec![false, true, false],
            vec![true, false, false],
        ];
        let o = Objective::new(Mode::MultiClass, false, 100);
        let linear = o.fit(&x, &truth, 0.1, None, Progress::default()).unwrap();
        assert_eq!(linear.bias.len(), 3);
        assert_eq!(linear.bias[2], ABSENT_CLASS_BIAS);
        for p in o.predict(&linear, &x) {
            assert!(p[2] < 1e-6, "{p:?}");
            assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-5);
        }
    }

    #[test]
    fn tuned_thresholds_reproduce_their_f1_on_the_same_scores() {
        // Scores one f32 step apart: a midpoint rounded in f32 could land
        // on the lower score and let it through.
        let lo = 0.3f32;
        let hi = f32::from_bits(lo.to_bits() + 1);
        let scores = vec![vec![0.9], vec![hi], vec![lo], vec![0.1]];
        let truth = vec![vec![true], vec![true], vec![false], vec![false]];
        let o = Objective::new(Mode::MultiLabel, false, 10);
        let thr = o.tune(&scores, &truth, Thresholds::TuneF1);
        assert_eq!(o.decide_all(&scores, &thr), truth);
    }
}
