//! frametag-train: train, cross-validate, evaluate and save a frame model.

use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;
use frametag::io::{check_outputs, remove_temporary_files_on_signal, OutFile};
use frametag::io::{read_labeled, ArticleSource};
use frametag::io::{Delimiter, InputFormat, RecordFields};
use frametag::model::{
    assess, cross_validate_with_progress, mistakes, mistakes_csv, train_with_progress, CharNgrams,
    CrossValidation, Penalty, Thresholds, TrainConfig, TrainEvent,
};
use frametag::model::{with_test_metrics, SkippedRow, TestReport, TrainReport};
use frametag::report::{
    evaluation_text, inspection_text, model_page, top_terms, training_text, ModelPage,
};
use frametag::{AnalyzerConfig, Columns, FeatureConfig, FrameModel, LabeledData, Language};

/// Train a sentence-level frame model on a labeled CSV and report how good
/// it is.
///
/// The CSV needs a header; labels are joined by ';' and an empty cell or
/// "none" means no frame. The label set is whatever the data holds. When
/// every row carries exactly one label the model is multi-class (one label
/// per sentence, the top score); otherwise it is multi-label (one-vs-rest,
/// thresholds tuned per label).
///
/// `--model M --test FILE` evaluates a saved model instead of training one;
/// `--inspect M` prints what a model file holds.
#[derive(Parser, Debug)]
#[command(name = "frametag-train", version)]
struct Args {
    /// Training CSV: a text CSV (text and labels columns) or a stand-off
    /// CSV (doc_id, start, end, labels, optional checksum: UTF-8 byte
    /// offsets into the articles of --articles). Give it several times to
    /// train on several files together.
    #[arg(
        long,
        value_name = "TRAIN.csv",
        required_unless_present_any = ["model", "inspect"],
        help_heading = "Data"
    )]
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
    #[arg(
        long,
        value_name = "MODEL",
        required_unless_present_any = ["model", "inspect"],
        help_heading = "Data"
    )]
    out: Option<PathBuf>,
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
    /// Evaluate this saved model on the --test files instead of training
    /// (per-label figures, confusion counts; --report, --errors, --html).
    #[arg(
        long,
        value_name = "MODEL",
        conflicts_with_all = ["data", "out", "cv", "inspect"],
        help_heading = "Evaluation"
    )]
    model: Option<PathBuf>,
    /// Print what a model file holds (labels, thresholds, settings,
    /// training data checksum, figures) and exit.
    #[arg(
        long,
        value_name = "MODEL",
        conflicts_with_all = ["data", "out", "cv", "test", "report", "errors", "html"],
        help_heading = "Evaluation"
    )]
    inspect: Option<PathBuf>,
    /// Write the false positives and false negatives on the --test files
    /// here (CSV, worst first): file, line, kind, label, score, what it was
    /// measured against, margin, the n-grams that drove it, text.
    #[arg(long, value_name = "ERRORS.csv", help_heading = "Evaluation")]
    errors: Option<PathBuf>,
    /// Write a self-contained HTML report here: per label the
    /// precision-recall curve and F1 against threshold, the
    /// cross-validation spread, the confusion counts, the top n-grams.
    #[arg(long, value_name = "REPORT.html", help_heading = "Evaluation")]
    html: Option<PathBuf>,
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
    /// cross-validation (data sets up to 5,000 rows; ties keep words only).
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
    /// Driving n-grams listed per mistake in --errors.
    #[arg(
        long,
        value_name = "K",
        default_value_t = 5,
        help_heading = "Evaluation"
    )]
    explain: usize,
    /// Number of top n-grams to print per label.
    #[arg(long, default_value_t = 12, help_heading = "Output")]
    top: usize,
    /// Threads (default: all cores; at most 1024).
    #[arg(long, help_heading = "Output")]
    threads: Option<usize>,
}

/// Keeps freed memory in the process instead of handing it back to the
/// kernel at once. Each L-BFGS fit allocates some 25 vectors of all the
/// weights (its history, direction, points and gradients), and a search
/// makes about a thousand fits; with glibc's adaptive thresholds those
/// blocks went back to the kernel when freed and every new one faulted its
/// pages in again: 1.7-1.8 s of kernel time in a 19 s one-thread fit of 24
/// labels (benches/many_labels.sh), 0.1 s with these settings. Blocks
/// under 16 MiB come from the heap, and up to 64 MiB of free heap top is
/// kept; larger blocks (a big training matrix) are still mapped and
/// returned.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn keep_freed_memory() {
    // SAFETY: mallopt only changes allocator parameters; it is called
    // before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 16 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 64 << 20);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn keep_freed_memory() {}

