//! A small fluent builder: a fresh copy of a fixture course in a temporary
//! directory, the learner's file swapped for an answer, then the real binary.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use assert_cmd::assert::Assert;
use assert_cmd::cargo::CommandCargoExt;

/// The folder of fixture courses and answers.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The repository root (the bundled course).
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("checker/ is in the repo")
        .to_path_buf()
}

/// Generous: only a broken checker (or a broken test) ever waits this long.
pub const PATIENCE: Duration = Duration::from_secs(60);

/// Whether a process exists and has not died (a zombie has died: it only
/// waits to be reaped).
/// A process's parent, from its stat (after the name in parentheses).
pub fn parent_of(pid: i32) -> Option<i32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat.get(stat.rfind(')')? + 1..)?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

pub fn is_running(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        // The state follows the command name, which may hold spaces.
        stat.rsplit(')')
            .next()
            .and_then(|rest| rest.split_whitespace().next())
            .is_some_and(|state| state != "Z" && state != "X")
    })
}

/// Waits until `probe` finds nothing; fails naming what it still finds.
/// Generous (10 s): only a checker that leaves processes behind reaches it.
pub fn wait_until_none<T: std::fmt::Debug>(what: &str, probe: impl Fn() -> Vec<T>) {
    let started = Instant::now();
    loop {
        let found = probe();
        if found.is_empty() {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{what}: {found:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

pub struct Test {
    dir: tempfile::TempDir,
    args: Vec<String>,
    envs: Vec<(String, String)>,
    /// Every pid the learner's code was seen to record (see `children`):
    /// kept, since the file it wrote may go with the directory it ran in.
    seen_children: std::sync::Mutex<Vec<i32>>,
}

/// How an answer that starts processes names each on stderr, one a line.
const CHILD_MARK: &str = "threadlings-test-child: ";

impl Test {
    /// A fresh copy of `tests/fixtures/<fixture>`.
    pub fn new(fixture: &str) -> Test {
        let dir = tempfile::tempdir().expect("a temporary directory");
        copy_dir(&fixtures().join(fixture), dir.path());
        let test = Test::in_dir(dir);
        // These fixtures' hidden tests talk to the integration test through
        // files in the course (a log of runs, a gate), named by
        // `FIXTURE_COURSE`; the kernel sandbox closes the course, so they run
        // as on a system without one. What they test (the cache, runs at
        // once) does not depend on it.
        if ["counted", "gated"].contains(&fixture) {
            let course = test.path().display().to_string();
            test.env("THREADLINGS_SANDBOX", "off")
                .env("FIXTURE_COURSE", &course)
        } else {
            test
        }
    }

    /// A fresh copy of the bundled course (info.toml, exercises, solutions,
    /// hidden tests), as a course author's checkout has it.
    pub fn bundled() -> Test {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let repo = repo();
        std::fs::copy(repo.join("info.toml"), dir.path().join("info.toml")).expect("info.toml");
        for sub in [
            "exercises",
            "solutions",
            "checker/hidden",
            "checker/shipped",
        ] {
            copy_dir(&repo.join(sub), &dir.path().join(sub));
        }
        Test::in_dir(dir)
    }

    /// A learner's directory: info.toml and the exercises only. Hidden
    /// tests and solutions come from the binary (what `threadlings init`
    /// will write out).
    pub fn learner_dir() -> Test {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let repo = repo();
        std::fs::copy(repo.join("info.toml"), dir.path().join("info.toml")).expect("info.toml");
        copy_dir(&repo.join("exercises"), &dir.path().join("exercises"));
        Test::in_dir(dir)
    }

    /// A learner directory as `threadlings init` writes it (run here, by
    /// the real binary, into a fresh path).
    pub fn initialized() -> Test {
        let dir = tempfile::tempdir().expect("a temporary directory");
        // init refuses an existing directory: it gets the path, emptied.
        std::fs::remove_dir(dir.path()).expect("remove the empty directory");
        let output = Command::cargo_bin("threadlings")
            .expect("the threadlings binary")
            .arg("init")
            .arg(dir.path())
            .output()
            .expect("threadlings runs");
        assert!(
            output.status.success(),
            "init failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        Test::in_dir(dir)
    }

    fn in_dir(dir: tempfile::TempDir) -> Test {
        Test {
            dir,
            args: Vec::new(),
            envs: Vec::new(),
            seen_children: std::sync::Mutex::new(Vec::new()),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The variables set for threadlings (see `env`).
    pub fn envs(&self) -> &[(String, String)] {
        &self.envs
    }

    /// Replaces the fixture course's exercise with `tests/fixtures/answers/<answer>.rs`,
    /// `@COURSE@` in its text replaced by the course's absolute path.
    pub fn answer(self, answer: &str) -> Test {
        self.answer_with(answer, &[])
    }

    /// `answer`, with each `(placeholder, value)` replaced too.
    pub fn answer_with(self, answer: &str, values: &[(&str, &str)]) -> Test {
        let mut text =
            std::fs::read_to_string(fixtures().join("answers").join(format!("{answer}.rs")))
                .expect("answer");
        text = text.replace("@COURSE@", &self.dir.path().to_string_lossy());
        for (placeholder, value) in values {
            text = text.replace(placeholder, value);
        }
        self.write("exercises/basics/double.rs", &text)
    }

    /// The pids of the processes the learner's code started, as its answer
    /// recorded them: in `children.pids` in the directory it runs in (the
    /// course's root, or a directory of its own under
    /// `target/threadlings/runs/`), or on stderr (see `note_children`).
    /// Once seen, a pid stays on the list.
    pub fn children(&self) -> Vec<i32> {
        // Running now: processes of this course's binaries whose parent is
        // one too (the test process, whose parent is the checker, is not).
        let root = std::fs::canonicalize(self.dir.path()).expect("canonical path");
        let ours = |pid: i32| {
            std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|exe| exe.starts_with(&root))
        };
        let running: Vec<i32> = std::fs::read_dir("/proc")
            .expect("/proc")
            .flatten()
            .filter_map(|entry| entry.file_name().to_str()?.parse::<i32>().ok())
            .filter(|&pid| ours(pid) && parent_of(pid).is_some_and(ours))
            .collect();
        let mut seen = self.seen_children.lock().unwrap();
        for pid in running {
            if !seen.contains(&pid) {
                seen.push(pid);
            }
        }
        seen.clone()
    }

    /// Notes the pids an answer named on stderr (`threadlings-test-child:
    /// PID` lines) in `output`: what a test printed, as a report shows it.
    pub fn note_children(&self, output: &str) {
        let mut seen = self.seen_children.lock().unwrap();
        for line in output.lines() {
            if let Some(pid) = line.trim().strip_prefix(CHILD_MARK) {
                let pid = pid.trim().parse().expect("a pid");
                if !seen.contains(&pid) {
                    seen.push(pid);
                }
            }
        }
    }

    /// `note_children` for every test's output in a `run --json` report.
    pub fn note_children_in_report(&self, json: &serde_json::Value) {
        for test in json["tests"].as_array().into_iter().flatten() {
            self.note_children(test["output"].as_str().unwrap_or_default());
        }
    }

    /// Waits until the learner's code has recorded `n` processes it started.
    pub fn wait_for_children(&self, n: usize) -> Vec<i32> {
        let started = Instant::now();
        loop {
            let children = self.children();
            if children.len() >= n {
                return children;
            }
            assert!(
                started.elapsed() < PATIENCE,
                "the learner's code never started its {n} processes"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Those of the learner's processes still running: there must be none
    /// once a verdict is in. Killed ones may stay zombies for a moment, until
    /// whoever adopted them reaps them: they are dead, and not counted.
    pub fn running_children(&self) -> Vec<i32> {
        self.children()
            .into_iter()
            .filter(|&pid| is_running(pid))
            .collect()
    }

    /// Waits until every process the learner's code started is dead; fails
    /// naming the survivors.
    pub fn assert_children_die(&self, what: &str) {
        wait_until_none(
            &format!("{what}: the learner's processes still run"),
            || self.running_children(),
        );
    }

    /// How many times the `gated` fixture's hidden test of `name` started.
    pub fn started(&self, name: &str) -> usize {
        std::fs::read_to_string(self.dir.path().join(format!("started-{name}")))
            .map_or(0, |log| log.lines().count())
    }

    /// Waits until the `gated` fixture's hidden test of `name` has started
    /// `n` times (it then waits at its gate until `open_gate`).
    pub fn wait_started(&self, name: &str, n: usize) {
        let started = Instant::now();
        while self.started(name) < n {
            assert!(
                started.elapsed() < PATIENCE,
                "the hidden test of {name} started {} times, not {n}",
                self.started(name)
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Lets the `gated` fixture's hidden tests of `name` go on.
    pub fn open_gate(&self, name: &str) {
        std::fs::write(self.dir.path().join(format!("open-{name}")), "").expect("open the gate");
    }

    /// Writes a file inside the course.
    pub fn write(self, rel: &str, text: &str) -> Test {
        let path = self.dir.path().join(rel);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("create dirs");
        std::fs::write(path, text).expect("write");
        self
    }

    /// Copies a file inside the course.
    pub fn copy(self, from: &str, to: &str) -> Test {
        let text = self.read(from);
        self.write(to, &text)
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    pub fn args<const N: usize>(mut self, args: [&str; N]) -> Test {
        self.args = args.iter().map(|a| (*a).to_string()).collect();
        self
    }

    pub fn env(mut self, key: &str, value: &str) -> Test {
        self.envs.push((key.into(), value.into()));
        self
    }

    /// Runs with these arguments instead of the ones set (the course stays).
    pub fn run_args<const N: usize>(&self, args: [&str; N]) -> Assert {
        self.command(&args.map(str::to_string))
    }

    /// `run_args` with more environment variables, for this run only.
    pub fn run_with_env<const N: usize>(&self, args: [&str; N], envs: &[(&str, &str)]) -> Assert {
        let mut cmd = self.command_line(&args.map(str::to_string));
        for (k, v) in envs {
            cmd.env(k, v);
        }
        assert_cmd::assert::OutputAssertExt::assert(&mut cmd)
    }

    /// `run_args` for arguments made at run time.
    pub fn run_vec(&self, args: &[String]) -> Assert {
        self.command(args)
    }

    /// Runs `threadlings --course DIR ARGS...` and returns the assertion.
    pub fn run(&self) -> Assert {
        self.command(&self.args)
    }

    fn command(&self, args: &[String]) -> Assert {
        assert_cmd::assert::OutputAssertExt::assert(&mut self.command_line(args))
    }

    /// Starts `threadlings --course DIR ARGS...` without waiting for it;
    /// its output is piped (`Started::finish` collects it).
    pub fn spawn(&self, args: &[&str]) -> Started {
        let args: Vec<String> = args.iter().map(|a| (*a).to_string()).collect();
        let child = self
            .command_line(&args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("threadlings starts");
        Started(child)
    }

    fn command_line(&self, args: &[String]) -> Command {
        let mut cmd = Command::cargo_bin("threadlings").expect("the threadlings binary");
        cmd.arg("--course")
            .arg(self.dir.path())
            .args(args)
            .env("NO_COLOR", "1")
            .current_dir(self.dir.path());
        for (k, v) in &self.envs {
            cmd.env(k, v);
        }
        cmd
    }

    /// Processes whose executable lives inside this course directory (the
    /// test binaries threadlings built): there must be none after a verdict.
    pub fn leftover_processes(&self) -> Vec<String> {
        let root = std::fs::canonicalize(self.dir.path()).expect("canonical path");
        let mut found = Vec::new();
        for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
            if let Ok(exe) = std::fs::read_link(entry.path().join("exe"))
                && exe.starts_with(&root)
            {
                {
                    found.push(format!(
                        "{} {}",
                        entry.file_name().to_string_lossy(),
                        exe.display()
                    ));
                }
            }
        }
        found
    }
}

impl Test {
    /// Processes whose command line names this course directory (rustc on
    /// a file inside it, say).
    pub fn processes_naming_the_course(&self) -> Vec<String> {
        let root = self.dir.path().to_string_lossy().into_owned();
        std::fs::read_dir("/proc")
            .expect("/proc")
            .flatten()
            .filter_map(|entry| {
                let cmdline = std::fs::read(entry.path().join("cmdline")).ok()?;
                let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
                cmdline.contains(&root).then_some(cmdline)
            })
            .collect()
    }
}

/// A threadlings process started by `Test::spawn`.
pub struct Started(std::process::Child);

impl Started {
    pub fn pid(&self) -> i32 {
        i32::try_from(self.0.id()).expect("a pid")
    }

    pub fn has_ended(&mut self) -> bool {
        self.0.try_wait().expect("a child's status").is_some()
    }

    /// Waits for the end and returns the assertion on its output.
    pub fn finish(self) -> Assert {
        let output = self.0.wait_with_output().expect("its output");
        assert_cmd::assert::OutputAssertExt::assert(output)
    }

    /// Like `finish`, but a process still running after `limit` is killed
    /// and fails the test: what it waits for will not come.
    pub fn finish_within(self, limit: Duration, what: &str) -> Assert {
        let pid = self.pid();
        let (tx, rx) = std::sync::mpsc::channel();
        // Its output is read meanwhile: a full pipe must not stop it.
        std::thread::spawn(move || tx.send(self.finish()));
        rx.recv_timeout(limit).unwrap_or_else(|_| {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(pid),
                nix::sys::signal::Signal::SIGKILL,
            );
            panic!("{what}: threadlings gave no verdict within {limit:?}")
        })
    }
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for entry in std::fs::read_dir(from)
        .unwrap_or_else(|e| panic!("{}: {e}", from.display()))
        .flatten()
    {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}
