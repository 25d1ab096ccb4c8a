//! Running a built test binary: one hidden test in a process of its own, or
//! the learner's own `main` as the program would run.

use std::io::Read as _;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use threadlings_support::protocol;

use crate::sandbox::{self, Exit, Limits};
use crate::verdict::{Status, TestResult, judge};

/// How long watch mode lets the learner's own program run to show its output.
const PROGRAM_TIMEOUT: Duration = Duration::from_secs(5);

/// Runs one hidden test in its own process and judges how it ended. The
/// report file is made in `runs_dir` and removed afterwards.
pub(super) fn run_test(binary: &Path, test: &str, limits: &Limits, runs_dir: &Path) -> TestResult {
    let started = Instant::now();
    let mut result = run_and_judge(binary, test, limits, runs_dir);
    result.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    result
}

fn run_and_judge(binary: &Path, test: &str, limits: &Limits, runs_dir: &Path) -> TestResult {
    let internal = |message: String| TestResult {
        name: test.to_string(),
        status: Status::Crash,
        message,
        duration_ms: 0,
        output: String::new(),
        reported: false,
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
    let stdin = protocol::handshake(&secret, report.path());
    let mut cmd = Command::new(binary);
    cmd.arg(protocol::ARG_TEST)
        .arg(test)
        .env_remove("RUST_BACKTRACE");
    watch_limits_too(&mut cmd, limits);
    let finished = match sandbox::run(cmd, stdin.as_bytes(), limits) {
        Ok(f) => f,
        Err(e) => return internal(format!("threadlings could not start the test: {e}")),
    };
    let reported = std::fs::read_to_string(report.path()).unwrap_or_default();
    judge::test_run(test, &secret, &reported, &finished, limits)
}

/// The test binary watches its own threads and memory too (and the
/// learner's program when a test runs it): it is told the limits.
fn watch_limits_too(cmd: &mut Command, limits: &Limits) {
    cmd.env(protocol::ENV_MAX_THREADS, limits.max_threads.to_string())
        .env(
            protocol::ENV_MAX_MEMORY_MB,
            limits.max_memory_mb.to_string(),
        );
}

/// Runs the learner's own `main` once, as the program would run, and
/// returns what it printed (cut to a few KiB, control characters out).
pub(crate) fn program_output(binary: &Path, limits: &Limits) -> String {
    let limits = Limits {
        timeout: limits.timeout.min(PROGRAM_TIMEOUT),
        max_output_bytes: 16 * 1024,
        ..*limits
    };
    let mut cmd = Command::new(binary);
    cmd.arg(protocol::ARG_MAIN);
    watch_limits_too(&mut cmd, &limits);
    let Ok(finished) = sandbox::run(cmd, b"", &limits) else {
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
    fn secrets_are_long_and_differ() {
        let (a, b) = (secret(), secret());
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
    }
}