fn main() -> ExitCode {
    keep_freed_memory();
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
    if let Some(path) = &args.inspect {
        let model = load_model(path)?;
        return print(&inspection_text(&model, path));
    }
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
    if args.model.is_some() && args.test.is_empty() {
        return Err(Failure::Usage(
            "--model evaluates a saved model on --test FILE: give at least one --test".into(),
        ));
    }
    if args.errors.is_some() && args.test.is_empty() {
        return Err(Failure::Usage(
            "--errors lists the mistakes on --test files: give at least one --test".into(),
        ));
    }
    let columns = Columns {
        text: args.text_column.clone(),
        labels: args.labels_column.clone(),
        label_separator: args.label_separator,
    };
    // Outputs are checked, and opened, before minutes of work: a missing or
    // read-only folder, or an output that is an input, fails at once.
    let outputs: Vec<&Path> = args
        .out
        .iter()
        .chain(&args.report)
        .chain(&args.errors)
        .chain(&args.html)
        .map(PathBuf::as_path)
        .collect();
    let inputs: Vec<PathBuf> = args
        .data
        .iter()
        .chain(&args.test)
        .chain(&args.articles)
        .chain(&args.model)
        .cloned()
        .collect();
    check_outputs(&outputs, &inputs)?;
    let cannot = |e: frametag::Error| Failure::Usage(format!("cannot create output: {e}"));
    let open = |p: &Option<PathBuf>| p.as_deref().map(OutFile::create).transpose();
    let model_file = open(&args.out).map_err(cannot)?;
    let files = Reports {
        json: open(&args.report).map_err(cannot)?,
        errors: open(&args.errors).map_err(cannot)?,
        html: open(&args.html).map_err(cannot)?,
    };
    match (&args.model, model_file) {
        (Some(path), _) => evaluate_saved(args, &columns, path, files),
        (None, Some(model_file)) => train_and_save(args, &cfg, &columns, model_file, files),
        (None, None) => Err(Failure::Usage("--out MODEL is needed to train".into())),
    }
}

/// The optional report files, opened before the work starts.
struct Reports {
    json: Option<OutFile>,
    errors: Option<OutFile>,
    html: Option<OutFile>,
}

fn load_model(path: &Path) -> Result<FrameModel, Failure> {
    FrameModel::load(path).map_err(|e| Failure::Usage(e.to_string()))
}

fn write_failed(e: frametag::Error) -> Failure {
    Failure::Write(e.to_string())
}

/// Writes `bytes` to an output opened earlier and puts it in place.
fn put(file: Option<OutFile>, path: Option<&PathBuf>, bytes: &[u8]) -> Result<(), Failure> {
    if let (Some(mut file), Some(path)) = (file, path) {
        file.write_all(bytes)
            .map_err(|e| write_failed(frametag::Error::io(path, e)))?;
        file.finish().map_err(write_failed)?;
    }
    Ok(())
}

/// Prints a text report; a reader that closes standard output early
/// (`| head`) cuts only what it did not want to read.
fn print(text: &str) -> Result<(), Failure> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Failure::Write(format!(
            "writing the report to standard output: {e}"
        ))),
        _ => Ok(()),
    }
}

/// Each test file's evaluation, warning about labels the model does not
/// know.
fn test_reports(model: &FrameModel, tests: &[LabeledData]) -> Vec<TestReport> {
    tests
        .iter()
        .map(|t| {
            let unknown: Vec<String> = t
                .label_set()
                .into_iter()
                .filter(|l| !model.labels().contains(l))
                .collect();
            if !unknown.is_empty() {
                eprintln!(
                    "warning: {}: labels the model does not know are ignored: {}",
                    t.path.display(),
                    unknown.join(", ")
                );
            }
            TestReport::of(model, t)
        })
        .collect()
}

/// The mistakes CSV and the HTML page, from the test files together (or,
/// for a page without test files, the training data).
#[allow(clippy::too_many_arguments)]
fn write_extras(
    args: &Args,
    model: &FrameModel,
    model_path: &Path,
    title: &str,
    assessed: (&LabeledData, &str),
    page: (
        Option<&frametag::Evaluation>,
        &[TestReport],
        Option<&CrossValidation>,
    ),
    terms: &[frametag::report::LabelTerms],
    errors: Option<OutFile>,
    html: Option<OutFile>,
) -> Result<(), Failure> {
    if errors.is_none() && html.is_none() {
        return Ok(());
    }
    let (data, on) = assessed;
    let assessment = assess(model, data);
    if errors.is_some() {
        let found = mistakes(model, data, &assessment, args.explain);
        eprintln!(
            "{} false positives and false negatives written to {}",
            found.len(),
            args.errors
                .as_ref()
                .map_or(String::new(), |p| p.display().to_string())
        );
        put(
            errors,
            args.errors.as_ref(),
            &mistakes_csv(data, model.labels(), &found),
        )?;
    }
    let (out_of_fold, tests, cv) = page;
    let html_text = model_page(&ModelPage {
        title,
        model,
        model_path,
        assessment: &assessment,
        assessed_on: on,
        out_of_fold,
        tests,
        cv,
        terms,
    });
    put(html, args.html.as_ref(), html_text.as_bytes())
}

