//! The commands: each is a reporter on top of the engine.

mod check;
pub(crate) mod present;
mod run;
mod simple;
mod verify;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context as _, bail};

use crate::build::Builder;
use crate::cli::{Cli, Cmd, LimitArgs};
use crate::course::{Course, Exercise};
use crate::engine::{Engine, Job};
use crate::sandbox::Limits;
use crate::state::State;
use crate::toolchain::Detected;

/// A bad name or input: reported with exit code 2 like every error.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct UsageError(pub String);

pub(crate) fn dispatch(cli: Cli) -> anyhow::Result<ExitCode> {
    // Input first: the course is parsed and checked before any process starts.
    let course = Course::locate(cli.course.as_deref())?;
    match cli.command {
        None => crate::watch::watch(&course, false, false),
        Some(Cmd::Watch { poll, manual }) => crate::watch::watch(&course, poll, manual),
        Some(Cmd::Run { name, json, limits }) => run::run(&course, name.as_deref(), json, &limits),
        Some(Cmd::Hint { name }) => simple::hint(&course, name.as_deref()),
        Some(Cmd::List) => simple::list(&course),
        Some(Cmd::Reset { name }) => simple::reset(&course, &name),
        Some(Cmd::Check { limits, jobs }) => check::check(&course, &limits, jobs),
        Some(Cmd::Verify {
            names,
            repeat,
            repeat_wrong,
            limits,
            jobs,
        }) => verify::verify(&course, &names, repeat, repeat_wrong, &limits, jobs),
    }
}

/// The exercise called `name`, or a usage error listing the choices.
pub(crate) fn find<'c>(course: &'c Course, name: &str) -> anyhow::Result<&'c Exercise> {
    course.find(name).ok_or_else(|| {
        let names: Vec<&str> = course.exercises.iter().map(|e| e.name.as_str()).collect();
        UsageError(format!(
            "there is no exercise `{name}`. The exercises are: {}",
            names.join(", ")
        ))
        .into()
    })
}

/// The named exercise, or the current one (from the state), or the first
/// unfinished one.
pub(crate) fn pick<'c>(course: &'c Course, name: Option<&str>) -> anyhow::Result<&'c Exercise> {
    match name {
        Some(name) => find(course, name),
        None => Ok(current(course, &State::load(&course.root).state)),
    }
}

/// The current exercise according to `state`.
pub(crate) fn current<'c>(course: &'c Course, state: &State) -> &'c Exercise {
    state
        .current
        .as_deref()
        .and_then(|name| course.find(name))
        .or_else(|| {
            course
                .exercises
                .iter()
                .find(|e| !state.done.contains(&e.name))
        })
        .unwrap_or(&course.exercises[0])
}

/// Where build products live for a course.
fn build_dir(course: &Course) -> PathBuf {
    course.root.join("target").join("threadlings")
}

/// The toolchain and the engine, made only by commands that check code.
pub(crate) fn engine(course: &Course) -> anyhow::Result<Engine> {
    engine_with_jobs(course, None)
}

/// Like `engine`, with at most `jobs` processes at once.
pub(crate) fn engine_with_jobs(course: &Course, jobs: Option<usize>) -> anyhow::Result<Engine> {
    let dir = build_dir(course);
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let toolchain = Detected::start(dir.join("rustc-version"));
    // With no version from an earlier run to start on, a missing or old
    // rustc is reported before anything runs. Otherwise the command reports
    // it when it confirms (see `Engine::confirm_toolchain`).
    if !toolchain.has_guess() {
        toolchain.confirm()?;
    }
    Ok(Engine::new(
        Builder::new(toolchain, dir.clone()),
        &dir,
        jobs,
    ))
}

/// The limits for one exercise: the command line, then info.toml, then defaults.
pub(crate) fn limits(ex: &Exercise, args: &LimitArgs) -> Limits {
    Limits {
        timeout: args.timeout.map_or(ex.timeout, Duration::from_secs),
        max_output_bytes: args
            .max_output
            .or(ex.max_output_bytes)
            .map_or(Limits::DEFAULT_MAX_OUTPUT, |b| {
                usize::try_from(b).unwrap_or(usize::MAX)
            }),
        max_threads: args
            .max_threads
            .or(ex.max_threads)
            .unwrap_or(Limits::DEFAULT_MAX_THREADS),
        max_memory_mb: args
            .max_memory
            .or(ex.max_memory_mb)
            .unwrap_or(Limits::DEFAULT_MAX_MEMORY_MB),
    }
}

/// A job checking the learner's file of `ex` in the course.
pub(crate) fn learner_job<'c>(
    course: &'c Course,
    ex: &'c Exercise,
    args: &LimitArgs,
) -> anyhow::Result<Job<'c>> {
    let path = course.root.join(ex.path());
    let hidden = course
        .hidden_source(ex)
        .with_context(|| format!("the hidden tests of `{}` are missing", ex.name))?;
    let mut job = Job::from_file(ex, &path, ex.path(), hidden, limits(ex, args))
        .with_context(|| format!("cannot read {}", path.display()))?;
    job.compile_timeout = compile_timeout(args);
    Ok(job)
}

/// How long rustc may take: the command line, else the default.
pub(crate) fn compile_timeout(args: &LimitArgs) -> Duration {
    args.compile_timeout
        .map_or(crate::build::COMPILE_TIMEOUT, Duration::from_secs)
}

/// Fails unless every name is an exercise of the course.
pub(crate) fn check_names(course: &Course, names: &[String]) -> anyhow::Result<()> {
    for name in names {
        find(course, name)?;
    }
    if names.iter().collect::<std::collections::HashSet<_>>().len() != names.len() {
        bail!(UsageError("an exercise is named twice".into()));
    }
    Ok(())
}
