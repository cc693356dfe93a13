//! Renders each HTML report in headless Chromium: the page must load with
//! no console messages, and every chart must be present, laid out and
//! drawn (not an empty box). Skips, saying why, where no Chromium is
//! installed (`.ci/run` installs Debian's `chromium`).
//!
//! Set `FRAMETAG_SCREENSHOTS=DIR` to also save a screenshot of each report
//! there (the README's pictures are made so).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const SCORE: &str = env!("CARGO_BIN_EXE_frametag-score");
const TRAIN: &str = env!("CARGO_BIN_EXE_frametag-train");

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn run(bin: &str, args: &[&str]) -> Output {
    let o = Command::new(bin)
        .args(args)
        .current_dir(root())
        .output()
        .expect("binary runs");
    assert_eq!(
        o.status.code(),
        Some(0),
        "{bin} {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The Chromium binary, or why there is none.
fn chromium() -> Result<PathBuf, String> {
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        let found = std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|d| d.join(name))
                .find(|p| p.is_file())
        });
        if let Some(p) = found {
            return Ok(p);
        }
    }
    Err("no chromium, chromium-browser or google-chrome on PATH (apt-get install chromium)".into())
}

/// Appended to a copy of the page: measures every chart after layout and
/// writes the result into the DOM that `--dump-dom` prints.
const PROBE: &str = r#"<script>
(function () {
  var svgs = document.querySelectorAll('svg');
  var out = [];
  for (var i = 0; i < svgs.length; i++) {
    var s = svgs[i], box = s.getBoundingClientRect();
    var marks = s.querySelectorAll('path,polyline,polygon,rect,circle,line').length;
    var texts = s.querySelectorAll('text').length;
    var ok = box.width > 50 && box.height > 50 && marks > 3 && texts > 0;
    out.push((ok ? 'ok' : 'EMPTY') + ' ' + Math.round(box.width) + 'x' + Math.round(box.height) + ' marks=' + marks);
  }
  var pre = document.createElement('pre');
  pre.id = 'chart-probe';
  pre.textContent = svgs.length + '\n' + out.join('\n');
  document.body.appendChild(pre);
})();
</script>"#;

/// What rendering a page showed.
#[derive(Debug)]
struct Rendered {
    /// Console messages (any is a failure: the reports run no scripts).
    console: Vec<String>,
    /// One line per chart: "ok ..." or "EMPTY ...".
    charts: Vec<String>,
}

fn render(browser: &Path, page: &Path) -> Rendered {
    let dir = tempfile::tempdir().unwrap();
    let probe = dir.path().join("probe.html");
    let html = std::fs::read_to_string(page).unwrap();
    let with_probe = match html.rfind("</body>") {
        Some(i) => format!("{}{PROBE}{}", &html[..i], &html[i..]),
        None => format!("{html}{PROBE}"),
    };
    std::fs::write(&probe, with_probe).unwrap();
    let profile = dir.path().join("profile");
    let o = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1300,900",
            "--virtual-time-budget=5000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", probe.display()))
        .output()
        .expect("chromium runs");
    let dom = String::from_utf8_lossy(&o.stdout).into_owned();
    let log = String::from_utf8_lossy(&o.stderr);
    let console = log
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(String::from)
        .collect();
    // The probe's result, not its source (which --dump-dom prints too).
    let mark = "<pre id=\"chart-probe\">";
    let start = dom
        .find(mark)
        .unwrap_or_else(|| panic!("the probe did not run; chromium said:\n{log}"))
        + mark.len();
    let block = &dom[start..];
    let block = &block[..block.find("</pre>").expect("probe ends")];
    Rendered {
        console,
        charts: block.lines().skip(1).map(String::from).collect(),
    }
}

