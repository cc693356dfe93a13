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

/// Whether `ok` holds for every byte of `s`, 32 bytes at a time and with no
/// byte-at-a-time tail: the last block overlaps the one before it, and a
/// text shorter than a block is checked in a copy padded with spaces
/// (`ok(b' ')` must hold). On sentences, which are short, [`all_bytes`]
/// spends most of its time in its scalar tail.
#[inline]
pub(crate) fn all_blocks(s: &[u8], ok: impl Fn(u8) -> bool) -> bool {
    let block_ok = |block: &[u8; 32]| block.iter().fold(true, |all, &b| all & ok(b));
    if s.len() < 32 {
        let mut padded = [b' '; 32];
        padded[..s.len()].copy_from_slice(s);
        return block_ok(&padded);
    }
    let tail = s.len() - 32;
    s.chunks_exact(32)
        .all(|block| block_ok(block.try_into().expect("32 bytes")))
        && block_ok(s[tail..].try_into().expect("32 bytes"))
}

/// Whether `c` is a word byte of the fast word scanner: an ASCII letter,
/// digit or `_` (what UAX #29 joins without a middle character).
#[inline]
pub(crate) fn is_word_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// Bit `k` set when `block[k]` is a word byte ([`is_word_byte`]).
///
/// Hand-written with SSE2 (part of every x86_64 CPU): the compiler does not
/// turn a per-byte loop into compares and a `movemask` (it builds the bits
/// two bytes at a time, about 20 instructions per byte, where this takes
/// under one), and no well-kept crate gives a byte-class bitmask (memchr
/// finds up to three given bytes, not ranges).
#[inline]
pub(crate) fn word_byte_mask(block: &[u8; 64]) -> u64 {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::*;
        let mut mask = 0u64;
        for (i, part) in block.chunks_exact(16).enumerate() {
            // SAFETY: SSE2 is part of the x86_64 baseline, and the load
            // reads exactly the 16 bytes of `part`, unaligned.
            let bits = unsafe {
                let x = _mm_loadu_si128(part.as_ptr().cast::<__m128i>());
                // `lo <= v <= hi` per byte, unsigned: max/min against the
                // bounds leave `v` unchanged exactly when it is inside.
                let within = |v: __m128i, lo: u8, hi: u8| {
                    let above = _mm_cmpeq_epi8(_mm_max_epu8(v, _mm_set1_epi8(lo as i8)), v);
                    let below = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(hi as i8)), v);
                    _mm_and_si128(above, below)
                };
                let lower = _mm_or_si128(x, _mm_set1_epi8(0x20));
                let letter = within(lower, b'a', b'z');
                let digit = within(x, b'0', b'9');
                let under = _mm_cmpeq_epi8(x, _mm_set1_epi8(b'_' as i8));
                _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(letter, digit), under)) as u16
            };
            mask |= u64::from(bits) << (16 * i);
        }
        mask
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        word_byte_mask_scalar(block)
    }
}

/// [`word_byte_mask`] a byte at a time: the other targets' path, and the
/// tests' oracle.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn word_byte_mask_scalar(block: &[u8; 64]) -> u64 {
    block
        .iter()
        .enumerate()
        .fold(0, |m, (k, &c)| m | u64::from(is_word_byte(c)) << k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_byte_mask_sees_every_byte_value() {
        // All 256 values in four blocks, each at every 16-byte lane.
        for start in 0..4u8 {
            let block: [u8; 64] = std::array::from_fn(|k| start * 64 + k as u8);
            let mask = word_byte_mask(&block);
            for (k, &c) in block.iter().enumerate() {
                assert_eq!(mask >> k & 1 == 1, is_word_byte(c), "byte {c}");
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn all_bytes_equals_iterator_all(
            bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..200),
            limit in 0u8..=255,
        ) {
            let ok = |b: u8| b < limit;
            proptest::prop_assert_eq!(all_bytes(&bytes, ok), bytes.iter().all(|&b| ok(b)));
        }

        #[test]
        fn word_byte_mask_equals_byte_checks(bytes in proptest::array::uniform32(proptest::num::u8::ANY), other in proptest::array::uniform32(proptest::num::u8::ANY)) {
            let mut block = [0u8; 64];
            block[..32].copy_from_slice(&bytes);
            block[32..].copy_from_slice(&other);
            proptest::prop_assert_eq!(word_byte_mask(&block), word_byte_mask_scalar(&block));
        }
    }
}
