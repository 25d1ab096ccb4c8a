//! `threadlings init`: a learner directory from the binary's course, with
//! no solutions and no hidden tests on disk, checked from the binary, and
//! earning each solution by a pass.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;
use predicates::prelude::*;

use crate::bundled::exercises;
use crate::harness::{Test, repo};
use crate::watch::{Terminal, save_by_rename};

/// `threadlings ARGS...` in `dir`, with no `--course`: as a learner types it.
fn threadlings(dir: &Path, args: &[&str]) -> assert_cmd::assert::Assert {
    let mut cmd = Command::cargo_bin("threadlings").expect("the threadlings binary");
    cmd.args(args).current_dir(dir).env("NO_COLOR", "1");
    assert_cmd::assert::OutputAssertExt::assert(&mut cmd)
}

/// Every file under `dir`, by its path relative to `dir`.
fn files(dir: &Path) -> BTreeSet<String> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeSet<String>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(base, &path, out);
            } else {
                out.insert(path.strip_prefix(base).unwrap().to_string_lossy().into());
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(dir, dir, &mut out);
    out
}

fn read(path: impl AsRef<Path>) -> String {
    let path = path.as_ref();
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The texts of every solution, hidden test and fixture of the repository.
fn secrets() -> Vec<(String, String)> {
    let mut found = Vec::new();
    for sub in ["solutions", "checker/hidden"] {
        for rel in files(&repo().join(sub)) {
            if rel.ends_with(".rs") {
                found.push((format!("{sub}/{rel}"), read(repo().join(sub).join(&rel))));
            }
        }
    }
    assert!(found.len() > exercises().len() * 2, "{found:?}");
    found
}

#[test]
fn init_writes_the_shipped_course_and_no_solution_or_hidden_test() {
    let outer = tempfile::tempdir().unwrap();
    threadlings(outer.path(), &["init"]).code(0).stdout(
        predicate::str::contains("cd threadlings").and(predicate::str::contains(format!(
            "{} exercises",
            exercises().len()
        ))),
    );
    let course = outer.path().join("threadlings");

    // Exactly these files: the course, the exercises as shipped, each
    // chapter's README, the editor manifest, the .gitignore.
    let mut expected: BTreeSet<String> = ["info.toml", ".gitignore", "exercises/Cargo.toml"]
        .map(String::from)
        .into();
    for (name, dir) in exercises() {
        expected.insert(format!("exercises/{dir}/{name}.rs"));
        expected.insert(format!("exercises/{dir}/README.md"));
    }
    assert_eq!(files(&course), expected);
    // Nothing else next to it (no staging directory left behind).
    assert_eq!(std::fs::read_dir(outer.path()).unwrap().count(), 1);

    assert_eq!(
        read(course.join("info.toml")),
        read(repo().join("info.toml"))
    );
    for (name, dir) in exercises() {
        assert_eq!(
            read(course.join(format!("exercises/{dir}/{name}.rs"))),
            read(repo().join(format!("checker/shipped/{dir}/{name}.rs"))),
            "{name} is not the shipped version"
        );
        assert_eq!(
            read(course.join(format!("exercises/{dir}/README.md"))),
            read(repo().join(format!("exercises/{dir}/README.md")))
        );
    }
    let gitignore = read(course.join(".gitignore"));
    for line in ["target/", ".threadlings-state"] {
        assert!(gitignore.lines().any(|l| l == line), "{gitignore}");
    }
    // No file holds a solution, a hidden test or a fixture, nor what every
    // hidden test holds.
    let secrets = secrets();
    for rel in files(&course) {
        let text = read(course.join(&rel));
        assert!(!text.contains("use super::support"), "{rel}");
        if let Some((secret, _)) = secrets.iter().find(|(_, s)| *s == text) {
            panic!("{rel} is a copy of {secret}");
        }
    }
}

#[test]
fn the_editor_manifest_lists_every_exercise_in_a_workspace_of_its_own() {
    let test = Test::initialized();
    let manifest: toml::Table = toml::from_str(&test.read("exercises/Cargo.toml")).unwrap();
    assert!(manifest.contains_key("workspace"), "{manifest}");
    let bins: Vec<(String, String)> = manifest["bin"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["name"].as_str().unwrap().to_string(),
                b["path"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected: Vec<(String, String)> = exercises()
        .into_iter()
        .map(|(name, dir)| (name.clone(), format!("{dir}/{name}.rs")))
        .collect();
    assert_eq!(bins, expected);
    // cargo takes it as a valid manifest whose targets are those files.
    let output = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args([
            "metadata",
            "--no-deps",
            "--offline",
            "--format-version",
            "1",
        ])
        .arg("--manifest-path")
        .arg(test.path().join("exercises/Cargo.toml"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let targets = metadata["packages"][0]["targets"].as_array().unwrap().len();
    assert_eq!(targets, exercises().len());
}

#[test]
fn init_refuses_an_existing_path_and_writes_nothing() {
    let outer = tempfile::tempdir().unwrap();
    let full = outer.path().join("full");
    std::fs::create_dir(&full).unwrap();
    std::fs::write(full.join("notes.txt"), "mine").unwrap();
    std::fs::create_dir(outer.path().join("empty")).unwrap();
    std::fs::write(outer.path().join("file"), "mine").unwrap();
    let before = files(outer.path());
    for existing in ["full", "empty", "file"] {
        threadlings(outer.path(), &["init", existing])
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains(format!(
                "{existing} already exists"
            )));
    }
    assert_eq!(files(outer.path()), before);
    assert_eq!(read(full.join("notes.txt")), "mine");
    assert!(
        outer
            .path()
            .join("empty")
            .read_dir()
            .unwrap()
            .next()
            .is_none()
    );
    // No staging directory stays behind, and nothing is made where the
    // parent is missing, or when --course (which init cannot use) is given.
    threadlings(outer.path(), &["init", "missing/course"])
        .code(2)
        .stderr(predicate::str::contains("there is no directory missing"));
    threadlings(outer.path(), &["--course", "full", "init", "other"])
        .code(2)
        .stderr(predicate::str::contains("--course"));
    let names: BTreeSet<String> = std::fs::read_dir(outer.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["empty", "file", "full"].map(String::from).into());
}

/// In the new directory (found from a subdirectory by walking up), the
/// first exercise fails as shipped, and passes once solved; its solution,
/// and only its, is written then; `check` writes the solutions of what
/// passed and of nothing else.
#[test]
fn a_new_course_is_checked_from_the_binary_and_earns_its_solutions() {
    let test = Test::initialized();
    let all = exercises();
    let (name, dir) = &all[0];
    let chapter = test.path().join("exercises").join(dir);
    threadlings(&chapter, &["run", name]).code(1);
    assert!(
        !test.path().join("solutions").exists(),
        "no solution before a pass"
    );

    let solution_rel = format!("solutions/{dir}/{name}.rs");
    let solution = read(repo().join(&solution_rel));
    std::fs::write(chapter.join(format!("{name}.rs")), &solution).unwrap();
    threadlings(&chapter, &["run", name])
        .code(0)
        .stdout(predicate::str::contains(format!(
            "Compare with the solution: {solution_rel}"
        )));
    assert_eq!(test.read(&solution_rel), solution);
    assert_eq!(files(&test.path().join("solutions")).len(), 1);

    // The first's solution deleted, a second exercise solved: `check`
    // writes the solutions of these two, which pass, and of no other.
    let (second, second_dir) = &all[1];
    let second_rel = format!("solutions/{second_dir}/{second}.rs");
    std::fs::write(
        test.path()
            .join(format!("exercises/{second_dir}/{second}.rs")),
        read(repo().join(&second_rel)),
    )
    .unwrap();
    std::fs::remove_file(test.path().join(&solution_rel)).unwrap();
    threadlings(test.path(), &["check"])
        .code(1)
        .stdout(predicate::str::contains(format!("2/{} passed", all.len())));
    let expected: BTreeSet<String> = [
        format!("{dir}/{name}.rs"),
        format!("{second_dir}/{second}.rs"),
    ]
    .into();
    assert_eq!(files(&test.path().join("solutions")), expected);
    assert_eq!(test.read(&second_rel), read(repo().join(&second_rel)));
}

/// Watch mode in the new directory says where the solution is once the
/// exercise passes, and the file is there.
#[test]
fn watch_mode_in_a_new_course_shows_the_solution_it_wrote() {
    let test = Test::initialized();
    let (name, dir) = exercises().remove(0);
    let mut term = Terminal::start(&test, &[], 30, 100);
    term.wait_for("Welcome");
    term.send("\r");
    term.wait_for(&format!("exercises/{dir}/{name}.rs"));
    let solution_rel = format!("solutions/{dir}/{name}.rs");
    assert!(!test.path().join(&solution_rel).exists());
    save_by_rename(
        &test,
        &format!("exercises/{dir}/{name}.rs"),
        &read(repo().join(&solution_rel)),
    );
    let screen = term.wait_for("✓ Passed!");
    assert!(screen.contains(&solution_rel), "{screen}");
    assert_eq!(test.read(&solution_rel), read(repo().join(&solution_rel)));
}
