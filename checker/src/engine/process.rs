//! Running a built test binary: one hidden test in a process of its own, or
//! the learner's own `main` as the program would run.
//!
//! Both start the same way, so that learner code cannot tell a test from a
//! real run of its program: the program's name as the only argument (the
//! binary's file is named as rustc names the program), the learner's own
//! environment (`supervise::clean_env`), a fresh directory of its own
//! (`Scratch`), and what to run on stdin (`protocol::Handshake`); in the
//! kernel's sandbox where the system has one (`sandbox`).

use std::io::Read as _;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use threadlings_support::protocol::{Handshake, Run};

use crate::sandbox::{self, observer::Fifos};
use crate::supervise::{self, Exit, Finished, Limits};
use crate::verdict::{Status, TestResult, judge};

/// How long watch mode lets the learner's own program run to show its output.
const PROGRAM_TIMEOUT: Duration = Duration::from_secs(5);

/// Runs one hidden test in its own process and judges how it ended, in a
/// directory of its own (`Scratch`), removed afterwards.
/// `started_at` is told the file where the test says what it waits for (see
/// the support crate's `status`), as the process starts.
pub(super) fn run_test(
    binary: &Path,
    test: &str,
    limits: &Limits,
    started_at: &dyn Fn(&Path),
) -> TestResult {
    let started = Instant::now();
    let mut result = run_and_judge(binary, test, limits, started_at);
    result.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    result
}

fn run_and_judge(
    binary: &Path,
    test: &str,
    limits: &Limits,
    started_at: &dyn Fn(&Path),
) -> TestResult {
    let internal = |message: String| TestResult {
        name: test.to_string(),
        status: Status::Crash,
        message,
        duration_ms: 0,
        output: String::new(),
        reported: false,
        tampered: false,
        events: Vec::new(),
        events_dropped: 0,
    };
    let mut run = match Scratch::make(true) {
        Ok(run) => run,
        Err(e) => return internal(format!("threadlings could not make a run directory: {e}")),
    };
    let report_path = run.dir().join(REPORT);
    let secret = secret();
    let handshake = Handshake {
        run: Run::Test {
            name: test.to_string(),
            secret: secret.clone(),
            report: report_path.display().to_string(),
        },
        max_threads: limits.max_threads,
        max_memory_mb: limits.max_memory_mb,
        observer: run.questions().map(|dir| dir.display().to_string()),
    };
    started_at(&run.wait_file());
    let finished = run.run(binary, &handshake, limits);
    let finished = match finished {
        Ok(f) => f,
        Err(e) => return internal(format!("threadlings could not start the test: {e}")),
    };
    let reported = std::fs::read_to_string(run.file(REPORT)).unwrap_or_default();
    judge::test_run(test, &secret, &reported, &finished, limits)
}

/// The report file's name in a run's directory.
const REPORT: &str = "report";

/// A run's private directory, `run-X/` (in the system's temporary
/// directory, named at random, like everything in it that learner code can
/// name: `/tmp/.tmpAbC123`): `work/` in it (`.tmpDeF456`) is the run's
/// working directory, the one place it may write (in the sandbox: write,
/// never read), where its report and status files start; `in/` holds the
/// FIFOs of a sandboxed test's questions. Once the test has opened them, all
/// four move up into `run-X/`, out of its reach (see `sandbox::observer`).
/// Removed with everything in it when dropped, after the report is read.
struct Scratch {
    _dir: tempfile::TempDir,
    /// `run-X/`, absolute (the sandbox's rules need it so).
    run: PathBuf,
    /// `run-X/work`, named at random.
    work: PathBuf,
    /// The FIFOs of a sandboxed test's questions.
    fifos: Option<Fifos>,
}

/// The run's questions directory, in `run-X/`.
const QUESTIONS: &str = "in";

impl Scratch {
    /// A fresh directory; for a `test`, with its empty report, and the
    /// FIFOs for its questions when it will run sandboxed.
    fn make(test: bool) -> std::io::Result<Scratch> {
        // Not in the course, and named so as to say nothing
        // (`/tmp/.tmpAbC123/.tmpDeF456`): learner code sees its working
        // directory's path, and code that behaves only where that path
        // names `threadlings` or `target` must be seen misbehaving.
        let dir = tempfile::tempdir()?;
        let run = std::path::absolute(dir.path())?;
        let work = tempfile::Builder::new().tempdir_in(&run)?.keep();
        if test {
            std::fs::write(work.join(REPORT), "")?;
        }
        let fifos = if test && sandbox::protections().any() {
            let wait = work.join(threadlings_support::status::wait_file(REPORT));
            std::fs::create_dir(run.join(QUESTIONS))?;
            Some(Fifos::make(
                &run.join(QUESTIONS),
                &[work.join(REPORT), wait],
            )?)
        } else {
            None
        };
        Ok(Scratch {
            _dir: dir,
            run,
            work,
            fifos,
        })
    }

    /// The run's working directory.
    fn dir(&self) -> PathBuf {
        self.work.clone()
    }

    /// The directory of the questions' FIFOs, for the handshake.
    fn questions(&self) -> Option<PathBuf> {
        self.fifos.as_ref().map(|_| self.run.join(QUESTIONS))
    }

    /// Where the file named `name` is: moved out of `work/` by now if the
    /// test got that far in the sandbox, else still there.
    fn file(&self, name: &str) -> PathBuf {
        let outside = self.run.join(name);
        if outside.exists() {
            outside
        } else {
            self.dir().join(name)
        }
    }

    /// Where the status file will be read while the test runs.
    fn wait_file(&self) -> PathBuf {
        let wait = threadlings_support::status::wait_file(REPORT);
        if self.fifos.is_some() {
            self.run.join(wait)
        } else {
            self.dir().join(wait)
        }
    }

