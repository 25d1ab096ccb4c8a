//! Parse, then check, then act: the command line (`cli`) becomes a checked
//! `Plan` here (the course loaded and validated, exercise names resolved,
//! limits settled, a terminal present for watch mode) before any process
//! starts. Commands take the plan, never the raw flags.

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context as _;

use crate::cli::{Cli, Cmd, Command, Format, LimitArgs, ReportCmd};
use crate::course::{Course, Exercise};
use crate::engine::Job;
use crate::state::State;
use crate::supervise::Limits;

/// A bad name or input: reported with exit code 2 like every error.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct UsageError(pub String);

/// What the command line asks for, checked.
pub(crate) enum Checked {
    /// A command on a course.
    Course(Box<Plan>),
    /// `init`: where to write a new learner directory.
    Init(InitPlan),
    /// `report merge`: needs no course.
    Merge(MergePlan),
}

/// `threadlings init DIR`, checked: `dest` does not exist, its parent does.
pub(crate) struct InitPlan {
    pub dest: PathBuf,
}

/// Checks the command line: `init` needs no course, every other command
/// loads and checks one first.
pub(crate) fn check(cli: Cli) -> anyhow::Result<Checked> {
    match cli.command {
        Some(Command::Init { dir }) => {
            if let Some(course) = &cli.course {
                return Err(UsageError(format!(
                    "init writes a new course from this binary; --course {} does not apply",
                    course.display()
                ))
                .into());
            }
            let dest = dir.unwrap_or_else(|| PathBuf::from(crate::commands::INIT_DIR));
            Ok(Checked::Init(init(&dest)?))
        }
        Some(Command::Report {
            command:
                ReportCmd::Merge {
                    files,
                    output,
                    format,
                },
        }) => {
            let output = output_path(output);
            check_output("-o", output.as_deref(), &[], "")?;
            Ok(Checked::Merge(MergePlan {
                files,
                output,
                format,
            }))
        }
        Some(Command::Course(cmd)) => Ok(Checked::Course(Box::new(Plan::from_cli(
            cli.course.as_deref(),
            cli.require_sandbox,
            Some(cmd),
        )?))),
        None => Ok(Checked::Course(Box::new(Plan::from_cli(
            cli.course.as_deref(),
            cli.require_sandbox,
            None,
        )?))),
    }
}

/// `init` refuses any existing path (an empty directory too: the learner
/// may have meant another one, and nothing is lost by picking a new name),
/// and needs the parent to exist (its files are written next to it first).
fn init(dest: &Path) -> anyhow::Result<InitPlan> {
    if dest.symlink_metadata().is_ok() {
        return Err(UsageError(format!(
            "{} already exists; init writes a new directory and never writes into an existing one. \
             Pick another name: `threadlings init DIR`",
            dest.display()
        ))
        .into());
    }
    let parent = crate::plan::dir_of(dest);
    if !parent.is_dir() {
        return Err(UsageError(format!(
            "cannot create {}: there is no directory {}",
            dest.display(),
            parent.display()
        ))
        .into());
    }
    Ok(InitPlan {
        dest: dest.to_path_buf(),
    })
}

/// What to do, on which course.
pub(crate) struct Plan {
    pub course: Course,
    pub action: Action,
}

/// A command with its inputs checked. Exercises are indexes into
/// `course.exercises`.
pub(crate) enum Action {
    Watch {
        poll: bool,
        manual: bool,
    },
    Run {
        exercise: usize,
        json: bool,
        /// Draw the timeline on a pass too.
        timeline: bool,
        /// Where the Chrome trace goes (checked before anything runs).
        trace: Option<PathBuf>,
        overrides: Overrides,
    },
    Hint {
        exercise: usize,
    },
    List,
    Reset {
        exercise: usize,
    },
    Check {
        overrides: Overrides,
        jobs: Option<usize>,
    },
    Grade(Box<GradePlan>),
    Verify {
        exercises: Vec<usize>,
        repeat: u32,
        repeat_wrong: u32,
        overrides: Overrides,
        jobs: Option<usize>,
    },
}

