//! A verdict as one JSON object, shaped like an exercise entry of the
//! report (DESIGN.md), plus the limits and the sandbox it was checked under.

use serde::Serialize;

use crate::engine::{Event, Reporter};
use crate::sandbox::{self, Protections};
use crate::supervise::Limits;
use crate::verdict::Verdict;

/// `threadlings run --json`: an exercise entry, the limits applied, and
/// the kernel protections its processes ran under.
#[derive(Serialize)]
pub(crate) struct RunJson<'a> {
    #[serde(flatten)]
    pub verdict: &'a Verdict,
    pub limits: LimitsJson<'a>,
    pub sandbox: &'a Protections,
}

/// The limits applied: those of each test run, and rustc's time.
#[derive(Serialize)]
pub(crate) struct LimitsJson<'a> {
    #[serde(flatten)]
    pub run: &'a Limits,
    pub compile_timeout_secs: u64,
}

/// Prints each finished job's verdict as one line of JSON (no colours).
pub(crate) struct Verdicts {
    pub limits: Limits,
    pub compile_timeout_secs: u64,
}

impl Reporter for Verdicts {
    fn report(&self, event: &Event<'_>) {
        let Event::Finished { verdict, .. } = event else {
            return;
        };
        let mut verdict = (*verdict).clone();
        verdict.message = plain(&verdict.message);
        verdict.warnings = plain(&verdict.warnings);
        for t in &mut verdict.tests {
            t.message = plain(&t.message);
            t.output = plain(&t.output);
        }
        let json = RunJson {
            verdict: &verdict,
            limits: LimitsJson {
                run: &self.limits,
                compile_timeout_secs: self.compile_timeout_secs,
            },
            sandbox: sandbox::protections(),
        };
        // `println!` holds stdout for the whole line.
        println!(
            "{}",
            serde_json::to_string(&json).expect("a verdict serializes")
        );
    }
}

/// Text without ANSI escapes, for machine-readable output.
pub(crate) fn plain(text: &str) -> String {
    anstream::adapter::strip_str(text).to_string()
}
