//! Labeled training data: CSV files with a text column and a labels column.
//!
//! Labels are joined by `;`; an empty cell or `none` means no frame. Rows
//! that cannot be used are skipped and listed with their line and reason;
//! oddities that can be repaired (stray whitespace, duplicate labels) are
//! repaired and listed as notes. Nothing is dropped silently.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::io::csv_quotes::CsvRecords;

/// A row that was not used, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// 1-based line of the row in its file.
    pub line: u64,
    /// Why it was skipped.
    pub reason: String,
}

/// Labeled examples read from one CSV file.
#[derive(Debug, Clone, Default)]
pub struct LabeledData {
    /// The file read.
    pub path: PathBuf,
    /// Example texts.
    pub texts: Vec<String>,
    /// Labels of each example (empty = none), trimmed and de-duplicated.
    pub labels: Vec<Vec<String>>,
    /// 1-based line of each example.
    pub lines: Vec<u64>,
    /// Rows not used.
    pub skipped: Vec<Skipped>,
    /// Repairs made (stray whitespace, duplicate labels), with their line.
    pub notes: Vec<Skipped>,
    /// For data merged from several files ([`LabeledData::concat`]): the
    /// files, and for each example the index of its file. Empty when every
    /// example comes from `path`.
    pub files: Vec<PathBuf>,
    /// Index into `files` of each example (empty when `files` is).
    pub file_of: Vec<u32>,
}

/// Which columns hold the text and the labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Columns {
    /// Text column name (default "text").
    pub text: String,
    /// Labels column name (default "labels").
    pub labels: String,
    /// What joins several labels in a cell (default `;`).
    pub label_separator: char,
}

impl Default for Columns {
    fn default() -> Self {
        Columns {
            text: "text".into(),
            labels: "labels".into(),
            label_separator: ';',
        }
    }
}

impl LabeledData {
    /// Number of examples.
    pub fn len(&self) -> usize {
        self.texts.len()
    }

    /// True when no example was read.
    pub fn is_empty(&self) -> bool {
        self.texts.is_empty()
    }

    /// Labeled examples held in memory (no file): example `n` is reported
    /// as line `n + 1` of `<memory>`. Labels are used as given (an empty
    /// list = none).
    ///
    /// Train from vectors and score:
    ///
    /// ```
    /// use frametag::model::{train, CharNgrams, Penalty, TrainConfig};
    /// use frametag::LabeledData;
    ///
    /// let examples = [
    ///     ("Missiles struck the port overnight.", "escalation"),
    ///     ("Shelling hit a school, wounding two children.", "escalation;humanitarian"),
    ///     ("Aid convoys reached the besieged town.", "humanitarian"),
    ///     ("The talks will resume on Monday.", ""),
    ///     ("Drones attacked the power plant again.", "escalation"),
    ///     ("Families fled the fighting on foot.", "humanitarian"),
    ///     ("The committee meets next week.", ""),
    ///     ("Artillery fire intensified along the front.", "escalation"),
    /// ];
    /// let (texts, labels): (Vec<String>, Vec<Vec<String>>) = examples
    ///     .iter()
    ///     .cycle()
    ///     .take(64)
    ///     .map(|(t, l)| (t.to_string(), l.split(';').filter(|l| !l.is_empty()).map(String::from).collect()))
    ///     .unzip();
    /// let data = LabeledData::in_memory(texts, labels);
    /// let config = TrainConfig {
    ///     penalty: Penalty::Fixed(0.1),
    ///     char_ngrams: CharNgrams::Fixed(0, 0),
    ///     ..TrainConfig::default()
    /// };
    /// let (model, _summary) = train(&data, &config).unwrap();
    /// assert_eq!(model.labels(), ["escalation", "humanitarian"]);
    /// let mut scores = vec![0.0; 2];
    /// model.scorer().score("Missiles struck the town overnight.", &mut scores);
    /// assert!(scores[0] > scores[1]);
    /// ```
    pub fn in_memory(texts: Vec<String>, labels: Vec<Vec<String>>) -> LabeledData {
        assert_eq!(texts.len(), labels.len(), "one label list per text");
        LabeledData {
            path: PathBuf::from("<memory>"),
            lines: (1..=texts.len() as u64).collect(),
            texts,
            labels,
            ..Default::default()
        }
    }

    /// xxh3-64 (hex) of the examples in order, each text and its labels
    /// (joined by `;`) ended by a NUL byte: identifies the training data in
    /// a model whatever carried it (a text CSV, stand-off rows, memory).
    pub fn checksum(&self) -> String {
        let mut hash = xxhash_rust::xxh3::Xxh3::new();
        for (t, ls) in self.texts.iter().zip(&self.labels) {
            hash.update(t.as_bytes());
            hash.update(&[0]);
            hash.update(ls.join(";").as_bytes());
            hash.update(&[0]);
        }
        format!("{:016x}", hash.digest())
    }

