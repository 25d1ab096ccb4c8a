//! The hidden tests' support library, compiled into every test binary.
//!
//! threadlings generates one crate per check: the learner's file as module
//! `learner`, this file as module `support`, and the exercise's hidden tests as
//! module `hidden`. This file owns the binary's `main` and the reporting
//! protocol: a test's result is written to a report file, tagged with a nonce
//! that arrives on stdin before any learner code runs. The learner's code can
//! print anything and even call `std::process::exit(0)`; without the nonce it
//! cannot produce a report, and a missing report is a failure.
//!
//! Everything here is std only and must stay deterministic for correct code:
//! deadlines (`PATIENCE`) are only ever reached by wrong code.

#![allow(dead_code)]

use std::any::Any;
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::io::{BufRead, Read, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::process::{Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::{self, ThreadId};
use std::time::{Duration, Instant};

/// What a hidden test returns: `Err` holds a message in learner terms.
pub type Outcome = Result<(), String>;

/// One hidden test, listed in the hidden file's `TESTS`.
pub struct Test {
    pub name: &'static str,
    pub run: fn() -> Outcome,
}

/// How long correct code is given to reach any rendezvous (a barrier, a
/// return, a wait). Correct code needs milliseconds even on a loaded machine;
/// only wrong code ever waits this long.
pub const PATIENCE: Duration = Duration::from_secs(3);

/// Fails the test with a formatted message unless the condition holds.
#[macro_export]
macro_rules! ensure {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err(format!($($msg)+));
        }
    };
}

static STARTED: AtomicBool = AtomicBool::new(false);

/// The test binary's entry point.
///
/// * `--list` prints the test names, one per line (no learner code runs);
/// * `--main` runs the learner's own `main`, exactly as the program would run;
/// * `--test NAME` reads `nonce\nreport-path\n` from stdin, runs one test and
///   appends `nonce pass|fail NAME message` to the report file.
pub fn main(tests: &[Test], learner_main: fn() -> ExitCode) -> ExitCode {
    // Only the first call does anything: learner code could call this again.
    if STARTED.swap(true, Ordering::SeqCst) {
        return ExitCode::SUCCESS;
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) != Some("--list") {
        watch_limits();
    }
    match args.first().map(String::as_str) {
        Some("--list") => {
            for test in tests {
                println!("{}", test.name);
            }
        }
        // The learner's `main` may return `()` or a `Result`, as in a program.
        Some("--main") => {
            exit_when_orphaned();
            return learner_main();
        }
        Some("--test") if args.len() == 2 => run_one(tests, &args[1]),
        _ => {
            eprintln!("this program is built by threadlings: run it with `threadlings run`");
            std::process::exit(2);
        }
    }
    ExitCode::SUCCESS
}

fn run_one(tests: &[Test], name: &str) {
    // Two lines, then the checker keeps stdin open while it lives.
    let mut stdin = std::io::stdin().lock();
    let (mut nonce, mut path) = (String::new(), String::new());
    if stdin.read_line(&mut nonce).is_err() || stdin.read_line(&mut path).is_err() {
        std::process::exit(3);
    }
    drop(stdin);
    let (nonce, path) = (nonce.trim_end(), path.trim_end());
    if nonce.is_empty() || path.is_empty() {
        std::process::exit(3);
    }
    exit_when_orphaned();
    let Ok(mut report) = std::fs::OpenOptions::new().append(true).open(path) else {
        std::process::exit(3);
    };
    let Some(test) = tests.iter().find(|t| t.name == name) else {
        std::process::exit(3);
    };
    let outcome = catch_unwind(AssertUnwindSafe(test.run))
        .unwrap_or_else(|payload| Err(format!("the test stopped: {}", panic_message(&*payload))));
    let line = match outcome {
        Ok(()) => format!("{nonce} pass {name}\n"),
        Err(message) => format!("{nonce} fail {name} {}\n", escape(&message)),
    };
    // One write call: the line lands whole or not at all.
    if report.write_all(line.as_bytes()).is_err() || report.flush().is_err() {
        std::process::exit(3);
    }
    // Learner threads may still be running; the verdict is in, stop them all.
    std::process::exit(0);
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
            std::process::exit(ORPHANED_EXIT);
        });
}

