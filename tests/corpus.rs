//! Consistency checks for the hand-written corpus in `corpus/`
//! (see `corpus/CODEBOOK.md`): schema, sizes and base rates, duplicates,
//! train/test overlap, topical breadth and the sample articles.
//!
//! Counts below are minimums only: the corpus is expected to grow.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The label ids, in canonical order.
const LABELS: [&str; 4] = [
    "blame-shifting",
    "security-guarantee",
    "escalation",
    "humanitarian",
];

const MIN_TRAIN_ROWS: usize = 6000;
const MIN_TEST_ROWS: usize = 1500;
const MIN_TRAIN_POSITIVES_PER_FRAME: usize = 700;
const MIN_TEST_POSITIVES_PER_FRAME: usize = 150;
/// Minimum share of rows labelled `none` in each file.
const MIN_NONE_SHARE: f64 = 0.5;
/// Minimum share of positive rows that carry two or more frames, per file.
const MIN_MULTI_LABEL_SHARE: f64 = 0.10;
/// Train/test pairs at or above this word-trigram Jaccard are near-duplicates.
const NEAR_DUP_JACCARD: f64 = 0.5;
/// Maximum share of all rows (train + test) that mention Russia/Ukraine.
const MAX_RUSSIA_UKRAINE_SHARE: f64 = 0.40;
/// How many offending examples an assertion message lists.
const SHOW: usize = 15;

/// Normalised words (see [`normalise`]) that mark a row as being about the
/// Russia-Ukraine war.
const RUSSIA_UKRAINE_WORDS: &[&str] = &[
    "russia",
    "russian",
    "russians",
    "ukraine",
    "ukrainian",
    "ukrainians",
    "kyiv",
    "kiev",
    "kremlin",
    "moscow",
    "putin",
    "zelensky",
    "zelenskyy",
    "donbas",
    "donbass",
    "donetsk",
    "luhansk",
    "kharkiv",
    "kherson",
    "crimea",
    "crimean",
    "zaporizhzhia",
    "odesa",
    "odessa",
    "mariupol",
    "bakhmut",
    "avdiivka",
    "pokrovsk",
    "kramatorsk",
    "sloviansk",
    "kostiantynivka",
    "dnipro",
    "mykolaiv",
    "sumy",
    "chernihiv",
    "lviv",
    "kursk",
    "belgorod",
    "sevastopol",
    "lavrov",
    "peskov",
    "shoigu",
    "rosatom",
];

/// Conflicts the test set covers and the training set never mentions. Each
/// entry is a group of normalised words or phrases, matched on word bounds.
const HELD_OUT_CONFLICTS: &[(&str, &[&str])] = &[
    ("Kashmir", &["kashmir", "kashmiri", "kashmiris"]),
    ("Haiti", &["haiti", "haitian", "haitians"]),
    (
        "Mozambique / Cabo Delgado",
        &["mozambique", "mozambican", "mozambicans", "cabo delgado"],
    ),
    (
        "Western Sahara / Polisario",
        &["western sahara", "polisario", "sahrawi", "sahrawis"],
    ),
];
/// How many of [`HELD_OUT_CONFLICTS`] must appear in test and never in train.
const MIN_HELD_OUT_CONFLICTS: usize = 2;

const MIN_ARTICLES: usize = 12;
const MIN_ARTICLE_WORDS: usize = 300;

// ---------------------------------------------------------------------------
// Loading
// ---------------------------------------------------------------------------

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

/// One CSV row as written, before any validation.
struct Row {
    /// 1-based line in the file where the record starts.
    line: u64,
    fields: Vec<String>,
}

impl Row {
    fn text(&self) -> &str {
        self.fields.first().map(String::as_str).unwrap_or("")
    }

    /// The label ids of the row (empty for `none`).
    fn labels(&self) -> Vec<&str> {
        match self.fields.get(1).map(String::as_str) {
            None | Some("") => Vec::new(),
            Some(cell) => cell.split(';').collect(),
        }
    }
}

struct CsvFile {
    name: &'static str,
    header: Vec<String>,
    rows: Vec<Row>,
}

/// Reads a corpus CSV leniently (any field count), so that malformed rows are
/// reported by the schema test with their line instead of aborting the load.
fn load(name: &'static str) -> CsvFile {
    let path = corpus_dir().join(name);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_path(&path)
        .unwrap_or_else(|e| panic!("cannot open {}: {e}", path.display()));
    let header = reader
        .headers()
        .unwrap_or_else(|e| panic!("{name}: cannot read header: {e}"))
        .iter()
        .map(str::to_owned)
        .collect();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.unwrap_or_else(|e| panic!("{name}: CSV error: {e}"));
        let line = record.position().map_or(0, |p| p.line());
        rows.push(Row {
            line,
            fields: record.iter().map(str::to_owned).collect(),
        });
    }
    CsvFile { name, header, rows }
}

