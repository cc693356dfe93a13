//! The archive report of `frametag-score --html`: the share of sentences
//! per frame overall and per article (the most and least framed articles
//! with their top sentences), over time and by group.
//!
//! Aggregation streams: each article is reduced to an [`ArticleDigest`]
//! (counts and a few top sentences) where it is scored, and
//! [`ArchiveStats`] keeps only counts per day and per group and a bounded
//! list of articles, so memory stays flat however large the archive. Fed
//! in input order, the result does not depend on the thread count.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};

use crate::pipeline::ScoredSentence;
use crate::report::charts::{
    bar_chart, color, column_chart, heat_map, line_chart, BarChart, ColumnChart, HeatMap, Line,
    LineChart,
};
use crate::report::html::{escape, Page};

/// Articles listed as most and as least framed.
pub const LISTED_ARTICLES: usize = 10;
/// Top sentences kept per listed article.
pub const TOP_SENTENCES: usize = 3;
/// Articles need this many sentences to be listed as most or least framed
/// (a one-sentence article is 0% or 100% framed and says little).
pub const MIN_LISTED_SENTENCES: usize = 3;
/// Time buckets with fewer articles are left out of the share lines (their
/// shares would be noise); their counts are still shown.
pub const MIN_BUCKET_ARTICLES: u64 = 3;
/// Groups shown by name; the rest are pooled as "other".
pub const SHOWN_GROUPS: usize = 20;
/// Distinct groups counted apart; beyond, new groups are pooled, so a
/// field with a unique value per article cannot fill memory.
pub const MAX_GROUPS: usize = 100_000;
/// Longest sentence text kept for the report, in characters.
const SENTENCE_CHARS: usize = 320;

/// One of an article's top sentences.
#[derive(Debug, Clone, PartialEq)]
pub struct TopSentence {
    /// Its text (cut to a few hundred characters).
    pub text: String,
    /// The labels it carries (indices).
    pub labels: Vec<usize>,
    /// Its highest label score.
    pub score: f32,
}

/// What the archive report keeps of one scored article.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ArticleDigest {
    /// Sentences scored.
    pub sentences: u64,
    /// Sentences carrying each label.
    pub per_label: Vec<u64>,
    /// Sentences carrying any label.
    pub framed: u64,
    /// The sentences with the highest scores, best first.
    pub top: Vec<TopSentence>,
}

impl ArticleDigest {
    /// The digest of an article's scored sentences.
    pub fn new(text: &str, rows: &[ScoredSentence], labels: usize) -> Self {
        let mut per_label = vec![0u64; labels];
        let mut framed = 0;
        for r in rows {
            for (c, &on) in r.labels.iter().enumerate() {
                per_label[c] += u64::from(on);
            }
            framed += u64::from(r.labels.contains(&true));
        }
        let best = |r: &ScoredSentence| r.scores.iter().copied().fold(0f32, f32::max);
        let mut order: Vec<usize> = (0..rows.len()).collect();
        order.sort_by(|&a, &b| best(&rows[b]).total_cmp(&best(&rows[a])).then(a.cmp(&b)));
        let top = order
            .into_iter()
            .take(TOP_SENTENCES)
            .map(|i| {
                let r = &rows[i];
                let s = text.get(r.start..r.end).unwrap_or_default();
                let mut cut: String = s.chars().take(SENTENCE_CHARS).collect();
                if cut.len() < s.len() {
                    cut.push('…');
                }
                TopSentence {
                    text: cut,
                    labels: (0..labels).filter(|&c| r.labels[c]).collect(),
                    score: best(r),
                }
            })
            .collect();
        ArticleDigest {
            sentences: rows.len() as u64,
            per_label,
            framed,
            top,
        }
    }

    fn share(&self) -> f64 {
        self.framed as f64 / self.sentences.max(1) as f64
    }
}

/// Counts of a set of articles.
#[derive(Debug, Clone, PartialEq, Default)]
struct Tally {
    articles: u64,
    sentences: u64,
    /// Sentences carrying each label.
    label_sentences: Vec<u64>,
    /// Articles with at least one sentence of each label.
    label_articles: Vec<u64>,
}

