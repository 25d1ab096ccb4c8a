//! `threadlings run [NAME] [--json]`: check one exercise once.

use std::process::ExitCode;

use crate::course::{Course, Exercise};
use crate::engine::{Engine, Reporter};
use crate::plan::Overrides;
use crate::report::{human, json};
use crate::state::State;
use crate::verdict::Status;

pub(crate) fn run(
    course: &Course,
    ex: &Exercise,
    as_json: bool,
    overrides: &Overrides,
) -> anyhow::Result<ExitCode> {
    let job = overrides.learner_job(course, ex)?;
    let engine = Engine::for_course(course, None)?;
    let reporter: Box<dyn Reporter> = if as_json {
        Box::new(json::Verdicts {
            limits: job.limits,
            compile_timeout_secs: job.compile_timeout.as_secs(),
        })
    } else {
        Box::new(human::Verdicts)
    };
    let verdict = engine.check(&job, reporter.as_ref());
    engine.confirm_toolchain()?;
    if verdict.status != Status::Pass {
        return Ok(ExitCode::FAILURE);
    }
    State::update(&course.root, |s| {
        s.done.insert(ex.name.clone());
    })?;
    // A learner directory gets the solution only once it is earned.
    if let Ok(solution) = course.reveal_solution(ex)
        && !as_json
    {
        anstream::println!("Compare with the solution: {solution}");
    }
    Ok(ExitCode::SUCCESS)
}
