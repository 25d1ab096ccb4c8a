//! Reading one submission: only `exercises/<dir>/<name>.rs` of each
//! exercise, into memory, before anything runs. Nothing else in the
//! directory is looked at, and nothing that is not a plain file is followed
//! (a symbolic link could hand in another student's file, a FIFO could
//! block the whole run).

use std::fs::File;
use std::io::Read as _;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};

use crate::course::{Course, Exercise};
use crate::verdict::Status;

/// The most a submitted file may hold: a hundred times the largest
/// exercise's solution, and little enough to hold a class in memory.
pub(crate) const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// One submission as read.
#[derive(Debug)]
pub(crate) struct Submission {
    pub id: String,
    /// Why nothing could be read (the directory is missing or unreadable).
    pub error: Option<String>,
    /// One per exercise, in course order.
    pub files: Vec<Found>,
}

/// What was found for one exercise.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Found {
    /// Text to check.
    Source(String),
    /// Judged without running anything: `missing`, `not_attempted` or a
    /// `compile_error` (not text rustc would read), and why.
    Judged(Status, String),
}

/// Reads the files of every exercise of `course` in the submission at
/// `path` (whose name is `id`).
pub(crate) fn read(course: &Course, id: String, path: &Path) -> Submission {
    let files = match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() => None,
        Ok(_) => Some(format!("{} is not a directory", path.display())),
        Err(e) => Some(format!("cannot read {}: {}", path.display(), reason(&e))),
    };
    if let Some(error) = files {
        let files = course
            .exercises
            .iter()
            .map(|_| {
                Found::Judged(
                    Status::Missing,
                    format!("the submission could not be read: {error}"),
                )
            })
            .collect();
        return Submission {
            id,
            error: Some(error),
            files,
        };
    }
    let files = course
        .exercises
        .iter()
        .map(|ex| read_exercise(course, ex, path))
        .collect();
    Submission {
        id,
        error: None,
        files,
    }
}

fn read_exercise(course: &Course, ex: &Exercise, root: &Path) -> Found {
    let shown = ex.path();
    // Each step below the submission's own directory must be what it
    // says: a directory, then a plain file, never a link.
    let mut at = PathBuf::from(root);
    for part in ["exercises", ex.dir.as_str()] {
        at.push(part);
        match std::fs::symlink_metadata(&at) {
            Ok(m) if m.is_dir() => {}
            Ok(m) if m.file_type().is_symlink() => {
                return missing(format!(
                    "{} is a symbolic link; only the submission's own files are read",
                    rel(root, &at)
                ));
            }
            Ok(_) => return missing(format!("{} is not a directory", rel(root, &at))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return missing(format!("there is no file {shown}"));
            }
            Err(e) => return missing(format!("cannot read {}: {}", rel(root, &at), reason(&e))),
        }
    }
    at.push(format!("{}.rs", ex.name));
    match std::fs::symlink_metadata(&at) {
        Ok(m) if m.is_file() => {}
        Ok(m) if m.file_type().is_symlink() => {
            return missing(format!(
                "{shown} is a symbolic link; only the submission's own files are read"
            ));
        }
        Ok(_) => return missing(format!("{shown} is not a plain file")),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return missing(format!("there is no file {shown}"));
        }
        Err(e) => return missing(format!("cannot read {shown}: {}", reason(&e))),
    }
    let bytes = match read_capped(&at) {
        Ok(bytes) => bytes,
        Err(e) => return missing(format!("cannot read {shown}: {}", reason(&e))),
    };
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Found::Judged(
            Status::CompileError,
            format!(
                "{shown} holds more than {} KiB; an exercise's file is far smaller, so it was not compiled",
                MAX_FILE_BYTES / 1024
            ),
        );
    }
    let Ok(text) = String::from_utf8(bytes) else {
        return Found::Judged(
            Status::CompileError,
            format!("{shown} is not UTF-8 text, which rustc cannot read; save it as UTF-8"),
        );
    };
    // An editor or git on Windows may add a byte-order mark or CRLF line
    // ends to a file nobody changed: still the shipped exercise.
    let unchanged = |shipped: &str| {
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        shipped == text || shipped.replace("\r\n", "\n") == text.replace("\r\n", "\n")
    };
    if course
        .shipped(ex)
        .is_some_and(|shipped| unchanged(&shipped))
    {
        return Found::Judged(
            Status::NotAttempted,
            format!("{shown} is the exercise as shipped: it was not changed"),
        );
    }
    Found::Source(text)
}

/// At most one byte more than allowed (enough to know it is too large).
/// Opened without following a link and without blocking: the checks above
/// and this open are not one step.
fn read_capped(path: &Path) -> std::io::Result<Vec<u8>> {
    let file = File::options()
        .read(true)
        .custom_flags(nix::libc::O_NOFOLLOW | nix::libc::O_NONBLOCK)
        .open(path)?;
    if !file.metadata()?.is_file() {
        return Err(std::io::Error::other("not a plain file"));
    }
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
    Ok(bytes)
}

fn missing(why: String) -> Found {
    Found::Judged(Status::Missing, why)
}

/// `at` relative to the submission's root, as messages name it.
fn rel(root: &Path, at: &Path) -> String {
    at.strip_prefix(root).unwrap_or(at).display().to_string()
}

/// An I/O error in words, without the "(os error 13)" tail.
fn reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}