impl Tally {
    fn new(labels: usize) -> Self {
        Tally {
            label_sentences: vec![0; labels],
            label_articles: vec![0; labels],
            ..Tally::default()
        }
    }

    fn add(&mut self, d: &ArticleDigest) {
        self.articles += 1;
        self.sentences += d.sentences;
        for (c, &n) in d.per_label.iter().enumerate() {
            self.label_sentences[c] += n;
            self.label_articles[c] += u64::from(n > 0);
        }
    }

    fn merge(&mut self, o: &Tally) {
        self.articles += o.articles;
        self.sentences += o.sentences;
        for c in 0..self.label_sentences.len() {
            self.label_sentences[c] += o.label_sentences[c];
            self.label_articles[c] += o.label_articles[c];
        }
    }

    fn sentence_share(&self, c: usize) -> f64 {
        self.label_sentences[c] as f64 / self.sentences.max(1) as f64
    }
}

/// A listed article.
#[derive(Debug, Clone, PartialEq)]
struct Listed {
    seq: u64,
    id: String,
    fields: Vec<(String, String)>,
    digest: ArticleDigest,
}

/// Which fields of the input records the report uses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArchiveFields {
    /// The field with each article's date, for shares over time.
    pub date: Option<String>,
    /// The field with each article's group (outlet, country), for shares
    /// by group.
    pub group: Option<String>,
}

/// The archive's frame counts, fed one article at a time.
#[derive(Debug, Clone)]
pub struct ArchiveStats {
    labels: Vec<String>,
    fields: ArchiveFields,
    total: Tally,
    /// Framed share of each article, in tenths (the last bin holds 100%).
    histogram: [u64; 10],
    framed_articles: u64,
    by_day: BTreeMap<i32, Tally>,
    undated: u64,
    bad_date: Option<String>,
    by_group: BTreeMap<String, Tally>,
    pooled: Tally,
    most: Vec<Listed>,
    least: Vec<Listed>,
    seq: u64,
}

impl ArchiveStats {
    /// Empty counts for a model's `labels`.
    pub fn new(labels: &[String], fields: ArchiveFields) -> Self {
        let k = labels.len();
        ArchiveStats {
            labels: labels.to_vec(),
            fields,
            total: Tally::new(k),
            histogram: [0; 10],
            framed_articles: 0,
            by_day: BTreeMap::new(),
            undated: 0,
            bad_date: None,
            by_group: BTreeMap::new(),
            pooled: Tally::new(k),
            most: Vec::new(),
            least: Vec::new(),
            seq: 0,
        }
    }

    /// Counts one article: its id, its kept fields (name, value; the date
    /// and group fields are looked up among them) and its digest.
    pub fn add(&mut self, id: &str, fields: &[(String, String)], digest: ArticleDigest) {
        let k = self.labels.len();
        self.seq += 1;
        self.total.add(&digest);
        let bin = ((digest.share() * 10.0) as usize).min(9);
        self.histogram[bin] += 1;
        self.framed_articles += u64::from(digest.framed > 0);
        let value = |name: &Option<String>| {
            name.as_ref()
                .and_then(|n| fields.iter().find(|(f, _)| f == n))
                .map(|(_, v)| v.trim())
                .filter(|v| !v.is_empty())
        };
        if self.fields.date.is_some() {
            match value(&self.fields.date).map(|v| (v, parse_date(v))) {
                Some((_, Some(day))) => self
                    .by_day
                    .entry(day.num_days_from_ce())
                    .or_insert_with(|| Tally::new(k))
                    .add(&digest),
                Some((v, None)) => {
                    self.undated += 1;
                    self.bad_date.get_or_insert_with(|| format!("{id}: {v:?}"));
                }
                None => self.undated += 1,
            }
        }
        if self.fields.group.is_some() {
            let g = value(&self.fields.group).unwrap_or("(none)").to_string();
            let full = self.by_group.len() >= MAX_GROUPS;
            match self.by_group.get_mut(&g) {
                Some(t) => t.add(&digest),
                None if !full => {
                    let mut t = Tally::new(k);
                    t.add(&digest);
                    self.by_group.insert(g, t);
                }
                None => self.pooled.add(&digest),
            }
        }
        if digest.sentences as usize >= MIN_LISTED_SENTENCES {
            let entry = Listed {
                seq: self.seq,
                id: id.to_string(),
                fields: fields.to_vec(),
                digest,
            };
            // Most framed: higher share, then more framed sentences; least
            // framed: lower share, then longer. Ties keep input order.
            let more = |a: &Listed, b: &Listed| {
                let (x, y) = (a.digest.share(), b.digest.share());
                x > y || (x == y && a.digest.framed > b.digest.framed)
            };
            let less = |a: &Listed, b: &Listed| {
                let (x, y) = (a.digest.share(), b.digest.share());
                x < y || (x == y && a.digest.sentences > b.digest.sentences)
            };
            keep_best(&mut self.most, entry.clone(), more);
            keep_best(&mut self.least, entry, less);
        }
    }

