//! Judging one run of one hidden test: how its process ended and what it
//! reported become a status and a message in learner terms.
//!
//! The rule: only the test's own report, tagged with the run's secret,
//! can make a pass. Everything else (exit codes, signals, limits) explains
//! why there is none.

use threadlings_support::protocol::{
    EXIT_BAD_INPUT, EXIT_LIMIT, EXIT_ORPHANED, LimitHit, Record, RecordStatus,
};

use super::{Status, TestResult, shown};
use crate::sandbox;
use crate::supervise::{Exit, Finished, Limits};

/// Judges one test process. `reported` is the report file's contents.
pub(crate) fn test_run(
    test: &str,
    secret: &str,
    reported: &str,
    finished: &Finished,
    limits: &Limits,
) -> TestResult {
    let report = report_of(test, secret, reported);
    let (status, message) = status_of(test, &report, finished, limits);
    let message = shown::tidy(&message);
    let reported = report.counted().is_some();
    let tampered = report.problem.is_some();
    let (events, events_dropped) = report
        .record
        .map_or_else(Default::default, |r| (r.events, r.events_dropped));
    TestResult {
        name: test.to_string(),
        status,
        message,
        reported,
        tampered,
        duration_ms: 0,
        output: output_tail(finished),
        events,
        events_dropped,
    }
}

fn status_of(
    test: &str,
    report: &Report,
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
                    "the test `{test}` printed more than {} and was stopped",
                    shown::size(u64::try_from(limits.max_output_bytes).unwrap_or(u64::MAX))
                ),
            );
        }
        Exit::ThreadLimit(n) => return (Status::Crash, thread_limit(test, n, limits.max_threads)),
        Exit::MemoryLimit(mb) => {
            return (Status::Crash, memory_limit(test, mb, limits.max_memory_mb));
        }
        _ => {}
    }
    if let Some(record) = report.counted() {
        return match record.status {
            // The harness exits with 0 right after it reports: anything else
            // means the program died after the test (a learner thread that
            // aborted or exited meanwhile), and that is no pass.
            RecordStatus::Pass if finished.exit == Exit::Code(0) => (Status::Pass, String::new()),
            RecordStatus::Pass => (
                Status::Crash,
                format!(
                    "the test `{test}` passed, but then the program {}{}",
                    ending(finished.exit),
                    stderr_tail(&finished.stderr)
                ),
            ),
            RecordStatus::Fail => (Status::Fail, record.message.clone()),
            // The test's own deadline passed: the learner's call never returned.
            RecordStatus::Timeout => (Status::Timeout, record.message.clone()),
        };
    }
    if let (Some(_), Some(problem)) = (&report.record, &report.problem) {
        return (Status::Fail, problem.clone());
    }
    let tail = stderr_tail(&finished.stderr);
    if finished.exit == Exit::Code(EXIT_LIMIT)
        && let Some(hit) = LimitHit::parse(&String::from_utf8_lossy(&finished.stderr))
    {
        return (
            Status::Crash,
            match hit {
                LimitHit::Threads(n) => thread_limit(test, n, limits.max_threads),
                LimitHit::Memory(mb) => memory_limit(test, mb, limits.max_memory_mb),
            },
        );
    }
    // The sandbox step could not apply what the kernel seemed to offer: the
    // test never ran (learner code could fake this, and gets a crash).
    let stderr = String::from_utf8_lossy(&finished.stderr);
    if finished.exit == Exit::Code(i32::from(sandbox::EXIT_NOT_APPLIED))
        && let Some(why) = stderr
            .lines()
            .find_map(|line| line.strip_prefix(sandbox::NOT_APPLIED_MARK))
    {
        return (
            Status::Crash,
            format!("threadlings could not start the test `{test}` in its sandbox: {why}"),
        );
    }
    let (status, message) = match finished.exit {
        // The codes a test binary stops with when it cannot run its test
        // (the handshake failed, or the checker went away): most likely the
        // checker's fault, so not a plain failure of the file. Learner code
        // can exit with them too, and the message says so.
        Exit::Code(code @ (EXIT_BAD_INPUT | EXIT_ORPHANED)) => (
            Status::Crash,
            format!(
                "threadlings could not run the check: the test `{test}` stopped with exit code \
                 {code} before it reported, the code a test uses when it cannot start. If your \
                 code calls `std::process::exit({code})`, let your functions return instead.{tail}"
            ),
        ),
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
    };
    match &report.problem {
        Some(problem) => (status, format!("{message}\n\n{problem}")),
        None => (status, message),
    }
}

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