fn train() -> CsvFile {
    load("train.csv")
}

fn test_set() -> CsvFile {
    load("test.csv")
}

// ---------------------------------------------------------------------------
// Text helpers
// ---------------------------------------------------------------------------

/// Lower case, every run of non-alphanumeric characters collapsed to a single
/// space, no leading or trailing space.
fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.extend(c.to_lowercase());
        } else {
            pending_space = true;
        }
    }
    out
}

/// True when the normalised `text` contains `phrase` (already normalised) on
/// word boundaries.
fn mentions(normalised_text: &str, phrase: &str) -> bool {
    let padded = format!(" {normalised_text} ");
    padded.contains(&format!(" {phrase} "))
}

/// The set of word trigrams of a normalised text.
fn trigrams(normalised_text: &str) -> HashSet<String> {
    let words: Vec<&str> = normalised_text
        .split(' ')
        .filter(|w| !w.is_empty())
        .collect();
    words.windows(3).map(|w| w.join(" ")).collect()
}

fn share(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

fn assert_no_problems(what: &str, problems: &[String]) {
    assert!(
        problems.is_empty(),
        "{what}: {} problem(s), first {}:\n  {}",
        problems.len(),
        problems.len().min(SHOW),
        problems
            .iter()
            .take(SHOW)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n  ")
    );
}

fn excerpt(text: &str) -> String {
    const MAX: usize = 140;
    if text.chars().count() <= MAX {
        text.to_owned()
    } else {
        format!("{}...", text.chars().take(MAX).collect::<String>())
    }
}

// ---------------------------------------------------------------------------
// Schema
// ---------------------------------------------------------------------------

fn schema_problems(file: &CsvFile) -> Vec<String> {
    let mut problems = Vec::new();
    if file.header != ["text", "labels"] {
        problems.push(format!(
            "{}: header is {:?}, expected exactly `text,labels`",
            file.name, file.header
        ));
    }
    for row in &file.rows {
        let at = format!("{}:{}", file.name, row.line);
        if row.fields.len() != 2 {
            problems.push(format!(
                "{at}: {} field(s), expected 2: {:?}",
                row.fields.len(),
                row.fields
            ));
            continue;
        }
        if row.text().trim().is_empty() {
            problems.push(format!("{at}: empty text"));
        }
        let labels = row.labels();
        let mut positions = Vec::with_capacity(labels.len());
        for label in &labels {
            match LABELS.iter().position(|l| l == label) {
                Some(p) => positions.push(p),
                None => problems.push(format!(
                    "{at}: unknown label id {label:?} (labels cell {:?})",
                    row.fields[1]
                )),
            }
        }
        if positions.len() == labels.len() {
            let unique: HashSet<usize> = positions.iter().copied().collect();
            if unique.len() != positions.len() {
                problems.push(format!("{at}: repeated label in {:?}", row.fields[1]));
            } else if !positions.windows(2).all(|w| w[0] < w[1]) {
                problems.push(format!(
                    "{at}: labels {:?} not in canonical order {}",
                    row.fields[1],
                    LABELS.join(";")
                ));
            }
        }
    }
    problems
}

#[test]
fn schema_train() {
    assert_no_problems("train.csv schema", &schema_problems(&train()));
}

#[test]
fn schema_test() {
    assert_no_problems("test.csv schema", &schema_problems(&test_set()));
}

// ---------------------------------------------------------------------------
// Sizes and base rates
// ---------------------------------------------------------------------------

fn size_and_rate_problems(file: &CsvFile, min_rows: usize, min_per_frame: usize) -> Vec<String> {
    let mut problems = Vec::new();
    let total = file.rows.len();
    if total < min_rows {
        problems.push(format!(
            "{}: {total} rows, expected at least {min_rows}",
            file.name
        ));
    }
    let mut none = 0;
    let mut multi = 0;
    let mut per_frame = [0usize; 4];
    for row in &file.rows {
        let labels = row.labels();
        match labels.len() {
            0 => none += 1,
            1 => {}
            _ => multi += 1,
        }
        for label in labels {
            if let Some(p) = LABELS.iter().position(|l| *l == label) {
                per_frame[p] += 1;
            }
        }
    }
    let none_share = share(none, total);
    if none_share < MIN_NONE_SHARE {
        problems.push(format!(
            "{}: {none} of {total} rows are `none` ({:.1}%), expected at least {:.0}%",
            file.name,
            100.0 * none_share,
            100.0 * MIN_NONE_SHARE
        ));
    }
    for (label, count) in LABELS.iter().zip(per_frame) {
        if count < min_per_frame {
            problems.push(format!(
                "{}: {count} positives for `{label}`, expected at least {min_per_frame}",
                file.name
            ));
        }
    }
    let positives = total - none;
    let multi_share = share(multi, positives);
    if multi_share < MIN_MULTI_LABEL_SHARE {
        problems.push(format!(
            "{}: {multi} of {positives} positive rows carry 2+ frames ({:.1}%), expected at least {:.0}%",
            file.name,
            100.0 * multi_share,
            100.0 * MIN_MULTI_LABEL_SHARE
        ));
    }
    problems
}

#[test]
fn sizes_and_base_rates_train() {
    let problems = size_and_rate_problems(&train(), MIN_TRAIN_ROWS, MIN_TRAIN_POSITIVES_PER_FRAME);
    assert_no_problems("train.csv sizes and base rates", &problems);
}

#[test]
fn sizes_and_base_rates_test() {
    let problems = size_and_rate_problems(&test_set(), MIN_TEST_ROWS, MIN_TEST_POSITIVES_PER_FRAME);
    assert_no_problems("test.csv sizes and base rates", &problems);
}

// ---------------------------------------------------------------------------
// Duplicates
// ---------------------------------------------------------------------------

#[test]
fn no_exact_duplicates_within_or_across_files() {
    let files = [train(), test_set()];
    // normalised text -> first place it was seen
    let mut seen: HashMap<String, (&str, u64, &str)> = HashMap::new();
    let mut problems = Vec::new();
    for file in &files {
        for row in &file.rows {
            let key = normalise(row.text());
            if key.is_empty() {
                continue; // reported by the schema tests
            }
            if let Some((name, line, text)) = seen.get(&key) {
                problems.push(format!(
                    "{}:{} duplicates {name}:{line}\n    {:?}\n    {:?}",
                    file.name,
                    row.line,
                    excerpt(row.text()),
                    excerpt(text)
                ));
            } else {
                seen.insert(key, (file.name, row.line, row.text()));
            }
        }
    }
    assert_no_problems("exact duplicates (normalised text)", &problems);
}

#[test]
fn no_near_duplicates_between_train_and_test() {
    let train = train();
    let test = test_set();

    let train_grams: Vec<HashSet<String>> = train
        .rows
        .iter()
        .map(|r| trigrams(&normalise(r.text())))
        .collect();
    let mut index: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, grams) in train_grams.iter().enumerate() {
        for g in grams {
            index.entry(g.as_str()).or_default().push(i);
        }
    }

    let mut problems = Vec::new();
    for row in &test.rows {
        let grams = trigrams(&normalise(row.text()));
        if grams.is_empty() {
            continue; // fewer than three words: exact-duplicate test covers it
        }
        let mut shared: HashMap<usize, usize> = HashMap::new();
        for g in &grams {
            if let Some(rows) = index.get(g.as_str()) {
                for &i in rows {
                    *shared.entry(i).or_default() += 1;
                }
            }
        }
        // Report the most similar train row for this test row, if too similar.
        let best = shared
            .into_iter()
            .map(|(i, n)| {
                let union = grams.len() + train_grams[i].len() - n;
                (i, n as f64 / union as f64)
            })
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
        if let Some((i, jaccard)) = best {
            if jaccard >= NEAR_DUP_JACCARD {
                let t = &train.rows[i];
                problems.push(format!(
                    "test.csv:{} ~ train.csv:{} (trigram Jaccard {jaccard:.2})\n    test:  {:?}\n    train: {:?}",
                    row.line,
                    t.line,
                    excerpt(row.text()),
                    excerpt(t.text())
                ));
            }
        }
    }
    assert_no_problems(
        &format!(
            "near-duplicates between train and test (word-trigram Jaccard >= {NEAR_DUP_JACCARD})"
        ),
        &problems,
    );
}