    /// Articles counted.
    pub fn articles(&self) -> u64 {
        self.total.articles
    }

    /// The report as one HTML page; `inputs` says what was scored.
    pub fn page(&self, inputs: &str, model: &str) -> String {
        let k = self.labels.len();
        let t = &self.total;
        let mut page = Page::new(
            "frametag: archive report",
            &format!(
                "{inputs} · {} articles, {} sentences · model {model}",
                t.articles, t.sentences
            ),
        );
        page.h2("Frames overall");
        page.note(&format!(
            "Share of all sentences that carry each frame (a sentence may carry several), and \
             share of articles with at least one such sentence. {} of {} articles have some \
             framed sentence.",
            self.framed_articles, t.articles
        ));
        page.charts(&[
            bar_chart(&BarChart {
                title: "share of sentences per frame".into(),
                value_desc: "sentences".into(),
                bars: (0..k)
                    .map(|c| (self.labels[c].clone(), t.sentence_share(c), c))
                    .collect(),
                percent: true,
                width: 520,
                ..BarChart::default()
            }),
            bar_chart(&BarChart {
                title: "share of articles with the frame".into(),
                value_desc: "articles".into(),
                bars: (0..k)
                    .map(|c| {
                        let share = t.label_articles[c] as f64 / t.articles.max(1) as f64;
                        (self.labels[c].clone(), share, c)
                    })
                    .collect(),
                percent: true,
                width: 520,
                ..BarChart::default()
            }),
            column_chart(&ColumnChart {
                title: "articles by share of framed sentences".into(),
                x_desc: "share of the article's sentences with any frame".into(),
                y_desc: "articles".into(),
                columns: self
                    .histogram
                    .iter()
                    .enumerate()
                    .map(|(i, &n)| (format!("{}-{}%", i * 10, i * 10 + 10), n as f64))
                    .collect(),
                color: 6,
                size: (560, 300),
            }),
        ]);
        if self.fields.date.is_some() {
            self.time_section(&mut page);
        }
        if self.fields.group.is_some() {
            self.group_section(&mut page);
        }
        page.h2("Most framed articles");
        page.note(&format!(
            "By share of sentences with any frame (articles of at least {MIN_LISTED_SENTENCES} \
             sentences), each with its {TOP_SENTENCES} highest-scoring sentences."
        ));
        page.raw(&self.article_list(&self.most));
        page.h2("Least framed articles");
        page.note("Lowest share first, longer articles first among equals; their highest-scoring sentences show how close they came.");
        page.raw(&self.article_list(&self.least));
        page.finish("frametag: archive report")
    }

