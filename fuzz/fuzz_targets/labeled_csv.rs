//! Labeled CSVs (training data) on any bytes: no panic; every example has
//! text, and lines stay within the file.
#![no_main]

use std::path::Path;

use frametag::{Columns, LabeledData};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let lines = data.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    if let Ok(d) = LabeledData::parse_csv(Path::new("t.csv"), data, &Columns::default()) {
        assert_eq!(d.texts.len(), d.labels.len());
        assert!(d.texts.iter().all(|t| !t.trim().is_empty()));
        assert!(d
            .lines
            .iter()
            .chain(d.skipped.iter().map(|s| &s.line))
            .all(|&l| l <= lines));
    }
});
