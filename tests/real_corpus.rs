//! Checks of the stand-off annotations of real reporting in `corpus/real/`
//! (see its README): schema, the two passes and their agreement, how rows
//! were selected, the article-level test split and, where
//! `../shared/data` is present, that every row still points at the
//! sentence it was annotated on.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;

const LABELS: [&str; 4] = [
    "blame-shifting",
    "security-guarantee",
    "escalation",
    "humanitarian",
];
const HEADER: [&str; 10] = [
    "source",
    "doc_id",
    "sent_idx",
    "start",
    "end",
    "checksum",
    "labels",
    "pass_a",
    "pass_b",
    "selection",
];
const SOURCES: [(&str, &str); 2] = [
    ("semeval2025-urw", "semeval2025-urw/articles.jsonl"),
    ("ukraine-war-news", "ukraine-war-news/articles.jsonl"),
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[derive(Debug, Clone)]
struct Row {
    file: &'static str,
    line: u64,
    fields: BTreeMap<String, String>,
}

impl Row {
    fn get(&self, k: &str) -> &str {
        &self.fields[k]
    }
    fn at(&self) -> String {
        format!("corpus/real/{}:{}", self.file, self.line)
    }
}

fn read(file: &'static str) -> Vec<Row> {
    let mut r = csv::Reader::from_path(root().join("corpus/real").join(file)).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(header, HEADER, "corpus/real/{file}: columns");
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            Row {
                file,
                line: rec.position().unwrap().line(),
                fields: header
                    .iter()
                    .cloned()
                    .zip(rec.iter().map(str::to_string))
                    .collect(),
            }
        })
        .collect()
}

fn all() -> Vec<Row> {
    let mut rows = read("train.csv");
    rows.extend(read("test.csv"));
    rows
}

/// A label cell as a set, checking ids and canonical order.
fn labels(cell: &str, none_word: bool, at: &str) -> Vec<&'static str> {
    if cell.is_empty() || (none_word && cell == "none") {
        assert!(none_word || cell.is_empty(), "{at}: {cell:?}");
        return Vec::new();
    }
    let got: Vec<&str> = cell.split(';').collect();
    let canon: Vec<&'static str> = LABELS.iter().copied().filter(|l| got.contains(l)).collect();
    assert_eq!(
        got, canon,
        "{at}: labels {cell:?} not known ids in canonical order"
    );
    canon
}

#[test]
fn rows_are_well_formed() {
    let rows = all();
    let mut seen = HashSet::new();
    for r in &rows {
        let at = r.at();
        assert!(SOURCES.iter().any(|(s, _)| *s == r.get("source")), "{at}");
        let (s, e): (usize, usize) = (
            r.get("start").parse().unwrap(),
            r.get("end").parse().unwrap(),
        );
        assert!(s < e, "{at}: empty span");
        let sum = r.get("checksum");
        assert!(
            sum.len() == 16
                && sum
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()),
            "{at}: checksum {sum:?}"
        );
        assert!(
            seen.insert((r.get("doc_id").to_string(), s)),
            "{at}: sentence annotated twice"
        );
        let final_ = labels(r.get("labels"), false, &at);
        let a = labels(r.get("pass_a"), true, &at);
        let b = labels(r.get("pass_b"), true, &at);
        if a == b {
            assert_eq!(final_, a, "{at}: the passes agree, so the label is theirs");
        }
        let sel = r.get("selection");
        let round = sel.strip_suffix("+random").unwrap_or(sel);
        let suggested = round
            .strip_prefix("suggest-r")
            .is_some_and(|n| n.parse::<u8>().is_ok());
        assert!(round == "random" || suggested, "{at}: selection {sel:?}");
    }
}

/// Drawn uniformly at random (alone, or after a suggestion round had
/// already picked it: `suggest-rN+random`).
fn drawn_at_random(r: &Row) -> bool {
    r.get("selection") == "random" || r.get("selection").ends_with("+random")
}