    fn time_section(&self, page: &mut Page) {
        let k = self.labels.len();
        let field = self.fields.date.as_deref().unwrap_or_default();
        page.h2("Frames over time");
        let (Some((&first, _)), Some((&last, _))) =
            (self.by_day.first_key_value(), self.by_day.last_key_value())
        else {
            page.note(&format!(
                "No article has a readable date in field {field:?} ({} undated{}).",
                self.undated,
                self.bad_date
                    .as_ref()
                    .map(|b| format!("; e.g. {b}"))
                    .unwrap_or_default()
            ));
            return;
        };
        let monthly = last - first > 182;
        let bucket = |day: i32| -> i32 {
            let d = NaiveDate::from_num_days_from_ce_opt(day).expect("a stored day");
            match monthly {
                true => d.year() * 12 + d.month0() as i32,
                false => day - d.weekday().num_days_from_monday() as i32,
            }
        };
        let mut buckets: BTreeMap<i32, Tally> = BTreeMap::new();
        for (&day, t) in &self.by_day {
            buckets
                .entry(bucket(day))
                .or_insert_with(|| Tally::new(k))
                .merge(t);
        }
        let (lo, hi) = (bucket(first), bucket(last));
        let step = if monthly { 1 } else { 7 };
        let keys: Vec<i32> = (lo..=hi).step_by(step).collect();
        let name = |b: i32| -> String {
            match monthly {
                true => format!("{}-{:02}", b.div_euclid(12), b.rem_euclid(12) + 1),
                false => NaiveDate::from_num_days_from_ce_opt(b)
                    .map(|d| d.format("%Y-%m-%d").to_string())
                    .unwrap_or_default(),
            }
        };
        let names: Vec<String> = keys.iter().map(|&b| name(b)).collect();
        let empty = Tally::new(k);
        let tallies: Vec<&Tally> = keys
            .iter()
            .map(|b| buckets.get(b).unwrap_or(&empty))
            .collect();
        let top = (0..k)
            .flat_map(|c| {
                tallies
                    .iter()
                    .filter(|t| t.articles >= MIN_BUCKET_ARTICLES)
                    .map(move |t| t.sentence_share(c))
            })
            .fold(0.0, f64::max);
        let lines = (0..k)
            .map(|c| Line {
                name: self.labels[c].clone(),
                color: c,
                points: tallies
                    .iter()
                    .enumerate()
                    .map(|(i, t)| {
                        (t.articles >= MIN_BUCKET_ARTICLES)
                            .then(|| (i as f64, t.sentence_share(c) * 100.0))
                    })
                    .collect(),
                dots: true,
            })
            .collect();
        let unit = if monthly {
            "month"
        } else {
            "week (from Monday)"
        };
        page.note(&format!(
            "Share of sentences carrying each frame per {unit}, from field {field:?}. \
             {}s with fewer than {MIN_BUCKET_ARTICLES} articles are left out of the lines \
             (gaps); the bars below show how many articles each {} holds.{}",
            if monthly { "Month" } else { "Week" },
            if monthly { "month" } else { "week" },
            match self.undated {
                0 => String::new(),
                n => format!(
                    " {n} articles without a readable date are not in this section{}.",
                    self.bad_date
                        .as_ref()
                        .map(|b| format!(" (e.g. {b})"))
                        .unwrap_or_default()
                ),
            }
        ));
        let width = (220 + 26 * keys.len() as u32).clamp(760, 1240);
        page.charts(&[
            line_chart(&LineChart {
                title: format!(
                    "share of sentences per frame, by {}",
                    if monthly { "month" } else { "week" }
                ),
                x_desc: String::new(),
                y_desc: "% of sentences".into(),
                x: (-0.5, keys.len() as f64 - 0.5),
                y: (0.0, (top * 100.0 * 1.15).max(1.0)),
                lines,
                x_names: names.clone(),
                size: (width, 400),
                ..LineChart::default()
            }),
            column_chart(&ColumnChart {
                title: format!("articles per {}", if monthly { "month" } else { "week" }),
                x_desc: String::new(),
                y_desc: "articles".into(),
                columns: names
                    .into_iter()
                    .zip(&tallies)
                    .map(|(n, t)| (n, t.articles as f64))
                    .collect(),
                color: 6,
                size: (width, 240),
            }),
        ]);
    }

