//! Article input for batch scoring: files, directories, JSONL, CSV, gzip
//! and standard input, read as a stream of [`Record`]s.
//!
//! Every record read is either delivered or reported as [`Skip`] with its
//! file, line and reason; nothing is dropped silently. Invalid UTF-8 is
//! decoded with replacement characters and counted in [`Record::repaired`].

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use crate::error::{Error, Location, Result};
use crate::io::csv_quotes::CsvRecords;

/// How to read input files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    /// By extension: `.jsonl`/`.ndjson` JSON lines, `.csv` CSV, anything
    /// else one article per file (`.gz` stripped first). Standard input is
    /// JSON lines when its first non-blank byte is `{`, text otherwise.
    Auto,
    /// One article per file.
    Text,
    /// One JSON object per line.
    Jsonl,
    /// A `.json` file: JSON lines, or one array of objects (record N is
    /// the array's Nth element).
    Json,
    /// CSV with a header, one article per row.
    Csv,
}

/// Where to find text and id in structured records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordFields {
    /// JSON field or CSV column holding the text.
    pub text: String,
    /// JSON field or CSV column holding the id (optional in the data; the
    /// file and line stand in when it is missing).
    pub id: String,
    /// The field delimiter of CSV input (default `,`).
    pub delimiter: u8,
    /// Records (a text file, a JSON line, a CSV record) larger than this
    /// many bytes are skipped with a message, so one huge record cannot
    /// take gigabytes (default [`MAX_RECORD_BYTES`]).
    pub max_record_bytes: usize,
    /// Further JSON fields / CSV columns to carry along with each record
    /// (e.g. a date and a country), read into [`Record::fields`]; a record
    /// without one gets an empty value.
    pub extra: Vec<String>,
}

/// Default largest record read: far above any news article, far below
/// what would strain memory once the record is segmented and scored.
pub const MAX_RECORD_BYTES: usize = 32 << 20;

impl Default for RecordFields {
    fn default() -> Self {
        RecordFields {
            text: "text".into(),
            id: "id".into(),
            delimiter: b',',
            max_record_bytes: MAX_RECORD_BYTES,
            extra: Vec::new(),
        }
    }
}

/// A CSV field delimiter given on the command line: one ASCII character,
/// or `tab`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delimiter(pub u8);

impl std::str::FromStr for Delimiter {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "tab" | "\\t" | "\t" => Ok(Delimiter(b'\t')),
            _ if s.len() == 1 && s.is_ascii() && s != "\"" && s != "\n" => {
                Ok(Delimiter(s.as_bytes()[0]))
            }
            _ => Err(format!(
                "expected one ASCII character or \"tab\", not {s:?}"
            )),
        }
    }
}

impl std::fmt::Display for Delimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            b'\t' => f.write_str("tab"),
            b => write!(f, "{}", b as char),
        }
    }
}

/// One article to score.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Its id: the id field, else `file:line`; for text files the path
    /// relative to the directory argument.
    pub id: String,
    /// Its text.
    pub text: String,
    /// Where it came from: file and line (JSON lines, CSV), file and record
    /// (a JSON array), or the file (text files).
    pub origin: Location,
    /// True when invalid UTF-8 was replaced with U+FFFD.
    pub repaired: bool,
    /// The values of [`RecordFields::extra`], in that order (empty when
    /// the record has no such field; text files have none).
    pub fields: Vec<String>,
}

/// A record that could not be scored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skip {
    /// The file, with the line or record when known.
    pub origin: Location,
    /// Why it was skipped.
    pub reason: String,
}

/// What reading yields, in input order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// A record to score.
    Record(Record),
    /// A record (or file) skipped.
    Skip(Skip),
}

/// Extensions read from directories.
const KNOWN: &[&str] = &["txt", "md", "text", "jsonl", "ndjson", "json", "csv"];

/// Input files as `(path, id)`: the id of a file found in a directory is
/// its path relative to that directory.
pub type InputFiles = Vec<(PathBuf, PathBuf)>;

/// What the path arguments expand to.
#[derive(Debug, Clone, Default)]
pub struct Expanded {
    /// Files to read, in order.
    pub files: InputFiles,
    /// Files in directories with unknown extensions, not read.
    pub ignored: Vec<PathBuf>,
    /// Entries of walked directories that could not be read (an unreadable
    /// folder, a symlink loop, a FIFO or device), each with its reason.
    pub skipped: Vec<Skip>,
}

/// Expands the path arguments in a deterministic order: directories are
/// walked recursively (following symbolic links, with loop detection),
/// sorted by name; `-` stays `-`. A path argument that does not exist is
/// an error; trouble inside a directory is listed in
/// [`Expanded::skipped`] and the walk goes on.
pub fn expand_paths(args: &[PathBuf]) -> Result<Expanded> {
    let mut out = Expanded::default();
    for arg in args {
        if arg.as_os_str() == "-" {
            out.files.push((arg.clone(), arg.clone()));
            continue;
        }
        let meta = std::fs::metadata(arg).map_err(|e| Error::io(arg, e))?;
        if meta.is_dir() {
            walk(arg, &mut out);
        } else {
            out.files.push((arg.clone(), arg.clone()));
        }
    }
    Ok(out)
}

/// Walks one directory argument with walkdir, which detects symlink loops
/// and reports unreadable entries one by one.
fn walk(root: &Path, out: &mut Expanded) {
    let walker = walkdir::WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
        .min_depth(1);
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let origin = Location::file(e.path().unwrap_or(root));
                let reason = match e.loop_ancestor() {
                    Some(a) => format!("symbolic link loop back to {}; not followed", a.display()),
                    None => format!(
                        "unreadable: {}",
                        e.io_error().map_or(e.to_string(), |io| io.to_string())
                    ),
                };
                out.skipped.push(Skip { origin, reason });
                continue;
            }
        };
        let p = entry.path();
        let ft = entry.file_type();
        if ft.is_dir() {
            continue;
        }
        if !KNOWN.contains(&base_extension(p).as_str()) {
            out.ignored.push(p.to_path_buf());
        } else if !ft.is_file() {
            out.skipped.push(Skip {
                origin: Location::file(p),
                reason: "not a regular file (a FIFO, socket or device); not read".into(),
            });
        } else {
            let rel = p.strip_prefix(root).unwrap_or(p).to_path_buf();
            out.files.push((p.to_path_buf(), rel));
        }
    }
}

