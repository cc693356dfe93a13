//! Throughput of each pipeline stage on checked-in English news text.
//!
//! Input: the 12 articles in `corpus/articles/*.txt`, joined by blank lines
//! and repeated until the text reaches ~1 MB. Byte throughput is reported
//! in decimal MB/s (`Throughput::BytesDecimal`); sentence throughput in
//! elements/s. Every benchmark checks its own output on every iteration
//! against a figure computed once, before timing, by another code path where
//! one exists, so a fast wrong answer fails instead of being reported.
//!
//! Everything is single-threaded except training, which uses rayon's
//! default pool (all cores).
//!
//! Run: `cargo bench --bench pipeline` (about 2-3 minutes on 2 cores).

use std::collections::HashSet;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{
    criterion_group, criterion_main, BenchmarkGroup, Criterion, SamplingMode, Throughput,
};
use frametag::features::Featurizer;
use frametag::model::{train, Penalty, TrainConfig};
use frametag::{
    Analyzer, AnalyzerConfig, ArticleScorer, Columns, FeatureConfig, LabeledData, ScoredSentence,
    Segmenter, Sentence, Unit,
};

/// Size the article text is repeated up to.
const TARGET_BYTES: usize = 1_000_000;

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

/// The English news text: the 12 articles once, and repeated to ~1 MB.
struct NewsText {
    /// The articles, in file-name order.
    articles: Vec<String>,
    /// Copies of the articles, one string per article, ~1 MB in total.
    docs: Vec<String>,
    /// `docs` joined by blank lines.
    text: String,
    /// How many copies of the 12 articles `docs` holds.
    copies: usize,
}

