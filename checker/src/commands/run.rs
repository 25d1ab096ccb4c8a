//! `threadlings run [NAME] [--json]`: check one exercise once.

use std::process::ExitCode;

use serde::Serialize;

use super::present;
use crate::cli::LimitArgs;
use crate::course::Course;
use crate::sandbox::Limits;
use crate::state::State;
use crate::verdict::{Status, Verdict};

#[derive(Serialize)]
struct RunJson<'a> {
    #[serde(flatten)]
    verdict: &'a Verdict,
    limits: LimitsJson<'a>,
}

/// The limits applied: those of each test run, and rustc's time.
#[derive(Serialize)]
struct LimitsJson<'a> {
    #[serde(flatten)]
    run: &'a Limits,
    compile_timeout_secs: u64,
}

pub(crate) fn run(
    course: &Course,
    name: Option<&str>,
    json: bool,
    args: &LimitArgs,
) -> anyhow::Result<ExitCode> {
    let ex = super::pick(course, name)?;
    let job = super::learner_job(course, ex, args)?;
    let engine = super::engine(course)?;
    let mut verdict = engine.check(&job, &|_| {});
    engine.confirm_toolchain()?;
    let mut solution = None;
    if verdict.status == Status::Pass {
        State::update(&course.root, |s| {
            s.done.insert(ex.name.clone());
        })?;
        // A learner directory gets the solution only once it is earned.
        solution = course.reveal_solution(ex).ok();
    }
    if json {
        verdict.message = plain(&verdict.message);
        for t in &mut verdict.tests {
            t.message = plain(&t.message);
        }
        println!(
            "{}",
            serde_json::to_string(&RunJson {
                verdict: &verdict,
                limits: LimitsJson {
                    run: &job.limits,
                    compile_timeout_secs: job.compile_timeout.as_secs()
                },
            })?
        );
    } else {
        anstream::print!("{}", present::verdict(&verdict, &ex.path()));
        if let Some(solution) = solution {
            anstream::println!("Compare with the solution: {solution}");
        }
    }
    Ok(if verdict.status == Status::Pass {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Text without ANSI escapes, for machine-readable output.
pub(crate) fn plain(text: &str) -> String {
    anstream::adapter::strip_str(text).to_string()
}
