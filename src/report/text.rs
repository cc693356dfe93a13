//! The plain-text reports `frametag-train` prints: training, evaluation of
//! a saved model, and inspection of a model file. Tables have labelled
//! columns sized to the longest label.

use std::fmt::Write as _;
use std::path::Path;

use crate::io::dataset::LabeledData;
use crate::model::{
    Confusion, CrossValidation, Evaluation, FrameModel, LabelScores, TestReport, TrainSummary,
    FORMAT_VERSION,
};
use crate::report::terms::LabelTerms;

/// `writeln!` into a `String`, which cannot fail.
macro_rules! say {
    ($out:expr, $($arg:tt)*) => {{
        let _ = writeln!($out, $($arg)*);
    }};
}

/// One line of a per-label table: scores and, for cross-validation, the
/// spread of F1 over folds.
struct Row<'a> {
    label: &'a str,
    scores: LabelScores,
    f1_sd: Option<f64>,
}

fn rows_of(e: &Evaluation) -> Vec<Row<'_>> {
    e.per_label
        .iter()
        .map(|(l, s)| Row {
            label: l,
            scores: *s,
            f1_sd: None,
        })
        .collect()
}

/// Characters in the longest of `names` (0 for none), for column widths.
fn widest<'a>(names: impl Iterator<Item = &'a str>) -> usize {
    names.map(|n| n.chars().count()).max().unwrap_or(0)
}

fn table(out: &mut String, title: &str, micro: f64, macro_: f64, rows: &[Row]) {
    say!(out, "\n{title}");
    let w = widest(rows.iter().map(|r| r.label)).max(5);
    let spread = rows.iter().any(|r| r.f1_sd.is_some());
    let sd_head = if spread {
        format!(" {:>7}", "f1 sd")
    } else {
        String::new()
    };
    say!(
        out,
        "  {:<w$} {:>9} {:>9} {:>9}{sd_head} {:>8}",
        "label",
        "precision",
        "recall",
        "f1",
        "support"
    );
    for r in rows {
        let s = &r.scores;
        let sd = match (spread, r.f1_sd) {
            (true, Some(sd)) => format!(" {sd:>7.3}"),
            (true, None) => format!(" {:>7}", "-"),
            _ => String::new(),
        };
        say!(
            out,
            "  {:<w$} {:>9.3} {:>9.3} {:>9.3}{sd} {:>8}",
            r.label,
            s.precision,
            s.recall,
            s.f1,
            s.support
        );
    }
    say!(out, "  micro-F1 {micro:.3}   macro-F1 {macro_:.3}");
}

/// The confusion counts as text: a matrix (true labels down, predicted
/// across) for multi-class models, per-label TP/FP/FN/TN otherwise.
pub fn confusion_text(out: &mut String, c: &Confusion) {
    match &c.matrix {
        Some(matrix) => {
            say!(
                out,
                "  confusion matrix (rows: true label, columns: predicted)"
            );
            let cols: Vec<&String> = c
                .matrix_labels
                .iter()
                .take(matrix.first().map_or(0, Vec::len))
                .collect();
            let w = widest(c.matrix_labels.iter().map(String::as_str)).max(4);
            let cw = widest(cols.iter().map(|l| l.as_str())).clamp(5, 24);
            let mut head = format!("  {:<w$}", "true");
            for l in &cols {
                let _ = write!(head, " {:>cw$}", truncate(l, cw));
            }
            say!(out, "{head}");
            for (name, row) in c.matrix_labels.iter().zip(matrix) {
                let mut line = format!("  {name:<w$}");
                for n in row {
                    let _ = write!(line, " {n:>cw$}");
                }
                say!(out, "{line}");
            }
        }
        None => {
            say!(out, "  confusion counts per label");
            let w = widest(c.per_label.keys().map(String::as_str)).max(5);
            say!(
                out,
                "  {:<w$} {:>7} {:>7} {:>7} {:>7}",
                "label",
                "TP",
                "FP",
                "FN",
                "TN"
            );
            for (l, n) in &c.per_label {
                say!(
                    out,
                    "  {l:<w$} {:>7} {:>7} {:>7} {:>7}",
                    n.tp,
                    n.fp,
                    n.fn_,
                    n.tn
                );
            }
        }
    }
}

fn truncate(s: &str, n: usize) -> String {
    match s.chars().count() > n {
        true => s.chars().take(n - 1).chain(['…']).collect(),
        false => s.to_string(),
    }
}

