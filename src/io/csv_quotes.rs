//! CSV records that survive a stray quote.
//!
//! The csv crate (like most CSV readers) follows an opening quote wherever
//! it leads: a quote that is never closed swallows every record to the end
//! of the file, and a stray quote pairs with the next quoted field's
//! opening quote, swallowing the lines between, all without an error. No
//! crate reports this, so [`CsvRecords`] follows csv-core's quoting rules
//! byte by byte beside the reader. A quoted field that is still open at the
//! end of the input, or that spans a line break and is closed by a quote
//! followed by anything but a delimiter or line end (which well-formed CSV
//! never has), marks its record as malformed: the record is reported with
//! the line where the quote opened, and reading resumes on the next line.
//! Only the bytes of the current record are kept for that, so memory stays
//! bounded by the largest record.

use std::collections::VecDeque;
use std::io::{Cursor, Read};
use std::sync::{Arc, Mutex};

/// Why a record with a quote that is never properly closed is skipped.
pub(crate) const STRAY_QUOTE: &str = "a quoted field opens on this line and is never properly \
     closed (it would swallow the lines after it): the record is skipped and the lines after \
     this one are read as records";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    StartField,
    InField,
    InQuoted,
    QuoteInQuoted,
}

/// The quoting state of the bytes read so far, the bytes of the current
/// record, and the stray quotes found.
#[derive(Debug)]
struct Scan {
    delimiter: u8,
    state: State,
    /// 1-based line of the next byte.
    line: u64,
    /// Stream offset of the next byte.
    pos: u64,
    /// Line and offset of the quote that opened the current quoted field.
    opened: (u64, u64),
    /// Stray quotes (line, offset) found and not yet claimed by a record.
    stray: VecDeque<(u64, u64)>,
    /// Bytes from stream offset `base` on, kept to resume after a stray
    /// quote.
    kept: Vec<u8>,
    base: u64,
    /// 1-based line of the byte at `base`.
    base_line: u64,
    /// The input has ended.
    done: bool,
}

impl Scan {
    fn new(delimiter: u8) -> Self {
        Scan {
            delimiter,
            state: State::StartField,
            line: 1,
            pos: 0,
            opened: (0, 0),
            stray: VecDeque::new(),
            kept: Vec::new(),
            base: 0,
            base_line: 1,
            done: false,
        }
    }

    fn feed(&mut self, bytes: &[u8]) {
        self.kept.extend_from_slice(bytes);
        for &b in bytes {
            self.state = match (self.state, b) {
                (State::StartField, b'"') => {
                    self.opened = (self.line, self.pos);
                    State::InQuoted
                }
                (State::StartField | State::InField | State::QuoteInQuoted, b)
                    if b == self.delimiter || b == b'\n' || b == b'\r' =>
                {
                    State::StartField
                }
                (State::StartField | State::InField, _) => State::InField,
                (State::InQuoted, b'"') => State::QuoteInQuoted,
                (State::InQuoted, _) => State::InQuoted,
                (State::QuoteInQuoted, b'"') => State::InQuoted,
                (State::QuoteInQuoted, _) => {
                    // Closed by a quote followed by text: csv-core reads on
                    // leniently; across a line break it is a stray quote.
                    if self.opened.0 < self.line {
                        self.stray.push_back(self.opened);
                    }
                    State::InField
                }
            };
            if b == b'\n' {
                self.line += 1;
            }
            self.pos += 1;
        }
    }

    fn end(&mut self) {
        if !self.done {
            self.done = true;
            if self.state == State::InQuoted {
                self.stray.push_back(self.opened);
            }
        }
    }

    /// The first stray quote at offsets `start..end`, dropping older ones.
    fn stray_in(&mut self, start: u64, end: u64) -> Option<(u64, u64)> {
        while let Some(&(line, at)) = self.stray.front() {
            if at < start {
                self.stray.pop_front();
            } else if at < end {
                self.stray.pop_front();
                return Some((line, at));
            } else {
                break;
            }
        }
        None
    }

    /// The line of the first byte at or after offset `at` that is not a
    /// line break: where a record starting at `at` really begins. (csv-core
    /// ends a record at the `\r` of `\r\n`, so its own line numbers are
    /// one too low in CRLF files.)
    fn line_of_record(&self, at: u64) -> Option<u64> {
        let from = at.checked_sub(self.base)? as usize;
        let rest = self.kept.get(from..)?;
        let skip = rest
            .iter()
            .take_while(|&&b| b == b'\r' || b == b'\n')
            .count();
        Some(self.base_line + memchr_count(&self.kept[..from + skip]))
    }

