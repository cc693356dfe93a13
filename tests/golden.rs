//! Golden tests: segmentation of a quirky article, and a saved model's
//! bytes and scores. Regenerate after an intended change with
//! `UPDATE_GOLDEN=1 cargo test --test golden` and review the diff.

use std::path::{Path, PathBuf};

use frametag::model::{train, Penalty, TrainConfig};
use frametag::{Columns, FrameModel, LabeledData, Segmenter};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn check_golden(path: &Path, actual: &[u8]) {
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(path, actual).unwrap();
        return;
    }
    let expected = std::fs::read(path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with UPDATE_GOLDEN=1 to create)",
            path.display()
        )
    });
    if expected != actual {
        let shown = String::from_utf8_lossy(actual);
        panic!(
            "{} differs from the output:\n{}\n(rerun with UPDATE_GOLDEN=1 if the change is intended)",
            path.display(),
            if shown.len() > 4000 { &shown[..4000] } else { &shown }
        );
    }
}

#[test]
fn quirks_article_segmentation_is_stable() {
    let text = std::fs::read_to_string(root().join("tests/fixtures/quirks.txt")).unwrap();
    let mut out = String::new();
    for s in Segmenter::new().split(&text) {
        out.push_str(&format!(
            "{}..{} {:?} | {}\n",
            s.start,
            s.end,
            s.kind,
            s.text(&text).replace('\n', "\\n")
        ));
    }
    check_golden(
        &root().join("tests/golden/quirks.sentences.txt"),
        out.as_bytes(),
    );
}

#[test]
fn quirks_article_has_each_rule_applied() {
    let text = std::fs::read_to_string(root().join("tests/fixtures/quirks.txt")).unwrap();
    let sentences: Vec<&str> = Segmenter::new()
        .split(&text)
        .iter()
        .map(|s| s.text(&text))
        .collect();
    // "peace.The" is split; "U.S.Stance" is not.
    assert!(
        sentences.iter().any(|s| s.ends_with("peace.")),
        "{sentences:#?}"
    );
    assert!(sentences.iter().any(|s| s.contains("U.S.Stance")));
    // No sentence is a lone separator or punctuation line.
    assert!(sentences.iter().all(|s| !s.starts_with("|-") && *s != "."));
    // No sentence ends right after a title or initial.
    for s in &sentences {
        for abbr in ["Mr.", "Dr.", "Gen.", "Sen.", " F."] {
            assert!(!s.ends_with(abbr), "split after {abbr}: {s:?}");
        }
    }
}

fn tiny_model() -> FrameModel {
    let data = LabeledData::read_csv(&root().join("tests/fixtures/tiny.csv"), &Columns::default())
        .unwrap();
    let config = TrainConfig {
        penalty: Penalty::Fixed(0.1),
        inner_folds: 2,
        seed: 7,
        ..TrainConfig::default()
    };
    train(&data, &config).unwrap().0
}

#[test]
fn saved_model_bytes_are_stable() {
    check_golden(
        &root().join("tests/golden/tiny.ftm"),
        &tiny_model().to_bytes(),
    );
}

#[test]
fn golden_model_loads_and_scores_as_recorded() {
    // A model written by an earlier build must still load and score the same.
    check_scores("tiny.ftm", "tiny.scores.txt");
}

#[test]
fn format_version_1_files_still_load_and_score_the_same() {
    // tiny-v1.ftm is a tiny model as format version 1 wrote it; its scores
    // were recorded when tiny.ftm held the same weights as format version 2
    // (tiny.ftm has been retrained since, so it has scores of its own).
    let v1 = std::fs::read(root().join("tests/golden/tiny-v1.ftm")).unwrap();
    assert_eq!(&v1[8..12], &1u32.to_le_bytes());
    check_scores("tiny-v1.ftm", "tiny-v1.scores.txt");
    let v2 = std::fs::read(root().join("tests/golden/tiny.ftm")).unwrap();
    assert_eq!(&v2[8..12], &frametag::model::FORMAT_VERSION.to_le_bytes());
}

#[test]
fn model_from_before_norm_power_keeps_plain_l2_rows() {
    // Written before `norm_power` existed: its header has no such field, so
    // it must load as plain L2 normalisation and score exactly as it did.
    check_scores("tiny-l2.ftm", "tiny-l2.scores.txt");
}

fn check_scores(model: &str, scores: &str) {
    let model = FrameModel::load(&root().join("tests/golden").join(model)).unwrap();
    let mut scorer = model.scorer();
    let mut out = String::new();
    for text in [
        "Missiles struck the city and killed civilians.",
        "Moscow blamed Kyiv for the failed talks.",
        "The summit takes place next month.",
    ] {
        let mut scores = vec![0.0; model.labels().len()];
        scorer.score(text, &mut scores);
        let s: Vec<String> = scores.iter().map(|x| format!("{x:.5}")).collect();
        out.push_str(&format!("{} | {}\n", s.join(" "), text));
    }
    check_golden(&root().join("tests/golden").join(scores), out.as_bytes());
}
