//! `threadlings run [NAME] [--json] [--timeline] [--trace FILE]`: check one
//! exercise once; a verdict that is not a pass shows what the threads did.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::course::{Course, Exercise};
use crate::engine::{Engine, Reporter};
use crate::plan::Overrides;
use crate::report::class::write_atomically;
use crate::report::{human, json};
use crate::state::State;
use crate::timeline::{self, Look};
use crate::verdict::{Status, Verdict};

/// The line before the picture, in every command that prints one.
pub(crate) const PICTURE_HEADING: &str = "What the threads did:";

/// What `run` shows besides the verdict.
pub(crate) struct Show {
    /// One JSON object instead of text.
    pub json: bool,
    /// The timeline on a pass too (a failing verdict always has it).
    pub timeline: bool,
    /// Every test's events as a Chrome trace, to this file.
    pub trace: Option<PathBuf>,
}

pub(crate) fn run(
    course: &Course,
    ex: &Exercise,
    show: Show,
    overrides: &Overrides,
) -> anyhow::Result<ExitCode> {
    let as_json = show.json;
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
    // The path was checked before anything ran; if writing fails anyway,
    // the verdict and its exit code still stand.
    if let Some(path) = &show.trace
        && let Err(e) = write_trace(path, &verdict)
    {
        anstream::eprintln!("threadlings: no trace written: {e:#}");
    }
    // What the threads did: the question a failing verdict raises.
    if !as_json && (show.timeline || verdict.status != Status::Pass) {
        match timeline::pick(&verdict) {
            Some(picked) => anstream::print!(
                "\n{PICTURE_HEADING}\n{}",
                timeline::text(&picked, &Look::for_stdout())
            ),
            None if show.timeline => {
                anstream::println!("\nNo hidden test ran, so there is no timeline to draw.")
            }
            None => {}
        }
    }
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

/// Every hidden test's events, one trace process per test.
fn write_trace(path: &Path, verdict: &Verdict) -> anyhow::Result<()> {
    let runs: Vec<timeline::Run> = verdict.tests.iter().map(timeline::Run::of).collect();
    let text = serde_json::to_string_pretty(&timeline::trace(&runs))?;
    write_atomically(path, text.as_bytes())
}
