//! The command line as clap parses it: plain structs, nothing checked
//! beyond their types and ranges. `plan` turns them into a checked plan.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "threadlings",
    version,
    about = "Graded exercises on Rust threads, checked by hidden tests"
)]
pub(crate) struct Cli {
    /// The course directory (default: the nearest one holding an info.toml)
    #[arg(long, global = true, value_name = "DIR")]
    pub course: Option<PathBuf>,
    /// Refuse to run learner code without every kernel protection (teachers)
    #[arg(long, global = true)]
    pub require_sandbox: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Every subcommand: those that work on a course, and `init`, which makes
/// one (so it has no course to load).
#[derive(Subcommand, Debug)]
pub(crate) enum Command {
    #[command(flatten)]
    Course(Cmd),
    /// Write a fresh learner directory (default: ./threadlings) from the course
    /// built into this binary
    Init {
        /// The directory to create; it must not exist yet
        #[arg(value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// Work on grade reports (needs no course)
    Report {
        #[command(subcommand)]
        command: ReportCmd,
    },
}

/// `threadlings report ...`
#[derive(Subcommand, Debug)]
pub(crate) enum ReportCmd {
    /// Join the JSON reports of `grade --shard K/N` runs into the class's report
    Merge {
        /// The shards' JSON reports
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Where to write the report (default: standard output)
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Json)]
        format: Format,
    },
}

/// The formats of a class report.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    /// A summary for the terminal
    Table,
    /// The report, schema version 1 (REPORT.md)
    Json,
    /// One row per submission, one column per exercise, and the total
    Csv,
    /// JUnit XML: a testsuite per submission, a testcase per exercise
    Junit,
    /// Gradescope's results.json, for exactly one submission
    Gradescope,
    /// One self-contained page: class overview, charts, a table per student
    Html,
}

/// Limits a command line can override (default: info.toml, then built-in).
#[derive(clap::Args, Debug, Clone, Default)]
pub(crate) struct LimitArgs {
    /// Wall-clock limit of one test run, in seconds
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: Option<u64>,
    /// Most bytes of output (stdout + stderr) kept from one test run
    #[arg(long, value_name = "BYTES", value_parser = clap::value_parser!(u64).range(1024..))]
    pub max_output: Option<u64>,
    /// Most live threads in one process of a test run
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(2..=100_000))]
    pub max_threads: Option<u64>,
    /// How long rustc may take on an exercise, in seconds
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub compile_timeout: Option<u64>,
    /// Most resident memory of one process of a test run, in MiB
    #[arg(long, value_name = "MIB", value_parser = clap::value_parser!(u64).range(16..=65_536))]
    pub max_memory: Option<u64>,
}

/// The subcommands that work on a course (found on disk, or `--course DIR`).
#[derive(Subcommand, Debug)]
pub(crate) enum Cmd {
    /// Watch mode: re-check the current exercise on every save
    Watch {
        /// Poll for changes (for WSL on /mnt, Docker bind mounts, network drives)
        #[arg(long)]
        poll: bool,
        /// Re-check only when you press Enter
        #[arg(long, conflicts_with = "poll")]
        manual: bool,
    },
    /// Check one exercise once (default: the current one) and print the verdict
    Run {
        name: Option<String>,
        /// Print one JSON object shaped like an exercise entry of the report
        #[arg(long)]
        json: bool,
        /// Draw what the threads did even when the exercise passes (a failing
        /// verdict always shows it)
        #[arg(long, conflicts_with = "json")]
        timeline: bool,
        /// Write every hidden test's events to FILE in the Chrome trace-event
        /// format (Perfetto, chrome://tracing, speedscope read it)
        #[arg(long, value_name = "FILE")]
        trace: Option<std::path::PathBuf>,
        #[command(flatten)]
        limits: LimitArgs,
    },
    /// Print an exercise's hint (default: the current one)
    Hint { name: Option<String> },
    /// List the exercises with their status
    List,
    /// Put the shipped version of an exercise back
    Reset { name: String },
    /// Check every exercise, in parallel, and record progress
    Check {
        #[command(flatten)]
        limits: LimitArgs,
        /// At most this many rustc processes, and this many test processes, at once
        /// (default: one rustc per core, two test processes per core)
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=256))]
        jobs: Option<u32>,
    },
    /// Teachers: grade submission directories (each holds exercises/<dir>/<name>.rs)
    Grade {
        /// One directory per submission; its name is the submission's id
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// Where to write the report (default: standard output)
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// At most this many rustc processes, and this many test processes, at once
        /// (default: one rustc per core, two test processes per core)
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=256))]
        jobs: Option<u32>,
        /// Grade only the K-th of N slices of the submissions (sorted by id), e.g. 2/8
        #[arg(long, value_name = "K/N")]
        shard: Option<String>,
        #[command(flatten)]
        limits: LimitArgs,
    },
    /// Course authors: every exercise fails as shipped, every solution and
    /// correct variant passes every time, every known-wrong answer fails
    Verify {
        /// Only these exercises
        names: Vec<String>,
        /// How many times the tests of each solution and each correct variant
        /// (checker/hidden/right/) run (all must pass)
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=1000))]
        repeat: u32,
        /// How many times each wrong answer's tests run (all must fail)
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1000))]
        repeat_wrong: u32,
        #[command(flatten)]
        limits: LimitArgs,
        /// At most this many rustc processes, and this many test processes, at once
        /// (default: one rustc per core, two test processes per core)
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=256))]
        jobs: Option<u32>,
    },
}
