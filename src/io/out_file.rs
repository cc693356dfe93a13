//! Output files that replace only what they should.
//!
//! A regular file (or nothing) at the destination is written atomically: a
//! temporary file in the same directory, renamed over it at the end, so a
//! reader never sees half a file and a failed run leaves the old one. A
//! symbolic link is followed: the file it points to is replaced and the
//! link stays. A device, FIFO or socket (`/dev/null`, `/dev/stdout`, a
//! named pipe) is written straight into, never replaced. Temporary files
//! are registered so that a signal handler can remove them
//! ([`remove_temporary_files`]).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::{Error, Result};

/// Temporary files not yet renamed into place.
static LIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn live() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    LIVE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Removes every temporary file still open; for a signal handler, before
/// the process exits.
pub fn remove_temporary_files() {
    for p in live().drain(..) {
        let _ = std::fs::remove_file(p);
    }
}

/// Installs a Ctrl-C / SIGTERM handler that removes the temporary files
/// and exits with status 130, so an interrupted run leaves nothing behind.
pub fn remove_temporary_files_on_signal() {
    // Only fails when a handler is already installed; then that one rules.
    let _ = ctrlc::set_handler(|| {
        remove_temporary_files();
        std::process::exit(130);
    });
}

/// Where an output path really leads, and whether it is written through.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Destination {
    /// The path written: the symlink's target when the path is a link.
    path: PathBuf,
    /// A device, FIFO or socket: written straight into.
    through: bool,
}

fn destination(path: &Path) -> Result<Destination> {
    let mut real = path.to_path_buf();
    // Follow links (a dangling one names the file to create).
    for _ in 0..40 {
        match std::fs::symlink_metadata(&real) {
            Ok(m) if m.file_type().is_symlink() => {
                let target = std::fs::read_link(&real).map_err(|e| Error::io(&real, e))?;
                real = match real.parent() {
                    Some(dir) if target.is_relative() => dir.join(target),
                    _ => target,
                };
            }
            _ => break,
        }
    }
    let through = match std::fs::metadata(&real) {
        Ok(m) => !m.is_file() && !m.is_dir(),
        Err(_) => false,
    };
    if real.is_dir() {
        return Err(Error::io(
            path,
            std::io::Error::new(std::io::ErrorKind::IsADirectory, "is a directory"),
        ));
    }
    Ok(Destination {
        path: real,
        through,
    })
}

enum Target {
    Temp(BufWriter<tempfile::NamedTempFile>),
    Through(BufWriter<File>),
}

/// An output file being written; see the module documentation.
pub struct OutFile {
    target: Option<Target>,
    /// The path as given (for messages).
    shown: PathBuf,
    /// Where the finished file goes.
    dest: PathBuf,
    /// Bytes written, and how many of them the kernel was asked to start
    /// writing to disk (temporary files only).
    written: u64,
    kicked: u64,
}

/// Bytes written to a temporary file between two requests to the kernel
/// to start writing them to disk. The final sync then waits for the last
/// few MiB only, instead of the whole file after the work is done (on 100
/// MB of scoring input, 180 MB of rows: 80 ms of a 1.2 s run).
const WRITEBACK_EVERY: u64 = 8 << 20;

