//! The test binary's `main`: the handshake on stdin (see `protocol.rs`),
//! then one hidden test and its record, or the learner's own `main`; and
//! stopping when the checker goes away.
//!
//! A test process looks like the learner's program run for real: no
//! arguments, nothing of ours in its environment, helper threads without
//! names of ours. What to do arrives on stdin, read before any learner code
//! runs; with it the secret, so the learner's code can print anything and
//! even call `std::process::exit(0)`: without the secret it cannot produce
//! a record that counts, and a missing record is a failure.

use std::any::Any;
use std::io::{IsTerminal, Read, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::process::{Command, ExitCode};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;

use crate::events;
use crate::observe::{WATCH_STACK, watch_self};
use crate::outcome::{Failure, Test};
use crate::procfs;
use crate::protocol::{self, Handshake, Record, RecordStatus, Run};

static STARTED: AtomicBool = AtomicBool::new(false);

/// Whether the learner's file uses `thread::scope` (the checker tells `main`).
static USES_SCOPE: AtomicBool = AtomicBool::new(false);

/// The limits from the handshake: (threads, MiB of memory).
static LIMITS: OnceLock<(u64, u64)> = OnceLock::new();

/// Whether the learner's file uses `thread::scope`: the end of a scope waits
/// for its threads without a `join`, and the hidden tests accept that wait.
/// The checker finds it in the file's code (comments and strings aside)
/// and passes it to `main`.
pub fn learner_uses_scope() -> bool {
    USES_SCOPE.load(Ordering::SeqCst)
}

/// The limits this process runs under, `(threads, MiB)`: a learner's
/// program that a test starts runs under the same ones.
pub(crate) fn limits() -> (u64, u64) {
    LIMITS.get().copied().unwrap_or((u64::MAX, u64::MAX))
}

/// The test binary's entry point.
///
/// * `binary --list` prints the test names, one per line (no learner code
///   runs);
/// * `binary` alone reads the [`Handshake`] from stdin, then runs one test
///   and appends its record to the report file, or runs the learner's own
///   `main`, exactly as the program would run.
///
/// `uses_scope`: whether the learner's file uses `thread::scope`
/// ([`learner_uses_scope`]).
pub fn main(tests: &[Test], learner_main: fn() -> ExitCode, uses_scope: bool) -> ExitCode {
    // Only the first call does anything.
    if STARTED.swap(true, Ordering::SeqCst) {
        return ExitCode::SUCCESS;
    }
    USES_SCOPE.store(uses_scope, Ordering::SeqCst);
    events::start_clock();
    let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    if args.len() == 1 && args[0] == protocol::ARG_LIST {
        for test in tests {
            println!("{}", test.name);
        }
        return ExitCode::SUCCESS;
    }
    // Before the handshake: a copy of this binary that learner code started
    // and feeds nothing must still stop when its parent does.
    watch_self(|| LIMITS.get().copied(), orphaned);
    let stdin = std::io::stdin();
    if !args.is_empty() || stdin.is_terminal() {
        eprintln!("this program is built by threadlings: run it with `threadlings run`");
        exit(protocol::EXIT_USAGE);
    }
    // The handshake, then the checker keeps stdin open while it lives.
    let Some(handshake) = Handshake::read(&mut stdin.lock()) else {
        exit(protocol::EXIT_BAD_INPUT);
    };
    // A test's files are opened first: in the checker's sandbox, saying
    // hello to the checker (who answers what /proc would) moves them out of
    // this process's reach, before any learner code runs, so that learner
    // code cannot open them again (through /proc/self/fd) to write there.
    let report = match &handshake.run {
        Run::Test { report, .. } => {
            let Ok(file) = std::fs::OpenOptions::new().append(true).open(report) else {
                exit(protocol::EXIT_BAD_INPUT);
            };
            crate::status::open(report);
            Some(file)
        }
        Run::Main => None,
    };
    if let Some(dir) = &handshake.observer {
        if !crate::ask::connect(dir) {
            exit(protocol::EXIT_BAD_INPUT);
        }
    }
    let _ = LIMITS.set((handshake.max_threads, handshake.max_memory_mb));
    exit_when_orphaned();
    match (handshake.run, report) {
        (Run::Test { name, secret, .. }, Some(report)) => run_one(tests, &name, secret, report),
        // The learner's `main` may return `()` or a `Result`, as in a program.
        _ => learner_main(),
    }
}

fn run_one(tests: &[Test], name: &str, secret: String, mut report: std::fs::File) -> ! {
    let Some(test) = tests.iter().find(|t| t.name == name) else {
        exit(protocol::EXIT_BAD_INPUT);
    };
    let outcome = catch_unwind(AssertUnwindSafe(test.run)).unwrap_or_else(|payload| {
        Err(format!("the test stopped: {}", panic_message(&*payload)).into())
    });
    let (status, message) = match outcome {
        Ok(()) => (RecordStatus::Pass, String::new()),
        Err(Failure {
            timed_out: true,
            message,
        }) => (RecordStatus::Timeout, message),
        Err(Failure { message, .. }) => (RecordStatus::Fail, message),
    };
    let (events, events_dropped) = events::take();
    let record = Record {
        secret,
        test: name.to_string(),
        status,
        message,
        events,
        events_dropped,
    };
    // One write call: the line lands whole or not at all.
    let line = record.to_json_line();
    if report.write_all(line.as_bytes()).is_err() || report.flush().is_err() {
        exit(protocol::EXIT_BAD_INPUT);
    }
    // Learner threads may still be running; the verdict is in, stop them all.
    exit(0);
}

/// Ends the process at once, whatever the learner's threads are doing: the
/// one way a test binary stops (the checker's clippy.toml bans it elsewhere).
#[expect(
    clippy::disallowed_methods,
    reason = "a test process must end while learner threads still run"
)]
pub(crate) fn exit(code: i32) -> ! {
    crate::rendezvous::EXITING.store(true, Ordering::SeqCst);
    std::process::exit(code)
}

/// The checker holds our stdin open while it lives; if it dies (even by
/// SIGKILL), stdin ends and this process stops instead of running on.
fn exit_when_orphaned() {
    // No name: a thread of ours shows in /proc as the program's own does.
    let watching = thread::Builder::new().stack_size(WATCH_STACK).spawn(|| {
        let mut sink = [0u8; 64];
        while let Ok(n) = std::io::stdin().read(&mut sink) {
            if n == 0 {
                break;
            }
        }
        orphaned();
    });
    if watching.is_err() {
        exit(protocol::EXIT_LIMIT);
    }
}

/// Stops this process, and what it started, once the checker (or the test
/// that started this copy) is gone.
fn orphaned() -> ! {
    kill_children();
    exit(protocol::EXIT_ORPHANED)
}

/// Kills the processes this one started (learner code may have started some
/// in process groups of their own, out of the checker's reach once it is
/// gone). std cannot send signals to other processes, so `kill` does it.
/// In the checker's sandbox neither /proc nor `kill` is there: the only
/// program learner code can start there is this binary, and each copy stops
/// by itself when its parent is gone (`watch_self`).
fn kill_children() {
    let me = std::process::id() as i32;
    let children: Vec<String> = procfs::parent_links()
        .into_iter()
        .filter(|&(_, parent)| parent == me)
        .map(|(pid, _)| pid.to_string())
        .collect();
    if !children.is_empty() {
        let _ = Command::new("kill").arg("-KILL").args(&children).status();
    }
}

/// The text of a panic payload (`panic!("...")` gives `&str` or `String`).
pub fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic without a message".to_string()
    }
}
