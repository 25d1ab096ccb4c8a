//! `threadlings verify`: for course authors. Every exercise fails as
//! shipped, every solution and every correct variant
//! (`checker/hidden/right/<name>/`) passes on every repetition, every
//! known-wrong answer (`checker/hidden/wrong/<name>/`) fails on every
//! repetition. It also checks what no hidden test sees: every exercise has
//! a hint, every chapter a README, every solution is rustfmt-clean
//! (`course::authoring`).

use std::process::ExitCode;

use anyhow::Context as _;

use crate::course::{Course, Exercise};
use crate::engine::{Engine, Job, Mode};
use crate::plan::Overrides;
use crate::report::human::{BOLD, GREEN, RED, RESET};
use crate::report::progress::Progress;
use crate::verdict::{Status, Verdict};

/// What a job checks, and so what it is meant to show.
#[derive(Clone, Copy, PartialEq)]
enum Role {
    /// The shipped exercise: must not pass.
    Shipped,
    /// The reference solution: must pass on every repetition.
    Solution,
    /// A correct variant in another style: must pass on every repetition.
    Right,
    /// A known-wrong answer: must fail on every repetition.
    Wrong,
}

impl Role {
    /// How a problem with a job of this role is named.
    fn noun(self) -> &'static str {
        match self {
            Role::Shipped => "exercise",
            Role::Solution => "solution",
            Role::Right => "correct variant",
            Role::Wrong => "wrong answer",
        }
    }

    fn must_pass(self) -> bool {
        matches!(self, Role::Solution | Role::Right)
    }
}

/// `repeat`: how many times the tests of each solution and of each correct
/// variant run (all must pass); `repeat_wrong`: of each wrong answer (all
/// must fail).
pub(crate) fn verify(
    course: &Course,
    chosen: &[&Exercise],
    (repeat, repeat_wrong): (u32, u32),
    overrides: &Overrides,
    max_jobs: Option<usize>,
) -> anyhow::Result<ExitCode> {
    let mut jobs = Vec::new();
    let mut roles = Vec::new();
    let mut problems = Vec::new();
    let mut without_right = Vec::new();
    // Read before anything is compiled: what learners meet besides the checks.
    problems.extend(crate::course::authoring::problems(course, chosen));
    for &ex in chosen {
        let hidden = course.hidden_source(ex).context("hidden tests")?;
        // What a learner starts from: the course author's copy, whatever the
        // working copy in exercises/ holds now (a course without
        // checker/shipped/ has only that working copy).
        let mut shipped = match course.shipped(ex) {
            Some(text) => Job::new(
                ex,
                ex.path(),
                text.into_owned(),
                hidden.clone(),
                overrides.limits(ex),
                overrides.compile_timeout(),
            ),
            None => overrides.learner_job(course, ex)?,
        };
        shipped.mode = Mode::Fresh;
        jobs.push(shipped);
        roles.push(Role::Shipped);
        // Solutions, correct variants and wrong answers differ only in
        // source, name and count.
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
        roles.push(Role::Solution);
        let right = course.right_answers(ex);
        if right.is_empty() {
            without_right.push(ex.name.as_str());
        }
        for (variant, source) in right {
            jobs.push(fresh(
                source.into_owned(),
                format!("right/{}/{variant}.rs", ex.name),
                repeat,
            ));
            roles.push(Role::Right);
        }
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
            roles.push(Role::Wrong);
        }
    }
    let engine = Engine::for_course(course, max_jobs)?;
    let progress = Progress::new(jobs.len(), "verifying");
    let verdicts = engine.check_all(&jobs, &progress);
    progress.finish();
    engine.confirm_toolchain()?;

    for ((job, verdict), &role) in jobs.iter().zip(&verdicts).zip(&roles) {
        let (ok, what) = judge(role, verdict);
        let mark = if ok {
            format!("{GREEN}ok{RESET}  ")
        } else {
            format!("{RED}BAD{RESET} ")
        };
        anstream::println!("{mark} {:<26} {:<44} {what}", job.id.exercise, job.id.file);
        if !ok {
            let mut problem = format!(
                "{}: {} {} {what}",
                job.id.exercise,
                role.noun(),
                job.id.file
            );
            if role.must_pass() {
                anstream::println!("{}", indent(&verdict.message));
                if let Some(first) = verdict.message.lines().find(|l| !l.trim().is_empty()) {
                    problem.push_str(": ");
                    problem.push_str(first.trim());
                }
            }
            problems.push(problem);
        }
    }
    let count = |wanted: Role| roles.iter().filter(|&&r| r == wanted).count();
    let mut checked = format!(
        "{}, {} (solutions x{repeat}, {} x{repeat}, {} x{repeat_wrong})",
        plural(chosen.len(), "exercise"),
        plural(jobs.len(), "check"),
        plural(count(Role::Right), "right variant"),
        plural(count(Role::Wrong), "wrong answer"),
    );
    if !without_right.is_empty() {
        checked.push_str(&format!(
            "; no right variants for {}",
            without_right.join(", ")
        ));
    }
    if problems.is_empty() {
        anstream::println!("\n{GREEN}{BOLD}course verified{RESET}: {checked}");
        Ok(ExitCode::SUCCESS)
    } else {
        anstream::println!(
            "\n{RED}{BOLD}{} problem(s){RESET} in {checked}:",
            problems.len()
        );
        for p in &problems {
            anstream::println!("  {p}");
        }
        Ok(ExitCode::FAILURE)
    }
}

/// Whether the verdict is what the job was meant to show, and a description.
fn judge(role: Role, v: &Verdict) -> (bool, String) {
    match role {
        Role::Shipped => (
            v.status != Status::Pass,
            format!("as shipped: {}", v.status.as_str()),
        ),
        Role::Solution | Role::Right => (
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
        Role::Wrong => (
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

/// `1 check`, `2 checks`.
fn plural(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("      {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}
