//! What a learner reads: messages and output hold their own code's
//! places, std's in short (`std/src/..`), and nothing of the checker's own
//! (its crates' frames, its build directory, toolchain commit hashes),
//! whatever `RUST_BACKTRACE` their shell sets; sizes in human units.

use predicates::prelude::*;

use crate::harness::Test;

/// What must never reach a learner, in any message or output.
fn assert_nothing_of_ours(text: &str) {
    for ours in [
        "/rustc/",
        "target/threadlings",
        "threadlings_support",
        "threadlings_check",
        "std::sys::",
        "__rust_begin_short_backtrace",
        // std's advice to set a variable that changes nothing in a check.
        "RUST_BACKTRACE=1` environment variable",
    ] {
        assert!(!text.contains(ours), "{ours:?} shown in:\n{text}");
    }
}

#[test]
fn a_panic_in_std_shows_the_learners_frames_and_short_paths_only() {
    // Both variables as a learner's shell may have them: test processes
    // start without `RUST_*`, so neither may add frames or hints.
    let test = Test::new("good")
        .answer("panics_in_std")
        .env("RUST_BACKTRACE", "full")
        .env("RUST_LIB_BACKTRACE", "1");
    let assert = test.run_args(["run", "double", "--json"]).code(1);
    let json: serde_json::Value =
        serde_json::from_slice(&assert.get_output().stdout).expect("valid JSON");
    let text = json.to_string();
    assert_nothing_of_ours(&text);
    let output = json["tests"][0]["output"]
        .as_str()
        .expect("the test's output");
    // The learner's own frame and places stay; std's place is short.
    assert!(output.contains("0: learner::double"), "{output}");
    assert!(output.contains("panicked at core/src/time.rs:"), "{output}");
    assert!(
        output.contains("panicked at exercises/basics/double.rs:"),
        "{output}"
    );
    assert!(
        output.contains("exe: Ok(\"[threadlings]/double\")"),
        "{output}"
    );
    let assert = test.run_args(["run", "double"]).code(1);
    let human = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    assert_nothing_of_ours(&human);
    assert!(human.contains("`double(x)` panicked"), "{human}");
}

#[test]
fn rustc_notes_into_std_name_std_s_file_without_the_toolchain_hash() {
    let assert = Test::new("good")
        .answer("not_send")
        .args(["run", "double"])
        .run()
        .code(1)
        .stdout(predicate::str::contains(
            "cannot be sent between threads safely",
        ));
    let text = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    assert_nothing_of_ours(&text);
    assert!(text.contains("--> std/src/thread/"), "{text}");
}

#[test]
fn the_output_limit_reads_in_human_units() {
    let test = Test::new("good").answer("flood");
    test.run_args(["run", "double"])
        .code(1)
        .stdout(predicate::str::contains(
            "printed more than 1 MiB and was stopped",
        ));
    test.run_args(["run", "double", "--json", "--max-output", "1572864"])
        .code(1)
        .stdout(predicate::str::contains(
            "printed more than 1.5 MiB and was stopped",
        ));
}
