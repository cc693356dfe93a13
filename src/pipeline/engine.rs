//! The batch-scoring engine: input files in, rows (or suggestions) out,
//! with every record scored or counted as skipped.
//!
//! A reader thread walks the inputs and sends bounded batches of records
//! through a channel (JSON lines still as bytes: the reader only cuts
//! them); each batch is cut into chunks that are parsed and scored in
//! parallel (rayon, one scorer per worker thread so term caches stay warm,
//! each chunk's rows formatted into one buffer) and handed to the [`Sink`]
//! in input order, so memory stays flat and the output does not depend on
//! the number of threads. Warnings and progress go to a callback, so the
//! caller decides how to show them.
//!
//! ```
//! use frametag::pipeline::{score_files, Options, VecSink};
//! use std::path::PathBuf;
//!
//! let model = frametag::default_model();
//! let files = vec![(PathBuf::from("corpus/articles/01-kharkiv-power-strikes.txt"), PathBuf::from("kharkiv"))];
//! let mut sink = VecSink::default();
//! let outcome = score_files(&model, files, Vec::new(), &Options::default(), &mut sink, &mut |_| {}).unwrap();
//! assert_eq!(outcome.totals.articles, 1);
//! assert!(String::from_utf8(sink.rows).unwrap().starts_with("doc_id,sent_idx,start,end,labels"));
//! ```

use std::collections::{HashMap, VecDeque};
use std::sync::mpsc::{channel, sync_channel};
use std::sync::{Arc, Mutex};

use crate::io::input::{
    read_into, Collect, InputFiles, InputFormat, Item, Record, RecordFields, Skip,
};
use crate::io::output::{OutputFormat, RowFormat, SummaryFormat};
use crate::io::standoff::sentence_checksum;
use crate::model::frame_model::FrameModel;
use crate::pipeline::article::{ArticleScorer, ScoredSentence, Unit};
use crate::pipeline::input_batch::{BatchInput, Batcher, ChunkEntries, InputBatch};
use crate::pipeline::suggest::{
    Candidate, Exclusions, SuggestConfig, Suggester, Suggestion, Suggestions,
};
use crate::report::{ArchiveFields, ArchiveStats, ArticleDigest};
use crate::text::segment::Segmenter;

/// Records looked at to warn about `Unit::Record` on whole articles.
const UNIT_CHECK_RECORDS: usize = 20;
/// Batches whose chunks are handed to the workers before the first of
/// them is written: the workers start on the next batch while the last
/// chunks of the current one are still being scored.
const BATCHES_IN_FLIGHT: usize = 2;
/// How many skips with the same reason are reported one by one.
const SHOW_SAME_REASON: u64 = 5;

/// How to read and score.
#[derive(Debug, Clone)]
pub struct Options {
    /// Score sentences, or each record whole.
    pub unit: Unit,
    /// How to read the input files.
    pub input_format: InputFormat,
    /// Fields, delimiter and size cap of records.
    pub fields: RecordFields,
    /// Encoding of the rows.
    pub output_format: OutputFormat,
    /// For each predicted label, the n-grams that raised it most (0: none).
    pub explain: usize,
    /// Also write one summary row per article.
    pub summary: bool,
    /// Stop at the first bad record instead of skipping it.
    pub strict: bool,
    /// Instead of rows, suggest what to label next (see [`SuggestConfig`](crate::pipeline::SuggestConfig)).
    pub suggest: Option<(SuggestConfig, Exclusions)>,
    /// Input fields carried into every row and summary row, right after
    /// `doc_id`; each must be among [`RecordFields::extra`].
    pub kept_fields: Vec<String>,
    /// Also count frames for the archive report ([`Outcome::archive`]),
    /// with these date and group fields (each among
    /// [`RecordFields::extra`]).
    pub archive: Option<ArchiveFields>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            unit: Unit::Sentence,
            input_format: InputFormat::Auto,
            fields: RecordFields::default(),
            output_format: OutputFormat::Csv,
            explain: 0,
            summary: false,
            strict: false,
            suggest: None,
            kept_fields: Vec::new(),
            archive: None,
        }
    }
}

/// Where the output goes.
pub trait Sink {
    /// Bytes of rows (the header first).
    fn rows(&mut self, bytes: &[u8]) -> std::io::Result<()>;
    /// Bytes of summary rows (the header first); only with
    /// [`Options::summary`].
    fn summary(&mut self, bytes: &[u8]) -> std::io::Result<()>;
}

/// A [`Sink`] that keeps everything in memory.
#[derive(Debug, Clone, Default)]
pub struct VecSink {
    /// The rows written.
    pub rows: Vec<u8>,
    /// The summary rows written.
    pub summary: Vec<u8>,
}

