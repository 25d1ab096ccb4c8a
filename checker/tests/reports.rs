//! What a verdict carries for tools: per-test durations and output in
//! `run --json`.

use crate::harness::Test;

fn run_json(answer: &str, code: i32) -> serde_json::Value {
    let assert = Test::new("good")
        .answer(answer)
        .args(["run", "double", "--json"])
        .run()
        .code(code);
    serde_json::from_slice(&assert.get_output().stdout).expect("valid JSON")
}

#[test]
fn each_test_has_its_duration_within_the_exercises() {
    let json = run_json("noisy_pass", 0);
    let total = json["duration_ms"]
        .as_u64()
        .expect("the exercise's duration");
    let tests = json["tests"].as_array().expect("tests");
    assert!(!tests.is_empty(), "{json}");
    for test in tests {
        let ms = test["duration_ms"].as_u64().expect("a test's duration_ms");
        // A test is a process of its own: it takes some time, never more
        // than the whole check.
        assert!(ms > 0 && ms <= total, "{ms} of {total}: {json}");
    }
}

#[test]
fn each_test_keeps_the_end_of_what_it_printed_without_escapes() {
    let json = run_json("noisy_pass", 0);
    let output = json["tests"][0]["output"]
        .as_str()
        .expect("the test's output");
    assert!(output.contains("test result: FAILED"), "{output}");
    assert!(!output.contains('\x1b'), "{output}");
    // What the learner's code printed never changes the verdict.
    assert_eq!(json["status"], "pass");
    assert_eq!(json["tests"][0]["status"], "pass");
}
