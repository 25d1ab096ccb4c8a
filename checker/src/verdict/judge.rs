//! Judging one run of one hidden test: how its process ended and what it
//! reported become a status and a message in learner terms.
//!
//! The rule: only the test's own report, tagged with the run's secret,
//! can make a pass. Everything else (exit codes, signals, limits) explains
//! why there is none.

use super::{Status, TestResult};
use crate::sandbox::{Exit, Finished, Limits};

/// Judges one test process. `reported` is the report file's contents.
pub(crate) fn test_run(
    test: &str,
    secret: &str,
    reported: &str,
    finished: &Finished,
    limits: &Limits,
) -> TestResult {
    let report = report_of(test, secret, reported);
    let (status, message) = status_of(test, report.clone(), finished, limits);
    TestResult {
        name: test.to_string(),
        status,
        message,
        reported: report.is_some(),
        duration_ms: 0,
        output: output_tail(finished),
    }
}

fn status_of(
    test: &str,
    report: Option<(Status, String)>,
    finished: &Finished,
    limits: &Limits,
) -> (Status, String) {
    match finished.exit {
        Exit::TimedOut => {
            return (
                Status::Timeout,
                format!(
                    "the test `{test}` was still running after {} s and was stopped. Does something wait \
                     forever, or loop without end?",
                    limits.timeout.as_secs()
                ),
            );
        }
        Exit::OutputLimit => {
            return (
                Status::Crash,
                format!(
                    "the test `{test}` printed more than {} bytes and was stopped",
                    limits.max_output_bytes
                ),
            );
        }
        Exit::ThreadLimit(n) => return (Status::Crash, thread_limit(test, n, limits.max_threads)),
        Exit::MemoryLimit(mb) => {
            return (Status::Crash, memory_limit(test, mb, limits.max_memory_mb));
        }
        _ => {}
    }
    if let Some(outcome) = report {
        return outcome;
    }
    let tail = stderr_tail(&finished.stderr);
    if finished.exit == Exit::Code(LIMIT_EXIT)
        && let Some(crash) = self_reported_limit(test, &finished.stderr, limits)
    {
        return (Status::Crash, crash);
    }
    match finished.exit {
        Exit::Signal(signal) => (
            Status::Crash,
            format!(
                "the test `{test}` crashed: {}{tail}",
                signal_meaning(signal)
            ),
        ),
        Exit::Code(0) => (
            Status::Fail,
            format!(
                "the program ended before the test `{test}` finished: something called \
                 `std::process::exit`. Let your functions return instead.{tail}"
            ),
        ),
        Exit::Code(code) => (
            Status::Fail,
            format!(
                "the program stopped with exit code {code} before the test `{test}` finished.{tail}"
            ),
        ),
        Exit::Stopped => (Status::Crash, format!("the test `{test}` was stopped")),
        Exit::TimedOut | Exit::OutputLimit | Exit::ThreadLimit(_) | Exit::MemoryLimit(_) => {
            unreachable!("handled above")
        }
    }
}

/// The exit code of a test binary that stopped itself at a limit (support.rs).
const LIMIT_EXIT: i32 = 117;

fn thread_limit(test: &str, threads: u64, max: u64) -> String {
    format!(
        "the test `{test}` was stopped: the program had {threads} threads alive at once, and the limit is \
         {max}. Is something starting threads without end?"
    )
}

fn memory_limit(test: &str, mb: u64, max: u64) -> String {
    format!(
        "the test `{test}` was stopped: the program used {mb} MiB of memory, and the limit is {max} MiB"
    )
}

/// A test binary that stopped itself (or the learner's program it ran) at a
/// limit says so on stderr: `threadlings-limit: threads N` or `memory N`.
fn self_reported_limit(test: &str, stderr: &[u8], limits: &Limits) -> Option<String> {
    let text = String::from_utf8_lossy(stderr);
    let line = text
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("threadlings-limit: "))?;
    let mut words = line.split_whitespace();
    let (kind, value) = (words.next()?, words.next()?.parse().ok()?);
    match kind {
        "threads" => Some(thread_limit(test, value, limits.max_threads)),
        "memory" => Some(memory_limit(test, value, limits.max_memory_mb)),
        _ => None,
    }
}

/// The test's own report: the line tagged with the secret that names it.
pub(crate) fn report_of(test: &str, secret: &str, reported: &str) -> Option<(Status, String)> {
    let prefix = format!("{secret} ");
    let line = reported.lines().find_map(|l| l.strip_prefix(&prefix))?;
    let mut parts = line.splitn(3, ' ');
    match (parts.next(), parts.next(), parts.next()) {
        (Some("pass"), Some(name), _) if name == test => Some((Status::Pass, String::new())),
        (Some("fail"), Some(name), message) if name == test => {
            Some((Status::Fail, unescape(message.unwrap_or(""))))
        }
        _ => None,
    }
}

