//! Byte scans of the hot path.

/// Whether `ok` holds for every byte of `s`: 32 bytes at a time with no
/// early exit inside a block, which the compiler turns into vector code
/// (`Iterator::all` stops at each byte and stays scalar).
#[inline]
pub(crate) fn all_bytes(s: &[u8], ok: impl Fn(u8) -> bool) -> bool {
    let mut blocks = s.chunks_exact(32);
    for block in &mut blocks {
        if !block.iter().fold(true, |all, &b| all & ok(b)) {
            return false;
        }
    }
    blocks.remainder().iter().all(|&b| ok(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn all_bytes_equals_iterator_all(
            bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..200),
            limit in 0u8..=255,
        ) {
            let ok = |b: u8| b < limit;
            proptest::prop_assert_eq!(all_bytes(&bytes, ok), bytes.iter().all(|&b| ok(b)));
        }
    }
}