fn screenshot(browser: &Path, page: &Path, name: &str, height: u32) {
    let Some(dir) = std::env::var_os("FRAMETAG_SCREENSHOTS") else {
        return;
    };
    let profile = tempfile::tempdir().unwrap();
    let out = PathBuf::from(dir).join(name);
    let status = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--window-size=1300,{height}"))
        .arg(format!("--screenshot={}", out.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs");
    assert!(out.is_file(), "{status:?}");
}

fn check(browser: &Path, page: &Path, min_charts: usize) {
    let r = render(browser, page);
    assert!(
        r.console.is_empty(),
        "{}: console messages:\n{}",
        page.display(),
        r.console.join("\n")
    );
    assert!(
        r.charts.len() >= min_charts,
        "{}: {} charts, expected at least {min_charts}",
        page.display(),
        r.charts.len()
    );
    let empty: Vec<&String> = r.charts.iter().filter(|c| !c.starts_with("ok")).collect();
    assert!(
        empty.is_empty(),
        "{}: empty charts: {empty:?}",
        page.display()
    );
}

#[test]
fn the_check_itself_catches_errors_and_empty_charts() {
    let browser = match chromium() {
        Ok(b) => b,
        Err(why) => {
            eprintln!("SKIPPED the_check_itself_catches_errors_and_empty_charts: {why}");
            return;
        }
    };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("bad.html");
    std::fs::write(
        &page,
        "<!DOCTYPE html><html><body><svg width=\"300\" height=\"200\"></svg>\
         <script>noSuchFunction();</script></body></html>",
    )
    .unwrap();
    let r = render(&browser, &page);
    assert_eq!(r.console.len(), 1, "{r:?}");
    assert!(r.console[0].contains("noSuchFunction"), "{r:?}");
    assert_eq!(r.charts.len(), 1);
    assert!(r.charts[0].starts_with("EMPTY"), "{r:?}");
}

#[test]
fn training_and_evaluation_reports_render() {
    let browser = match chromium() {
        Ok(b) => b,
        Err(why) => {
            eprintln!("SKIPPED training_and_evaluation_reports_render: {why}");
            return;
        }
    };
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("m.ftm");
    let train_html = dir.path().join("train.html");
    let eval_html = dir.path().join("eval.html");
    run(
        TRAIN,
        &[
            "--data",
            "tests/fixtures/tiny.csv",
            "--cv",
            "2",
            "--alpha",
            "0.1",
            "--threshold-folds",
            "2",
            "--char-ngrams",
            "2-4",
            "--out",
            path(&model),
            "--html",
            path(&train_html),
        ],
    );
    run(
        TRAIN,
        &[
            "--model",
            path(&model),
            "--test",
            "tests/fixtures/tiny.csv",
            "--html",
            path(&eval_html),
        ],
    );
    // Per label (4): PR curve, F1 curve, word and character n-gram bars;
    // then the CV spread and 4 confusion maps.
    check(&browser, &train_html, 4 * 3 + 1 + 4);
    check(&browser, &eval_html, 4 * 4 + 4);
    // The default model on the shipped held-out file, for the README.
    let shown = dir.path().join("evaluation.html");
    run(
        TRAIN,
        &[
            "--model",
            "models/frametag-en.ftm",
            "--test",
            "corpus/test.csv",
            "--html",
            path(&shown),
        ],
    );
    check(&browser, &shown, 4 * 3 + 4);
    screenshot(&browser, &shown, "evaluation-report.png", 2200);
}

#[test]
fn the_archive_report_renders() {
    let browser = match chromium() {
        Ok(b) => b,
        Err(why) => {
            eprintln!("SKIPPED the_archive_report_renders: {why}");
            return;
        }
    };
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("archive.html");
    run(
        SCORE,
        &[
            "--quiet",
            "--html",
            path(&html),
            "-o",
            path(&dir.path().join("rows.csv")),
            "corpus/articles/articles.jsonl",
        ],
    );
    check(&browser, &html, 3);
    // A real archive with dates and countries, where the shared data is.
    let news = root().join("../shared/data/ukraine-war-news/articles.jsonl");
    if !news.is_file() {
        eprintln!(
            "SKIPPED the dated archive part: {} is absent",
            news.display()
        );
        return;
    }
    let html = dir.path().join("news.html");
    run(
        SCORE,
        &[
            "--quiet",
            "--date-field",
            "date",
            "--group-field",
            "country",
            "--html",
            path(&html),
            "-o",
            path(&dir.path().join("news.csv")),
            path(&news),
        ],
    );
    // Overall (3), over time (2), by group (1).
    check(&browser, &html, 6);
    screenshot(&browser, &html, "archive-report.png", 2600);
}