    /// The true labels as one `bool` per label of `labels`, one row per
    /// example; labels not among `labels` are ignored.
    pub fn truth_matrix(&self, labels: &[String]) -> Vec<Vec<bool>> {
        self.labels
            .iter()
            .map(|ls| labels.iter().map(|l| ls.contains(l)).collect())
            .collect()
    }

    /// The file that example `n` came from.
    pub fn file(&self, n: usize) -> &Path {
        match self.file_of.get(n) {
            Some(&f) => &self.files[f as usize],
            None => &self.path,
        }
    }

    /// The names (without folders) of the files the examples came from,
    /// joined by `+`.
    pub fn file_names(&self) -> String {
        let name = |p: &Path| {
            p.file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default()
        };
        if self.files.is_empty() {
            name(&self.path)
        } else {
            self.files
                .iter()
                .map(|f| name(f))
                .collect::<Vec<_>>()
                .join("+")
        }
    }

    /// Joins data sets read from several files into one, in the order
    /// given; each example keeps its file and line for messages. One part
    /// is returned as it is.
    pub fn concat(parts: Vec<LabeledData>) -> LabeledData {
        if parts.len() == 1 {
            return parts.into_iter().next().expect("one part");
        }
        let mut out = LabeledData {
            path: PathBuf::from(
                parts
                    .iter()
                    .map(|p| p.path.display().to_string())
                    .collect::<Vec<_>>()
                    .join("+"),
            ),
            ..Default::default()
        };
        for part in parts {
            for n in 0..part.len() {
                let file = part.file(n).to_path_buf();
                let idx = match out.files.iter().position(|f| *f == file) {
                    Some(i) => i,
                    None => {
                        out.files.push(file);
                        out.files.len() - 1
                    }
                };
                out.file_of.push(idx as u32);
            }
            out.texts.extend(part.texts);
            out.labels.extend(part.labels);
            out.lines.extend(part.lines);
            out.skipped.extend(part.skipped);
            out.notes.extend(part.notes);
        }
        out
    }

    /// The examples at `idx`, in that order, keeping their files and lines.
    pub fn subset(&self, idx: &[usize]) -> LabeledData {
        LabeledData {
            path: self.path.clone(),
            texts: idx.iter().map(|&i| self.texts[i].clone()).collect(),
            labels: idx.iter().map(|&i| self.labels[i].clone()).collect(),
            lines: idx.iter().map(|&i| self.lines[i]).collect(),
            files: self.files.clone(),
            file_of: if self.file_of.is_empty() {
                Vec::new()
            } else {
                idx.iter().map(|&i| self.file_of[i]).collect()
            },
            ..Default::default()
        }
    }

    /// The distinct labels, sorted.
    pub fn label_set(&self) -> Vec<String> {
        let set: BTreeSet<&String> = self.labels.iter().flatten().collect();
        set.into_iter().cloned().collect()
    }

