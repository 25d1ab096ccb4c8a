//! `threadlings check`: every exercise, in parallel, with a progress bar;
//! progress is recorded from the results.

use std::process::ExitCode;

use crate::course::Course;
use crate::engine::{Engine, Job, Mode};
use crate::plan::Overrides;
use crate::report::human;
use crate::report::progress::Progress;
use crate::state::State;
use crate::verdict::Status;

pub(crate) fn check(
    course: &Course,
    overrides: &Overrides,
    max_jobs: Option<usize>,
) -> anyhow::Result<ExitCode> {
    let mut jobs: Vec<Job> = course
        .exercises
        .iter()
        .map(|ex| overrides.learner_job(course, ex))
        .collect::<anyhow::Result<_>>()?;
    for job in &mut jobs {
        job.mode = Mode::Batch;
    }
    let engine = Engine::for_course(course, max_jobs)?;
    let progress = Progress::new(jobs.len(), "checking");
    let verdicts = engine.check_all(&jobs, &progress);
    progress.finish();
    engine.confirm_toolchain()?;
    State::update(&course.root, |s| s.record(&verdicts))?;
    // A learner directory gets the solution of each exercise that passed.
    course.reveal_solutions(
        verdicts
            .iter()
            .filter(|v| v.status == Status::Pass)
            .map(|v| v.name.as_str()),
    );
    let width = verdicts.iter().map(|v| v.name.len()).max().unwrap_or(0);
    for (v, job) in verdicts.iter().zip(&jobs) {
        anstream::println!(
            "{:<width$}  {:<24}  {}",
            v.name,
            human::status(v.status),
            job.id.file
        );
    }
    let passed = verdicts.iter().filter(|v| v.status == Status::Pass).count();
    anstream::println!("\n{passed}/{} passed", verdicts.len());
    if passed > 0 {
        anstream::println!("Compare with the solutions of those that passed: solutions/");
    }
    Ok(if passed == verdicts.len() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
