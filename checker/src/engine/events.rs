//! What the engine tells its reporters as a check goes. Watch mode, run,
//! check and verify are reporters: they differ only in what they do with
//! these events.

use super::JobId;
use crate::verdict::{TestResult, Verdict};

/// What happened.
pub(crate) enum Event<'a> {
    /// Work on this job began.
    Started { job: &'a JobId },
    /// rustc is compiling the job's file (not sent when the verdict or the
    /// binary comes from the cache).
    Compiling { job: &'a JobId },
    /// One run of one hidden test began; `Test` follows when it ends.
    /// While it runs, `wait_file` may say what it waits for (see the
    /// support crate's `status`; display only).
    Running {
        job: &'a JobId,
        test: &'a str,
        wait_file: &'a std::path::Path,
    },
    /// One run of one hidden test ended (`repetition` counts from 1).
    Test {
        job: &'a JobId,
        repetition: u32,
        test: &'a TestResult,
    },
    /// The job's verdict is in.
    Finished {
        job: &'a JobId,
        verdict: &'a Verdict,
    },
}

/// Something that shows or records events. Any thread may call it.
pub(crate) trait Reporter: Sync {
    fn report(&self, event: &Event<'_>);
}

/// A reporter that shows nothing (the caller uses the returned verdicts).
pub(crate) struct Quiet;

impl Reporter for Quiet {
    fn report(&self, _: &Event<'_>) {}
}