impl Sink for VecSink {
    fn rows(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.rows.extend_from_slice(bytes);
        Ok(())
    }

    fn summary(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.summary.extend_from_slice(bytes);
        Ok(())
    }
}

/// Counts of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    /// Records scored.
    pub articles: u64,
    /// Sentences (or records, by [`Unit::Record`]) scored.
    pub sentences: u64,
    /// Records skipped, each reported.
    pub skipped: u64,
    /// Records whose invalid UTF-8 was replaced.
    pub repaired: u64,
    /// Bytes of text scored.
    pub bytes: u64,
}

/// What the caller is told while the run goes on.
#[derive(Debug)]
pub enum Event<'a> {
    /// A message for the user (a skipped record, a repaired one, a hint).
    Warning(&'a str),
    /// The totals so far, after each batch.
    Progress(&'a Totals),
}

/// How a run ended without failing.
#[derive(Debug)]
pub struct Outcome {
    /// The counts.
    pub totals: Totals,
    /// The sink refused more rows with a broken pipe (`| head`): the rows
    /// stop there, and a summary would cover only part of the input.
    pub cut_short: bool,
    /// The suggestions, when asked for (already written to the sink).
    pub suggestions: Option<Suggestions>,
    /// The archive's frame counts, when [`Options::archive`] asked for
    /// them (counted in input order, so independent of thread count).
    pub archive: Option<ArchiveStats>,
}

/// Why a run stopped.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// A bad record under [`Options::strict`], with its origin.
    #[error("{0} (--strict)")]
    Strict(String),
    /// The sink could not take the output.
    #[error("writing {what}: {source}")]
    Write {
        /// `output` or `summary`.
        what: &'static str,
        /// The error.
        source: std::io::Error,
    },
}

