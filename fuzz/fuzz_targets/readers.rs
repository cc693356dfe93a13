//! The JSONL, JSON, CSV and text readers on any bytes: no panic, and for
//! JSON lines every non-blank line is a record or a skip.
#![no_main]

use std::path::PathBuf;

use frametag::io::{read_all, InputFormat, Item, RecordFields};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&kind, body)) = data.split_first() else {
        return;
    };
    let ext = ["jsonl", "csv", "txt", "json"][kind as usize % 4];
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("in.{ext}"));
    std::fs::write(&path, body).unwrap();
    let mut items = Vec::new();
    read_all(
        &[(path.clone(), PathBuf::from("in"))],
        InputFormat::Auto,
        &RecordFields::default(),
        |i| {
            items.push(i);
            true
        },
    );
    for i in &items {
        if let Item::Record(r) = i {
            assert!(!r.text.trim().is_empty(), "empty record delivered");
        }
    }
    if ext == "jsonl" && !body.starts_with(&[0x1f, 0x8b]) {
        let text = body.strip_prefix(b"\xef\xbb\xbf").unwrap_or(body);
        let lines = text
            .split(|&b| b == b'\n')
            .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
            .count();
        assert_eq!(items.len(), lines, "records + skips = non-blank lines");
    }
    if ext == "txt" {
        assert_eq!(items.len(), 1, "a text file is one record or one skip");
    }
});
