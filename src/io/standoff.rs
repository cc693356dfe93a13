//! Stand-off annotations: labels given as UTF-8 byte offsets into articles
//! that the user brings, so that labels on archives which may not be
//! redistributed can still be shared.
//!
//! A stand-off CSV has a header with the columns `doc_id`, `start`, `end`
//! (byte offsets into the article's text, as `frametag-score` writes them)
//! and a labels column; an optional `checksum` column holds
//! [`sentence_checksum`] of the annotated sentence, so a row whose article
//! differs from the one annotated is caught instead of training on the
//! wrong words. Any other columns (the sentence text, annotation passes,
//! notes) are ignored.
//!
//! [`read_labeled`] reads text CSVs and stand-off CSVs alike; the articles
//! of stand-off rows are read once from an [`ArticleSource`] (the scorer's
//! readers: files, folders, JSONL, CSV, gzip), keeping only the articles
//! that some row names, so memory is bounded by what is annotated.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::io::dataset::{parse_labels, Columns, CsvRows, LabeledData, Skipped};
use crate::io::input::{expand_paths, read_all, InputFormat, Item, RecordFields, Skip};
use crate::pipeline::suggest::Exclusions;

/// Column of the document id.
pub const DOC_ID_COLUMN: &str = "doc_id";
/// Column of the first byte offset.
pub const START_COLUMN: &str = "start";
/// Column of the end byte offset (exclusive).
pub const END_COLUMN: &str = "end";
/// Optional column of [`sentence_checksum`].
pub const CHECKSUM_COLUMN: &str = "checksum";

/// The checksum of an annotated sentence: the first 16 hex digits of the
/// SHA-256 of its UTF-8 bytes. In Python:
/// `hashlib.sha256(s.encode()).hexdigest()[:16]`.
pub fn sentence_checksum(sentence: &str) -> String {
    let digest = Sha256::digest(sentence.as_bytes());
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// Where the articles of stand-off rows are read from.
#[derive(Debug, Clone)]
pub struct ArticleSource {
    /// Files, directories or `-`, as `frametag-score` takes them.
    pub paths: Vec<PathBuf>,
    /// How to read them.
    pub format: InputFormat,
    /// Text and id fields of JSONL and CSV records.
    pub fields: RecordFields,
}

/// Labeled data read by [`read_labeled`].
#[derive(Debug, Clone)]
pub struct Loaded {
    /// One data set per file, in the order given.
    pub parts: Vec<LabeledData>,
    /// Which parts were stand-off files.
    pub standoff: Vec<bool>,
    /// Articles read for stand-off rows.
    pub articles_read: usize,
    /// Records of the archive that could not be read (reported, and any
    /// row that needs them is skipped with a reason of its own).
    pub archive_skips: Vec<Skip>,
}

/// One row of a stand-off file, before its text is looked up.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Row {
    line: u64,
    doc_id: String,
    start: usize,
    end: usize,
    checksum: Option<String>,
    labels: Vec<String>,
}

/// A parsed stand-off CSV.
#[derive(Debug, Clone)]
struct StandoffFile {
    path: PathBuf,
    rows: Vec<Row>,
    skipped: Vec<Skipped>,
    notes: Vec<Skipped>,
}

/// True when a CSV with this header is read as stand-off: it has the
/// offset columns, and either articles are given or it has no text column.
fn is_standoff(table: &CsvRows, columns: &Columns, have_articles: bool) -> bool {
    let offsets = [DOC_ID_COLUMN, START_COLUMN, END_COLUMN]
        .iter()
        .all(|c| table.has(c));
    offsets && (have_articles || !table.has(&columns.text))
}

