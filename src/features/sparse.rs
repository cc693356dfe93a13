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
    }
}
