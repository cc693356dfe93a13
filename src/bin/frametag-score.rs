//! frametag-score: batch scoring of article archives.
//!
//! A reader thread walks the inputs and sends bounded batches of records
//! through a channel; each batch is scored in parallel (rayon) and written
//! in input order, so memory stays flat and the output does not depend on
//! the number of threads.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::mpsc::sync_channel;
use std::time::Instant;

use clap::{Parser, ValueEnum};
use frametag::input::{expand_paths, read_all, Delimiter, InputFormat, Item, RecordFields};
use frametag::out_file::{check_outputs, remove_temporary_files, OutFile};
use frametag::output::{OutputFormat, RowFormat, SummaryFormat};
use frametag::standoff::{read_exclusions, sentence_checksum};
use frametag::suggest::{Candidate, Selection, SuggestConfig, Suggester, Suggestion};
use frametag::{ArticleScorer, FrameModel, ScoredSentence, Unit};
use rayon::prelude::*;

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

/// One record's output: its rows, its summary row, its sentence count and,
/// when suggesting, its sentences as candidates.
type Scored = (Vec<u8>, Vec<u8>, usize, Vec<Candidate>);

/// Records looked at to warn about `--unit record` on articles.
const UNIT_CHECK_RECORDS: usize = 20;

/// How many skips with the same reason are shown one by one.
const SHOW_SAME_REASON: u64 = 5;

/// The most worker threads accepted: more only costs start-up time.
const MAX_THREADS: usize = 1024;

/// Records per batch, and bytes of text per batch: bounds memory.
const BATCH_RECORDS: usize = 4096;
const BATCH_BYTES: usize = 8 << 20;

enum Stop {
    /// Usage or model error: exit 2.
    Usage(String),
    /// Strict mode hit a bad record: exit 1.
    Fail(String),
    /// An output could not be written, or was cut short: exit 3.
    Write(String),
}

#[derive(Default)]
struct Totals {
    articles: u64,
    sentences: u64,
    skipped: u64,
    repaired: u64,
    bytes: u64,
}

