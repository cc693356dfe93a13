//! A compressed sparse row matrix of `f32` values: the feature rows of many
//! sentences. Implements linfa's `Records` so linfa datasets can hold it.

/// Sparse rows: row `i` is `indices[indptr[i]..indptr[i+1]]` with `values`
/// at the same positions, columns ascending.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CsrMatrix {
    n_cols: usize,
    indptr: Vec<usize>,
    indices: Vec<u32>,
    values: Vec<f32>,
}

impl CsrMatrix {
    /// An empty matrix with `n_cols` columns.
    pub fn with_columns(n_cols: usize) -> Self {
        CsrMatrix {
            n_cols,
            indptr: vec![0],
            indices: Vec::new(),
            values: Vec::new(),
        }
    }

    /// Builds a matrix from dense rows (zeros dropped); for tests and small
    /// problems.
    pub fn from_dense(rows: &[Vec<f32>]) -> Self {
        let n_cols = rows.first().map_or(0, Vec::len);
        let mut m = CsrMatrix::with_columns(n_cols);
        for r in rows {
            let row: Vec<(u32, f32)> = r
                .iter()
                .enumerate()
                .filter(|(_, v)| **v != 0.0)
                .map(|(j, v)| (j as u32, *v))
                .collect();
            m.push_row(&row);
        }
        m
    }

    /// Appends a row of `(column, value)` pairs with ascending columns.
    ///
    /// # Panics
    /// If a column is out of range (a programming error, not user data).
    pub fn push_row(&mut self, row: &[(u32, f32)]) {
        for &(j, v) in row {
            assert!((j as usize) < self.n_cols, "column {j} out of range");
            self.indices.push(j);
            self.values.push(v);
        }
        self.indptr.push(self.indices.len());
    }

    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.indptr.len() - 1
    }

    /// Number of columns.
    pub fn n_cols(&self) -> usize {
        self.n_cols
    }

    /// Number of stored values.
    pub fn nnz(&self) -> usize {
        self.indices.len()
    }

    /// Row `i` as column indices and values.
    #[inline]
    pub fn row(&self, i: usize) -> (&[u32], &[f32]) {
        let (a, b) = (self.indptr[i], self.indptr[i + 1]);
        (&self.indices[a..b], &self.values[a..b])
    }

    /// The rows at `idx`, in that order.
    pub fn select_rows(&self, idx: &[usize]) -> CsrMatrix {
        let mut m = CsrMatrix::with_columns(self.n_cols);
        for &i in idx {
            let (c, v) = self.row(i);
            m.indices.extend_from_slice(c);
            m.values.extend_from_slice(v);
            m.indptr.push(m.indices.len());
        }
        m
    }
}

impl CsrMatrix {
    /// A matrix from its parts, as [`CsrMatrix`] lays them out.
    pub(crate) fn from_parts(
        n_cols: usize,
        indptr: Vec<usize>,
        indices: Vec<u32>,
        values: Vec<f32>,
    ) -> Self {
        debug_assert_eq!(indptr.last().copied(), Some(indices.len()));
        debug_assert_eq!(indices.len(), values.len());
        debug_assert!(indices.iter().all(|&j| (j as usize) < n_cols));
        CsrMatrix {
            n_cols,
            indptr,
            indices,
            values,
        }
    }
}

/// Sorted `(bucket, count)` pairs of many texts, row after row in three flat
/// vectors: what training counts before it knows its columns. A row per text
/// as a `Vec` of its own cost twice the memory (capacity slack and an
/// allocation per row) on a million rows; flat, the vectors turn into a
/// [`CsrMatrix`]'s in place ([`Vectorizer::transform_rows`]).
///
/// [`Vectorizer::transform_rows`]: crate::features::vectorizer::Vectorizer::transform_rows
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CountRows {
    /// Row `i` is at `indptr[i]..indptr[i + 1]`.
    pub(crate) indptr: Vec<usize>,
    /// Buckets, ascending within a row.
    pub(crate) buckets: Vec<u32>,
    /// Count of each bucket.
    pub(crate) counts: Vec<u32>,
}

impl Default for CountRows {
    fn default() -> Self {
        CountRows {
            indptr: vec![0],
            buckets: Vec::new(),
            counts: Vec::new(),
        }
    }
}

