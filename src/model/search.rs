//! The setting search: each feature setting and penalty is scored by
//! out-of-fold macro-F1 (thresholds tuned on the same out-of-fold scores),
//! and the best is kept with its features.

use rayon::prelude::*;

use crate::error::Result;
use crate::features::featurizer::Featurizer;
use crate::features::sparse::{CsrMatrix, RowView};
use crate::features::vectorizer::{FeatureConfig, Vectorizer};
use crate::model::frame_model::Mode;
use crate::model::metrics::{evaluate, Evaluation};
use crate::model::objective::{Linear, Objective};
use crate::model::progress::Progress;
use crate::model::train::{SearchPoint, TrainConfig};

/// Where out-of-fold scores come from.
pub(crate) struct Validation<'a> {
    /// Fold of each example.
    pub folds: &'a [usize],
    /// Folds held out in turn (all of them for K-fold, one for a holdout).
    pub held: &'a [usize],
}

/// The search's winner.
pub(crate) struct Chosen {
    /// Fitted features of the winning setting.
    pub vectorizer: Vectorizer,
    /// Feature rows of every example under that setting.
    pub x: CsrMatrix,
    /// Winning penalty.
    pub alpha: f64,
    /// Thresholds tuned on the winner's out-of-fold scores.
    pub thresholds: Vec<f32>,
    /// Out-of-fold evaluation of the winner.
    pub out_of_fold: Evaluation,
    /// Mean of the winner's fold models, where the final fit starts.
    pub start: Linear,
}

/// Tries every `(character range, penalty)` in order; a later point must
/// beat the best strictly, so a tie keeps the cheaper features and the
/// smaller penalty. Returns the winner and every point tried.
#[allow(clippy::too_many_arguments)]
pub(crate) fn search(
    texts: &[&str],
    truth: &[Vec<bool>],
    labels: &[String],
    mode: Mode,
    config: &TrainConfig,
    char_ranges: &[(u8, u8)],
    penalties: &[f64],
    validation: &Validation<'_>,
    progress: Progress<'_>,
) -> Result<(Chosen, Vec<SearchPoint>)> {
    let mut points = Vec::new();
    let mut best: Option<Chosen> = None;
    for &(char_min, char_max) in char_ranges {
        progress.stage(&if char_max == 0 {
            "search: word n-grams".to_string()
        } else {
            format!("search: word + character {char_min}-{char_max}-grams")
        });
        let features = FeatureConfig {
            char_min,
            char_max,
            ..config.features.clone()
        };
        let featurizer = Featurizer::new(config.analyzer.clone(), features.clone())?;
        let (counts, names) = featurizer.count_rows(texts);
        let vectorizer = Vectorizer::fit_rows(features, &counts, &names)?;
        drop(names);
        let x = vectorizer.transform_rows(counts);
        let objective = Objective::new(mode, config.balanced, config.max_iterations);
        let held_out = out_of_fold_path(&objective, &x, truth, validation, penalties, progress)?;
        // The winner among this setting's penalties, if it beats the best.
        let mut winner: Option<(f64, Vec<f32>, Evaluation, Linear)> = None;
        for (&alpha, ((scores, held_truth), mean)) in penalties.iter().zip(held_out) {
            let thresholds = objective.tune(&scores, &held_truth, config.thresholds);
            let eval = evaluate(
                labels,
                &held_truth,
                &objective.decide_all(&scores, &thresholds),
            );
            points.push(SearchPoint {
                char_ngrams: (char_min, char_max),
                alpha,
                macro_f1: eval.macro_f1,
            });
            let to_beat = winner
                .as_ref()
                .map(|w| &w.2)
                .or(best.as_ref().map(|b| &b.out_of_fold));
            if to_beat.is_none_or(|b| eval.macro_f1 > b.macro_f1 + 1e-9) {
                winner = Some((alpha, thresholds, eval, mean));
            }
        }
        if let Some((alpha, thresholds, out_of_fold, start)) = winner {
            best = Some(Chosen {
                vectorizer,
                x,
                alpha,
                thresholds,
                out_of_fold,
                start,
            });
        }
    }
    let chosen = best.ok_or_else(|| {
        crate::error::Error::config("search", "empty", "at least one setting and penalty")
    })?;
    Ok((chosen, points))
}

