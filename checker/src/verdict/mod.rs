//! Verdicts: the one status each check ends in, per exercise and per hidden
//! test, shaped like an exercise entry of the JSON report (DESIGN.md), and
//! every rule that decides them: how a test run is judged (`judge`), how
//! results combine into an exercise's verdict (here), what a teacher
//! should look at (`flags`), and what of it a learner is shown (`shown`).

pub(crate) mod flags;
pub(crate) mod judge;
pub(crate) mod shown;

use serde::{Deserialize, Serialize};
use threadlings_support::protocol::Event;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Status {
    Pass,
    Fail,
    CompileError,
    Timeout,
    Crash,
    NotAttempted,
    Missing,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::CompileError => "compile_error",
            Status::Timeout => "timeout",
            Status::Crash => "crash",
            Status::NotAttempted => "not_attempted",
            Status::Missing => "missing",
        }
    }

    /// Which status wins when several tests disagree: the one that says most
    /// about what went wrong.
    fn severity(self) -> u8 {
        match self {
            Status::Pass => 0,
            Status::Fail => 1,
            Status::Crash => 2,
            Status::Timeout => 3,
            Status::CompileError => 4,
            Status::NotAttempted => 5,
            Status::Missing => 6,
        }
    }
}

/// One hidden test's result.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct TestResult {
    pub name: String,
    pub status: Status,
    pub message: String,
    /// Wall-clock time of the test's process.
    #[serde(default)]
    pub duration_ms: u64,
    /// The end of what the test's process printed, stdout then stderr.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub output: String,
    /// The status came from the test's own report (not from how the
    /// process ended): only such results are certain enough to cache.
    /// Written only when false (`run --json` says which tests never
    /// reported); read back true when absent, as every cached result is.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub reported: bool,
    /// The report held something besides the harness's one record (a second
    /// record, a stray line): learner code wrote to it. Never cached (such
    /// a result is not `reported`), and the verdict gets a flag.
    #[serde(skip)]
    pub tampered: bool,
    /// What the test process saw happen, from its report.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub events: Vec<Event>,
    /// How many more events there were than the test process kept.
    #[serde(skip_serializing_if = "is_zero", default)]
    pub events_dropped: u64,
}

pub(crate) fn is_zero(n: &u64) -> bool {
    *n == 0
}

fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

/// The verdict on one exercise.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Verdict {
    pub name: String,
    pub status: Status,
    pub score: f64,
    pub max_score: f64,
    pub duration_ms: u64,
    /// In learner terms; rustc's diagnostics for `compile_error`.
    pub message: String,
    pub flags: Vec<String>,
    pub tests: Vec<TestResult>,
    /// rustc's warnings about the learner's file, rendered as rustc does
    /// (ANSI-coloured like a compile error's `message`); empty when none.
    /// Never the hidden tests' or the support library's. Shown after the
    /// verdict; a file with warnings still passes. Kept in the verdict
    /// cache (a cached verdict shows them too), left out of JSON when empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub warnings: String,
    /// How many repetitions passed, of how many run (1 unless repeating).
    #[serde(skip)]
    pub passes: u32,
    #[serde(skip)]
    pub runs: u32,
    /// The test binary, when the file compiled: it can also run the
    /// learner's own `main` (watch mode shows what it prints).
    #[serde(skip)]
    pub binary: Option<std::path::PathBuf>,
}

impl Verdict {
    /// Combines test results: the most telling status wins; the message is
    /// the first non-passing test's.
    pub fn from_tests(name: &str, max_score: f64, tests: Vec<TestResult>) -> Verdict {
        // The first of the most telling: `max_by_key` keeps the last maximum.
        let worst = tests.iter().rev().max_by_key(|t| t.status.severity());
        let status = worst.map_or(Status::Fail, |t| t.status);
        let message = match worst {
            None => "the hidden tests reported nothing".to_string(),
            Some(t) if t.status == Status::Pass => String::new(),
            Some(t) => t.message.clone(),
        };
        Verdict::new(name, status, max_score, message, tests)
    }

