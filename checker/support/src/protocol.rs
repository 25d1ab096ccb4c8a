//! The protocol between the checker and a test binary, defined once.
//!
//! Both sides compile this file: every test binary with plain rustc (std
//! only: it writes reports), and the checker as a cargo dependency with the
//! `serde` feature (it reads them). So the names, codes and formats below
//! cannot drift apart.
//!
//! 1. The checker starts `binary --test NAME` with the limits in the
//!    environment, writes the [`handshake`] (`secret\nreport-path\n`) to its
//!    stdin and then holds stdin open while it lives (a test process whose
//!    stdin ends has lost its checker and stops: [`EXIT_ORPHANED`]).
//! 2. The harness reads the handshake before any learner code runs, runs the
//!    test, and appends one [`Record`] as one JSON line to the report file, in
//!    one write, so that the line lands whole.
//! 3. The checker counts only a record that carries the run's secret and the
//!    test's name: the learner's code can print anything, and without the
//!    secret it cannot write a record that counts.
//!
//! A process that stops itself at a limit prints a [`LimitHit::mark`] last on
//! stderr and exits with [`EXIT_LIMIT`].

use std::fmt::Write as _;
use std::io::BufRead;
use std::path::Path;

/// `binary --list`: print the hidden tests' names, one a line (no learner
/// code runs).
pub const ARG_LIST: &str = "--list";
/// `binary --test NAME`: run one hidden test and report it.
pub const ARG_TEST: &str = "--test";
/// `binary --main`: run the learner's own `main`, as the program would run.
pub const ARG_MAIN: &str = "--main";

/// The most threads a test process (and a learner's program it runs) may
/// have alive at once.
pub const ENV_MAX_THREADS: &str = "THREADLINGS_MAX_THREADS";
/// The most resident memory, in MiB, a test process may use.
pub const ENV_MAX_MEMORY_MB: &str = "THREADLINGS_MAX_MEMORY_MB";

/// The test binary was started with arguments it does not know.
pub const EXIT_USAGE: i32 = 2;
/// The handshake, the report file or the test name was unusable.
pub const EXIT_BAD_INPUT: i32 = 3;
/// The process stopped itself at a limit (see [`LimitHit`]).
pub const EXIT_LIMIT: i32 = 117;
/// The checker went away (stdin ended), so the test process stopped.
pub const EXIT_ORPHANED: i32 = 118;

/// How a limit mark begins on stderr, e.g. `threadlings-limit: threads 300`.
pub const LIMIT_MARK: &str = "threadlings-limit: ";

/// A limit a process stopped itself at, and what it measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LimitHit {
    /// This many threads were alive at once.
    Threads(u64),
    /// This many MiB of memory were resident.
    Memory(u64),
}

impl LimitHit {
    /// The line a process prints last on stderr before it exits with
    /// [`EXIT_LIMIT`].
    pub fn mark(&self) -> String {
        match self {
            LimitHit::Threads(n) => format!("{LIMIT_MARK}threads {n}"),
            LimitHit::Memory(mb) => format!("{LIMIT_MARK}memory {mb}"),
        }
    }

    /// The limit named by the last mark line in `stderr`, if that line is a
    /// well-formed mark. The last one wins: a test that runs the learner's
    /// program passes the program's mark on after everything it printed.
    pub fn parse(stderr: &str) -> Option<LimitHit> {
        let line = stderr
            .lines()
            .rev()
            .find_map(|l| l.strip_prefix(LIMIT_MARK))?;
        let mut words = line.split_whitespace();
        let (kind, value) = (words.next()?, words.next()?.parse().ok()?);
        match kind {
            "threads" => Some(LimitHit::Threads(value)),
            "memory" => Some(LimitHit::Memory(value)),
            _ => None,
        }
    }
}

/// What the checker writes to a test process's stdin: the run's secret and
/// the path of the report file, a line each.
pub fn handshake(secret: &str, report: &Path) -> String {
    format!("{secret}\n{}\n", report.display())
}

/// Reads the [`handshake`]: `(secret, report path)`, or `None` if either is
/// missing or empty.
pub fn read_handshake(input: &mut impl BufRead) -> Option<(String, String)> {
    let (mut secret, mut path) = (String::new(), String::new());
    input.read_line(&mut secret).ok()?;
    input.read_line(&mut path).ok()?;
    let (secret, path) = (secret.trim_end(), path.trim_end());
    if secret.is_empty() || path.is_empty() {
        return None;
    }
    Some((secret.to_string(), path.to_string()))
}

/// One test's report: one JSON object on one line of the report file.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Record {
    /// The run's secret, from the handshake.
    pub secret: String,
    /// The hidden test's name.
    pub test: String,
    pub status: RecordStatus,
    /// Why the test did not pass, in learner terms; empty on a pass.
    pub message: String,
    /// What the test process saw happen, in order (see `events.rs`).
    pub events: Vec<Event>,
    /// How many more events there were than the buffer keeps.
    pub events_dropped: u64,
}

/// How the hidden test ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum RecordStatus {
    Pass,
    Fail,
    /// A call into the learner's code did not return within the test's
    /// patience.
    Timeout,
}