    /// Forgets kept bytes before stream offset `at`.
    fn release(&mut self, at: u64) {
        if at > self.base {
            let n = ((at - self.base) as usize).min(self.kept.len());
            self.base_line += memchr_count(&self.kept[..n]);
            self.kept.drain(..n);
            self.base += n as u64;
        }
    }
}

fn memchr_count(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| b == b'\n').count() as u64
}

/// A reader that scans what passes through it.
struct Watched {
    inner: Box<dyn Read + Send>,
    scan: Arc<Mutex<Scan>>,
}

impl Read for Watched {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut scan = self.scan.lock().unwrap_or_else(|e| e.into_inner());
        if n == 0 && !buf.is_empty() {
            scan.end();
        } else {
            scan.feed(&buf[..n]);
        }
        Ok(n)
    }
}

/// A malformed record.
#[derive(Debug)]
pub(crate) struct Malformed {
    /// 1-based line.
    pub(crate) line: u64,
    /// What is wrong.
    pub(crate) reason: String,
    /// The input cannot be read further.
    pub(crate) fatal: bool,
}

/// Records of a CSV stream with a header, each with its 1-based line, and
/// malformed records (stray quotes among them) reported in order.
pub(crate) struct CsvRecords {
    csv: csv::Reader<Watched>,
    scan: Arc<Mutex<Scan>>,
    delimiter: u8,
    /// Lines before the current reader's first line.
    line_offset: u64,
    record: csv::ByteRecord,
}

fn reader(
    inner: Box<dyn Read + Send>,
    headers: bool,
    delimiter: u8,
) -> (csv::Reader<Watched>, Arc<Mutex<Scan>>) {
    let scan = Arc::new(Mutex::new(Scan::new(delimiter)));
    let csv = csv::ReaderBuilder::new()
        .flexible(true)
        .delimiter(delimiter)
        .has_headers(headers)
        .from_reader(Watched {
            inner,
            scan: scan.clone(),
        });
    (csv, scan)
}

impl CsvRecords {
    /// Reads the header of `inner`; an error says what is wrong with it.
    pub(crate) fn new(
        inner: Box<dyn Read + Send>,
        delimiter: u8,
    ) -> Result<(Self, csv::ByteRecord), String> {
        let (mut csv, scan) = reader(inner, true, delimiter);
        let header = csv
            .byte_headers()
            .map_err(|e| format!("unreadable header: {e}"))?
            .clone();
        let end = csv.position().byte();
        {
            let mut s = scan.lock().unwrap_or_else(|e| e.into_inner());
            if s.stray_in(0, end.max(1)).is_some() {
                return Err("a quoted field of the header is never properly closed".into());
            }
            s.release(end);
        }
        Ok((
            CsvRecords {
                csv,
                scan,
                delimiter,
                line_offset: 0,
                record: csv::ByteRecord::new(),
            },
            header,
        ))
    }

    /// The record [`CsvRecords::next_record`] returned last.
    pub(crate) fn record(&self) -> &csv::ByteRecord {
        &self.record
    }

    /// The next record and its line, or the next malformed one.
    pub(crate) fn next_record(&mut self) -> Option<Result<(u64, &csv::ByteRecord), Malformed>> {
        let line_hint = self.csv.position().line() + 1;
        match self.csv.read_byte_record(&mut self.record) {
            Ok(false) => return None,
            Ok(true) => {}
            Err(e) => {
                let line = self.line_offset + e.position().map_or(line_hint, |p| p.line());
                return Some(Err(Malformed {
                    line,
                    reason: format!("malformed CSV: {e}"),
                    fatal: e.is_io_error(),
                }));
            }
        }
        let start = self.record.position().map_or(0, |p| p.byte());
        let end = self.csv.position().byte();
        let stray = {
            let mut s = self.scan.lock().unwrap_or_else(|e| e.into_inner());
            // A quote left open at the end belongs to the last record.
            let end = if s.done && end >= s.pos {
                u64::MAX
            } else {
                end
            };
            s.stray_in(start, end)
        };
        if let Some((line, at)) = stray {
            let line = self.line_offset + line;
            self.resume_after(at, line);
            return Some(Err(Malformed {
                line,
                reason: STRAY_QUOTE.into(),
                fatal: false,
            }));
        }
        let line = {
            let mut s = self.scan.lock().unwrap_or_else(|e| e.into_inner());
            let line = s.line_of_record(start);
            s.release(end);
            line
        };
        let line = self.line_offset
            + line.unwrap_or_else(|| self.record.position().map_or(line_hint, |p| p.line()));
        Some(Ok((line, &self.record)))
    }

