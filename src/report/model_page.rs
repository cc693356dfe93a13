//! The HTML report of training or evaluating a model: per label the
//! precision-recall curve and F1 against threshold with the chosen
//! threshold marked, the cross-validation spread, the confusion counts as
//! heat maps, and the top n-grams as bar charts.

use std::path::Path;

use crate::model::{
    label_curve, Assessment, Confusion, CrossValidation, CurvePoint, Evaluation, FrameModel, Mode,
    TestReport,
};
use crate::report::charts::{
    bar_chart, heat_map, line_chart, spread_chart, BarChart, HeatMap, Line, LineChart, Mark, Spread,
};
use crate::report::html::Page;
use crate::report::terms::LabelTerms;

/// What the page shows.
#[derive(Debug, Clone, Copy)]
pub struct ModelPage<'a> {
    /// The page's title ("Training report", "Evaluation").
    pub title: &'a str,
    /// The model.
    pub model: &'a FrameModel,
    /// Where the model file is.
    pub model_path: &'a Path,
    /// Scores and decisions on the data the curves and the confusion
    /// counts come from.
    pub assessment: &'a Assessment,
    /// What that data is, in words (e.g. "held-out test (test.csv)").
    pub assessed_on: &'a str,
    /// Out-of-fold figures of training, when the page reports training.
    pub out_of_fold: Option<&'a Evaluation>,
    /// Held-out evaluations.
    pub tests: &'a [TestReport],
    /// Cross-validation, when it was run.
    pub cv: Option<&'a CrossValidation>,
    /// The top n-grams per label.
    pub terms: &'a [LabelTerms],
}

/// Most points drawn on one curve: enough for the eye, and the page stays
/// small for test sets of any size.
const MAX_CURVE_POINTS: usize = 400;

fn thin(points: Vec<CurvePoint>) -> Vec<CurvePoint> {
    if points.len() <= MAX_CURVE_POINTS {
        return points;
    }
    let step = points.len().div_ceil(MAX_CURVE_POINTS);
    let last = *points.last().expect("not empty");
    let mut kept: Vec<CurvePoint> = points.into_iter().step_by(step).collect();
    if kept.last() != Some(&last) {
        kept.push(last);
    }
    kept
}

fn figures_rows(e: &Evaluation) -> Vec<Vec<String>> {
    let mut rows = vec![["label", "precision", "recall", "F1", "support"]
        .map(String::from)
        .to_vec()];
    for (l, s) in &e.per_label {
        rows.push(vec![
            l.clone(),
            format!("{:.3}", s.precision),
            format!("{:.3}", s.recall),
            format!("{:.3}", s.f1),
            s.support.to_string(),
        ]);
    }
    rows.push(vec![
        "micro / macro F1".into(),
        String::new(),
        String::new(),
        format!("{:.3} / {:.3}", e.micro_f1, e.macro_f1),
        e.examples.to_string(),
    ]);
    rows
}

