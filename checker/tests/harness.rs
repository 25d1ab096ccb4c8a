//! A small fluent builder: a fresh copy of a fixture course in a temporary
//! directory, the learner's file swapped for an answer, then the real binary.

use std::path::{Path, PathBuf};
use std::process::Command;

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

pub struct Test {
    dir: tempfile::TempDir,
    args: Vec<String>,
    envs: Vec<(String, String)>,
}

impl Test {
    /// A fresh copy of `tests/fixtures/<fixture>`.
    pub fn new(fixture: &str) -> Test {
        let dir = tempfile::tempdir().expect("a temporary directory");
        copy_dir(&fixtures().join(fixture), dir.path());
        Test {
            dir,
            args: Vec::new(),
            envs: Vec::new(),
        }
    }

    /// A fresh copy of the bundled course (info.toml, exercises, solutions,
    /// hidden tests), as a course author's checkout has it.
    pub fn bundled() -> Test {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let repo = repo();
        std::fs::copy(repo.join("info.toml"), dir.path().join("info.toml")).expect("info.toml");
        for sub in ["exercises", "solutions", "checker/hidden"] {
            copy_dir(&repo.join(sub), &dir.path().join(sub));
        }
        Test {
            dir,
            args: Vec::new(),
            envs: Vec::new(),
        }
    }

    /// A learner's directory: info.toml and the exercises only. Hidden
    /// tests and solutions come from the binary (what `threadlings init`
    /// will write out).
    pub fn learner_dir() -> Test {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let repo = repo();
        std::fs::copy(repo.join("info.toml"), dir.path().join("info.toml")).expect("info.toml");
        copy_dir(&repo.join("exercises"), &dir.path().join("exercises"));
        Test {
            dir,
            args: Vec::new(),
            envs: Vec::new(),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Replaces the fixture course's exercise with `tests/fixtures/answers/<answer>.rs`.
    pub fn answer(self, answer: &str) -> Test {
        let text = std::fs::read_to_string(fixtures().join("answers").join(format!("{answer}.rs")))
            .expect("answer");
        self.write("exercises/basics/double.rs", &text)
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

    /// Runs with a list of arguments built at run time.
    pub fn run_vec(&self, args: &[&str]) -> Assert {
        self.command(&args.iter().map(|a| (*a).to_string()).collect::<Vec<_>>())
    }

    /// Runs `threadlings --course DIR ARGS...` and returns the assertion.
    pub fn run(&self) -> Assert {
        self.command(&self.args)
    }

    fn command(&self, args: &[String]) -> Assert {
        let mut cmd = Command::cargo_bin("threadlings").expect("the threadlings binary");
        cmd.arg("--course")
            .arg(self.dir.path())
            .args(args)
            .env("NO_COLOR", "1")
            .current_dir(self.dir.path());
        for (k, v) in &self.envs {
            cmd.env(k, v);
        }
        assert_cmd::assert::OutputAssertExt::assert(&mut cmd)
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

fn copy_dir(from: &Path, to: &Path) {
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
