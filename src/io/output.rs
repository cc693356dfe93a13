//! Output rows of batch scoring: one per sentence (CSV or JSON lines) and
//! one per article (summary CSV).

use serde::Serialize;

use crate::pipeline::article::ScoredSentence;

/// Output encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// CSV with a header row.
    Csv,
    /// One JSON object per line.
    Jsonl,
}

/// Formats score rows for a model's labels.
#[derive(Debug, Clone)]
pub struct RowFormat {
    format: OutputFormat,
    labels: Vec<String>,
    explain: bool,
    kept: Vec<String>,
    /// No label name needs CSV quotes.
    plain_labels: bool,
}

#[derive(Serialize)]
struct JsonRow<'a> {
    doc_id: &'a str,
    #[serde(flatten)]
    kept: serde_json::Map<String, serde_json::Value>,
    sent_idx: usize,
    start: usize,
    end: usize,
    text: &'a str,
    labels: Vec<&'a str>,
    scores: serde_json::Map<String, serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    explain: Option<serde_json::Map<String, serde_json::Value>>,
}

/// Scores are printed with 4 decimals: finer digits would only show float
/// noise.
fn round4(x: f32) -> f64 {
    ((x as f64) * 1e4).round() / 1e4
}

impl RowFormat {
    /// Rows for `labels`, with an explanation column when `explain`.
    pub fn new(format: OutputFormat, labels: &[String], explain: bool) -> Self {
        RowFormat {
            format,
            labels: labels.to_vec(),
            explain,
            kept: Vec::new(),
            plain_labels: labels.iter().all(|l| {
                let mut quoted = Vec::new();
                push_csv_field(&mut quoted, l.as_bytes());
                quoted == l.as_bytes()
            }),
        }
    }

    /// The same rows with input fields carried along (by these names),
    /// right after `doc_id`.
    pub fn with_kept_fields(mut self, names: &[String]) -> Self {
        self.kept = names.to_vec();
        self
    }

    /// The column names rows always have (kept fields must not reuse them).
    pub fn reserved_names(&self) -> Vec<String> {
        let mut names: Vec<String> = [
            "doc_id", "sent_idx", "start", "end", "labels", "text", "scores", "explain",
        ]
        .map(String::from)
        .to_vec();
        names.extend(self.labels.iter().cloned());
        names
    }

    /// The header line (CSV only; empty for JSON lines).
    pub fn header(&self) -> Vec<u8> {
        if self.format == OutputFormat::Jsonl {
            return Vec::new();
        }
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut cols: Vec<String> = vec!["doc_id".into()];
        cols.extend(self.kept.iter().cloned());
        cols.extend(
            ["sent_idx", "start", "end", "labels"]
                .iter()
                .map(|s| s.to_string()),
        );
        cols.extend(self.labels.iter().cloned());
        cols.push("text".into());
        if self.explain {
            cols.push("explain".into());
        }
        w.write_record(&cols).expect("writing to memory");
        w.into_inner().expect("writing to memory")
    }