/// What a test's report file held for this run.
#[derive(Debug, Default)]
struct Report {
    /// The record with the run's secret and the test's name (the first, if
    /// there were more).
    record: Option<Record>,
    /// Why the report cannot be trusted, if it cannot.
    problem: Option<String>,
}

impl Report {
    /// The record, if it is the only thing in the report that is not another
    /// run's or test's: the only evidence of how the test ended.
    fn counted(&self) -> Option<&Record> {
        self.record.as_ref().filter(|_| self.problem.is_none())
    }
}

/// Reads a test's report file: one JSON record per line (the protocol in
/// the support crate). Only a record with the run's secret and the test's
/// name counts; a line that is no record, or a second such record, is
/// something the learner's code wrote, and spoils the report.
fn report_of(test: &str, secret: &str, reported: &str) -> Report {
    let mut report = Report::default();
    let mut ours = 0;
    let mut unexpected = false;
    for line in reported.lines() {
        match serde_json::from_str::<Record>(line) {
            Ok(record) if record.secret == secret && record.test == test => {
                ours += 1;
                report.record.get_or_insert(record);
            }
            Ok(_) => {}
            Err(_) => unexpected = true,
        }
    }
    let spoiled = if ours > 1 {
        Some("reported more than once")
    } else if unexpected {
        Some("wrote something unexpected to its report")
    } else {
        None
    };
    report.problem = spoiled.map(|what| {
        format!(
            "the test `{test}` {what}, so its result cannot be trusted. Does your code write to \
             files it did not open itself?"
        )
    });
    report
}

/// How a process ended, in words, for a process that should have exited 0.
fn ending(exit: Exit) -> String {
    match exit {
        Exit::Signal(signal) => format!("crashed: {}", signal_meaning(signal)),
        Exit::Code(code) => format!("exited with code {code}"),
        other => format!("was stopped ({other:?})"),
    }
}

fn signal_meaning(signal: i32) -> String {
    match signal {
        6 => "it aborted (SIGABRT): a stack overflow, `std::process::abort`, or a panic inside a panic".into(),
        9 => "it was killed (SIGKILL), perhaps for using too much memory".into(),
        11 => "it touched memory it must not (SIGSEGV), often a stack overflow".into(),
        other => format!("it was killed by signal {other}"),
    }
}

