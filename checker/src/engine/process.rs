//! Running a built test binary: one hidden test in a process of its own, or
//! the learner's own `main` as the program would run.
//!
//! Both start the same way, so that learner code cannot tell a test from a
//! real run of its program: the program's name as the only argument (the
//! binary's file is named as rustc names the program), the learner's own
//! environment (`supervise::clean_env`), the course's root as the directory,
//! and what to run on stdin (`protocol::Handshake`).

use std::io::Read as _;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use threadlings_support::protocol::{Handshake, Run};

use crate::supervise::{self, Exit, Limits};
use crate::verdict::{Status, TestResult, judge};

/// How long watch mode lets the learner's own program run to show its output.
const PROGRAM_TIMEOUT: Duration = Duration::from_secs(5);

/// Runs one hidden test in its own process and judges how it ended. The
/// report file is made in `runs_dir` and removed afterwards.
/// `started_at` is told the file where the test says what it waits for (see
/// the support crate's `status`), as the process starts.
pub(super) fn run_test(
    binary: &Path,
    test: &str,
    limits: &Limits,
    runs_dir: &Path,
    started_at: &dyn Fn(&Path),
) -> TestResult {
    let started = Instant::now();
    let mut result = run_and_judge(binary, test, limits, runs_dir, started_at);
    result.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    result
}

fn run_and_judge(
    binary: &Path,
    test: &str,
    limits: &Limits,
    runs_dir: &Path,
    started_at: &dyn Fn(&Path),
) -> TestResult {
    let internal = |message: String| TestResult {
        name: test.to_string(),
        status: Status::Crash,
        message,
        duration_ms: 0,
        output: String::new(),
        reported: false,
        tampered: false,
        events: Vec::new(),
        events_dropped: 0,
    };
    let report = match std::fs::create_dir_all(runs_dir)
        .and_then(|()| tempfile::NamedTempFile::new_in(runs_dir))
    {
        Ok(file) => file,
        Err(e) => return internal(format!("threadlings could not make a report file: {e}")),
    };
    let secret = secret();
    let report_path = std::path::absolute(report.path()).unwrap_or_else(|_| report.path().into());
    let handshake = Handshake {
        run: Run::Test {
            name: test.to_string(),
            secret: secret.clone(),
            report: report_path.display().to_string(),
        },
        max_threads: limits.max_threads,
        max_memory_mb: limits.max_memory_mb,
    };
    let cmd = program(binary);
    let wait_file = PathBuf::from(threadlings_support::status::wait_file(
        &report_path.display().to_string(),
    ));
    started_at(&wait_file);
    let finished = supervise::run(cmd, handshake.to_text().as_bytes(), limits);
    let _ = std::fs::remove_file(&wait_file);
    let finished = match finished {
        Ok(f) => f,
        Err(e) => return internal(format!("threadlings could not start the test: {e}")),
    };
    let reported = std::fs::read_to_string(report.path()).unwrap_or_default();
    judge::test_run(test, &secret, &reported, &finished, limits)
}

/// The test binary, started as the learner's program would be: its name as
/// its one argument, the clean environment, the course's root as its
/// directory. Tests and `main` runs alike (a run the test starts inherits
/// all of it).
fn program(binary: &Path) -> Command {
    let binary = std::path::absolute(binary).unwrap_or_else(|_| binary.to_path_buf());
    let mut cmd = Command::new(&binary);
    if let Some(name) = binary.file_name() {
        cmd.arg0(name);
    }
    supervise::with_clean_env(&mut cmd);
    let has = |name: &str| supervise::clean_env().iter().any(|(k, _)| k == name);
    // What a shell would say of a program it started from there.
    if has("_") {
        cmd.env("_", &binary);
    }
    if let Some(root) = course_root(&binary) {
        if has("PWD") {
            cmd.env("PWD", &root);
        }
        cmd.current_dir(root);
    }
    cmd
}

/// The course a binary was built for: the nearest directory above it with an
/// `info.toml` (binaries live in `<course>/target/threadlings/`). `None`
/// leaves the process in the checker's own directory (tests and `main` runs
/// alike).
fn course_root(binary: &Path) -> Option<PathBuf> {
    binary
        .ancestors()
        .skip(1)
        .find(|dir| dir.join("info.toml").is_file())
        .map(Path::to_path_buf)
}

/// Runs the learner's own `main` once, as the program would run, and
/// returns what it printed (cut to a few KiB, control characters out).
pub(crate) fn program_output(binary: &Path, limits: &Limits) -> String {
    let limits = Limits {
        timeout: limits.timeout.min(PROGRAM_TIMEOUT),
        max_output_bytes: 16 * 1024,
        ..*limits
    };
    let handshake = Handshake {
        run: Run::Main,
        max_threads: limits.max_threads,
        max_memory_mb: limits.max_memory_mb,
    };
    let Ok(finished) = supervise::run(program(binary), handshake.to_text().as_bytes(), &limits)
    else {
        return String::new();
    };
    let mut text = String::from_utf8_lossy(&finished.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&finished.stderr));
    let mut text = judge::printable(&text);
    match finished.exit {
        Exit::TimedOut => text.push_str(&format!(
            "\n(still running after {} s: stopped)",
            limits.timeout.as_secs()
        )),
        Exit::OutputLimit => text.push_str("\n(more output was cut)"),
        _ => {}
    }
    text
}

/// A secret for one test run: only the support library, which reads it
/// before any learner code runs, can tag a report with it.
fn secret() -> String {
    let mut bytes = [0u8; 16];
    if std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .is_err()
    {
        use std::hash::{BuildHasher, Hasher};
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default()
                .as_nanos(),
        );
        bytes[..8].copy_from_slice(&h.finish().to_le_bytes());
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tests_and_programs_start_alike_in_the_course_s_directory() {
        let course = tempfile::tempdir().unwrap();
        std::fs::write(course.path().join("info.toml"), "").unwrap();
        let binary = course.path().join("target/threadlings/bin/key/spawn1");
        assert_eq!(course_root(&binary).as_deref(), Some(course.path()));
        assert_eq!(course_root(Path::new("/nowhere/bin/x")), None);
        let cmd = program(&binary);
        assert_eq!(cmd.get_current_dir(), Some(course.path()));
        assert_eq!(cmd.get_args().count(), 0, "the name is the only argument");
        for (name, value) in cmd.get_envs() {
            let name = name.to_string_lossy();
            assert!(
                !name.starts_with("CARGO") && !name.starts_with("RUST_"),
                "{name}"
            );
            if name == "PWD" {
                assert_eq!(value, Some(course.path().as_os_str()));
            }
        }
    }

    #[test]
    fn secrets_are_long_and_differ() {
        let (a, b) = (secret(), secret());
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
    }
}
