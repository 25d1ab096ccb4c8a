//! The bundled course, as a course author's checkout has it.

use predicates::prelude::*;

use crate::harness::{Test, copy_dir, repo};

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

/// Every solution and correct variant of the course twice, every wrong
/// answer once: the many repetitions, with both cores busy, are
/// `scripts/verify-under-load`'s (its figures are in the README); here the
/// course of 21 exercises must fit CI's time beside every other test.
#[test]
fn verify_passes_on_the_bundled_course() {
    Test::bundled()
        .args(["verify", "--repeat", "2", "--repeat-wrong", "1"])
        .run()
        .code(0)
        .stdout(
            predicate::str::contains("course verified").and(predicate::str::contains("passed 2/2")),
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

/// The learner's working copy and the course author's version differ (the
/// learner solved it); `reset` puts the author's back, from the repository's
/// checker/shipped/ and, in a learner directory, from the binary.
#[test]
fn reset_puts_the_course_authors_version_back_over_the_learners_solution() {
    let (name, dir) = exercises().remove(0);
    let file = format!("exercises/{dir}/{name}.rs");
    let authors =
        std::fs::read_to_string(repo().join(format!("checker/shipped/{dir}/{name}.rs"))).unwrap();
    let solution =
        std::fs::read_to_string(repo().join(format!("solutions/{dir}/{name}.rs"))).unwrap();
    for test in [Test::bundled(), Test::learner_dir()] {
        let test = test.write(&file, &solution);
        test.run_args(["run", &name]).code(0);
        test.run_args(["reset", &name]).code(0);
        assert_eq!(test.read(&file), authors);
        test.run_args(["run", &name]).code(1);
    }
}

/// What a rebuild embeds: `cargo run` reruns build.rs after every edit in
/// exercises/, so build.rs itself is run here (compiled by rustc, with the
/// environment cargo gives it) on a copy of the repository whose exercise
/// holds the learner's solution. The binary it would build must still carry
/// the author's version.
#[test]
fn a_rebuild_after_the_learner_s_edits_still_embeds_the_authors_version() {
    let (name, dir) = exercises().remove(0);
    let tmp = tempfile::tempdir().unwrap();
    let copy = tmp.path().join("repo");
    std::fs::create_dir_all(&copy).unwrap();
    std::fs::copy(repo().join("info.toml"), copy.join("info.toml")).unwrap();
    for sub in [
        "exercises",
        "solutions",
        "checker/hidden",
        "checker/shipped",
        "checker/src",
        "checker/support/src",
    ] {
        copy_dir(&repo().join(sub), &copy.join(sub));
    }
    // build.rs reads the course through checker/embed/'s links; the copy
    // holds what they point to.
    copy_dir(&repo().join("checker/embed"), &copy.join("checker/embed"));
    let file = format!("exercises/{dir}/{name}.rs");
    let solution =
        std::fs::read_to_string(repo().join(format!("solutions/{dir}/{name}.rs"))).unwrap();
    std::fs::write(copy.join(&file), &solution).unwrap();

    let build = tmp.path().join("build-script");
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let status = std::process::Command::new(rustc)
        .args(["--edition", "2024", "-o"])
        .arg(&build)
        .arg(repo().join("checker/build.rs"))
        .status()
        .unwrap();
    assert!(status.success(), "build.rs compiles");
    let out_dir = tmp.path().join("out");
    std::fs::create_dir_all(&out_dir).unwrap();
    let output = std::process::Command::new(&build)
        .env("CARGO_MANIFEST_DIR", copy.join("checker"))
        .env("OUT_DIR", &out_dir)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    // The table maps each course path to the file include_str! reads.
    let table = std::fs::read_to_string(out_dir.join("embedded.rs")).unwrap();
    let entry = table
        .lines()
        .find(|l| l.contains(&format!("({file:?},")))
        .unwrap_or_else(|| panic!("{file} is not embedded:\n{table}"));
    let shipped = copy.join(format!("checker/shipped/{dir}/{name}.rs"));
    assert!(
        entry.contains(&format!("{:?}", shipped.display().to_string())),
        "{file} must be embedded from {}, not the learner's copy: {entry}",
        shipped.display()
    );
    // And the chapter README still comes along.
    assert!(
        table.contains(&format!("\"exercises/{dir}/README.md\"")),
        "{table}"
    );
}

/// The repository a learner clones starts at the shipped course: exercises/
/// holds exactly the author's versions in checker/shipped/. (This fails in a
/// checkout where a learner has begun working, as it should: it is the
/// course author's check that the two were not edited apart.)
#[test]
fn the_exercises_in_the_repository_are_the_shipped_ones() {
    for (name, dir) in exercises() {
        let working =
            std::fs::read_to_string(repo().join(format!("exercises/{dir}/{name}.rs"))).unwrap();
        let shipped =
            std::fs::read_to_string(repo().join(format!("checker/shipped/{dir}/{name}.rs")))
                .unwrap_or_else(|e| panic!("checker/shipped/{dir}/{name}.rs: {e}"));
        assert!(
            working == shipped,
            "exercises/{dir}/{name}.rs differs from checker/shipped/{dir}/{name}.rs: course authors \
             edit the shipped version and copy it to exercises/ (`threadlings reset {name}`)"
        );
    }
    let shipped_files = std::fs::read_dir(repo().join("checker/shipped"))
        .unwrap()
        .flatten()
        .flat_map(|d| std::fs::read_dir(d.path()).unwrap().flatten())
        .count();
    assert_eq!(
        shipped_files,
        exercises().len(),
        "checker/shipped/ holds one file per exercise"
    );
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