fn news_text() -> NewsText {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(corpus_dir().join("articles"))
        .expect("corpus/articles exists")
        .map(|e| e.expect("readable directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    paths.sort();
    assert_eq!(paths.len(), 12, "expected the 12 checked-in articles");
    let articles: Vec<String> = paths
        .iter()
        .map(|p| {
            let t = std::fs::read_to_string(p).expect("article is UTF-8");
            t.trim().to_owned()
        })
        .collect();
    let once: usize = articles.iter().map(|a| a.len() + 2).sum();
    let copies = TARGET_BYTES.div_ceil(once);
    let docs: Vec<String> = (0..copies).flat_map(|_| articles.iter().cloned()).collect();
    let text = docs.join("\n\n");
    NewsText {
        articles,
        docs,
        text,
        copies,
    }
}

/// Count and a cheap fingerprint of a sentence list.
fn fingerprint(sentences: &[Sentence]) -> (usize, u64) {
    let sum = sentences.iter().fold(0u64, |acc, s| {
        acc.wrapping_mul(31)
            .wrapping_add((s.start as u64) << 20 ^ s.end as u64)
    });
    (sentences.len(), sum)
}

fn configure(group: &mut BenchmarkGroup<'_, WallTime>) {
    // Iterations of 5-100 ms: flat sampling keeps sample counts small.
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
}

fn bench_segmentation(c: &mut Criterion) {
    let news = news_text();
    let text = news.text.as_str();

    // Reference: the full Unicode rules. The fast path must give the very
    // same sentences; the count must scale with the number of copies.
    let reference = Segmenter::unicode_only().split(text);
    assert_eq!(
        Segmenter::new().split(text),
        reference,
        "fast path differs from UAX #29"
    );
    let per_copy: usize = news
        .articles
        .iter()
        .map(|a| Segmenter::new().split(a).len())
        .sum();
    assert_eq!(reference.len(), per_copy * news.copies);
    let bytes_per_sentence = text.len() / reference.len();
    assert!(
        (40..400).contains(&bytes_per_sentence),
        "implausible sentence length {bytes_per_sentence}"
    );
    let expected = fingerprint(&reference);
    eprintln!(
        "English news text: {} bytes, {} copies of 12 articles, {} sentences ({} per copy)",
        text.len(),
        news.copies,
        reference.len(),
        per_copy
    );

    let mut group = c.benchmark_group("segment");
    configure(&mut group);
    group.throughput(Throughput::BytesDecimal(text.len() as u64));
    for (name, segmenter) in [
        ("fast_path", Segmenter::new()),
        ("unicode_only", Segmenter::unicode_only()),
    ] {
        let mut out = Vec::with_capacity(reference.len());
        group.bench_function(name, |b| {
            b.iter(|| {
                out.clear();
                segmenter.split_into(black_box(text), &mut out);
                assert_eq!(fingerprint(&out), expected);
            })
        });
    }
    group.finish();
}

fn bench_analysis(c: &mut Criterion) {
    let news = news_text();
    let text = news.text.as_str();
    let analyzer = Analyzer::new(AnalyzerConfig::default());
    let featurizer = Featurizer::new(AnalyzerConfig::default(), FeatureConfig::default())
        .expect("default settings are valid");

    // Reference by the uncached path: `Analyzer::tokens` stems every word.
    let sentences = Segmenter::new().split(text);
    let mut expected_tokens = 0usize;
    let mut distinct = HashSet::new();
    for s in &sentences {
        for t in analyzer.tokens(s.text(text)) {
            expected_tokens += 1;
            distinct.insert(t.term);
        }
    }
    let expected_terms = distinct.len();
    assert!(
        expected_tokens > text.len() / 10,
        "too few tokens: {expected_tokens}"
    );
    eprintln!("analysis: {expected_tokens} tokens, {expected_terms} distinct terms");

    let mut group = c.benchmark_group("analyze");
    configure(&mut group);
    group.throughput(Throughput::BytesDecimal(text.len() as u64));
    let mut sents = Vec::with_capacity(sentences.len());
    group.bench_function("segment_tokens_stems", |b| {
        b.iter(|| {
            // A fresh cache per MB: each distinct word is stemmed once per
            // iteration, as for a scorer that has just started.
            let mut session = featurizer.session();
            sents.clear();
            Segmenter::new().split_into(black_box(text), &mut sents);
            let (mut tokens, mut terms) = (0usize, 0u32);
            for s in &sents {
                let ids = session.term_ids(s.text(text));
                tokens += ids.len();
                terms = ids.iter().fold(terms, |m, &id| m.max(id + 1));
            }
            assert_eq!(sents.len(), sentences.len());
            assert_eq!(tokens, expected_tokens);
            assert_eq!(terms as usize, expected_terms);
        })
    });
    group.finish();
}

fn bench_features(c: &mut Criterion) {
    let news = news_text();
    let text = news.text.as_str();
    let analyzer = Analyzer::new(AnalyzerConfig::default());
    let config = FeatureConfig::default();
    let featurizer =
        Featurizer::new(AnalyzerConfig::default(), config.clone()).expect("default settings");
    assert_eq!((config.ngram_min, config.ngram_max), (1, 2));
    let sentences: Vec<&str> = Segmenter::new()
        .split(text)
        .iter()
        .map(|s| s.text(text))
        .collect();
    let sentence_bytes: usize = sentences.iter().map(|s| s.len()).sum();

    // Reference: unigrams + bigrams per sentence, from the uncached tokens.
    let expected_ngrams: u64 = sentences
        .iter()
        .map(|s| {
            let n = analyzer.tokens(s).len() as u64;
            n + n.saturating_sub(1)
        })
        .sum();
    let expected_pairs: usize = {
        let mut session = featurizer.session();
        let mut out = Vec::new();
        sentences
            .iter()
            .map(|s| {
                session.bucket_counts(s, &mut out);
                out.len()
            })
            .sum()
    };
    assert!(
        expected_pairs as u64 <= expected_ngrams
            && expected_pairs as u64 * 10 > expected_ngrams * 9
    );
    eprintln!(
        "features: {} sentences, {sentence_bytes} bytes, {expected_ngrams} n-grams, {expected_pairs} (bucket, count) pairs",
        sentences.len()
    );

    let mut group = c.benchmark_group("bucket_counts");
    configure(&mut group);
    let mut out = Vec::new();
    let mut run = |group: &mut BenchmarkGroup<'_, WallTime>, name: &str, throughput| {
        group.throughput(throughput);
        group.bench_function(name, |b| {
            b.iter(|| {
                let mut session = featurizer.session();
                let (mut ngrams, mut pairs) = (0u64, 0usize);
                for s in &sentences {
                    session.bucket_counts(black_box(s), &mut out);
                    pairs += out.len();
                    ngrams += out.iter().map(|&(_, c)| u64::from(c)).sum::<u64>();
                }
                assert_eq!(ngrams, expected_ngrams);
                assert_eq!(pairs, expected_pairs);
            })
        });
    };
    // The same work twice, so the report shows both sentences/s and MB/s.
    run(
        &mut group,
        "sentences",
        Throughput::Elements(sentences.len() as u64),
    );
    run(
        &mut group,
        "bytes",
        Throughput::BytesDecimal(sentence_bytes as u64),
    );
    group.finish();
}

fn bench_scoring(c: &mut Criterion) {
    let news = news_text();
    let model = frametag::default_model();
    let k = model.labels().len();
    let bytes: usize = news.docs.iter().map(String::len).sum();

    // Reference: rows = sentences of each article; scores summed once.
    let expected_rows: usize = news
        .docs
        .iter()
        .map(|d| Segmenter::new().split(d).len())
        .sum();
    let checksum = |out: &[ScoredSentence]| -> (usize, f64, usize) {
        let mut sum = 0f64;
        let mut labelled = 0;
        for row in out {
            assert_eq!(row.scores.len(), k);
            for &p in &row.scores {
                assert!((0.0..=1.0).contains(&p), "score {p} out of range");
                sum += f64::from(p);
            }
            labelled += row.labels.iter().filter(|&&l| l).count();
        }
        (out.len(), sum, labelled)
    };
    let expected = {
        let mut scorer = ArticleScorer::new(&model, Unit::Sentence, 0);
        let mut out = Vec::new();
        let mut total = (0, 0.0, 0);
        for d in &news.docs {
            scorer.score(d, &mut out);
            let (r, s, l) = checksum(&out);
            total = (total.0 + r, total.1 + s, total.2 + l);
        }
        total
    };
    assert_eq!(expected.0, expected_rows);
    assert!(expected.2 > 0, "the default model labels nothing");
    eprintln!(
        "scoring: {} articles, {bytes} bytes, {} rows, {} labels assigned",
        news.docs.len(),
        expected.0,
        expected.2
    );

    let mut group = c.benchmark_group("score");
    configure(&mut group);
    group.throughput(Throughput::BytesDecimal(bytes as u64));
    let mut out = Vec::new();
    group.bench_function("article_scorer_default_model", |b| {
        b.iter(|| {
            let mut scorer = ArticleScorer::new(&model, Unit::Sentence, 0);
            let mut total = (0, 0.0, 0);
            for d in &news.docs {
                scorer.score(black_box(d), &mut out);
                let (r, s, l) = checksum(&out);
                total = (total.0 + r, total.1 + s, total.2 + l);
            }
            // Same inputs, same order, same arithmetic: bit-identical.
            assert_eq!(total, expected);
        })
    });
    group.finish();
}

fn bench_training(c: &mut Criterion) {
    let path = corpus_dir().join("train.csv");
    let data = LabeledData::read_csv(&path, &Columns::default()).expect("corpus/train.csv parses");
    let labels = data.label_set();
    assert!(data.len() > 1000, "train.csv holds {} examples", data.len());
    let config = TrainConfig {
        penalty: Penalty::Fixed(0.05),
        inner_folds: 2,
        ..TrainConfig::default()
    };
    eprintln!("training: {} examples, labels {labels:?}", data.len());

    let mut group = c.benchmark_group("train");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(40));
    group.throughput(Throughput::Elements(data.len() as u64));
    group.bench_function("fixed_penalty_2_folds", |b| {
        b.iter(|| {
            let (model, summary) = train(black_box(&data), &config).expect("training succeeds");
            assert_eq!(model.labels(), labels.as_slice());
            assert_eq!(model.info().examples, data.len());
            assert!(model.vectorizer().n_features() > 1000);
            assert_eq!(summary.out_of_fold.per_label.len(), labels.len());
            assert_eq!(summary.out_of_fold.examples, data.len());
            model
        })
    });
    group.finish();
}

criterion_group!(
    benches,
    bench_segmentation,
    bench_analysis,
    bench_features,
    bench_scoring,
    bench_training
);
criterion_main!(benches);