/// Scores `files` (as [`crate::io::expand_paths`] gives them), after
/// counting `skips` found before reading (a directory walk's), into `sink`.
///
/// Score an archive of JSON lines into memory:
///
/// ```
/// use frametag::io::expand_paths;
/// use frametag::pipeline::{score_files, Options, VecSink};
///
/// let dir = tempfile::tempdir()?;
/// let archive = dir.path().join("archive.jsonl");
/// std::fs::write(
///     &archive,
///     "{\"id\": \"a1\", \"text\": \"Shelling hit the port. Aid trucks waited.\"}\n\
///      {\"id\": \"a2\", \"text\": 7}\n",
/// )?;
/// let model = frametag::default_model();
/// let input = expand_paths(&[archive])?;
/// let mut sink = VecSink::default();
/// let outcome = score_files(
///     &model,
///     input.files,
///     input.skipped,
///     &Options::default(),
///     &mut sink,
///     &mut |_event| {},
/// )?;
/// // One article scored (two sentences), one skipped for its number text.
/// assert_eq!((outcome.totals.articles, outcome.totals.sentences), (1, 2));
/// assert_eq!(outcome.totals.skipped, 1);
/// let rows = String::from_utf8(sink.rows)?;
/// assert!(rows.lines().nth(1).unwrap().starts_with("a1,0,0,22,"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn score_files(
    model: &FrameModel,
    files: InputFiles,
    skips: Vec<Skip>,
    options: &Options,
    sink: &mut dyn Sink,
    on: &mut dyn FnMut(Event),
) -> Result<Outcome, Failure> {
    // Where each kept field sits among the fields the reader extracts.
    let extra = &options.fields.extra;
    let kept_at: Vec<Option<usize>> = options
        .kept_fields
        .iter()
        .map(|name| extra.iter().position(|e| e == name))
        .collect();
    let rows = RowFormat::new(options.output_format, model.labels(), options.explain > 0)
        .with_kept_fields(&options.kept_fields);
    let summary_format = SummaryFormat::new(model.labels()).with_kept_fields(&options.kept_fields);
    let mut archive = options
        .archive
        .clone()
        .map(|fields| ArchiveStats::new(model.labels(), fields));
    let digests = archive.is_some();
    let mut suggester = options
        .suggest
        .clone()
        .map(|(c, ex)| Suggester::new(c, model.thresholds(), model.mode(), ex));
    let mut outcome = Outcome {
        totals: Totals::default(),
        cut_short: false,
        suggestions: None,
        archive: None,
    };
    let header = match &suggester {
        Some(_) => suggestion_header(model.labels()),
        None => rows.header(),
    };
    if let Err(e) = sink.rows(&header) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            outcome.cut_short = true;
            return Ok(outcome);
        }
        return Err(Failure::Write {
            what: "output",
            source: e,
        });
    }
    if options.summary {
        sink.summary(&summary_format.header())
            .map_err(|e| Failure::Write {
                what: "summary",
                source: e,
            })?;
    }

    // The reader only cuts JSON lines; the workers parse them.
    let (tx, rx) = sync_channel::<InputBatch>(2);
    let (spare_tx, spare_rx) = channel::<Vec<u8>>();
    let (format, fields) = (options.input_format, options.fields.clone());
    let reader = std::thread::spawn(move || {
        let mut batcher = Batcher::new(|batch| tx.send(batch).is_ok(), spare_rx);
        // What was found before reading (a directory walk) comes first.
        for skip in skips {
            if !batcher.item(Item::Skip(skip)) {
                return;
            }
        }
        read_into(&files, format, &fields, &mut batcher);
        batcher.finish();
    });

    let workers: Vec<OwnLines<Mutex<Worker>>> = (0..rayon::current_num_threads())
        .map(|_| {
            OwnLines(Mutex::new((
                ArticleScorer::new(model, options.unit, options.explain),
                Vec::new(),
            )))
        })
        .collect();
    // Unit::Record on whole articles is a likely mistake: the first records
    // are split to see whether they are sentences.
    let segmenter = Segmenter::new();
    let mut unit_check: Option<Vec<usize>> = Some(Vec::new());
    let mut repeats: HashMap<String, u64> = HashMap::new();
    let mut failure = None;
    let totals = &mut outcome.totals;
    let suggesting = suggester.is_some();
    // Output buffers of chunks already written, for the workers to fill
    // again: neither allocated nor freed per chunk.
    let spare_chunks: Mutex<Vec<Chunk>> = Mutex::new(Vec::new());
    // Parses and scores a chunk of a batch (on a rayon worker): the
    // chunk's rows go into one buffer (noting where each record's end),
    // so the writing thread makes one call per chunk.
    let score_chunk = |entries: ChunkEntries, input: &BatchInput| -> Chunk {
        let items = entries.items(input, &options.fields);
        let mut chunk = spare_chunks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pop()
            .unwrap_or_default();
        // One scorer per worker thread for the whole run, so each
        // thread's term cache stays warm across batches (map_init
        // would build one per work split).
        let slot = rayon::current_thread_index().unwrap_or(0) % workers.len();
        let mut guard = workers[slot].0.lock().unwrap_or_else(|e| e.into_inner());
        let (scorer, buf) = &mut *guard;
        for item in items {
            let mut r = match item {
                Item::Record(r) => r,
                Item::Skip(s) => {
                    chunk.done.push(Done::Skip(s));
                    continue;
                }
            };
            scorer.score(&r.text, buf);
            let mut out = Scored {
                n: buf.len(),
                text_len: r.text.len(),
                ..Scored::default()
            };
            if suggesting {
                out.candidates = buf
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
            } else if out.n > 0 {
                let kept: Vec<String> = kept_at
                    .iter()
                    .map(|at| {
                        at.and_then(|i| r.fields.get(i))
                            .cloned()
                            .unwrap_or_default()
                    })
                    .collect();
                chunk.rows.reserve(r.text.len() + 64 * buf.len());
                rows.write_article(&r.id, &kept, &r.text, buf, &mut chunk.rows);
                if options.summary {
                    summary_format.write_article(&r.id, &kept, buf, &mut chunk.summary);
                }
                if digests {
                    out.digest = Some(ArticleDigest::new(&r.text, buf, model.labels().len()));
                }
            }
            out.rows_end = chunk.rows.len();
            out.summary_end = chunk.summary.len();
            // The writing thread gets only what it still needs of the
            // record (its origin for a warning, its text for the unit
            // check, its id and fields for the archive); the rest is
            // freed here, where it was allocated: a free into another
            // thread's malloc arena takes that arena's lock.
            if out.n == 0 || r.repaired || options.unit == Unit::Record || digests {
                if options.unit != Unit::Record {
                    r.text = String::new();
                }
                out.record = Some(r);
            }
            chunk.done.push(Done::Record(out));
        }
        chunk
    };
    // The workers score chunks as they come, each a rayon task, two
    // batches in flight at most; this thread reports and writes the chunks
    // in input order as they are done, so that no worker waits for the
    // others at the end of a batch (rayon's in-place scope: the writing
    // side needs no Send).
    let (done_tx, done_rx) = channel::<(u64, Chunk)>();
    let mut batches = rx.into_iter();
    rayon::in_place_scope(|scope| {
        // Chunks handed out and written so far; those handed out and not
        // yet written, in input order (None until done).
        let (mut spawned, mut written) = (0u64, 0u64);
        let mut ready: VecDeque<Option<Chunk>> = VecDeque::new();
        // Each batch in flight: where its chunks end, and its input.
        let mut in_flight: VecDeque<(u64, Arc<BatchInput>)> = VecDeque::new();
        let mut input_left = true;
        'run: loop {
            while input_left && in_flight.len() < BATCHES_IN_FLIGHT {
                let Some(batch) = batches.next() else {
                    input_left = false;
                    break;
                };
                let (input, chunks) = batch.into_chunks();
                for entries in chunks {
                    let (seq, input) = (spawned, Arc::clone(&input));
                    let (done_tx, score_chunk) = (&done_tx, &score_chunk);
                    scope.spawn(move |_| {
                        let chunk = score_chunk(entries, &input);
                        // Dropped first: once a batch's chunks are all
                        // written, the writing thread holds its input alone.
                        drop(input);
                        let _ = done_tx.send((seq, chunk));
                    });
                    spawned += 1;
                    ready.push_back(None);
                }
                in_flight.push_back((spawned, input));
            }
            if written == spawned {
                break;
            }
            // The next chunk in input order, once done.
            while ready.front().is_some_and(Option::is_none) {
                let Ok((seq, chunk)) = done_rx.recv() else {
                    break 'run;
                };
                ready[(seq - written) as usize] = Some(chunk);
            }
            let Some(Some(mut chunk)) = ready.pop_front() else {
                break;
            };
            written += 1;
            // Every item is reported and written in input order.
            // The ends of the rows and summary rows of the last record
            // to write: a failing record's rows end where the previous
            // record's did (it has none), and --strict writes only the
            // records before the first bad one.
            let (mut rows_end, mut summary_end) = (0, 0);
            let mut bad = None;
            for item in chunk.done.drain(..) {
                let scored = match item {
                    Done::Skip(s) => {
                        totals.skipped += 1;
                        if options.strict {
                            bad = Some(format!("{}: {}", s.origin, s.reason));
                            break;
                        }
                        // The same reason over and over (a wrong text field on every
                        // line) is shown a few times, then counted.
                        let seen = repeats.entry(s.reason.clone()).or_insert(0);
                        *seen += 1;
                        if *seen <= SHOW_SAME_REASON {
                            on(Event::Warning(&format!(
                                "warning: {}: {}; skipped",
                                s.origin, s.reason
                            )));
                        }
                        continue;
                    }
                    Done::Record(scored) => scored,
                };
                let origin = || scored.record.as_ref().map(|r| &r.origin);
                if scored.n == 0 {
                    // Nothing to score ("* * *", a zero-width space): the record
                    // is counted as skipped rather than vanishing.
                    totals.skipped += 1;
                    let reason =
                        "no sentence found (only punctuation, symbols or invisible characters)";
                    let origin = origin().expect("kept for the warning");
                    if options.strict {
                        bad = Some(format!("{origin}: {reason}"));
                        break;
                    }
                    on(Event::Warning(&format!(
                        "warning: {origin}: {reason}; skipped"
                    )));
                    continue;
                }
                totals.articles += 1;
                totals.bytes += scored.text_len as u64;
                totals.sentences += scored.n as u64;
                if let (Unit::Record, Some(check), Some(r)) =
                    (options.unit, unit_check.as_mut(), scored.record.as_ref())
                {
                    check.push(segmenter.split(&r.text).len());
                    if check.len() == UNIT_CHECK_RECORDS {
                        warn_if_articles(unit_check.take(), on);
                    }
                }
                if let Some(r) = scored.record.as_ref().filter(|r| r.repaired) {
                    totals.repaired += 1;
                    on(Event::Warning(&format!(
                        "warning: {}: invalid UTF-8 replaced with U+FFFD",
                        r.origin
                    )));
                }
                if let Some(sg) = suggester.as_mut() {
                    scored.candidates.into_iter().for_each(|c| sg.offer(c));
                    continue;
                }
                (rows_end, summary_end) = (scored.rows_end, scored.summary_end);
                if let (Some(stats), Some(digest), Some(r)) =
                    (archive.as_mut(), scored.digest, scored.record)
                {
                    let fields: Vec<(String, String)> =
                        extra.iter().cloned().zip(r.fields).collect();
                    stats.add(&r.id, &fields, digest);
                }
            }
            let sent = sink
                .rows(&chunk.rows[..rows_end])
                .map_err(|e| ("output", e))
                .and_then(|()| match options.summary {
                    true => sink
                        .summary(&chunk.summary[..summary_end])
                        .map_err(|e| ("summary", e)),
                    false => Ok(()),
                });
            match sent {
                Err((_, e)) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                    outcome.cut_short = true;
                    break 'run;
                }
                Err((what, source)) => {
                    failure = Some(Failure::Write { what, source });
                    break 'run;
                }
                Ok(()) => {}
            }
            if let Some(message) = bad {
                failure = Some(Failure::Strict(message));
                break 'run;
            }
            chunk.recycle();
            spare_chunks
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(chunk);
            while in_flight.front().is_some_and(|(end, _)| *end <= written) {
                let (_, input) = in_flight.pop_front().expect("checked above");
                // The reader reads into its bytes again (unless it has
                // finished).
                if let Ok(input) = Arc::try_unwrap(input) {
                    let _ = spare_tx.send(input.into_bytes());
                }
                on(Event::Progress(totals));
            }
        }
    });
    // Dropping the receiver stops the reader at its next send.
    drop(batches);
    let _ = reader.join();
    if options.unit == Unit::Record {
        warn_if_articles(unit_check.take(), on);
    }
    let mut hidden: Vec<(&String, &u64)> = repeats
        .iter()
        .filter(|(_, &n)| n > SHOW_SAME_REASON)
        .collect();
    hidden.sort();
    for (reason, n) in hidden {
        on(Event::Warning(&format!(
            "warning: {} more records skipped for the same reason: {reason}",
            n - SHOW_SAME_REASON
        )));
    }
    if let Some(f) = failure {
        return Err(f);
    }
    if let Some(sg) = suggester {
        let found = sg.finish();
        sink.rows(&suggestion_rows(&found.picks))
            .map_err(|e| Failure::Write {
                what: "output",
                source: e,
            })?;
        outcome.suggestions = Some(found);
    }
    outcome.archive = archive;
    Ok(outcome)
}

