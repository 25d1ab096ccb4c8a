//! The engine: compile, run every hidden test under limits, collect a
//! verdict. It emits events as it goes; watch mode, run, check and verify are
//! reporters on top of it and know nothing of processes.

use std::borrow::Cow;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::Instant;

use threadlings_support::protocol::{self, LimitHit, Record, RecordStatus};

use crate::build::{Builder, Built, Input};
use crate::course::Exercise;
use crate::sandbox::{self, Exit, Finished, Limits};
use crate::verdict::{Status, TestResult, Verdict};

/// Set by the signal handler: the run is being stopped, its verdicts are void.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Marks the run as interrupted: checks in flight never report (their test
/// processes were killed, so their verdicts would be false) and wait for the
/// handler to exit the process.
pub(crate) fn interrupt() {
    INTERRUPTED.store(true, Ordering::SeqCst);
}

/// What happened, for reporters.
pub(crate) enum Event<'a> {
    /// Work on this exercise began.
    Started { name: &'a str },
    /// One run of one hidden test ended.
    Test { name: &'a str, test: &'a TestResult },
    /// The exercise's verdict is in.
    Finished { verdict: &'a Verdict },
}

/// A reporter: any thread may call it.
pub(crate) type Reporter<'a> = &'a (dyn Fn(Event) + Sync);

/// One check to do.
pub(crate) struct Job<'a> {
    pub exercise: &'a Exercise,
    /// The learner's file contents.
    pub source: String,
    /// How to name the file in messages.
    pub display: String,
    pub hidden: Cow<'a, str>,
    pub limits: Limits,
    /// Run the hidden tests this many times; a pass needs every run to pass.
    pub repetitions: u32,
    pub mode: Mode,
    /// How long rustc may take on it.
    pub compile_timeout: std::time::Duration,
}

/// How a job is built, and whether its verdict may come from the cache.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// One learner waiting (run, watch): fastest error path, incremental
    /// builds, cached verdicts.
    Interactive,
    /// Many files at once (check): incremental builds, cached verdicts, no
    /// extra quick checks competing for the cores.
    Batch,
    /// Proof (verify): built and run afresh; never answered from the cache.
    Fresh,
}

impl<'a> Job<'a> {
    /// A job for the file at `path` (read now: the check uses this snapshot).
    pub fn from_file(
        exercise: &'a Exercise,
        path: &Path,
        display: String,
        hidden: Cow<'a, str>,
        limits: Limits,
    ) -> std::io::Result<Job<'a>> {
        let mut source = String::new();
        std::fs::File::open(path)?.read_to_string(&mut source)?;
        Ok(Job {
            exercise,
            source,
            display,
            hidden,
            limits,
            repetitions: 1,
            mode: Mode::Interactive,
            compile_timeout: crate::build::COMPILE_TIMEOUT,
        })
    }
}

/// Bounds how many processes (rustc or tests) run at once.
struct Slots {
    free: Mutex<usize>,
    freed: Condvar,
}

impl Slots {
    fn acquire(&self) -> SlotGuard<'_> {
        let mut free = self.free.lock().unwrap_or_else(|e| e.into_inner());
        while *free == 0 {
            free = self.freed.wait(free).unwrap_or_else(|e| e.into_inner());
        }
        *free -= 1;
        SlotGuard(self)
    }
}

struct SlotGuard<'a>(&'a Slots);

impl Drop for SlotGuard<'_> {
    fn drop(&mut self) {
        *self.0.free.lock().unwrap_or_else(|e| e.into_inner()) += 1;
        self.0.freed.notify_one();
    }
}

pub(crate) struct Engine {
    builder: Builder,
    /// rustc processes: CPU-bound, one per core.
    compile_slots: Slots,
    /// Test processes: mostly waiting at rendezvous, so twice as many.
    test_slots: Slots,
    runs_dir: PathBuf,
    verdicts: PathBuf,
}

impl Engine {
    /// `dir` holds build products and per-run scratch files; `jobs` bounds
    /// the processes running at once (default: by the cores).
    pub fn new(builder: Builder, dir: &Path, jobs: Option<usize>) -> Engine {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let slots = |n: usize| Slots {
            free: Mutex::new(n.max(1)),
            freed: Condvar::new(),
        };
        Engine {
            builder,
            compile_slots: slots(jobs.unwrap_or(cores)),
            test_slots: slots(jobs.unwrap_or(2 * cores)),
            runs_dir: dir.join("runs"),
            verdicts: dir.join("verdicts"),
        }
    }