// ---------------------------------------------------------------------------
// Breadth
// ---------------------------------------------------------------------------

fn mentions_russia_ukraine(text: &str) -> bool {
    normalise(text)
        .split(' ')
        .any(|w| RUSSIA_UKRAINE_WORDS.contains(&w))
}

#[test]
fn russia_ukraine_share_is_bounded() {
    let files = [train(), test_set()];
    let mut total = 0;
    let mut hits = 0;
    let mut per_file = Vec::new();
    for file in &files {
        let n = file
            .rows
            .iter()
            .filter(|r| mentions_russia_ukraine(r.text()))
            .count();
        per_file.push(format!(
            "{}: {n} of {} ({:.1}%)",
            file.name,
            file.rows.len(),
            100.0 * share(n, file.rows.len())
        ));
        hits += n;
        total += file.rows.len();
    }
    let s = share(hits, total);
    assert!(
        s <= MAX_RUSSIA_UKRAINE_SHARE,
        "{hits} of {total} rows ({:.1}%) mention Russia/Ukraine, at most {:.0}% allowed [{}]",
        100.0 * s,
        100.0 * MAX_RUSSIA_UKRAINE_SHARE,
        per_file.join("; ")
    );
}

#[test]
fn some_conflicts_appear_only_in_test() {
    let train: Vec<String> = train().rows.iter().map(|r| normalise(r.text())).collect();
    let test: Vec<String> = test_set()
        .rows
        .iter()
        .map(|r| normalise(r.text()))
        .collect();
    let count = |rows: &[String], phrases: &[&str]| {
        rows.iter()
            .filter(|t| phrases.iter().any(|p| mentions(t, p)))
            .count()
    };
    let mut held_out = Vec::new();
    let mut report = Vec::new();
    for (name, phrases) in HELD_OUT_CONFLICTS {
        let in_train = count(&train, phrases);
        let in_test = count(&test, phrases);
        report.push(format!(
            "{name}: {in_test} test rows, {in_train} train rows"
        ));
        if in_test > 0 && in_train == 0 {
            held_out.push(*name);
        }
    }
    assert!(
        held_out.len() >= MIN_HELD_OUT_CONFLICTS,
        "expected at least {MIN_HELD_OUT_CONFLICTS} conflicts mentioned in test and never in train, \
         found {} ({:?}):\n  {}",
        held_out.len(),
        held_out,
        report.join("\n  ")
    );
}

