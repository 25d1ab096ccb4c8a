//! The course: info.toml parsed into a checked model, and where its files live.
//!
//! A course is found on disk (walking up from the current directory to the
//! nearest info.toml, or `--course DIR`) or taken from the copy embedded in
//! the binary. Everything is validated here, before any process starts.

pub(crate) mod authoring;
mod embedded;
mod info;

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub(crate) use embedded::Embedded;
pub(crate) use info::CourseError;

/// The wall-clock limit of one run when info.toml does not set one.
pub(crate) const DEFAULT_TIMEOUT_SECS: u64 = 10;

/// One exercise, checked: its files exist, its name is valid and unique.
#[derive(Clone, Debug)]
pub(crate) struct Exercise {
    pub name: String,
    pub dir: String,
    pub hint: String,
    pub points: f64,
    pub timeout: Duration,
    /// Limits set in info.toml (else the command line's or the defaults).
    pub max_output_bytes: Option<u64>,
    pub max_threads: Option<u64>,
    pub max_memory_mb: Option<u64>,
    /// Grading: a non-passing file earns points by the share of hidden
    /// tests it passed (default: all or nothing).
    pub partial_credit: bool,
    /// Grading: whether two students' identical files mean something here
    /// (`identical_to` flags); not for quizzes, whose answers are constants.
    pub flag_copies: bool,
}

impl Exercise {
    /// `exercises/<dir>/<name>.rs`, relative to the course root.
    pub fn path(&self) -> String {
        format!("exercises/{}/{}.rs", self.dir, self.name)
    }

    /// `checker/shipped/<dir>/<name>.rs`: the course author's version of
    /// the exercise in a course repository (what `reset` puts back).
    pub fn shipped_path(&self) -> String {
        format!("checker/shipped/{}/{}.rs", self.dir, self.name)
    }

    /// `solutions/<dir>/<name>.rs`, relative to the course root.
    pub fn solution_path(&self) -> String {
        format!("solutions/{}/{}.rs", self.dir, self.name)
    }
}

/// Where hidden tests, solutions and the wrong- and right-answer fixtures
/// come from.
#[derive(Debug)]
enum Source {
    /// A course repository: `checker/hidden/` and `solutions/` on disk.
    Disk,
    /// A learner directory: those files come from the binary.
    Embedded,
}

/// A loaded, validated course.
#[derive(Debug)]
pub(crate) struct Course {
    pub root: PathBuf,
    pub welcome_message: String,
    pub final_message: String,
    pub exercises: Vec<Exercise>,
    source: Source,
}

impl Course {
    /// Finds the course: `dir` if given, else the nearest ancestor of the
    /// current directory holding an info.toml.
    pub fn locate(dir: Option<&Path>) -> Result<Course, CourseError> {
        let root = match dir {
            Some(dir) => {
                if !dir.join("info.toml").is_file() {
                    return Err(CourseError::plain(format!(
                        "{}: no info.toml here (is this a threadlings course directory?)",
                        dir.display()
                    )));
                }
                dir.to_path_buf()
            }
            None => {
                let cwd = std::env::current_dir().map_err(|e| {
                    CourseError::plain(format!("cannot read the current directory: {e}"))
                })?;
                cwd.ancestors().find(|d| d.join("info.toml").is_file()).map(Path::to_path_buf).ok_or_else(|| {
                    CourseError::plain(format!(
                        "no info.toml in {} or any directory above it. Run threadlings inside a course \
                         directory, pass --course DIR, or make one with `threadlings init`",
                        cwd.display()
                    ))
                })?
            }
        };
        Course::load(&root)
    }