    fn group_section(&self, page: &mut Page) {
        let k = self.labels.len();
        let field = self.fields.group.as_deref().unwrap_or_default();
        page.h2("Frames by group");
        let mut groups: Vec<(&String, &Tally)> = self.by_group.iter().collect();
        groups.sort_by(|a, b| b.1.articles.cmp(&a.1.articles).then(a.0.cmp(b.0)));
        let mut other = self.pooled.clone();
        let hidden =
            groups.len().saturating_sub(SHOWN_GROUPS) + usize::from(self.pooled.articles > 0);
        for (_, t) in groups.iter().skip(SHOWN_GROUPS) {
            other.merge(t);
        }
        let mut rows: Vec<(String, &Tally)> = groups
            .iter()
            .take(SHOWN_GROUPS)
            .map(|(g, t)| (format!("{g} ({} articles)", t.articles), *t))
            .collect();
        if other.articles > 0 {
            rows.push((
                format!("other {hidden} groups ({} articles)", other.articles),
                &other,
            ));
        }
        let top = rows
            .iter()
            .flat_map(|(_, t)| (0..k).map(|c| t.sentence_share(c)))
            .fold(0.0, f64::max)
            .max(1e-9);
        page.note(&format!(
            "Share of sentences carrying each frame, per value of field {field:?}, largest \
             groups first. The shade is relative to the largest share in the map."
        ));
        page.charts(&[heat_map(&HeatMap {
            title: format!("share of sentences per frame by {field}"),
            rows: rows.iter().map(|(n, _)| n.clone()).collect(),
            columns: self.labels.clone(),
            row_desc: String::new(),
            column_desc: String::new(),
            shade: rows
                .iter()
                .map(|(_, t)| (0..k).map(|c| t.sentence_share(c) / top).collect())
                .collect(),
            notes: rows
                .iter()
                .map(|(_, t)| {
                    (0..k)
                        .map(|c| format!("{:.1}%", t.sentence_share(c) * 100.0))
                        .collect()
                })
                .collect(),
        })]);
    }

    fn article_list(&self, list: &[Listed]) -> String {
        if list.is_empty() {
            return format!(
                "<p class=\"note\">No article of {MIN_LISTED_SENTENCES} sentences or more.</p>\n"
            );
        }
        let tag = |c: usize| {
            let col = color(c);
            format!(
                "<span class=\"tag\" style=\"background:rgb({},{},{})\">{}</span>",
                col.0,
                col.1,
                col.2,
                escape(&self.labels[c])
            )
        };
        let mut out = String::from("<ol class=\"articles\">\n");
        for a in list {
            let d = &a.digest;
            let fields: Vec<String> = a
                .fields
                .iter()
                .filter(|(_, v)| !v.is_empty())
                .map(|(f, v)| format!("{}: {}", escape(f), escape(v)))
                .collect();
            let counts: Vec<String> = (0..self.labels.len())
                .filter(|&c| d.per_label[c] > 0)
                .map(|c| format!("{} {}", tag(c), d.per_label[c]))
                .collect();
            out.push_str(&format!(
                "<li><b>{}</b> {} · {:.0}% of {} sentences framed {}\n",
                escape(&a.id),
                match fields.is_empty() {
                    true => String::new(),
                    false => format!("({})", fields.join(", ")),
                },
                d.share() * 100.0,
                d.sentences,
                counts.join(" ")
            ));
            for s in &d.top {
                let tags: Vec<String> = s.labels.iter().map(|&c| tag(c)).collect();
                out.push_str(&format!(
                    "<blockquote>{} {} <span class=\"note\">(top score {:.2})</span></blockquote>\n",
                    tags.join(""),
                    escape(&s.text),
                    s.score
                ));
            }
            out.push_str("</li>\n");
        }
        out.push_str("</ol>\n");
        out
    }
}

/// Inserts `entry` into `list` (kept sorted, best first by `better`, at
/// most [`LISTED_ARTICLES`] long).
fn keep_best(list: &mut Vec<Listed>, entry: Listed, better: impl Fn(&Listed, &Listed) -> bool) {
    let at = list
        .iter()
        .position(|x| better(&entry, x))
        .unwrap_or(list.len());
    if at < LISTED_ARTICLES {
        list.insert(at, entry);
        list.truncate(LISTED_ARTICLES);
    }
}

