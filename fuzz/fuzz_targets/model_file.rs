//! The model loader on corrupt or truncated bytes: refused with an error,
//! never a panic; a model that loads can score.
#![no_main]

use frametag::FrameModel;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(model) = FrameModel::from_bytes(data) {
        let mut scores = vec![0.0; model.labels().len()];
        model
            .scorer()
            .score("Missiles hit the port overnight.", &mut scores);
        assert!(scores.iter().all(|s| (0.0..=1.0).contains(s)));
    }
});
