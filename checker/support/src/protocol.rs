//! The protocol between the checker and a test binary, defined once.
//!
//! Both sides compile this file: every test binary with plain rustc (std
//! only: it writes reports), and the checker as a cargo dependency with the
//! `serde` feature (it reads them). So the names, codes and formats below
//! cannot drift apart.
//!
//! A test process must look like the learner's program run for real, so
//! that learner code cannot tell the two apart: it gets no arguments (its
//! one argument is the program's name), no variables of ours in its
//! environment, and the same directory as a run of the learner's program.
//! Everything the run needs travels on stdin instead:
//!
//! 1. The checker starts the binary, writes the [`Handshake`] (what to run,
//!    and for a test the run's secret and report file, and the limits) to its
//!    stdin and then holds stdin open while it lives (a test process whose
//!    stdin ends has lost its checker and stops: [`EXIT_ORPHANED`]).
//! 2. The harness reads the handshake before any learner code runs, runs the
//!    test, and appends one [`Record`] as one JSON line to the report file, in
//!    one write, so that the line lands whole.
//! 3. The checker counts only a record that carries the run's secret and the
//!    test's name: the learner's code can print anything, and without the
//!    secret it cannot write a record that counts.
//!
//! `binary --list` prints the hidden tests' names (no learner code runs).
//! A process that stops itself at a limit prints a [`LimitHit::mark`] last on
//! stderr and exits with [`EXIT_LIMIT`].

use std::fmt::Write as _;
use std::io::BufRead;

/// `binary --list`: print the hidden tests' names, one a line (no learner
/// code runs, so this one may be an argument).
pub const ARG_LIST: &str = "--list";

/// What a test process is to do, and within which limits: the first thing
/// it reads on stdin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Handshake {
    pub run: Run,
    /// The most threads the process (and a learner's program it runs) may
    /// have alive at once.
    pub max_threads: u64,
    /// The most resident memory, in MiB, the process may use.
    pub max_memory_mb: u64,
    /// Where to ask about this process's threads ([`ASK`] and [`ANSWER`] in
    /// this directory), when the process may not read `/proc` itself (the
    /// checker's sandbox); `None`: it reads `/proc` itself.
    pub observer: Option<String>,
}

/// What a test process runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Run {
    /// One hidden test, reported to `report` with `secret`.
    Test {
        name: String,
        secret: String,
        report: String,
    },
    /// The learner's own `main`, as the program would run.
    Main,
}

/// The words that name a [`Run`] in the handshake.
const RUN_TEST: &str = "test";
const RUN_MAIN: &str = "main";

impl Handshake {
    /// The handshake as the checker writes it: one value a line (`test`,
    /// name, secret, report path, limits; or `main`, limits). A value may
    /// hold anything but a line break.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        match &self.run {
            Run::Test {
                name,
                secret,
                report,
            } => {
                let _ = writeln!(out, "{RUN_TEST}\n{name}\n{secret}\n{report}");
            }
            Run::Main => {
                let _ = writeln!(out, "{RUN_MAIN}");
            }
        }
        let _ = writeln!(out, "{}\n{}", self.max_threads, self.max_memory_mb);
        let _ = writeln!(out, "{}", self.observer.as_deref().unwrap_or(NO_OBSERVER));
        out
    }

    /// Reads a handshake, exactly its lines and nothing after them; `None`
    /// if it is incomplete or malformed.
    pub fn read(input: &mut impl BufRead) -> Option<Handshake> {
        let mut line = || {
            let mut text = String::new();
            input.read_line(&mut text).ok()?;
            let value = text.strip_suffix('\n')?;
            Some(value.to_string())
        };
        let run = match line()?.as_str() {
            RUN_TEST => {
                let (name, secret, report) = (line()?, line()?, line()?);
                if [&name, &secret, &report].iter().any(|v| v.is_empty()) {
                    return None;
                }
                Run::Test {
                    name,
                    secret,
                    report,
                }
            }
            RUN_MAIN => Run::Main,
            _ => return None,
        };
        let max_threads = line()?.parse().ok()?;
        let max_memory_mb = line()?.parse().ok()?;
        let observer = match line()? {
            none if none == NO_OBSERVER => None,
            dir if dir.is_empty() => return None,
            dir => Some(dir),
        };
        Some(Handshake {
            run,
            max_threads,
            max_memory_mb,
            observer,
        })
    }
}

