//! Telling a test run from a real run (issue 9, class 5): the learner's file
//! is a crate of its own, which cannot name the checker's items, and a test
//! process is started like the learner's program (same arguments,
//! environment and directory), so learner code cannot tell them apart.

use crate::harness::Test;

/// `threadlings run NAME --json` on `test`, its exit code checked against
/// the status.
fn verdict(test: &Test, name: &str) -> serde_json::Value {
    let assert = test.run_args(["run", name, "--json"]);
    let out = assert.get_output();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)));
    let passed = json["status"] == "pass";
    assert_eq!(
        out.status.code(),
        Some(if passed { 0 } else { 1 }),
        "{json}"
    );
    json
}

fn message(json: &serde_json::Value) -> &str {
    json["message"].as_str().expect("a message")
}

/// The `disguise` fixture with `variant` (from its `variants/`) as the
/// learner's file, run from an environment like a learner's `cargo run`:
/// cargo's variables and ours set, and one of the learner's own.
fn observer(variant: Option<&str>) -> serde_json::Value {
    let mut test = Test::new("disguise")
        .env("CARGO_PKG_NAME", "threadlings")
        .env("CARGO_MANIFEST_DIR", "/somewhere/checker")
        .env("THREADLINGS_PROBE", "1")
        .env("RUST_BACKTRACE", "1")
        .env("LEARNER_OWN", "kept");
    if let Some(variant) = variant {
        test = test.copy(
            &format!("variants/{variant}.rs"),
            "exercises/basics/observer.rs",
        );
    }
    verdict(&test, "observer")
}

#[test]
fn learner_code_sees_the_same_in_a_test_as_in_its_program() {
    let json = observer(None);
    assert_eq!(json["status"], "pass", "{json}");
    let tests = json["tests"].as_array().expect("tests");
    assert_eq!(tests.len(), 3, "{json}");
}

#[test]
fn a_difference_between_test_and_program_would_be_caught() {
    // The negative control: an answer that adds its process id to what it
    // observed differs between any two processes, and the test says so.
    let json = observer(Some("differs"));
    assert_eq!(json["status"], "fail", "{json}");
    assert!(
        message(&json).contains("the test differs from the program"),
        "{json}"
    );
}

#[test]
fn the_test_binary_knows_whether_the_file_uses_scope() {
    let json = observer(Some("scoped"));
    assert_eq!(json["status"], "pass", "{json}");
}

#[test]
fn learner_code_cannot_name_the_checker_s_items() {
    for (answer, words) in [
        ("names_hidden_tests", "hidden"),
        ("names_support_module", "support"),
        ("names_support_crate", "threadlings_support"),
    ] {
        let json = verdict(&Test::new("good").answer(answer), "double");
        assert_eq!(json["status"], "compile_error", "{answer}: {json}");
        let message = message(&json);
        // rustc's own words, about the learner's own file.
        assert!(
            message.contains(words) && message.contains("exercises/basics/double.rs"),
            "{answer}: {message}"
        );
        assert!(
            !message.contains("cannot use it"),
            "{answer}: the learner's error, not the tests': {message}"
        );
    }
}

#[test]
fn a_private_function_the_tests_call_is_explained() {
    let json = verdict(&Test::new("good").answer("private_fn"), "double");
    assert_eq!(json["status"], "compile_error", "{json}");
    let message = message(&json);
    assert!(
        message.contains("the hidden tests cannot use it") && message.contains("private"),
        "{message}"
    );
}