impl StandoffFile {
    fn parse(path: &Path, mut table: CsvRows, columns: &Columns) -> Result<Self> {
        let labels_column = columns.labels.as_str();
        let col = |name: &str| table.column(path, name);
        let (doc, start, end, labels) = (
            col(DOC_ID_COLUMN)?,
            col(START_COLUMN)?,
            col(END_COLUMN)?,
            col(labels_column)?,
        );
        let checksum = crate::io::dataset::column_index(&table.header, CHECKSUM_COLUMN);
        let mut file = StandoffFile {
            path: path.to_path_buf(),
            rows: Vec::new(),
            skipped: Vec::new(),
            notes: Vec::new(),
        };
        let header_len = table.header.len();
        table.for_each_row(|line, record| {
            let field = |i: usize| CsvRows::text(record, i);
            let (Some(doc_id), Some(s), Some(e), Some(l)) =
                (field(doc), field(start), field(end), field(labels))
            else {
                file.skipped.push(Skipped {
                    line,
                    reason: crate::io::dataset::short_row(record, header_len),
                });
                return;
            };
            let offsets = (s.parse::<usize>(), e.parse::<usize>());
            let (Ok(s), Ok(e)) = offsets else {
                file.skipped.push(Skipped {
                    line,
                    reason: format!(
                        "start {s:?} and end {e:?} must be byte offsets (whole numbers >= 0)"
                    ),
                });
                return;
            };
            if doc_id.is_empty() {
                file.skipped.push(Skipped {
                    line,
                    reason: "empty doc_id".into(),
                });
                return;
            }
            let parsed = parse_labels(&l, columns.label_separator);
            if let Some(note) = parsed.note {
                file.notes.push(Skipped { line, reason: note });
            }
            file.rows.push(Row {
                line,
                doc_id,
                start: s,
                end: e,
                checksum: checksum.and_then(field).filter(|c| !c.is_empty()),
                labels: parsed.labels,
            });
        });
        table.skipped.append(&mut file.skipped);
        file.skipped = table.skipped;
        Ok(file)
    }

    /// Takes each row's sentence from its article.
    fn resolve(self, articles: &Articles, separator: char) -> Result<LabeledData> {
        let mut data = LabeledData {
            path: self.path,
            skipped: self.skipped,
            notes: self.notes,
            ..Default::default()
        };
        for row in self.rows {
            match articles.sentence(&row) {
                Ok(text) => {
                    data.texts.push(text.to_string());
                    data.labels.push(row.labels);
                    data.lines.push(row.line);
                }
                Err(reason) => data.skipped.push(Skipped {
                    line: row.line,
                    reason,
                }),
            }
        }
        data.check_label_names(separator)?;
        data.finish()
    }
}

/// Articles by id, for the ids some stand-off row names.
#[derive(Debug, Default)]
struct Articles {
    texts: HashMap<String, (String, String)>,
    /// Ids read twice with different texts, with both origins.
    conflicts: HashMap<String, String>,
}

impl Articles {
    fn load(source: &ArticleSource, wanted: &HashSet<&str>, skips: &mut Vec<Skip>) -> Result<Self> {
        let expanded = expand_paths(&source.paths)?;
        skips.extend(expanded.skipped);
        let files = expanded.files;
        let mut articles = Articles::default();
        read_all(&files, source.format, &source.fields, |item| {
            match item {
                Item::Skip(s) => skips.push(s),
                Item::Record(r) if wanted.contains(r.id.as_str()) => {
                    match articles.texts.get(&r.id) {
                        Some((text, _)) if *text == r.text => {}
                        Some((_, origin)) => {
                            articles
                                .conflicts
                                .entry(r.id.clone())
                                .or_insert_with(|| format!("{origin} and {}", r.origin));
                        }
                        None => {
                            articles.texts.insert(r.id, (r.text, r.origin.to_string()));
                        }
                    }
                }
                Item::Record(_) => {}
            }
            true
        });
        Ok(articles)
    }

    /// The sentence a row points at, or why it cannot be used.
    fn sentence(&self, row: &Row) -> std::result::Result<&str, String> {
        if let Some(both) = self.conflicts.get(&row.doc_id) {
            return Err(format!(
                "article {:?} occurs twice with different texts ({both})",
                row.doc_id
            ));
        }
        let Some((text, origin)) = self.texts.get(&row.doc_id) else {
            return Err(format!(
                "article {:?} not found in the articles",
                row.doc_id
            ));
        };
        let (s, e) = (row.start, row.end);
        if s >= e || e > text.len() {
            return Err(format!(
                "offsets {s}..{e} do not fit article {:?} ({} bytes, {origin})",
                row.doc_id,
                text.len()
            ));
        }
        let Some(sentence) = text.get(s..e) else {
            return Err(format!(
                "offsets {s}..{e} cut a character of article {:?} ({origin}): they must be UTF-8 byte offsets",
                row.doc_id
            ));
        };
        if let Some(want) = &row.checksum {
            let got = sentence_checksum(sentence);
            if !got.eq_ignore_ascii_case(want) {
                return Err(format!(
                    "the text at {s}..{e} of article {:?} ({origin}) does not match the checksum \
                     (expected {want}, found {got}): the article differs from the one annotated",
                    row.doc_id
                ));
            }
        }
        if sentence.trim().is_empty() {
            return Err("the offsets select only white space".into());
        }
        Ok(sentence)
    }
}

