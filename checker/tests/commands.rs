//! hint, list, reset, check and verify on fixture courses.

use predicates::prelude::*;

use crate::harness::Test;

#[test]
fn hint_prints_the_hint_of_the_current_exercise() {
    Test::new("good")
        .args(["hint"])
        .run()
        .code(0)
        .stdout(predicate::str::contains(
            "Multiply by two on another thread.",
        ));
}

#[test]
fn list_marks_the_current_exercise_and_progress() {
    let test = Test::new("good");
    test.run_args(["list"]).code(0).stdout(
        predicate::str::contains("> double")
            .and(predicate::str::contains("pending"))
            .and(predicate::str::contains("0/1 done")),
    );
    let test = test.copy("solutions/basics/double.rs", "exercises/basics/double.rs");
    test.run_args(["run"]).code(0);
    test.run_args(["list"])
        .code(0)
        .stdout(predicate::str::contains("done").and(predicate::str::contains("1/1 done")));
}

#[test]
fn a_damaged_state_file_is_reported_not_fatal() {
    Test::new("good")
        .write(".threadlings-state", "{\"done\": [")
        .args(["list"])
        .run()
        .code(0)
        .stderr(predicate::str::contains("damaged"));
}

#[test]
fn check_runs_everything_and_records_progress() {
    let test = Test::new("good");
    test.run_args(["check"])
        .code(1)
        .stdout(predicate::str::contains("0/1 passed"));
    let test = test.copy("solutions/basics/double.rs", "exercises/basics/double.rs");
    test.run_args(["check"])
        .code(0)
        .stdout(predicate::str::contains("1/1 passed"));
    assert!(test.read(".threadlings-state").contains("\"double\""));
}

#[test]
fn verify_accepts_a_consistent_course() {
    Test::new("good")
        .args(["verify", "--repeat", "3"])
        .run()
        .code(0)
        .stdout(
            predicate::str::contains("course verified").and(predicate::str::contains("passed 3/3")),
        );
}

#[test]
fn verify_rejects_a_wrong_solution_a_passing_shipped_file_and_a_passing_wrong_answer() {
    let wrong = std::fs::read_to_string(crate::harness::fixtures().join("answers/wrong_result.rs"))
        .unwrap();
    Test::new("good")
        .write("solutions/basics/double.rs", &wrong)
        .args(["verify", "--repeat", "2"])
        .run()
        .code(1)
        .stdout(predicate::str::contains("BAD").and(predicate::str::contains("passed 0/2")));
    Test::new("good")
        .copy("solutions/basics/double.rs", "exercises/basics/double.rs")
        .args(["verify", "--repeat", "1"])
        .run()
        .code(1)
        .stdout(predicate::str::contains("as shipped: pass"));
    Test::new("good")
        .copy(
            "solutions/basics/double.rs",
            "checker/hidden/wrong/double/adds_two.rs",
        )
        .args(["verify", "--repeat", "1"])
        .run()
        .code(1)
        .stdout(predicate::str::contains("failed 0/1"));
}

#[test]
fn verify_demands_a_known_wrong_answer_per_exercise() {
    let test = Test::new("good");
    std::fs::remove_dir_all(test.path().join("checker/hidden/wrong")).unwrap();
    test.args(["verify", "--repeat", "1"])
        .run()
        .code(1)
        .stdout(predicate::str::contains("no known-wrong answer"));
}

/// What no hidden test sees is checked too, before anything is compiled:
/// each problem is named with its file, and verify fails.
#[test]
fn verify_demands_a_hint_a_chapter_readme_and_a_rustfmt_clean_solution() {
    let solution = crate::harness::fixtures().join("good/solutions/basics/double.rs");
    let messy = std::fs::read_to_string(solution)
        .unwrap()
        .replacen("pub fn ", "pub  fn ", 1);
    let test = Test::new("good")
        .write(
            "info.toml",
            "format_version = 1\nwelcome_message = \"w\"\nfinal_message = \"f\"\n\n\
             [[exercises]]\nname = \"double\"\ndir = \"basics\"\nhint = \"  \"\n",
        )
        .write("solutions/basics/double.rs", &messy);
    std::fs::remove_file(test.path().join("exercises/basics/README.md")).unwrap();
    test.args(["verify", "--repeat", "1"]).run().code(1).stdout(
        predicate::str::contains("double: info.toml gives it no hint")
            .and(predicate::str::contains(
                "chapter basics: exercises/basics/README.md is missing",
            ))
            .and(predicate::str::contains(
                "solutions/basics/double.rs is not rustfmt-clean",
            )),
    );
}
