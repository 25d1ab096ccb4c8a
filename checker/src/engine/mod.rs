//! The engine: compile, run every hidden test under limits, collect a
//! verdict. It emits events as it goes (`events`); watch mode, run, check
//! and verify are reporters on top of it and know nothing of processes.
//!
//! Here: scheduling (a fixed pool of threads for jobs, another for tests,
//! slots for rustc) and the verdict cache. Judging lives in `verdict`,
//! building in `build`, processes in `process` and `supervise`.

mod cache;
mod events;
mod job;
mod pool;
mod process;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use crate::build::{Builder, Built, Input};
use crate::supervise;
use crate::verdict::{self, Status, TestResult, Verdict};
use cache::VerdictCache;
pub(crate) use events::{Event, Quiet, Reporter};
pub(crate) use job::{Job, JobId, Mode};
use pool::{Slots, Workers};
pub(crate) use process::program_output;

/// Enough test processes for every test of an exercise of this course
/// (the most is 6) to run at once when one file is checked.
const ONE_EXERCISE_TESTS: usize = 8;

/// Set by the signal handler: the run is being stopped, its verdicts are void.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Marks the run as interrupted: checks in flight never report (their test
/// processes were killed, so their verdicts would be false) and wait for the
/// handler to exit the process.
pub(crate) fn interrupt() {
    INTERRUPTED.store(true, Ordering::SeqCst);
}

pub(crate) struct Engine {
    builder: Builder,
    /// rustc processes: CPU-bound, one per core.
    compile_slots: Slots,
    /// Test processes at once: they mostly wait at rendezvous, so twice
    /// as many as the cores.
    test_workers: usize,
    /// Test processes at once when one file is checked (run, watch): every
    /// test of an exercise at once, unless `--jobs` said otherwise. A check
    /// lasts as long as its slowest test; tests waiting for a free worker
    /// only add to it, and no rustc competes with them by then.
    test_workers_alone: usize,
    /// Jobs in flight at once: enough to keep rustc busy while other jobs'
    /// tests run.
    job_workers: usize,
    cache: VerdictCache,
}

/// One job's build, as the tests need it.
struct Binary {
    path: PathBuf,
    tests: Vec<String>,
}

impl Engine {
    /// `dir` holds build products and per-run scratch files; `jobs` bounds
    /// the processes running at once (default: by the cores).
    pub fn new(builder: Builder, dir: &std::path::Path, jobs: Option<usize>) -> Engine {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let compile = jobs.unwrap_or(cores).max(1);
        let tests = jobs.unwrap_or(2 * cores).max(1);
        let alone = jobs.unwrap_or(ONE_EXERCISE_TESTS.max(tests)).max(1);
        Engine {
            builder,
            compile_slots: Slots::new(compile),
            test_workers: tests,
            test_workers_alone: alone,
            job_workers: compile + tests,
            cache: VerdictCache::new(dir.join("verdicts")),
        }
    }

    /// The engine for a course: build products go to
    /// `<course>/target/threadlings/`, and the toolchain is found (a missing
    /// or old rustc is reported before anything runs when no earlier run
    /// left a version to start on; else when the command confirms it).
    pub fn for_course(
        course: &crate::course::Course,
        jobs: Option<usize>,
    ) -> anyhow::Result<Engine> {
        use anyhow::Context as _;
        let dir = course.root.join("target").join("threadlings");
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        let toolchain = crate::toolchain::Detected::start(dir.join("rustc-version"));
        if !toolchain.has_guess() {
            toolchain.confirm()?;
        }
        Ok(Engine::new(
            Builder::new(toolchain, dir.clone()),
            &dir,
            jobs,
        ))
    }

    /// Fails if the toolchain turned out missing or too old (it is confirmed
    /// in the background while checks start; see `toolchain::Detected`).
    /// Its version on success, as `rustc -vV` names it.
    pub fn confirm_toolchain(&self) -> Result<String, crate::toolchain::ToolchainError> {
        self.builder
            .toolchain()
            .confirm()
            .map(|t| t.version.clone())
    }

    /// Builds what every check needs and no learner file changes (the
    /// support library, once per toolchain), so that the first check is as
    /// fast as the others. `true` when it is ready.
    pub fn warm_up(&self) -> bool {
        self.builder.prepare_support()
    }

    /// Whether the next check can start compiling at once (else it builds
    /// the support library first, which takes seconds).
    pub fn is_warm(&self) -> bool {
        self.builder.support_is_ready()
    }

    /// Checks one job.
    pub fn check(&self, job: &Job, reporter: &dyn Reporter) -> Verdict {
        let mut verdicts = self.check_all(std::slice::from_ref(job), reporter);
        verdicts.pop().expect("one verdict per job")
    }

    /// Checks several jobs in parallel on a bounded number of threads;
    /// verdicts come back in job order.
    pub fn check_all(&self, jobs: &[Job], reporter: &dyn Reporter) -> Vec<Verdict> {
        std::thread::scope(|scope| {
            let tests = match jobs.len() {
                1 => self.test_workers_alone,
                n => self.test_workers.min(n * 8),
            };
            let tests = Workers::start(scope, tests);
            let workers = Workers::start(scope, self.job_workers.min(jobs.len()));
            workers.run_all(jobs.iter().map(|job| {
                let tests = tests.clone();
                move || self.check_one(job, &tests, reporter)
            }))
        })
    }