/// A batch item after the workers: a skip, or a record's output.
enum Done {
    Skip(Skip),
    Record(Scored),
}

/// What the workers make of a run of records: their rows and summary rows
/// one after another, and one [`Done`] per item.
#[derive(Default)]
struct Chunk {
    rows: Vec<u8>,
    summary: Vec<u8>,
    done: Vec<Done>,
}

impl Chunk {
    /// Emptied for reuse; a buffer grown far beyond the usual by one huge
    /// record is given back rather than kept for the rest of the run.
    fn recycle(&mut self) {
        const KEEP: usize = 4 << 20;
        for buf in [&mut self.rows, &mut self.summary] {
            buf.clear();
            if buf.capacity() > KEEP {
                *buf = Vec::new();
            }
        }
        self.done.clear();
    }
}

/// One record's output: where its rows and summary row end in its chunk's
/// buffers, its sentence count and, when suggesting, its sentences as
/// candidates.
#[derive(Default)]
struct Scored {
    rows_end: usize,
    summary_end: usize,
    n: usize,
    /// Bytes of the record's text.
    text_len: usize,
    candidates: Vec<Candidate>,
    digest: Option<ArticleDigest>,
    /// The record, when the writing thread needs more than the above: for
    /// a warning, the unit check or the archive (its text only kept for
    /// [`Unit::Record`]'s check).
    record: Option<Record>,
}