/// Asks the kernel to start writing `file` to disk from byte `from` on,
/// without waiting; a failure only means no early start (the final
/// `sync_all` reports real errors).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn start_writeback(file: &File, from: u64) {
    use std::os::unix::io::AsRawFd;
    // SAFETY: a system call on a descriptor this file owns and keeps open;
    // it reads no memory of ours.
    unsafe {
        libc::sync_file_range(
            file.as_raw_fd(),
            from as libc::off64_t,
            0,
            libc::SYNC_FILE_RANGE_WRITE,
        );
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn start_writeback(_file: &File, _from: u64) {}

impl OutFile {
    /// Opens `path` for writing. Fails when its directory does not exist
    /// or cannot be written, so a long job can check its outputs first.
    pub fn create(path: &Path) -> Result<OutFile> {
        let dest = destination(path)?;
        let target = if dest.through {
            let f = std::fs::OpenOptions::new()
                .write(true)
                .open(&dest.path)
                .map_err(|e| Error::io(path, e))?;
            Target::Through(BufWriter::with_capacity(1 << 16, f))
        } else {
            let dir = match dest.path.parent() {
                Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
                _ => PathBuf::from("."),
            };
            let tmp = tempfile::Builder::new()
                .prefix(".frametag-")
                .tempfile_in(&dir)
                .map_err(|e| Error::io(path, e))?;
            live().push(tmp.path().to_path_buf());
            Target::Temp(BufWriter::with_capacity(1 << 16, tmp))
        };
        Ok(OutFile {
            target: Some(target),
            shown: path.to_path_buf(),
            dest: dest.path,
            written: 0,
            kicked: 0,
        })
    }

    /// Flushes and, for a regular file, syncs it, gives it ordinary
    /// permissions (0644) and renames it into place.
    pub fn finish(mut self) -> Result<()> {
        let path = self.shown.clone();
        match self.target.take().expect("not finished twice") {
            Target::Through(mut w) => w.flush().map_err(|e| Error::io(&path, e)),
            Target::Temp(w) => {
                let tmp = w
                    .into_inner()
                    .map_err(|e| Error::io(&path, e.into_error()))?;
                let tmp_path = tmp.path().to_path_buf();
                let done = persist(tmp, &self.dest).map_err(|e| Error::io(&path, e));
                live().retain(|p| *p != tmp_path);
                done
            }
        }
    }
}

fn persist(tmp: tempfile::NamedTempFile, dest: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(dest).map_err(|e| e.error)?;
    Ok(())
}

impl Drop for OutFile {
    fn drop(&mut self) {
        if let Some(Target::Temp(w)) = self.target.take() {
            // Unfinished: the temporary file is removed, nothing replaced.
            let p = w.get_ref().path().to_path_buf();
            live().retain(|x| *x != p);
        }
    }
}

impl OutFile {
    /// Counts `n` bytes written to a temporary file, and asks the kernel
    /// to start writing them out every [`WRITEBACK_EVERY`] bytes.
    fn wrote(&mut self, n: usize) {
        self.written += n as u64;
        if self.written - self.kicked < WRITEBACK_EVERY {
            return;
        }
        if let Some(Target::Temp(w)) = &self.target {
            start_writeback(w.get_ref().as_file(), self.kicked);
            // What the buffer still holds is not in the file yet.
            self.kicked = self.written - w.buffer().len() as u64;
        }
    }
}

impl Write for OutFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self.target.as_mut() {
            Some(Target::Temp(w)) => {
                let n = w.write(buf)?;
                self.wrote(n);
                Ok(n)
            }
            Some(Target::Through(w)) => w.write(buf),
            None => Ok(0),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        match self.target.as_mut() {
            Some(Target::Temp(w)) => {
                w.write_all(buf)?;
                self.wrote(buf.len());
                Ok(())
            }
            Some(Target::Through(w)) => w.write_all(buf),
            None => Ok(()),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self.target.as_mut() {
            Some(Target::Temp(w)) => w.flush(),
            Some(Target::Through(w)) => w.flush(),
            None => Ok(()),
        }
    }
}

/// Writes `bytes` to `path` as [`OutFile`] does.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut f = OutFile::create(path)?;
    f.write_all(bytes).map_err(|e| Error::io(path, e))?;
    f.finish()
}

/// Refuses outputs that would overwrite an input or each other: regular
/// files (or paths to be created) are compared by where they really lead;
/// devices and FIFOs may be shared.
pub fn check_outputs(outputs: &[&Path], inputs: &[PathBuf]) -> Result<()> {
    let mut seen: Vec<(PathBuf, &Path)> = Vec::new();
    for &out in outputs {
        let dest = destination(out)?;
        if dest.through {
            continue;
        }
        let key = identity(&dest.path);
        for input in inputs {
            if input.as_os_str() != "-" && input.is_file() && identity(input) == key {
                return Err(Error::config(
                    "output",
                    out.display(),
                    format!(
                        "is also an input ({}); it would be overwritten",
                        input.display()
                    ),
                ));
            }
        }
        if let Some((_, other)) = seen.iter().find(|(k, _)| *k == key) {
            return Err(Error::config(
                "output",
                out.display(),
                format!(
                    "is the same file as {}; give each output its own",
                    other.display()
                ),
            ));
        }
        seen.push((key, out));
    }
    Ok(())
}

