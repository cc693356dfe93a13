//! frametag-train: train, cross-validate, evaluate and save a frame model.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use frametag::io::{check_outputs, remove_temporary_files_on_signal, OutFile};
use frametag::io::{read_labeled, ArticleSource};
use frametag::io::{Delimiter, InputFormat, RecordFields};
use frametag::model::{
    cross_validate, evaluate_model, train, CharNgrams, Penalty, Thresholds, TrainConfig,
};
use frametag::model::{with_test_metrics, SkippedRow, TrainReport};
use frametag::{
    AnalyzerConfig, Columns, Evaluation, FeatureConfig, FrameModel, LabelScores, LabeledData,
    Language,
};

/// Train a sentence-level frame model on a labeled CSV and report how good
/// it is.
///
/// The CSV needs a header; labels are joined by ';' and an empty cell or
/// "none" means no frame. The label set is whatever the data holds. When
/// every row carries exactly one label the model is multi-class (one label
/// per sentence, the top score); otherwise it is multi-label (one-vs-rest,
/// thresholds tuned per label).
#[derive(Parser, Debug)]
#[command(name = "frametag-train", version)]
struct Args {
    /// Training CSV: a text CSV (text and labels columns) or a stand-off
    /// CSV (doc_id, start, end, labels, optional checksum: UTF-8 byte
    /// offsets into the articles of --articles). Give it several times to
    /// train on several files together.
    #[arg(long, value_name = "TRAIN.csv", required = true, help_heading = "Data")]
    data: Vec<PathBuf>,
    /// Articles that stand-off rows point into: files, folders, JSONL, CSV
    /// or gzip, read as frametag-score reads them (only the articles some
    /// row names are kept).
    #[arg(long, value_name = "PATH", num_args = 1.., help_heading = "Data")]
    articles: Vec<PathBuf>,
    /// JSON field / CSV column of the article text in --articles.
    #[arg(long, default_value = "text", help_heading = "Data")]
    text_field: String,
    /// JSON field / CSV column of the article id in --articles.
    #[arg(long, default_value = "id", help_heading = "Data")]
    id_field: String,
    /// Field delimiter of CSV articles in --articles: one character, or "tab".
    #[arg(long, default_value_t = Delimiter(b','), help_heading = "Data")]
    delimiter: Delimiter,
    /// Skip records (a file, a JSON line, a CSV record) larger than this
    /// many MiB, with a message: one huge record cannot fill memory.
    #[arg(long, value_name = "MIB", default_value_t = 32, help_heading = "Data")]
    max_record_mb: usize,
    /// Fail on the first unusable row (malformed, article missing, text
    /// not matching its checksum) instead of skipping it.
    #[arg(long, help_heading = "Data")]
    strict: bool,
    /// Where to write the model (atomically).
    #[arg(long, value_name = "MODEL", help_heading = "Data")]
    out: PathBuf,
    /// Held-out CSV (text or stand-off) to evaluate the final model on;
    /// give it several times to evaluate on each file apart.
    #[arg(long, value_name = "TEST.csv", help_heading = "Data")]
    test: Vec<PathBuf>,
    /// Run stratified K-fold cross-validation of the whole procedure.
    #[arg(long, value_name = "K", help_heading = "Data")]
    cv: Option<usize>,
    /// Write the report as JSON here (atomically).
    #[arg(long, value_name = "REPORT.json", help_heading = "Data")]
    report: Option<PathBuf>,
    /// Name of the text column.
    #[arg(long, default_value = "text", help_heading = "Data")]
    text_column: String,
    /// Name of the labels column.
    #[arg(long, default_value = "labels", help_heading = "Data")]
    labels_column: String,
    /// What joins several labels in a cell.
    #[arg(long, default_value_t = ';', help_heading = "Data")]
    label_separator: char,
    /// Fix the label set and its order (comma-separated); rows with other
    /// labels are an error.
    #[arg(long, value_delimiter = ',', help_heading = "Data")]
    labels: Option<Vec<String>>,

    /// Stemming language: an ISO 639-1 code or name (en, de, fr, ru, ...).
    #[arg(long, default_value = "en", help_heading = "Analysis")]
    lang: String,
    /// Do not stem words.
    #[arg(long, help_heading = "Analysis")]
    no_stem: bool,
    /// Keep digits as they are instead of masking them.
    #[arg(long, help_heading = "Analysis")]
    keep_numbers: bool,
    /// Longest word n-gram.
    #[arg(long, default_value_t = 2, help_heading = "Features")]
    ngram_max: u8,
    /// Character n-grams of each word: MIN-MAX (e.g. 3-5), "off", or "auto"
    /// to try words only against words plus 2-5 character n-grams by
    /// cross-validation (data sets up to 10,000 rows; ties keep words only).
    #[arg(long, default_value = "auto", help_heading = "Features")]
    char_ngrams: String,
    /// Length normalisation: rows are divided by their L2 norm to this power
    /// (1 = plain L2; lower keeps more of a long sentence's evidence).
    #[arg(long, default_value_t = 0.75, help_heading = "Features")]
    norm_power: f32,
    /// Hash bits: 2^BITS feature buckets.
    #[arg(long, default_value_t = 20, help_heading = "Features")]
    bits: u8,
    /// Drop n-grams seen in fewer training rows.
    #[arg(long, default_value_t = 2, help_heading = "Features")]
    min_df: u32,

