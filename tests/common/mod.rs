//! Helpers shared by the integration tests that run the real binaries.
#![allow(dead_code)] // each test crate uses its own subset

use std::path::PathBuf;
use std::process::{Command, Output};

/// The scorer binary built for the tests.
pub const SCORE: &str = env!("CARGO_BIN_EXE_frametag-score");
/// The trainer binary built for the tests.
pub const TRAIN: &str = env!("CARGO_BIN_EXE_frametag-train");

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `bin` with `args` from the repository root.
pub fn run(bin: &str, args: &[&str]) -> Output {
    Command::new(bin)
        .args(args)
        .current_dir(root())
        .output()
        .expect("binary runs")
}

/// Standard output, which must be UTF-8.
pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("UTF-8 output")
}

/// Standard error, lossily.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
