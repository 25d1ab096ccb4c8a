//! What both benchmarks start from: a copy of the bundled course in a
//! temporary directory, and the release binary that `cargo bench` built.

use std::path::{Path, PathBuf};
use std::process::Command;

/// info.toml, exercises/, solutions/ and checker/hidden/ (and, with
/// `shipped`, checker/shipped/: what `not_attempted` is judged against).
pub fn copy_course(shipped: bool) -> (tempfile::TempDir, PathBuf) {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("repo")
        .to_path_buf();
    let dir = tempfile::tempdir().expect("temp dir");
    let status = Command::new("cp")
        .arg("-r")
        .args(["info.toml", "exercises", "solutions"])
        .arg(dir.path())
        .current_dir(&repo)
        .status()
        .expect("cp");
    assert!(status.success());
    std::fs::create_dir_all(dir.path().join("checker")).expect("mkdir");
    let mut cp = Command::new("cp");
    cp.arg("-r").arg(repo.join("checker/hidden"));
    if shipped {
        cp.arg(repo.join("checker/shipped"));
    }
    let status = cp.arg(dir.path().join("checker")).status();
    assert!(status.expect("cp").success());
    (dir, PathBuf::from(env!("CARGO_BIN_EXE_threadlings")))
}