/// One thing that happened in a test process.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Event {
    /// Microseconds since the test process started (a monotonic clock).
    pub t_us: u64,
    pub kind: EventKind,
    /// The number in the std `ThreadId` of the thread it is about.
    pub thread: u64,
    pub thread_name: Option<String>,
    /// The OS's id of that thread, where it can be observed.
    pub os_tid: Option<u32>,
    pub label: String,
}

/// What kind of thing happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum EventKind {
    Spawned,
    Started,
    Ended,
    JoinCalled,
    JoinReturned,
    Dropped,
    Note,
}

impl RecordStatus {
    /// The name in the report, as serde spells it (snake_case).
    pub fn as_str(self) -> &'static str {
        match self {
            RecordStatus::Pass => "pass",
            RecordStatus::Fail => "fail",
            RecordStatus::Timeout => "timeout",
        }
    }
}

impl EventKind {
    /// The name in the report, as serde spells it (snake_case).
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Spawned => "spawned",
            EventKind::Started => "started",
            EventKind::Ended => "ended",
            EventKind::JoinCalled => "join_called",
            EventKind::JoinReturned => "join_returned",
            EventKind::Dropped => "dropped",
            EventKind::Note => "note",
        }
    }
}

/// A JSON value the writer below knows how to write.
enum Json<'a> {
    Str(&'a str),
    OptStr(Option<&'a str>),
    U64(u64),
    OptU64(Option<u64>),
    /// Already written JSON (a nested array).
    Raw(String),
}

/// Writes `{"name":value,...}`.
fn object(out: &mut String, fields: &[(&str, Json)]) {
    out.push('{');
    for (i, (name, value)) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        string(out, name);
        out.push(':');
        match value {
            Json::Str(s) | Json::OptStr(Some(s)) => string(out, s),
            Json::U64(n) | Json::OptU64(Some(n)) => {
                let _ = write!(out, "{n}");
            }
            Json::OptStr(None) | Json::OptU64(None) => out.push_str("null"),
            Json::Raw(json) => out.push_str(json),
        }
    }
    out.push('}');
}

/// Writes `s` as a JSON string (RFC 8259): quote and backslash escaped,
/// control characters as `\u00XX`, everything else as it is (UTF-8).
fn string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

impl Record {
    /// The record as one line of JSON, newline included: what the harness
    /// appends to the report file.
    pub fn to_json_line(&self) -> String {
        let mut events = String::from("[");
        for (i, event) in self.events.iter().enumerate() {
            if i > 0 {
                events.push(',');
            }
            object(
                &mut events,
                &[
                    ("t_us", Json::U64(event.t_us)),
                    ("kind", Json::Str(event.kind.as_str())),
                    ("thread", Json::U64(event.thread)),
                    ("thread_name", Json::OptStr(event.thread_name.as_deref())),
                    ("os_tid", Json::OptU64(event.os_tid.map(u64::from))),
                    ("label", Json::Str(&event.label)),
                ],
            );
        }
        events.push(']');
        let mut out = String::new();
        object(
            &mut out,
            &[
                ("secret", Json::Str(&self.secret)),
                ("test", Json::Str(&self.test)),
                ("status", Json::Str(self.status.as_str())),
                ("message", Json::Str(&self.message)),
                ("events", Json::Raw(events)),
                ("events_dropped", Json::U64(self.events_dropped)),
            ],
        );
        out.push('\n');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_limit_mark_reads_back_and_the_last_one_wins() {
        for hit in [LimitHit::Threads(300), LimitHit::Memory(2048)] {
            assert_eq!(LimitHit::parse(&hit.mark()), Some(hit));
        }
        let stderr = format!(
            "noise\n{}\nmore noise\n{}\n",
            LimitHit::Memory(5).mark(),
            LimitHit::Threads(7).mark()
        );
        assert_eq!(LimitHit::parse(&stderr), Some(LimitHit::Threads(7)));
        assert_eq!(LimitHit::parse("threadlings-limit: cpu 3"), None);
        assert_eq!(LimitHit::parse("nothing here"), None);
    }

    #[test]
    fn the_handshake_reads_back() {
        let sent = handshake("abc", Path::new("/tmp/report 1"));
        let got = read_handshake(&mut sent.as_bytes());
        assert_eq!(got, Some(("abc".into(), "/tmp/report 1".into())));
        assert_eq!(read_handshake(&mut "abc\n".as_bytes()), None);
        assert_eq!(read_handshake(&mut "".as_bytes()), None);
    }

    #[test]
    fn records_are_one_line_of_escaped_json() {
        let record = Record {
            secret: "s".into(),
            test: "t".into(),
            status: RecordStatus::Timeout,
            message: "say \"hi\"\n\\ \u{1} é".into(),
            events: vec![Event {
                t_us: 5,
                kind: EventKind::JoinCalled,
                thread: 2,
                thread_name: None,
                os_tid: Some(77),
                label: "x".into(),
            }],
            events_dropped: 1,
        };
        assert_eq!(
            record.to_json_line(),
            "{\"secret\":\"s\",\"test\":\"t\",\"status\":\"timeout\",\
             \"message\":\"say \\\"hi\\\"\\u000a\\\\ \\u0001 é\",\"events\":[{\"t_us\":5,\
             \"kind\":\"join_called\",\"thread\":2,\"thread_name\":null,\"os_tid\":77,\
             \"label\":\"x\"}],\"events_dropped\":1}\n"
        );
    }
}