    /// Loads and validates the course at `root`.
    pub fn load(root: &Path) -> Result<Course, CourseError> {
        let root = std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf());
        let info_path = root.join("info.toml");
        let text = std::fs::read_to_string(&info_path).map_err(|e| {
            CourseError::plain(format!("{}: cannot read: {e}", info_path.display()))
        })?;
        let info = info::parse(&text, &info_path)?;
        let source = if root.join("checker/hidden").is_dir() {
            Source::Disk
        } else {
            Source::Embedded
        };
        let course = Course {
            welcome_message: info.welcome_message,
            final_message: info.final_message,
            exercises: info.exercises.iter().map(|e| e.exercise.clone()).collect(),
            root,
            source,
        };
        // Every file an exercise needs must be there before anything runs.
        for entry in &info.exercises {
            let ex = &entry.exercise;
            let mut missing = Vec::new();
            if !course.root.join(ex.path()).is_file() {
                missing.push(ex.path());
            }
            if course.read_solution(ex).is_none() {
                missing.push(course.describe(&ex.solution_path()));
            }
            if course.hidden_source(ex).is_none() {
                missing.push(course.describe(&course.hidden_path(ex)));
            }
            if let Some(file) = missing.first() {
                return Err(CourseError::at(
                    &info_path,
                    &text,
                    entry.span.clone(),
                    format!("exercise `{}`: file {file} is missing", ex.name),
                ));
            }
        }
        Ok(course)
    }

    fn describe(&self, rel: &str) -> String {
        match self.source {
            Source::Disk => rel.to_string(),
            Source::Embedded => format!("{rel} (in the threadlings binary)"),
        }
    }

    fn hidden_path(&self, ex: &Exercise) -> String {
        match self.source {
            Source::Disk => format!("checker/hidden/{}.rs", ex.name),
            Source::Embedded => format!("hidden/{}.rs", ex.name),
        }
    }

    /// The hidden tests of an exercise.
    pub fn hidden_source(&self, ex: &Exercise) -> Option<Cow<'static, str>> {
        self.read(&self.hidden_path(ex))
    }

    /// The reference solution of an exercise.
    pub fn read_solution(&self, ex: &Exercise) -> Option<Cow<'static, str>> {
        self.read(&ex.solution_path())
    }

    /// The known-wrong answers kept for an exercise: (variant name, source),
    /// from `checker/hidden/wrong/<name>/*.rs`.
    pub fn wrong_answers(&self, ex: &Exercise) -> Vec<(String, Cow<'static, str>)> {
        self.variants("wrong", ex)
    }

    /// The correct variants kept for an exercise (other styles of a right
    /// answer): (variant name, source), from `checker/hidden/right/<name>/*.rs`.
    pub fn right_answers(&self, ex: &Exercise) -> Vec<(String, Cow<'static, str>)> {
        self.variants("right", ex)
    }

    /// The `.rs` files of `checker/hidden/<kind>/<name>/`, sorted by name.
    fn variants(&self, kind: &str, ex: &Exercise) -> Vec<(String, Cow<'static, str>)> {
        let mut found: Vec<(String, Cow<'static, str>)> = match self.source {
            Source::Disk => {
                let dir = self.root.join("checker/hidden").join(kind).join(&ex.name);
                std::fs::read_dir(dir)
                    .into_iter()
                    .flatten()
                    .flatten()
                    .filter_map(|entry| {
                        let path = entry.path();
                        let variant = path.file_stem()?.to_str()?.to_string();
                        (path.extension()? == "rs").then_some(())?;
                        Some((variant, Cow::Owned(std::fs::read_to_string(&path).ok()?)))
                    })
                    .collect()
            }
            Source::Embedded => {
                let prefix = format!("hidden/{kind}/{}/", ex.name);
                Embedded::files()
                    .filter_map(|(path, text)| {
                        let variant = path.strip_prefix(&prefix)?.strip_suffix(".rs")?;
                        Some((variant.to_string(), Cow::Borrowed(text)))
                    })
                    .collect()
            }
        };
        found.sort_by(|a, b| a.0.cmp(&b.0));
        found
    }

    /// The version of an exercise as the course author shipped it: in a
    /// course repository `checker/shipped/<dir>/<name>.rs` (exercises/ is the
    /// learner's working copy, so it can never be the reference), in a
    /// learner directory the binary's copy, built from that same file.
    /// `None` when the course has none (a hand-made course without
    /// checker/shipped/).
    pub fn shipped(&self, ex: &Exercise) -> Option<Cow<'static, str>> {
        match self.source {
            Source::Disk => std::fs::read_to_string(self.root.join(ex.shipped_path()))
                .ok()
                .map(Cow::Owned),
            Source::Embedded => Embedded::get(&ex.path()).map(Cow::Borrowed),
        }
    }

    /// Makes sure the solution of a passed exercise is on disk, and says
    /// where. A learner directory gets it only now, once they have passed.
    pub fn reveal_solution(&self, ex: &Exercise) -> std::io::Result<String> {
        let rel = ex.solution_path();
        let path = self.root.join(&rel);
        if !path.is_file() {
            let text = self
                .read_solution(ex)
                .ok_or_else(|| std::io::Error::other("no solution is shipped"))?;
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            std::fs::write(&path, text.as_bytes())?;
        }
        Ok(rel)
    }

    /// `reveal_solution` for each exercise named that passed; a solution
    /// that cannot be written is not an error of the check that earned it.
    pub fn reveal_solutions<'n>(&self, passed: impl IntoIterator<Item = &'n str>) {
        for name in passed {
            if let Some(ex) = self.exercises.iter().find(|e| e.name == name) {
                let _ = self.reveal_solution(ex);
            }
        }
    }

    /// A chapter's README: (its path in the course, its text), from disk
    /// (a learner directory has it too), else from the binary.
    pub fn chapter_readme(&self, dir: &str) -> Option<(String, Cow<'static, str>)> {
        let rel = format!("exercises/{dir}/README.md");
        let text = std::fs::read_to_string(self.root.join(&rel))
            .ok()
            .map(Cow::Owned)
            .or_else(|| Embedded::get(&rel).map(Cow::Borrowed))?;
        Some((rel, text))
    }

    fn read(&self, rel: &str) -> Option<Cow<'static, str>> {
        match self.source {
            Source::Disk => std::fs::read_to_string(self.root.join(rel))
                .ok()
                .map(Cow::Owned),
            Source::Embedded => Embedded::get(rel).map(Cow::Borrowed),
        }
    }
}
