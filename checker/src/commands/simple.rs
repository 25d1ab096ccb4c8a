//! The commands that run no code: hint, list, reset.

use std::process::ExitCode;

use anyhow::Context as _;

use crate::course::{Course, Exercise};
use crate::plan::UsageError;
use crate::report::human::{BOLD, DIM, GREEN, RESET};
use crate::state::State;

pub(crate) fn hint(ex: &Exercise) -> anyhow::Result<ExitCode> {
    anstream::println!("{BOLD}Hint for {}{RESET}\n\n{}", ex.name, ex.hint);
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn list(course: &Course) -> anyhow::Result<ExitCode> {
    let loaded = State::load(&course.root);
    if let Some(warning) = &loaded.warning {
        anstream::eprintln!("warning: {warning}");
    }
    let state = loaded.state;
    let now = &course.exercises[state.current_index(course)];
    let width = course
        .exercises
        .iter()
        .map(|e| e.name.len())
        .max()
        .unwrap_or(0);
    for ex in &course.exercises {
        let marker = if ex.name == now.name { ">" } else { " " };
        let status = if state.done.contains(&ex.name) {
            format!("{GREEN}done{RESET}   ")
        } else {
            "pending".into()
        };
        anstream::println!(
            "{marker} {:<width$}  {status}  {DIM}{}{RESET}",
            ex.name,
            ex.path()
        );
    }
    let done = course
        .exercises
        .iter()
        .filter(|e| state.done.contains(&e.name))
        .count();
    anstream::println!("\n{done}/{} done", course.exercises.len());
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn reset(course: &Course, ex: &Exercise) -> anyhow::Result<ExitCode> {
    put_back(course, ex)?;
    anstream::println!("{} is back as shipped ({})", ex.name, ex.path());
    Ok(ExitCode::SUCCESS)
}

/// Writes the shipped version of `ex` over the learner's file and marks it
/// not done; returns the progress as it now is. `reset` and watch mode's `x`.
pub(crate) fn put_back(course: &Course, ex: &Exercise) -> anyhow::Result<State> {
    let name = &ex.name;
    let shipped = course.shipped(ex).ok_or_else(|| {
        UsageError(format!(
            "this course has no shipped copy of `{name}` to put back (looked for {})",
            ex.shipped_path()
        ))
    })?;
    let path = course.root.join(ex.path());
    std::fs::write(&path, shipped.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))?;
    let state = State::update(&course.root, |s| {
        s.done.remove(name);
    })
    .context("cannot save progress")?;
    Ok(state)
}
