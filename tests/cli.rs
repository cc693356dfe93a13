//! Integration tests that run the real binaries on small inputs.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};

mod common;
use common::{root, run, stderr, stdout, SCORE, TRAIN};

fn csv_rows(text: &str) -> Vec<csv::StringRecord> {
    csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(|r| r.expect("valid CSV"))
        .collect()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p.to_string_lossy().into_owned()
}

// ---------------------------------------------------------------- scorer

#[test]
fn scores_sample_articles_with_the_built_in_model() {
    let o = run(SCORE, &["--quiet", "corpus/articles/articles.jsonl"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    let header = out.lines().next().unwrap();
    assert_eq!(
        header,
        "doc_id,sent_idx,start,end,labels,blame-shifting,escalation,humanitarian,security-guarantee,text"
    );
    let rows = csv_rows(&out);
    assert!(rows.len() > 200, "only {} sentences", rows.len());
    // Offsets point into the article text.
    let articles: Vec<serde_json::Value> =
        std::fs::read_to_string(root().join("corpus/articles/articles.jsonl"))
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
    for r in &rows {
        let art = articles.iter().find(|a| a["id"] == r[0]).expect("known id");
        let text = art["text"].as_str().unwrap();
        let (s, e): (usize, usize) = (r[2].parse().unwrap(), r[3].parse().unwrap());
        assert_eq!(&text[s..e], &r[9]);
    }
    // Every frame is found somewhere in the samples.
    for label in [
        "blame-shifting",
        "escalation",
        "humanitarian",
        "security-guarantee",
    ] {
        assert!(
            rows.iter().any(|r| r[4].split(';').any(|l| l == label)),
            "no {label}"
        );
    }
}

#[test]
fn output_does_not_depend_on_threads() {
    let one = run(SCORE, &["--quiet", "--threads", "1", "corpus/articles"]);
    let two = run(SCORE, &["--quiet", "--threads", "2", "corpus/articles"]);
    assert_eq!(one.status.code(), Some(0));
    assert_eq!(one.stdout, two.stdout);
}

#[test]
fn jsonl_output_summary_and_explanations() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("rows.jsonl");
    let sum = dir.path().join("summary.csv");
    let o = run(
        SCORE,
        &[
            "--quiet",
            "--output-format",
            "jsonl",
            "--explain",
            "3",
            "-o",
            out.to_str().unwrap(),
            "--summary",
            sum.to_str().unwrap(),
            "corpus/articles/01-kharkiv-power-strikes.txt",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
    let rows: Vec<serde_json::Value> = std::fs::read_to_string(&out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let labelled = rows
        .iter()
        .find(|r| !r["labels"].as_array().unwrap().is_empty())
        .unwrap();
    let label = labelled["labels"][0].as_str().unwrap();
    assert!(labelled["scores"][label].as_f64().unwrap() > 0.0);
    assert!(!labelled["explain"][label].as_array().unwrap().is_empty());
    let summary = csv_rows(&std::fs::read_to_string(&sum).unwrap());
    assert_eq!(summary.len(), 1);
    assert_eq!(
        &summary[0][0],
        "corpus/articles/01-kharkiv-power-strikes.txt"
    );
    assert_eq!(summary[0][1].parse::<usize>().unwrap(), rows.len());
}

#[test]
fn record_unit_scores_presplit_csv_rows_whole() {
    let o = run(
        SCORE,
        &[
            "--quiet",
            "--unit",
            "record",
            "--id-field",
            "none",
            "corpus/test.csv",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let rows = csv_rows(&stdout(&o));
    let n = csv_rows(&std::fs::read_to_string(root().join("corpus/test.csv")).unwrap()).len();
    assert_eq!(rows.len(), n);
    assert!(rows.iter().all(|r| &r[1] == "0"));
}

#[test]
fn gzip_directory_and_stdin_inputs() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("nested")).unwrap();
    let f = std::fs::File::create(dir.path().join("nested/a.jsonl.gz")).unwrap();
    let mut gz = flate2::write::GzEncoder::new(f, flate2::Compression::fast());
    gz.write_all(b"{\"id\":\"g1\",\"text\":\"Shelling hit a hospital. Talks resume Monday.\"}\n")
        .unwrap();
    gz.finish().unwrap();
    write(dir.path(), "b.txt", b"Aid convoys reached the town.");
    let o = run(SCORE, &["--quiet", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let rows = csv_rows(&stdout(&o));
    let ids: Vec<&str> = rows.iter().map(|r| r.get(0).unwrap()).collect();
    assert_eq!(ids, ["b.txt", "g1", "g1"]);

    let mut child = Command::new(SCORE)
        .args(["--quiet", "--output-format", "jsonl", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"{\"id\":\"s\",\"text\":\"Drones struck Odesa overnight.\"}\n")
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("\"doc_id\":\"s\""));
}

#[test]
fn bad_records_are_reported_with_file_and_line_and_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let jsonl = write(
        dir.path(),
        "a.jsonl",
        b"{\"id\":\"ok\",\"text\":\"Troops shelled the town.\"}\n{broken\n{\"id\":\"x\",\"body\":\"no text\"}\n{\"id\":\"e\",\"text\":\"\"}\n{\"id\":\"u\",\"text\":\"caf\xe9 strike.\"}\n",
    );
    let csv = write(dir.path(), "b.csv", b"id,text\n1,\"unclosed\n");
    let bin = write(dir.path(), "c.txt", b"\x00\x01\x02\x03 binary");
    let o = run(SCORE, &["--quiet", &jsonl, &csv, &bin]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "skips give exit 1: {}",
        stderr(&o)
    );
    let err = stderr(&o);
    assert!(
        err.contains("a.jsonl:2") && err.contains("malformed JSON"),
        "{err}"
    );
    assert!(
        err.contains("a.jsonl:3") && err.contains("no field \"text\""),
        "{err}"
    );
    assert!(
        err.contains("a.jsonl:4") && err.contains("empty article"),
        "{err}"
    );
    assert!(err.contains("c.txt") && err.contains("binary"), "{err}");
    let ids: Vec<String> = csv_rows(&stdout(&o))
        .iter()
        .map(|r| r[0].to_string())
        .collect();
    assert!(ids.contains(&"ok".to_string()));
    // Invalid UTF-8 inside a JSON line is repaired, counted, and scored.
    let o2 = run(SCORE, &[&jsonl]);
    assert!(
        stderr(&o2).contains("2 articles, 2 sentences, 3 skipped, 1 repaired"),
        "{}",
        stderr(&o2)
    );
    assert!(
        err.contains("b.csv:2: a quoted field opens on this line"),
        "{err}"
    );
}

#[test]
fn bad_lines_are_reported_in_input_order_and_strict_sends_all_before_them() {
    let dir = tempfile::tempdir().unwrap();
    let jsonl = write(
        dir.path(),
        "a.jsonl",
        b"{\"id\":\"a\",\"text\":\"Talks resumed.\"}\n{\"id\":\"b\",\"text\":\"caf\xe9 talks.\"}\n\
          {\"id\":\"c\",\"text\":\"* * *\"}\n[1]\n{\"id\":\"d\",\"text\":5}\n{broken\n\
          {\"id\":\"e\",\"text\":\"After.\"}\n",
    );
    // Every item in input order: the repair and the empty record come
    // before the skips of the lines after them.
    let o = run(SCORE, &["--quiet", &jsonl]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let warnings: Vec<String> = stderr(&o)
        .lines()
        .filter(|l| l.starts_with("warning: "))
        .map(|l| {
            l.split(": ")
                .nth(1)
                .unwrap()
                .rsplit(':')
                .next()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(warnings, ["2", "3", "4", "5", "6"], "{}", stderr(&o));
    let err = stderr(&o);
    for want in [
        "a.jsonl:2: invalid UTF-8 replaced with U+FFFD",
        "a.jsonl:3: no sentence found",
        "a.jsonl:4: not a JSON object; skipped",
        "a.jsonl:5: field \"text\" is not a string; skipped",
        "a.jsonl:6: malformed JSON: key must be a string at line 1 column 2; skipped",
    ] {
        assert!(err.contains(want), "{want}: {err}");
    }
    let ids: Vec<String> = csv_rows(&stdout(&o))
        .iter()
        .map(|r| r[0].to_string())
        .collect();
    assert_eq!(ids, ["a", "b", "e"]);
    // --strict to standard output: the records before the first bad one
    // are all sent (also those in the same batch), none after it.
    let o = run(SCORE, &["--strict", &jsonl]);
    assert_eq!(o.status.code(), Some(1));
    let ids: Vec<String> = csv_rows(&stdout(&o))
        .iter()
        .map(|r| r[0].to_string())
        .collect();
    assert_eq!(ids, ["a", "b"], "{}", stderr(&o));
    assert!(
        stderr(&o).contains("a.jsonl:3: no sentence found"),
        "{}",
        stderr(&o)
    );
}

/// Rows are written a chunk of records at a time: across many chunks and
/// batches, every warning still comes in input order, the summary matches
/// the rows, and --strict sends every record before the first bad one
/// (also those earlier in its chunk) and none after it (also those later
/// in its chunk), whatever the thread count.
#[test]
fn long_files_keep_warnings_in_order_and_strict_stops_mid_chunk() {
    let dir = tempfile::tempdir().unwrap();
    // About 540 KB: several chunks and batches.
    let (records, bad_at) = (4000, 2777);
    let good = |i: usize| {
        format!(
            "{{\"id\":\"n{i}\",\"text\":\"Shelling hit the port at dawn, officials said. \
             Aid convoys waited for {i} hours at the crossing.\"}}\n"
        )
        .into_bytes()
    };
    // Line by line: Some(the id of its two rows), or None for a bad line.
    let mut long = Vec::new();
    let mut ids = Vec::new();
    let mut warned = Vec::new();
    for i in 0..records {
        if i % 397 == 5 {
            long.extend_from_slice(b"[1]\n");
            // Five skips for one reason are shown, the rest counted.
            if i / 397 < 5 {
                warned.push(i + 1);
            }
        } else if i % 331 == 7 {
            long.extend_from_slice(
                b"{\"id\":\"r\",\"text\":\"Caf\xe9 talks resumed. Aid waited.\"}\n",
            );
            ids.push("r".to_string());
            warned.push(i + 1);
        } else {
            long.extend_from_slice(&good(i));
            ids.push(format!("n{i}"));
        }
    }
    let long = write(dir.path(), "long.jsonl", &long);
    let mut strict = Vec::new();
    for i in 0..records {
        match i == bad_at {
            true => strict.extend_from_slice(b"{\"id\":\"bad\",\"text\":17}\n"),
            false => strict.extend_from_slice(&good(i)),
        }
    }
    let strict = write(dir.path(), "strict.jsonl", &strict);
    let ids_of = |o: &std::process::Output| -> Vec<String> {
        csv_rows(&stdout(o))
            .iter()
            .map(|r| r[0].to_string())
            .collect()
    };
    let twice = |ids: &[String]| -> Vec<String> {
        ids.iter().flat_map(|id| [id.clone(), id.clone()]).collect()
    };
    for threads in ["1", "2"] {
        let summary = dir.path().join(format!("summary{threads}.csv"));
        let o = run(
            SCORE,
            &[
                "--quiet",
                "--threads",
                threads,
                "--summary",
                summary.to_str().unwrap(),
                &long,
            ],
        );
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        let lines: Vec<usize> = stderr(&o)
            .lines()
            .filter(|l| l.starts_with("warning: ") && !l.contains("more records"))
            .map(|l| l.split(':').nth(2).unwrap().parse().unwrap())
            .collect();
        assert_eq!(lines, warned, "{}", stderr(&o));
        assert_eq!(ids_of(&o), twice(&ids), "{threads} threads");
        let summary_ids: Vec<String> = csv_rows(&std::fs::read_to_string(&summary).unwrap())
            .iter()
            .map(|r| r[0].to_string())
            .collect();
        assert_eq!(summary_ids, ids);

        let o = run(SCORE, &["--strict", "--threads", threads, &strict]);
        assert_eq!(o.status.code(), Some(1));
        let want = format!(
            "strict.jsonl:{}: field \"text\" is not a string",
            bad_at + 1
        );
        assert!(stderr(&o).contains(&want), "{}", stderr(&o));
        let before: Vec<String> = (0..bad_at).map(|i| format!("n{i}")).collect();
        let got = ids_of(&o);
        let last = format!("n{}", bad_at - 1);
        assert_eq!(
            (got.len(), got.last()),
            (2 * bad_at, Some(&last)),
            "{threads} threads"
        );
        assert!(got == twice(&before), "{threads} threads");
    }
}

#[test]
fn strict_mode_stops_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let jsonl = write(dir.path(), "a.jsonl", b"{\"text\":\"Fine.\"}\n{broken\n");
    let out = dir.path().join("out.csv");
    let o = run(SCORE, &["--strict", "-o", out.to_str().unwrap(), &jsonl]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("a.jsonl:2"));
    assert!(!out.exists(), "no partial output");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "temporary file left behind");
}

#[test]
fn unusable_models_are_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read(root().join("models/frametag-en.ftm")).unwrap();
    let mut corrupt = good.clone();
    let mid = corrupt.len() / 2;
    corrupt[mid] ^= 0xff;
    let mut version = good.clone();
    version[8] = 99;
    let cases: Vec<(String, &str)> = vec![
        (
            dir.path()
                .join("missing.ftm")
                .to_string_lossy()
                .into_owned(),
            "No such file",
        ),
        (write(dir.path(), "corrupt.ftm", &corrupt), "checksum"),
        (
            write(dir.path(), "short.ftm", &good[..good.len() / 3]),
            "truncated",
        ),
        (
            write(dir.path(), "version.ftm", &version),
            "written by a newer frametag: model format version 99",
        ),
        (
            write(dir.path(), "other.ftm", b"PK\x03\x04 not a model"),
            "not a frametag model",
        ),
    ];
    for (model, message) in cases {
        let out = dir.path().join("out.csv");
        let o = run(
            SCORE,
            &[
                "--model",
                &model,
                "-o",
                out.to_str().unwrap(),
                "corpus/articles",
            ],
        );
        assert_eq!(o.status.code(), Some(2), "{model}");
        assert!(stderr(&o).contains(message), "{model}: {}", stderr(&o));
        assert!(!out.exists());
    }
}

#[test]
fn usage_errors_exit_2() {
    let o = run(SCORE, &["--quiet", "no/such/path.txt"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no/such/path.txt"));
    let o = run(SCORE, &["--threads", "0", "corpus/articles"]);
    assert_eq!(o.status.code(), Some(2));
    let data = tiny_csv();
    for (flag, value, message) in [
        ("--char-ngrams", "2to5", "expected MIN-MAX"),
        ("--char-ngrams", "5-2", "character n-gram range"),
        ("--norm-power", "2", "norm power"),
    ] {
        let o = run(
            TRAIN,
            &["--data", &data, "--out", "unused.ftm", flag, value],
        );
        assert_eq!(o.status.code(), Some(2), "{flag} {value}");
        assert!(
            stderr(&o).contains(message),
            "{flag} {value}: {}",
            stderr(&o)
        );
    }
}

#[test]
fn closed_stdout_ends_quietly() {
    let big: String = std::fs::read_to_string(root().join("corpus/articles/articles.jsonl"))
        .unwrap()
        .repeat(40);
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "big.jsonl", big.as_bytes());
    let mut child = Command::new(SCORE)
        .args(["--quiet", &input])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut buf = [0u8; 100];
    child.stdout.as_mut().unwrap().read_exact(&mut buf).unwrap();
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "status {:?}: {}", o.status, stderr(&o));
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
}

#[test]
fn seed_article_is_split_sensibly() {
    let seed_dir = root().join("../shared/seeds");
    let Some(seed) = std::fs::read_dir(&seed_dir).ok().and_then(|d| {
        d.filter_map(Result::ok)
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|e| e == "txt"))
    }) else {
        eprintln!(
            "skipped: {} is absent (it is not part of the product)",
            seed_dir.display()
        );
        return;
    };
    let o = run(SCORE, &["--quiet", seed.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    let rows = csv_rows(&stdout(&o));
    let texts: Vec<&str> = rows.iter().map(|r| r.get(9).unwrap()).collect();
    assert!(
        texts.iter().any(|t| t.ends_with("peace.")),
        "run-on full stop not split"
    );
    assert!(
        texts.iter().any(|t| t.starts_with("U.S.Stance")),
        "U.S.Stance heading split"
    );
    assert!(texts.iter().all(|t| !t.contains("|---") && *t != "."));
    assert!(texts.iter().all(|t| !t.ends_with(" U.S.") || t.len() > 40));
}

// ---------------------------------------------------------------- trainer

fn tiny_csv() -> String {
    root()
        .join("tests/fixtures/tiny.csv")
        .to_string_lossy()
        .into_owned()
}

#[test]
fn trains_reports_and_saves_a_model_that_the_scorer_uses() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("m.ftm");
    let report = dir.path().join("r.json");
    let o = run(
        TRAIN,
        &[
            "--data",
            &tiny_csv(),
            "--test",
            &tiny_csv(),
            "--cv",
            "2",
            "--threshold-folds",
            "2",
            "--alpha",
            "0.1",
            "--out",
            model.to_str().unwrap(),
            "--report",
            report.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let printed = stdout(&o);
    for needle in [
        "precision",
        "recall",
        "support",
        "macro-F1",
        "cross-validation",
        "held-out test",
        "top n-grams",
    ] {
        assert!(printed.contains(needle), "missing {needle:?} in\n{printed}");
    }
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    for part in ["test", "cv"] {
        assert!(
            r[part]["micro_f1"].is_number() && r[part]["macro_f1"].is_number(),
            "{part}"
        );
        for label in [
            "blame-shifting",
            "escalation",
            "humanitarian",
            "security-guarantee",
        ] {
            for key in ["precision", "recall", "f1", "support"] {
                assert!(
                    r[part]["per_label"][label][key].is_number(),
                    "{part}/{label}/{key}"
                );
            }
        }
    }
    let o = run(
        SCORE,
        &[
            "--quiet",
            "--model",
            model.to_str().unwrap(),
            "corpus/articles/03-gaza-lebanon-aid-backlog.txt",
        ],
    );
    assert_eq!(o.status.code(), Some(0));
    assert!(csv_rows(&stdout(&o)).len() > 10);
}

#[test]
fn character_ngram_models_round_trip_through_the_scorer() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("m.ftm");
    let model = model.to_str().unwrap();
    let o = run(
        TRAIN,
        &[
            "--data",
            &tiny_csv(),
            "--char-ngrams",
            "3-4",
            "--alpha",
            "0.1",
            "--threshold",
            "0.01",
            "--out",
            model,
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // The saved settings switch character n-grams on for the scorer too: an
    // unseen inflection still scores through its pieces.
    let header = std::fs::read(model).unwrap();
    assert!(String::from_utf8_lossy(&header).contains("\"char_max\":4"));
    let input = write(
        dir.path(),
        "in.txt",
        b"Missilery strikes pounded the city.\n",
    );
    let o = run(
        SCORE,
        &["--quiet", "--model", model, "--explain", "20", &input],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains('<'), "{}", stdout(&o));
}

#[test]
fn same_data_and_seed_give_identical_model_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    // Three folds: one thread fits them one at a time, two threads two and
    // then one, three all at once; the fold models are summed in fold order
    // for the final fit's start whatever the order they finish in.
    for (name, threads) in [("a.ftm", "1"), ("b.ftm", "2"), ("c.ftm", "3")] {
        let p = dir.path().join(name);
        let o = run(
            TRAIN,
            &[
                "--data",
                &tiny_csv(),
                "--threshold-folds",
                "3",
                "--threads",
                threads,
                "--seed",
                "9",
                "--out",
                p.to_str().unwrap(),
            ],
        );
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        files.push(std::fs::read(p).unwrap());
    }
    assert_eq!(files[0], files[1]);
    assert_eq!(files[0], files[2]);
}

#[test]
fn cross_validation_and_reports_do_not_change_the_model_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("a.ftm");
    let with_cv = dir.path().join("b.ftm");
    let base = [
        "--data",
        &tiny_csv(),
        "--threshold-folds",
        "2",
        "--alpha",
        "0.1",
    ];
    let o = run(
        TRAIN,
        &[&base[..], &["--out", plain.to_str().unwrap()]].concat(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let report = dir.path().join("r.json");
    let extra = [
        "--cv",
        "2",
        "--report",
        report.to_str().unwrap(),
        "--out",
        with_cv.to_str().unwrap(),
    ];
    let o = run(TRAIN, &[&base[..], &extra[..]].concat());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        std::fs::read(plain).unwrap(),
        std::fs::read(with_cv).unwrap()
    );
}

#[test]
fn single_label_data_gives_a_multi_class_model() {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("text,labels\n");
    let words = [
        ("economic", "cost budget jobs prices"),
        ("legal", "court judge ruling law"),
        ("health", "hospital virus doctors care"),
    ];
    for i in 0..30 {
        let (label, w) = words[i % 3];
        csv.push_str(&format!(
            "\"Sentence {i} about {w} number {}\",{label}\n",
            i * 7
        ));
    }
    let data = write(dir.path(), "single.csv", csv.as_bytes());
    let model = dir.path().join("m.ftm");
    let o = run(
        TRAIN,
        &[
            "--data",
            &data,
            "--threshold-folds",
            "3",
            "--out",
            model.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("MultiClass"));
    let texts = write(
        dir.path(),
        "in.csv",
        b"text\nThe judge issued a ruling.\nDoctors at the hospital.\n",
    );
    let o = run(
        SCORE,
        &[
            "--quiet",
            "--unit",
            "record",
            "--model",
            model.to_str().unwrap(),
            &texts,
        ],
    );
    let rows = csv_rows(&stdout(&o));
    assert_eq!(rows.len(), 2);
    for r in rows {
        assert_eq!(r[4].split(';').count(), 1, "exactly one label: {r:?}");
    }
}

#[test]
fn trainer_bad_inputs_name_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("m.ftm");
    let out = out.to_str().unwrap();
    let cases: Vec<(String, Vec<&str>, &str)> = vec![
        (
            dir.path()
                .join("missing.csv")
                .to_string_lossy()
                .into_owned(),
            vec![],
            "missing.csv",
        ),
        (write(dir.path(), "empty.csv", b""), vec![], "empty"),
        (
            write(dir.path(), "nocol.csv", b"body,tags\nx,y\n"),
            vec![],
            "no column \"text\"",
        ),
        (
            write(
                dir.path(),
                "onlynone.csv",
                b"text,labels\na,\nb,none\nc,\nd,\n",
            ),
            vec![],
            "only one class",
        ),
        (
            write(
                dir.path(),
                "onelabel.csv",
                b"text,labels\na,x\nb,x\nc,x\nd,x\n",
            ),
            vec![],
            "only one class",
        ),
        (
            write(
                dir.path(),
                "unknown.csv",
                b"text,labels\na,x\nb,y\nc,x\nd,z\n",
            ),
            vec!["--labels", "x,y"],
            "unknown.csv:5",
        ),
        (
            write(dir.path(), "never.csv", b"text,labels\na,x\nb,\nc,x\nd,\n"),
            vec!["--labels", "x,y"],
            "\"y\" never occurs",
        ),
    ];
    for (data, extra, message) in cases {
        let mut args = vec!["--data", data.as_str(), "--out", out];
        args.extend(extra);
        let o = run(TRAIN, &args);
        assert_ne!(o.status.code(), Some(0), "{data}");
        assert!(stderr(&o).contains(message), "{data}: {}", stderr(&o));
        assert!(!Path::new(out).exists());
    }
}

#[test]
fn trainer_counts_skipped_rows_and_repairs() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = std::fs::read(root().join("tests/fixtures/tiny.csv")).unwrap();
    bytes.extend_from_slice(b"21,,escalation,c\n22,\"bad \xff utf8\",escalation,c\n23,Talks ended.,  none ; ,c\n24,Missiles hit.,escalation;escalation,c\n");
    let data = write(dir.path(), "t.csv", &bytes);
    let out = dir.path().join("m.ftm");
    let o = run(
        TRAIN,
        &[
            "--data",
            &data,
            "--threshold-folds",
            "2",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("2 skipped"), "{err}");
    assert!(err.contains("t.csv:22: empty text"), "{err}");
    assert!(err.contains("t.csv:23: invalid UTF-8"), "{err}");
    assert!(
        err.contains("t.csv:25") && err.contains("duplicate label"),
        "{err}"
    );
}

#[test]
fn trainer_refuses_a_model_no_better_than_the_majority() {
    let dir = tempfile::tempdir().unwrap();
    // Labels unrelated to the words: nothing to learn.
    let mut csv = String::from("text,labels\n");
    for i in 0..40 {
        let label = if i % 5 == 0 { "x" } else { "" };
        csv.push_str(&format!("common words here {},{}\n", i % 3, label));
    }
    let data = write(dir.path(), "noise.csv", csv.as_bytes());
    let out = dir.path().join("m.ftm");
    let o = run(
        TRAIN,
        &[
            "--data",
            &data,
            "--threshold",
            "0.5",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("majority"), "{}", stderr(&o));
    assert!(!out.exists());
}

// ------------------------------------------------- stand-off annotations

/// The scorer's rows for the sample articles, labelled with the model's own
/// labels (a stand-in for an annotator), as (doc_id, start, end, text,
/// labels).
fn sample_rows() -> Vec<(String, String, String, String, String)> {
    let o = run(SCORE, &["--quiet", "corpus/articles/articles.jsonl"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    csv_rows(&stdout(&o))
        .iter()
        .map(|r| {
            (
                r[0].to_string(),
                r[2].to_string(),
                r[3].to_string(),
                r[9].to_string(),
                r[4].to_string(),
            )
        })
        .collect()
}

fn csv_text(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header).unwrap();
    for r in rows {
        w.write_record(&r).unwrap();
    }
    w.into_inner().unwrap()
}

fn sha16(s: &str) -> String {
    frametag::io::sentence_checksum(s)
}

#[test]
fn standoff_rows_train_the_same_model_as_the_text_they_point_to() {
    let dir = tempfile::tempdir().unwrap();
    let rows = sample_rows();
    let standoff = write(
        dir.path(),
        "so.csv",
        &csv_text(
            &["doc_id", "start", "end", "checksum", "labels", "note"],
            rows.iter().map(|(d, s, e, t, l)| {
                vec![
                    d.clone(),
                    s.clone(),
                    e.clone(),
                    sha16(t),
                    l.clone(),
                    "x".into(),
                ]
            }),
        ),
    );
    let text = write(
        dir.path(),
        "text.csv",
        &csv_text(
            &["text", "labels"],
            rows.iter()
                .map(|(_, _, _, t, l)| vec![t.clone(), l.clone()]),
        ),
    );
    let model = |data: &str, name: &str| {
        let out = dir.path().join(name).to_string_lossy().into_owned();
        let o = run(
            TRAIN,
            &[
                "--data",
                data,
                "--articles",
                "corpus/articles/articles.jsonl",
                "--alpha",
                "0.1",
                "--char-ngrams",
                "off",
                "--out",
                &out,
            ],
        );
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert!(
            stderr(&o).contains(&format!("{} rows used, 0 skipped", rows.len())),
            "{}",
            stderr(&o)
        );
        out
    };
    let a = model(&standoff, "a.ftm");
    let b = model(&text, "b.ftm");
    let scores = |m: &str| {
        let o = run(
            SCORE,
            &["--quiet", "--model", m, "corpus/articles/articles.jsonl"],
        );
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        stdout(&o)
    };
    assert_eq!(scores(&a), scores(&b));
}

#[test]
fn standoff_rows_that_do_not_match_are_skipped_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let rows = sample_rows();
    let mut table: Vec<Vec<String>> = rows
        .iter()
        .map(|(d, s, e, t, l)| vec![d.clone(), s.clone(), e.clone(), sha16(t), l.clone()])
        .collect();
    // Line 3: an article that is not there; line 4: a checksum that does
    // not match (the article changed since it was annotated).
    table[1][0] = "no-such-article".into();
    table[2][3] = "0123456789abcdef".into();
    let so = write(
        dir.path(),
        "so.csv",
        &csv_text(&["doc_id", "start", "end", "checksum", "labels"], table),
    );
    let out = dir.path().join("m.ftm").to_string_lossy().into_owned();
    let args = [
        "--data",
        &so,
        "--articles",
        "corpus/articles",
        "--alpha",
        "0.1",
        "--char-ngrams",
        "off",
        "--out",
        &out,
    ];
    let o = run(TRAIN, &args);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(
        err.contains(&format!("{} rows used, 2 skipped", rows.len() - 2)),
        "{err}"
    );
    assert!(
        err.contains("so.csv:3: article \"no-such-article\" not found"),
        "{err}"
    );
    assert!(
        err.contains("so.csv:4: ") && err.contains("does not match the checksum"),
        "{err}"
    );
    let mut strict = args.to_vec();
    strict.push("--strict");
    let _ = std::fs::remove_file(&out);
    let o = run(TRAIN, &strict);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("so.csv:3: article"), "{}", stderr(&o));
    assert!(!Path::new(&out).exists());
    // Without the articles, a stand-off file is refused up front.
    let o = run(TRAIN, &["--data", &so, "--out", &out]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("--articles"), "{}", stderr(&o));
}

#[test]
fn suggestions_are_a_standoff_csv_that_trains_after_labelling() {
    let dir = tempfile::tempdir().unwrap();
    let sug = |threads: &str, extra: &[&str]| {
        let mut args = vec![
            "--quiet",
            "--suggest",
            "12",
            "--suggest-random",
            "0.25",
            "--threads",
            threads,
            "corpus/articles/articles.jsonl",
        ];
        args.extend_from_slice(extra);
        let o = run(SCORE, &args);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        stdout(&o)
    };
    let out = sug("1", &[]);
    assert_eq!(out, sug("2", &[]), "suggestions depend on the thread count");
    assert_ne!(
        out,
        sug("1", &["--seed", "7"]),
        "the seed changes the random share"
    );
    assert_eq!(
        out.lines().next().unwrap(),
        "doc_id,sent_idx,start,end,checksum,labels,selection,margin,blame-shifting,escalation,humanitarian,security-guarantee,text"
    );
    let rows = csv_rows(&out);
    assert_eq!(rows.len(), 12);
    assert_eq!(rows.iter().filter(|r| &r[6] == "random").count(), 3);
    let mut per_article = std::collections::HashMap::new();
    let articles: Vec<serde_json::Value> =
        std::fs::read_to_string(root().join("corpus/articles/articles.jsonl"))
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
    for r in &rows {
        assert_eq!(&r[5], "", "labels are left to fill in");
        let text = articles.iter().find(|a| a["id"] == r[0]).unwrap()["text"]
            .as_str()
            .unwrap()
            .to_string();
        let (s, e): (usize, usize) = (r[2].parse().unwrap(), r[3].parse().unwrap());
        assert_eq!(&text[s..e], &r[12]);
        assert_eq!(&r[4], sha16(&r[12]));
        *per_article.entry(r[0].to_string()).or_insert(0) += 1;
    }
    assert!(per_article.values().all(|&n| n <= 3), "{per_article:?}");
    // Already labelled sentences are left out of the next round.
    let first = write(dir.path(), "round1.csv", out.as_bytes());
    let next = csv_rows(&sug("1", &["--exclude", &first]));
    assert!(next
        .iter()
        .all(|n| !rows.iter().any(|r| r[0] == n[0] && r[2] == n[2])));
    // Labelled, the suggestions train a model (stand-off, with the text
    // column present but the articles given).
    let labelled: Vec<Vec<String>> = rows
        .iter()
        .chain(&next)
        .map(|r| {
            let mut v: Vec<String> = r.iter().map(str::to_string).collect();
            v[5] = if r[12].to_lowercase().contains("attack") || r[12].contains("strike") {
                "escalation".into()
            } else {
                String::new()
            };
            v
        })
        .collect();
    let header: Vec<String> = csv::Reader::from_reader(out.as_bytes())
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let so = write(dir.path(), "labelled.csv", &csv_text(&header, labelled));
    let m = dir.path().join("m.ftm").to_string_lossy().into_owned();
    let o = run(
        TRAIN,
        &[
            "--data",
            "tests/fixtures/tiny.csv",
            "--data",
            &so,
            "--articles",
            "corpus/articles/articles.jsonl",
            "--alpha",
            "0.1",
            "--char-ngrams",
            "off",
            "--out",
            &m,
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("labelled.csv: 24 rows used, 0 skipped"),
        "{}",
        stderr(&o)
    );
}

// ------------------------------------------- nothing lost, nothing clobbered

#[test]
fn an_unterminated_quote_skips_one_record_and_keeps_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "uq.csv",
        b"id,text\n1,Good one.\n2,\"Unterminated\n3,Row three.\n4,\"Row, four.\"\n",
    );
    let o = run(SCORE, &["--quiet", &p]);
    assert_eq!(o.status.code(), Some(1), "a skip exits 1");
    let ids: Vec<String> = csv_rows(&stdout(&o))
        .iter()
        .map(|r| r[0].to_string())
        .collect();
    assert_eq!(ids, ["1", "3", "4"]);
    assert!(
        stderr(&o)
            .contains("uq.csv:3: a quoted field opens on this line and is never properly closed"),
        "{}",
        stderr(&o)
    );
    let o = run(SCORE, &["--quiet", "--strict", &p]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("uq.csv:3:"), "{}", stderr(&o));
    // The trainer: one row skipped with its line, every other row used.
    let t = write(
        dir.path(),
        "t.csv",
        b"text,labels\nA strike hit a depot.,escalation\n\"Open quote,\nTalks resume.,\nShelling hit Kharkiv.,escalation\nAid arrived.,humanitarian\n",
    );
    let out = dir.path().join("m.ftm").to_string_lossy().into_owned();
    let o = run(
        TRAIN,
        &[
            "--data",
            &t,
            "--alpha",
            "0.1",
            "--char-ngrams",
            "off",
            "--out",
            &out,
        ],
    );
    let err = stderr(&o);
    assert!(err.contains("t.csv: 4 rows used, 1 skipped"), "{err}");
    assert!(
        err.contains("t.csv:3: a quoted field opens on this line"),
        "{err}"
    );
}

/// A large JSONL input made of the sample articles repeated.
fn big_input(dir: &Path, times: usize) -> String {
    let big = std::fs::read_to_string(root().join("corpus/articles/articles.jsonl"))
        .unwrap()
        .repeat(times);
    write(dir, "big.jsonl", big.as_bytes())
}

/// Runs `bin` with `args`, reads `n` bytes of its output and closes it.
fn run_closing_stdout_after(bin: &str, args: &[&str], n: usize) -> Output {
    let mut child = Command::new(bin)
        .args(args)
        .current_dir(root())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut buf = vec![0u8; n];
    child.stdout.as_mut().unwrap().read_exact(&mut buf).unwrap();
    drop(child.stdout.take());
    child.wait_with_output().unwrap()
}

#[test]
fn outputs_replace_only_regular_files_and_never_an_input() {
    let dir = tempfile::tempdir().unwrap();
    let input = "corpus/articles/01-kharkiv-power-strikes.txt";
    // A device is written through, not replaced.
    let o = run(SCORE, &["--quiet", input, "-o", "/dev/null"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    use std::os::unix::fs::FileTypeExt;
    assert!(std::fs::metadata("/dev/null")
        .unwrap()
        .file_type()
        .is_char_device());
    // A symlink is followed: its target gets the rows, the link stays.
    let target = dir.path().join("rows.csv");
    std::fs::write(&target, "old").unwrap();
    let link = dir.path().join("link.csv");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let o = run(SCORE, &["--quiet", input, "-o", link.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(std::fs::read_to_string(&target)
        .unwrap()
        .starts_with("doc_id,"));
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    // A FIFO is written into, and stays a FIFO.
    let fifo = dir.path().join("pipe");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let o = run(SCORE, &["--quiet", input, "-o", fifo.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(reader.join().unwrap().starts_with("doc_id,"));
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
    // An output that is an input, or two outputs on one file, are refused
    // before anything is written.
    let copy = write(dir.path(), "in.txt", b"Shelling hit the port.");
    let o = run(SCORE, &[&copy, "-o", &copy]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("is also an input"), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(&copy).unwrap(),
        "Shelling hit the port."
    );
    let same = dir.path().join("x.csv").to_string_lossy().into_owned();
    let o = run(SCORE, &[input, "-o", &same, "--summary", &same]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("same file"), "{}", stderr(&o));
    let o = run(
        TRAIN,
        &[
            "--data",
            "tests/fixtures/tiny.csv",
            "--out",
            "tests/fixtures/tiny.csv",
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        std::fs::read_to_string(root().join("tests/fixtures/tiny.csv"))
            .unwrap()
            .starts_with("id,text")
    );
}

#[test]
fn a_missing_output_folder_fails_before_training() {
    let o = run(
        TRAIN,
        &[
            "--data",
            "corpus/train.csv",
            "--out",
            "/nonexistent-folder/m.ftm",
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("/nonexistent-folder/m.ftm"), "{err}");
    assert!(
        !err.contains("training on"),
        "training started before the check: {err}"
    );
}

#[test]
fn a_summary_is_not_written_when_the_rows_are_cut_short() {
    let dir = tempfile::tempdir().unwrap();
    let input = big_input(dir.path(), 200);
    let summary = dir.path().join("s.csv");
    let o = run_closing_stdout_after(
        SCORE,
        &["--quiet", &input, "--summary", summary.to_str().unwrap()],
        200,
    );
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stderr(&o).contains("summary"), "{}", stderr(&o));
    assert!(!summary.exists(), "a partial summary was written");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "only the input remains");
}

#[test]
fn the_trainer_report_survives_a_closed_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("m.ftm");
    let r = dir.path().join("r.json");
    let o = run_closing_stdout_after(
        TRAIN,
        &[
            "--data",
            "tests/fixtures/tiny.csv",
            "--alpha",
            "0.1",
            "--char-ngrams",
            "off",
            "--out",
            m.to_str().unwrap(),
            "--report",
            r.to_str().unwrap(),
        ],
        10,
    );
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(m.exists() && r.exists());
}

#[test]
fn a_record_with_no_sentence_is_counted_as_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "a.jsonl",
        "{\"id\":\"a\",\"text\":\"Talks resumed.\"}\n{\"id\":\"b\",\"text\":\"* * *\"}\n{\"id\":\"c\",\"text\":\"\u{200b}\"}\n".as_bytes(),
    );
    let o = run(SCORE, &[&p]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("a.jsonl:2: no sentence found"), "{err}");
    assert!(err.contains("a.jsonl:3: no sentence found"), "{err}");
    assert!(err.contains("1 articles, 1 sentences, 2 skipped"), "{err}");
}

#[test]
fn a_terminated_run_leaves_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let input = big_input(dir.path(), 2000);
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let out = out_dir.join("rows.csv");
    let child = Command::new(SCORE)
        .args(["--quiet", &input, "-o", out.to_str().unwrap()])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the temporary output exists, then stop the run.
    let started = std::time::Instant::now();
    while std::fs::read_dir(&out_dir).unwrap().count() == 0
        && started.elapsed() < std::time::Duration::from_secs(20)
    {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    assert!(Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap()
        .success());
    let status = child.wait_with_output().unwrap().status;
    assert_eq!(status.code(), Some(130), "{status:?}");
    let left: Vec<_> = std::fs::read_dir(&out_dir).unwrap().collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[test]
fn json_files_boms_and_empty_runs() {
    let dir = tempfile::tempdir().unwrap();
    let arr = write(
        dir.path(),
        "a.json",
        b"[{\"id\":\"x\",\"text\":\"Shelling hit the port.\"},{\"id\":\"y\",\"body\":\"no text\"}]",
    );
    let o = run(SCORE, &["--quiet", &arr]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(csv_rows(&stdout(&o))[0][0].to_string(), "x");
    assert!(
        stderr(&o).contains("a.json[1]: no field \"text\""),
        "{}",
        stderr(&o)
    );
    let lines = write(
        dir.path(),
        "l.json",
        b"{\"id\":\"z\",\"text\":\"Talks resumed.\"}\n",
    );
    let o = run(SCORE, &["--quiet", &lines]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(csv_rows(&stdout(&o))[0][0].to_string(), "z");
    // A byte-order mark is dropped everywhere: offsets start after it.
    let txt = write(dir.path(), "b.txt", b"\xef\xbb\xbfTalks resumed.");
    let jsonl = write(
        dir.path(),
        "b.jsonl",
        b"\xef\xbb\xbf{\"id\":\"j\",\"text\":\"Talks resumed.\"}\n",
    );
    let csv = write(
        dir.path(),
        "b.csv",
        b"\xef\xbb\xbfid,text\nc,Talks resumed.\n",
    );
    let o = run(SCORE, &["--quiet", &txt, &jsonl, &csv]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let rows = csv_rows(&stdout(&o));
    assert_eq!(rows.len(), 3);
    for r in &rows {
        assert_eq!((&r[2], &r[3], &r[9]), ("0", "14", "Talks resumed."));
    }
    let mut child = Command::new(SCORE)
        .args(["--quiet", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"\xef\xbb\xbf{\"id\":\"s\",\"text\":\"Talks resumed.\"}\n")
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(csv_rows(&stdout(&o))[0][0].to_string(), "s");
    // Nothing scored is an error, not "0 articles" and success.
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let o = run(SCORE, &[empty.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("nothing was scored"), "{}", stderr(&o));
    let bad = write(dir.path(), "bad.jsonl", b"{oops\n");
    let o = run(SCORE, &[&bad]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("nothing was scored"), "{}", stderr(&o));
}

#[test]
fn a_directory_with_symlink_loops_and_a_fifo_is_walked_once() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), "Talks resumed.").unwrap();
    std::os::unix::fs::symlink(".", dir.path().join("again")).unwrap();
    std::os::unix::fs::symlink(".", dir.path().join("more")).unwrap();
    assert!(Command::new("mkfifo")
        .arg(dir.path().join("pipe.txt"))
        .status()
        .unwrap()
        .success());
    let o = run(SCORE, &[dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(csv_rows(&stdout(&o)).len(), 1, "each article once");
    let err = stderr(&o);
    assert!(err.contains("symbolic link loop"), "{err}");
    assert!(err.contains("not a regular file"), "{err}");
    assert!(err.contains("1 articles, 1 sentences, 3 skipped"), "{err}");
}

#[test]
fn a_device_as_model_and_absurd_thread_counts_are_refused_at_once() {
    let o = run(
        SCORE,
        &[
            "--model",
            "/dev/zero",
            "corpus/articles/01-kharkiv-power-strikes.txt",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("not a frametag model"),
        "{}",
        stderr(&o)
    );
    for bin in [SCORE, TRAIN] {
        let args: &[&str] = if bin == SCORE {
            &[
                "--threads",
                "20000",
                "corpus/articles/01-kharkiv-power-strikes.txt",
            ]
        } else {
            &[
                "--threads",
                "20000",
                "--data",
                "tests/fixtures/tiny.csv",
                "--out",
                "/dev/null",
            ]
        };
        let o = run(bin, args);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains("expected 1 to 1024"), "{}", stderr(&o));
    }
}

#[test]
fn common_input_mistakes_get_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    // Labels joined by commas: refused with the flag that reads them.
    let commas = write(
        dir.path(),
        "c.csv",
        b"text,labels\nA strike hit a depot.,\"escalation,humanitarian\"\nTalks resume.,\nShelling hit Kharkiv.,escalation\nAid arrived.,humanitarian\nMore shelling.,escalation\nFood aid came.,humanitarian\n",
    );
    let out = dir.path().join("m.ftm").to_string_lossy().into_owned();
    let o = run(TRAIN, &["--data", &commas, "--alpha", "0.1", "--out", &out]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("--label-separator ','"),
        "{}",
        stderr(&o)
    );
    let o = run(
        TRAIN,
        &[
            "--data",
            &commas,
            "--label-separator",
            ",",
            "--alpha",
            "0.1",
            "--char-ngrams",
            "off",
            "--out",
            &out,
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // Labels differing in case: kept apart, with a note.
    let case = write(
        dir.path(),
        "k.csv",
        b"text,labels\nA strike hit a depot.,Escalation\nTalks resume.,\nShelling hit Kharkiv.,escalation\nAid arrived.,humanitarian\nMore shelling.,escalation\nFood aid came.,humanitarian\nTalks again.,\n",
    );
    let o = run(
        TRAIN,
        &[
            "--data",
            &case,
            "--alpha",
            "0.1",
            "--char-ngrams",
            "off",
            "--out",
            &out,
        ],
    );
    assert!(
        stderr(&o).contains("\"Escalation\" and \"escalation\" differ only in case"),
        "{}",
        stderr(&o)
    );
    // A wrong --text-field names the fields there are, a few times only.
    let jsonl: String = (0..40)
        .map(|i| format!("{{\"id\":{i},\"body\":\"Talks.\"}}\n"))
        .collect();
    let p = write(dir.path(), "a.jsonl", jsonl.as_bytes());
    let o = run(SCORE, &[&p]);
    let err = stderr(&o);
    assert!(
        err.contains("no field \"text\" (fields: body, id; see --text-field)"),
        "{err}"
    );
    assert_eq!(err.matches("a.jsonl:").count(), 5, "{err}");
    assert!(
        err.contains("35 more records skipped for the same reason"),
        "{err}"
    );
    // A TSV named .csv, and an empty CSV.
    let tsv = write(dir.path(), "t.csv", b"id\ttext\n1\tTalks resumed.\n");
    let o = run(SCORE, &[&tsv]);
    assert!(
        stderr(&o).contains("pass --delimiter tab"),
        "{}",
        stderr(&o)
    );
    let o = run(SCORE, &["--quiet", "--delimiter", "tab", &tsv]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let empty = write(dir.path(), "e.csv", b"");
    let o = run(SCORE, &[&empty]);
    assert!(
        stderr(&o).contains("e.csv:1: empty CSV file (no header); skipped"),
        "{}",
        stderr(&o)
    );
    // --unit record on whole articles.
    let o = run(
        SCORE,
        &[
            "--quiet",
            "--unit",
            "record",
            "corpus/articles/articles.jsonl",
        ],
    );
    assert!(stderr(&o).contains("leave --unit out"), "{}", stderr(&o));
    let o = run(
        SCORE,
        &["--quiet", "--unit", "record", "tests/fixtures/tiny.csv"],
    );
    assert!(!stderr(&o).contains("leave --unit out"), "{}", stderr(&o));
}

#[test]
fn records_over_the_size_cap_are_skipped_and_the_rest_read() {
    let dir = tempfile::tempdir().unwrap();
    let big = "Shelling hit the port. ".repeat(60_000); // 1.4 MB
    let jsonl = format!(
        "{{\"id\":\"big\",\"text\":\"{big}\"}}\n{{\"id\":\"small\",\"text\":\"Talks resumed.\"}}\n"
    );
    let p = write(dir.path(), "a.jsonl", jsonl.as_bytes());
    let t = write(dir.path(), "big.txt", big.as_bytes());
    let c = write(
        dir.path(),
        "a.csv",
        format!("id,text\nbig,{big}\nsmall,Talks resumed.\n").as_bytes(),
    );
    let o = run(SCORE, &["--quiet", "--max-record-mb", "1", &p, &t, &c]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let ids: Vec<String> = csv_rows(&stdout(&o))
        .iter()
        .map(|r| r[0].to_string())
        .collect();
    assert_eq!(ids, ["small", "small"]);
    let err = stderr(&o);
    for at in ["a.jsonl:1:", "big.txt:", "a.csv:2:"] {
        assert!(
            err.contains(&format!("{at} record larger than 1 MiB")),
            "{at}: {err}"
        );
    }
    let o = run(SCORE, &["--quiet", &p]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn write_failures_truncated_gzip_and_strict_to_stdout_say_what_happened() {
    let dir = tempfile::tempdir().unwrap();
    // A full disk: exit 3, its own status.
    let o = run(
        SCORE,
        &[
            "--quiet",
            "corpus/articles/articles.jsonl",
            "-o",
            "/dev/full",
        ],
    );
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stderr(&o).contains("writing output"), "{}", stderr(&o));
    // A truncated .gz: the records read are scored, the loss is reported.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let body = std::fs::read(root().join("corpus/articles/articles.jsonl")).unwrap();
    gz.write_all(&body).unwrap();
    let bytes = gz.finish().unwrap();
    let p = write(dir.path(), "cut.jsonl.gz", &bytes[..bytes.len() * 2 / 3]);
    let o = run(SCORE, &["--quiet", &p]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("unknown number of records"),
        "{}",
        stderr(&o)
    );
    assert!(!csv_rows(&stdout(&o)).is_empty());
    // --strict to standard output: what was sent before the bad record
    // stays sent (the README says so); here, the header.
    let jsonl = write(dir.path(), "a.jsonl", b"{broken\n{\"text\":\"Fine.\"}\n");
    let o = run(SCORE, &["--strict", &jsonl]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stdout(&o).lines().count(),
        1,
        "only the header: {}",
        stdout(&o)
    );
}
