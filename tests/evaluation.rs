//! Integration tests of evaluating and inspecting saved models and of the
//! scorer's threshold overrides, kept fields and archive report: they run
//! the real binaries on small inputs.

use std::path::{Path, PathBuf};
use std::process::Output;

mod common;
use common::{run, stderr, stdout, SCORE, TRAIN};

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

const TINY: &str = "tests/fixtures/tiny.csv";

/// Trains a multi-label model on the tiny fixture, evaluating it on the
/// same file; returns the model path and the report JSON.
fn train_tiny(dir: &Path) -> (PathBuf, serde_json::Value) {
    let model = dir.join("m.ftm");
    let report = dir.join("train.json");
    let o = run(
        TRAIN,
        &[
            "--data",
            TINY,
            "--test",
            TINY,
            "--alpha",
            "0.1",
            "--threshold-folds",
            "2",
            "--char-ngrams",
            "off",
            "--out",
            path(&model),
            "--report",
            path(&report),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let json = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    (model, json)
}

#[test]
fn a_saved_model_is_evaluated_as_training_evaluated_it() {
    let dir = tempfile::tempdir().unwrap();
    let (model, trained) = train_tiny(dir.path());
    let report = dir.path().join("eval.json");
    let errors = dir.path().join("errors.csv");
    let o = run(
        TRAIN,
        &[
            "--model",
            path(&model),
            "--test",
            TINY,
            "--report",
            path(&report),
            "--errors",
            path(&errors),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    for needle in [
        "precision",
        "recall",
        "support",
        "micro-F1",
        "confusion counts",
        "TP",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    // Same schema as training's report, and the same figures on the same file.
    assert_eq!(
        r["tests"][0]["evaluation"],
        trained["tests"][0]["evaluation"]
    );
    assert_eq!(r["tests"][0]["confusion"], trained["tests"][0]["confusion"]);
    assert_eq!(r["train"]["labels"], trained["train"]["labels"]);
    assert_eq!(r["train"]["thresholds"], trained["train"]["thresholds"]);
    assert!(r["train"]["out_of_fold"].is_null() && r["cv"].is_null());
    let counts = &r["tests"][0]["confusion"]["per_label"]["escalation"];
    let n: u64 = ["tp", "fp", "fn", "tn"]
        .iter()
        .map(|k| counts[k].as_u64().unwrap())
        .sum();
    assert_eq!(n, r["tests"][0]["evaluation"]["examples"].as_u64().unwrap());
    // Mistakes: one per wrong decision, worst first.
    let rows: Vec<csv::StringRecord> = csv::Reader::from_path(&errors)
        .unwrap()
        .records()
        .map(Result::unwrap)
        .collect();
    let wrong: u64 = r["tests"][0]["confusion"]["per_label"]
        .as_object()
        .unwrap()
        .values()
        .map(|c| c["fp"].as_u64().unwrap() + c["fn"].as_u64().unwrap())
        .sum();
    assert_eq!(rows.len() as u64, wrong);
    let margins: Vec<f64> = rows.iter().map(|r| r[6].parse().unwrap()).collect();
    assert!(margins.windows(2).all(|w| w[0] >= w[1]), "{margins:?}");
    for r in &rows {
        assert!(r[0].ends_with("tiny.csv") && ["FP", "FN"].contains(&&r[2]));
        assert!(r[1].parse::<u64>().unwrap() >= 2);
    }
}

#[test]
fn evaluation_needs_a_test_file_and_a_usable_model() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.ftm");
    std::fs::write(&bad, b"not a model").unwrap();
    let o = run(TRAIN, &["--model", path(&bad), "--test", TINY]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = run(TRAIN, &["--model", "models/frametag-en.ftm"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--test"), "{}", stderr(&o));
    let o = run(
        TRAIN,
        &["--model", "models/frametag-en.ftm", "--data", TINY],
    );
    assert_eq!(o.status.code(), Some(2), "--model and --data conflict");
    let o = run(TRAIN, &["--inspect", path(&bad)]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn a_multi_class_model_gets_a_confusion_matrix() {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("text,labels\n");
    let words = [("rain", "weather"), ("goal", "sport"), ("vote", "politics")];
    for i in 0..45 {
        let (w, l) = words[i % 3];
        let (other, _) = words[(i + 1) % 3];
        // Every 9th row carries a misleading word too, so mistakes happen.
        let extra = if i % 9 == 0 { other } else { "today" };
        csv.push_str(&format!("The {w} report {i} {extra},{l}\n"));
    }
    let data = dir.path().join("mc.csv");
    std::fs::write(&data, csv).unwrap();
    let model = dir.path().join("mc.ftm");
    let o = run(
        TRAIN,
        &[
            "--data",
            path(&data),
            "--alpha",
            "0.1",
            "--char-ngrams",
            "off",
            "--min-df",
            "1",
            "--threshold-folds",
            "3",
            "--out",
            path(&model),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let report = dir.path().join("r.json");
    let o = run(
        TRAIN,
        &[
            "--model",
            path(&model),
            "--test",
            path(&data),
            "--report",
            path(&report),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("confusion matrix"), "{}", stdout(&o));
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let m = r["tests"][0]["confusion"]["matrix"].as_array().unwrap();
    assert_eq!(m.len(), 3);
    let total: u64 = m
        .iter()
        .flat_map(|row| row.as_array().unwrap())
        .map(|n| n.as_u64().unwrap())
        .sum();
    assert_eq!(total, 45, "every example counted once");
    // The diagonal is the correct decisions.
    let diagonal: u64 = (0..3).map(|i| m[i][i].as_u64().unwrap()).sum();
    let f1 = r["tests"][0]["evaluation"]["micro_f1"].as_f64().unwrap();
    assert!(
        (diagonal as f64 / 45.0 - f1).abs() < 1e-9,
        "{diagonal} vs {f1}"
    );
    // A multi-class model has no thresholds to override.
    let o = run(
        SCORE,
        &["--model", path(&model), "--threshold", "sport=0.5", "-"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn inspection_prints_labels_thresholds_settings_and_checksum() {
    let o = run(TRAIN, &["--inspect", "models/frametag-en.ftm"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    let model = frametag::default_model();
    for (label, t) in model.labels().iter().zip(model.thresholds()) {
        let line = text
            .lines()
            .find(|l| l.trim_start().starts_with(label.as_str()))
            .unwrap_or_else(|| panic!("no line for {label} in\n{text}"));
        assert!(line.contains(&format!("{t:.3}")), "{line}");
    }
    assert!(text.contains(&model.info().corpus_checksum), "{text}");
    for needle in ["features", "alpha", "seed", "figures"] {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }
}

fn score(args: &[&str]) -> Output {
    run(SCORE, args)
}

#[test]
fn thresholds_are_overridden_when_scoring() {
    let article = "corpus/articles/01-kharkiv-power-strikes.txt";
    let count = |o: &Output, label: &str| {
        csv::Reader::from_reader(o.stdout.as_slice())
            .records()
            .filter(|r| r.as_ref().unwrap()[4].split(';').any(|l| l == label))
            .count()
    };
    let base = score(&["--quiet", article]);
    let all = score(&["--quiet", "--threshold", "security-guarantee=0", article]);
    let none = score(&[
        "--quiet",
        "--threshold",
        "security-guarantee=1",
        "--threshold",
        "escalation=1",
        article,
    ]);
    for o in [&base, &all, &none] {
        assert_eq!(o.status.code(), Some(0), "{}", stderr(o));
    }
    let sentences = csv::Reader::from_reader(all.stdout.as_slice())
        .records()
        .count();
    assert_eq!(count(&all, "security-guarantee"), sentences);
    assert!(count(&base, "escalation") > 0);
    assert_eq!(count(&none, "escalation"), 0);
    assert_eq!(count(&none, "humanitarian"), count(&base, "humanitarian"));
    for bad in ["nosuch=0.5", "escalation=1.5", "escalation", "escalation=x"] {
        let o = score(&["--threshold", bad, article]);
        assert_eq!(o.status.code(), Some(2), "{bad}: {}", stderr(&o));
    }
}

#[test]
fn kept_fields_travel_into_rows_and_summaries() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("a.jsonl");
    std::fs::write(
        &input,
        "{\"id\":\"a\",\"date\":\"2024-05-01\",\"country\":\"PL\",\"text\":\"Missiles hit Kyiv. Aid arrived.\"}\n\
         {\"id\":\"b\",\"text\":\"Talks resumed.\"}\n",
    )
    .unwrap();
    let summary = dir.path().join("s.csv");
    let o = score(&[
        "--quiet",
        "--keep-fields",
        "country,date",
        "--summary",
        path(&summary),
        path(&input),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let rows = stdout(&o);
    assert!(rows.starts_with("doc_id,country,date,sent_idx,"), "{rows}");
    assert!(rows
        .lines()
        .nth(1)
        .unwrap()
        .starts_with("a,PL,2024-05-01,0,"));
    assert!(rows.lines().nth(3).unwrap().starts_with("b,,,0,"));
    let s = std::fs::read_to_string(&summary).unwrap();
    assert!(s.starts_with("doc_id,country,date,sentences,"), "{s}");
    assert!(s.lines().nth(1).unwrap().starts_with("a,PL,2024-05-01,2,"));
    let o = score(&[
        "--quiet",
        "--keep-fields",
        "country",
        "--output-format",
        "jsonl",
        path(&input),
    ]);
    let first: serde_json::Value =
        serde_json::from_str(stdout(&o).lines().next().unwrap()).unwrap();
    assert_eq!(first["country"], "PL");
    for bad in ["start", "escalation", "text"] {
        let o = score(&["--keep-fields", bad, path(&input)]);
        assert_eq!(o.status.code(), Some(2), "{bad}: {}", stderr(&o));
    }
    let o = score(&["--date-field", "date", path(&input)]);
    assert_eq!(o.status.code(), Some(2), "--date-field needs --html");
}

/// A small archive with dates over two years and three countries.
fn dated_archive(dir: &Path) -> PathBuf {
    let sentences = [
        "Missiles struck the power plant overnight and shelling continued.",
        "Aid convoys reached displaced families and hospitals.",
        "Moscow blamed Kyiv for the attack and accused the West.",
        "Allies discussed security guarantees and NATO membership.",
        "The weather was mild and markets were calm.",
    ];
    let mut out = String::new();
    for i in 0..60usize {
        let text: Vec<&str> = (0..4)
            .map(|k| sentences[(i + k * (i % 3 + 1)) % 5])
            .collect();
        let date = format!("{}{:02}{:02}", 2022 + i / 24, 1 + (i / 2) % 12, 1 + i % 28);
        let country = ["GB", "US", "PL"][i % 3];
        out.push_str(
            &serde_json::json!({"id": format!("n{i}"), "date": date, "country": country, "text": text.join(" ")})
                .to_string(),
        );
        out.push('\n');
    }
    let p = dir.join("news.jsonl");
    std::fs::write(&p, out).unwrap();
    p
}

#[test]
fn the_archive_report_does_not_depend_on_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let input = dated_archive(dir.path());
    let page = |threads: &str| {
        let html = dir.path().join(format!("r{threads}.html"));
        let o = score(&[
            "--quiet",
            "--threads",
            threads,
            "--date-field",
            "date",
            "--group-field",
            "country",
            "--html",
            path(&html),
            "-o",
            path(&dir.path().join("rows.csv")),
            path(&input),
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        std::fs::read_to_string(&html).unwrap()
    };
    let one = page("1");
    assert_eq!(one, page("2"));
    for needle in [
        "Frames over time",
        "by month",
        "Frames by group",
        "GB (20 articles)",
        "Most framed articles",
        "Least framed articles",
    ] {
        assert!(one.contains(needle), "missing {needle:?}");
    }
    // Self-contained: no scripts, nothing linked or fetched.
    for never in ["<script", "<link", "src=", "href=", "@import", "url("] {
        assert!(!one.contains(never), "the page holds {never:?}");
    }
}