/// The handshake's observer line when the process reads `/proc` itself.
const NO_OBSERVER: &str = "-";

/// The FIFO in the observer's directory that a test process writes its
/// questions to, and the one it reads the answers from. The checker makes
/// both before the process starts. Once the process has opened them and
/// its report and status files ([`HELLO`], before any learner code runs),
/// the checker moves all four out of the directory, where the process may
/// not open anything (the sandbox): learner code cannot open them again,
/// not even through `/proc/self/fd`.
pub const ASK: &str = "ask";
pub const ANSWER: &str = "answer";

/// The first line a test process sends: it has its files open.
pub const HELLO: &str = "hello";

/// What a sandboxed test process may ask the checker about itself: the
/// `/proc` files its observations need, and nothing else (no `mem`, no
/// `fd`). One line of questions, `;`-separated, gets one answer per question.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Question {
    /// The tids listed in `task/`, space-separated.
    Threads,
    /// Every thread listed in `task/`, a line each: its tid, its `syscall`
    /// and its `stat` (read in that order), tab-separated, each empty if it
    /// could not be read. One look at all of them, for one round trip.
    Waits,
    /// The process's `status`.
    Status,
    /// `task/<tid>/stat`.
    Stat(u32),
    /// `task/<tid>/syscall`.
    Syscall(u32),
    /// `task/<tid>/schedstat`.
    Schedstat(u32),
    /// The `status` of a child process of this one (a learner's program a
    /// test runs).
    ChildStatus(u32),
}

impl Question {
    fn to_text(self) -> String {
        match self {
            Question::Threads => "threads".into(),
            Question::Waits => "waits".into(),
            Question::Status => "status".into(),
            Question::Stat(tid) => format!("stat {tid}"),
            Question::Syscall(tid) => format!("syscall {tid}"),
            Question::Schedstat(tid) => format!("schedstat {tid}"),
            Question::ChildStatus(pid) => format!("child {pid}"),
        }
    }

    fn from_text(text: &str) -> Option<Question> {
        let (word, number) = match text.split_once(' ') {
            Some((word, n)) => (word, Some(n.parse::<u32>().ok()?)),
            None => (text, None),
        };
        Some(match (word, number) {
            ("threads", None) => Question::Threads,
            ("waits", None) => Question::Waits,
            ("status", None) => Question::Status,
            ("stat", Some(n)) => Question::Stat(n),
            ("syscall", Some(n)) => Question::Syscall(n),
            ("schedstat", Some(n)) => Question::Schedstat(n),
            ("child", Some(n)) => Question::ChildStatus(n),
            _ => return None,
        })
    }

    /// Questions as one line, newline included.
    pub fn line(questions: &[Question]) -> String {
        let parts: Vec<String> = questions.iter().map(|q| q.to_text()).collect();
        format!("{}\n", parts.join(";"))
    }

    /// A line of questions (without its newline); `None` if any is unknown.
    pub fn parse_line(line: &str) -> Option<Vec<Question>> {
        line.split(';').map(Question::from_text).collect()
    }
}

/// Answers as the checker writes them: per question `-` (unreadable) or the
/// length in bytes, a newline, and that many bytes.
pub fn write_answers(answers: &[Option<String>]) -> Vec<u8> {
    let mut out = Vec::new();
    for answer in answers {
        match answer {
            None => out.extend_from_slice(b"-\n"),
            Some(text) => {
                out.extend_from_slice(format!("{}\n", text.len()).as_bytes());
                out.extend_from_slice(text.as_bytes());
            }
        }
    }
    out
}

/// Reads `count` answers written by [`write_answers`]; `None` if the stream
/// ends or is malformed.
pub fn read_answers(input: &mut impl BufRead, count: usize) -> Option<Vec<Option<String>>> {
    let mut answers = Vec::with_capacity(count);
    for _ in 0..count {
        let mut head = String::new();
        input.read_line(&mut head).ok()?;
        let head = head.strip_suffix('\n')?;
        if head == "-" {
            answers.push(None);
            continue;
        }
        let len: usize = head.parse().ok()?;
        let mut body = vec![0u8; len];
        input.read_exact(&mut body).ok()?;
        answers.push(Some(String::from_utf8(body).ok()?));
    }
    Some(answers)
}