/// The extension with a trailing `.gz` stripped, lower-cased.
fn base_extension(p: &Path) -> String {
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    Path::new(name)
        .extension()
        .map(|e| e.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Opens a file (or stdin for `-`), decompressing gzip when the data starts
/// with the gzip magic bytes.
fn open(path: &Path) -> Result<Box<dyn BufRead + Send>> {
    let raw: Box<dyn Read + Send> = if path.as_os_str() == "-" {
        Box::new(std::io::stdin())
    } else {
        Box::new(File::open(path).map_err(|e| Error::io(path, e))?)
    };
    let mut reader = BufReader::with_capacity(1 << 16, raw);
    let head = reader.fill_buf().map_err(|e| Error::io(path, e))?;
    let mut out: Box<dyn BufRead + Send> = if head.starts_with(&[0x1f, 0x8b]) {
        Box::new(BufReader::with_capacity(
            1 << 16,
            flate2::read::MultiGzDecoder::new(reader),
        ))
    } else {
        Box::new(reader)
    };
    // A UTF-8 byte-order mark is not part of the text, in any format.
    let head = out.fill_buf().map_err(|e| Error::io(path, e))?;
    if head.starts_with(BOM) {
        out.consume(BOM.len());
    }
    Ok(out)
}

/// The UTF-8 byte-order mark.
const BOM: &[u8] = b"\xef\xbb\xbf";

/// The first byte of `reader` that is not white space, if any.
fn first_visible(reader: &mut dyn BufRead) -> Option<u8> {
    reader
        .fill_buf()
        .ok()
        .and_then(|buf| buf.iter().find(|b| !b.is_ascii_whitespace()).copied())
}

/// Decodes bytes as UTF-8, replacing invalid sequences; says whether any
/// were replaced.
fn decode(bytes: Vec<u8>) -> (String, bool) {
    match String::from_utf8(bytes) {
        Ok(s) => (s, false),
        Err(e) => (String::from_utf8_lossy(e.as_bytes()).into_owned(), true),
    }
}

/// Reads every input in order and hands each [`Item`] to `sink`; stops
/// early when `sink` returns false. I/O errors that make a whole file
/// unreadable become a [`Skip`] for that file.
pub fn read_all(
    files: &[(PathBuf, PathBuf)],
    format: InputFormat,
    fields: &RecordFields,
    sink: impl FnMut(Item) -> bool,
) {
    let mut inline = Inline {
        sink,
        fields,
        line: Vec::new(),
    };
    read_into(files, format, fields, &mut inline);
}

/// Where the readers put what they read. JSON lines are handed over as
/// bytes, so that [`read_all`] can parse each as it comes and the scoring
/// engine can have its workers parse them in parallel.
pub(crate) trait Collect {
    /// A record or skip, in input order; false stops reading.
    fn item(&mut self, item: Item) -> bool;
    /// The buffer JSON lines are read into, each appended at its end.
    fn line_buffer(&mut self) -> &mut Vec<u8>;
    /// The line buffer's bytes from `start` on are line `line` of `path`:
    /// not blank, within the size cap, to be parsed with
    /// [`parse_json_line`]; false stops reading.
    fn json_line(&mut self, path: &Path, line: u64, start: usize) -> bool;
}

/// [`read_all`]'s collector: each JSON line parsed as soon as it is read.
struct Inline<'a, F> {
    sink: F,
    fields: &'a RecordFields,
    line: Vec<u8>,
}

impl<F: FnMut(Item) -> bool> Collect for Inline<'_, F> {
    fn item(&mut self, item: Item) -> bool {
        (self.sink)(item)
    }

    fn line_buffer(&mut self) -> &mut Vec<u8> {
        &mut self.line
    }

    fn json_line(&mut self, path: &Path, line: u64, start: usize) -> bool {
        let item = parse_json_line(&self.line[start..], self.fields, Location::line(path, line));
        self.line.clear();
        (self.sink)(item)
    }
}

/// [`read_all`] into a [`Collect`].
pub(crate) fn read_into(
    files: &[(PathBuf, PathBuf)],
    format: InputFormat,
    fields: &RecordFields,
    collect: &mut impl Collect,
) {
    for (path, rel) in files {
        let fmt = match format {
            InputFormat::Auto => match base_extension(path).as_str() {
                "jsonl" | "ndjson" => InputFormat::Jsonl,
                "json" => InputFormat::Json,
                "csv" => InputFormat::Csv,
                _ => InputFormat::Auto, // text, or stdin sniffing below
            },
            f => f,
        };
        let reader = match open(path) {
            Ok(r) => r,
            Err(e) => {
                if !collect.item(Item::Skip(Skip {
                    origin: Location::file(path),
                    reason: format!("unreadable: {e}"),
                })) {
                    return;
                }
                continue;
            }
        };
        let mut reader = reader;
        let fmt = match fmt {
            InputFormat::Auto if path.as_os_str() == "-" => match first_visible(&mut reader) {
                Some(b'{') => InputFormat::Jsonl,
                Some(b'[') => InputFormat::Json,
                _ => InputFormat::Text,
            },
            InputFormat::Auto => InputFormat::Text,
            // A .json file holds JSON lines or one array of objects.
            InputFormat::Json => match first_visible(&mut reader) {
                Some(b'[') => InputFormat::Json,
                _ => InputFormat::Jsonl,
            },
            f => f,
        };
        let id = if path.as_os_str() == "-" {
            "-".to_string()
        } else {
            rel.display().to_string()
        };
        let go_on = match fmt {
            InputFormat::Jsonl => read_jsonl(reader, path, fields, collect),
            InputFormat::Json => read_json_array(reader, path, fields, &mut |i| collect.item(i)),
            InputFormat::Csv => read_csv(reader, path, fields, &mut |i| collect.item(i)),
            _ => read_text(reader, path, id, fields.max_record_bytes, &mut |i| {
                collect.item(i)
            }),
        };
        if !go_on {
            return;
        }
    }
}

fn read_text(
    reader: Box<dyn BufRead + Send>,
    origin: &Path,
    id: String,
    max: usize,
    sink: &mut impl FnMut(Item) -> bool,
) -> bool {
    let bytes = match read_capped(reader, max, too_large) {
        Ok(b) => b,
        Err(reason) => {
            return sink(Item::Skip(Skip {
                origin: Location::file(origin),
                reason,
            }))
        }
    };
    if bytes[..bytes.len().min(8192)].contains(&0) {
        return sink(Item::Skip(Skip {
            origin: Location::file(origin),
            reason: "binary file (NUL bytes), not text".into(),
        }));
    }
    let (text, repaired) = decode(bytes);
    if text.trim().is_empty() {
        return sink(Item::Skip(Skip {
            origin: Location::file(origin),
            reason: "empty article".into(),
        }));
    }
    sink(Item::Record(Record {
        id,
        text,
        origin: Location::file(origin),
        repaired,
        fields: Vec::new(),
    }))
}

/// Cuts JSON lines: each line that is not blank and within the size cap
/// goes to `collect` as bytes, with its line number.
fn read_jsonl(
    mut reader: Box<dyn BufRead + Send>,
    origin: &Path,
    fields: &RecordFields,
    collect: &mut impl Collect,
) -> bool {
    let mut n = 0u64;
    let max = fields.max_record_bytes;
    loop {
        n += 1;
        let buf = collect.line_buffer();
        let start = buf.len();
        let read = (&mut reader).take(max as u64 + 1).read_until(b'\n', buf);
        let line = &buf[start..];
        let too_long = line.len() > max && line.last() != Some(&b'\n');
        let blank = line.iter().all(u8::is_ascii_whitespace);
        if read.is_err() || too_long || blank {
            buf.truncate(start);
        }
        match read {
            Ok(0) => return true,
            Ok(_) => {}
            Err(e) => {
                return collect.item(Item::Skip(Skip {
                    origin: Location::line(origin, n),
                    reason: read_error(&e),
                }));
            }
        }
        if too_long {
            // The rest of the line is passed over unread.
            if let Err(e) = skip_line(&mut reader) {
                return collect.item(Item::Skip(Skip {
                    origin: Location::line(origin, n),
                    reason: read_error(&e),
                }));
            }
            if !collect.item(Item::Skip(Skip {
                origin: Location::line(origin, n),
                reason: too_large(max),
            })) {
                return false;
            }
            continue;
        }
        if blank {
            continue;
        }
        if !collect.json_line(origin, n, start) {
            return false;
        }
    }
}

/// Reads all of `reader` if it holds at most `max` bytes; otherwise, or on
/// a read error, says why not (`too_large` words the first case).
fn read_capped(
    reader: impl Read,
    max: usize,
    too_large: impl Fn(usize) -> String,
) -> std::result::Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    reader
        .take(max as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| read_error(&e))?;
    if bytes.len() > max {
        return Err(too_large(max));
    }
    Ok(bytes)
}