/// Reads CSVs of sentences or articles to leave out of suggestions: each
/// needs a `doc_id` column; a row with `start` and `end` names a sentence,
/// a row without them (or a file without those columns) a whole article.
pub fn read_exclusions(files: &[PathBuf]) -> Result<Exclusions> {
    let mut out = Exclusions::default();
    for path in files {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let mut table = CsvRows::parse(path, bytes)?;
        let doc = table.column(path, DOC_ID_COLUMN)?;
        let span = crate::io::dataset::column_index(&table.header, START_COLUMN)
            .zip(crate::io::dataset::column_index(&table.header, END_COLUMN));
        while let Some((line, record)) = table.next_row() {
            let field = |i: usize| CsvRows::text(record, i).unwrap_or_default();
            let id = field(doc);
            if id.is_empty() {
                return Err(Error::data(path, line, "empty doc_id"));
            }
            match span.map(|(s, e)| (field(s), field(e))) {
                Some((s, e)) if !(s.is_empty() && e.is_empty()) => {
                    let (Ok(s), Ok(e)) = (s.parse::<usize>(), e.parse::<usize>()) else {
                        return Err(Error::data(
                            path,
                            line,
                            format!("start {s:?} and end {e:?} must be byte offsets"),
                        ));
                    };
                    out.sentences.insert((id, s, e));
                }
                _ => {
                    out.articles.insert(id);
                }
            }
        }
        if let Some(s) = table.skipped.first() {
            return Err(Error::data(path, s.line, s.reason.clone()));
        }
    }
    Ok(out)
}

