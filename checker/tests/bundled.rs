//! The bundled course, as a course author's checkout has it.

use predicates::prelude::*;

use crate::harness::Test;

/// The exercise names of the bundled course, from its info.toml.
pub(crate) fn exercises() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(crate::harness::repo().join("info.toml")).unwrap();
    let info: toml::Table = toml::from_str(&text).unwrap();
    info["exercises"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["name"].as_str().unwrap().to_string(),
                e["dir"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn verify_passes_on_the_bundled_course() {
    Test::bundled().args(["verify"]).run().code(0).stdout(
        predicate::str::contains("course verified").and(predicate::str::contains("passed 10/10")),
    );
}

/// For each exercise: `run` fails as shipped, passes with the solution, and
/// fails with the solution's work moved onto the calling thread, or with
/// `std::process::exit(0)` called first.
#[test]
fn run_judges_shipped_solution_and_cheats_for_every_exercise() {
    let test = Test::bundled();
    for (name, dir) in exercises() {
        let file = format!("exercises/{dir}/{name}.rs");
        test.run_args(["run", &name]).code(1);
        let cases = [
            (format!("solutions/{dir}/{name}.rs"), 0),
            (format!("checker/hidden/wrong/{name}/on_caller.rs"), 1),
            (format!("checker/hidden/wrong/{name}/exit0.rs"), 1),
        ];
        for (source, code) in cases {
            std::fs::copy(test.path().join(&source), test.path().join(&file))
                .unwrap_or_else(|e| panic!("{source}: {e}"));
            let assert = test.run_args(["run", &name]);
            let output = assert.get_output();
            assert!(
                output.status.code() == Some(code),
                "{source} should exit {code}, not {:?}:\n{}\n{}",
                output.status.code(),
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
        }
    }
}

#[test]
fn reset_puts_the_shipped_version_back() {
    let (name, dir) = exercises().remove(0);
    let file = format!("exercises/{dir}/{name}.rs");
    let test = Test::bundled();
    let shipped = test.read(&file);
    let test = test.write(&file, "// my edits\n");
    test.run_args(["reset", &name]).code(0);
    assert_eq!(test.read(&file), shipped);
}

#[test]
fn every_exercise_is_listed_for_rust_analyzer() {
    let manifest =
        std::fs::read_to_string(crate::harness::repo().join("exercises/Cargo.toml")).unwrap();
    for (name, dir) in exercises() {
        assert!(
            manifest.contains(&format!("path = \"{dir}/{name}.rs\"")),
            "exercises/Cargo.toml lacks {name}"
        );
    }
}

/// A learner's directory has no hidden tests and no solutions on disk: the
/// binary brings the hidden tests, and a solution appears once it is earned.
#[test]
fn a_learner_directory_is_checked_from_the_binary_and_earns_its_solutions() {
    let (name, dir) = exercises().remove(1);
    let solution_rel = format!("solutions/{dir}/{name}.rs");
    let test = Test::learner_dir();
    test.run_args(["run", &name]).code(1);
    assert!(
        !test.path().join(&solution_rel).exists(),
        "no solution before a pass"
    );
    let solution = std::fs::read_to_string(crate::harness::repo().join(&solution_rel)).unwrap();
    let test = test.write(&format!("exercises/{dir}/{name}.rs"), &solution);
    test.run_args(["run", &name])
        .code(0)
        .stdout(predicate::str::contains(format!(
            "Compare with the solution: {solution_rel}"
        )));
    assert_eq!(test.read(&solution_rel), solution);
}