/// Consumes input up to and including the next line break.
fn skip_line(reader: &mut dyn BufRead) -> std::io::Result<()> {
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(());
        }
        match buf.iter().position(|&b| b == b'\n') {
            Some(i) => {
                reader.consume(i + 1);
                return Ok(());
            }
            None => {
                let n = buf.len();
                reader.consume(n);
            }
        }
    }
}

/// Why a record larger than `max` bytes is skipped.
fn too_large(max: usize) -> String {
    format!(
        "record larger than {} MiB; not read (raise --max-record-mb to read it)",
        max >> 20
    )
}

/// A read error that ends a file: what it means for the records after it.
fn read_error(e: &std::io::Error) -> String {
    format!(
        "read error: {e} (a truncated or corrupt file?); the rest of the file could not be \
         read, so an unknown number of records in it are lost"
    )
}

fn read_json_array(
    reader: Box<dyn BufRead + Send>,
    origin: &Path,
    fields: &RecordFields,
    sink: &mut impl FnMut(Item) -> bool,
) -> bool {
    let too_large = |max: usize| {
        format!(
            "JSON array file larger than {} MiB; not read (convert it to JSON lines)",
            max >> 20
        )
    };
    let bytes = match read_capped(
        reader,
        fields.max_record_bytes.saturating_mul(16),
        too_large,
    ) {
        Ok(b) => b,
        Err(reason) => {
            return sink(Item::Skip(Skip {
                origin: Location::file(origin),
                reason,
            }))
        }
    };
    let values: Vec<serde_json::Value> = match serde_json::from_slice(&bytes) {
        Ok(v) => v,
        Err(e) => {
            return sink(Item::Skip(Skip {
                origin: Location::line(origin, e.line() as u64),
                reason: format!("malformed JSON array: {e}; file skipped"),
            }))
        }
    };
    for (n, value) in values.into_iter().enumerate() {
        let here = Location::record(origin, n as u64);
        let parts = record_from_json(value, fields, false);
        if !sink(Item::from_parts(here, parts)) {
            return false;
        }
    }
    true
}

/// One JSON line (a line of a JSON lines file, not blank) as a record, or
/// as the skip of the line at `here` with the reason.
pub(crate) fn parse_json_line(line: &[u8], fields: &RecordFields, here: Location) -> Item {
    let (line, repaired) = match std::str::from_utf8(line) {
        Ok(s) => (std::borrow::Cow::Borrowed(s), false),
        Err(_) => (String::from_utf8_lossy(line), true),
    };
    let parts = match record_from_line(&line, fields) {
        Some(parts) => Ok(Parts { repaired, ..parts }),
        // Anything unusual, every skip among it, is parsed again as it
        // always was, into a `Value`, which words the message.
        None => serde_json::from_str(&line)
            .map_err(|e| format!("malformed JSON: {e}"))
            .and_then(|value| record_from_json(value, fields, repaired)),
    };
    Item::from_parts(here, parts)
}

/// A JSON line's record in the usual case, an object whose text field is a
/// string that is not blank, read without a `serde_json::Value` of the
/// whole line: only the text, id and extra fields are built, the rest is
/// checked and dropped. The record equals what [`record_from_json`] makes
/// of the line's `Value`; `None` for anything else (other JSON, no text,
/// a syntax error, a text field that is not a string, ...).
fn record_from_line(line: &str, fields: &RecordFields) -> Option<Parts> {
    if fields.extra.len() > FieldRole::MAX_EXTRA {
        return None;
    }
    // The shorter line's record stands only if the string cut out was the
    // text's; otherwise (or if it fails anyhow) the line is read whole.
    cut_text(line, &fields.text)
        .and_then(|cut| read_record(&cut.line, fields, Some((cut.at, cut.text))))
        .or_else(|| read_record(line, fields, None))
}

/// [`record_from_line`] on `line`, with the text at `cut` already read.
fn read_record(line: &str, fields: &RecordFields, cut: Option<(usize, String)>) -> Option<Parts> {
    use serde::Deserializer as _;
    let (cut, text) = cut.unzip();
    let mut de = serde_json::Deserializer::from_str(line);
    let visitor = RecordVisitor {
        fields,
        line,
        cut,
        text,
    };
    let parts = (&mut de).deserialize_map(visitor).ok()?;
    de.end().ok()?;
    Some(parts)
}

/// A JSON line with the body of one string value cut out, `""` left in
/// its place, and that string decoded.
struct CutText {
    /// The line without the string's body.
    line: String,
    /// Where the string (now `""`) starts in it.
    at: usize,
    /// The string's value.
    text: String,
}

/// The line with the text taken out, when the text field's string is
/// found and decoded here: the first `"name"` of `line` that is followed
/// by a colon and a string. That may not be the text's key (nested, or
/// the end of another key); [`RecordVisitor`] checks that the text key it
/// reads has its value where the string was. The string is a string
/// token of the line wherever it is cut (or the line fails before it),
/// so the shorter line reads as the line would, but for its value.
///
/// Written by hand to spare serde_json's reading of the text, which
/// unescapes into a scratch buffer that it cannot be told to reuse or
/// presize: new for each line, it regrows by doubling up to the text's
/// size and is then copied into the `String` (a `RawValue` would still
/// leave the text to be read twice, and its feature changes how every
/// `Value` is read). Here the text is read once, into its `String`:
/// 1.8% fewer instructions for `frametag-score` on news articles.
fn cut_text(line: &str, name: &str) -> Option<CutText> {
    // Names that need escapes are not looked for.
    if name.is_empty() || name.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20) {
        return None;
    }
    let bytes = line.as_bytes();
    let at = memchr::memmem::find_iter(bytes, name.as_bytes()).find_map(|i| {
        let close = i + name.len();
        if i == 0 || bytes[i - 1] != b'"' || bytes.get(close) != Some(&b'"') {
            return None;
        }
        let colon = close + 1 + json_space(&bytes[close + 1..]);
        if bytes.get(colon) != Some(&b':') {
            return None;
        }
        let at = colon + 1 + json_space(&bytes[colon + 1..]);
        (bytes.get(at) == Some(&b'"')).then_some(at)
    })?;
    let (text, len) = unescape_json_string(&line[at + 1..])?;
    let end = at + 1 + len;
    let mut short = String::with_capacity(line.len() - len);
    short.push_str(&line[..at + 1]);
    short.push_str(&line[end..]);
    Some(CutText {
        line: short,
        at,
        text,
    })
}

/// How many bytes of JSON white space (as serde_json skips it) `bytes`
/// starts with.
fn json_space(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .take_while(|b| matches!(b, b' ' | b'\n' | b'\t' | b'\r'))
        .count()
}

/// [`record_from_line`]'s reader of the line's object, `line`, with the
/// text cut out of it at `cut`, if it was.
struct RecordVisitor<'f, 'de> {
    fields: &'f RecordFields,
    line: &'de str,
    cut: Option<usize>,
    text: Option<String>,
}