    /// Reads a labeled CSV file with a header row.
    pub fn read_csv(path: &Path, columns: &Columns) -> Result<LabeledData> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        Self::from_table(path, CsvRows::parse(path, bytes)?, columns)
    }

    /// Parses labeled CSV bytes; `path` is used in messages.
    pub fn parse_csv(path: &Path, bytes: &[u8], columns: &Columns) -> Result<LabeledData> {
        Self::from_table(path, CsvRows::parse(path, bytes.to_vec())?, columns)
    }

    /// The examples of a text CSV whose records `table` reads.
    pub(crate) fn from_table(
        path: &Path,
        mut table: CsvRows,
        columns: &Columns,
    ) -> Result<LabeledData> {
        let mut data = LabeledData {
            path: path.to_path_buf(),
            ..Default::default()
        };
        let text_col = table.column(path, &columns.text)?;
        let labels_col = table.column(path, &columns.labels)?;
        let header_len = table.header.len();
        let mut skipped = Vec::new();
        table.for_each_row(|line, record| {
            let (Some(text), Some(labels)) = (record.get(text_col), record.get(labels_col)) else {
                skipped.push(Skipped {
                    line,
                    reason: short_row(record, header_len),
                });
                return;
            };
            let (Ok(text), Ok(labels)) = (std::str::from_utf8(text), std::str::from_utf8(labels))
            else {
                skipped.push(Skipped {
                    line,
                    reason: "invalid UTF-8".into(),
                });
                return;
            };
            if text.trim().is_empty() {
                skipped.push(Skipped {
                    line,
                    reason: "empty text".into(),
                });
                return;
            }
            let parsed = parse_labels(labels, columns.label_separator);
            if let Some(note) = parsed.note {
                data.notes.push(Skipped { line, reason: note });
            }
            data.texts.push(text.to_string());
            data.labels.push(parsed.labels);
            data.lines.push(line);
        });
        data.skipped = table.skipped;
        data.skipped.append(&mut skipped);
        data.check_label_names(columns.label_separator)?;
        data.finish()
    }

    /// Checks the label names for the mistakes people make: labels joined
    /// by another separator (`a,b` read as one label), and the same label
    /// written in two cases. The first is an error (it would train a label
    /// per combination), the second a note.
    pub(crate) fn check_label_names(&mut self, separator: char) -> Result<()> {
        let names = self.label_set();
        for other in [',', '|', '/'] {
            if other == separator {
                continue;
            }
            let joined: Vec<&String> = names.iter().filter(|l| l.contains(other)).collect();
            if let Some(first) = joined.first() {
                return Err(Error::Dataset {
                    path: self.path.clone(),
                    message: format!(
                        "{} label(s) contain {other:?} (e.g. {first:?}): labels are joined by {separator:?}; \
                         if this file joins them by {other:?}, pass --label-separator {other:?}",
                        joined.len()
                    ),
                });
            }
        }
        for (i, a) in names.iter().enumerate() {
            for b in &names[i + 1..] {
                if a.to_lowercase() == b.to_lowercase() {
                    self.notes.push(Skipped {
                        line: 0,
                        reason: format!(
                            "labels {a:?} and {b:?} differ only in case and are kept apart as two labels"
                        ),
                    });
                }
            }
        }
        Ok(())
    }

    /// Sorts the skipped rows by line and refuses a data set with no usable
    /// row.
    pub(crate) fn finish(mut self) -> Result<LabeledData> {
        self.skipped.sort_by_key(|s| s.line);
        if self.texts.is_empty() {
            return Err(Error::Dataset {
                path: self.path.clone(),
                message: format!(
                    "no usable rows ({} skipped{})",
                    self.skipped.len(),
                    self.skipped
                        .first()
                        .map(|s| format!("; first at line {}: {}", s.line, s.reason))
                        .unwrap_or_default()
                ),
            });
        }
        Ok(self)
    }
}

/// A CSV file's header and a reader of its records, each with its 1-based
/// line; malformed records are listed as skipped as they are met.
pub(crate) struct CsvRows {
    pub(crate) header: csv::ByteRecord,
    records: CsvRecords,
    /// Malformed records met so far by [`CsvRows::next_row`].
    pub(crate) skipped: Vec<Skipped>,
}