/// Kills the processes this one started (learner code may have started some
/// in process groups of their own, out of the checker's reach once it is
/// gone). std cannot send signals to other processes, so `kill` does it.
fn kill_children() {
    let me = std::process::id().to_string();
    let children: Vec<String> = std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let pid = entry.file_name().to_str()?.to_string();
            let stat = std::fs::read_to_string(entry.path().join("stat")).ok()?;
            let parent = stat
                .get(stat.rfind(')')? + 1..)?
                .split_whitespace()
                .nth(1)?
                .to_string();
            (parent == me).then_some(pid)
        })
        .collect();
    if !children.is_empty() {
        let _ = Command::new("kill").arg("-KILL").args(&children).status();
    }
}

/// The exit code of a test process whose checker went away.
const ORPHANED_EXIT: i32 = 118;

fn escape(message: &str) -> String {
    message.replace('\\', "\\\\").replace('\n', "\\n")
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

// ---------------------------------------------------------------------------
// Watchdog: every call into learner code runs on a helper thread.
// ---------------------------------------------------------------------------

/// A call into learner code, running on its own helper thread (the "caller").
pub struct Call<T> {
    what: String,
    thread: ThreadId,
    tid: Option<u32>,
    returned: Arc<AtomicBool>,
    result: Receiver<thread::Result<T>>,
    started: Instant,
}

/// Starts `f` (a call into learner code) on a fresh helper thread.
/// `what` names the call for messages, e.g. "`count(..)`".
pub fn call<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> Call<T> {
    let (id_tx, id_rx) = mpsc::channel();
    let (result_tx, result) = mpsc::channel();
    let returned = Arc::new(AtomicBool::new(false));
    let returned_flag = Arc::clone(&returned);
    thread::Builder::new()
        .name("threadlings-caller".into())
        .spawn(move || {
            let _ = id_tx.send((thread::current().id(), current_tid()));
            let result = catch_unwind(AssertUnwindSafe(f));
            returned_flag.store(true, Ordering::SeqCst);
            let _ = result_tx.send(result);
        })
        .expect("the test could not start its helper thread");
    let (thread, tid) = id_rx.recv().expect("the helper thread did not start");
    Call {
        what: what.to_string(),
        thread,
        tid,
        returned,
        result,
        started: Instant::now(),
    }
}

impl<T> Call<T> {
    /// The id of the thread that made the call.
    pub fn thread(&self) -> ThreadId {
        self.thread
    }

    /// Whether the call has returned (or panicked) yet.
    pub fn has_returned(&self) -> bool {
        self.returned.load(Ordering::SeqCst)
    }

    /// Waits for the call to return, at most `PATIENCE`.
    pub fn finish(self) -> Result<T, String> {
        self.finish_within(PATIENCE)
    }

    /// Waits for the call to return, at most `limit`.
    pub fn finish_within(self, limit: Duration) -> Result<T, String> {
        let left = limit.saturating_sub(self.started.elapsed());
        match self.result.recv_timeout(left) {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(payload)) => Err(format!(
                "{} panicked: {}",
                self.what,
                panic_message(&*payload)
            )),
            Err(RecvTimeoutError::Timeout) => Err(format!(
                "{} did not return within {} s. Is it waiting for something that never happens?",
                self.what,
                limit.as_secs()
            )),
            Err(RecvTimeoutError::Disconnected) => Err(format!("{} never returned", self.what)),
        }
    }
}

#[cfg(target_arch = "x86_64")]
const FUTEX: Option<&str> = Some("202");
#[cfg(target_arch = "aarch64")]
const FUTEX: Option<&str> = Some("98");
#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
const FUTEX: Option<&str> = None;