// ---------------------------------------------------------------------------
// Articles
// ---------------------------------------------------------------------------

fn articles_dir() -> PathBuf {
    corpus_dir().join("articles")
}

/// The `.txt` articles, by id (file name without `.txt`).
fn txt_articles() -> BTreeMap<String, String> {
    let dir = articles_dir();
    let entries =
        fs::read_dir(&dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
    let mut out = BTreeMap::new();
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.extension().and_then(|e| e.to_str()) != Some("txt") {
            continue;
        }
        let id = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("UTF-8 file name")
            .to_owned();
        let text = fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        out.insert(id, text);
    }
    out
}

#[derive(Deserialize)]
struct JsonArticle {
    id: String,
    #[allow(dead_code)]
    #[serde(default)]
    title: Option<String>,
    text: String,
}

#[test]
fn articles_are_present_and_long_enough() {
    let articles = txt_articles();
    assert!(
        articles.len() >= MIN_ARTICLES,
        "{} has {} .txt articles, expected at least {MIN_ARTICLES}",
        articles_dir().display(),
        articles.len()
    );
    let short: Vec<String> = articles
        .iter()
        .map(|(id, text)| (id, text.split_whitespace().count()))
        .filter(|(_, words)| *words < MIN_ARTICLE_WORDS)
        .map(|(id, words)| {
            format!("{id}.txt: {words} words, expected at least {MIN_ARTICLE_WORDS}")
        })
        .collect();
    assert_no_problems("article length", &short);
}

