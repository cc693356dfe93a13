//! Counting one text's columns into sorted `(column, count)` pairs without
//! sorting them: a [`ColumnTally`] sets one bit per column as columns are
//! added and reads the bits back in order.
//!
//! This replaces a sort of each sentence's column list (ipnsort on some 25
//! `u32`s) and a run count: adding a column costs about what pushing it
//! did, and reading back walks the summary words, then only the touched
//! words, clearing them as it goes, so the tally is empty again for the next
//! text without a pass over the bitmap.
//!
//! Hand-written because the crates that come close do something else: bit
//! sets (`fixedbitset`, `bit-set`) scan every word to iterate, and the
//! layered `hibitset` neither counts repeats nor clears as it iterates.

/// Largest number of columns the tally takes: at most 64 summary words over
/// at most 4096 bitmap words (32 KiB, which stays in the first-level
/// cache). Larger models count with a sort (see
/// [`ColumnTally::for_columns`]).
pub(crate) const MAX_COLUMNS: usize = 64 * 64 * 64;

/// A set of columns with counts, as a bitmap over the columns (with a
/// summary of its non-zero words) plus the columns added again after their
/// first time. Empty between texts; a text's columns go in through a
/// [`TallyAdder`].
#[derive(Debug, Clone)]
pub(crate) struct ColumnTally {
    /// Bit `c % 64` of `words[c / 64]`: column `c` was added.
    words: Vec<u64>,
    /// Bit `w % 64` of `summary[w / 64]`: `words[w]` is not zero.
    summary: Box<[u64; 64]>,
    /// Summary words in use.
    n_summary: usize,
    /// Columns added while already set.
    repeats: Vec<u32>,
}

impl ColumnTally {
    /// An empty tally for columns `0..n_columns`, or `None` above
    /// [`MAX_COLUMNS`].
    pub(crate) fn for_columns(n_columns: usize) -> Option<Self> {
        (n_columns <= MAX_COLUMNS).then(|| {
            let words = n_columns.div_ceil(64);
            ColumnTally {
                words: vec![0; words],
                summary: Box::new([0; 64]),
                n_summary: words.div_ceil(64),
                repeats: Vec::new(),
            }
        })
    }

    /// Starts counting one text's columns, at most `max_adds` of them.
    pub(crate) fn adder(&mut self, max_adds: usize) -> TallyAdder<'_> {
        if self.repeats.len() < max_adds {
            self.repeats.resize(max_adds, 0);
        }
        TallyAdder {
            words: &mut self.words,
            summary: &mut self.summary,
            n_summary: self.n_summary,
            repeats: &mut self.repeats,
            n_repeats: 0,
            max_adds,
        }
    }
}

/// The parts of a [`ColumnTally`] as plain slices, so that adding a column
/// in a caller's loop works on registers rather than reloading the tally's
/// fields. Nothing here grows a vector inside a loop: a call to grow one
/// made the compiler keep the loop's values on the stack.
pub(crate) struct TallyAdder<'t> {
    words: &'t mut [u64],
    summary: &'t mut [u64; 64],
    n_summary: usize,
    /// `repeats[..n_repeats]`: columns added while already set.
    repeats: &'t mut [u32],
    n_repeats: usize,
    max_adds: usize,
}

impl TallyAdder<'_> {
    /// Counts `column` once more. Panics if it is not below the number of
    /// columns the tally was made for, or if this is more than `max_adds`
    /// columns.
    #[inline(always)]
    pub(crate) fn add(&mut self, column: u32) {
        let w = (column / 64) as usize;
        let bit = 1u64 << (column % 64);
        let word = &mut self.words[w];
        // Written always, kept only if the column was already set.
        self.repeats[self.n_repeats] = column;
        self.n_repeats += usize::from(*word & bit != 0);
        *word |= bit;
        // `w / 64 < 64` as there are at most 4096 words.
        self.summary[w / 64 % 64] |= 1u64 << (w % 64);
    }

    /// Writes the columns added, ascending, each with the number of times
    /// it was added, to `out` (cleared first), and leaves the tally empty.
    #[inline(never)]
    pub(crate) fn drain_sorted(self, out: &mut Vec<(u32, u32)>) {
        let mut pairs = std::mem::take(out);
        pairs.clear();
        pairs.resize(self.max_adds, (0, 0));
        let mut n = 0;
        for s in 0..self.n_summary {
            let mut touched = std::mem::take(&mut self.summary[s]);
            while touched != 0 {
                let w = s * 64 + touched.trailing_zeros() as usize;
                touched &= touched - 1;
                let mut bits = std::mem::take(&mut self.words[w]);
                let base = (w * 64) as u32;
                while bits != 0 {
                    pairs[n] = (base + bits.trailing_zeros(), 1);
                    n += 1;
                    bits &= bits - 1;
                }
            }
        }
        pairs.truncate(n);
        // Repeats are few (a tenth of the columns of news sentences), so
        // each is found in the output rather than checked for per column.
        for &c in &self.repeats[..self.n_repeats] {
            if let Ok(i) = pairs.binary_search_by_key(&c, |&(column, _)| column) {
                pairs[i].1 += 1;
            }
        }
        *out = pairs;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pairs a sort and a run count give: what the tally must give.
    fn sorted_counts(columns: &[u32]) -> Vec<(u32, u32)> {
        let mut sorted = columns.to_vec();
        sorted.sort_unstable();
        let mut out: Vec<(u32, u32)> = Vec::new();
        for c in sorted {
            match out.last_mut() {
                Some((last, n)) if *last == c => *n += 1,
                _ => out.push((c, 1)),
            }
        }
        out
    }

    #[test]
    fn models_above_the_limit_get_no_tally() {
        assert!(ColumnTally::for_columns(MAX_COLUMNS).is_some());
        assert!(ColumnTally::for_columns(MAX_COLUMNS + 1).is_none());
        assert!(ColumnTally::for_columns(0).is_some());
    }

    proptest::proptest! {
        #[test]
        fn tally_equals_sort_and_count(
            n_columns in proptest::prop_oneof![
                1usize..200,
                Just(62_897usize),
                Just(MAX_COLUMNS - 1),
                Just(MAX_COLUMNS),
            ],
            // (kind, value): a column anywhere, near 0, near the largest
            // column, or among a few so that repeats are common.
            texts in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::collection::vec((0u8..4, proptest::num::u32::ANY), 0..5),
                    proptest::collection::vec((0u8..4, proptest::num::u32::ANY), 0..80),
                    proptest::collection::vec((0u8..4, proptest::num::u32::ANY), 0..3000),
                ],
                1..6,
            ),
        ) {
            let mut tally = ColumnTally::for_columns(n_columns).unwrap();
            let mut out = vec![(7, 7)];
            // One tally for several texts: each drain must leave it empty.
            for text in &texts {
                let n = n_columns as u32;
                let columns: Vec<u32> = text
                    .iter()
                    .map(|&(kind, x)| match kind {
                        0 => x % n,
                        1 => x % 70 % n,
                        2 => n - 1 - x % 70 % n,
                        _ => x % 4 % n,
                    })
                    .collect();
                let mut adder = tally.adder(columns.len());
                for &c in &columns {
                    adder.add(c);
                }
                adder.drain_sorted(&mut out);
                proptest::prop_assert_eq!(&out, &sorted_counts(&columns));
            }
            proptest::prop_assert!(tally.words.iter().all(|&w| w == 0));
            proptest::prop_assert!(tally.summary.iter().all(|&s| s == 0));
        }
    }

    use proptest::prelude::Just;
}