impl<'de> serde::de::Visitor<'de> for RecordVisitor<'_, 'de> {
    type Value = Parts;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(
        mut self,
        mut map: A,
    ) -> std::result::Result<Parts, A::Error> {
        use serde::de::Error as _;
        let fields = self.fields;
        let mut text = None;
        let mut id = None;
        let mut extra = vec![String::new(); fields.extra.len()];
        // As in a `Value`'s map, a field given twice keeps its last value.
        while let Some(role) = map.next_key_seed(KeyRole(fields))? {
            let value = if role.text {
                let at = role.key.and_then(|key| value_start(self.line, key));
                let s = match self.text.take_if(|_| at.is_some() && at == self.cut) {
                    // This key's value is where the text was cut out.
                    Some(s) => {
                        map.next_value::<serde::de::IgnoredAny>()?;
                        s
                    }
                    // A text that is not a string fails here, for the
                    // `Value` path to say so (or to find a later string of
                    // that name).
                    None => map.next_value()?,
                };
                let copy = role.is_kept().then(|| s.clone());
                text = Some(s);
                copy
            } else if role.is_kept() {
                json_field_owned(map.next_value()?)
            } else {
                map.next_value::<CheckedValue>()?;
                continue;
            };
            for (i, slot) in extra.iter_mut().enumerate() {
                if role.extra >> i & 1 == 1 {
                    value.as_deref().unwrap_or_default().clone_into(slot);
                }
            }
            if role.id {
                id = value;
            }
        }
        if self.text.is_some() {
            // The string cut out was another field's: it lacks its value.
            return Err(A::Error::custom("not the text cut out"));
        }
        let text = text
            .filter(|t| !t.trim().is_empty())
            .ok_or_else(|| A::Error::custom("no text to score"))?;
        Ok(Parts {
            text,
            id,
            fields: extra,
            repaired: false,
        })
    }
}

/// Where the value of `key` starts in `line`, when `key` is a key of
/// `line` as serde_json borrows it (its text between the quotes).
fn value_start(line: &str, key: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    let close = (key.as_ptr() as usize).checked_sub(line.as_ptr() as usize)? + key.len();
    if bytes.get(close) != Some(&b'"') {
        return None;
    }
    let colon = close + 1 + json_space(&bytes[close + 1..]);
    if bytes.get(colon) != Some(&b':') {
        return None;
    }
    Some(colon + 1 + json_space(&bytes[colon + 1..]))
}

/// Decodes the JSON string whose body starts `body` (after the opening
/// quote; `body` goes on past the closing quote) as serde_json decodes it
/// to a `String`, with the body's length; `None` where serde_json refuses
/// it (a raw control character, an unknown escape, a surrogate that is
/// not half of a pair, no closing quote).
fn unescape_json_string(body: &str) -> Option<(String, usize)> {
    let bytes = body.as_bytes();
    // No escape is shorter than what it decodes to.
    let mut out = String::with_capacity(bytes.len());
    let mut at = 0;
    loop {
        let run = memchr::memchr2(b'"', b'\\', &bytes[at..])?;
        // The quote and the backslash are one byte: the run is characters.
        out.push_str(&body[at..at + run]);
        at += run;
        if bytes[at] == b'"' {
            break;
        }
        let (c, len) = match *bytes.get(at + 1)? {
            b'"' => ('"', 2),
            b'\\' => ('\\', 2),
            b'/' => ('/', 2),
            b'b' => ('\u{8}', 2),
            b'f' => ('\u{c}', 2),
            b'n' => ('\n', 2),
            b'r' => ('\r', 2),
            b't' => ('\t', 2),
            b'u' => {
                let n = hex_escape(bytes.get(at + 2..at + 6)?)?;
                if (0xD800..0xDC00).contains(&n) {
                    // As serde_json: a leading surrogate must be followed at
                    // once by an escaped trailing one.
                    let low = bytes.get(at + 6..at + 12)?;
                    let n2 = hex_escape(low.strip_prefix(b"\\u")?)?;
                    if !(0xDC00..0xE000).contains(&n2) {
                        return None;
                    }
                    let c = char::from_u32(0x10000 + ((n - 0xD800) << 10 | (n2 - 0xDC00)))?;
                    (c, 12)
                } else {
                    // A lone trailing surrogate is no `char`.
                    (char::from_u32(n)?, 6)
                }
            }
            _ => return None,
        };
        out.push(c);
        at += len;
    }
    // Raw control characters are refused, as by serde_json (in one pass
    // over the whole body, a fold the compiler turns into vector code).
    if bytes[..at].iter().fold(0, |m, &b| m | u8::from(b < 0x20)) != 0 {
        return None;
    }
    // The body is usually the line's end; shrink when much else followed.
    if out.capacity() - out.len() > out.len() / 8 + 64 {
        out.shrink_to_fit();
    }
    Some((out, at))
}

/// The four hex digits of a `\u` escape as a number.
fn hex_escape(digits: &[u8]) -> Option<u32> {
    digits
        .iter()
        .try_fold(0, |n, &d| Some(n << 4 | (d as char).to_digit(16)?))
}

/// What a JSON field is to the record, by its name: the text, the id,
/// and which extra fields (bit `i` for [`RecordFields::extra`]`[i]`); a
/// name can be several at once. `key` is the name as serde_json borrowed
/// it from the line (not when it holds escapes).
struct FieldRole<'de> {
    text: bool,
    id: bool,
    extra: u64,
    key: Option<&'de str>,
}

impl FieldRole<'_> {
    /// The most extra fields a role can hold.
    const MAX_EXTRA: usize = u64::BITS as usize;

    /// Whether the field's value is kept as the id or an extra field.
    fn is_kept(&self) -> bool {
        self.id || self.extra != 0
    }
}

/// Reads a map key as its [`FieldRole`] under these field names.
struct KeyRole<'f>(&'f RecordFields);

impl<'de> serde::de::DeserializeSeed<'de> for KeyRole<'_> {
    type Value = FieldRole<'de>;

    fn deserialize<D: serde::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> std::result::Result<FieldRole<'de>, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> serde::de::Visitor<'de> for KeyRole<'_> {
    type Value = FieldRole<'de>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a field name")
    }

    fn visit_borrowed_str<E: serde::de::Error>(
        self,
        name: &'de str,
    ) -> std::result::Result<FieldRole<'de>, E> {
        let role = self.visit_str(name)?;
        Ok(FieldRole {
            key: Some(name),
            ..role
        })
    }

    fn visit_str<E>(self, name: &str) -> std::result::Result<FieldRole<'de>, E> {
        let fields = self.0;
        let extra = fields
            .extra
            .iter()
            .enumerate()
            .filter(|(_, e)| *e == name)
            .fold(0, |bits, (i, _)| bits | 1 << i);
        Ok(FieldRole {
            text: fields.text == name,
            id: fields.id == name,
            extra,
            key: None,
        })
    }
}

/// A JSON value read and dropped, with the checks reading it into a
/// `serde_json::Value` makes (the nesting limit, numbers out of range,
/// lone surrogates) but nothing built. Not serde's `IgnoredAny`: serde_json
/// passes over that without those checks, so a line the `Value` path
/// refuses would be read.
struct CheckedValue;

impl<'de> serde::Deserialize<'de> for CheckedValue {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        d.deserialize_any(CheckedValue)
    }
}

impl<'de> serde::de::Visitor<'de> for CheckedValue {
    type Value = CheckedValue;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> std::result::Result<Self, E> {
        Ok(self)
    }

    fn visit_i64<E>(self, _: i64) -> std::result::Result<Self, E> {
        Ok(self)
    }

    fn visit_u64<E>(self, _: u64) -> std::result::Result<Self, E> {
        Ok(self)
    }

    fn visit_f64<E>(self, _: f64) -> std::result::Result<Self, E> {
        Ok(self)
    }

    fn visit_str<E>(self, _: &str) -> std::result::Result<Self, E> {
        Ok(self)
    }