    /// L2 penalty (1/C in scikit-learn terms), or "auto" to choose it by
    /// cross-validation on data sets up to 50,000 rows.
    #[arg(long, default_value = "auto", help_heading = "Training")]
    alpha: String,
    /// Weight classes inversely to their frequency.
    #[arg(long, help_heading = "Training")]
    balanced: bool,
    /// Decision threshold for every label, or "auto" to maximise each
    /// label's F1 on out-of-fold scores.
    #[arg(long, default_value = "auto", help_heading = "Training")]
    threshold: String,
    /// Folds for penalty choice and threshold tuning.
    #[arg(long, default_value_t = 5, help_heading = "Training")]
    threshold_folds: usize,
    /// Seed of fold assignment: same data and seed give the same model bytes.
    #[arg(long, default_value_t = 42, help_heading = "Training")]
    seed: u64,
    /// L-BFGS iteration cap.
    #[arg(long, default_value_t = 300, help_heading = "Training")]
    max_iter: u64,
    /// Number of top n-grams to print per label.
    #[arg(long, default_value_t = 12, help_heading = "Output")]
    top: usize,
    /// Threads (default: all cores; at most 1024).
    #[arg(long, help_heading = "Output")]
    threads: Option<usize>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    remove_temporary_files_on_signal();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(m)) => {
            eprintln!("frametag-train: {m}");
            ExitCode::from(2)
        }
        Err(Failure::Run(e)) => {
            eprintln!("frametag-train: {e}");
            ExitCode::from(1)
        }
        Err(Failure::Write(m)) => {
            eprintln!("frametag-train: {m}");
            ExitCode::from(3)
        }
    }
}

enum Failure {
    Usage(String),
    Run(frametag::Error),
    /// An output could not be written: exit 3.
    Write(String),
}

/// `writeln!` into a `String`, which cannot fail.
macro_rules! say {
    ($out:expr, $($arg:tt)*) => {{
        use std::fmt::Write as _;
        let _ = writeln!($out, $($arg)*);
    }};
}

impl From<frametag::Error> for Failure {
    fn from(e: frametag::Error) -> Self {
        match e {
            frametag::Error::Config(m) => Failure::Usage(m.to_string()),
            e => Failure::Run(e),
        }
    }
}

/// Validated settings from raw flags, before any work starts.
fn config(args: &Args) -> Result<TrainConfig, Failure> {
    let language = Language::parse(&args.lang).ok_or_else(|| {
        Failure::Usage(format!(
            "unknown language {:?}; one of {}",
            args.lang,
            Language::ALL.map(|(_, c)| c).join(", ")
        ))
    })?;
    let flag = |name: &str, e: frametag::Error| match e {
        frametag::Error::Config(m) => Failure::Usage(format!("--{name}: {m}")),
        e => Failure::Run(e),
    };
    let penalty: Penalty = args.alpha.parse().map_err(|e| flag("alpha", e))?;
    let thresholds: Thresholds = args.threshold.parse().map_err(|e| flag("threshold", e))?;
    if args.cv.is_some_and(|k| k < 2) {
        return Err(Failure::Usage("--cv needs at least 2 folds".into()));
    }
    if args.threshold_folds < 2 {
        return Err(Failure::Usage("--threshold-folds needs at least 2".into()));
    }
    let char_ngrams: CharNgrams = args
        .char_ngrams
        .parse()
        .map_err(|e| flag("char-ngrams", e))?;
    let (char_min, char_max) = match char_ngrams {
        CharNgrams::Fixed(a, b) => (a, b),
        CharNgrams::Auto => (0, 0),
    };
    let features = FeatureConfig {
        bits: args.bits,
        char_min,
        char_max,
        norm_power: args.norm_power,
        ngram_max: args.ngram_max,
        min_df: args.min_df,
        ..FeatureConfig::default()
    };
    features.validate()?;
    Ok(TrainConfig {
        analyzer: AnalyzerConfig {
            language,
            stem: !args.no_stem,
            mask_numbers: !args.keep_numbers,
            ..AnalyzerConfig::default()
        },
        features,
        char_ngrams,
        penalty,
        balanced: args.balanced,
        thresholds,
        inner_folds: args.threshold_folds,
        seed: args.seed,
        labels: args.labels.clone(),
        max_iterations: args.max_iter,
    })
}

