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
use frametag::{FrameModel, Unit};

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
    match &args.model {
        Some(p) => FrameModel::load(p).map_err(|e| Stop::Usage(e.to_string())),
        None => Ok(frametag::default_model()),
    }
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
    let fields = RecordFields {
        text: args.text_field.clone(),
        id: args.id_field.clone(),
        delimiter: args.delimiter.0,
        max_record_bytes: args.max_record_mb << 20,
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
    if suggest.is_some() && (args.summary.is_some() || args.explain > 0) {
        return Err(Stop::Usage(
            "--suggest writes suggestions only: drop --summary and --explain".into(),
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
    };

    let outputs: Vec<&std::path::Path> = args
        .output
        .iter()
        .chain(&args.summary)
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
        if let Some(s) = &args.summary {
            drop(sinks.summary);
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