    /// Appends the rows of one article to `out`; `kept` holds the values
    /// of the kept fields (see [`RowFormat::with_kept_fields`]).
    pub fn write_article(
        &self,
        doc_id: &str,
        kept: &[String],
        text: &str,
        rows: &[ScoredSentence],
        out: &mut Vec<u8>,
    ) {
        match self.format {
            OutputFormat::Csv => {
                // Written by hand, as the csv crate's writer (QuoteStyle::
                // Necessary, `\n` terminator) would: a String per field and
                // a writer per article cost more than scoring the sentence.
                // `csv_rows_match_the_csv_crate` checks the bytes.
                // The id and kept fields are encoded once, in the first
                // row, and copied from there into the others.
                let mut prefix: Option<std::ops::Range<usize>> = None;
                let mut ints = itoa::Buffer::new();
                for r in rows {
                    match prefix.clone() {
                        Some(p) => out.extend_from_within(p),
                        None => {
                            let start = out.len();
                            push_csv_field(out, doc_id.as_bytes());
                            for i in 0..self.kept.len() {
                                out.push(b',');
                                push_csv_field(
                                    out,
                                    kept.get(i).map_or("", String::as_str).as_bytes(),
                                );
                            }
                            prefix = Some(start..out.len());
                        }
                    }
                    for n in [r.sent_idx, r.start, r.end] {
                        out.push(b',');
                        out.extend_from_slice(ints.format(n).as_bytes());
                    }
                    out.push(b',');
                    // Label names are quoted if they need it; ';' needs no
                    // quotes, so names that need none are written as they
                    // are.
                    if self.plain_labels {
                        for (i, l) in self.labels_on(r).enumerate() {
                            if i > 0 {
                                out.push(b';');
                            }
                            out.extend_from_slice(l.as_bytes());
                        }
                    } else {
                        push_csv_field(out, self.label_list(r).join(";").as_bytes());
                    }
                    for &s in &r.scores {
                        out.push(b',');
                        push_fixed4(out, s);
                    }
                    out.push(b',');
                    push_csv_field(out, &text.as_bytes()[r.start..r.end]);
                    if self.explain {
                        out.push(b',');
                        push_csv_field(out, self.explain_text(r).as_bytes());
                    }
                    out.push(b'\n');
                }
            }
            OutputFormat::Jsonl => {
                for r in rows {
                    let row = JsonRow {
                        doc_id,
                        kept: self
                            .kept
                            .iter()
                            .enumerate()
                            .map(|(i, name)| {
                                let v = kept.get(i).cloned().unwrap_or_default();
                                (name.clone(), serde_json::Value::String(v))
                            })
                            .collect(),
                        sent_idx: r.sent_idx,
                        start: r.start,
                        end: r.end,
                        text: &text[r.start..r.end],
                        labels: self.label_list(r),
                        scores: self
                            .labels
                            .iter()
                            .zip(&r.scores)
                            .map(|(l, s)| (l.clone(), serde_json::json!(round4(*s))))
                            .collect(),
                        explain: self.explain.then(|| {
                            r.explain
                                .iter()
                                .map(|(c, parts)| {
                                    let list: Vec<_> = parts
                                        .iter()
                                        .map(|p| serde_json::json!([p.ngram, round4(p.value)]))
                                        .collect();
                                    (self.labels[*c].clone(), serde_json::Value::Array(list))
                                })
                                .collect()
                        }),
                    };
                    serde_json::to_writer(&mut *out, &row).expect("writing to memory");
                    out.push(b'\n');
                }
            }
        }
    }