/// The page as one HTML document.
pub fn model_page(p: &ModelPage) -> String {
    let m = p.model;
    let a = p.assessment;
    let mut page = Page::new(
        &format!("frametag: {}", p.title),
        &format!(
            "model {} · {} labels · {:?} · trained on {} ({} examples) · curves and confusion on {} ({} examples)",
            p.model_path.display(),
            m.labels().len(),
            m.mode(),
            m.info().corpus_file,
            m.info().examples,
            p.assessed_on,
            a.scores.len()
        ),
    );
    page.h2("Figures");
    if let Some(e) = p.out_of_fold {
        page.h3("Out of fold (training data, chosen settings)");
        page.table(&figures_rows(e));
    }
    for t in p.tests {
        page.h3(&format!("Held-out test: {}", t.file.display()));
        page.table(&figures_rows(&t.evaluation));
    }
    if p.out_of_fold.is_none() && p.tests.is_empty() {
        page.h3(p.assessed_on);
        page.table(&figures_rows(&a.evaluation));
    }

    page.h2("Per label: precision-recall, F1 against threshold, top n-grams");
    page.note(&format!(
        "Curves from the scores on {}. The ring marks the decision the model makes: its \
         threshold in multi-label mode, the top score in multi-class mode.",
        p.assessed_on
    ));
    for (c, label) in a.labels.iter().enumerate() {
        page.h3(label);
        let scores: Vec<f32> = a.scores.iter().map(|s| s[c]).collect();
        let truth: Vec<bool> = a.truth.iter().map(|t| t[c]).collect();
        let curve = thin(label_curve(&scores, &truth));
        let got = a
            .evaluation
            .per_label
            .get(label)
            .copied()
            .unwrap_or_default();
        let mut charts = Vec::new();
        if curve.is_empty() {
            page.note(&format!(
                "{label} never occurs in {}: no curve.",
                p.assessed_on
            ));
        } else {
            let threshold = (m.mode() == Mode::MultiLabel).then(|| a.thresholds[c] as f64);
            let at = match threshold {
                Some(t) => format!("threshold {t:.3}"),
                None => "top score".to_string(),
            };
            let mut pr_points: Vec<Option<(f64, f64)>> = vec![Some((0.0, curve[0].precision))];
            pr_points.extend(curve.iter().map(|q| Some((q.recall, q.precision))));
            charts.push(line_chart(&LineChart {
                title: format!("{label}: precision-recall"),
                x_desc: "recall".into(),
                y_desc: "precision".into(),
                x: (0.0, 1.0),
                y: (0.0, 1.05),
                lines: vec![Line {
                    name: String::new(),
                    color: c,
                    points: pr_points,
                    dots: false,
                }],
                marks: vec![Mark {
                    at: (got.recall, got.precision),
                    note: format!("{at}: P {:.2} R {:.2}", got.precision, got.recall),
                }],
                size: (400, 330),
                ..LineChart::default()
            }));
            let mut f1_points: Vec<Option<(f64, f64)>> = curve
                .iter()
                .rev()
                .map(|q| Some((q.threshold, q.f1)))
                .collect();
            f1_points.insert(0, Some((0.0, curve.last().map_or(0.0, |q| q.f1))));
            charts.push(line_chart(&LineChart {
                title: format!("{label}: F1 against threshold"),
                x_desc: "threshold".into(),
                y_desc: "F1".into(),
                x: (0.0, 1.0),
                y: (0.0, 1.05),
                lines: vec![Line {
                    name: String::new(),
                    color: c,
                    points: f1_points,
                    dots: false,
                }],
                marks: threshold
                    .map(|t| Mark {
                        at: (t, got.f1),
                        note: format!("chosen {t:.3}: F1 {:.2}", got.f1),
                    })
                    .into_iter()
                    .collect(),
                rules: threshold.into_iter().collect(),
                size: (400, 330),
                ..LineChart::default()
            }));
        }
        if let Some(t) = p.terms.iter().find(|t| &t.label == label) {
            for (list, what) in [
                (&t.words, "top n-grams"),
                (&t.chars, "top character n-grams"),
            ] {
                if list.is_empty() {
                    continue;
                }
                charts.push(bar_chart(&BarChart {
                    title: format!("{label}: {what}"),
                    value_desc: "weight".into(),
                    bars: list
                        .iter()
                        .map(|x| (x.ngram.clone(), x.value as f64, c))
                        .collect(),
                    width: 370,
                    ..BarChart::default()
                }));
            }
        }
        page.charts(&charts);
    }

    page.h2("Cross-validation spread");
    match p.cv {
        Some(cv) => {
            let mut rows: Vec<(String, Vec<f64>)> = a
                .labels
                .iter()
                .map(|l| {
                    let f1s = cv
                        .fold_results
                        .iter()
                        .map(|e| e.per_label.get(l).map_or(0.0, |s| s.f1))
                        .collect();
                    (l.clone(), f1s)
                })
                .collect();
            rows.push((
                "micro-F1".into(),
                cv.fold_results.iter().map(|e| e.micro_f1).collect(),
            ));
            rows.push((
                "macro-F1".into(),
                cv.fold_results.iter().map(|e| e.macro_f1).collect(),
            ));
            page.note(&format!(
                "F1 of each of the {} folds (dots), their mean (bar) and mean ± one standard deviation (line).",
                cv.folds
            ));
            page.charts(&[spread_chart(&Spread {
                title: format!("F1 over {} cross-validation folds", cv.folds),
                value_desc: "F1".into(),
                rows,
                width: 760,
            })]);
        }
        None => page.note("Not run: train with --cv K to see how F1 varies from fold to fold."),
    }

    page.h2("Confusion");
    page.note(&format!("Counts on {}.", p.assessed_on));
    page.charts(&confusion_charts(&a.confusion));
    page.finish(&format!("frametag: {}", p.title))
}

/// A heat map of the multi-class matrix (shaded by share of the true row),
/// or one 2x2 map per label.
fn confusion_charts(c: &Confusion) -> Vec<String> {
    if let Some(matrix) = &c.matrix {
        let cols: Vec<String> = c.matrix_labels[..matrix.first().map_or(0, Vec::len)].to_vec();
        let shade = matrix
            .iter()
            .map(|row| {
                let total = row.iter().sum::<usize>().max(1) as f64;
                row.iter().map(|&n| n as f64 / total).collect()
            })
            .collect();
        let notes = matrix
            .iter()
            .map(|row| row.iter().map(|n| n.to_string()).collect())
            .collect();
        return vec![heat_map(&HeatMap {
            title: "confusion matrix (shade: share of the true label's examples)".into(),
            rows: c.matrix_labels.clone(),
            columns: cols,
            row_desc: "true label".into(),
            column_desc: "predicted label".into(),
            shade,
            notes,
        })];
    }
    c.per_label
        .iter()
        .map(|(label, n)| {
            let grid = [[n.tp, n.fn_], [n.fp, n.tn]];
            let total = (n.tp + n.fp + n.fn_ + n.tn).max(1) as f64;
            heat_map(&HeatMap {
                title: label.clone(),
                rows: vec!["true: yes".into(), "true: no".into()],
                columns: vec!["predicted: yes".into(), "predicted: no".into()],
                row_desc: String::new(),
                column_desc: String::new(),
                shade: grid
                    .iter()
                    .map(|r| r.iter().map(|&x| (x as f64 / total).sqrt()).collect())
                    .collect(),
                notes: grid
                    .iter()
                    .map(|r| r.iter().map(|x| x.to_string()).collect())
                    .collect(),
            })
        })
        .collect()
}
