//! `verify` and the correct variants of an exercise
//! (`checker/hidden/right/<name>/*.rs`): each is built and run, and must pass
//! on every repetition. The fixture course is `good`, with the variants of
//! `tests/fixtures/right_variants/double/` copied into it.

use predicates::prelude::*;

use crate::harness::{Test, fixtures, repo};

/// The `good` course with these variants (file stems under
/// `fixtures/right_variants/double/`) kept as its correct variants.
fn with_right_variants(variants: &[&str]) -> Test {
    let mut test = Test::new("good");
    for variant in variants {
        let text = std::fs::read_to_string(
            fixtures()
                .join("right_variants/double")
                .join(format!("{variant}.rs")),
        )
        .unwrap();
        test = test.write(&format!("checker/hidden/right/double/{variant}.rs"), &text);
    }
    test
}

/// The line of verify's table that names `file`.
fn line_of<'a>(stdout: &'a str, file: &str) -> &'a str {
    stdout
        .lines()
        .find(|l| l.contains(file))
        .unwrap_or_else(|| panic!("no line names {file}:\n{stdout}"))
}

#[test]
fn verify_runs_every_right_variant_repeat_times() {
    let test = with_right_variants(&["builder_named", "scoped"]);
    let assert = test.run_args(["verify", "--repeat", "3"]).code(0);
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    for variant in ["builder_named", "scoped"] {
        let line = line_of(&stdout, &format!("right/double/{variant}.rs"));
        assert!(
            line.starts_with("ok") && line.contains("passed 3/3"),
            "{line}"
        );
    }
    assert!(
        stdout.contains("course verified") && stdout.contains("2 right variants x3"),
        "{stdout}"
    );
}

#[test]
fn verify_fails_naming_a_right_variant_that_fails() {
    let wrong = std::fs::read_to_string(fixtures().join("answers/wrong_result.rs")).unwrap();
    let test =
        with_right_variants(&["scoped"]).write("checker/hidden/right/double/adds_two.rs", &wrong);
    let assert = test.run_args(["verify", "--repeat", "2"]).code(1);
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    let line = line_of(&stdout, "right/double/adds_two.rs");
    assert!(
        line.starts_with("BAD") && line.contains("passed 0/2 (first failure: fail)"),
        "{line}"
    );
    // The other variant still passes, and is not counted as a problem.
    assert!(
        line_of(&stdout, "right/double/scoped.rs").starts_with("ok"),
        "{stdout}"
    );
    assert!(!stdout.contains("course verified"), "{stdout}");
    assert!(
        stdout.contains("1 problem(s)")
            && stdout.contains(
                "double: correct variant right/double/adds_two.rs passed 0/2 (first failure: fail)"
            ),
        "{stdout}"
    );
    // The hidden test's own words say what went wrong.
    assert!(stdout.contains("returned"), "{stdout}");
}

#[test]
fn verify_fails_on_a_right_variant_that_does_not_compile() {
    let broken = std::fs::read_to_string(fixtures().join("answers/compile_error.rs")).unwrap();
    Test::new("good")
        .write("checker/hidden/right/double/typo.rs", &broken)
        .args(["verify", "--repeat", "1"])
        .run()
        .code(1)
        .stdout(predicate::str::contains(
            "double: correct variant right/double/typo.rs passed 0/1 (first failure: compile_error)",
        ));
}

#[test]
fn verify_without_right_variants_says_so_and_passes() {
    Test::new("good")
        .args(["verify", "--repeat", "1"])
        .run()
        .code(0)
        .stdout(
            predicate::str::contains("course verified")
                .and(predicate::str::contains("0 right variants x1"))
                .and(predicate::str::contains("no right variants for double"))
                .and(predicate::str::contains("right/").not()),
        );
}

#[test]
fn only_rs_files_are_right_variants() {
    with_right_variants(&["scoped"])
        .write("checker/hidden/right/double/notes.md", "not a variant")
        .args(["verify", "--repeat", "1"])
        .run()
        .code(0)
        .stdout(
            predicate::str::contains("1 right variant x1")
                .and(predicate::str::contains("notes").not()),
        );
}

/// A learner directory has no `checker/hidden/`: verify takes the bundled
/// course's correct variants from the binary.
#[test]
fn verify_in_a_learner_directory_runs_the_embedded_right_variants() {
    let name = "spawn1_closure";
    let dir = repo().join("checker/hidden/right").join(name);
    let mut variants: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            name.ends_with(".rs").then_some(name)
        })
        .collect();
    variants.sort();
    assert!(!variants.is_empty(), "{name} has no correct variants");
    let assert = Test::learner_dir().run_args(["verify", name, "--repeat", "1"]);
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    for variant in &variants {
        line_of(&stdout, &format!("right/{name}/{variant}"));
    }
    assert!(
        stdout.contains(&format!("{} right variants x1", variants.len())),
        "{stdout}"
    );
}