/// The top n-grams per label: whole words, then character n-grams apart.
pub fn terms_text(out: &mut String, terms: &[LabelTerms]) {
    say!(out, "\ntop n-grams per label (stemmed words; weights)");
    let w = widest(terms.iter().map(|t| t.label.as_str()));
    let list = |c: &[crate::model::Contribution]| -> String {
        c.iter()
            .map(|c| format!("{} ({:.2})", c.ngram, c.value))
            .collect::<Vec<_>>()
            .join(", ")
    };
    for t in terms {
        say!(out, "  {:<w$}  {}", t.label, list(&t.words));
    }
    if terms.iter().any(|t| !t.chars.is_empty()) {
        say!(out, "character n-grams per label (< and > mark word edges)");
        for t in terms {
            say!(out, "  {:<w$}  {}", t.label, list(&t.chars));
        }
    }
}

fn thresholds_line(model: &FrameModel) -> String {
    let thr: Vec<String> = model
        .labels()
        .iter()
        .zip(model.thresholds())
        .map(|(l, t)| format!("{l} {t:.3}"))
        .collect();
    format!(
        "thresholds ({}): {}",
        model.info().thresholds_from,
        thr.join(", ")
    )
}

fn features_line(model: &FrameModel) -> String {
    match model.feature_config() {
        f if f.has_chars() => format!(
            "features: words + character {}-{}-grams",
            f.char_min, f.char_max
        ),
        _ => "features: words".to_string(),
    }
}

/// The report printed after training.
pub fn training_text(
    model: &FrameModel,
    data: &LabeledData,
    summary: &TrainSummary,
    cv: Option<&CrossValidation>,
    tests: &[TestReport],
    terms: &[LabelTerms],
) -> String {
    let mut out = String::new();
    let info = model.info();
    say!(
        out,
        "frametag-train: {} examples, {} labels ({:?}), {} features, alpha {}",
        data.len(),
        model.labels().len(),
        model.mode(),
        model.vectorizer().n_features(),
        info.alpha
    );
    if summary.search.len() > 1 {
        let s: Vec<String> = summary
            .search
            .iter()
            .map(|p| {
                let features = match p.char_ngrams {
                    (0, 0) => String::new(),
                    (a, b) => format!("chars {a}-{b}, "),
                };
                format!("{features}{}: {:.3}", p.alpha, p.macro_f1)
            })
            .collect();
        say!(
            out,
            "setting search (out-of-fold macro-F1): {}",
            s.join(", ")
        );
    }
    say!(out, "{}", features_line(model));
    say!(out, "{}", thresholds_line(model));
    let oof = &summary.out_of_fold;
    table(
        &mut out,
        "out-of-fold (training data, chosen settings)",
        oof.micro_f1,
        oof.macro_f1,
        &rows_of(oof),
    );
    say!(
        out,
        "  majority-answer baseline: micro-F1 {:.3}, macro-F1 {:.3}",
        summary.majority_baseline.micro_f1,
        summary.majority_baseline.macro_f1
    );
    if let Some(cv) = cv {
        let rows: Vec<Row> = cv
            .per_label
            .iter()
            .map(|(l, s)| Row {
                label: l,
                scores: *s,
                f1_sd: cv.per_label_f1_std.get(l).copied(),
            })
            .collect();
        table(
            &mut out,
            &format!(
                "cross-validation ({} folds; mean over folds, f1 sd: spread of F1)",
                cv.folds
            ),
            cv.micro_f1,
            cv.macro_f1,
            &rows,
        );
        say!(
            out,
            "  spread: micro-F1 sd {:.3}, macro-F1 sd {:.3}",
            cv.micro_f1_std,
            cv.macro_f1_std
        );
    }
    tests_text(&mut out, tests);
    terms_text(&mut out, terms);
    out
}

fn tests_text(out: &mut String, tests: &[TestReport]) {
    for t in tests {
        let e = &t.evaluation;
        let title = format!(
            "held-out test ({}, {} examples)",
            t.file.display(),
            e.examples
        );
        table(out, &title, e.micro_f1, e.macro_f1, &rows_of(e));
        say!(out, "  subset accuracy {:.3}", e.subset_accuracy);
        if let Some(c) = &t.confusion {
            confusion_text(out, c);
        }
    }
}