    pub fn new(
        name: &str,
        status: Status,
        max_score: f64,
        message: String,
        tests: Vec<TestResult>,
    ) -> Verdict {
        let passed = status == Status::Pass;
        let mut verdict = Verdict {
            name: name.to_string(),
            status,
            score: 0.0,
            max_score,
            duration_ms: 0,
            // rustc's diagnostics too: they may name std's sources.
            message: shown::tidy(&message),
            flags: Vec::new(),
            tests,
            warnings: String::new(),
            passes: u32::from(passed),
            runs: 1,
            binary: None,
        };
        verdict.weigh(max_score);
        verdict
    }

    /// The verdict over several repetitions of the same tests: the first
    /// that did not pass, else the last pass; `passes` of `runs` passed.
    pub fn over_repetitions(runs: Vec<Verdict>) -> Option<Verdict> {
        let total = u32::try_from(runs.len()).unwrap_or(u32::MAX);
        let passes = u32::try_from(runs.iter().filter(|v| v.status == Status::Pass).count())
            .unwrap_or(u32::MAX);
        let mut runs = runs;
        let at = runs
            .iter()
            .position(|v| v.status != Status::Pass)
            .unwrap_or(runs.len().checked_sub(1)?);
        let mut verdict = runs.swap_remove(at);
        verdict.passes = passes;
        verdict.runs = total;
        Some(verdict)
    }

    /// Sets rustc's warnings about the learner's file, as a learner may
    /// see them (`shown::tidy`).
    pub fn set_warnings(&mut self, rendered: &str) {
        self.warnings = shown::tidy(rendered);
    }

    /// Sets the exercise's weight: the score is all of it on a pass.
    pub fn weigh(&mut self, points: f64) {
        self.max_score = points;
        self.score = if self.status == Status::Pass {
            points
        } else {
            0.0
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(status: Status, message: &str) -> TestResult {
        TestResult {
            name: "t".into(),
            status,
            message: message.into(),
            duration_ms: 0,
            output: String::new(),
            reported: true,
            tampered: false,
            events: Vec::new(),
            events_dropped: 0,
        }
    }

    #[test]
    fn repetitions_keep_the_first_failure_and_count_passes() {
        let pass = || Verdict::from_tests("x", 1.0, vec![t(Status::Pass, "")]);
        let fail = |m: &str| Verdict::from_tests("x", 1.0, vec![t(Status::Fail, m)]);
        let v = Verdict::over_repetitions(vec![pass(), fail("a"), pass(), fail("b")]).unwrap();
        assert_eq!((v.status, v.message.as_str()), (Status::Fail, "a"));
        assert_eq!((v.passes, v.runs), (2, 4));
        let v = Verdict::over_repetitions(vec![pass(), pass()]).unwrap();
        assert_eq!((v.status, v.passes, v.runs), (Status::Pass, 2, 2));
        assert!(Verdict::over_repetitions(Vec::new()).is_none());
    }

    #[test]
    fn the_most_telling_status_wins_and_scores_follow() {
        let all_pass =
            Verdict::from_tests("x", 2.0, vec![t(Status::Pass, ""), t(Status::Pass, "")]);
        assert_eq!((all_pass.status, all_pass.score), (Status::Pass, 2.0));
        let mixed = Verdict::from_tests(
            "x",
            2.0,
            vec![
                t(Status::Pass, ""),
                t(Status::Fail, "f"),
                t(Status::Timeout, "slow"),
            ],
        );
        assert_eq!(
            (mixed.status, mixed.score, mixed.message.as_str()),
            (Status::Timeout, 0.0, "slow")
        );
        assert_eq!(Verdict::from_tests("x", 1.0, vec![]).status, Status::Fail);
        let two_fails = Verdict::from_tests(
            "x",
            1.0,
            vec![t(Status::Fail, "first"), t(Status::Fail, "second")],
        );
        assert_eq!(two_fails.message, "first");
    }

    #[test]
    fn statuses_serialize_as_the_report_schema_says() {
        let json = serde_json::to_string(&Status::CompileError).unwrap();
        assert_eq!(json, "\"compile_error\"");
        assert_eq!(Status::NotAttempted.as_str(), "not_attempted");
    }
}