/// The test binary was started with arguments it does not know, or by
/// hand (its stdin a terminal).
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
    /// The thread's name, at most 64 bytes of it; the test harness's own
    /// thread is [`TEST_THREAD_NAME`].
    pub thread_name: Option<String>,
    /// The OS's id of that thread, where it can be observed.
    pub os_tid: Option<u32>,
    pub label: String,
    /// The other thread it involves, as `thread` numbers it: the thread a
    /// join waits for (`join_called`, `join_returned`).
    pub peer: Option<u64>,
}

/// The name the test harness's own thread has in events. It holds a NUL,
/// which std refuses in a thread's name: no learner thread can pass for it.
pub const TEST_THREAD_NAME: &str = "\u{0}test";

/// What kind of thing happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum EventKind {
    /// A thread was created (by the test; a learner's `spawn` cannot be
    /// seen, so a learner's thread first shows as `Started`).
    Spawned,
    /// Work the test handed over began on this thread (the label says which).
    Started,
    /// That work finished on this thread.
    Ended,
    /// This thread ended: its thread-local destructors ran.
    Exited,
    /// This thread was seen waiting in a join (the label says on what).
    JoinCalled,
    /// This thread was seen past that join.
    JoinReturned,
    /// A value the test made was first used on this thread: it moved here.
    MovedIn,
    /// A value the test made was dropped on this thread.
    Dropped,
    /// The learner's function (or `main`) returned on this thread.
    Returned,
    /// Anything else worth showing (the label says what).
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
            EventKind::Exited => "exited",
            EventKind::JoinCalled => "join_called",
            EventKind::JoinReturned => "join_returned",
            EventKind::MovedIn => "moved_in",
            EventKind::Dropped => "dropped",
            EventKind::Returned => "returned",
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
                    ("peer", Json::OptU64(event.peer)),
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
        // Apart from tests that count every thread of the process.
        let _threads = crate::testing::spawning();
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
    fn the_handshake_reads_back_and_nothing_after_it() {
        // Apart from tests that count every thread of the process.
        let _threads = crate::testing::spawning();
        let runs = [
            Run::Test {
                name: "t".into(),
                secret: "abc".into(),
                report: "/tmp/report 1".into(),
            },
            Run::Main,
        ];
        for (run, observer) in runs.into_iter().zip([Some("/tmp/run-1".to_string()), None]) {
            let sent = Handshake {
                run,
                max_threads: 256,
                max_memory_mb: 1024,
                observer,
            };
            let text = format!("{}learner input\n", sent.to_text());
            let mut input = text.as_bytes();
            assert_eq!(Handshake::read(&mut input), Some(sent));
            assert_eq!(input, b"learner input\n", "what follows stays unread");
        }
    }

    #[test]
    fn a_broken_handshake_is_refused() {
        // Apart from tests that count every thread of the process.
        let _threads = crate::testing::spawning();
        for text in [
            "",
            "main\n",
            "main\n256\n",
            "main\n256\n1024",
            "main\nmany\n1024\n",
            "run\n256\n1024\n",
            "test\nt\nabc\n",
            "test\nt\n\n/tmp/r\n256\n1024\n",
        ] {
            assert_eq!(Handshake::read(&mut text.as_bytes()), None, "{text:?}");
        }
    }

    #[test]
    fn records_are_one_line_of_escaped_json() {
        // Apart from tests that count every thread of the process.
        let _threads = crate::testing::spawning();
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
                peer: Some(3),
            }],
            events_dropped: 1,
        };
        assert_eq!(
            record.to_json_line(),
            "{\"secret\":\"s\",\"test\":\"t\",\"status\":\"timeout\",\
             \"message\":\"say \\\"hi\\\"\\u000a\\\\ \\u0001 é\",\"events\":[{\"t_us\":5,\
             \"kind\":\"join_called\",\"thread\":2,\"thread_name\":null,\"os_tid\":77,\
             \"label\":\"x\",\"peer\":3}],\"events_dropped\":1}\n"
        );
    }
}