impl CountRows {
    /// Appends a row of sorted `(bucket, count)` pairs.
    pub(crate) fn push_row(&mut self, row: &[(u32, u32)]) {
        self.buckets.extend(row.iter().map(|&(b, _)| b));
        self.counts.extend(row.iter().map(|&(_, c)| c));
        self.indptr.push(self.buckets.len());
    }

    /// Appends the rows of `other`, freeing it.
    pub(crate) fn append(&mut self, other: CountRows) {
        let base = self.buckets.len();
        self.buckets.extend_from_slice(&other.buckets);
        self.counts.extend_from_slice(&other.counts);
        self.indptr
            .extend(other.indptr[1..].iter().map(|&end| base + end));
    }

    /// Number of rows.
    pub(crate) fn n_rows(&self) -> usize {
        self.indptr.len() - 1
    }

    /// Row `i` as `(bucket, count)` pairs.
    #[cfg(test)]
    pub(crate) fn row(&self, i: usize) -> Vec<(u32, u32)> {
        let (a, b) = (self.indptr[i], self.indptr[i + 1]);
        self.buckets[a..b]
            .iter()
            .copied()
            .zip(self.counts[a..b].iter().copied())
            .collect()
    }
}

/// Rows of a [`CsrMatrix`] picked by index, in that order, without copying
/// them: a training fold is a view of the whole matrix, not a second
/// matrix.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RowView<'a> {
    matrix: &'a CsrMatrix,
    /// The rows, or `None` for all of them.
    rows: Option<&'a [usize]>,
}

impl<'a> RowView<'a> {
    /// Every row of `matrix`.
    pub(crate) fn all(matrix: &'a CsrMatrix) -> Self {
        RowView { matrix, rows: None }
    }

    /// Rows `rows` of `matrix`.
    pub(crate) fn some(matrix: &'a CsrMatrix, rows: &'a [usize]) -> Self {
        RowView {
            matrix,
            rows: Some(rows),
        }
    }

    /// Number of rows in the view.
    #[inline]
    pub(crate) fn n_rows(&self) -> usize {
        self.rows.map_or(self.matrix.n_rows(), <[usize]>::len)
    }

    /// Number of columns.
    #[inline]
    pub(crate) fn n_cols(&self) -> usize {
        self.matrix.n_cols
    }

    /// The matrix row behind view row `k`.
    #[inline]
    pub(crate) fn index(&self, k: usize) -> usize {
        self.rows.map_or(k, |r| r[k])
    }

    /// View row `k` as column indices and values.
    #[inline]
    pub(crate) fn row(&self, k: usize) -> (&'a [u32], &'a [f32]) {
        self.matrix.row(self.index(k))
    }
}

impl linfa::dataset::Records for CsrMatrix {
    type Elem = f32;

    fn nsamples(&self) -> usize {
        self.n_rows()
    }

    fn nfeatures(&self) -> usize {
        self.n_cols
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_round_trip_and_select() {
        let m = CsrMatrix::from_dense(&[vec![0.0, 1.0, 2.0], vec![3.0, 0.0, 0.0]]);
        assert_eq!(m.n_rows(), 2);
        assert_eq!(m.nnz(), 3);
        assert_eq!(m.row(0), (&[1u32, 2][..], &[1.0f32, 2.0][..]));
        let s = m.select_rows(&[1, 1, 0]);
        assert_eq!(s.n_rows(), 3);
        assert_eq!(s.row(1), (&[0u32][..], &[3.0f32][..]));
        let idx = [1, 1, 0];
        let v = RowView::some(&m, &idx);
        assert_eq!(v.n_rows(), 3);
        for k in 0..3 {
            assert_eq!(v.row(k), s.row(k));
        }
        assert_eq!(RowView::all(&m).row(1), m.row(1));
    }

    #[test]
    fn count_rows_append_keeps_rows_apart() {
        let mut a = CountRows::default();
        a.push_row(&[(1, 2), (5, 1)]);
        a.push_row(&[]);
        let mut b = CountRows::default();
        b.push_row(&[(3, 4)]);
        a.append(b);
        assert_eq!(a.n_rows(), 3);
        assert_eq!(a.row(0), [(1, 2), (5, 1)]);
        assert_eq!(a.row(1), []);
        assert_eq!(a.row(2), [(3, 4)]);
    }
}
