//! The test binary's `main`: `--list`, `--test NAME`, `--main` (see
//! `protocol.rs`), running one hidden test and writing its record, and
//! stopping when the checker goes away.
//!
//! The secret arrives on stdin before any learner code runs, so the
//! learner's code can print anything and even call `std::process::exit(0)`:
//! without the secret it cannot produce a record that counts, and a missing
//! record is a failure.

use std::any::Any;
use std::io::{Read, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::process::{Command, ExitCode};
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;

use crate::events;
use crate::observe::watch_limits;
use crate::outcome::{Failure, Test};
use crate::procfs;
use crate::protocol::{self, Record, RecordStatus};

static STARTED: AtomicBool = AtomicBool::new(false);

/// Whether the learner's file uses `thread::scope` (the checker tells `main`).
static USES_SCOPE: AtomicBool = AtomicBool::new(false);

/// Whether the learner's file uses `thread::scope`: the end of a scope waits
/// for its threads without a `join`, and the hidden tests accept that wait.
pub fn learner_uses_scope() -> bool {
    USES_SCOPE.load(Ordering::SeqCst)
}

/// The test binary's entry point.
///
/// * `--list` prints the test names, one per line (no learner code runs);
/// * `--main` runs the learner's own `main`, exactly as the program would run;
/// * `--test NAME` reads the handshake from stdin, runs one test and appends
///   its record to the report file.
pub fn main(tests: &[Test], learner_main: fn() -> ExitCode) -> ExitCode {
    // Only the first call does anything: learner code could call this again.
    if STARTED.swap(true, Ordering::SeqCst) {
        return ExitCode::SUCCESS;
    }
    events::start_clock();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let first = args.first().map(String::as_str);
    if first != Some(protocol::ARG_LIST) {
        watch_limits();
    }
    match first {
        Some(protocol::ARG_LIST) => {
            for test in tests {
                println!("{}", test.name);
            }
        }
        // The learner's `main` may return `()` or a `Result`, as in a program.
        Some(protocol::ARG_MAIN) => {
            exit_when_orphaned();
            return learner_main();
        }
        Some(protocol::ARG_TEST) if args.len() == 2 => run_one(tests, &args[1]),
        _ => {
            eprintln!("this program is built by threadlings: run it with `threadlings run`");
            exit(protocol::EXIT_USAGE);
        }
    }
    ExitCode::SUCCESS
}

fn run_one(tests: &[Test], name: &str) -> ! {
    // The handshake, then the checker keeps stdin open while it lives.
    let handshake = protocol::read_handshake(&mut std::io::stdin().lock());
    let Some((secret, path)) = handshake else {
        exit(protocol::EXIT_BAD_INPUT);
    };
    exit_when_orphaned();
    let Ok(mut report) = std::fs::OpenOptions::new().append(true).open(path) else {
        exit(protocol::EXIT_BAD_INPUT);
    };
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
    let _ = thread::Builder::new()
        .name("threadlings-orphan".into())
        .spawn(|| {
            let mut sink = [0u8; 64];
            while let Ok(n) = std::io::stdin().read(&mut sink) {
                if n == 0 {
                    break;
                }
            }
            kill_children();
            exit(protocol::EXIT_ORPHANED);
        });
}

/// Kills the processes this one started (learner code may have started some
/// in process groups of their own, out of the checker's reach once it is
/// gone). std cannot send signals to other processes, so `kill` does it.
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
