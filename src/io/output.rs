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
                let mut w = csv::WriterBuilder::new()
                    .buffer_capacity(1024)
                    .from_writer(std::mem::take(out));
                let mut fields: Vec<String> = Vec::with_capacity(self.labels.len() + 7);
                for r in rows {
                    fields.clear();
                    fields.push(doc_id.to_string());
                    fields.extend(
                        self.kept
                            .iter()
                            .enumerate()
                            .map(|(i, _)| kept.get(i).cloned().unwrap_or_default()),
                    );
                    fields.push(r.sent_idx.to_string());
                    fields.push(r.start.to_string());
                    fields.push(r.end.to_string());
                    fields.push(self.label_list(r).join(";"));
                    fields.extend(r.scores.iter().map(|s| format!("{:.4}", s)));
                    fields.push(text[r.start..r.end].to_string());
                    if self.explain {
                        fields.push(self.explain_text(r));
                    }
                    w.write_record(&fields).expect("writing to memory");
                }
                *out = w.into_inner().expect("writing to memory");
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
        self.labels
            .iter()
            .zip(&r.labels)
            .filter(|(_, on)| **on)
            .map(|(l, _)| l.as_str())
            .collect()
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
