//! Where the work runs: on rayon's global pool (all cores) or on a pool of
//! a given number of threads, kept for later calls with the same number.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

/// The most threads a call may ask for (as frametag-score and
/// frametag-train allow).
const MAX_THREADS: usize = 1024;

/// Runs `work` with the GIL released, on `threads` threads (all cores when
/// `None`). Results do not depend on the number of threads.
pub fn run<T, F>(py: Python<'_>, threads: Option<usize>, work: F) -> PyResult<T>
where
    T: Send,
    F: FnOnce() -> T + Send,
{
    let pool = match threads {
        None => None,
        Some(n) => Some(pool(n)?),
    };
    Ok(py.detach(move || match pool {
        None => work(),
        Some(p) => p.install(work),
    }))
}

/// A pool of `n` threads: built once per number and kept, so calls in a
/// loop (cross-validation) do not start threads each time.
fn pool(n: usize) -> PyResult<Arc<rayon::ThreadPool>> {
    if !(1..=MAX_THREADS).contains(&n) {
        return Err(PyValueError::new_err(format!(
            "threads={n}: expected 1 to {MAX_THREADS}"
        )));
    }
    static POOLS: OnceLock<Mutex<HashMap<usize, Arc<rayon::ThreadPool>>>> = OnceLock::new();
    let mut pools = POOLS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(p) = pools.get(&n) {
        return Ok(p.clone());
    }
    let p = rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .thread_name(|i| format!("frametag-{i}"))
        .build()
        .map_err(|e| PyValueError::new_err(format!("threads={n}: {e}")))?;
    let p = Arc::new(p);
    pools.insert(n, p.clone());
    Ok(p)
}
