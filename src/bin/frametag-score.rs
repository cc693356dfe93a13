//! frametag-score: batch scoring of article archives.
//!
//! Argument parsing, outputs and exit codes; the scoring itself is
//! [`frametag::pipeline::score_files`].

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, ValueEnum};
use frametag::io::read_exclusions;
use frametag::io::OutputFormat;
use frametag::io::{check_outputs, remove_temporary_files_on_signal, OutFile};
use frametag::io::{expand_paths, Delimiter, InputFormat, RecordFields};
use frametag::pipeline::{score_files, Event, Failure, Options, Totals};
use frametag::pipeline::{Selection, SuggestConfig};
use frametag::report::ArchiveFields;
use frametag::{FrameModel, Mode, Unit};

/// Tag every sentence of news articles with narrative frames.
///
/// Reads text/markdown files (one article each), directories (recursive),
/// JSON lines and CSV files (one article per line or row), gzip-compressed
/// or not, and `-` for standard input. Writes one row per sentence with its
/// UTF-8 byte offsets into the article text, the labels whose score passes
/// the model's threshold, and one score per label.
///
/// Exit status: 0 when every record was scored, 1 when some were skipped
/// (each is reported on stderr with file and line), 2 for usage errors or
/// an unusable model.
#[derive(Parser, Debug)]
#[command(name = "frametag-score", version)]
struct Args {
    /// Files, directories, or - for standard input.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Model file (default: the built-in English model).
    #[arg(long, value_name = "MODEL")]
    model: Option<PathBuf>,
    /// Input format (auto: by extension; stdin is sniffed).
    #[arg(long, value_enum, default_value_t = Format::Auto)]
    input_format: Format,
    /// JSON field / CSV column holding the text.
    #[arg(long, default_value = "text")]
    text_field: String,
    /// JSON field / CSV column holding the article id (file:line when absent).
    #[arg(long, default_value = "id")]
    id_field: String,
    /// Field delimiter of CSV input: one character, or "tab".
    #[arg(long, default_value_t = Delimiter(b','))]
    delimiter: Delimiter,
    /// Skip records (a file, a JSON line, a CSV record) larger than this
    /// many MiB, with a message: one huge record cannot fill memory.
    #[arg(long, value_name = "MIB", default_value_t = 32)]
    max_record_mb: usize,
    /// Score each sentence, or each record whole (for pre-split sentences).
    #[arg(long, value_enum, default_value_t = UnitArg::Sentence)]
    unit: UnitArg,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutFormat::Csv)]
    output_format: OutFormat,
    /// Write rows to FILE (atomically) instead of standard output.
    #[arg(short = 'o', long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Write one summary row per article to FILE (CSV, atomically).
    #[arg(long, value_name = "FILE")]
    summary: Option<PathBuf>,
    /// Worker threads (default: all cores; at most 1024).
    #[arg(long)]
    threads: Option<usize>,
    /// For each predicted label, list the K n-grams that raised it most.
    #[arg(long, value_name = "K", default_value_t = 0)]
    explain: usize,
    /// Stop at the first bad record instead of skipping it.
    #[arg(long)]
    strict: bool,
    /// Override a label's threshold: LABEL=P with P between 0 and 1
    /// (repeatable; multi-label models).
    #[arg(long, value_name = "LABEL=P")]
    threshold: Vec<String>,
    /// Carry these JSON fields / CSV columns (comma-separated) into every
    /// row and summary row, right after doc_id.
    #[arg(long, value_name = "A,B", value_delimiter = ',')]
    keep_fields: Vec<String>,
    /// No progress bar and no final summary line.
    #[arg(short, long)]
    quiet: bool,

    /// Instead of every row, write the N sentences whose labels would teach
    /// the model most (scores near a threshold), as a stand-off CSV to fill
    /// in: doc_id, sent_idx, start, end, checksum, an empty labels column,
    /// why each was chosen, the scores and the text.
    #[arg(long, value_name = "N", help_heading = "Suggestions")]
    suggest: Option<usize>,
    /// Share of the suggestions drawn uniformly at random, so base rates
    /// stay measurable.
    #[arg(
        long,
        value_name = "FRACTION",
        default_value_t = 0.2,
        help_heading = "Suggestions"
    )]
    suggest_random: f64,
    /// At most this many suggestions from one article.
    #[arg(
        long,
        value_name = "K",
        default_value_t = 3,
        help_heading = "Suggestions"
    )]
    suggest_per_article: usize,
    /// Also write a self-contained HTML archive report here: share of
    /// sentences per frame overall, the most and least framed articles,
    /// and with --date-field / --group-field, shares over time and by
    /// group.
    #[arg(long, value_name = "FILE", help_heading = "Archive report")]
    html: Option<PathBuf>,
    /// JSON field / CSV column with each article's date (2024-05-03,
    /// 20240503, ISO 8601 or RFC 2822), for frame shares per week or month.
    #[arg(long, value_name = "FIELD", help_heading = "Archive report")]
    date_field: Option<String>,
    /// JSON field / CSV column grouping articles (outlet, country), for
    /// frame shares by group.
    #[arg(long, value_name = "FIELD", help_heading = "Archive report")]
    group_field: Option<String>,
    /// Seed of the random share.
    #[arg(long, default_value_t = 42, help_heading = "Suggestions")]
    seed: u64,
    /// Leave out what a CSV lists (a doc_id column; with start and end, the
    /// sentences, e.g. ones already labelled; without, whole articles).
    #[arg(long, value_name = "CSV", help_heading = "Suggestions")]
    exclude: Vec<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    Auto,
    Text,
    Jsonl,
    /// JSON lines, or one JSON array of objects.
    Json,
    Csv,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum UnitArg {
    Sentence,
    Record,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum OutFormat {
    Csv,
    Jsonl,
}

/// The most worker threads accepted: more only costs start-up time.
const MAX_THREADS: usize = 1024;

enum Stop {
    /// Usage or model error: exit 2.
    Usage(String),
    /// Strict mode hit a bad record: exit 1.
    Fail(String),
    /// An output could not be written, or was cut short: exit 3.
    Write(String),
}

fn main() -> ExitCode {
    let args = Args::parse();
    remove_temporary_files_on_signal();
    match run(&args) {
        Ok(totals) => ExitCode::from(if totals.skipped > 0 { 1 } else { 0 }),
        Err(Stop::Usage(m)) => {
            eprintln!("frametag-score: {m}");
            ExitCode::from(2)
        }
        Err(Stop::Fail(m)) => {
            eprintln!("frametag-score: {m}");
            ExitCode::from(1)
        }
        Err(Stop::Write(m)) => {
            eprintln!("frametag-score: {m}");
            ExitCode::from(3)
        }
    }
}

/// Where rows go: standard output, or an [`OutFile`] (a temporary file
/// renamed at the end, or a device written through).
enum Sink {
    Stdout(std::io::BufWriter<std::io::Stdout>),
    File(OutFile),
}

impl Sink {
    fn open(path: Option<&PathBuf>) -> Result<Sink, Stop> {
        match path {
            None => Ok(Sink::Stdout(std::io::BufWriter::with_capacity(
                1 << 16,
                std::io::stdout(),
            ))),
            Some(p) => {
                Ok(Sink::File(OutFile::create(p).map_err(|e| {
                    Stop::Usage(format!("cannot create output: {e}"))
                })?))
            }
        }
    }

    fn write(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        match self {
            Sink::Stdout(w) => w.write_all(bytes),
            Sink::File(w) => w.write_all(bytes),
        }
    }

    /// Flushes standard output, or puts the file in place. A closed pipe
    /// is reported as `Ok(false)`.
    fn finish(self) -> Result<bool, Stop> {
        match self {
            Sink::Stdout(mut w) => match w.flush() {
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(false),
                Err(e) => Err(Stop::Write(format!("writing output: {e}"))),
                Ok(()) => Ok(true),
            },
            Sink::File(f) => f
                .finish()
                .map(|()| true)
                .map_err(|e| Stop::Write(e.to_string())),
        }
    }
}

fn load_model(args: &Args) -> Result<FrameModel, Stop> {
    let model = match &args.model {
        Some(p) => FrameModel::load(p).map_err(|e| Stop::Usage(e.to_string()))?,
        None => frametag::default_model(),
    };
    if args.threshold.is_empty() {
        return Ok(model);
    }
    if model.mode() == Mode::MultiClass {
        return Err(Stop::Usage(
            "--threshold: this model is multi-class (each sentence gets its top label), so \
             it has no thresholds to override"
                .into(),
        ));
    }
    let mut thresholds = model.thresholds().to_vec();
    for t in &args.threshold {
        let (label, p) = t.rsplit_once('=').ok_or_else(|| {
            Stop::Usage(format!(
                "--threshold {t:?}: expected LABEL=P, e.g. escalation=0.4"
            ))
        })?;
        let c = model
            .labels()
            .iter()
            .position(|l| l == label)
            .ok_or_else(|| {
                Stop::Usage(format!(
                    "--threshold {t:?}: no label {label:?} in the model (labels: {})",
                    model.labels().join(", ")
                ))
            })?;
        thresholds[c] = p
            .trim()
            .parse::<f32>()
            .ok()
            .filter(|p| (0.0..=1.0).contains(p))
            .ok_or_else(|| {
                Stop::Usage(format!("--threshold {t:?}: P must be a number from 0 to 1"))
            })?;
    }
    model
        .with_thresholds(thresholds)
        .map_err(|e| Stop::Usage(e.to_string()))
}

fn run(args: &Args) -> Result<Totals, Stop> {
    let model = load_model(args)?;
    if let Some(n) = args.threads {
        if !(1..=MAX_THREADS).contains(&n) {
            return Err(Stop::Usage(format!(
                "--threads {n}: expected 1 to {MAX_THREADS}"
            )));
        }
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()
            .map_err(|e| Stop::Usage(e.to_string()))?;
    }
    let expanded = expand_paths(&args.paths).map_err(|e| Stop::Usage(e.to_string()))?;
    let (files, ignored, walk_skips) = (expanded.files, expanded.ignored, expanded.skipped);
    if !args.quiet && !ignored.is_empty() {
        eprintln!(
            "frametag-score: ignoring {} file(s) with unknown extensions (e.g. {})",
            ignored.len(),
            ignored[0].display()
        );
    }
    let format = match args.input_format {
        Format::Auto => InputFormat::Auto,
        Format::Text => InputFormat::Text,
        Format::Jsonl => InputFormat::Jsonl,
        Format::Json => InputFormat::Json,
        Format::Csv => InputFormat::Csv,
    };
    if args.html.is_none() && (args.date_field.is_some() || args.group_field.is_some()) {
        return Err(Stop::Usage(
            "--date-field and --group-field shape the archive report: add --html FILE".into(),
        ));
    }
    let kept = kept_fields(args, &model)?;
    // The reader extracts the kept fields, then the date and group fields.
    let mut extra = kept.clone();
    for f in [&args.date_field, &args.group_field].into_iter().flatten() {
        if !extra.contains(f) {
            extra.push(f.clone());
        }
    }
    let fields = RecordFields {
        text: args.text_field.clone(),
        id: args.id_field.clone(),
        delimiter: args.delimiter.0,
        max_record_bytes: args.max_record_mb << 20,
        extra,
    };
    let unit = match args.unit {
        UnitArg::Sentence => Unit::Sentence,
        UnitArg::Record => Unit::Record,
    };
    let output_format = match args.output_format {
        OutFormat::Csv => OutputFormat::Csv,
        OutFormat::Jsonl => OutputFormat::Jsonl,
    };
    let suggest = match args.suggest {
        Some(n) => {
            let config = SuggestConfig {
                n,
                random_fraction: args.suggest_random,
                per_article: args.suggest_per_article,
                seed: args.seed,
                ..SuggestConfig::default()
            };
            config.validate().map_err(|e| Stop::Usage(e.to_string()))?;
            let exclude = read_exclusions(&args.exclude).map_err(|e| Stop::Usage(e.to_string()))?;
            Some((config, exclude))
        }
        None if !args.exclude.is_empty() => {
            return Err(Stop::Usage("--exclude goes with --suggest".into()))
        }
        None => None,
    };
    if suggest.is_some()
        && (args.summary.is_some()
            || args.explain > 0
            || args.html.is_some()
            || !args.keep_fields.is_empty())
    {
        return Err(Stop::Usage(
            "--suggest writes suggestions only: drop --summary, --explain, --html and --keep-fields"
                .into(),
        ));
    }
    let options = Options {
        unit,
        input_format: format,
        fields,
        output_format,
        explain: args.explain,
        summary: args.summary.is_some(),
        strict: args.strict,
        suggest,
        kept_fields: kept,
        archive: args.html.as_ref().map(|_| ArchiveFields {
            date: args.date_field.clone(),
            group: args.group_field.clone(),
        }),
    };

    let outputs: Vec<&std::path::Path> = args
        .output
        .iter()
        .chain(&args.summary)
        .chain(&args.html)
        .map(PathBuf::as_path)
        .collect();
    let mut inputs = args.paths.clone();
    inputs.extend(args.exclude.iter().cloned());
    inputs.extend(args.model.iter().cloned());
    check_outputs(&outputs, &inputs).map_err(|e| Stop::Usage(e.to_string()))?;
    let mut sinks = Outputs {
        rows: Sink::open(args.output.as_ref())?,
        summary: match &args.summary {
            Some(p) => Some(Sink::open(Some(p))?),
            None => None,
        },
    };
    let html = match &args.html {
        Some(p) => Some(Sink::open(Some(p))?),
        None => None,
    };

    let progress = (!args.quiet && std::io::stderr().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {elapsed_precise} {msg}")
                .expect("valid template"),
        );
        bar.enable_steady_tick(std::time::Duration::from_millis(200));
        bar
    });
    let started = Instant::now();
    let mut on = |event: Event| match event {
        Event::Warning(m) => match &progress {
            Some(bar) => bar.suspend(|| eprintln!("{m}")),
            None => eprintln!("{m}"),
        },
        Event::Progress(t) => {
            if let Some(bar) = &progress {
                let secs = started.elapsed().as_secs_f64().max(1e-9);
                bar.set_message(format!(
                    "{} articles, {} sentences, {} skipped, {:.1} MB/s",
                    t.articles,
                    t.sentences,
                    t.skipped,
                    t.bytes as f64 / 1e6 / secs
                ));
            }
        }
    };
    let result = score_files(&model, files, walk_skips, &options, &mut sinks, &mut on);
    if let Some(bar) = &progress {
        bar.finish_and_clear();
    }
    // On failure the outputs are dropped: temporary files are removed and
    // nothing is written.
    let outcome = result.map_err(|f| match f {
        Failure::Strict(m) => Stop::Fail(format!("{m} (--strict)")),
        f @ Failure::Write { .. } => Stop::Write(f.to_string()),
    })?;
    let totals = outcome.totals;
    if totals.articles == 0 && !outcome.cut_short {
        // An empty result is not a success: say why nothing was scored.
        return Err(if totals.skipped > 0 {
            Stop::Fail(format!(
                "nothing was scored: every one of the {} records read was skipped",
                totals.skipped
            ))
        } else {
            Stop::Usage(format!(
                "nothing was scored: no input records in {}",
                args.paths
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        });
    }
    if let (Some(found), false) = (&outcome.suggestions, args.quiet) {
        let random = found
            .picks
            .iter()
            .filter(|p| p.selection == Selection::Random)
            .count();
        eprintln!(
            "frametag-score: suggested {} of {} sentences ({} random, {} uncertain; {} excluded)",
            found.picks.len(),
            found.offered,
            random,
            found.picks.len() - random,
            found.excluded
        );
    }
    let cut_short = outcome.cut_short | !sinks.rows.finish()?;
    if cut_short {
        // The rows were cut short by a closed pipe (`| head`): that ends
        // quietly, but a summary of the articles read so far would pass
        // for the whole archive, so it is not written.
        if let Some(s) = args.summary.as_ref().or(args.html.as_ref()) {
            drop(sinks.summary);
            drop(html);
            return Err(Stop::Write(format!(
                "output closed after {} articles; the summary {} was not written",
                totals.articles,
                s.display()
            )));
        }
        return Ok(totals);
    }
    if let Some(s) = sinks.summary {
        s.finish()?;
    }
    if let (Some(mut sink), Some(stats)) = (html, &outcome.archive) {
        let inputs: Vec<String> = args.paths.iter().map(|p| p.display().to_string()).collect();
        let model_name = args
            .model
            .as_ref()
            .map_or("built-in English model".to_string(), |p| {
                p.display().to_string()
            });
        let page = stats.page(&inputs.join(", "), &model_name);
        sink.write(page.as_bytes())
            .map_err(|e| Stop::Write(format!("writing the archive report: {e}")))?;
        sink.finish()?;
    }
    if !args.quiet {
        let secs = started.elapsed().as_secs_f64();
        eprintln!(
            "frametag-score: {} articles, {} sentences, {} skipped, {} repaired, {:.1} MB in {:.2} s ({:.1} MB/s)",
            totals.articles,
            totals.sentences,
            totals.skipped,
            totals.repaired,
            totals.bytes as f64 / 1e6,
            secs,
            totals.bytes as f64 / 1e6 / secs.max(1e-9)
        );
    }
    Ok(totals)
}

/// The --keep-fields names, checked: no repeats, and none that a row or
/// summary column already uses.
fn kept_fields(args: &Args, model: &FrameModel) -> Result<Vec<String>, Stop> {
    let rows = frametag::io::RowFormat::new(OutputFormat::Csv, model.labels(), true);
    let mut reserved = rows.reserved_names();
    reserved.push("sentences".into());
    for l in model.labels() {
        reserved.push(format!("{l}_count"));
        reserved.push(format!("{l}_share"));
    }
    let mut kept: Vec<String> = Vec::new();
    for f in &args.keep_fields {
        let f = f.trim();
        if f.is_empty() {
            return Err(Stop::Usage("--keep-fields: empty field name".into()));
        }
        if reserved.iter().any(|r| r == f) || f == args.text_field {
            return Err(Stop::Usage(format!(
                "--keep-fields: {f:?} is already an output column"
            )));
        }
        if !kept.iter().any(|k| k == f) {
            kept.push(f.to_string());
        }
    }
    Ok(kept)
}

/// The row and summary outputs, as the engine's sink.
struct Outputs {
    rows: Sink,
    summary: Option<Sink>,
}

impl frametag::pipeline::Sink for Outputs {
    fn rows(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.rows.write(bytes)
    }

    fn summary(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        match self.summary.as_mut() {
            Some(s) => s.write(bytes),
            None => Ok(()),
        }
    }
}