/// The report printed after evaluating a saved model on test files.
pub fn evaluation_text(
    model: &FrameModel,
    model_path: &Path,
    tests: &[TestReport],
    terms: &[LabelTerms],
) -> String {
    let mut out = String::new();
    say!(
        out,
        "frametag-train: evaluating {} ({} labels, {:?}, trained on {})",
        model_path.display(),
        model.labels().len(),
        model.mode(),
        model.info().corpus_file
    );
    say!(out, "{}", features_line(model));
    say!(out, "{}", thresholds_line(model));
    tests_text(&mut out, tests);
    terms_text(&mut out, terms);
    out
}

/// What a model file holds: labels and thresholds, settings, the training
/// data's checksum and the recorded figures.
pub fn inspection_text(model: &FrameModel, path: &Path) -> String {
    let mut out = String::new();
    let info = model.info();
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    say!(
        out,
        "model        {} ({size} bytes, format version {FORMAT_VERSION} or older)",
        path.display()
    );
    say!(out, "trained by   frametag {}", info.frametag_version);
    say!(out, "mode         {:?}", model.mode());
    say!(out, "\nlabels (threshold; positive training examples)");
    let w = widest(model.labels().iter().map(String::as_str)).max(5);
    say!(
        out,
        "  {:<w$} {:>9} {:>9}",
        "label",
        "threshold",
        "examples"
    );
    for (c, l) in model.labels().iter().enumerate() {
        let thr = match model.mode() {
            crate::Mode::MultiLabel => format!("{:.3}", model.thresholds()[c]),
            crate::Mode::MultiClass => "argmax".to_string(),
        };
        let n = info
            .label_counts
            .get(c)
            .map(|n| n.to_string())
            .unwrap_or_default();
        say!(out, "  {l:<w$} {thr:>9} {n:>9}");
    }
    say!(out, "  thresholds from: {}", info.thresholds_from);
    let a = model.analyzer_config();
    let f = model.feature_config();
    say!(out, "\nanalysis     {a:?}");
    say!(
        out,
        "features     word 1-{}-grams{}, 2^{} buckets ({} kept), min_df {}, norm power {}",
        f.ngram_max,
        match f.has_chars() {
            true => format!(" + character {}-{}-grams", f.char_min, f.char_max),
            false => String::new(),
        },
        f.bits,
        model.vectorizer().n_features(),
        f.min_df,
        f.norm_power
    );
    say!(
        out,
        "training     alpha {}, balanced {}, seed {}",
        info.alpha,
        info.balanced,
        info.seed
    );
    say!(
        out,
        "data         {} ({} examples, {} rows skipped)",
        info.corpus_file,
        info.examples,
        info.skipped
    );
    say!(out, "checksum     {}", info.corpus_checksum);
    say!(out, "\nfigures");
    if info.metrics.is_empty() {
        say!(out, "  (none recorded)");
    }
    for (k, v) in &info.metrics {
        say!(out, "  {k:<16} {v:.4}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::LabelCounts;

    #[test]
    fn tables_align_long_labels_and_name_every_column() {
        let mut e = Evaluation::default();
        let long = "a-very-long-label-name-that-breaks-fixed-columns";
        e.per_label.insert(long.into(), LabelScores::default());
        e.per_label.insert("x".into(), LabelScores::default());
        let mut out = String::new();
        let mut rows = rows_of(&e);
        rows[0].f1_sd = Some(0.05);
        table(&mut out, "t", 0.0, 0.0, &rows);
        let lines: Vec<&str> = out.lines().filter(|l| l.starts_with("  ")).collect();
        assert!(lines[0].contains("f1 sd") && lines[0].contains("support"));
        // Header and rows end at the same column.
        let ends: Vec<usize> = lines[..3].iter().map(|l| l.chars().count()).collect();
        assert!(ends.iter().all(|&n| n == ends[0]), "{out}");
    }

    #[test]
    fn confusion_text_shows_counts() {
        let mut c = Confusion::default();
        c.per_label.insert(
            "a".into(),
            LabelCounts {
                tp: 3,
                fp: 1,
                fn_: 2,
                tn: 9,
            },
        );
        let mut out = String::new();
        confusion_text(&mut out, &c);
        assert!(
            out.contains("TP")
                && out
                    .lines()
                    .last()
                    .unwrap()
                    .ends_with("3       1       2       9")
        );
    }
}