fn current_tid() -> Option<u32> {
    let link = std::fs::read_link("/proc/thread-self").ok()?;
    link.file_name()?.to_str()?.parse().ok()
}

/// How many threads this process has right now, as the OS counts them.
pub fn os_threads() -> usize {
    std::fs::read_dir("/proc/self/task")
        .map(|dir| dir.count())
        .unwrap_or(0)
}

// ---------------------------------------------------------------------------
// Rendezvous: a barrier that gives up, and a gate the test opens.
// ---------------------------------------------------------------------------

/// A barrier for `parties` threads that gives up after `PATIENCE`.
///
/// Getting through it proves that `parties` closures were running at the same
/// time; code that runs them one after another fails it on every run.
#[derive(Clone)]
pub struct TimedBarrier {
    parties: usize,
    state: Arc<(Mutex<BarrierState>, Condvar)>,
}

#[derive(Default)]
struct BarrierState {
    arrived: usize,
    broken: bool,
}

impl TimedBarrier {
    pub fn new(parties: usize) -> Self {
        TimedBarrier {
            parties,
            state: Arc::default(),
        }
    }

    /// Waits for all parties; `false` if they did not all come in time (then
    /// the barrier is broken and every later `wait` returns `false` at once).
    pub fn wait(&self) -> bool {
        let (lock, cvar) = &*self.state;
        let mut state = lock.lock().unwrap_or_else(|e| e.into_inner());
        state.arrived += 1;
        if state.arrived >= self.parties {
            cvar.notify_all();
            return !state.broken;
        }
        let deadline = Instant::now() + PATIENCE;
        while state.arrived < self.parties && !state.broken {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                state.broken = true;
                cvar.notify_all();
                break;
            }
            state = cvar
                .wait_timeout(state, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        !state.broken
    }

    /// Whether every party arrived and nobody gave up.
    pub fn passed(&self) -> bool {
        let state = self.state.0.lock().unwrap_or_else(|e| e.into_inner());
        state.arrived >= self.parties && !state.broken
    }

    /// How many parties have arrived so far.
    pub fn arrived(&self) -> usize {
        self.state
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .arrived
    }
}

/// A gate that stays shut until the test opens it.
#[derive(Clone, Default)]
pub struct Gate {
    state: Arc<(Mutex<bool>, Condvar)>,
}

impl Gate {
    pub fn new() -> Self {
        Gate::default()
    }

    pub fn open(&self) {
        *self.state.0.lock().unwrap_or_else(|e| e.into_inner()) = true;
        self.state.1.notify_all();
    }

    pub fn is_open(&self) -> bool {
        *self.state.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits for the gate to open, at most `PATIENCE`; `false` if it did not.
    pub fn wait(&self) -> bool {
        let (lock, cvar) = &*self.state;
        let open = lock.lock().unwrap_or_else(|e| e.into_inner());
        let (open, _) = cvar
            .wait_timeout_while(open, PATIENCE, |open| !*open)
            .unwrap_or_else(|e| e.into_inner());
        *open
    }
}

// ---------------------------------------------------------------------------
// Observation: which thread did what, in which order.
// ---------------------------------------------------------------------------

/// One thing a test closure noted.
#[derive(Clone, Debug)]
pub struct Entry {
    pub label: String,
    pub thread: ThreadId,
    pub seq: usize,
}

/// A shared, thread-safe record of what the test's closures saw.
#[derive(Clone, Default)]
pub struct Log {
    entries: Arc<Mutex<Vec<Entry>>>,
    next: Arc<AtomicUsize>,
}

impl Log {
    pub fn new() -> Self {
        Log::default()
    }

    /// Notes `label` with the current thread's id.
    pub fn note(&self, label: impl Into<String>) {
        let seq = self.next.fetch_add(1, Ordering::SeqCst);
        let entry = Entry {
            label: label.into(),
            thread: thread::current().id(),
            seq,
        };
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(entry);
    }

    /// Everything noted so far, in the order it happened.
    pub fn entries(&self) -> Vec<Entry> {
        let mut entries = self
            .entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        entries.sort_by_key(|e| e.seq);
        entries
    }

