//! `frametag._frametag`: the extension module behind the `frametag` Python
//! package. Each Python class wraps a core library type and forwards to
//! it; no scoring or training logic lives here. Long work runs with the
//! GIL released, on all cores or on a pool of `threads`.

mod convert;
mod errors;
mod model;
mod pool;
mod train;

use pyo3::prelude::*;

/// frametag's Rust core: the Model class, train(), and the exceptions.
#[pymodule]
fn _frametag(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_class::<model::Model>()?;
    m.add_function(wrap_pyfunction!(train::train, m)?)?;
    m.add("FrametagError", py.get_type::<errors::FrametagError>())?;
    m.add("ModelError", py.get_type::<errors::ModelError>())?;
    m.add("DataError", py.get_type::<errors::DataError>())?;
    m.add("TrainingError", py.get_type::<errors::TrainingError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("MODEL_FORMAT_VERSION", frametag::model::FORMAT_VERSION)?;
    Ok(())
}