    /// Restarts reading on the line after the one holding offset `at`
    /// (line `line` of the file), from the kept bytes and the rest of the
    /// input.
    fn resume_after(&mut self, at: u64, line: u64) {
        let tail = {
            let s = self.scan.lock().unwrap_or_else(|e| e.into_inner());
            let from = (at.saturating_sub(s.base) as usize).min(s.kept.len());
            match s.kept[from..].iter().position(|&b| b == b'\n') {
                Some(nl) => s.kept[from + nl + 1..].to_vec(),
                None => Vec::new(),
            }
        };
        let (placeholder, _) = reader(Box::new(std::io::empty()), false, self.delimiter);
        let old = std::mem::replace(&mut self.csv, placeholder);
        let rest = old.into_inner().inner;
        let (csv, scan) = reader(
            Box::new(Cursor::new(tail).chain(rest)),
            false,
            self.delimiter,
        );
        self.csv = csv;
        self.scan = scan;
        self.line_offset = line;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (line, first field) of records; (line, "!") for malformed ones.
    fn lines(input: &'static [u8]) -> Vec<(u64, String)> {
        let (mut r, _) = CsvRecords::new(Box::new(input), b',').unwrap();
        let mut out = Vec::new();
        while let Some(item) = r.next_record() {
            out.push(match item {
                Ok((line, rec)) => (line, String::from_utf8_lossy(&rec[0]).into_owned()),
                Err(m) => (m.line, "!".into()),
            });
        }
        out
    }

    #[test]
    fn well_formed_quotes_are_read_as_they_are() {
        let got = lines(b"id,text\n1,\"a, \"\"b\"\"\nc\"\n2,x\"y\n3,\"\"\n");
        assert_eq!(got, [(2, "1".into()), (4, "2".into()), (5, "3".into())]);
    }

    #[test]
    fn lines_are_right_in_crlf_files() {
        let got = lines(b"id,text\r\n1,a\r\n\r\n2,\"b\r\nc\"\r\n3,\"open\r\n4,d\r\n");
        let want: Vec<(u64, String)> = vec![
            (2, "1".into()),
            (4, "2".into()),
            (6, "!".into()),
            (7, "4".into()),
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn a_quote_never_closed_skips_one_record() {
        let got = lines(b"id,text\n1,Good one.\n2,\"Unterminated\n3,Row three.\n4,Row four.\n");
        let want: Vec<(u64, String)> = vec![
            (2, "1".into()),
            (3, "!".into()),
            (4, "3".into()),
            (5, "4".into()),
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn a_stray_quote_that_pairs_with_a_later_one_skips_one_record() {
        let got = lines(b"id,text\n1,ok\n2,\"stray\n3,fine\n4,\"quoted, text\"\n5,end\n");
        let want: Vec<(u64, String)> = vec![
            (2, "1".into()),
            (3, "!".into()),
            (4, "3".into()),
            (5, "4".into()),
            (6, "5".into()),
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn stray_quotes_are_found_again_after_resuming_and_in_long_input() {
        let mut input = b"id,text\n".to_vec();
        for i in 0..5000 {
            input.extend(format!("{i},\"row {i}, with a comma\"\n").bytes());
            if i == 1000 || i == 4000 {
                input.extend(b"x,\"stray\n");
            }
        }
        let input: &'static [u8] = Box::leak(input.into_boxed_slice());
        let got = lines(input);
        let bad: Vec<u64> = got
            .iter()
            .filter(|(_, f)| f == "!")
            .map(|(l, _)| *l)
            .collect();
        assert_eq!(bad, [1003, 4004]);
        assert_eq!(got.len(), 5002);
        assert_eq!(got.last().unwrap(), &(5003, "4999".to_string()));
    }
}