fn unescape(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut chars = message.chars();
    while let Some(c) = chars.next() {
        match (c, c == '\\') {
            (_, true) => match chars.next() {
                Some('n') => out.push('\n'),
                Some(other) => out.push(other),
                None => {}
            },
            (c, false) => out.push(c),
        }
    }
    out
}

fn signal_meaning(signal: i32) -> String {
    match signal {
        6 => "it aborted (SIGABRT): a stack overflow, `std::process::abort`, or a panic inside a panic".into(),
        9 => "it was killed (SIGKILL), perhaps for using too much memory".into(),
        11 => "it touched memory it must not (SIGSEGV), often a stack overflow".into(),
        other => format!("it was killed by signal {other}"),
    }
}

/// Removes control characters (terminal escapes the learner's code may
/// print) but keeps line breaks.
fn printable(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control() || *c == '\n')
        .collect()
}

/// The last lines the test printed to stderr, made safe to show.
fn stderr_tail(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let lines: Vec<&str> = text.lines().collect();
    let clean = printable(&lines[lines.len().saturating_sub(8)..].join("\n"));
    if clean.trim().is_empty() {
        String::new()
    } else {
        format!("\n\nIt printed to stderr:\n{clean}")
    }
}

/// How much of a test's own output a result keeps (the end of it, where
/// the trouble usually is).
const OUTPUT_KEPT: usize = 8 * 1024;

/// What the test process printed (stdout, then stderr), its last
/// `OUTPUT_KEPT` bytes, made safe to show.
fn output_tail(finished: &Finished) -> String {
    let mut text = String::from_utf8_lossy(&finished.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&finished.stderr));
    let mut start = text.len().saturating_sub(OUTPUT_KEPT);
    while !text.is_char_boundary(start) {
        start += 1;
    }
    printable(&text[start..])
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn finished(exit: Exit, stderr: &str) -> Finished {
        Finished {
            exit,
            stdout: Vec::new(),
            stderr: stderr.as_bytes().to_vec(),
        }
    }

    const LIMITS: Limits = Limits {
        timeout: Duration::from_secs(10),
        max_output_bytes: 100,
        max_threads: 50,
        max_memory_mb: 100,
    };

    fn judge(reported: &str, exit: Exit, stderr: &str) -> (Status, String) {
        let t = test_run("t", "abc", reported, &finished(exit, stderr), &LIMITS);
        (t.status, t.message)
    }

    #[test]
    fn only_a_report_with_the_secret_and_the_right_name_is_a_pass() {
        let ok = Exit::Code(0);
        assert_eq!(judge("abc pass t\n", ok, "").0, Status::Pass);
        assert_eq!(judge("xyz pass t\n", ok, "").0, Status::Fail);
        assert_eq!(judge("abc pass other\n", ok, "").0, Status::Fail);
        let (status, message) = judge("", ok, "");
        assert_eq!(status, Status::Fail);
        assert!(message.contains("std::process::exit"), "{message}");
    }

    #[test]
    fn failures_carry_the_tests_message_and_endings_map_to_statuses() {
        let (status, message) = judge("abc fail t line one\\nline \\\\two\n", Exit::Code(0), "");
        assert_eq!(
            (status, message.as_str()),
            (Status::Fail, "line one\nline \\two")
        );
        assert_eq!(judge("", Exit::TimedOut, "").0, Status::Timeout);
        assert_eq!(judge("abc pass t", Exit::OutputLimit, "").0, Status::Crash);
        let (status, message) = judge("", Exit::Signal(6), "has overflowed its stack\x1b[0m");
        assert_eq!(status, Status::Crash);
        assert!(
            message.contains("SIGABRT")
                && message.contains("overflowed")
                && !message.contains('\x1b')
        );
        let (status, message) = judge(
            "",
            Exit::Code(LIMIT_EXIT),
            "x\nthreadlings-limit: threads 90\n",
        );
        assert_eq!(status, Status::Crash);
        assert!(message.contains("90 threads"), "{message}");
    }

    #[test]
    fn a_result_keeps_the_end_of_what_the_test_printed() {
        let long = format!("{}THE END\x1b", "é".repeat(OUTPUT_KEPT));
        let t = test_run(
            "t",
            "abc",
            "abc pass t",
            &finished(Exit::Code(0), &long),
            &LIMITS,
        );
        assert!(t.output.ends_with("THE END") && t.output.len() <= OUTPUT_KEPT);
    }
}
