//! How verdicts look to a person: the wording and colours shared by run,
//! check, verify and watch mode, and the reporter of `run`.
//! Colours are ANSI; anstream strips them when the output is not a terminal.

use crate::engine::{Event, Reporter};
use crate::verdict::{Status, Verdict};

pub(crate) const GREEN: &str = "\x1b[32m";
pub(crate) const RED: &str = "\x1b[31m";
pub(crate) const YELLOW: &str = "\x1b[33m";
pub(crate) const BOLD: &str = "\x1b[1m";
pub(crate) const DIM: &str = "\x1b[2m";
pub(crate) const RESET: &str = "\x1b[0m";

/// A status as a short coloured word.
pub(crate) fn status(status: Status) -> String {
    let colour = match status {
        Status::Pass => GREEN,
        Status::Fail | Status::CompileError | Status::Crash => RED,
        _ => YELLOW,
    };
    format!("{colour}{}{RESET}", status.as_str())
}

/// A full verdict: headline, message, and each test's result.
pub(crate) fn verdict(v: &Verdict, path: &str) -> String {
    let mut out = match v.status {
        Status::Pass => format!(
            "{GREEN}{BOLD}✓ {} passed{RESET} {DIM}({path}){RESET}\n",
            v.name
        ),
        Status::CompileError => format!(
            "{RED}{BOLD}✗ {} does not compile{RESET} {DIM}({path}){RESET}\n\n",
            v.name
        ),
        other => format!(
            "{RED}{BOLD}✗ {}: {}{RESET} {DIM}({path}){RESET}\n\n",
            v.name,
            other.as_str()
        ),
    };
    if !v.message.is_empty() {
        out.push_str(&v.message);
        out.push('\n');
    }
    if !v.tests.is_empty() && v.status != Status::Pass {
        out.push('\n');
        for t in &v.tests {
            let mark = if t.status == Status::Pass {
                format!("{GREEN}✓{RESET}")
            } else {
                format!("{RED}✗{RESET}")
            };
            out.push_str(&format!(
                "  {mark} {} {DIM}{}{RESET}\n",
                t.name,
                t.status.as_str()
            ));
        }
    }
    out
}

/// rustc's warnings about the learner's file, after the verdict: dimmed,
/// since they never decide it (rustc's own colours would fight the dim).
/// Empty when there are none.
pub(crate) fn warnings(v: &Verdict) -> String {
    if v.warnings.is_empty() {
        return String::new();
    }
    let mut out = String::from("\n");
    for line in dimmed(&v.warnings) {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// rustc's coloured text as dimmed lines: its own colours out, so that
/// the whole reads as secondary (`run` and watch mode show warnings so).
pub(crate) fn dimmed(text: &str) -> Vec<String> {
    crate::report::json::plain(text)
        .lines()
        .map(|line| format!("{DIM}{line}{RESET}"))
        .collect()
}

/// Prints each finished job's verdict, then rustc's warnings (`threadlings run`).
pub(crate) struct Verdicts;

impl Reporter for Verdicts {
    fn report(&self, event: &Event<'_>) {
        if let Event::Finished { job, verdict: v } = event {
            anstream::print!("{}{}", verdict(v, &job.file), warnings(v));
        }
    }
}