    /// The labels noted so far, in order.
    pub fn labels(&self) -> Vec<String> {
        self.entries().into_iter().map(|e| e.label).collect()
    }

    /// The thread that noted `label` first, if any did.
    pub fn thread_of(&self, label: &str) -> Option<ThreadId> {
        self.entries()
            .into_iter()
            .find(|e| e.label == label)
            .map(|e| e.thread)
    }

    /// How many distinct threads noted anything.
    pub fn distinct_threads(&self) -> usize {
        let mut ids: Vec<ThreadId> = self.entries().into_iter().map(|e| e.thread).collect();
        ids.sort_by_key(|id| format!("{id:?}"));
        ids.dedup();
        ids.len()
    }
}

/// A flag a test closure raises when it is done.
#[derive(Clone, Default)]
pub struct Flag(Arc<AtomicBool>);

impl Flag {
    pub fn new() -> Self {
        Flag::default()
    }
    pub fn raise(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
    pub fn is_up(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

// ---------------------------------------------------------------------------
// Randomness (std only), so hard-coded answers fail.
// ---------------------------------------------------------------------------

/// A random number, different on every run.
pub fn random() -> u64 {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u128(Instant::now().elapsed().as_nanos());
    hasher.finish()
}

/// A random number in `low..=high`.
pub fn random_between(low: u64, high: u64) -> u64 {
    low + random() % (high - low + 1)
}

/// A random lowercase word, e.g. for thread names and messages.
pub fn random_word() -> String {
    const SYLLABLES: [&str; 12] = [
        "ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "ze", "po", "da", "fu",
    ];
    (0..random_between(2, 4))
        .map(|_| SYLLABLES[random_between(0, 11) as usize])
        .collect()
}

// ---------------------------------------------------------------------------
// Limits: every process of the test binary watches its own threads and memory.
// ---------------------------------------------------------------------------

/// The exit code of a process that stopped itself at a limit.
const LIMIT_EXIT: i32 = 117;
/// What it prints last on stderr, e.g. `threadlings-limit: threads 300`.
const LIMIT_MARK: &str = "threadlings-limit: ";

/// Starts a thread that samples this process's live threads and resident
/// memory every few milliseconds and stops the process past the limits the
/// checker passed in the environment. The checker samples the test process
/// too; this also covers the learner's program when a test runs it.
fn watch_limits() {
    let limit = |name: &str| std::env::var(name).ok().and_then(|v| v.parse::<u64>().ok());
    let (Some(max_threads), Some(max_mb)) = (
        limit("THREADLINGS_MAX_THREADS"),
        limit("THREADLINGS_MAX_MEMORY_MB"),
    ) else {
        return;
    };
    let _ = thread::Builder::new()
        .name("threadlings-limits".into())
        .spawn(move || {
            loop {
                thread::sleep(Duration::from_millis(5));
                let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
                    return;
                };
                let field = |name: &str| -> u64 {
                    status
                        .lines()
                        .find_map(|l| l.strip_prefix(name))
                        .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
                        .unwrap_or(0)
                };
                let threads = field("Threads:");
                let mb = field("VmRSS:") / 1024;
                let over = if threads > max_threads {
                    Some(format!("threads {threads}"))
                } else if mb > max_mb {
                    Some(format!("memory {mb}"))
                } else {
                    None
                };
                if let Some(over) = over {
                    eprintln!("\n{LIMIT_MARK}{over}");
                    std::process::exit(LIMIT_EXIT);
                }
            }
        });
}

// ---------------------------------------------------------------------------
// Whole-program runs: the learner's `main`, as its own process.
// ---------------------------------------------------------------------------

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

const PROGRAM_OUTPUT_CAP: u64 = 64 * 1024;

/// Runs the learner's `main` once as a separate process, killed after `limit`.
pub fn run_program(limit: Duration) -> Result<Program, String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find the test binary: {e}"))?;
    let started = Instant::now();
    let mut child = Command::new(exe)
        .arg("--main")
        // Held open while this test runs: the program stops if we die.
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start your program: {e}"))?;
    let out = child.stdout.take().map(read_capped);
    let err = child.stderr.take().map(read_capped);
    let mut timed_out = false;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if started.elapsed() >= limit => {
                timed_out = true;
                let _ = child.kill();
                break child.wait().ok();
            }
            Ok(None) => thread::sleep(Duration::from_millis(2)),
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
    if code == Some(LIMIT_EXIT) {
        if let Some(mark) = stderr.lines().rev().find(|l| l.starts_with(LIMIT_MARK)) {
            eprintln!("\n{mark}");
            std::process::exit(LIMIT_EXIT);
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

/// How many runs of the learner's program `run_programs` keeps going at once.
const PROGRAM_RUNS_AT_ONCE: usize = 4;

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

// ---------------------------------------------------------------------------
// Added for chapter 01_spawning: threads as the OS sees them, and polling.
// ---------------------------------------------------------------------------

/// The OS's id (tid) of the calling thread, `None` where it cannot be
/// observed (not Linux, or /proc hidden).
pub fn os_thread_id() -> Option<u32> {
    current_tid()
}

/// The OS ids (tids) of every thread this process has right now; empty where
/// they cannot be observed.
pub fn os_thread_ids() -> Vec<u32> {
    std::fs::read_dir("/proc/self/task")
        .map(|dir| {
            dir.filter_map(|entry| entry.ok()?.file_name().to_str()?.parse().ok())
                .collect()
        })
        .unwrap_or_default()
}

/// Polls `condition` every millisecond until it holds (`true`) or `limit`
/// has passed (`false`). Only for conditions that correct code makes true
/// quickly: the limit is a deadline for wrong code, never a timing check.
pub fn poll_until(limit: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        if condition() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        thread::sleep(Duration::from_millis(1));
    }
}

// ---------------------------------------------------------------------------
// Added for chapter 02_joining: a caller parked in `join`, and jobs the test
// holds back and lets go one at a time.
// ---------------------------------------------------------------------------

/// How many samples in a row (about 1 ms apart) a thread must be seen parked.
const PARKED_STREAK: usize = 20;

impl<T> Call<T> {
    /// Blocks until the caller is parked in an untimed wait: asleep (state
    /// `S`) in the same futex wait, with no timeout, at 20 samples in a row
    /// about 1 ms apart. That is what `JoinHandle::join` looks like (and an
    /// untimed lock or channel wait). `Ok(true)` then, `Ok(false)` if the call
    /// returned first, `Err` if it did neither within `PATIENCE`.
    ///
    /// Stricter than `wait_until_waiting`: a caller that has just been woken
    /// (the thread it joined has ended; it is runnable but not yet running)
    /// is in state `R` and does not count, and neither does a timed wait
    /// (`park_timeout`, `recv_timeout`), which is a sleep in disguise.
    pub fn wait_until_joining(&self) -> Result<bool, String> {
        let deadline = Instant::now() + PATIENCE;
        let mut streak = Streak::default();
        while Instant::now() < deadline {
            if self.has_returned() {
                return Ok(false);
            }
            let parked = match (FUTEX, self.tid) {
                (Some(futex), Some(tid)) => parked_on(futex, tid),
                // Cannot observe (not Linux, or /proc hidden): a plain pause.
                _ => Some(String::new()),
            };
            if streak.see(parked) {
                return Ok(true);
            }
            thread::sleep(Duration::from_millis(1));
        }
        Err(format!(
            "{} neither returned nor waited for its threads within {} s",
            self.what,
            PATIENCE.as_secs()
        ))
    }
}

/// Counts samples in a row parked on one address.
#[derive(Default)]
struct Streak {
    addr: String,
    count: usize,
}

impl Streak {
    /// Notes one sample; `true` once `PARKED_STREAK` samples in a row were
    /// parked on the same address.
    fn see(&mut self, parked: Option<String>) -> bool {
        match parked {
            Some(addr) if addr == self.addr => self.count += 1,
            Some(addr) => {
                self.addr = addr;
                self.count = 1;
            }
            None => self.count = 0,
        }
        self.count >= PARKED_STREAK
    }
}

/// The address of the futex that thread `tid` is asleep on in an untimed
/// wait, or `None` if it is doing anything else.
fn parked_on(futex: &str, tid: u32) -> Option<String> {
    let syscall = std::fs::read_to_string(format!("/proc/self/task/{tid}/syscall")).ok()?;
    // "nr addr op val timeout ...": an untimed wait has a null timeout.
    let fields: Vec<&str> = syscall.split_whitespace().collect();
    if fields.len() < 5 || fields[0] != futex || fields[4] != "0x0" {
        return None;
    }
    let stat = std::fs::read_to_string(format!("/proc/self/task/{tid}/stat")).ok()?;
    let state = stat.rsplit(')').next()?.split_whitespace().next()?;
    (state == "S").then(|| fields[1].to_string())
}

/// How long a `Held` job waits to be let go before it goes on by itself: far
/// longer than any wait of the test (`PATIENCE`), so that a job is only ever
/// let go by the test, never by a timeout that wrong code could wait out.
/// (A test process is stopped at its wall-clock limit anyway.)
pub const HOLD: Duration = Duration::from_secs(3 * PATIENCE.as_secs());

/// One of the test's jobs, handed to learner code inside a closure: it notes
/// which thread runs it, then waits until the test lets it go (at most
/// `HOLD`), then notes that it is done. Clones share one state.
#[derive(Clone)]
pub struct Held {
    gate: Gate,
    started: Flag,
    done: Flag,
    /// The OS id of the thread that ran the job (0: not known yet). Read
    /// while the learner's threads run, so it is lock-free.
    os_tid: Arc<std::sync::atomic::AtomicU32>,
    thread: Arc<Mutex<Option<ThreadId>>>,
}

impl Default for Held {
    fn default() -> Self {
        Held {
            gate: Gate::new(),
            started: Flag::new(),
            done: Flag::new(),
            os_tid: Arc::default(),
            thread: Arc::default(),
        }
    }
}

impl Held {
    pub fn new() -> Self {
        Held::default()
    }

    /// Inside the job, first: notes the thread and that the job started.
    pub fn arrive(&self) {
        *self.thread.lock().unwrap_or_else(|e| e.into_inner()) = Some(thread::current().id());
        self.os_tid
            .store(current_tid().unwrap_or(0), Ordering::SeqCst);
        self.started.raise();
    }

    /// Inside the job: waits until the test lets it go, at most `HOLD`.
    pub fn hold(&self) -> bool {
        let (lock, cvar) = &*self.gate.state;
        let open = lock.lock().unwrap_or_else(|e| e.into_inner());
        let (open, _) = cvar
            .wait_timeout_while(open, HOLD, |open| !*open)
            .unwrap_or_else(|e| e.into_inner());
        *open
    }

    /// Inside the job, last: notes that the job is done.
    pub fn finish(&self) {
        self.done.raise();
    }

    /// `arrive`, `hold` and `finish`, in that order.
    pub fn run(&self) {
        self.arrive();
        self.hold();
        self.finish();
    }

    /// Lets the job go (it need not have started: the gate stays open).
    pub fn let_go(&self) {
        self.gate.open();
    }

    pub fn has_started(&self) -> bool {
        self.started.is_up()
    }

    pub fn is_done(&self) -> bool {
        self.done.is_up()
    }

    /// The thread that ran the job, once it has started.
    pub fn thread(&self) -> Option<ThreadId> {
        *self.thread.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn os_tid(&self) -> Option<u32> {
        Some(self.os_tid.load(Ordering::SeqCst)).filter(|&tid| tid != 0)
    }
}

/// Lets every held job go (so the learner's threads can end).
pub fn let_all_go(jobs: &[Held]) {
    for job in jobs {
        job.let_go();
    }
}

/// Lets `jobs[order[0]]`, `jobs[order[1]]`, ... go one at a time while the
/// caller of `call` waits for them, and stops as soon as the call returns
/// (the rest stay held: let them go with `let_all_go` afterwards).
///
/// A job is let go only when the caller is parked (`wait_until_joining`) and
/// every thread of the process is accounted for: it was there before the
/// call (`threads_before`, from `os_thread_ids()` just before `call`), or it
/// is the caller, or it has started one of `jobs`, or it is itself parked in
/// an untimed wait (a thread of the learner's that joins another before it
/// runs a job). So a job that has not started when it is let go has no
/// thread that could start it before the caller or a parked thread wakes,
/// and they wake only when a thread they wait for ends. A thread that stays
/// unaccounted for `PATIENCE` is given up on (it only makes this slower).
/// A job let go after it started is waited for (at most `PATIENCE`) until it
/// is done and its thread has ended, so a caller that was joining it has been
/// woken before the next step, and never counts as parked on that join again.
///
/// Code that joins every thread it started before returning gets all jobs
/// let go and returns. Code that returns while a join is missing (or joins
/// one thread only) returns while the jobs later in `order` are still held,
/// on every run; code that never waits (sleeps, polls) has nothing let go.
/// `Err` when the caller neither returned nor waited within `PATIENCE`.
pub fn let_go_in_order<T>(
    call: &Call<T>,
    threads_before: &[u32],
    jobs: &[Held],
    order: &[usize],
) -> Result<(), String> {
    let caller = call.tid;
    let mut others = Others::default();
    for &next in order {
        loop {
            if !call.wait_until_joining()? {
                return Ok(());
            }
            if others.accounted_for(caller, threads_before, jobs) {
                break;
            }
            // Some thread started one of the jobs meanwhile, or became
            // parked: look at the caller again before letting anything go.
        }
        let job = &jobs[next];
        let started = job.has_started();
        job.let_go();
        if started {
            let tid = job.os_tid();
            poll_until(PATIENCE, || {
                job.is_done()
                    && match tid {
                        Some(tid) => Some(tid) == caller || !os_thread_ids().contains(&tid),
                        None => true,
                    }
            });
        }
    }
    Ok(())
}

/// The threads `let_go_in_order` knows nothing about: how long each has
/// been seen parked, and those it gave up on.
#[derive(Default)]
struct Others {
    streaks: Vec<(u32, Streak)>,
    given_up: Vec<u32>,
}

impl Others {
    /// Whether every thread is accounted for (see `let_go_in_order`) at the
    /// first look (`true`), or only after waiting for some (`false`). A
    /// thread's parked streak carries over from one call to the next: it is
    /// broken as soon as the thread is seen doing anything else.
    fn accounted_for(&mut self, caller: Option<u32>, before: &[u32], jobs: &[Held]) -> bool {
        let Some(futex) = FUTEX else {
            return true;
        };
        let deadline = Instant::now() + PATIENCE;
        let mut first_look = true;
        loop {
            let unknown: Vec<u32> = os_thread_ids()
                .into_iter()
                .filter(|id| {
                    !before.contains(id)
                        && Some(*id) != caller
                        && !self.given_up.contains(id)
                        && !jobs.iter().any(|job| job.os_tid() == Some(*id))
                })
                .collect();
            let mut all_parked = true;
            for &id in &unknown {
                let at = match self.streaks.iter().position(|(t, _)| *t == id) {
                    Some(at) => at,
                    None => {
                        self.streaks.push((id, Streak::default()));
                        self.streaks.len() - 1
                    }
                };
                if !self.streaks[at].1.see(parked_on(futex, id)) {
                    all_parked = false;
                }
            }
            if all_parked {
                return first_look;
            }
            if Instant::now() >= deadline {
                self.given_up.extend(unknown);
                return false;
            }
            first_look = false;
            thread::sleep(Duration::from_millis(1));
        }
    }
}