/// Probabilities of held-out examples and their truth, row for row.
type HeldOut = (Vec<Vec<f32>>, Vec<Vec<bool>>);

/// For each penalty of `penalties` (in that order), the out-of-fold
/// probabilities of the examples in the held folds (in example order), each
/// from a model fitted on all other folds, with their truth, and the mean of
/// those fold models (the final fit at the chosen penalty starts there).
/// Each fold's models are fitted along the penalty path from the largest
/// penalty down, each starting from the previous solution.
fn out_of_fold_path(
    objective: &Objective,
    x: &CsrMatrix,
    truth: &[Vec<bool>],
    validation: &Validation<'_>,
    penalties: &[f64],
    progress: Progress<'_>,
) -> Result<Vec<(HeldOut, Linear)>> {
    let mut order: Vec<usize> = (0..penalties.len()).collect();
    order.sort_by(|&a, &b| penalties[b].total_cmp(&penalties[a]).then(a.cmp(&b)));
    let path: Vec<f64> = order.iter().map(|&i| penalties[i]).collect();
    let folds = validation.folds;
    // For each held fold: its rows, and their scores at each path step.
    type FoldScores = (Vec<usize>, Vec<Vec<Vec<f32>>>);
    let mut parts: Vec<FoldScores> = Vec::new();
    // Sum of the fold models at each path step, added in fold order (so the
    // same whatever the threads). Folds run a thread's worth at a time so
    // that only those folds' models are held besides the sums.
    let mut sums: Vec<Linear> = Vec::new();
    for chunk in validation.held.chunks(rayon::current_num_threads().max(1)) {
        let fitted: Vec<_> = chunk
            .par_iter()
            .map(|&f| {
                let train: Vec<usize> = (0..folds.len()).filter(|&i| folds[i] != f).collect();
                let held: Vec<usize> = (0..folds.len()).filter(|&i| folds[i] == f).collect();
                let fits = objective.fit_path(
                    RowView::some(x, &train),
                    truth,
                    &path,
                    None,
                    true,
                    progress,
                )?;
                let x_held = RowView::some(x, &held);
                let scores = fits
                    .iter()
                    .map(|l| objective.predict_rows(l, x_held))
                    .collect();
                Ok((held, scores, fits))
            })
            .collect::<Result<_>>()?;
        for (held, scores, fits) in fitted {
            if sums.is_empty() {
                sums = fits;
            } else {
                for (sum, fit) in sums.iter_mut().zip(&fits) {
                    sum.add(fit);
                }
            }
            parts.push((held, scores));
        }
    }
    let n_folds = parts.len().max(1) as f32;
    for sum in &mut sums {
        sum.scale(1.0 / n_folds);
    }
    let mut means: Vec<Option<Linear>> = sums.into_iter().map(Some).collect();
    let mut out: Vec<Option<(HeldOut, Linear)>> = vec![None; penalties.len()];
    for (step, &i) in order.iter().enumerate() {
        let mut by_example: Vec<Option<&Vec<f32>>> = vec![None; truth.len()];
        for (rows, scores) in &parts {
            for (&r, s) in rows.iter().zip(&scores[step]) {
                by_example[r] = Some(s);
            }
        }
        let held_out = by_example
            .into_iter()
            .zip(truth)
            .filter_map(|(s, t)| s.map(|s| (s.clone(), t.clone())))
            .unzip();
        let mean = means[step].take().unwrap_or_else(|| Linear {
            weights: Vec::new(),
            bias: Vec::new(),
        });
        out[i] = Some((held_out, mean));
    }
    Ok(out.into_iter().flatten().collect())
}