/// A path's identity: its canonical form, or its canonical directory and
/// name when it does not exist yet.
fn identity(path: &Path) -> PathBuf {
    if let Ok(p) = std::fs::canonicalize(path) {
        return p;
    }
    match (path.parent(), path.file_name()) {
        (Some(dir), Some(name)) => {
            let dir = if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            };
            std::fs::canonicalize(dir)
                .map(|d| d.join(name))
                .unwrap_or_else(|_| path.to_path_buf())
        }
        _ => path.to_path_buf(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::FileTypeExt;

    /// A file written in pieces of all sizes past several early writeback
    /// requests holds exactly the bytes written, and the requests cover
    /// what reached the file.
    #[test]
    fn long_files_are_written_whole_with_early_writeback() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.csv");
        let mut f = OutFile::create(&path).unwrap();
        let mut want = Vec::new();
        let mut x = 1u32;
        while (want.len() as u64) < 3 * WRITEBACK_EVERY + 12345 {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            let piece: Vec<u8> = (0..x % 300_000).map(|i| (i ^ x) as u8).collect();
            match x % 2 {
                0 => f.write_all(&piece).unwrap(),
                _ => {
                    let n = f.write(&piece).unwrap();
                    f.write_all(&piece[n..]).unwrap();
                }
            }
            want.extend_from_slice(&piece);
        }
        assert_eq!(f.written, want.len() as u64);
        assert!(f.kicked >= 2 * WRITEBACK_EVERY, "{}", f.kicked);
        assert!(f.kicked <= f.written);
        f.finish().unwrap();
        assert!(std::fs::read(&path).unwrap() == want);
    }

    #[test]
    fn regular_files_are_replaced_atomically_and_links_followed() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("real.csv");
        std::fs::write(&target, "old").unwrap();
        let link = dir.path().join("link.csv");
        std::os::unix::fs::symlink("real.csv", &link).unwrap();
        let mut f = OutFile::create(&link).unwrap();
        f.write_all(b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "old");
        f.finish().unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        // Nothing left behind, and an unfinished file replaces nothing.
        let mut g = OutFile::create(&target).unwrap();
        g.write_all(b"half").unwrap();
        drop(g);
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 2);
        // (Other tests' files may be live meanwhile.)
        assert!(!live().iter().any(|p| p.starts_with(dir.path())));
    }

    #[test]
    fn devices_are_written_through() {
        let mut f = OutFile::create(Path::new("/dev/null")).unwrap();
        f.write_all(b"rows").unwrap();
        f.finish().unwrap();
        assert!(std::fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device());
    }

    #[test]
    fn an_output_may_not_be_an_input_or_another_output() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.csv");
        std::fs::write(&input, "x").unwrap();
        let e = check_outputs(&[&input], std::slice::from_ref(&input)).unwrap_err();
        assert!(e.to_string().contains("also an input"), "{e}");
        let out = dir.path().join("out.csv");
        let e = check_outputs(&[&out, &dir.path().join("./out.csv")], &[]).unwrap_err();
        assert!(e.to_string().contains("same file"), "{e}");
        check_outputs(&[Path::new("/dev/null"), Path::new("/dev/null")], &[]).unwrap();
    }

    #[test]
    fn a_missing_directory_fails_at_once() {
        let e = OutFile::create(Path::new("/nonexistent-dir/x.csv"))
            .err()
            .unwrap();
        assert!(e.to_string().contains("/nonexistent-dir/x.csv"), "{e}");
    }
}