/// `grade`, checked: the submissions of this shard, read.
pub(crate) struct GradePlan {
    pub submissions: Vec<crate::grade::submission::Submission>,
    pub shard: Option<crate::report::class::Shard>,
    pub format: Format,
    pub output: Option<PathBuf>,
    pub overrides: Overrides,
    pub jobs: Option<usize>,
}

/// `report merge`, checked only for its arguments: the reports are read
/// and checked against each other by the command, before it writes.
pub(crate) struct MergePlan {
    pub files: Vec<PathBuf>,
    pub output: Option<PathBuf>,
    pub format: Format,
}

/// Limits given on the command line; each wins over info.toml, which wins
/// over the built-in default.
#[derive(Clone, Debug, Default)]
pub(crate) struct Overrides {
    timeout_secs: Option<u64>,
    max_output_bytes: Option<u64>,
    max_threads: Option<u64>,
    max_memory_mb: Option<u64>,
    compile_timeout_secs: Option<u64>,
}

impl Overrides {
    /// Nothing overridden: info.toml's limits, else the defaults.
    pub const NONE: Overrides = Overrides {
        timeout_secs: None,
        max_output_bytes: None,
        max_threads: None,
        max_memory_mb: None,
        compile_timeout_secs: None,
    };

    /// The limits of one test run of `ex`.
    pub fn limits(&self, ex: &Exercise) -> Limits {
        Limits {
            timeout: self.timeout_secs.map_or(ex.timeout, Duration::from_secs),
            max_output_bytes: self
                .max_output_bytes
                .or(ex.max_output_bytes)
                .map_or(Limits::DEFAULT_MAX_OUTPUT, |b| {
                    usize::try_from(b).unwrap_or(usize::MAX)
                }),
            max_threads: self
                .max_threads
                .or(ex.max_threads)
                .unwrap_or(Limits::DEFAULT_MAX_THREADS),
            max_memory_mb: self
                .max_memory_mb
                .or(ex.max_memory_mb)
                .unwrap_or(Limits::DEFAULT_MAX_MEMORY_MB),
        }
    }

    /// The limits of a test run of an exercise that sets none in info.toml.
    pub fn base_limits(&self) -> Limits {
        Limits {
            timeout: Duration::from_secs(
                self.timeout_secs
                    .unwrap_or(crate::course::DEFAULT_TIMEOUT_SECS),
            ),
            max_output_bytes: self
                .max_output_bytes
                .map_or(Limits::DEFAULT_MAX_OUTPUT, |b| {
                    usize::try_from(b).unwrap_or(usize::MAX)
                }),
            max_threads: self.max_threads.unwrap_or(Limits::DEFAULT_MAX_THREADS),
            max_memory_mb: self.max_memory_mb.unwrap_or(Limits::DEFAULT_MAX_MEMORY_MB),
        }
    }

    /// How long rustc may take on a file.
    pub fn compile_timeout(&self) -> Duration {
        self.compile_timeout_secs
            .map_or(crate::build::COMPILE_TIMEOUT, Duration::from_secs)
    }

    /// A job checking the learner's own file of `ex`, read now.
    pub fn learner_job<'c>(&self, course: &'c Course, ex: &'c Exercise) -> anyhow::Result<Job<'c>> {
        let path = course.root.join(ex.path());
        let hidden = course
            .hidden_source(ex)
            .with_context(|| format!("the hidden tests of `{}` are missing", ex.name))?;
        Job::from_file(
            ex,
            &path,
            ex.path(),
            hidden,
            self.limits(ex),
            self.compile_timeout(),
        )
        .with_context(|| format!("cannot read {}", path.display()))
    }
}

impl From<LimitArgs> for Overrides {
    fn from(args: LimitArgs) -> Overrides {
        Overrides {
            timeout_secs: args.timeout,
            max_output_bytes: args.max_output,
            max_threads: args.max_threads,
            max_memory_mb: args.max_memory,
            compile_timeout_secs: args.compile_timeout,
        }
    }
}