    /// Fails if the toolchain turned out missing or too old (it is confirmed
    /// in the background while checks start; see `toolchain::Detected`).
    pub fn confirm_toolchain(&self) -> Result<(), crate::toolchain::ToolchainError> {
        self.builder.toolchain().confirm().map(|_| ())
    }

    /// Checks several jobs in parallel; verdicts come back in job order.
    pub fn check_all(&self, jobs: &[Job], on: Reporter) -> Vec<Verdict> {
        std::thread::scope(|scope| {
            let handles: Vec<_> = jobs
                .iter()
                .map(|job| scope.spawn(move || self.check(job, on)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("a check panicked"))
                .collect()
        })
    }

    /// Checks one job.
    pub fn check(&self, job: &Job, on: Reporter) -> Verdict {
        let name = job.exercise.name.as_str();
        on(Event::Started { name });
        let started = Instant::now();
        let mut verdict = self.judge(job, on);
        verdict.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        verdict.flags = flags(&job.source);
        while INTERRUPTED.load(Ordering::SeqCst) {
            std::thread::park();
        }
        on(Event::Finished { verdict: &verdict });
        verdict
    }

    fn judge(&self, job: &Job, on: Reporter) -> Verdict {
        let input = Input {
            source: &job.source,
            display: &job.display,
            hidden: &job.hidden,
            incremental: job.mode != Mode::Fresh,
            fast_errors: job.mode == Mode::Interactive,
            compile_timeout: job.compile_timeout,
        };
        let cached = job.mode != Mode::Fresh && job.repetitions == 1;
        let cache_path = |key: &str| {
            let key = format!("{key}-{}", job.compile_timeout.as_secs());
            let key = key.as_str();
            self.verdicts
                .join(format!("{}.json", verdict_key(key, &job.limits)))
        };
        // Looked up under the version this run works with (maybe the last
        // run's), and trusted only once that version is confirmed.
        let guessed = self.builder.key(&input);
        if cached
            && let Some(mut verdict) = load_verdict(&cache_path(&guessed))
            && self
                .builder
                .confirmed_key(&input)
                .is_ok_and(|key| key == guessed)
        {
            let binary = self.builder.binary_path(&input);
            verdict.binary = binary.is_file().then_some(binary);
            // The weight is info.toml's now, not when the verdict was cached.
            verdict.weigh(job.exercise.points);
            return verdict;
        }
        let verdict = self.judge_afresh(job, &input, on);
        if cached
            && matches!(
                verdict.status,
                Status::Pass | Status::Fail | Status::CompileError
            )
            && !verdict.message.starts_with(INTERNAL)
            // A failure the tests did not report themselves (the program
            // exited, say) may have had another cause: check it again.
            && (verdict.status == Status::CompileError || verdict.tests.iter().all(|t| t.reported))
            // A check cut short by a shutdown proves nothing.
            && !sandbox::is_stopping()
            && !INTERRUPTED.load(Ordering::SeqCst)
            && let Ok(key) = self.builder.confirmed_key(&input)
        {
            store_verdict(&cache_path(&key), &verdict);
        }
        verdict
    }

    fn judge_afresh(&self, job: &Job, input: &Input, on: Reporter) -> Verdict {
        let ex = job.exercise;
        let started = Instant::now();
        let built = {
            let _slot = self.compile_slots.acquire();
            self.builder.build(input)
        };
        trace(&ex.name, "build", started);
        let (binary, names) = match built {
            Ok(Built::Binary(path, names)) => (path, names),
            Ok(Built::CompileError(diagnostics)) => {
                return Verdict::new(
                    &ex.name,
                    Status::CompileError,
                    ex.points,
                    diagnostics,
                    Vec::new(),
                );
            }
            Err(e) => return self.internal(ex, format!("could not build the exercise: {e}")),
        };
        let binary = binary.as_path();
        let mut first_bad: Option<Verdict> = None;
        let mut last = None;
        let mut passes = 0;
        for _ in 0..job.repetitions.max(1) {
            let results = std::thread::scope(|scope| {
                let handles: Vec<_> = names
                    .iter()
                    .map(|test| {
                        scope.spawn(move || {
                            let _slot = self.test_slots.acquire();
                            let started = Instant::now();
                            let result = self.run_test(binary, test, &job.limits);
                            trace(&ex.name, test, started);
                            on(Event::Test {
                                name: &ex.name,
                                test: &result,
                            });
                            result
                        })
                    })
                    .collect();
                handles
                    .into_iter()
                    .map(|h| h.join().expect("a test runner panicked"))
                    .collect::<Vec<_>>()
            });
            let verdict = Verdict::from_tests(&ex.name, ex.points, results);
            if verdict.status == Status::Pass {
                passes += 1;
                last = Some(verdict);
            } else if first_bad.is_none() {
                first_bad = Some(verdict);
            }
        }
        trace(&ex.name, "build and tests", started);
        let mut verdict = first_bad.or(last).expect("at least one repetition ran");
        verdict.binary = Some(binary.to_path_buf());
        verdict.passes = passes;
        verdict.runs = job.repetitions.max(1);
        verdict
    }

    /// A fault of the checker or the machine, not of the learner.
    fn internal(&self, ex: &Exercise, message: String) -> Verdict {
        Verdict::new(
            &ex.name,
            Status::Crash,
            ex.points,
            format!("threadlings could not run the check: {message}"),
            Vec::new(),
        )
    }

    /// Runs the learner's own `main` once, as the program would run, and
    /// returns what it printed (cut to a few KiB, control characters out).
    pub fn program_output(&self, binary: &Path, limits: &Limits) -> String {
        let limits = Limits {
            timeout: limits.timeout.min(PROGRAM_TIMEOUT),
            max_output_bytes: 16 * 1024,
            ..*limits
        };
        let mut cmd = Command::new(binary);
        cmd.arg(protocol::ARG_MAIN)
            .env(protocol::ENV_MAX_THREADS, limits.max_threads.to_string())
            .env(
                protocol::ENV_MAX_MEMORY_MB,
                limits.max_memory_mb.to_string(),
            );
        let Ok(finished) = sandbox::run(cmd, b"", &limits) else {
            return String::new();
        };
        let mut text = String::from_utf8_lossy(&finished.stdout).into_owned();
        text.push_str(&String::from_utf8_lossy(&finished.stderr));
        let mut text: String = text
            .chars()
            .filter(|c| !c.is_control() || *c == '\n')
            .collect();
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

    /// Runs one hidden test in its own process and judges how it ended.
    fn run_test(&self, binary: &Path, test: &str, limits: &Limits) -> TestResult {
        let result = |status, message: String| TestResult {
            name: test.to_string(),
            status,
            message,
            reported: false,
            events: Vec::new(),
            events_dropped: 0,
        };
        let report = match std::fs::create_dir_all(&self.runs_dir)
            .and_then(|()| tempfile::NamedTempFile::new_in(&self.runs_dir))
        {
            Ok(file) => file,
            Err(e) => {
                return result(
                    Status::Crash,
                    format!("threadlings could not make a report file: {e}"),
                );
            }
        };
        let nonce = nonce();
        let stdin = protocol::handshake(&nonce, report.path());
        let mut cmd = Command::new(binary);
        cmd.arg(protocol::ARG_TEST)
            .arg(test)
            .env_remove("RUST_BACKTRACE")
            // The test binary watches itself too (and the learner's program
            // when a test runs it): see the support crate's `watch_limits`.
            .env(protocol::ENV_MAX_THREADS, limits.max_threads.to_string())
            .env(
                protocol::ENV_MAX_MEMORY_MB,
                limits.max_memory_mb.to_string(),
            );
        let finished = match sandbox::run(cmd, stdin.as_bytes(), limits) {
            Ok(f) => f,
            Err(e) => {
                return result(
                    Status::Crash,
                    format!("threadlings could not start the test: {e}"),
                );
            }
        };
        let reported = std::fs::read_to_string(report.path()).unwrap_or_default();
        let (status, message) = judge(test, &nonce, &reported, &finished, limits);
        let report = report_of(test, &nonce, &reported);
        let reported = report.counted().is_some();
        let (events, events_dropped) = report
            .record
            .map_or_else(Default::default, |r| (r.events, r.events_dropped));
        TestResult {
            reported,
            events,
            events_dropped,
            ..result(status, message)
        }
    }
}

/// With THREADLINGS_TRACE set, where a check's time goes, on stderr (for
/// the speed benchmark and for anyone asking why a check is slow).
fn trace(name: &str, phase: &str, since: Instant) {
    if std::env::var_os("THREADLINGS_TRACE").is_some() {
        eprintln!(
            "threadlings-trace: {name}: {phase} {} ms",
            since.elapsed().as_millis()
        );
    }
}

/// How long watch mode lets the learner's own program run to show its output.
const PROGRAM_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// How the message of a verdict the checker itself could not reach begins.
const INTERNAL: &str = "threadlings could not run the check: ";

/// The verdict cache key: the binary's key (the learner's file, the hidden
/// tests, the support library, the toolchain, the flags) and the limits.
fn verdict_key(binary_key: &str, limits: &Limits) -> String {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (
        binary_key,
        limits.timeout,
        limits.max_output_bytes,
        limits.max_threads,
        limits.max_memory_mb,
    )
        .hash(&mut h);
    format!("{binary_key}-{:016x}", h.finish())
}

fn load_verdict(path: &Path) -> Option<Verdict> {
    let text = std::fs::read_to_string(path).ok()?;
    let mut verdict: Verdict = serde_json::from_str(&text).ok()?;
    verdict.passes = u32::from(verdict.status == Status::Pass);
    verdict.runs = 1;
    Some(verdict)
}

/// Written to a temporary file and renamed: a reader never sees half of it.
fn store_verdict(path: &Path, verdict: &Verdict) {
    let Some(dir) = path.parent() else { return };
    let write = || -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
        serde_json::to_writer(&mut tmp, verdict).map_err(std::io::Error::other)?;
        tmp.persist(path).map_err(|e| e.error)?;
        Ok(())
    };
    let _ = write();
}

/// A secret for one test run: only the support library, which reads it
/// before any learner code runs, can tag a report line with it.
fn nonce() -> String {
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

/// Judges one test process: the report tagged with the nonce is the only
/// evidence of a pass; everything else explains why there is none.
fn judge(
    test: &str,
    nonce: &str,
    reported: &str,
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
        _ => {}
    }
    match finished.exit {
        Exit::ThreadLimit(n) => return (Status::Crash, thread_limit(test, n, limits.max_threads)),
        Exit::MemoryLimit(mb) => {
            return (Status::Crash, memory_limit(test, mb, limits.max_memory_mb));
        }
        _ => {}
    }
    let report = report_of(test, nonce, reported);
    if let Some(record) = report.counted() {
        return match record.status {
            RecordStatus::Pass => (Status::Pass, String::new()),
            RecordStatus::Fail => (Status::Fail, record.message.clone()),
            RecordStatus::Timeout => (Status::Timeout, record.message.clone()),
        };
    }
    if let (Some(_), Some(problem)) = (&report.record, &report.problem) {
        return (Status::Fail, problem.clone());
    }
    let tail = stderr_tail(&finished.stderr);
    if finished.exit == Exit::Code(protocol::EXIT_LIMIT)
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
    let (status, message) = match finished.exit {
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
    match report.problem {
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

fn signal_meaning(signal: i32) -> String {
    match signal {
        6 => "it aborted (SIGABRT): a stack overflow, `std::process::abort`, or a panic inside a panic".into(),
        9 => "it was killed (SIGKILL), perhaps for using too much memory".into(),
        11 => "it touched memory it must not (SIGSEGV), often a stack overflow".into(),
        other => format!("it was killed by signal {other}"),
    }
}

/// The last lines the test printed to stderr, made safe to show.
fn stderr_tail(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let lines: Vec<&str> = text.lines().collect();
    let tail = lines[lines.len().saturating_sub(8)..].join("\n");
    let clean: String = tail
        .chars()
        .filter(|c| !c.is_control() || *c == '\n')
        .collect();
    if clean.trim().is_empty() {
        String::new()
    } else {
        format!("\n\nIt printed to stderr:\n{clean}")
    }
}

/// Things a teacher should look at, found in the learner's source.
fn flags(source: &str) -> Vec<String> {
    let checks = [
        ("process_exit", &["process::exit", "exit("][..]),
        ("process_abort", &["abort("][..]),
        ("unsafe", &["unsafe"][..]),
        (
            "include_macro",
            &["include!", "include_str!", "include_bytes!"][..],
        ),
        ("leak", &["::leak", ".leak("][..]),
        // Reading the process's own memory or descriptors is how in-process
        // code could forge a report: no exercise needs it.
        ("proc_fs", &["/proc", "proc/self", "process_vm"][..]),
    ];
    checks
        .iter()
        .filter(|(_, needles)| needles.iter().any(|n| source.contains(n)))
        .map(|(flag, _)| (*flag).to_string())
        .collect()
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

    #[test]
    fn only_a_report_with_the_nonce_and_the_right_name_is_a_pass() {
        let ok = finished(Exit::Code(0), "");
        let pass = |secret, test| line(secret, test, RecordStatus::Pass, "");
        assert_eq!(
            judge("t", "abc", &pass("abc", "t"), &ok, &LIMITS).0,
            Status::Pass
        );
        assert_eq!(
            judge("t", "abc", &pass("xyz", "t"), &ok, &LIMITS).0,
            Status::Fail
        );
        assert_eq!(
            judge("t", "abc", &pass("abc", "other"), &ok, &LIMITS).0,
            Status::Fail
        );
        let (status, message) = judge("t", "abc", "", &ok, &LIMITS);
        assert_eq!(status, Status::Fail);
        assert!(message.contains("std::process::exit"), "{message}");
        // The old format of report lines counts for nothing.
        assert_eq!(
            judge("t", "abc", "abc pass t\n", &ok, &LIMITS).0,
            Status::Fail
        );
    }

    #[test]
    fn a_report_with_anything_else_in_it_is_not_trusted() {
        let ok = finished(Exit::Code(0), "");
        let pass = line("abc", "t", RecordStatus::Pass, "");
        let (status, message) = judge("t", "abc", &format!("{pass}{pass}"), &ok, &LIMITS);
        assert_eq!(status, Status::Fail);
        assert!(message.contains("reported more than once"), "{message}");
        let forged = format!("0 pass t\n{pass}");
        let (status, message) = judge("t", "abc", &forged, &ok, &LIMITS);
        assert_eq!(status, Status::Fail);
        assert!(message.contains("wrote something unexpected"), "{message}");
        // Without a record of its own, how the process ended says why.
        let (status, message) = judge("t", "abc", "0 pass t\n", &ok, &LIMITS);
        assert_eq!(status, Status::Fail);
        assert!(
            message.contains("std::process::exit") && message.contains("unexpected"),
            "{message}"
        );
        // Another run's record is no problem, and no evidence either.
        let other = line("xyz", "t", RecordStatus::Fail, "");
        let report = report_of("t", "abc", &format!("{other}{pass}"));
        assert!(report.counted().is_some());
    }

    #[test]
    fn failures_carry_the_tests_message_and_endings_map_to_statuses() {
        let ok = finished(Exit::Code(0), "");
        let failed = line("n", "t", RecordStatus::Fail, "line one\nline \\two \"q\"");
        let (status, message) = judge("t", "n", &failed, &ok, &LIMITS);
        assert_eq!(
            (status, message.as_str()),
            (Status::Fail, "line one\nline \\two \"q\"")
        );
        let slow = line("n", "t", RecordStatus::Timeout, "`f()` did not return");
        assert_eq!(
            judge("t", "n", &slow, &ok, &LIMITS),
            (Status::Timeout, "`f()` did not return".to_string())
        );
        assert_eq!(
            judge("t", "n", "", &finished(Exit::TimedOut, ""), &LIMITS).0,
            Status::Timeout
        );
        assert_eq!(
            judge(
                "t",
                "n",
                &line("n", "t", RecordStatus::Pass, ""),
                &finished(Exit::OutputLimit, ""),
                &LIMITS
            )
            .0,
            Status::Crash
        );
        let (status, message) = judge(
            "t",
            "n",
            "",
            &finished(Exit::Signal(6), "has overflowed its stack\x1b[0m"),
            &LIMITS,
        );
        assert_eq!(status, Status::Crash);
        assert!(
            message.contains("SIGABRT")
                && message.contains("overflowed")
                && !message.contains('\x1b')
        );
    }

    #[test]
    fn a_limit_the_test_process_stopped_itself_at_is_a_crash() {
        let stderr = format!("noise\n{}\n", LimitHit::Threads(99).mark());
        let stopped = finished(Exit::Code(protocol::EXIT_LIMIT), &stderr);
        let (status, message) = judge("t", "n", "", &stopped, &LIMITS);
        assert_eq!(status, Status::Crash);
        assert!(message.contains("99 threads") && message.contains("limit is 50"));
        let unmarked = finished(Exit::Code(protocol::EXIT_LIMIT), "");
        assert_eq!(judge("t", "n", "", &unmarked, &LIMITS).0, Status::Fail);
    }

    #[test]
    fn flags_name_what_a_teacher_should_look_at() {
        assert_eq!(
            flags("fn main() { std::process::exit(0) }"),
            vec!["process_exit"]
        );
        assert_eq!(flags("include!(\"x.rs\");"), vec!["include_macro"]);
        assert!(flags("fn main() {}").is_empty());
    }

    #[test]
    fn nonces_are_long_and_differ() {
        let (a, b) = (nonce(), nonce());
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
    }
}