/// Reads labeled CSVs, each either a text CSV (a text column and a labels
/// column) or a stand-off CSV (see the module documentation), in the order
/// given. A CSV with `doc_id`, `start` and `end` columns is read as
/// stand-off when `articles` is given, or when it has no text column.
///
/// Rows that cannot be used are skipped with their line and reason (an
/// article missing, offsets that do not fit, a checksum that does not
/// match); a file with no usable row is an error.
pub fn read_labeled(
    files: &[PathBuf],
    columns: &Columns,
    articles: Option<&ArticleSource>,
) -> Result<Loaded> {
    enum Part {
        Text(LabeledData),
        Standoff(StandoffFile),
    }
    let mut parts = Vec::with_capacity(files.len());
    for path in files {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let table = CsvRows::parse(path, bytes)?;
        if is_standoff(&table, columns, articles.is_some()) {
            parts.push(Part::Standoff(StandoffFile::parse(path, table, columns)?));
        } else {
            parts.push(Part::Text(LabeledData::from_table(path, table, columns)?));
        }
    }
    let wanted: HashSet<&str> = parts
        .iter()
        .filter_map(|p| match p {
            Part::Standoff(f) => Some(f.rows.iter().map(|r| r.doc_id.as_str())),
            Part::Text(_) => None,
        })
        .flatten()
        .collect();
    let mut archive_skips = Vec::new();
    let any_standoff = parts.iter().any(|p| matches!(p, Part::Standoff(_)));
    let store = match (any_standoff, articles) {
        (false, _) => Articles::default(),
        (true, Some(source)) => Articles::load(source, &wanted, &mut archive_skips)?,
        (true, None) => {
            let path = files
                .iter()
                .zip(&parts)
                .find(|(_, p)| matches!(p, Part::Standoff(_)))
                .map(|(f, _)| f.clone())
                .unwrap_or_default();
            return Err(Error::Dataset {
                path,
                message: format!(
                    "a stand-off file (doc_id, start, end and no {:?} column) needs the articles it points into: give them with --articles",
                    columns.text
                ),
            });
        }
    };
    let articles_read = store.texts.len();
    let mut loaded = Loaded {
        parts: Vec::with_capacity(parts.len()),
        standoff: Vec::with_capacity(parts.len()),
        articles_read,
        archive_skips,
    };
    drop(wanted);
    for part in parts {
        match part {
            Part::Text(d) => {
                loaded.parts.push(d);
                loaded.standoff.push(false);
            }
            Part::Standoff(f) => {
                loaded
                    .parts
                    .push(f.resolve(&store, columns.label_separator)?);
                loaded.standoff.push(true);
            }
        }
    }
    Ok(loaded)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARTICLE: &str =
        "Talks resumed in Geneva. Shelling hit a school in Kharkiv, officials said.";

    fn archive(dir: &Path) -> ArticleSource {
        let p = dir.join("a.jsonl");
        let line = serde_json::json!({"id": "doc1", "text": ARTICLE}).to_string();
        std::fs::write(&p, format!("{line}\n")).unwrap();
        ArticleSource {
            paths: vec![p],
            format: InputFormat::Auto,
            fields: RecordFields::default(),
        }
    }

    #[test]
    fn checksum_is_sha256_prefix() {
        // printf 'abc' | sha256sum
        assert_eq!(sentence_checksum("abc"), "ba7816bf8f01cfea");
    }

    #[test]
    fn rows_take_their_text_from_the_article_and_bad_rows_are_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let src = archive(dir.path());
        let second = &ARTICLE[25..];
        let csv = format!(
            "doc_id,start,end,checksum,labels\n\
             doc1,0,24,,\n\
             doc1,25,{len},{sum},escalation;humanitarian\n\
             doc2,0,5,,\n\
             doc1,25,{len},0000000000000000,escalation\n\
             doc1,0,999,,\n\
             doc1,x,3,,\n",
            len = ARTICLE.len(),
            sum = sentence_checksum(second)
        );
        let p = dir.path().join("s.csv");
        std::fs::write(&p, csv).unwrap();
        let loaded =
            read_labeled(std::slice::from_ref(&p), &Columns::default(), Some(&src)).unwrap();
        let d = &loaded.parts[0];
        assert_eq!(loaded.standoff, [true]);
        assert_eq!(d.texts, ["Talks resumed in Geneva.", second]);
        assert_eq!(d.labels[1], ["escalation", "humanitarian"]);
        assert_eq!(d.lines, [2, 3]);
        let reasons: Vec<(u64, &str)> = d
            .skipped
            .iter()
            .map(|s| (s.line, s.reason.as_str()))
            .collect();
        assert_eq!(reasons.len(), 4, "{reasons:?}");
        assert!(reasons[0].0 == 4 && reasons[0].1.contains("not found"));
        assert!(reasons[1].0 == 5 && reasons[1].1.contains("does not match the checksum"));
        assert!(reasons[2].0 == 6 && reasons[2].1.contains("do not fit"));
        assert!(reasons[3].0 == 7 && reasons[3].1.contains("byte offsets"));
    }

    #[test]
    fn a_changed_article_changes_the_checksum_of_the_data() {
        let dir = tempfile::tempdir().unwrap();
        let src = archive(dir.path());
        let p = dir.path().join("s.csv");
        std::fs::write(&p, "doc_id,start,end,labels\ndoc1,0,24,\n").unwrap();
        let a = read_labeled(std::slice::from_ref(&p), &Columns::default(), Some(&src)).unwrap();
        let line = serde_json::json!({"id": "doc1", "text": ARTICLE.replace("Geneva", "Vienna")});
        std::fs::write(&src.paths[0], format!("{line}\n")).unwrap();
        let b = read_labeled(&[p], &Columns::default(), Some(&src)).unwrap();
        assert_ne!(a.parts[0].checksum(), b.parts[0].checksum());
        assert_eq!(b.parts[0].texts, ["Talks resumed in Vienna."]);
    }

    #[test]
    fn standoff_without_articles_is_refused_and_text_csvs_mix_in() {
        let dir = tempfile::tempdir().unwrap();
        let so = dir.path().join("s.csv");
        std::fs::write(&so, "doc_id,start,end,labels\ndoc1,0,24,\n").unwrap();
        let e = read_labeled(std::slice::from_ref(&so), &Columns::default(), None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("s.csv") && e.contains("--articles"), "{e}");
        let text = dir.path().join("t.csv");
        std::fs::write(&text, "text,labels\nA strike hit a depot.,escalation\n").unwrap();
        let src = archive(dir.path());
        let loaded = read_labeled(&[text, so], &Columns::default(), Some(&src)).unwrap();
        assert_eq!(loaded.standoff, [false, true]);
        let all = LabeledData::concat(loaded.parts);
        assert_eq!(all.len(), 2);
        assert!(all.file(0).ends_with("t.csv") && all.file(1).ends_with("s.csv"));
        assert_eq!(all.file_names(), "t.csv+s.csv");
    }

    #[test]
    fn offsets_inside_a_character_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.jsonl");
        std::fs::write(
            &p,
            "{\"id\":\"d\",\"text\":\"Kyiv’s mayor spoke. Then more.\"}\n",
        )
        .unwrap();
        let src = ArticleSource {
            paths: vec![p],
            format: InputFormat::Auto,
            fields: RecordFields::default(),
        };
        let so = dir.path().join("s.csv");
        std::fs::write(&so, "doc_id,start,end,labels\nd,0,5,\nd,0,21,\n").unwrap();
        let d = &read_labeled(&[so], &Columns::default(), Some(&src))
            .unwrap()
            .parts[0];
        assert_eq!(d.texts, ["Kyiv’s mayor spoke."]);
        assert!(d.skipped[0].reason.contains("cut a character"));
    }
}