impl Plan {
    /// Checks the command line against the course it names.
    fn from_cli(
        course: Option<&Path>,
        require_sandbox: bool,
        command: Option<Cmd>,
    ) -> anyhow::Result<Plan> {
        // Input first: the course is parsed and checked before anything runs.
        let course = Course::locate(course)?;
        if require_sandbox && let Some(missing) = crate::sandbox::protections().missing_sentence() {
            return Err(
                UsageError(format!("--require-sandbox: {missing}; nothing was run")).into(),
            );
        }
        let action = match command {
            None => watch(false, false)?,
            Some(Cmd::Watch { poll, manual }) => watch(poll, manual)?,
            Some(Cmd::Run {
                name,
                json,
                timeline,
                trace,
                limits,
            }) => {
                check_trace(&course, trace.as_deref())?;
                Action::Run {
                    exercise: pick(&course, name.as_deref())?,
                    json,
                    timeline,
                    trace,
                    overrides: limits.into(),
                }
            }
            Some(Cmd::Hint { name }) => Action::Hint {
                exercise: pick(&course, name.as_deref())?,
            },
            Some(Cmd::List) => Action::List,
            Some(Cmd::Reset { name }) => Action::Reset {
                exercise: find(&course, &name)?,
            },
            Some(Cmd::Check { limits, jobs }) => Action::Check {
                overrides: limits.into(),
                jobs: jobs.map(|j| j as usize),
            },
            Some(Cmd::Grade {
                paths,
                format,
                output,
                jobs,
                shard,
                limits,
            }) => Action::Grade(Box::new(grade(
                &course,
                &paths,
                format,
                output,
                shard.as_deref(),
                limits.into(),
                jobs.map(|j| j as usize),
            )?)),
            Some(Cmd::Verify {
                names,
                repeat,
                repeat_wrong,
                limits,
                jobs,
            }) => Action::Verify {
                exercises: chosen(&course, &names)?,
                repeat,
                repeat_wrong,
                overrides: limits.into(),
                jobs: jobs.map(|j| j as usize),
            },
        };
        Ok(Plan { course, action })
    }
}

/// Reads the submissions of the shard asked for (an unreadable one is
/// reported in its entry, never fatal), after checking what can be wrong
/// with the command line itself.
fn grade(
    course: &Course,
    paths: &[PathBuf],
    format: Format,
    output: Option<PathBuf>,
    shard: Option<&str>,
    overrides: Overrides,
    jobs: Option<usize>,
) -> anyhow::Result<GradePlan> {
    let shard = shard.map(crate::grade::parse_shard).transpose()?;
    let named = crate::grade::slice(crate::grade::ids(paths)?, shard);
    if format == Format::Gradescope && named.len() != 1 {
        return Err(UsageError(format!(
            "--format gradescope writes the results of one submission, and {} were given{}",
            named.len(),
            if shard.is_some() {
                " (in this shard)"
            } else {
                ""
            }
        ))
        .into());
    }
    let output = output_path(output);
    check_output("-o", output.as_deref(), paths, "the submission")?;
    let submissions = named
        .into_iter()
        .map(|(id, path)| crate::grade::submission::read(course, id, &path))
        .collect();
    Ok(GradePlan {
        submissions,
        shard,
        format,
        output,
        overrides,
        jobs,
    })
}

/// A report is written into an existing directory (checked now, not
/// after minutes of grading).
/// The directory a path's file would be in (`.` for a bare name).
pub(crate) fn dir_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// `-o -` is standard output, as `-o` left out.
pub(crate) fn output_path(output: Option<PathBuf>) -> Option<PathBuf> {
    output.filter(|p| p.as_os_str() != "-")
}