    fn label_list<'a>(&'a self, r: &ScoredSentence) -> Vec<&'a str> {
        self.labels_on(r).collect()
    }

    /// The names of the labels `r` carries, in label order.
    fn labels_on<'a, 'r>(
        &'a self,
        r: &'r ScoredSentence,
    ) -> impl Iterator<Item = &'a str> + use<'a, 'r> {
        self.labels
            .iter()
            .zip(&r.labels)
            .filter(|(_, on)| **on)
            .map(|(l, _)| l.as_str())
    }

    fn explain_text(&self, r: &ScoredSentence) -> String {
        r.explain
            .iter()
            .map(|(c, parts)| {
                let p: Vec<String> = parts
                    .iter()
                    .map(|p| format!("{} ({:.2})", p.ngram, p.value))
                    .collect();
                format!("{}: {}", self.labels[*c], p.join(", "))
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// Appends one CSV field as the csv crate's writer does by default
/// (`QuoteStyle::Necessary`): quoted, with quotes doubled, when it holds a
/// comma, a quote, `\r` or `\n`.
pub(crate) fn push_csv_field(out: &mut Vec<u8>, field: &[u8]) {
    // memchr's vector scans: the sentence text is most of every row, and
    // most sentences hold a comma, which ends the first scan early. (A
    // byte check of the four at a time ran scalar on each field's last
    // 0-31 bytes, 430 instructions per sentence.)
    let quoted = memchr::memchr3(b',', b'"', b'\n', field).is_some()
        || memchr::memchr(b'\r', field).is_some();
    if !quoted {
        out.extend_from_slice(field);
        return;
    }
    out.push(b'"');
    let mut rest = field;
    while let Some(i) = memchr::memchr(b'"', rest) {
        out.extend_from_slice(&rest[..=i]);
        out.push(b'"');
        rest = &rest[i + 1..];
    }
    out.extend_from_slice(rest);
    out.push(b'"');
}

/// Appends `format!("{x:.4}")` for `x` in 0..=1 (scores) without the
/// formatting machinery: the exact value of the f32, times 10^4, is an
/// integer over a power of two, rounded half to even as `{:.4}` rounds
/// exact values. Other values go through `format!`.
/// `fixed4_matches_format` compares both.
pub(crate) fn push_fixed4(out: &mut Vec<u8>, x: f32) {
    if !(0.0..=1.0).contains(&x) || x.is_sign_negative() {
        out.extend_from_slice(format!("{x:.4}").as_bytes());
        return;
    }
    let bits = x.to_bits();
    let exp = (bits >> 23) as i32;
    let frac = u64::from(bits & 0x7f_ffff);
    // x = m * 2^-shift exactly.
    let (m, shift) = if exp == 0 {
        (frac, 149)
    } else {
        (frac | 0x80_0000, 150 - exp)
    };
    let n = if shift >= 63 {
        // x < 2^-39: far below 0.00005.
        0
    } else if shift <= 0 {
        (m * 10_000) << -shift
    } else {
        let scaled = m * 10_000; // < 2^38
        let q = scaled >> shift;
        let r = scaled & ((1u64 << shift) - 1);
        let half = 1u64 << (shift - 1);
        // Without branches: whether a score rounds up is a coin toss.
        q + u64::from((r > half) | ((r == half) & (q & 1 == 1)))
    };
    // n <= 10_000: "I.FFFF", the four decimals as two pairs from a table
    // (two divisions instead of five, as itoa does).
    let int = (n / 10_000) as u8;
    let f = (n % 10_000) as usize;
    let (hi, lo) = (2 * (f / 100), 2 * (f % 100));
    out.extend_from_slice(&[
        b'0' + int,
        b'.',
        DIGIT_PAIRS[hi],
        DIGIT_PAIRS[hi + 1],
        DIGIT_PAIRS[lo],
        DIGIT_PAIRS[lo + 1],
    ]);
}

/// "00", "01", ... "99" back to back.
const DIGIT_PAIRS: [u8; 200] = {
    let mut t = [0u8; 200];
    let mut i = 0;
    while i < 100 {
        t[2 * i] = b'0' + (i / 10) as u8;
        t[2 * i + 1] = b'0' + (i % 10) as u8;
        i += 1;
    }
    t
};

/// Per-article summary rows: doc_id, sentence count, and per label the
/// count and share of sentences carrying it.
#[derive(Debug, Clone)]
pub struct SummaryFormat {
    labels: Vec<String>,
    kept: Vec<String>,
}

impl SummaryFormat {
    /// Summaries for `labels`.
    pub fn new(labels: &[String]) -> Self {
        SummaryFormat {
            labels: labels.to_vec(),
            kept: Vec::new(),
        }
    }

    /// The same summaries with input fields carried along (by these
    /// names), right after `doc_id`.
    pub fn with_kept_fields(mut self, names: &[String]) -> Self {
        self.kept = names.to_vec();
        self
    }

    /// The CSV header.
    pub fn header(&self) -> Vec<u8> {
        let mut cols = vec!["doc_id".to_string()];
        cols.extend(self.kept.iter().cloned());
        cols.push("sentences".to_string());
        for l in &self.labels {
            cols.push(format!("{l}_count"));
            cols.push(format!("{l}_share"));
        }
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(&cols).expect("writing to memory");
        w.into_inner().expect("writing to memory")
    }

    /// Appends one article's summary row to `out`, with the values of its
    /// kept fields.
    pub fn write_article(
        &self,
        doc_id: &str,
        kept: &[String],
        rows: &[ScoredSentence],
        out: &mut Vec<u8>,
    ) {
        let n = rows.len();
        let mut fields = vec![doc_id.to_string()];
        fields.extend((0..self.kept.len()).map(|i| kept.get(i).cloned().unwrap_or_default()));
        fields.push(n.to_string());
        for c in 0..self.labels.len() {
            let count = rows.iter().filter(|r| r.labels[c]).count();
            fields.push(count.to_string());
            let share = if n == 0 { 0.0 } else { count as f64 / n as f64 };
            fields.push(format!("{share:.4}"));
        }
        let mut w = csv::Writer::from_writer(std::mem::take(out));
        w.write_record(&fields).expect("writing to memory");
        *out = w.into_inner().expect("writing to memory");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The rows the csv crate writes, the reference of the hand-written ones.
    fn csv_crate_rows(
        format: &RowFormat,
        id: &str,
        kept: &[String],
        text: &str,
        rows: &[ScoredSentence],
    ) -> Vec<u8> {
        let mut w = csv::Writer::from_writer(Vec::new());
        for r in rows {
            let mut fields = vec![id.to_string()];
            fields.extend(kept.iter().cloned());
            fields.push(r.sent_idx.to_string());
            fields.push(r.start.to_string());
            fields.push(r.end.to_string());
            fields.push(format.label_list(r).join(";"));
            fields.extend(r.scores.iter().map(|s| format!("{s:.4}")));
            fields.push(text[r.start..r.end].to_string());
            w.write_record(&fields).unwrap();
        }
        w.into_inner().unwrap()
    }

    #[test]
    fn fixed4_matches_format_on_ties_and_edges() {
        let mut specials = vec![
            0.0f32,
            -0.0,
            1.0,
            0.5,
            0.03125,
            0.00005,
            0.99995,
            f32::from_bits(0.99995f32.to_bits() - 1),
            1e-40,
            f32::MIN_POSITIVE,
            1.5,
            -0.25,
            f32::NAN,
            f32::INFINITY,
        ];
        // Values whose exact decimal expansion ends in 5 at the fifth
        // decimal: k / 2^5 .. k / 2^8 hit ties of 4 decimals.
        for den in [32u32, 64, 128, 256, 1024, 8192] {
            specials.extend((0..=den).map(|k| k as f32 / den as f32));
        }
        // Neighbours of every 4-decimal midpoint.
        for k in 0..20_000u32 {
            let mid = (k as f64 + 0.5) / 1e4;
            let f = mid as f32;
            specials.extend([
                f,
                f32::from_bits(f.to_bits() + 1),
                f32::from_bits(f.to_bits().saturating_sub(1)),
            ]);
        }
        for x in specials {
            let mut out = Vec::new();
            push_fixed4(&mut out, x);
            assert_eq!(
                String::from_utf8(out).unwrap(),
                format!("{x:.4}"),
                "{x:e} ({:#x})",
                x.to_bits()
            );
        }
    }

    #[test]
    fn fixed4_matches_format_across_the_unit_interval() {
        // Every 101st f32 of 0..=1 (10 million values, all exponents).
        let mut out = Vec::new();
        for bits in (0..=0x3f80_0000u32).step_by(101).chain([0x3f80_0000]) {
            let x = f32::from_bits(bits);
            out.clear();
            push_fixed4(&mut out, x);
            assert_eq!(
                std::str::from_utf8(&out).unwrap(),
                format!("{x:.4}"),
                "{x:e}"
            );
        }
    }

    proptest! {
        #[test]
        fn fixed4_matches_format(bits in 0u32..=0x3f80_0000) {
            let x = f32::from_bits(bits);
            let mut out = Vec::new();
            push_fixed4(&mut out, x);
            prop_assert_eq!(String::from_utf8(out).unwrap(), format!("{x:.4}"));
        }

        #[test]
        fn csv_rows_match_the_csv_crate(
            id in "[a-z,\"\n\r ]{0,6}",
            kept in proptest::collection::vec("[a-z,\"\n ]{0,4}", 0..3),
            text in "[a-zA-Z \",\n\r.é]{1,90}",
            scores in proptest::collection::vec(0f32..=1.0, 2),
            labels in proptest::collection::vec(any::<bool>(), 2),
            odd_name in any::<bool>(),
        ) {
            let second = if odd_name { "odd,\"name\"" } else { "escalation" };
            let names = vec!["blame".to_string(), second.to_string()];
            let kept_names: Vec<String> = (0..kept.len()).map(|i| format!("k{i}")).collect();
            let format = RowFormat::new(OutputFormat::Csv, &names, false).with_kept_fields(&kept_names);
            let rows = vec![
                ScoredSentence { sent_idx: 0, start: 0, end: text.len(), scores: scores.clone(), labels: labels.clone(), explain: Vec::new() },
                ScoredSentence { sent_idx: 12345, start: 0, end: 0, scores, labels: vec![true, true], explain: Vec::new() },
            ];
            let mut out = b"prefix".to_vec();
            format.write_article(&id, &kept, &text, &rows, &mut out);
            let mut want = b"prefix".to_vec();
            want.extend(csv_crate_rows(&format, &id, &kept, &text, &rows));
            prop_assert_eq!(String::from_utf8(out).unwrap(), String::from_utf8(want).unwrap());
        }
    }
}
