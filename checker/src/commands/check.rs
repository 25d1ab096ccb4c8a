//! `threadlings check`: every exercise, in parallel, with a progress bar;
//! progress is recorded from the results.

use std::process::ExitCode;

use indicatif::{ProgressBar, ProgressStyle};

use super::present;
use crate::cli::LimitArgs;
use crate::course::Course;
use crate::engine::{Event, Job, Mode};
use crate::state::State;
use crate::verdict::Status;

pub(crate) fn check(
    course: &Course,
    args: &LimitArgs,
    max_jobs: Option<u32>,
) -> anyhow::Result<ExitCode> {
    let mut jobs: Vec<Job> = course
        .exercises
        .iter()
        .map(|ex| super::learner_job(course, ex, args))
        .collect::<anyhow::Result<_>>()?;
    for job in &mut jobs {
        job.mode = Mode::Batch;
    }
    let engine = super::engine_with_jobs(course, max_jobs.map(|j| j as usize))?;
    let bar = progress_bar(jobs.len() as u64, "checking");
    let verdicts = engine.check_all(&jobs, &|event| match event {
        Event::Finished { verdict } => {
            bar.inc(1);
            bar.set_message(format!("{}: {}", verdict.name, verdict.status.as_str()));
        }
        Event::Started { .. } | Event::Test { .. } => {}
    });
    bar.finish_and_clear();
    engine.confirm_toolchain()?;
    State::update(&course.root, |s| {
        for v in &verdicts {
            if v.status == Status::Pass {
                s.done.insert(v.name.clone());
            } else {
                s.done.remove(&v.name);
            }
        }
    })?;
    let width = verdicts.iter().map(|v| v.name.len()).max().unwrap_or(0);
    for (v, ex) in verdicts.iter().zip(&course.exercises) {
        anstream::println!(
            "{:<width$}  {:<24}  {}",
            v.name,
            present::status(v.status),
            ex.path()
        );
    }
    let passed = verdicts.iter().filter(|v| v.status == Status::Pass).count();
    anstream::println!("\n{passed}/{} passed", verdicts.len());
    Ok(if passed == verdicts.len() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// A `done/total` bar on stderr; indicatif hides it when that is not a terminal.
pub(crate) fn progress_bar(len: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template(&format!("{what} [{{bar:30}}] {{pos}}/{{len}} {{msg}}"))
            .expect("a valid template")
            .progress_chars("=> "),
    );
    bar
}