/// What a program printed, made safe and fit to show: control characters
/// out (terminal escapes the learner's code may print), line breaks kept,
/// and only what the learner should see (`shown::tidy`: no checker paths
/// or frames, short toolchain paths).
pub(crate) fn printable(text: &str) -> String {
    let text: String = text
        .chars()
        .filter(|c| !c.is_control() || *c == '\n')
        .collect();
    shown::tidy(&text)
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

    /// A report line as the test binary writes it.
    fn line(secret: &str, test: &str, status: RecordStatus, message: &str) -> String {
        Record {
            secret: secret.into(),
            test: test.into(),
            status,
            message: message.into(),
            events: Vec::new(),
            events_dropped: 0,
        }
        .to_json_line()
    }

    fn judge(reported: &str, exit: Exit, stderr: &str) -> (Status, String) {
        let t = test_run("t", "abc", reported, &finished(exit, stderr), &LIMITS);
        (t.status, t.message)
    }

    #[test]
    fn only_a_report_with_the_secret_and_the_right_name_is_a_pass() {
        let ok = Exit::Code(0);
        let pass = |secret, test| line(secret, test, RecordStatus::Pass, "");
        assert_eq!(judge(&pass("abc", "t"), ok, "").0, Status::Pass);
        assert_eq!(judge(&pass("xyz", "t"), ok, "").0, Status::Fail);
        assert_eq!(judge(&pass("abc", "other"), ok, "").0, Status::Fail);
        let (status, message) = judge("", ok, "");
        assert_eq!(status, Status::Fail);
        assert!(message.contains("std::process::exit"), "{message}");
        // The old format of report lines counts for nothing.
        assert_eq!(judge("abc pass t\n", ok, "").0, Status::Fail);
    }

    #[test]
    fn a_report_with_anything_else_in_it_is_not_trusted() {
        let ok = Exit::Code(0);
        let pass = line("abc", "t", RecordStatus::Pass, "");
        let (status, message) = judge(&format!("{pass}{pass}"), ok, "");
        assert_eq!(status, Status::Fail);
        assert!(message.contains("reported more than once"), "{message}");
        let (status, message) = judge(&format!("0 pass t\n{pass}"), ok, "");
        assert_eq!(status, Status::Fail);
        assert!(message.contains("wrote something unexpected"), "{message}");
        // Without a record of its own, how the process ended says why.
        let (status, message) = judge("0 pass t\n", ok, "");
        assert_eq!(status, Status::Fail);
        assert!(
            message.contains("std::process::exit") && message.contains("unexpected"),
            "{message}"
        );
        // Another run's record is no problem, and no evidence either.
        let other = line("xyz", "t", RecordStatus::Fail, "");
        let report = report_of("t", "abc", &format!("{other}{pass}"));
        assert!(report.counted().is_some());
        // A spoiled report marks the result, for the verdict's flag.
        let tampered =
            |reported: &str| test_run("t", "abc", reported, &finished(ok, ""), &LIMITS).tampered;
        assert!(tampered(&format!("{pass}{pass}")));
        assert!(tampered(&format!("0 pass t\n{pass}")));
        assert!(!tampered(&pass));
        assert!(!tampered(""));
    }

    #[test]
    fn failures_carry_the_tests_message_and_endings_map_to_statuses() {
        let failed = line("abc", "t", RecordStatus::Fail, "line one\nline \\two \"q\"");
        assert_eq!(
            judge(&failed, Exit::Code(0), ""),
            (Status::Fail, "line one\nline \\two \"q\"".to_string())
        );
        let slow = line("abc", "t", RecordStatus::Timeout, "`f()` did not return");
        assert_eq!(
            judge(&slow, Exit::Code(0), ""),
            (Status::Timeout, "`f()` did not return".to_string())
        );
        assert_eq!(judge("", Exit::TimedOut, "").0, Status::Timeout);
        let pass = line("abc", "t", RecordStatus::Pass, "");
        assert_eq!(judge(&pass, Exit::OutputLimit, "").0, Status::Crash);
        let (status, message) = judge("", Exit::Signal(6), "has overflowed its stack\x1b[0m");
        assert_eq!(status, Status::Crash);
        assert!(
            message.contains("SIGABRT")
                && message.contains("overflowed")
                && !message.contains('\x1b')
        );
    }

    #[test]
    fn a_pass_counts_only_from_a_test_process_that_then_exited_cleanly() {
        let pass = line("abc", "t", RecordStatus::Pass, "");
        let (status, message) = judge(&pass, Exit::Signal(6), "");
        assert_eq!(status, Status::Crash);
        assert!(message.contains("SIGABRT"), "{message}");
        assert_eq!(judge(&pass, Exit::Code(7), "").0, Status::Crash);
        let (status, message) = judge("", Exit::Code(EXIT_BAD_INPUT), "");
        assert_eq!(status, Status::Crash);
        assert!(
            message.starts_with("threadlings could not run"),
            "{message}"
        );
        let refused = format!(
            "{}Landlock: only PartiallyEnforced\n",
            sandbox::NOT_APPLIED_MARK
        );
        let code = Exit::Code(i32::from(sandbox::EXIT_NOT_APPLIED));
        let (status, message) = judge("", code, &refused);
        assert_eq!(status, Status::Crash);
        assert!(
            message.contains("in its sandbox: Landlock: only"),
            "{message}"
        );
    }

    #[test]
    fn a_limit_the_test_process_stopped_itself_at_is_a_crash() {
        let stderr = format!("noise\n{}\n", LimitHit::Threads(99).mark());
        let (status, message) = judge("", Exit::Code(EXIT_LIMIT), &stderr);
        assert_eq!(status, Status::Crash);
        assert!(message.contains("99 threads") && message.contains("limit is 50"));
        assert_eq!(judge("", Exit::Code(EXIT_LIMIT), "").0, Status::Fail);
    }

    #[test]
    fn a_result_keeps_the_end_of_what_the_test_printed() {
        let long = format!("{}THE END\x1b", "é".repeat(OUTPUT_KEPT));
        let pass = line("abc", "t", RecordStatus::Pass, "");
        let t = test_run("t", "abc", &pass, &finished(Exit::Code(0), &long), &LIMITS);
        assert!(t.output.ends_with("THE END") && t.output.len() <= OUTPUT_KEPT);
    }
}