/// A calendar date from common spellings: `2024-05-03` (and ISO 8601
/// timestamps starting so), `2024/05/03`, `20240503` (and
/// `20240503T120000Z`), and RFC 2822 (`Fri, 3 May 2024 12:00:00 +0000`).
pub fn parse_date(value: &str) -> Option<NaiveDate> {
    let v = value.trim();
    let head = v.get(..10).unwrap_or(v);
    for format in ["%Y-%m-%d", "%Y/%m/%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(head, format) {
            return Some(d);
        }
    }
    let digits = v.get(..8).unwrap_or(v);
    if digits.len() == 8 && digits.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(d) = NaiveDate::parse_from_str(digits, "%Y%m%d") {
            return Some(d);
        }
    }
    chrono::DateTime::parse_from_rfc2822(v)
        .ok()
        .map(|d| d.date_naive())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(labels: Vec<bool>, score: f32, start: usize, end: usize) -> ScoredSentence {
        ScoredSentence {
            sent_idx: 0,
            start,
            end,
            scores: vec![score; labels.len()],
            labels,
            explain: Vec::new(),
        }
    }

    #[test]
    fn dates_in_common_spellings() {
        let d = NaiveDate::from_ymd_opt(2022, 1, 25);
        assert_eq!(parse_date("20220125"), d);
        assert_eq!(parse_date("20220125T090000Z"), d);
        assert_eq!(parse_date("2022-01-25"), d);
        assert_eq!(parse_date("2022-01-25T09:00:00+02:00"), d);
        assert_eq!(parse_date("2022/01/25"), d);
        assert_eq!(parse_date("Tue, 25 Jan 2022 09:00:00 +0000"), d);
        assert_eq!(parse_date("yesterday"), None);
        assert_eq!(parse_date("20221340"), None);
    }

    #[test]
    fn digests_count_and_keep_the_top_sentences() {
        let text = "One. Two. Three. Four.";
        let rows = vec![
            row(vec![true, false], 0.9, 0, 4),
            row(vec![false, false], 0.1, 5, 9),
            row(vec![true, true], 0.95, 10, 16),
            row(vec![false, false], 0.2, 17, 22),
        ];
        let d = ArticleDigest::new(text, &rows, 2);
        assert_eq!(
            (d.sentences, d.framed, d.per_label.clone()),
            (4, 2, vec![2, 1])
        );
        let tops: Vec<&str> = d.top.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(tops, ["Three.", "One.", "Four."]);
    }

    fn digest(framed: u64, sentences: u64) -> ArticleDigest {
        ArticleDigest {
            sentences,
            per_label: vec![framed],
            framed,
            top: Vec::new(),
        }
    }

    #[test]
    fn lists_are_bounded_and_ordered_and_groups_and_days_counted() {
        let labels = vec!["x".to_string()];
        let fields = ArchiveFields {
            date: Some("date".into()),
            group: Some("country".into()),
        };
        let mut s = ArchiveStats::new(&labels, fields);
        for i in 0..30u64 {
            let f = vec![
                ("date".to_string(), format!("2022-{:02}-10", 1 + i % 12)),
                (
                    "country".to_string(),
                    if i % 3 == 0 { "GB" } else { "US" }.to_string(),
                ),
            ];
            s.add(&format!("a{i}"), &f, digest(i % 5, 4));
        }
        s.add("nodate", &[], digest(0, 1));
        assert_eq!(s.articles(), 31);
        assert_eq!(s.undated, 1);
        assert_eq!(s.by_group["GB"].articles, 10);
        assert_eq!(s.by_group["(none)"].articles, 1);
        assert_eq!(s.most.len(), LISTED_ARTICLES);
        // 4 of 4 framed, first seen.
        assert_eq!(s.most[0].id, "a4");
        // Six articles have no framed sentence; then the 1-of-4 ones.
        assert!(s.least[..6].iter().all(|a| a.digest.framed == 0));
        assert_eq!(s.least[6].digest.framed, 1);
        assert_eq!(s.least[0].id, "a0");
        assert_eq!(s.least[6].id, "a1");
        let html = s.page("test input", "m.ftm");
        assert!(html.contains("Frames over time") && html.contains("2022-01"));
        assert!(html.contains("GB (10 articles)"));
        assert!(html.matches("<svg").count() >= 5, "charts missing");
    }
}
