//! Property tests for the text pipeline: segmentation and word analysis.

use frametag::text::{word_spans, word_spans_unicode};
use frametag::{Analyzer, AnalyzerConfig, Segmenter};
use proptest::prelude::*;

/// Pieces of news-like text: words, abbreviations, punctuation (ASCII and
/// the typographic set of the fast path), line structure.
fn fast_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-z]{1,8}",
        "[0-9]{1,4}",
        Just(" ".to_string()),
        Just(" ".to_string()),
        Just(". ".to_string()),
        Just(".".to_string()),
        Just("\n".to_string()),
        Just("\n\n".to_string()),
        prop::sample::select(vec![
            "U.S.",
            "Mr.",
            "Dr.",
            "Gen.",
            "No.",
            "Jan.",
            "3.5",
            "e.g.",
            "?",
            "!",
            "...",
            ",",
            ";",
            ":",
            "'",
            "\"",
            "(",
            ")",
            "[",
            "]",
            "-",
            "- ",
            "* ",
            "1. ",
            "| a | b |",
            "|---|---|",
            "Q: ",
            "A: ",
            "# ",
            "_",
            "@",
            "/",
            "https://example.org/x.html",
            "\t",
            "\u{a0}",
            "\u{2011}",
            "\u{2013}",
            "\u{2014}",
            "\u{2018}",
            "\u{2019}",
            "\u{201c}",
            "\u{201d}",
            "\u{2026}",
            "\u{ab}",
            "\u{bb}",
            "\u{2022} ",
            "\u{2009}",
        ])
        .prop_map(str::to_string),
    ]
}

fn fast_text() -> impl Strategy<Value = String> {
    prop::collection::vec(fast_piece(), 0..60).prop_map(|v| v.concat())
}

/// Fast-path text plus letters and marks outside ASCII.
fn any_text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            fast_piece(),
            prop::sample::select(vec![
                "é", "Ü", "ß", "Київ", "東京", "\u{301}", "\u{200b}", "\r\n", "\u{2028}", "ǅ"
            ])
            .prop_map(str::to_string),
        ],
        0..60,
    )
    .prop_map(|v| v.concat())
}

/// Whether byte `p` of `text` sits inside a numbered list marker ("12. "),
/// possibly after a bullet ("- 1. ").
fn in_list_marker(text: &str, p: usize) -> bool {
    let line_start = text[..p].rfind('\n').map_or(0, |i| i + 1);
    let line = &text[line_start..];
    let body = line.trim_start();
    let mut at = line_start + (line.len() - body.len());
    let mut rest = body;
    if let Some(c) = rest
        .chars()
        .next()
        .filter(|c| matches!(c, '-' | '*' | '+' | '\u{2022}' | '\u{2013}'))
    {
        let after = rest[c.len_utf8()..].trim_start();
        at += rest.len() - after.len();
        rest = after;
    }
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    (1..=3).contains(&digits)
        && matches!(rest.as_bytes().get(digits), Some(b'.' | b')'))
        && (at..at + digits).contains(&p)
}

fn check_sentences(text: &str) -> Result<(), TestCaseError> {
    let sentences = Segmenter::new().split(text);
    let mut prev_end = 0;
    let mut covered = vec![false; text.len()];
    for s in &sentences {
        prop_assert!(s.start >= prev_end, "overlap or disorder: {sentences:?}");
        prop_assert!(s.start < s.end, "empty sentence");
        prop_assert!(text.is_char_boundary(s.start) && text.is_char_boundary(s.end));
        let t = &text[s.start..s.end];
        prop_assert_eq!(t, t.trim(), "not trimmed: {:?}", t);
        prop_assert!(
            t.chars().any(char::is_alphanumeric),
            "no letter or digit: {:?}",
            t
        );
        covered[s.start..s.end].iter_mut().for_each(|c| *c = true);
        prev_end = s.end;
    }
    // No text lost: every letter or digit is in a sentence, except list
    // markers ("1.") and noise lines (which have none).
    for (p, c) in text.char_indices() {
        if c.is_alphanumeric() && !covered[p] {
            prop_assert!(
                in_list_marker(text, p),
                "lost {c:?} at {p} in {text:?}: {sentences:?}"
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn sentences_are_ordered_trimmed_and_lose_nothing(text in any_text()) {
        check_sentences(&text)?;
    }

    #[test]
    fn fast_path_gives_the_unicode_sentences(text in fast_text()) {
        prop_assert_eq!(Segmenter::new().split(&text), Segmenter::unicode_only().split(&text));
    }

    #[test]
    fn fast_path_gives_the_unicode_words(text in fast_text()) {
        prop_assert_eq!(word_spans(&text), word_spans_unicode(&text));
    }

    #[test]
    fn run_on_splitting_only_cuts_words_at_a_glued_mark(text in any_text()) {
        // Each word of the legacy analyzer is either kept whole or cut into
        // pieces separated by exactly one '.' or ':' before a capital.
        let legacy = Analyzer::new(AnalyzerConfig { split_run_on: false, ..AnalyzerConfig::default() });
        let split = Analyzer::new(AnalyzerConfig::default()).tokens(&text);
        let mut pieces = split.iter().peekable();
        for w in legacy.tokens(&text) {
            let mut pos = w.start;
            while let Some(p) = pieces.next_if(|p| p.end <= w.end) {
                if p.start != pos {
                    prop_assert_eq!(p.start, pos + 1);
                    prop_assert!(matches!(&text[pos..p.start], "." | ":"));
                    prop_assert!(text[p.start..].starts_with(char::is_uppercase));
                }
                pos = p.end;
            }
            prop_assert_eq!(pos, w.end);
        }
        prop_assert!(pieces.next().is_none());
    }

    #[test]
    fn tokens_lie_on_char_boundaries_and_terms_are_lower_case(text in any_text()) {
        let a = Analyzer::new(AnalyzerConfig::default());
        let mut prev = 0;
        for t in a.tokens(&text) {
            prop_assert!(t.start >= prev && t.start < t.end);
            prop_assert!(text.is_char_boundary(t.start) && text.is_char_boundary(t.end));
            prop_assert!(!t.term.is_empty());
            prop_assert_eq!(t.term.to_lowercase(), t.term.clone());
            prev = t.end;
        }
    }

    #[test]
    fn scoring_any_text_gives_probabilities(text in any_text()) {
        let model = frametag::default_model();
        let mut scorer = frametag::ArticleScorer::new(&model, frametag::Unit::Sentence, 2);
        let mut rows = Vec::new();
        scorer.score(&text, &mut rows);
        for r in rows {
            prop_assert!(r.scores.iter().all(|p| (0.0..=1.0).contains(p)));
        }
    }
}
