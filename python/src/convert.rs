//! Python arguments to Rust values, with a TypeError that names the
//! argument and the element for anything else.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyFloat, PyString};

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".into())
}

/// Iterates `obj` (a list, tuple, NumPy array, pandas Series...), refusing a
/// lone string, whose characters would be taken for texts.
fn items<'py>(obj: &Bound<'py, PyAny>, what: &str) -> PyResult<Vec<Bound<'py, PyAny>>> {
    if obj.is_instance_of::<PyString>() || obj.is_instance_of::<PyBytes>() {
        return Err(PyTypeError::new_err(format!(
            "{what} must be a list (or other iterable) of str, not a single {}; wrap one text in a list",
            type_name(obj)
        )));
    }
    let iter = obj.try_iter().map_err(|_| {
        PyTypeError::new_err(format!(
            "{what} must be a list (or other iterable) of str, not {}",
            type_name(obj)
        ))
    })?;
    iter.collect()
}

/// Why an element is not a str, with a hint for pandas' missing values.
fn not_text(what: &str, i: usize, item: &Bound<'_, PyAny>) -> PyErr {
    let hint = if item.is_none() || item.is_instance_of::<PyFloat>() {
        " (a missing value? drop or fill missing texts first)"
    } else {
        ""
    };
    PyTypeError::new_err(format!(
        "{what}[{i}]: expected str, got {}{hint}",
        type_name(item)
    ))
}

/// One text (a str).
pub fn text(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<String> {
    let s = obj.cast::<PyString>().map_err(|_| {
        PyTypeError::new_err(format!("{what}: expected str, got {}", type_name(obj)))
    })?;
    Ok(s.to_str()?.to_owned())
}

/// A list of texts (each a str).
pub fn texts(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<String>> {
    items(obj, what)?
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let s = item
                .cast::<PyString>()
                .map_err(|_| not_text(what, i, item))?;
            Ok(s.to_str()
                .map_err(|e| PyValueError::new_err(format!("{what}[{i}]: {e}")))?
                .to_owned())
        })
        .collect()
}

/// The label cells of `labels`, one per text: a `;`-joined str, a list of
/// label names, or None / NaN (pandas' empty cell) for no label; each read
/// as a labeled CSV's cell is read (trimmed, de-duplicated, "none" = none).
pub fn label_lists(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<Vec<String>>> {
    items(obj, what)?
        .iter()
        .enumerate()
        .map(|(i, item)| {
            if item.is_none() {
                return Ok(Vec::new());
            }
            if let Ok(f) = item.cast::<PyFloat>() {
                if f.value().is_nan() {
                    return Ok(Vec::new());
                }
            }
            let cell = if let Ok(s) = item.cast::<PyString>() {
                s.to_str()?.to_owned()
            } else {
                let names = items(item, &format!("{what}[{i}]")).map_err(|_| {
                    PyTypeError::new_err(format!(
                        "{what}[{i}]: expected a list of label names or a ';'-joined str, got {}",
                        type_name(item)
                    ))
                })?;
                let mut parts = Vec::with_capacity(names.len());
                for (j, n) in names.iter().enumerate() {
                    let s = n.cast::<PyString>().map_err(|_| {
                        PyTypeError::new_err(format!(
                            "{what}[{i}][{j}]: expected a label name (str), got {}",
                            type_name(n)
                        ))
                    })?;
                    parts.push(s.to_str()?.to_owned());
                }
                parts.join(";")
            };
            Ok(frametag::io::split_labels(&cell, ';'))
        })
        .collect()
}