fn main() -> ExitCode {
    let args = Args::parse();
    // On Ctrl-C or SIGTERM, leave no temporary output file behind.
    let _ = ctrlc::set_handler(|| {
        remove_temporary_files();
        std::process::exit(130);
    });
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

/// Warns when the records scored whole (`--unit record`) look like
/// articles: their median sentence count is 3 or more.
fn warn_if_articles(counts: Option<Vec<usize>>, warn: &dyn Fn(&str)) {
    let Some(mut counts) = counts.filter(|c| !c.is_empty()) else {
        return;
    };
    counts.sort_unstable();
    let median = counts[counts.len() / 2];
    if median >= 3 {
        warn(&format!(
            "warning: --unit record scores each record whole, but these records hold about \
             {median} sentences each (median of the first {}); leave --unit out to score \
             articles sentence by sentence",
            counts.len()
        ));
    }
}

/// The header of suggestion rows.
fn suggestion_header(labels: &[String]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut cols: Vec<&str> = vec![
        "doc_id",
        "sent_idx",
        "start",
        "end",
        "checksum",
        "labels",
        "selection",
        "margin",
    ];
    cols.extend(labels.iter().map(String::as_str));
    cols.push("text");
    w.write_record(&cols).expect("writing to memory");
    w.into_inner().expect("writing to memory")
}

/// Suggestion rows: a stand-off CSV with an empty labels column to fill in.
fn suggestion_rows(picks: &[Suggestion]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for p in picks {
        let c = &p.candidate;
        let mut fields = vec![
            c.doc_id.clone(),
            c.sent_idx.to_string(),
            c.start.to_string(),
            c.end.to_string(),
            sentence_checksum(&c.text),
            String::new(),
            p.selection.as_str().to_string(),
            format!("{:.3}", p.margin),
        ];
        fields.extend(c.scores.iter().map(|s| format!("{s:.4}")));
        fields.push(c.text.clone());
        w.write_record(&fields).expect("writing to memory");
    }
    w.into_inner().expect("writing to memory")
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
    let rows = RowFormat::new(
        match args.output_format {
            OutFormat::Csv => OutputFormat::Csv,
            OutFormat::Jsonl => OutputFormat::Jsonl,
        },
        model.labels(),
        args.explain > 0,
    );
    let summary_format = SummaryFormat::new(model.labels());
    let mut suggester = match args.suggest {
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
            Some(Suggester::new(
                config,
                model.thresholds(),
                model.mode(),
                exclude,
            ))
        }
        None if !args.exclude.is_empty() => {
            return Err(Stop::Usage("--exclude goes with --suggest".into()))
        }
        None => None,
    };
    if suggester.is_some() && (args.summary.is_some() || args.explain > 0) {
        return Err(Stop::Usage(
            "--suggest writes suggestions only: drop --summary and --explain".into(),
        ));
    }

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
    let mut out = Sink::open(args.output.as_ref())?;
    let mut summary = match &args.summary {
        Some(p) => Some(Sink::open(Some(p))?),
        None => None,
    };
    let broken = |e: &std::io::Error| e.kind() == std::io::ErrorKind::BrokenPipe;
    let header = match &suggester {
        Some(_) => suggestion_header(model.labels()),
        None => rows.header(),
    };
    if let Err(e) = out.write(&header) {
        if broken(&e) {
            return Ok(Totals::default());
        }
        return Err(Stop::Write(format!("writing output: {e}")));
    }
    if let Some(s) = summary.as_mut() {
        s.write(&summary_format.header())
            .map_err(|e| Stop::Write(format!("writing summary: {e}")))?;
    }

    let progress = (!args.quiet && std::io::stderr().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {elapsed_precise} {msg}")
                .expect("valid template"),
        );
        bar.enable_steady_tick(std::time::Duration::from_millis(200));
        bar
    });

    let warn = |m: &str| match &progress {
        Some(bar) => bar.suspend(|| eprintln!("{m}")),
        None => eprintln!("{m}"),
    };
    let started = Instant::now();
    let (tx, rx) = sync_channel::<Vec<Item>>(2);
    let reader = std::thread::spawn(move || {
        let mut batch = Vec::new();
        let mut bytes = 0;
        let walk_skips = walk_skips.into_iter().map(Item::Skip);
        let mut sink = |item: Item| {
            if let Item::Record(r) = &item {
                bytes += r.text.len();
            }
            batch.push(item);
            if batch.len() >= BATCH_RECORDS || bytes >= BATCH_BYTES {
                bytes = 0;
                return tx.send(std::mem::take(&mut batch)).is_ok();
            }
            true
        };
        // What the directory walk could not read is counted first.
        for skip in walk_skips {
            if !sink(skip) {
                return;
            }
        }
        read_all(&files, format, &fields, sink);
        if !batch.is_empty() {
            let _ = tx.send(batch);
        }
    });

    let workers: Vec<std::sync::Mutex<(ArticleScorer, Vec<ScoredSentence>)>> = (0
        ..rayon::current_num_threads())
        .map(|_| {
            std::sync::Mutex::new((ArticleScorer::new(&model, unit, args.explain), Vec::new()))
        })
        .collect();
    // --unit record on whole articles is a likely mistake: the first
    // records are split to see whether they are sentences.
    let segmenter = frametag::Segmenter::new();
    let mut unit_check: Option<Vec<usize>> = Some(Vec::new());
    let mut totals = Totals::default();
    let mut repeats: std::collections::HashMap<String, u64> = std::collections::HashMap::new();
    let mut failure = None;
    let mut cut_short = false;
    'batches: for batch in rx {
        // Skips are reported in order; records are scored in parallel.
        for item in &batch {
            if let Item::Skip(s) = item {
                totals.skipped += 1;
                if args.strict {
                    failure = Some(Stop::Fail(format!("{}: {} (--strict)", s.origin, s.reason)));
                    break 'batches;
                }
                // The same reason over and over (a wrong --text-field on
                // every line) is shown a few times, then counted.
                let seen = repeats.entry(s.reason.clone()).or_insert(0);
                *seen += 1;
                if *seen <= SHOW_SAME_REASON {
                    warn(&format!("warning: {}: {}; skipped", s.origin, s.reason));
                }
            }
        }
        let suggesting = suggester.is_some();
        let scored: Vec<Scored> = batch
            .par_iter()
            .filter_map(|item| match item {
                Item::Record(r) => Some(r),
                Item::Skip(_) => None,
            })
            .map(|r| {
                // One scorer per worker thread for the whole run, so each
                // thread's term cache stays warm across batches (map_init
                // would build one per work split).
                let slot = rayon::current_thread_index().unwrap_or(0) % workers.len();
                let mut guard = workers[slot].lock().unwrap_or_else(|e| e.into_inner());
                let (scorer, buf) = &mut *guard;
                scorer.score(&r.text, buf);
                if suggesting {
                    let cands = buf
                        .iter()
                        .map(|s| Candidate {
                            doc_id: r.id.clone(),
                            sent_idx: s.sent_idx,
                            start: s.start,
                            end: s.end,
                            text: r.text[s.start..s.end].to_string(),
                            scores: s.scores.clone(),
                        })
                        .collect();
                    return (Vec::new(), Vec::new(), buf.len(), cands);
                }
                let mut bytes = Vec::with_capacity(r.text.len() + 64 * buf.len());
                rows.write_article(&r.id, &r.text, buf, &mut bytes);
                let mut sum = Vec::new();
                if args.summary.is_some() {
                    summary_format.write_article(&r.id, buf, &mut sum);
                }
                (bytes, sum, buf.len(), Vec::new())
            })
            .collect();
        let records = batch.iter().filter_map(|item| match item {
            Item::Record(r) => Some(r),
            Item::Skip(_) => None,
        });
        for (r, (bytes, sum, n, cands)) in records.zip(scored) {
            if n == 0 {
                // Nothing to score ("* * *", a zero-width space): the record
                // is counted as skipped rather than vanishing.
                totals.skipped += 1;
                let reason =
                    "no sentence found (only punctuation, symbols or invisible characters)";
                if args.strict {
                    failure = Some(Stop::Fail(format!("{}: {reason} (--strict)", r.origin)));
                    break 'batches;
                }
                warn(&format!("warning: {}: {reason}; skipped", r.origin));
                continue;
            }
            totals.articles += 1;
            totals.bytes += r.text.len() as u64;
            if let (Unit::Record, Some(check)) = (unit, unit_check.as_mut()) {
                check.push(segmenter.split(&r.text).len());
                if check.len() == UNIT_CHECK_RECORDS {
                    warn_if_articles(unit_check.take(), &warn);
                }
            }
            if r.repaired {
                totals.repaired += 1;
                warn(&format!(
                    "warning: {}: invalid UTF-8 replaced with U+FFFD",
                    r.origin
                ));
            }
            totals.sentences += n as u64;
            if let Some(sg) = suggester.as_mut() {
                cands.into_iter().for_each(|c| sg.offer(c));
                continue;
            }
            if let Err(e) = out.write(&bytes) {
                if broken(&e) {
                    cut_short = true;
                } else {
                    failure = Some(Stop::Write(format!("writing output: {e}")));
                }
                break 'batches;
            }
            if let Some(s) = summary.as_mut() {
                if let Err(e) = s.write(&sum) {
                    failure = Some(Stop::Write(format!("writing summary: {e}")));
                    break 'batches;
                }
            }
        }
        if let Some(bar) = &progress {
            let secs = started.elapsed().as_secs_f64().max(1e-9);
            bar.set_message(format!(
                "{} articles, {} sentences, {} skipped, {:.1} MB/s",
                totals.articles,
                totals.sentences,
                totals.skipped,
                totals.bytes as f64 / 1e6 / secs
            ));
        }
    }
    // Dropping the receiver (above) stops the reader at its next send.
    let _ = reader.join();
    if let Some(bar) = &progress {
        bar.finish_and_clear();
    }
    if unit == Unit::Record {
        warn_if_articles(unit_check.take(), &warn);
    }
    let mut hidden: Vec<(&String, &u64)> = repeats
        .iter()
        .filter(|(_, &n)| n > SHOW_SAME_REASON)
        .collect();
    hidden.sort();
    for (reason, n) in hidden {
        eprintln!(
            "warning: {} more records skipped for the same reason: {reason}",
            n - SHOW_SAME_REASON
        );
    }
    if let Some(f) = failure {
        return Err(f); // temporary files are removed, nothing is written
    }
    if totals.articles == 0 && !cut_short {
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
    if let Some(sg) = suggester {
        let found = sg.finish();
        out.write(&suggestion_rows(&found.picks))
            .map_err(|e| Stop::Write(format!("writing output: {e}")))?;
        if !args.quiet {
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
    }
    cut_short |= !out.finish()?;
    if cut_short {
        // The rows were cut short by a closed pipe (`| head`): that ends
        // quietly, but a summary of the articles read so far would pass
        // for the whole archive, so it is not written.
        if let Some(s) = &args.summary {
            drop(summary);
            return Err(Stop::Write(format!(
                "output closed after {} articles; the summary {} was not written",
                totals.articles,
                s.display()
            )));
        }
        return Ok(totals);
    }
    if let Some(s) = summary {
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