#[test]
fn articles_jsonl_matches_txt_files() {
    let articles = txt_articles();
    let path = articles_dir().join("articles.jsonl");
    let jsonl =
        fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));

    let mut problems = Vec::new();
    let mut by_id: BTreeMap<String, (usize, String)> = BTreeMap::new();
    for (n, line) in jsonl.lines().enumerate() {
        let n = n + 1;
        if line.trim().is_empty() {
            problems.push(format!("articles.jsonl:{n}: blank line"));
            continue;
        }
        let value: serde_json::Value = match serde_json::from_str(line) {
            Ok(v) => v,
            Err(e) => {
                problems.push(format!("articles.jsonl:{n}: invalid JSON: {e}"));
                continue;
            }
        };
        if !value.is_object() {
            problems.push(format!("articles.jsonl:{n}: not a JSON object"));
            continue;
        }
        let article: JsonArticle = match serde_json::from_value(value) {
            Ok(a) => a,
            Err(e) => {
                problems.push(format!(
                    "articles.jsonl:{n}: missing or mistyped field: {e}"
                ));
                continue;
            }
        };
        if let Some((first, _)) = by_id.get(&article.id) {
            problems.push(format!(
                "articles.jsonl:{n}: id {:?} already used on line {first}",
                article.id
            ));
            continue;
        }
        by_id.insert(article.id, (n, article.text));
    }

    for (id, text) in &articles {
        match by_id.get(id) {
            None => problems.push(format!(
                "{id}.txt has no object with id {id:?} in articles.jsonl"
            )),
            Some((n, json_text)) if json_text != text => {
                let at = json_text
                    .char_indices()
                    .zip(text.chars())
                    .find(|((_, a), b)| a != b)
                    .map_or(json_text.len().min(text.len()), |((i, _), _)| i);
                problems.push(format!(
                    "articles.jsonl:{n}: text of {id:?} differs from {id}.txt \
                     (json {} bytes, txt {} bytes, first difference near byte {at})",
                    json_text.len(),
                    text.len()
                ));
            }
            Some(_) => {}
        }
    }
    for (id, (n, _)) in &by_id {
        if !articles.contains_key(id) {
            problems.push(format!("articles.jsonl:{n}: id {id:?} has no {id}.txt"));
        }
    }
    assert_no_problems("articles.jsonl vs .txt files", &problems);
}

fn is_table_separator(line: &str) -> bool {
    let t = line.trim();
    t.contains('|')
        && t.contains("---")
        && t.chars().all(|c| matches!(c, '|' | '-' | ':' | ' ' | '\t'))
}

fn is_faq_line(line: &str) -> bool {
    line.trim_start().starts_with("Q:")
}

fn is_bullet_line(line: &str) -> bool {
    let t = line.trim_start();
    ["- ", "* ", "• ", "\u{2013} "]
        .iter()
        .any(|b| t.starts_with(b))
}

#[test]
fn articles_cover_tables_faq_and_bullets() {
    let articles = txt_articles();
    let with = |pred: fn(&str) -> bool| -> Vec<&str> {
        articles
            .iter()
            .filter(|(_, text)| text.lines().any(pred))
            .map(|(id, _)| id.as_str())
            .collect()
    };
    let tables = with(is_table_separator);
    let faqs = with(is_faq_line);
    let bullets = with(is_bullet_line);
    let mut problems = Vec::new();
    if tables.is_empty() {
        problems.push(
            "no article contains a markdown table separator row (e.g. `|---|---|`)".to_owned(),
        );
    }
    if faqs.is_empty() {
        problems.push("no article contains an FAQ line starting with `Q:`".to_owned());
    }
    if bullets.is_empty() {
        problems.push("no article contains a bullet line (`- `, `* `, `• `)".to_owned());
    }
    assert_no_problems("article formats", &problems);
}

// ---------------------------------------------------------------------------
// The helpers themselves (so that the checks above can actually fail)
// ---------------------------------------------------------------------------

#[test]
fn helpers_behave() {
    assert_eq!(normalise("  Kyiv's  NEW -- plan!! "), "kyiv s new plan");
    assert!(mentions(
        &normalise("Fighting in Cabo Delgado, Mozambique."),
        "cabo delgado"
    ));
    assert!(!mentions(&normalise("Haitians-to-be"), "haiti"));
    assert!(mentions_russia_ukraine("The Kremlin said so."));
    assert!(!mentions_russia_ukraine("Prussian history lecture."));
    let a = trigrams(&normalise("a b c d"));
    assert_eq!(a.len(), 2);

    let bad = CsvFile {
        name: "fake.csv",
        header: vec!["text".into(), "label".into()],
        rows: vec![
            Row {
                line: 2,
                fields: vec!["x".into(), "escalation;blame-shifting".into()],
            },
            Row {
                line: 3,
                fields: vec!["x".into(), "escalation;escalation".into()],
            },
            Row {
                line: 4,
                fields: vec!["".into(), "".into()],
            },
            Row {
                line: 5,
                fields: vec!["x".into(), "war".into()],
            },
            Row {
                line: 6,
                fields: vec!["x".into()],
            },
            Row {
                line: 7,
                fields: vec!["x".into(), "blame-shifting;humanitarian".into()],
            },
        ],
    };
    let problems = schema_problems(&bad);
    assert_eq!(problems.len(), 6, "{problems:#?}");

    assert!(is_table_separator("|---|:---:|"));
    assert!(is_table_separator("| --- | --- |"));
    assert!(!is_table_separator("| a | b |"));
    assert!(is_faq_line("Q: What now?"));
    assert!(is_bullet_line("- item"));
    assert!(!is_bullet_line("-5 degrees"));
}