fn run(args: &Args) -> Result<(), Failure> {
    let cfg = config(args)?;
    if let Some(n) = args.threads {
        if !(1..=1024).contains(&n) {
            return Err(Failure::Usage(format!("--threads {n}: expected 1 to 1024")));
        }
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()
            .map_err(|e| Failure::Usage(e.to_string()))?;
    }
    let columns = Columns {
        text: args.text_column.clone(),
        labels: args.labels_column.clone(),
        label_separator: args.label_separator,
    };
    // Outputs are checked, and opened, before minutes of work: a missing or
    // read-only folder, or an output that is an input, fails at once.
    let outputs: Vec<&std::path::Path> = std::iter::once(args.out.as_path())
        .chain(args.report.as_deref())
        .collect();
    let inputs: Vec<PathBuf> = args
        .data
        .iter()
        .chain(&args.test)
        .chain(&args.articles)
        .cloned()
        .collect();
    check_outputs(&outputs, &inputs)?;
    let cannot = |e: frametag::Error| Failure::Usage(format!("cannot create output: {e}"));
    let mut model_file = OutFile::create(&args.out).map_err(cannot)?;
    let report_file = args
        .report
        .as_deref()
        .map(OutFile::create)
        .transpose()
        .map_err(cannot)?;
    let started = std::time::Instant::now();
    let (data, test, skipped) = read_data(args, &columns)?;

    let cv = match args.cv {
        Some(k) => {
            eprintln!("cross-validating ({k} folds)...");
            Some(cross_validate(&data, &cfg, k)?)
        }
        None => None,
    };
    eprintln!("training on {} rows...", data.len());
    let (mut model, summary) = train(&data, &cfg)?;
    let test_evals: Vec<(PathBuf, Evaluation)> = test
        .iter()
        .map(|t| {
            let unknown: Vec<String> = t
                .label_set()
                .into_iter()
                .filter(|l| !model.labels().contains(l))
                .collect();
            if !unknown.is_empty() {
                eprintln!(
                    "warning: {}: labels not in the training data are ignored: {}",
                    t.path.display(),
                    unknown.join(", ")
                );
            }
            (t.path.clone(), evaluate_model(&model, t))
        })
        .collect();
    // Held-out figures travel with the model; cross-validation figures
    // stay in the report.
    model = with_test_metrics(model, &test_evals);
    let write_failed = |e: frametag::Error| Failure::Write(e.to_string());
    model_file
        .write_all(&model.to_bytes())
        .map_err(|e| write_failed(frametag::Error::io(&args.out, e)))?;
    model_file.finish().map_err(write_failed)?;

    let top = model.top_ngrams(args.top);
    if let (Some(path), Some(mut file)) = (&args.report, report_file) {
        let report = TrainReport::new(
            &model,
            args.out.clone(),
            &data,
            skipped,
            &summary,
            cv.clone(),
            &test_evals,
            &top,
        );
        let text = report.to_json();
        file.write_all(text.as_bytes())
            .map_err(|e| write_failed(frametag::Error::io(path, e)))?;
        file.finish().map_err(write_failed)?;
    }
    // Files first, then the text report: a reader that closes standard
    // output early (`| head`) cuts only what it did not want to read.
    let mut out = String::new();
    print_report(
        &mut out,
        &model,
        &data,
        &summary,
        cv.as_ref(),
        &test_evals,
        &top,
    );
    say!(
        out,
        "\nmodel written to {} ({:.1} s)",
        args.out.display(),
        started.elapsed().as_secs_f64()
    );
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(out.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Failure::Write(format!(
            "writing the report to standard output: {e}"
        ))),
        _ => Ok(()),
    }
}

/// Reads the training files (merged in the order given) and the test file,
/// taking stand-off rows' sentences from --articles; reports every file's
/// skipped rows, and under --strict refuses any.
fn read_data(
    args: &Args,
    columns: &Columns,
) -> Result<(LabeledData, Vec<LabeledData>, Vec<SkippedRow>), Failure> {
    let source = (!args.articles.is_empty()).then(|| ArticleSource {
        paths: args.articles.clone(),
        format: InputFormat::Auto,
        fields: RecordFields {
            text: args.text_field.clone(),
            id: args.id_field.clone(),
            delimiter: args.delimiter.0,
            max_record_bytes: args.max_record_mb << 20,
        },
    });
    let mut files = args.data.clone();
    files.extend(args.test.iter().cloned());
    let loaded = read_labeled(&files, columns, source.as_ref())?;
    for s in &loaded.archive_skips {
        eprintln!("warning: articles: {}: {}; skipped", s.origin, s.reason);
    }
    if loaded.standoff.contains(&true) {
        eprintln!("articles: {} read for stand-off rows", loaded.articles_read);
    }
    for part in &loaded.parts {
        report_rows(part);
        if let (true, Some(s)) = (args.strict, part.skipped.first()) {
            return Err(Failure::Run(frametag::Error::data(
                &part.path,
                s.line,
                format!("{} (--strict)", s.reason),
            )));
        }
    }
    let mut parts = loaded.parts;
    let test = parts.split_off(args.data.len());
    let skipped = SkippedRow::of(&parts);
    Ok((LabeledData::concat(parts), test, skipped))
}

