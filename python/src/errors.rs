//! The one place where the library's errors become Python exceptions, with
//! the library's message.

use pyo3::create_exception;
use pyo3::exceptions::{
    PyException, PyFileNotFoundError, PyIsADirectoryError, PyOSError, PyPermissionError,
    PyValueError,
};
use pyo3::prelude::*;

create_exception!(
    frametag,
    FrametagError,
    PyException,
    "Base class of the errors frametag raises (besides OSError, ValueError and TypeError)."
);
create_exception!(
    frametag,
    ModelError,
    FrametagError,
    "A model file or model bytes that cannot be used: not a model, corrupt, truncated, or written by a newer frametag."
);
create_exception!(
    frametag,
    DataError,
    FrametagError,
    "Training data that cannot be used; `path` and `line` say where (line is None for the data set as a whole)."
);
create_exception!(
    frametag,
    TrainingError,
    FrametagError,
    "Training ran but the model would be useless (e.g. no better than the majority answer)."
);

/// The Python exception for a library error: OSError subclasses for file
/// errors, ModelError, DataError (with `path` and `line`), ValueError for
/// invalid settings, TrainingError otherwise.
pub fn to_py(e: frametag::Error) -> PyErr {
    use frametag::Error;
    let message = e.to_string();
    match &e {
        Error::Io { source, .. } => match source.kind() {
            std::io::ErrorKind::NotFound => PyFileNotFoundError::new_err(message),
            std::io::ErrorKind::PermissionDenied => PyPermissionError::new_err(message),
            std::io::ErrorKind::IsADirectory => PyIsADirectoryError::new_err(message),
            _ => PyOSError::new_err(message),
        },
        Error::Model { .. } => ModelError::new_err(message),
        Error::Config(_) => PyValueError::new_err(message),
        Error::Data { .. } | Error::Dataset { .. } => {
            let location = e.location();
            Python::attach(|py| {
                let err = DataError::new_err(message);
                let value = err.value(py);
                let (path, line) = match location {
                    Some(l) => (Some(l.path.display().to_string()), l.line),
                    None => (None, None),
                };
                // Attributes on a fresh exception object cannot fail.
                let _ = value.setattr("path", path);
                let _ = value.setattr("line", line);
                err
            })
        }
        Error::Training(_) | Error::Linfa(_) => TrainingError::new_err(message),
    }
}