#[test]
fn sizes_selection_and_the_article_level_test_split() {
    let train = read("train.csv");
    let test = read("test.csv");
    let n = train.len() + test.len();
    assert!(n >= 4000, "{n} annotated sentences, fewer than 4,000");
    let random = train
        .iter()
        .chain(&test)
        .filter(|r| drawn_at_random(r))
        .count();
    assert!(
        random as f64 >= 0.4 * n as f64,
        "{random} of {n} drawn at random, under 40%"
    );
    assert!(
        test.iter().all(|r| r.get("selection") == "random"),
        "test is random only"
    );
    let test_docs: HashSet<&str> = test.iter().map(|r| r.get("doc_id")).collect();
    let train_docs: HashSet<&str> = train.iter().map(|r| r.get("doc_id")).collect();
    let both: Vec<&&str> = test_docs.intersection(&train_docs).collect();
    assert!(both.is_empty(), "articles in both splits: {both:?}");
    let random_docs: HashSet<&str> = train
        .iter()
        .chain(&test)
        .filter(|r| drawn_at_random(r))
        .map(|r| r.get("doc_id"))
        .collect();
    assert!(
        test_docs.len() as f64 >= 0.2 * random_docs.len() as f64,
        "{} test articles of {} with random rows",
        test_docs.len(),
        random_docs.len()
    );
    for r in &test {
        for l in labels(r.get("labels"), false, &r.at()) {
            assert!(LABELS.contains(&l));
        }
    }
}

/// Cohen's kappa of two yes/no annotations.
fn kappa(a: &[bool], b: &[bool]) -> f64 {
    let n = a.len() as f64;
    let po = a.iter().zip(b).filter(|(x, y)| x == y).count() as f64 / n;
    let pa = a.iter().filter(|&&x| x).count() as f64 / n;
    let pb = b.iter().filter(|&&x| x).count() as f64 / n;
    let pe = pa * pb + (1.0 - pa) * (1.0 - pb);
    (po - pe) / (1.0 - pe)
}

#[test]
fn agreement_between_the_passes_is_what_the_readme_reports() {
    let rows = all();
    let readme = std::fs::read_to_string(root().join("corpus/real/README.md")).unwrap();
    for l in LABELS {
        let a: Vec<bool> = rows
            .iter()
            .map(|r| r.get("pass_a").split(';').any(|x| x == l))
            .collect();
        let b: Vec<bool> = rows
            .iter()
            .map(|r| r.get("pass_b").split(';').any(|x| x == l))
            .collect();
        let k = kappa(&a, &b);
        assert!(k >= 0.8, "{l}: kappa {k:.3} is below 0.8");
        let cell = format!("| {l} | {k:.3} |");
        assert!(
            readme.contains(&cell),
            "corpus/real/README.md lacks {cell:?}"
        );
    }
}

/// `../shared/data` beside the repository, if this machine has it.
fn shared_data() -> Option<PathBuf> {
    let p = root().join("../shared/data");
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!("skipped: ../shared/data is absent (the articles are not redistributed; see corpus/real/README.md)");
        None
    }
}

#[test]
fn every_row_points_at_its_sentence_in_the_articles() {
    let Some(data) = shared_data() else { return };
    let mut texts: HashMap<String, String> = HashMap::new();
    for (_, file) in SOURCES {
        for line in std::fs::read_to_string(data.join(file)).unwrap().lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            texts.insert(
                v["id"].as_str().unwrap().into(),
                v["text"].as_str().unwrap().into(),
            );
        }
    }
    let dev: HashSet<String> = csv::Reader::from_path(data.join("realnews-dev/sentences.csv"))
        .unwrap()
        .records()
        .map(|r| r.unwrap()[1].to_string())
        .collect();
    let segmenter = frametag::Segmenter::new();
    let mut sentences: HashMap<String, Vec<frametag::Sentence>> = HashMap::new();
    for r in all() {
        let at = r.at();
        let doc = r.get("doc_id");
        assert!(
            !dev.contains(doc),
            "{at}: article {doc} is one realnews-dev draws from"
        );
        let text = texts
            .get(doc)
            .unwrap_or_else(|| panic!("{at}: no article {doc}"));
        let (s, e): (usize, usize) = (
            r.get("start").parse().unwrap(),
            r.get("end").parse().unwrap(),
        );
        let sentence = &text[s..e];
        assert_eq!(
            frametag::io::sentence_checksum(sentence),
            r.get("checksum"),
            "{at}"
        );
        // Boundaries are the project's own segmenter's.
        let split = sentences
            .entry(doc.to_string())
            .or_insert_with(|| segmenter.split(text));
        let idx: usize = r.get("sent_idx").parse().unwrap();
        assert_eq!(
            (split[idx].start, split[idx].end),
            (s, e),
            "{at}: not a segmenter sentence"
        );
    }
}