    /// Runs `binary` here with `handshake` on its stdin, answering its
    /// questions while it runs.
    fn run(
        &mut self,
        binary: &Path,
        handshake: &Handshake,
        limits: &Limits,
    ) -> std::io::Result<Finished> {
        let work = self.dir();
        let questions = self.questions();
        let places = sandbox::Places {
            work: &work,
            questions: questions.as_deref(),
        };
        let cmd = program(binary, &places)?;
        let mut fifos = self.fifos.take();
        let mut answering = None;
        let finished =
            supervise::run_watched(cmd, handshake.to_text().as_bytes(), limits, &mut |pid| {
                answering = fifos.take().and_then(|f| f.answer(pid).ok())
            });
        if let Some(answering) = answering {
            answering.stop();
        }
        finished
    }
}

/// The test binary, started as the learner's program would be: its name as
/// its one argument, the clean environment, `places.work` as its directory
/// (and its `TMPDIR`); through the sandbox when this system offers one (an
/// error if it should and cannot). Tests and `main` runs alike (a run the
/// test starts inherits all of it).
fn program(binary: &Path, places: &sandbox::Places) -> std::io::Result<Command> {
    let binary = std::path::absolute(binary).unwrap_or_else(|_| binary.to_path_buf());
    let name = binary.file_name().unwrap_or_default().to_os_string();
    let dir = places.work;
    let mut cmd = sandbox::command(&binary, &name, places)?.unwrap_or_else(|| {
        let mut cmd = Command::new(&binary);
        cmd.arg0(&name);
        cmd
    });
    supervise::with_clean_env(&mut cmd);
    let has = |name: &str| supervise::clean_env().iter().any(|(k, _)| k == name);
    // What a shell would say of a program it started from there.
    if has("_") {
        cmd.env("_", &binary);
    }
    if has("PWD") {
        cmd.env("PWD", dir);
    }
    cmd.env("TMPDIR", dir);
    cmd.current_dir(dir);
    Ok(cmd)
}

/// Runs the learner's own `main` once, as the program would run, and
/// returns what it printed (cut to a few KiB, control characters out).
pub(crate) fn program_output(binary: &Path, limits: &Limits) -> String {
    let limits = Limits {
        timeout: limits.timeout.min(PROGRAM_TIMEOUT),
        max_output_bytes: 16 * 1024,
        ..*limits
    };
    let handshake = Handshake {
        run: Run::Main,
        max_threads: limits.max_threads,
        max_memory_mb: limits.max_memory_mb,
        observer: None,
    };
    let Ok(finished) =
        Scratch::make(false).and_then(|mut run| run.run(binary, &handshake, &limits))
    else {
        return String::new();
    };
    let mut text = String::from_utf8_lossy(&finished.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&finished.stderr));
    let mut text = judge::printable(&text);
    match finished.exit {
        Exit::TimedOut => text.push_str(&format!(
            "\n(still running after {} s: stopped)",
            limits.timeout.as_secs()
        )),
        Exit::OutputLimit => text.push_str("\n(more output was cut)"),
        _ => {}
    }
    text
}

/// A secret for one test run: only the support library, which reads it
/// before any learner code runs, can tag a report with it.
fn secret() -> String {
    let mut bytes = [0u8; 16];
    if std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .is_err()
    {
        use std::hash::{BuildHasher, Hasher};
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default()
                .as_nanos(),
        );
        bytes[..8].copy_from_slice(&h.finish().to_le_bytes());
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tests_and_programs_start_alike_in_a_directory_of_their_own() {
        let binary = PathBuf::from("/course/target/threadlings/bin/key/spawn1");
        let scratch = Scratch::make(true).unwrap();
        let other = Scratch::make(true).unwrap();
        assert_ne!(scratch.dir(), other.dir());
        // The questions' FIFOs are there exactly when the sandbox is.
        let sandboxed = sandbox::protections().any();
        assert_eq!(scratch.questions().is_some(), sandboxed);
        let work = scratch.dir();
        let questions = scratch.questions();
        let places = sandbox::Places {
            work: &work,
            questions: questions.as_deref(),
        };
        let cmd = program(&binary, &places).unwrap();
        assert_eq!(cmd.get_current_dir(), Some(work.as_path()));
        let args: Vec<_> = cmd.get_args().collect();
        if sandboxed {
            // The sandbox step, told to exec the binary by its name alone;
            // the working directory write-only, the FIFOs' read-write.
            assert_eq!(args[0], "__sandbox");
            let spec: sandbox::Spec = serde_json::from_str(args[1].to_str().unwrap()).unwrap();
            assert_eq!(spec.program, binary);
            assert_eq!(spec.name, "spawn1");
            assert_eq!(spec.write, vec![work.clone()]);
            assert!(spec.read_write.contains(&questions.clone().unwrap()));
            assert!(!spec.read.contains(&work) && !spec.exec.contains(&work));
            assert!(questions.unwrap().join("ask").exists());
        } else {
            assert_eq!(args.len(), 0, "the name is the only argument");
        }
        for (name, value) in cmd.get_envs() {
            let name = name.to_string_lossy();
            assert!(
                !name.starts_with("CARGO") && !name.starts_with("RUST_"),
                "{name}"
            );
            if name == "PWD" || name == "TMPDIR" {
                assert_eq!(value, Some(work.as_os_str()));
            }
        }
        let dir = scratch.run.clone();
        drop(scratch);
        assert!(!dir.exists(), "a run's directory goes with it");
    }

    #[test]
    fn secrets_are_long_and_differ() {
        let (a, b) = (secret(), secret());
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
    }
}