/// Where a report goes, checked before any grading: a directory that
/// exists and takes a new file, and no existing thing the report would
/// replace by renaming over it but a plain file (a device, a link, a FIFO
/// stays what it is). `inside` are directories a report may not go into
/// (the submissions: a report there could be a student's next file).
pub(crate) fn check_output(
    flag: &str,
    output: Option<&Path>,
    inside: &[PathBuf],
    inside_what: &str,
) -> Result<(), UsageError> {
    let Some(output) = output else { return Ok(()) };
    let shown = output.display();
    let parent = crate::plan::dir_of(output);
    if let Ok(meta) = output.symlink_metadata()
        && !meta.is_file()
    {
        return Err(UsageError(format!(
            "{flag} {shown}: that is not a plain file (a directory, a link or a device); \
             name a file to write"
        )));
    }
    if !parent.is_dir() {
        return Err(UsageError(format!(
            "{flag} {shown}: there is no directory {}",
            parent.display()
        )));
    }
    let at = std::fs::canonicalize(parent).unwrap_or_else(|_| parent.to_path_buf());
    if let Some(sub) = inside
        .iter()
        .filter_map(|p| std::fs::canonicalize(p).ok())
        .find(|p| at.starts_with(p))
    {
        return Err(UsageError(format!(
            "{flag} {shown} is inside {inside_what} {}; write it elsewhere",
            sub.display()
        )));
    }
    if let Err(e) = tempfile::tempfile_in(parent) {
        return Err(UsageError(format!(
            "{flag} {shown}: cannot write in {}: {e}",
            parent.display()
        )));
    }
    Ok(())
}

/// Where `run --trace` may write: a file as `-o` takes one, and never over
/// the course (a learner's exercise, a solution, the hidden tests, info.toml
/// or the progress): a slip of the tab key must not cost anyone their work.
fn check_trace(course: &Course, trace: Option<&Path>) -> Result<(), UsageError> {
    let Some(trace) = trace else { return Ok(()) };
    if trace.as_os_str() == "-" {
        return Err(UsageError(
            "--trace -: the trace goes to a file (standard output holds the verdict); name one"
                .into(),
        ));
    }
    let course_dirs: Vec<PathBuf> = ["exercises", "solutions", "checker"]
        .iter()
        .map(|d| course.root.join(d))
        .collect();
    check_output(
        "--trace",
        Some(trace),
        &course_dirs,
        "the course's directory",
    )?;
    let canonical = |p: &Path| {
        std::fs::canonicalize(dir_of(p))
            .ok()
            .zip(p.file_name())
            .map(|(d, f)| d.join(f))
    };
    for kept in ["info.toml", crate::state::STATE_FILE] {
        if canonical(trace).is_some() && canonical(trace) == canonical(&course.root.join(kept)) {
            return Err(UsageError(format!(
                "--trace {}: that is the course's {kept}; write the trace elsewhere",
                trace.display()
            )));
        }
    }
    Ok(())
}

/// Watch mode needs a terminal to draw on and read keys from.
fn watch(poll: bool, manual: bool) -> anyhow::Result<Action> {
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        return Err(UsageError(
            "watch mode needs a terminal (stdin and stdout). To check an exercise from a script or an \
             editor, use `threadlings run [NAME]` (add --json for a machine-readable verdict)."
                .into(),
        )
        .into());
    }
    Ok(Action::Watch { poll, manual })
}

/// The exercise called `name`, or a usage error listing the choices.
fn find(course: &Course, name: &str) -> anyhow::Result<usize> {
    course
        .exercises
        .iter()
        .position(|e| e.name == name)
        .ok_or_else(|| {
            let names: Vec<&str> = course.exercises.iter().map(|e| e.name.as_str()).collect();
            UsageError(format!(
                "there is no exercise `{name}`. The exercises are: {}",
                names.join(", ")
            ))
            .into()
        })
}

/// The named exercise, or the current one (from the progress file).
fn pick(course: &Course, name: Option<&str>) -> anyhow::Result<usize> {
    match name {
        Some(name) => find(course, name),
        None => Ok(State::load(&course.root).state.current_index(course)),
    }
}

/// The named exercises in course order, or all when none is named.
fn chosen(course: &Course, names: &[String]) -> anyhow::Result<Vec<usize>> {
    let mut picked = names
        .iter()
        .map(|name| find(course, name))
        .collect::<anyhow::Result<Vec<usize>>>()?;
    if names.is_empty() {
        return Ok((0..course.exercises.len()).collect());
    }
    picked.sort_unstable();
    let named = picked.len();
    picked.dedup();
    if picked.len() != named {
        return Err(UsageError("an exercise is named twice".into()).into());
    }
    Ok(picked)
}