fn describe_tests(tests: &[LabeledData]) -> String {
    let names: Vec<String> = tests.iter().map(|t| t.path.display().to_string()).collect();
    format!("held-out test ({})", names.join(" + "))
}

fn evaluate_saved(
    args: &Args,
    columns: &Columns,
    path: &Path,
    files: Reports,
) -> Result<(), Failure> {
    let model = load_model(path)?;
    let (_, tests, _) = read_data(args, columns)?;
    let reports = test_reports(&model, &tests);
    let terms = top_terms(&model, args.top);
    let report = TrainReport::of_saved_model(
        &model,
        path.to_path_buf(),
        &reports,
        &model.top_ngrams(args.top),
    );
    put(
        files.json,
        args.report.as_ref(),
        report.to_json().as_bytes(),
    )?;
    let on = describe_tests(&tests);
    let all = LabeledData::concat(tests);
    write_extras(
        args,
        &model,
        path,
        "evaluation",
        (&all, &on),
        (None, &reports, None),
        &terms,
        files.errors,
        files.html,
    )?;
    print(&evaluation_text(&model, path, &reports, &terms))
}

/// A bar of model fits with the time left, on a terminal only.
fn progress_bar() -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} {elapsed_precise} [{bar:30}] {pos}/{len} fits, about {eta} left: {msg}",
            )
            .expect("valid template")
            .progress_chars("=> "),
        );
        bar.enable_steady_tick(std::time::Duration::from_millis(200));
        bar
    })
}

fn train_and_save(
    args: &Args,
    cfg: &TrainConfig,
    columns: &Columns,
    mut model_file: OutFile,
    files: Reports,
) -> Result<(), Failure> {
    let out = args.out.clone().expect("training has --out");
    let started = std::time::Instant::now();
    let (data, test, skipped) = read_data(args, columns)?;

    let bar = progress_bar();
    let on = |event: TrainEvent<'_>| {
        if let Some(bar) = &bar {
            match event {
                TrainEvent::Planned { fits } => bar.inc_length(fits),
                TrainEvent::Stage(what) => bar.set_message(what.to_string()),
                TrainEvent::Fitted => bar.inc(1),
            }
        }
    };
    let say = |line: String| match &bar {
        Some(bar) => bar.println(line),
        None => eprintln!("{line}"),
    };
    let cv = match args.cv {
        Some(k) => {
            say(format!("cross-validating ({k} folds)..."));
            Some(cross_validate_with_progress(&data, cfg, k, &on)?)
        }
        None => None,
    };
    say(format!("training on {} rows...", data.len()));
    let (mut model, summary) = train_with_progress(&data, cfg, &on)?;
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let reports = test_reports(&model, &test);
    // Held-out figures travel with the model; cross-validation figures
    // stay in the report.
    model = with_test_metrics(model, &reports);
    model_file
        .write_all(&model.to_bytes())
        .map_err(|e| write_failed(frametag::Error::io(&out, e)))?;
    model_file.finish().map_err(write_failed)?;

    let top = model.top_ngrams(args.top);
    let report = TrainReport::new(
        &model,
        out.clone(),
        &data,
        skipped,
        &summary,
        cv.clone(),
        &reports,
        &top,
    );
    put(
        files.json,
        args.report.as_ref(),
        report.to_json().as_bytes(),
    )?;
    let terms = top_terms(&model, args.top);
    let (assessed, on) = match test.is_empty() {
        true => (
            data.clone(),
            format!(
                "the training data ({}; in-sample, so optimistic: give --test for held-out curves)",
                data.path.display()
            ),
        ),
        false => (LabeledData::concat(test.clone()), describe_tests(&test)),
    };
    write_extras(
        args,
        &model,
        &out,
        "training report",
        (&assessed, &on),
        (Some(&summary.out_of_fold), &reports, cv.as_ref()),
        &terms,
        files.errors,
        files.html,
    )?;
    // Files first, then the text report.
    let mut text = training_text(&model, &data, &summary, cv.as_ref(), &reports, &terms);
    let _ = writeln!(
        text,
        "\nmodel written to {} ({:.1} s)",
        out.display(),
        started.elapsed().as_secs_f64()
    );
    print(&text)
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
            ..RecordFields::default()
        },
    });
    let mut files = args.data.clone();
    files.extend(args.test.iter().cloned());
    if files.is_empty() {
        return Err(Failure::Usage("no --data or --test file given".into()));
    }
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
    if parts.is_empty() {
        // Evaluating a saved model: no training data.
        return Ok((LabeledData::default(), test, skipped));
    }
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
