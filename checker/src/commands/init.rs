//! `threadlings init [DIR]`: a fresh learner directory from the course built
//! into the binary: info.toml, the exercises as shipped, the chapters'
//! README.md, an editor manifest (exercises/Cargo.toml) and a .gitignore.
//! Neither solutions nor hidden tests are written: a directory without
//! `checker/hidden/` is checked with the binary's hidden tests, and a
//! solution is written out once its exercise passes (`Course::reveal_solution`).
//!
//! Everything is written into a hidden directory next to DIR, checked by
//! loading it as a course, and only then renamed to DIR: a failure (or a
//! Ctrl-C) midway leaves no DIR at all, never a half course that looks whole.

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context as _;

use crate::course::{Course, Embedded, Exercise};
use crate::plan::{InitPlan, UsageError};
use crate::state::STATE_FILE;

/// DIR when none is given, as rustlings names its own.
pub(crate) const INIT_DIR: &str = "threadlings";

pub(crate) fn init(plan: &InitPlan) -> anyhow::Result<ExitCode> {
    let dest = &plan.dest;
    let parent = crate::plan::dir_of(dest);
    // Mode 0777 as asked of mkdir: the umask makes it what a directory the
    // learner made would be (tempfile's default, 0700, would stay after the
    // rename).
    let staging = tempfile::Builder::new()
        .prefix(".threadlings-init-")
        .permissions(std::fs::Permissions::from_mode(0o777))
        .tempdir_in(parent)
        .with_context(|| format!("cannot create a directory in {}", parent.display()))?;
    let root = staging.path();
    let exercises = write_course(root)?;
    let chapters = exercises
        .iter()
        .map(|e| e.dir.as_str())
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    // Not renamed with `renameat2(RENAME_NOREPLACE)` (glibc only): rename(2)
    // never replaces a file or a directory that holds anything, so at worst
    // an empty directory made since `plan` looked is replaced.
    std::fs::rename(root, dest).map_err(|e| -> anyhow::Error {
        if dest.symlink_metadata().is_ok() {
            UsageError(format!(
                "{} already exists; init never writes into an existing directory",
                dest.display()
            ))
            .into()
        } else {
            anyhow::Error::new(e).context(format!("cannot create {}", dest.display()))
        }
    })?;
    // It is DIR now: nothing left to clean up.
    let _ = staging.keep();
    let shown = dest.display();
    anstream::println!(
        "Wrote a threadlings course to {shown}: {} exercises in {chapters} chapters.\n\
         Solutions are not included: each is written to solutions/ once its exercise passes.\n\
         \n\
         Next:\n    cd {shown}\n    threadlings",
        exercises.len()
    );
    Ok(ExitCode::SUCCESS)
}

/// Writes the course into `root` and loads it back as threadlings will,
/// so that a binary whose course is incomplete fails here, not in the
/// learner's first run. Returns the exercises, in course order.
fn write_course(root: &Path) -> anyhow::Result<Vec<Exercise>> {
    let write = |rel: &str, text: &str| -> anyhow::Result<()> {
        let path = root.join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))
    };
    let info = Embedded::get("info.toml").context("this threadlings binary carries no course")?;
    write("info.toml", info)?;
    // The exercises as shipped and the chapters' README.md: every embedded
    // file under exercises/ (solutions/ and hidden/ stay in the binary).
    for (rel, text) in Embedded::files().filter(|(rel, _)| rel.starts_with("exercises/")) {
        write(rel, text)?;
    }
    let course = Course::load(root).map_err(|e| {
        anyhow::anyhow!("the course built into this threadlings binary is incomplete: {e}")
    })?;
    write("exercises/Cargo.toml", &editor_manifest(&course.exercises))?;
    write(".gitignore", &gitignore())?;
    Ok(course.exercises)
}

/// A manifest for editors, like exercises/Cargo.toml in the repository:
/// rust-analyzer finds it (it looks one folder deep) and understands each
/// exercise as a program of its own. Made from the course's list, so it
/// names every exercise the binary carries.
pub(crate) fn editor_manifest(exercises: &[Exercise]) -> String {
    let mut text = String::from(
        "# For editors only: rust-analyzer finds this manifest and understands each\n\
         # exercise file as a program of its own. Check an exercise with\n\
         # `threadlings run NAME`, not with cargo: the exercises are meant to fail\n\
         # until you fix them, and their tests are not here.\n\
         [package]\n\
         name = \"threadlings-exercises\"\n\
         version = \"0.0.0\"\n\
         edition = \"2024\"\n\
         publish = false\n\
         \n\
         # Its own workspace root, so that no workspace around this directory\n\
         # claims it.\n\
         [workspace]\n",
    );
    for ex in exercises {
        let name = toml::Value::String(ex.name.clone());
        let path = toml::Value::String(format!("{}/{}.rs", ex.dir, ex.name));
        text.push_str(&format!("\n[[bin]]\nname = {name}\npath = {path}\n"));
    }
    text
}

/// What threadlings and editors make in a learner directory, none of it
/// the learner's work.
fn gitignore() -> String {
    format!(
        "# Made by threadlings (build products, progress) and by editors.\n\
         target/\n\
         {STATE_FILE}\n\
         {STATE_FILE}.lock\n\
         Cargo.lock\n"
    )
}
