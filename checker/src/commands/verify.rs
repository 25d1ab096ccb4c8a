//! `threadlings verify`: for course authors. Every exercise fails as
//! shipped, every solution passes on every repetition, every known-wrong
//! answer fails on every repetition.

use std::process::ExitCode;

use anyhow::Context as _;

use crate::course::{Course, Exercise};
use crate::engine::{Engine, Job, Mode};
use crate::plan::Overrides;
use crate::report::human::{BOLD, GREEN, RED, RESET};
use crate::report::progress::Progress;
use crate::verdict::{Status, Verdict};

/// What a job is meant to show.
#[derive(Clone, Copy, PartialEq)]
enum Expect {
    /// The shipped exercise: must not pass.
    ShippedFails,
    /// The solution: must pass on every repetition.
    Passes,
    /// A known-wrong answer: must fail on every repetition.
    Fails,
}

/// `repeat`: how many times each solution's tests run (all must pass) and
/// each wrong answer's (all must fail).
pub(crate) fn verify(
    course: &Course,
    chosen: &[&Exercise],
    (repeat, repeat_wrong): (u32, u32),
    overrides: &Overrides,
    max_jobs: Option<usize>,
) -> anyhow::Result<ExitCode> {
    let mut jobs = Vec::new();
    let mut expects = Vec::new();
    let mut problems = Vec::new();
    for &ex in chosen {
        let mut shipped = overrides.learner_job(course, ex)?;
        shipped.mode = Mode::Fresh;
        jobs.push(shipped);
        expects.push(Expect::ShippedFails);
        let hidden = course.hidden_source(ex).context("hidden tests")?;
        // Solutions and wrong answers differ only in source, name and count.
        let fresh = |source: String, file: String, repetitions: u32| Job {
            repetitions,
            mode: Mode::Fresh,
            ..Job::new(
                ex,
                file,
                source,
                hidden.clone(),
                overrides.limits(ex),
                overrides.compile_timeout(),
            )
        };
        let solution = course.read_solution(ex).context("solution")?;
        jobs.push(fresh(solution.into_owned(), ex.solution_path(), repeat));
        expects.push(Expect::Passes);
        let wrong = course.wrong_answers(ex);
        if wrong.is_empty() {
            problems.push(format!(
                "{}: no known-wrong answer is kept (checker/hidden/wrong/{}/)",
                ex.name, ex.name
            ));
        }
        for (variant, source) in wrong {
            jobs.push(fresh(
                source.into_owned(),
                format!("wrong/{}/{variant}.rs", ex.name),
                repeat_wrong,
            ));
            expects.push(Expect::Fails);
        }
    }
    let engine = Engine::for_course(course, max_jobs)?;
    let progress = Progress::new(jobs.len(), "verifying");
    let verdicts = engine.check_all(&jobs, &progress);
    progress.finish();
    engine.confirm_toolchain()?;

    for ((job, verdict), expect) in jobs.iter().zip(&verdicts).zip(&expects) {
        let (ok, what) = judge(*expect, verdict);
        let mark = if ok {
            format!("{GREEN}ok{RESET}  ")
        } else {
            format!("{RED}BAD{RESET} ")
        };
        anstream::println!("{mark} {:<26} {:<44} {what}", job.id.exercise, job.id.file);
        if !ok {
            problems.push(format!("{}: {} {what}", job.id.exercise, job.id.file));
            if *expect == Expect::Passes {
                anstream::println!("{}", indent(&verdict.message));
            }
        }
    }
    if problems.is_empty() {
        anstream::println!(
            "\n{GREEN}{BOLD}course verified{RESET}: {} exercises, {} checks (solutions x{repeat}, wrong answers x{repeat_wrong})",
            chosen.len(),
            jobs.len()
        );
        Ok(ExitCode::SUCCESS)
    } else {
        anstream::println!("\n{RED}{BOLD}{} problem(s){RESET}:", problems.len());
        for p in &problems {
            anstream::println!("  {p}");
        }
        Ok(ExitCode::FAILURE)
    }
}

/// Whether the verdict is what the job was meant to show, and a description.
fn judge(expect: Expect, v: &Verdict) -> (bool, String) {
    match expect {
        Expect::ShippedFails => (
            v.status != Status::Pass,
            format!("as shipped: {}", v.status.as_str()),
        ),
        Expect::Passes => (
            v.passes == v.runs,
            format!(
                "passed {}/{}{}",
                v.passes,
                v.runs,
                if v.passes == v.runs {
                    String::new()
                } else {
                    format!(" (first failure: {})", v.status.as_str())
                }
            ),
        ),
        Expect::Fails => (
            v.passes == 0,
            format!(
                "failed {}/{} ({})",
                v.runs - v.passes,
                v.runs,
                v.status.as_str()
            ),
        ),
    }
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("      {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}
