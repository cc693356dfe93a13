//! The segmenter and analyzer on any text: sentences and words are in
//! bounds, ordered, non-overlapping, on character boundaries, and
//! `text[start..end]` round-trips.
#![no_main]

use frametag::{Analyzer, AnalyzerConfig, Segmenter};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut last = 0;
    for s in Segmenter::new().split(&text) {
        assert!(
            s.start < s.end && s.end <= text.len(),
            "{s:?} in {} bytes",
            text.len()
        );
        assert!(s.start >= last, "sentences overlap or go backwards");
        assert!(text.is_char_boundary(s.start) && text.is_char_boundary(s.end));
        assert!(!text[s.start..s.end].trim().is_empty(), "empty sentence");
        last = s.end;
    }
    let mut last = 0;
    for t in Analyzer::new(AnalyzerConfig::default()).tokens(&text) {
        assert!(t.start < t.end && t.end <= text.len() && t.start >= last);
        assert!(text.is_char_boundary(t.start) && text.is_char_boundary(t.end));
        last = t.end;
    }
});