impl CsvRows {
    /// Starts reading the records of `bytes` (taken, not copied: a training
    /// file can be large); `path` is used in messages.
    pub(crate) fn parse(path: &Path, bytes: Vec<u8>) -> Result<CsvRows> {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(Error::Dataset {
                path: path.into(),
                message: "the file is empty".into(),
            });
        }
        let owned: Box<dyn std::io::Read + Send> = Box::new(std::io::Cursor::new(bytes));
        let (records, header) =
            CsvRecords::new(owned, b',').map_err(|m| Error::data(path, 1, m))?;
        Ok(CsvRows {
            header,
            records,
            skipped: Vec::new(),
        })
    }

    /// The next well-formed record and its line, in file order; malformed
    /// records met on the way go to `skipped`. Records are read one at a
    /// time, so a large file is never held as records and as examples at
    /// once.
    pub(crate) fn next_row(&mut self) -> Option<(u64, &csv::ByteRecord)> {
        loop {
            match self.records.next_record()? {
                Ok((line, _)) => {
                    // Borrowed again: a record returned from inside the loop
                    // would keep `self.records` borrowed for the next turn.
                    return Some((line, self.records.record()));
                }
                Err(m) => self.skipped.push(Skipped {
                    line: m.line,
                    reason: m.reason,
                }),
            }
        }
    }

    /// Calls `f` with each well-formed record and its line, as
    /// [`CsvRows::next_row`] gives them.
    pub(crate) fn for_each_row(&mut self, mut f: impl FnMut(u64, &csv::ByteRecord)) {
        while let Some((line, record)) = self.next_row() {
            f(line, record);
        }
    }

    /// The position of column `name`, or an error naming the columns there
    /// are.
    pub(crate) fn column(&self, path: &Path, name: &str) -> Result<usize> {
        column_index(&self.header, name).ok_or_else(|| Error::Dataset {
            path: path.into(),
            message: format!(
                "no column {name:?} in the header (columns: {})",
                self.header
                    .iter()
                    .map(|h| format!("{:?}", String::from_utf8_lossy(h)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })
    }

    /// Field `i` of `record` as trimmed text (invalid UTF-8 replaced), if
    /// the record has it.
    pub(crate) fn text(record: &csv::ByteRecord, i: usize) -> Option<String> {
        record
            .get(i)
            .map(|b| String::from_utf8_lossy(b).trim().to_string())
    }

    /// True when the header has column `name`.
    pub(crate) fn has(&self, name: &str) -> bool {
        column_index(&self.header, name).is_some()
    }
}

/// Why a record with fewer fields than the header's `header_len` is skipped.
pub(crate) fn short_row(record: &csv::ByteRecord, header_len: usize) -> String {
    format!(
        "row has {} fields, fewer than the header's {header_len}",
        record.len()
    )
}

/// The position of column `name` in a CSV header, ignoring surrounding
/// whitespace and a UTF-8 byte-order mark.
pub(crate) fn column_index(header: &csv::ByteRecord, name: &str) -> Option<usize> {
    header.iter().position(|h| {
        String::from_utf8_lossy(h)
            .trim()
            .trim_start_matches('\u{feff}')
            == name
    })
}

pub(crate) struct ParsedLabels {
    pub(crate) labels: Vec<String>,
    pub(crate) note: Option<String>,
}

/// The labels of one cell as a labeled CSV's reader takes them: split at
/// `separator`, trimmed, de-duplicated in first-seen order; empty or `none`
/// means no label. For callers that hold label cells in memory, so their
/// examples match the same rows read from a file.
///
/// ```
/// let labels = frametag::io::split_labels(" escalation;humanitarian;escalation", ';');
/// assert_eq!(labels, ["escalation", "humanitarian"]);
/// assert!(frametag::io::split_labels("none", ';').is_empty());
/// ```
pub fn split_labels(cell: &str, separator: char) -> Vec<String> {
    parse_labels(cell, separator).labels
}

/// Splits a labels cell: `;`-joined, trimmed, de-duplicated in first-seen
/// order; empty or `none` means no label.
pub(crate) fn parse_labels(cell: &str, separator: char) -> ParsedLabels {
    let mut labels: Vec<String> = Vec::new();
    let mut notes = Vec::new();
    let mut had_none = false;
    for raw in cell.split(separator) {
        let l = raw.trim();
        if l.len() != raw.len() && !l.is_empty() {
            notes.push(format!("stray whitespace around label {l:?} trimmed"));
        }
        if l.is_empty() {
            continue;
        }
        if l.eq_ignore_ascii_case("none") {
            had_none = true;
            continue;
        }
        if labels.iter().any(|x| x == l) {
            notes.push(format!("duplicate label {l:?} counted once"));
            continue;
        }
        labels.push(l.to_string());
    }
    if had_none && !labels.is_empty() {
        notes.push(format!(
            "\"none\" given together with {}; ignored",
            labels.join(";")
        ));
    }
    ParsedLabels {
        labels,
        note: (!notes.is_empty()).then(|| notes.join("; ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<LabeledData> {
        LabeledData::parse_csv(Path::new("t.csv"), s.as_bytes(), &Columns::default())
    }

    #[test]
    fn reads_labels_and_counts_skips() {
        let d = parse("id,text,labels\n1,Shelling hit Kharkiv,escalation;humanitarian\n2,,none\n3,Talks resume, none \n4,X, a ; a\n").unwrap();
        assert_eq!(d.len(), 3);
        assert_eq!(d.labels[0], ["escalation", "humanitarian"]);
        assert!(d.labels[1].is_empty());
        assert_eq!(d.labels[2], ["a"]);
        assert_eq!(d.lines, [2, 4, 5]);
        assert_eq!(
            d.skipped,
            [Skipped {
                line: 3,
                reason: "empty text".into()
            }]
        );
        assert_eq!(d.notes.len(), 2);
        assert!(d.notes[1].reason.contains("duplicate"));
    }

    #[test]
    fn missing_column_names_the_columns() {
        let e = parse("body,tags\nx,y\n").unwrap_err().to_string();
        assert!(
            e.contains("t.csv") && e.contains("\"text\"") && e.contains("\"body\""),
            "{e}"
        );
    }

    #[test]
    fn empty_file_is_an_error() {
        assert!(parse("").unwrap_err().to_string().contains("empty"));
        assert!(parse("text,labels\n")
            .unwrap_err()
            .to_string()
            .contains("no usable rows"));
    }

    #[test]
    fn invalid_utf8_row_is_skipped_with_its_line() {
        let mut bytes = b"text,labels\nok,a\n".to_vec();
        bytes.extend(b"bad \xff text,b\n");
        let d = LabeledData::parse_csv(Path::new("t.csv"), &bytes, &Columns::default()).unwrap();
        assert_eq!(d.len(), 1);
        assert_eq!(d.skipped[0].line, 3);
        assert!(d.skipped[0].reason.contains("UTF-8"));
    }
}
