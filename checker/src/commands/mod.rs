//! The commands: each takes its checked part of the plan, drives the
//! engine with a reporter (`report`), and decides its exit code.

mod check;
mod grade;
mod init;
mod merge;
mod run;
mod simple;
mod verify;

pub(crate) use init::{INIT_DIR, init};
pub(crate) use merge::merge;
pub(crate) use run::PICTURE_HEADING;
pub(crate) use simple::put_back;

use std::process::ExitCode;

use crate::plan::{Action, Plan};

pub(crate) fn execute(plan: Plan) -> anyhow::Result<ExitCode> {
    let course = &plan.course;
    let ex = |at: usize| &course.exercises[at];
    // Said once, before any learner code runs, by every command that runs
    // it (watch mode shows it on its screen; `--json` carries `sandbox`).
    let runs_learner_code = match &plan.action {
        Action::Run { json, .. } => !json,
        Action::Check { .. } | Action::Verify { .. } | Action::Grade(_) => true,
        _ => false,
    };
    if runs_learner_code && let Some(missing) = crate::sandbox::protections().missing_sentence() {
        anstream::eprintln!("\x1b[1;33mnote:\x1b[0m {missing}");
    }
    match plan.action {
        Action::Watch { poll, manual } => crate::watch::watch(course, poll, manual),
        Action::Run {
            exercise,
            json,
            timeline,
            trace,
            overrides,
        } => run::run(
            course,
            ex(exercise),
            run::Show {
                json,
                timeline,
                trace,
            },
            &overrides,
        ),
        Action::Hint { exercise } => simple::hint(ex(exercise)),
        Action::List => simple::list(course),
        Action::Reset { exercise } => simple::reset(course, ex(exercise)),
        Action::Check { overrides, jobs } => check::check(course, &overrides, jobs),
        Action::Grade(grade) => grade::grade(course, *grade),
        Action::Verify {
            exercises,
            repeat,
            repeat_wrong,
            overrides,
            jobs,
        } => verify::verify(
            course,
            &exercises.into_iter().map(ex).collect::<Vec<_>>(),
            (repeat, repeat_wrong),
            &overrides,
            jobs,
        ),
    }
}
