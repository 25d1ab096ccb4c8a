//! Checking one exercise: the verdicts of honest answers, right or wrong,
//! and the messages that explain them. Hostile answers (hangs, floods,
//! forged reports, exit(0), aborts, noisy stderr) are in hostile.rs.

use predicates::prelude::*;

use crate::harness::Test;

#[test]
fn the_shipped_exercise_fails_with_the_tests_message() {
    Test::new("good")
        .args(["run", "double"])
        .run()
        .code(1)
        .stdout(
            predicate::str::contains("✗ double: fail").and(predicate::str::contains("returned")),
        );
}

#[test]
fn the_solution_passes_and_is_recorded() {
    let test = Test::new("good").copy("solutions/basics/double.rs", "exercises/basics/double.rs");
    test.run_args(["run", "double"])
        .code(0)
        .stdout(predicate::str::contains("✓ double passed"));
    assert!(test.read(".threadlings-state").contains("\"double\""));
}

#[test]
fn compile_errors_show_rustc_pointing_at_the_learners_file() {
    Test::new("good")
        .answer("compile_error")
        .args(["run", "double"])
        .run()
        .code(1)
        .stdout(
            predicate::str::contains("error[E0308]")
                .and(predicate::str::contains(
                    "--> exercises/basics/double.rs:5:5",
                ))
                .and(predicate::str::contains("[threadlings]").not()),
        );
}

#[test]
fn a_changed_signature_is_explained() {
    Test::new("good")
        .answer("signature_changed")
        .args(["run", "double"])
        .run()
        .code(1)
        .stdout(predicate::str::contains("the hidden tests cannot use it"));
}

#[test]
fn inner_attributes_work_as_in_a_plain_file() {
    Test::new("good")
        .answer("inner_attribute")
        .args(["run", "double"])
        .run()
        .code(0);
}

#[test]
fn json_verdicts_have_the_report_shape_and_the_limits() {
    let assert = Test::new("good")
        .answer("wrong_result")
        .args(["run", "double", "--json", "--timeout", "7"])
        .run()
        .code(1);
    let json: serde_json::Value =
        serde_json::from_slice(&assert.get_output().stdout).expect("valid JSON");
    for key in [
        "name",
        "status",
        "score",
        "max_score",
        "duration_ms",
        "message",
        "flags",
        "tests",
        "limits",
    ] {
        assert!(json.get(key).is_some(), "missing {key}: {json}");
    }
    assert_eq!(json["status"], "fail");
    assert_eq!(json["flags"], serde_json::json!([]));
    assert_eq!(json["tests"][0]["name"], "doubles_random_numbers");
    assert_eq!(json["tests"][0]["status"], "fail");
    assert!(
        json["tests"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("returned")),
        "{json}"
    );
    assert_eq!(json["limits"]["timeout_secs"], 7);
}

#[test]
fn a_compile_error_right_after_a_pass_still_points_at_the_learners_file() {
    // After a pass the quick standalone check is skipped; the message must
    // be the same rustc diagnostics.
    let test = Test::new("good").copy("solutions/basics/double.rs", "exercises/basics/double.rs");
    test.run_args(["run", "double"]).code(0);
    let test = test.answer("compile_error");
    test.run_args(["run", "double"]).code(1).stdout(
        predicate::str::contains("error[E0308]")
            .and(predicate::str::contains(
                "--> exercises/basics/double.rs:5:5",
            ))
            .and(predicate::str::contains("[threadlings]").not()),
    );
    let test = test.answer("signature_changed");
    test.run_args(["run", "double"])
        .code(1)
        .stdout(predicate::str::contains("the hidden tests cannot use it"));
}

#[test]
fn a_main_that_returns_a_result_is_fine() {
    Test::new("good")
        .answer("main_returns_result")
        .args(["run", "double"])
        .run()
        .code(0);
}