/// Warns when records scored whole look like articles: their median
/// sentence count is 3 or more.
fn warn_if_articles(counts: Option<Vec<usize>>, on: &mut dyn FnMut(Event)) {
    let Some(mut counts) = counts.filter(|c| !c.is_empty()) else {
        return;
    };
    counts.sort_unstable();
    let median = counts[counts.len() / 2];
    if median >= 3 {
        on(Event::Warning(&format!(
            "warning: --unit record scores each record whole, but these records hold about \
             {median} sentences each (median of the first {}); leave --unit out to score \
             articles sentence by sentence",
            counts.len()
        )));
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

/// One worker thread's scorer and the rows of its last article.
type Worker<'m> = (ArticleScorer<'m>, Vec<ScoredSentence>);

/// A value alone on its cache lines (128 bytes: the line and the one the
/// adjacent-line prefetcher pairs it with), so that one worker's writes to
/// its scorer never invalidate a line another worker reads.
#[repr(align(128))]
struct OwnLines<T>(T);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workers_scorers_do_not_share_cache_lines() {
        let workers: Vec<OwnLines<Mutex<u8>>> = (0..3).map(|_| OwnLines(Mutex::new(0))).collect();
        for pair in workers.windows(2) {
            let (a, b) = (&pair[0] as *const _ as usize, &pair[1] as *const _ as usize);
            assert_eq!(a % 128, 0);
            assert!(b - a >= 128, "{a:#x} and {b:#x}");
        }
    }
}