    fn check_one<'s>(
        &'s self,
        job: &'s Job,
        tests: &Workers<'s>,
        reporter: &'s dyn Reporter,
    ) -> Verdict {
        reporter.report(&Event::Started { job: &job.id });
        let started = Instant::now();
        let mut verdict = self.judge(job, tests, reporter);
        verdict.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        verdict.flags = verdict::flags::of_source(&job.source);
        // Something besides the harness wrote to a test's report.
        if verdict.tests.iter().any(|t| t.tampered) {
            verdict
                .flags
                .push(verdict::flags::REPORT_TAMPERED.to_string());
        }
        while INTERRUPTED.load(Ordering::SeqCst) {
            std::thread::park();
        }
        reporter.report(&Event::Finished {
            job: &job.id,
            verdict: &verdict,
        });
        verdict
    }

    /// The verdict from the cache when it may be (same inputs, confirmed
    /// toolchain), else from a fresh build and run, cached when certain.
    fn judge<'s>(
        &'s self,
        job: &'s Job,
        tests: &Workers<'s>,
        reporter: &'s dyn Reporter,
    ) -> Verdict {
        let input = Input {
            source: &job.source,
            display: &job.id.file,
            exercise: &job.id.exercise,
            origin: job.origin.as_deref(),
            hidden: &job.hidden,
            incremental: job.mode != Mode::Fresh,
            fast_errors: job.mode == Mode::Interactive,
            compile_timeout: job.compile_timeout,
        };
        let cached = job.mode != Mode::Fresh && job.repetitions == 1;
        // Looked up under the version this run works with (maybe the last
        // run's), and trusted only once that version is confirmed.
        let guessed = self.builder.key(&input);
        if cached
            && let Some(mut verdict) = VerdictCache::load(&self.cache.path(&guessed, job))
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
        let (verdict, certain) = self.judge_afresh(job, &input, tests, reporter);
        if cached
            && certain
            && VerdictCache::worth_keeping(&verdict)
            // A check cut short by a shutdown proves nothing.
            && !supervise::is_stopping()
            && !INTERRUPTED.load(Ordering::SeqCst)
            && let Ok(key) = self.builder.confirmed_key(&input)
        {
            VerdictCache::store(&self.cache.path(&key, job), &verdict);
        }
        verdict
    }

    fn judge_afresh<'s>(
        &'s self,
        job: &'s Job,
        input: &Input,
        tests: &Workers<'s>,
        reporter: &'s dyn Reporter,
    ) -> (Verdict, bool) {
        let ex = job.exercise;
        let started = Instant::now();
        let built = {
            let _slot = self.compile_slots.acquire();
            reporter.report(&Event::Compiling { job: &job.id });
            self.builder.build(input)
        };
        trace(&ex.name, "build", started);
        let (binary, warnings) = match built {
            Ok(Built::Binary(path, tests, warnings)) => (Binary { path, tests }, warnings),
            Ok(Built::CompileError(diagnostics)) => {
                return (compile_error(ex, diagnostics), true);
            }
            Ok(Built::Stopped(diagnostics)) => return (compile_error(ex, diagnostics), false),
            Err(e) => {
                let verdict = Verdict::new(
                    &ex.name,
                    Status::Crash,
                    ex.points,
                    format!(
                        "threadlings could not run the check: could not build the exercise: {e}"
                    ),
                    Vec::new(),
                );
                return (verdict, false);
            }
        };
        let repetitions: Vec<Verdict> = self
            .run_tests(job, &binary, tests, reporter)
            .into_iter()
            .map(|results| Verdict::from_tests(&ex.name, ex.points, results))
            .collect();
        trace(&ex.name, "build and tests", started);
        let mut verdict =
            Verdict::over_repetitions(repetitions).expect("at least one repetition ran");
        verdict.binary = Some(binary.path);
        verdict.set_warnings(&warnings);
        (verdict, true)
    }

    /// Runs every hidden test `job.repetitions` times, each run in its own
    /// process, all queued at once on the test workers (which bound how many
    /// run together). Results come back per repetition, in the binary's
    /// test order.
    fn run_tests<'s>(
        &'s self,
        job: &'s Job,
        binary: &Binary,
        workers: &Workers<'s>,
        reporter: &'s dyn Reporter,
    ) -> Vec<Vec<TestResult>> {
        let repetitions = job.repetitions.max(1);
        let runs = (1..=repetitions)
            .flat_map(|repetition| binary.tests.iter().map(move |test| (repetition, test)));
        let mut results = workers
            .run_all(runs.map(|(repetition, test)| {
                let (test, path) = (test.clone(), binary.path.clone());
                move || {
                    let started = Instant::now();
                    let result = process::run_test(&path, &test, &job.limits, &|wait_file| {
                        reporter.report(&Event::Running {
                            job: &job.id,
                            test: &test,
                            wait_file,
                        })
                    });
                    trace(&job.exercise.name, &test, started);
                    // A test killed by a shutdown proves nothing: not shown.
                    if !INTERRUPTED.load(Ordering::SeqCst) {
                        reporter.report(&Event::Test {
                            job: &job.id,
                            repetition,
                            test: &result,
                        });
                    }
                    result
                }
            }))
            .into_iter();
        // In queue order: repetition by repetition, each in the binary's
        // test order (with no tests at all, each repetition is empty).
        (0..repetitions)
            .map(|_| results.by_ref().take(binary.tests.len()).collect())
            .collect()
    }
}

/// The verdict on a file that did not compile: rustc's diagnostics.
fn compile_error(ex: &crate::course::Exercise, diagnostics: String) -> Verdict {
    Verdict::new(
        &ex.name,
        Status::CompileError,
        ex.points,
        diagnostics,
        Vec::new(),
    )
}

/// With THREADLINGS_TRACE set, where a check's time goes, on stderr (for
/// the speed benchmark and for anyone asking why a check is slow).
pub(crate) fn trace(name: &str, phase: &str, since: Instant) {
    if std::env::var_os("THREADLINGS_TRACE").is_some() {
        eprintln!(
            "threadlings-trace: {name}: {phase} {} ms",
            since.elapsed().as_millis()
        );
    }
}