    fn visit_unit<E>(self) -> std::result::Result<Self, E> {
        Ok(self)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(
        self,
        mut seq: A,
    ) -> std::result::Result<Self, A::Error> {
        while seq.next_element::<CheckedValue>()?.is_some() {}
        Ok(self)
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<Self, A::Error> {
        while map.next_entry::<CheckedValue, CheckedValue>()?.is_some() {}
        Ok(self)
    }
}

/// A record read from JSON, before its origin is attached.
#[derive(Debug, PartialEq, Eq)]
struct Parts {
    text: String,
    /// The id field's value; `None` when missing or null.
    id: Option<String>,
    fields: Vec<String>,
    repaired: bool,
}

impl Item {
    /// A record at `here` from its parts, or the skip of `here` with the
    /// reason (the id defaults to `here`).
    fn from_parts(here: Location, parts: std::result::Result<Parts, String>) -> Item {
        match parts {
            Ok(p) => Item::Record(Record {
                id: p.id.unwrap_or_else(|| here.to_string()),
                text: p.text,
                origin: here,
                repaired: p.repaired,
                fields: p.fields,
            }),
            Err(reason) => Item::Skip(Skip {
                origin: here,
                reason,
            }),
        }
    }
}

/// An id or extra field's value as text: strings as they are, other
/// values as JSON, missing or null as `None`.
fn json_field(value: Option<&serde_json::Value>) -> Option<String> {
    match value {
        Some(serde_json::Value::String(s)) => Some(s.clone()),
        Some(serde_json::Value::Null) | None => None,
        Some(v) => Some(v.to_string()),
    }
}

/// [`json_field`] of a value taken: a string is moved, not copied.
fn json_field_owned(value: serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(s) => Some(s),
        v => json_field(Some(&v)),
    }
}

/// A record from one JSON value (an object with the text field).
fn record_from_json(
    value: serde_json::Value,
    fields: &RecordFields,
    repaired: bool,
) -> std::result::Result<Parts, String> {
    let serde_json::Value::Object(mut obj) = value else {
        return Err("not a JSON object".into());
    };
    // Id and extra fields first: one of them may be the text field.
    let id = json_field(obj.get(&fields.id));
    let extra = fields
        .extra
        .iter()
        .map(|name| json_field(obj.get(name)).unwrap_or_default())
        .collect();
    let text = match obj.remove(&fields.text) {
        Some(serde_json::Value::String(s)) => s,
        Some(_) => return Err(format!("field {:?} is not a string", fields.text)),
        None => {
            let names: Vec<&str> = obj.keys().map(String::as_str).collect();
            return Err(format!(
                "no field {:?} (fields: {}; see --text-field)",
                fields.text,
                names.join(", ")
            ));
        }
    };
    if text.trim().is_empty() {
        return Err("empty article".into());
    }
    Ok(Parts {
        text,
        id,
        fields: extra,
        repaired,
    })
}

fn read_csv(
    reader: Box<dyn BufRead + Send>,
    origin: &Path,
    fields: &RecordFields,
    sink: &mut impl FnMut(Item) -> bool,
) -> bool {
    let (mut records, header) = match CsvRecords::new(Box::new(reader), fields.delimiter) {
        Ok(r) => r,
        Err(m) => {
            return sink(Item::Skip(Skip {
                origin: Location::line(origin, 1),
                reason: format!("{m}; file skipped"),
            }))
        }
    };
    let col = |name: &str| crate::io::dataset::column_index(&header, name);
    let Some(text_col) = col(&fields.text) else {
        let columns: Vec<String> = header
            .iter()
            .map(|h| format!("{:?}", String::from_utf8_lossy(h)))
            .collect();
        let reason = if header.is_empty() || (header.len() == 1 && header[0].is_empty()) {
            "empty CSV file (no header)".to_string()
        } else {
            let tsv = header.len() == 1 && header[0].contains(&b'\t') && fields.delimiter == b',';
            format!(
                "file not read: no column {:?} in the CSV header (columns: {}){}",
                fields.text,
                columns.join(", "),
                if tsv {
                    "; it looks tab-separated: pass --delimiter tab"
                } else {
                    "; see --text-field"
                }
            )
        };
        return sink(Item::Skip(Skip {
            origin: Location::line(origin, 1),
            reason,
        }));
    };
    let id_col = col(&fields.id);
    let extra_cols: Vec<Option<usize>> = fields.extra.iter().map(|n| col(n)).collect();
    while let Some(next) = records.next_record() {
        let (line, record) = match next {
            Ok(r) => r,
            Err(m) => {
                if !sink(Item::Skip(Skip {
                    origin: Location::line(origin, m.line),
                    reason: m.reason,
                })) || m.fatal
                {
                    return !m.fatal;
                }
                continue;
            }
        };
        let here = Location::line(origin, line);
        if record.as_slice().len() > fields.max_record_bytes {
            if !sink(Item::Skip(Skip {
                origin: here,
                reason: too_large(fields.max_record_bytes),
            })) {
                return false;
            }
            continue;
        }
        let item = match record.get(text_col) {
            None => Item::Skip(Skip {
                origin: here,
                reason: format!("record has no {:?} field", fields.text),
            }),
            Some(t) => {
                let (text, repaired) = decode(t.to_vec());
                if text.trim().is_empty() {
                    Item::Skip(Skip {
                        origin: here,
                        reason: "empty article".into(),
                    })
                } else {
                    let id = id_col
                        .and_then(|c| record.get(c))
                        .map(|b| String::from_utf8_lossy(b).into_owned())
                        .filter(|s| !s.is_empty())
                        .unwrap_or_else(|| here.to_string());
                    let extra = extra_cols
                        .iter()
                        .map(|c| {
                            c.and_then(|c| record.get(c))
                                .map(|b| String::from_utf8_lossy(b).into_owned())
                                .unwrap_or_default()
                        })
                        .collect();
                    Item::Record(Record {
                        id,
                        text,
                        origin: here,
                        repaired,
                        fields: extra,
                    })
                }
            }
        };
        if !sink(item) {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn collect(path: &Path, format: InputFormat) -> Vec<Item> {
        let mut out = Vec::new();
        read_all(
            &[(path.to_path_buf(), PathBuf::from("x"))],
            format,
            &RecordFields::default(),
            |i| {
                out.push(i);
                true
            },
        );
        out
    }

    /// The parse of JSON lines before they went to the workers (a
    /// `serde_json::Value` per line, fields cloned out), kept as the oracle
    /// of the tests below.
    fn old_parse(line: &[u8], fields: &RecordFields, here: Location) -> Item {
        let parse = || -> std::result::Result<Record, String> {
            let (line, repaired) = match std::str::from_utf8(line) {
                Ok(s) => (std::borrow::Cow::Borrowed(s), false),
                Err(_) => (String::from_utf8_lossy(line), true),
            };
            let value: serde_json::Value =
                serde_json::from_str(&line).map_err(|e| format!("malformed JSON: {e}"))?;
            let obj = value.as_object().ok_or("not a JSON object")?;
            let text = match obj.get(&fields.text) {
                Some(serde_json::Value::String(s)) => s.clone(),
                Some(_) => return Err(format!("field {:?} is not a string", fields.text)),
                None => {
                    let names: Vec<&str> = obj.keys().map(String::as_str).collect();
                    return Err(format!(
                        "no field {:?} (fields: {}; see --text-field)",
                        fields.text,
                        names.join(", ")
                    ));
                }
            };
            if text.trim().is_empty() {
                return Err("empty article".into());
            }
            let id = match obj.get(&fields.id) {
                Some(serde_json::Value::String(s)) => s.clone(),
                Some(serde_json::Value::Null) | None => here.to_string(),
                Some(v) => v.to_string(),
            };
            let extra = fields
                .extra
                .iter()
                .map(|name| match obj.get(name) {
                    Some(serde_json::Value::String(s)) => s.clone(),
                    Some(serde_json::Value::Null) | None => String::new(),
                    Some(v) => v.to_string(),
                })
                .collect();
            Ok(Record {
                id,
                text,
                origin: here.clone(),
                repaired,
                fields: extra,
            })
        };
        match parse() {
            Ok(r) => Item::Record(r),
            Err(reason) => Item::Skip(Skip {
                origin: here,
                reason,
            }),
        }
    }

    /// Field settings the comparisons run under: the defaults, extra
    /// fields (one of them also the id), a text field that is another
    /// setting's id, a text field that is also the id and extra fields,
    /// and more extra fields than the fast path takes.
    fn field_settings() -> Vec<RecordFields> {
        let many: Vec<String> = (0..FieldRole::MAX_EXTRA).map(|i| format!("f{i}")).collect();
        vec![
            RecordFields::default(),
            RecordFields {
                extra: vec!["date".into(), "id".into(), "date".into()],
                ..RecordFields::default()
            },
            RecordFields {
                text: "body".into(),
                id: "text".into(),
                extra: vec!["text".into()],
                ..RecordFields::default()
            },
            RecordFields {
                id: "text".into(),
                extra: vec!["id".into(), "text".into(), "x".into()],
                ..RecordFields::default()
            },
            RecordFields {
                extra: [&many[..], &["date".into(), "id".into()]].concat(),
                ..RecordFields::default()
            },
        ]
    }

    /// Checks the new parse against the old on one line, under every field
    /// setting.
    fn same_as_before(line: &[u8]) -> std::result::Result<(), String> {
        for fields in field_settings() {
            let here = Location::line("a.jsonl", 3);
            let old = old_parse(line, &fields, here.clone());
            let new = parse_json_line(line, &fields, here);
            if old != new {
                return Err(format!(
                    "{:?}: {old:?} != {new:?}",
                    String::from_utf8_lossy(line)
                ));
            }
        }
        Ok(())
    }

    #[test]
    fn json_lines_parse_as_before_on_known_cases() {
        let lines: &[&[u8]] = &[
            br#"{"id":"a","text":"One."}"#,
            br#"{"text":"Dup one.","text":"Dup two wins.","id":1,"id":null}"#,
            br#"{"text":5,"text":"Last one wins."}"#,
            br#"{"text":"First.","text":5}"#,
            br#"{"te\u0078t":"Escaped key.","\u0069d":[1,{"a":null}]}"#,
            br#"{"id":{"b":2,"a":1},"date":1.5e3,"text":"Object id."}"#,
            br#"{"x":1e999,"text":"Huge number elsewhere."}"#,
            br#"{"x":-0,"y":1E+2,"z":12345678901234567890123,"text":"Numbers."}"#,
            br#"{"x":01,"text":"Leading zero."}"#,
            br#"{"text":"lone \ud800 surrogate"}"#,
            br#"{"x":"lone \ud800 surrogate","text":"Elsewhere."}"#,
            br#"{"text":"Fine.\n\u00e9t\u00e9 \"quoted\""}   "#,
            b"{\"text\":\"Fine.\"}\r\n",
            br#"{"text":"Trailing."} x"#,
            br#"{"text":"Two."}{"text":"Objects."}"#,
            br#"{"text":"   "}"#,
            br#"{"text":null}"#,
            br#"{"body":"no text","id":"x"}"#,
            br#"{}"#,
            br#"[{"text":"In an array."}]"#,
            br#""text""#,
            br#"42"#,
            br#"null"#,
            br#"{broken"#,
            br#"{"text":"Unclosed."#,
            br#"{"text":"Bad escape \q."}"#,
            b"{\"text\":\"caf\xe9 talks.\",\"id\":\"\xff\"}",
            b"{\"x\":\"\xe9\",\"text\":\"Repaired elsewhere.\"}",
            b"{\"text\":\"NUL \x00 raw.\"}",
            b"{\"text\":\"Tab \t raw.\"}",
            br#"{"text":"Tab \t, slash \/, \b\f\r, \u0000 \u001f \u007F \u0080 \u07ff \u0800 \uFFFF."}"#,
            br#"{"text":"Pair \ud83d\ude00 \uD83D\uDE00 \udbff\udfff \ud800\udc00."}"#,
            br#"{"text":"Reversed \ude00\ud83d."}"#,
            br#"{"text":"Two highs \ud83d\ud83d\ude00."}"#,
            br#"{"text":"High then escape \ud83d\n."}"#,
            br#"{"text":"High then text \ud83dx."}"#,
            br#"{"text":"High at the end \ud83d"}"#,
            br#"{"text":"Short \u12."}"#,
            br#"{"text":"Not hex \u12g4."}"#,
            br#"{"text":"Backslash at the end \"}"#,
            br#"{"text":"Cut short \"#,
            br#"{"x":{"text":"Nested decoy."},"text":"Real."}"#,
            br#"{"x":{"text":"Nested only."}}"#,
            br#"{"x":["text","text"],"text":"After a value \"text\"."}"#,
            br#"{"a\"text":"Key that ends in text.","text":"Real."}"#,
            br#"{"a\"text":"Only a key that ends in text."}"#,
            br#"{"id":"x\"text\":\"in a string","text":"Real."}"#,
            br#"{"te\u0078t":"Escaped key first.","text":"Plain key last."}"#,
            br#"{"text":"Plain key first.","te\u0078t":"Escaped key last."}"#,
            br#"{"text" : "Spaced.", "id" : 1}"#,
            b"{\"text\"\t:\n\"Tab and line break around the colon.\"}",
            br#"{"text":"Good.","text":"Bad \q."}"#,
            br#"{"text":"Bad \q.","text":"Good."}"#,
            br#"{"text":"Fine.","x":"lone \ud800"}"#,
            br#"{"text":"Fine."} {"#,
            br#"{"text":"Unclosed object."#,
            br#"{"text":"Unclosed object.""#,
            br#"["text":"Not an object."]"#,
            br#"{"text":"x"text":"y"}"#,
            br#"{"x":"a"text":"Broken before."}"#,
        ];
        for line in lines {
            same_as_before(line).unwrap();
        }
        // Nesting up to and beyond serde_json's limit, in a field no
        // setting reads and in the id, as arrays and as objects.
        for depth in [126, 127, 128, 129, 200] {
            let array = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
            let object = format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth));
            for nested in [array, object] {
                for field in ["x", "id"] {
                    let line = format!("{{\"{field}\":{nested},\"text\":\"Deep.\"}}");
                    same_as_before(line.as_bytes()).unwrap();
                }
            }
        }
    }

    /// The lines of records in the usual forms are read without a
    /// `Value` of the line, and as before.
    #[test]
    fn usual_records_take_the_fast_path() {
        let lines = [
            r#"{"id": "reuters/1", "text": "One.\nTwo \"quoted\" \u00e9t\u00e9."}"#,
            r#"{"text":"No id."}"#,
            "{\"text\":\"Line break after.\"}\r\n",
            r#"{"id":17,"date":"2022-01-25","text":"Number id."}"#,
            r#"{"id":null,"text":"Null id.","title":"T","n":[1,2.5,{"a":null}]}"#,
            r#"{"id":"a","id":{"b":[1]},"text":"First.","text":"Last wins."}"#,
            r#"{"\u0074ext":"Escaped key.","x":1e300,"y":-0}"#,
        ];
        for line in lines {
            for fields in field_settings().iter().filter(|f| f.text == "text") {
                if fields.extra.len() <= FieldRole::MAX_EXTRA {
                    assert!(
                        record_from_line(line, fields).is_some(),
                        "{line} {fields:?}"
                    );
                }
            }
            same_as_before(line.as_bytes()).unwrap();
        }
    }

    /// Most generated record lines take the fast path, so the comparisons
    /// below test it and not only the `Value` path it falls back on.
    #[test]
    fn record_lines_mostly_take_the_fast_path() {
        use proptest::strategy::{Strategy, ValueTree};
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let fields = RecordFields::default();
        let fast = (0..1000)
            .filter(|_| {
                let line = record_line().new_tree(&mut runner).unwrap().current();
                std::str::from_utf8(&line)
                    .ok()
                    .and_then(|l| record_from_line(l, &fields))
                    .is_some()
            })
            .count();
        // 570 of 1,000 when written.
        assert!(fast > 400, "{fast} of 1000");
    }

    /// A JSON value as text, sometimes malformed, with the keys and values
    /// records have and the cases where parsers differ.
    fn json_value() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            any::<String>().prop_map(|s| serde_json::to_string(&s).unwrap()),
            json_string_body().prop_map(|b| format!("\"{b}\"")),
            "[a-z .]{0,12}".prop_map(|s| format!("\"{s}\"")),
            prop::sample::select(vec![
                "null",
                "true",
                "false",
                "0",
                "-0",
                "1.5e3",
                "1e999",
                "-1e999",
                "01",
                "1.",
                "12345678901234567890123",
                "\"\"",
                "\"  \"",
                "\"\\u00e9\\n\\\"\"",
                "\"\\ud800\"",
                "\"\\ud83d\\ude00\"",
                "\"\\x\"",
                "nul",
                "\"open",
            ])
            .prop_map(String::from),
        ];
        leaf.prop_recursive(4, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4)
                    .prop_map(|v| format!("[{}]", v.join(","))),
                prop::collection::vec((json_key(), inner), 0..4).prop_map(|kv| {
                    let pairs: Vec<String> =
                        kv.into_iter().map(|(k, v)| format!("{k}:{v}")).collect();
                    format!("{{{}}}", pairs.join(","))
                }),
            ]
        })
    }

    /// A JSON string's body (without its quotes), valid or not: runs of
    /// characters (raw control characters among them) and escapes of every
    /// kind (`\u` of every range, surrogate pairs, lone, reversed and
    /// doubled surrogates, unknown and cut short ones), sometimes long.
    fn json_string_body() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        use proptest::sample::select;
        let piece = prop_oneof![
            6 => "[a-z\u{e9}\u{2019}\u{1f600} .]{1,8}",
            1 => any::<char>()
                .prop_filter("not a quote or backslash", |c| !matches!(c, '"' | '\\'))
                .prop_map(String::from),
            1 => (0u8..0x20).prop_map(|b| char::from(b).to_string()),
            4 => select(vec!["\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t"])
                .prop_map(String::from),
            1 => select(vec!["\\x", "\\'", "\\U", "\\0", "\\ ", "\\u12", "\\u12g4", "\\"])
                .prop_map(String::from),
            3 => (any::<u16>(), any::<bool>()).prop_map(|(n, upper)| if upper {
                format!("\\u{n:04X}")
            } else {
                format!("\\u{n:04x}")
            }),
            2 => (0x10000u32..0x110000).prop_map(|c| {
                let mut pair = [0; 2];
                char::from_u32(c).unwrap().encode_utf16(&mut pair);
                format!("\\u{:04x}\\u{:04X}", pair[0], pair[1])
            }),
            1 => (0xD800u32..0xDC00, 0xDC00u32..0xE000)
                .prop_map(|(high, low)| format!("\\u{low:04x}\\u{high:04x}")),
            1 => (0xD800u32..0xDC00).prop_map(|high| format!("\\u{high:04x}\\u{high:04x}")),
            1 => (0xD800u32..0xDC00).prop_map(|high| format!("\\u{high:04x}\\n")),
        ];
        prop_oneof![
            8 => prop::collection::vec(piece.clone(), 0..24).prop_map(|p| p.concat()),
            1 => (prop::collection::vec(piece, 0..6), 1000usize..70_000)
                .prop_map(|(p, n)| format!("{}{}{}", p.concat(), "long ".repeat(n / 5), p.concat())),
        ]
    }

    /// serde_json's reading of the string that starts `token` (at its
    /// opening quote): its value and the bytes it took, quotes included.
    fn serde_json_string(token: &str) -> Option<(String, usize)> {
        let mut strings = serde_json::Deserializer::from_str(token).into_iter::<String>();
        let s = strings.next()?.ok()?;
        Some((s, strings.byte_offset()))
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(5000))]
        /// The hand decoder reads every string as serde_json does: the
        /// same value and length, refused where serde_json refuses it.
        #[test]
        fn strings_unescape_as_serde_json_does(
            body in json_string_body(),
            tail in proptest::sample::select(vec!["", "\"", "\",\"x\":\"y\"}", "\"}  ", "\\\"\"", "\u{1}\""]),
        ) {
            let token = format!("\"{body}{tail}");
            let ours = unescape_json_string(&token[1..]).map(|(s, n)| (s, n + 2));
            proptest::prop_assert_eq!(ours, serde_json_string(&token), "{:?}", token);
        }
    }

    /// The text is cut out of usual lines (the fast path's fast path),
    /// and only a text key's string is used.
    #[test]
    fn texts_are_cut_out_of_usual_lines() {
        let line = r#"{"id": "a", "text" : "One.\nTwo \"2\".", "n": 1}"#;
        let cut = cut_text(line, "text").unwrap();
        assert_eq!(cut.line, r#"{"id": "a", "text" : "", "n": 1}"#);
        assert_eq!((cut.at, cut.text.as_str()), (21, "One.\nTwo \"2\"."));
        for (line, text) in [
            (r#"{"x":{"text":"Decoy."},"text":"Real."}"#, "Real."),
            (r#"{"a\"text":"Decoy.","text":"Real."}"#, "Real."),
            (r#"{"x":["text"],"text":"Real."}"#, "Real."),
        ] {
            let fields = RecordFields::default();
            assert_eq!(
                record_from_line(line, &fields).unwrap().text,
                text,
                "{line}"
            );
        }
        assert!(cut_text(r#"{"te\u0078t":"Escaped."}"#, "text").is_none());
        assert!(cut_text(r#"{"text":"Bad \q."}"#, "text").is_none());
    }

    /// A key: mostly the names the field settings look for, sometimes
    /// escaped, sometimes not a string.
    fn json_key() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        prop_oneof![
            prop::sample::select(vec![
                "\"text\"",
                "\"id\"",
                "\"date\"",
                "\"body\"",
                "\"te\\u0078t\"",
                "\"\"",
                "\"x\"",
                "\"Text\"",
                "\"a\\\"text\"",
                "1",
                "text",
            ])
            .prop_map(String::from),
            any::<String>().prop_map(|s| serde_json::to_string(&s).unwrap()),
        ]
    }

    /// An object of these fields, with white space around keys.
    fn json_object(fields: Vec<(String, String, String)>) -> String {
        let pairs: Vec<String> = fields
            .into_iter()
            .map(|(k, v, ws)| format!("{ws}{k}{ws}:{v}"))
            .collect();
        format!("{{{}}}", pairs.join(","))
    }

    /// A record's line, or nearly: an object with a text field that is a
    /// string of words, among fields as [`json_key`] and [`json_value`]
    /// make them (the text, id or extra fields given again, non-string
    /// ids, escapes, values a `Value` refuses) and nested values near
    /// serde_json's nesting limit.
    fn record_line() -> impl proptest::strategy::Strategy<Value = Vec<u8>> {
        use proptest::prelude::*;
        let text = prop_oneof![
            4 => any::<String>().prop_map(|s| serde_json::to_string(&format!("{s} Talks.")).unwrap()),
            2 => "[a-z .\n]{0,12}[a-z]".prop_map(|s| serde_json::to_string(&s).unwrap()),
            3 => json_string_body().prop_map(|b| format!("\"{b} Talks.\"")),
            1 => prop::sample::select(vec![
                "\"One.\\nTwo \\\"three\\\".\"",
                "\"caf\\u00e9 \\ud83d\\ude00\"",
                "\" \\t \"",
            ])
            .prop_map(String::from),
        ];
        let deep = (120usize..132, any::<bool>()).prop_map(|(depth, array)| {
            if array {
                format!("{}{}", "[".repeat(depth), "]".repeat(depth))
            } else {
                format!("{}null{}", "{\"a\":".repeat(depth), "}".repeat(depth))
            }
        });
        // Mostly JSON that parses, so that most lines are records.
        let parses = |v: &String| serde_json::from_str::<serde_json::Value>(v).is_ok();
        let valid = json_value().prop_map(move |v| if parses(&v) { v } else { "[]".into() });
        let value = prop_oneof![6 => valid, 2 => json_value(), 1 => deep];
        let key = prop_oneof![
            3 => json_key().prop_map(|k| if k.starts_with('"') { k } else { "\"id\"".into() }),
            1 => json_key(),
        ];
        (
            prop::collection::vec((key, value, " {0,2}"), 0..6),
            text,
            any::<prop::sample::Index>(),
        )
            .prop_map(|(mut fields, text, at)| {
                let at = at.index(fields.len() + 1);
                fields.insert(at, ("\"text\"".into(), text, String::new()));
                json_object(fields).into_bytes()
            })
    }

    /// A line: an object of such fields (the usual case), a record's line,
    /// any value, or either cut short or with a byte put in (invalid UTF-8
    /// among them).
    fn json_line() -> impl proptest::strategy::Strategy<Value = Vec<u8>> {
        use proptest::prelude::*;
        let object =
            prop::collection::vec((json_key(), json_value(), " {0,2}"), 0..6).prop_map(json_object);
        let line = prop_oneof![
            4 => object.prop_map(String::into_bytes),
            4 => record_line(),
            1 => json_value().prop_map(String::into_bytes),
        ];
        prop_oneof![
            4 => line.clone(),
            1 => (line.clone(), any::<prop::sample::Index>())
                .prop_map(|(l, at)| l[..at.index(l.len() + 1)].to_vec()),
            1 => (line, any::<prop::sample::Index>(), prop::sample::select(vec![
                0xffu8, 0xe9, 0xc3, b'"', b'}', b',', b'\\', b' ', b'\n', 0,
            ]))
                .prop_map(|(mut l, at, b)| {
                    l.insert(at.index(l.len() + 1), b);
                    l
                }),
        ]
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(5000))]
        #[test]
        fn json_lines_parse_as_before(line in json_line()) {
            let checked = same_as_before(&line);
            proptest::prop_assert!(checked.is_ok(), "{}", checked.unwrap_err());
        }
    }

    #[test]
    fn jsonl_records_and_skips_with_lines() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.jsonl");
        std::fs::write(
            &p,
            "{\"id\":\"a\",\"text\":\"One.\"}\n\n{bad json\n{\"id\":2,\"body\":\"x\"}\n{\"text\":\"  \"}\n{\"text\":\"No id.\"}\n",
        )
        .unwrap();
        let items = collect(&p, InputFormat::Auto);
        assert_eq!(items.len(), 5);
        let Item::Record(r) = &items[0] else { panic!() };
        assert_eq!((r.id.as_str(), r.text.as_str()), ("a", "One."));
        let Item::Skip(s) = &items[1] else { panic!() };
        assert!(
            s.origin.line == Some(3)
                && s.origin.path.ends_with("a.jsonl")
                && s.reason.contains("malformed JSON"),
            "{s:?}"
        );
        let Item::Skip(s) = &items[2] else { panic!() };
        assert!(s.reason.contains("no field \"text\""));
        let Item::Skip(s) = &items[3] else { panic!() };
        assert_eq!(s.reason, "empty article");
        let Item::Record(r) = &items[4] else { panic!() };
        assert!(r.id.ends_with("a.jsonl:6"));
    }

    #[test]
    fn extra_fields_are_carried_from_json_and_csv() {
        let dir = tempfile::tempdir().unwrap();
        let fields = RecordFields {
            extra: vec!["date".into(), "country".into()],
            ..RecordFields::default()
        };
        let read = |name: &str, body: &str| {
            let p = dir.path().join(name);
            std::fs::write(&p, body).unwrap();
            let mut out = Vec::new();
            read_all(
                &[(p, PathBuf::from("x"))],
                InputFormat::Auto,
                &fields,
                |i| {
                    if let Item::Record(r) = i {
                        out.push(r.fields);
                    }
                    true
                },
            );
            out
        };
        let json = read(
            "a.jsonl",
            "{\"text\":\"A.\",\"date\":\"20220125\",\"country\":\"GB\"}\n{\"text\":\"B.\",\"date\":2022}\n",
        );
        assert_eq!(json, [vec!["20220125", "GB"], vec!["2022", ""]]);
        let csv = read("a.csv", "text,country,date\nA.,PL,2024-05-01\nB.,,\n");
        assert_eq!(csv, [vec!["2024-05-01", "PL"], vec!["", ""]]);
    }

    #[test]
    fn gzip_csv_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.csv.gz");
        let f = File::create(&p).unwrap();
        let mut gz = flate2::write::GzEncoder::new(f, flate2::Compression::fast());
        gz.write_all(b"id,text\n1,\"Hello, world.\"\n2,\n").unwrap();
        gz.finish().unwrap();
        let items = collect(&p, InputFormat::Auto);
        assert_eq!(items.len(), 2);
        assert!(matches!(&items[0], Item::Record(r) if r.text == "Hello, world." && r.id == "1"));
        assert!(matches!(&items[1], Item::Skip(s) if s.origin.line == Some(3)));
    }

    #[test]
    fn invalid_utf8_text_is_repaired_and_binary_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.txt");
        std::fs::write(&p, b"caf\xe9 talks.").unwrap();
        let items = collect(&p, InputFormat::Auto);
        assert!(matches!(&items[0], Item::Record(r) if r.repaired && r.text.contains('\u{fffd}')));
        let b = dir.path().join("b.txt");
        std::fs::write(&b, b"\x00\x01\x02binary").unwrap();
        assert!(
            matches!(&collect(&b, InputFormat::Auto)[0], Item::Skip(s) if s.reason.contains("binary"))
        );
    }

    #[test]
    fn directories_are_walked_in_order_with_relative_ids() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("sub/b.txt"), "B.").unwrap();
        std::fs::write(dir.path().join("a.md"), "A.").unwrap();
        std::fs::write(dir.path().join("c.png"), "x").unwrap();
        let e = expand_paths(&[dir.path().to_path_buf()]).unwrap();
        let rel: Vec<String> = e
            .files
            .iter()
            .map(|(_, r)| r.display().to_string())
            .collect();
        assert_eq!(rel, ["a.md", "sub/b.txt"]);
        assert_eq!(e.ignored.len(), 1);
    }

    #[test]
    fn walks_survive_loops_fifos_and_unreadable_folders() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.txt"), "A.").unwrap();
        std::os::unix::fs::symlink(".", dir.path().join("loop")).unwrap();
        std::os::unix::fs::symlink(".", dir.path().join("loop2")).unwrap();
        assert!(std::process::Command::new("mkfifo")
            .arg(dir.path().join("pipe.txt"))
            .status()
            .unwrap()
            .success());
        let e = expand_paths(&[dir.path().to_path_buf()]).unwrap();
        let rel: Vec<String> = e
            .files
            .iter()
            .map(|(_, r)| r.display().to_string())
            .collect();
        assert_eq!(rel, ["a.txt"], "{e:?}");
        let reasons: Vec<&str> = e.skipped.iter().map(|s| s.reason.as_str()).collect();
        assert_eq!(reasons.len(), 3, "{reasons:?}");
        assert_eq!(reasons.iter().filter(|r| r.contains("loop")).count(), 2);
        assert!(reasons.iter().any(|r| r.contains("not a regular file")));
    }
}
