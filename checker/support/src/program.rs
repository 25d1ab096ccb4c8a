//! Whole-program runs: the learner's `main` as a process of its own (this
//! very binary, told to run `main` by the handshake), for promises only a
//! whole program shows ("prints every line", "ends by itself").
//!
//! The program starts as the test process itself did: its name as its only
//! argument, this process's environment and directory (the checker's clean
//! ones), the handshake on stdin; so it cannot tell itself from a test.

use std::io::{Read, Write};
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::ask::ask_one;
use crate::harness::{exit, limits};
use crate::procfs::limit_hit;
use crate::protocol::{self, Handshake, LimitHit, Question, Run};

/// How one run of the learner's program ended.
#[derive(Debug)]
pub struct Program {
    /// The exit code, `None` if killed (by us at the time limit, or a signal).
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub timed_out: bool,
    pub elapsed: Duration,
}

/// How much of each output stream a run keeps (the rest is drained).
const PROGRAM_OUTPUT_CAP: u64 = 64 * 1024;

/// How many runs of the learner's program `run_programs` keeps going at once.
/// A run mostly waits (the programs print a line, then sleep), so twenty at
/// once take hardly longer than one: twenty runs are one round, not two.
const PROGRAM_RUNS_AT_ONCE: usize = 20;

/// Runs the learner's `main` once as a separate process, killed after `limit`.
pub fn run_program(limit: Duration) -> Result<Program, String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find the test binary: {e}"))?;
    // The binary's file is named as the program (see the checker's build).
    let name = exe.file_name().unwrap_or_default().to_owned();
    let (max_threads, max_memory_mb) = limits();
    let handshake = Handshake {
        run: Run::Main,
        max_threads,
        max_memory_mb,
        observer: None,
    };
    let started = Instant::now();
    let _shown = crate::status::waiting("for your program to end", limit);
    let mut child = Command::new(&exe)
        .arg0(name)
        // Held open while this test runs: the program stops if we die.
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start your program: {e}"))?;
    // A few bytes: they fit the pipe, so this never blocks.
    if let Some(stdin) = child.stdin.as_mut() {
        let _ = stdin.write_all(handshake.to_text().as_bytes());
    }
    let out = child.stdout.take().map(read_capped);
    let err = child.stderr.take().map(read_capped);
    let mut timed_out = false;
    let mut looked = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if started.elapsed() >= limit => {
                timed_out = true;
                let _ = child.kill();
                break child.wait().ok();
            }
            Ok(None) => {
                // The program watches its own limits where it can read /proc;
                // in the sandbox it cannot, so this test watches them too.
                if looked.elapsed() >= LIMITS_EVERY {
                    looked = Instant::now();
                    if let Some(hit) = over_limits(child.id(), max_threads, max_memory_mb) {
                        let _ = child.kill();
                        let _ = child.wait();
                        eprintln!("\n{}", hit.mark());
                        exit(protocol::EXIT_LIMIT);
                    }
                }
                thread::sleep(Duration::from_millis(1));
            }
            Err(e) => return Err(format!("cannot wait for your program: {e}")),
        }
    };
    let elapsed = started.elapsed();
    let collect =
        |h: Option<thread::JoinHandle<String>>| h.and_then(|h| h.join().ok()).unwrap_or_default();
    let code = if timed_out {
        None
    } else {
        status.and_then(|s| s.code())
    };
    let stderr = collect(err);
    // The program stopped itself at a limit: this test stops the same way,
    // so the verdict is a crash that names the limit, not a test failure.
    // (No `if let ... &&` chain: learners' rustc may be older than 1.88.)
    if code == Some(protocol::EXIT_LIMIT) {
        if let Some(hit) = LimitHit::parse(&stderr) {
            eprintln!("\n{}", hit.mark());
            exit(protocol::EXIT_LIMIT);
        }
    }
    Ok(Program {
        code,
        stdout: collect(out),
        stderr,
        timed_out,
        elapsed,
    })
}

/// How often a running program's threads and memory are looked at.
const LIMITS_EVERY: Duration = Duration::from_millis(20);

/// The limit a child process of this one is over, if any.
fn over_limits(pid: u32, max_threads: u64, max_memory_mb: u64) -> Option<LimitHit> {
    limit_hit(
        &ask_one(Question::ChildStatus(pid))?,
        max_threads,
        max_memory_mb,
    )
}

/// Runs the learner's `main` up to `times` times, a few at once (the runs
/// mostly sleep, so this is quick even on two cores), each killed after
/// `limit`. No new batch starts once `budget` has passed, so a loaded
/// machine gets fewer runs, never a failure. Results come in run order.
pub fn run_programs(
    times: usize,
    limit: Duration,
    budget: Duration,
) -> Result<Vec<Program>, String> {
    let started = Instant::now();
    let mut programs = Vec::with_capacity(times);
    while programs.len() < times && (programs.is_empty() || started.elapsed() < budget) {
        let batch = PROGRAM_RUNS_AT_ONCE.min(times - programs.len());
        let results: Vec<Result<Program, String>> = thread::scope(|scope| {
            let runs: Vec<_> = (0..batch)
                .map(|_| scope.spawn(|| run_program(limit)))
                .collect();
            runs.into_iter()
                .map(|run| {
                    run.join()
                        .unwrap_or_else(|_| Err("a program run panicked".to_string()))
                })
                .collect()
        });
        for result in results {
            programs.push(result?);
        }
    }
    Ok(programs)
}

/// Keeps the first `PROGRAM_OUTPUT_CAP` bytes of a pipe, on a thread of its
/// own so that stdout and stderr are read at the same time.
fn read_capped(pipe: impl Read + Send + 'static) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut kept = Vec::new();
        let mut pipe = pipe;
        let _ = pipe
            .by_ref()
            .take(PROGRAM_OUTPUT_CAP)
            .read_to_end(&mut kept);
        // Drain the rest so the program never blocks on a full pipe.
        let _ = std::io::copy(&mut pipe, &mut std::io::sink());
        String::from_utf8_lossy(&kept).into_owned()
    })
}
