//! A job: one file to check against one exercise's hidden tests, under
//! limits, and the name events carry for it.

use std::borrow::Cow;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::course::Exercise;
use crate::supervise::Limits;

/// Which job an event belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct JobId {
    /// The submission being graded; `None` for the course's own files.
    pub submission: Option<String>,
    pub exercise: String,
    /// How messages name the file checked, e.g. `exercises/01_spawning/x.rs`
    /// or `wrong/x/joins_early.rs`.
    pub file: String,
}

/// One check to do.
pub(crate) struct Job<'a> {
    pub id: JobId,
    pub exercise: &'a Exercise,
    /// The learner's file contents (a snapshot: the check uses these).
    pub source: String,
    /// Where the file lives, when it is one that gets edited and checked
    /// again (incremental builds are kept per file).
    pub origin: Option<PathBuf>,
    pub hidden: Cow<'a, str>,
    pub limits: Limits,
    /// Run the hidden tests this many times; a pass needs every run to pass.
    pub repetitions: u32,
    pub mode: Mode,
    /// How long rustc may take on it.
    pub compile_timeout: Duration,
}

/// How a job is built, and whether its verdict may come from the cache.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// One learner waiting (run, watch): fastest error path, incremental
    /// builds, cached verdicts.
    Interactive,
    /// Many files at once (check): incremental builds, cached verdicts, no
    /// extra quick checks competing for the cores.
    Batch,
    /// Proof (verify): built and run afresh; never answered from the cache.
    Fresh,
}

impl<'a> Job<'a> {
    /// A job for `source`, named `file` in messages, run once.
    pub fn new(
        exercise: &'a Exercise,
        file: String,
        source: String,
        hidden: Cow<'a, str>,
        limits: Limits,
        compile_timeout: Duration,
    ) -> Job<'a> {
        Job {
            id: JobId {
                submission: None,
                exercise: exercise.name.clone(),
                file,
            },
            exercise,
            source,
            origin: None,
            hidden,
            limits,
            repetitions: 1,
            mode: Mode::Interactive,
            compile_timeout,
        }
    }

    /// A job for the file at `path` (read now: the check uses this snapshot).
    pub fn from_file(
        exercise: &'a Exercise,
        path: &Path,
        file: String,
        hidden: Cow<'a, str>,
        limits: Limits,
        compile_timeout: Duration,
    ) -> std::io::Result<Job<'a>> {
        let mut source = String::new();
        std::fs::File::open(path)?.read_to_string(&mut source)?;
        let mut job = Job::new(exercise, file, source, hidden, limits, compile_timeout);
        job.origin = Some(path.to_path_buf());
        Ok(job)
    }
}