fn report_rows(data: &LabeledData) {
    eprintln!(
        "{}: {} rows used, {} skipped",
        data.path.display(),
        data.len(),
        data.skipped.len()
    );
    for s in data.skipped.iter().take(20) {
        eprintln!("  skipped {}:{}: {}", data.path.display(), s.line, s.reason);
    }
    if data.skipped.len() > 20 {
        eprintln!("  ... and {} more skipped rows", data.skipped.len() - 20);
    }
    for n in data.notes.iter().take(10) {
        match n.line {
            0 => eprintln!("  note {}: {}", data.path.display(), n.reason),
            line => eprintln!("  note {}:{line}: {}", data.path.display(), n.reason),
        }
    }
    if data.notes.len() > 10 {
        eprintln!("  ... and {} more notes", data.notes.len() - 10);
    }
}

/// One line of a per-label table: scores and, for cross-validation, the
/// spread of F1 over folds.
struct Row {
    label: String,
    scores: LabelScores,
    f1_sd: Option<f64>,
}

fn print_table(out: &mut String, title: &str, micro: f64, macro_: f64, rows: &[Row]) {
    say!(out, "\n{title}");
    say!(
        out,
        "  {:<28} {:>9} {:>9} {:>9} {:>8}",
        "label",
        "precision",
        "recall",
        "f1",
        "support"
    );
    for r in rows {
        let spread = r.f1_sd.map(|s| format!(" ±{s:.3}")).unwrap_or_default();
        let s = &r.scores;
        say!(
            out,
            "  {:<28} {:>9.3} {:>9.3} {:>9.3} {:>8}{spread}",
            r.label,
            s.precision,
            s.recall,
            s.f1,
            s.support
        );
    }
    say!(out, "  micro-F1 {micro:.3}   macro-F1 {macro_:.3}");
}

fn eval_rows(e: &Evaluation) -> Vec<Row> {
    e.per_label
        .iter()
        .map(|(l, s)| Row {
            label: l.clone(),
            scores: *s,
            f1_sd: None,
        })
        .collect()
}

fn print_report(
    out: &mut String,
    model: &FrameModel,
    data: &LabeledData,
    summary: &frametag::model::TrainSummary,
    cv: Option<&frametag::model::CrossValidation>,
    tests: &[(PathBuf, Evaluation)],
    top: &[(String, Vec<frametag::model::Contribution>)],
) {
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
    let chars = match model.feature_config() {
        f if f.has_chars() => format!("words + character {}-{}-grams", f.char_min, f.char_max),
        _ => "words".to_string(),
    };
    say!(out, "features: {chars}");
    let thr: Vec<String> = model
        .labels()
        .iter()
        .zip(model.thresholds())
        .map(|(l, t)| format!("{l} {t:.3}"))
        .collect();
    say!(
        out,
        "thresholds ({}): {}",
        info.thresholds_from,
        thr.join(", ")
    );
    print_table(
        out,
        "out-of-fold (training data, chosen settings)",
        summary.out_of_fold.micro_f1,
        summary.out_of_fold.macro_f1,
        &eval_rows(&summary.out_of_fold),
    );
    say!(
        out,
        "  majority-answer baseline: micro-F1 {:.3}, macro-F1 {:.3}",
        summary.majority_baseline.micro_f1,
        summary.majority_baseline.macro_f1
    );
    if let Some(cv) = cv {
        let rows: Vec<_> = cv
            .per_label
            .iter()
            .map(|(l, s)| Row {
                label: l.clone(),
                scores: *s,
                f1_sd: cv.per_label_f1_std.get(l).copied(),
            })
            .collect();
        print_table(
            out,
            &format!("cross-validation ({} folds, mean ± sd of F1)", cv.folds),
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
    for (file, e) in tests {
        let title = format!("held-out test ({})", file.display());
        print_table(out, &title, e.micro_f1, e.macro_f1, &eval_rows(e));
    }
    say!(out, "\ntop n-grams per label (stemmed):");
    for (label, c) in top {
        let words: Vec<String> = c
            .iter()
            .map(|c| format!("{} ({:.2})", c.ngram, c.value))
            .collect();
        say!(out, "  {label}: {}", words.join(", "));
    }
}
