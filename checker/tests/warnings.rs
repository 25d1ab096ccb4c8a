//! rustc's warnings about the learner's file: shown after the verdict
//! (dimmed in colour), in `run --json` as `warnings`, kept by the verdict
//! cache, never deciding the verdict, and never about the hidden tests.

use crate::harness::Test;

const WARNING: &str = "warning: unused variable: `unused`";

fn stdout(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stdout).into_owned()
}

/// The verdicts the course's cache holds, as text.
fn cached_verdicts(test: &Test) -> String {
    let dir = test.path().join("target/threadlings/verdicts");
    std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| std::fs::read_to_string(e.path()).ok())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn warnings_follow_a_pass_and_come_back_from_the_verdict_cache() {
    let test = Test::new("good").answer("unused_variable");
    // The second run answers from the verdict cache: the warnings must
    // have been kept there.
    for run in ["fresh", "cached"] {
        let out = stdout(&test.run_args(["run", "double"]).code(0));
        let passed = out.find("✓ double passed").expect("a pass");
        let warned = out
            .find(WARNING)
            .unwrap_or_else(|| panic!("{run}: no warning in\n{out}"));
        assert!(
            passed < warned,
            "{run}: the warning comes after the verdict:\n{out}"
        );
        assert!(
            out.contains("--> exercises/basics/double.rs:5:9"),
            "{run}: {out}"
        );
        // ANSI-coloured there, as rustc rendered it.
        assert!(cached_verdicts(&test).contains("unused variable"), "{run}");
    }
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&test.run_args(["run", "double", "--json"]).code(0)))
            .expect("valid JSON");
    assert_eq!(json["status"], "pass");
    let warnings = json["warnings"].as_str().expect("warnings in JSON");
    assert!(
        warnings.starts_with(WARNING) && !warnings.contains('\x1b'),
        "{warnings}"
    );
}

#[test]
fn warnings_are_dimmed_when_colour_is_on() {
    let test = Test::new("good")
        .answer("unused_variable")
        .env("NO_COLOR", "")
        .env("CLICOLOR_FORCE", "1");
    let out = stdout(&test.run_args(["run", "double"]).code(0));
    assert!(out.contains(&format!("\x1b[2m{WARNING}\x1b[0m")), "{out:?}");
}

#[test]
fn a_file_without_warnings_shows_none_and_the_hidden_tests_never_do() {
    // The hidden tests and the code around them warn too (an unused
    // variable, an unused function): those are ours, not the learner's.
    let hidden = "checker/hidden/double.rs";
    let test = Test::new("good").copy("solutions/basics/double.rs", "exercises/basics/double.rs");
    let noisy = test.read(hidden).replace(
        "let x = random_between",
        "let unused = 1;\n    let x = random_between",
    ) + "\nfn never_called() {}\n";
    let test = test.write(hidden, &noisy);
    let out = stdout(&test.run_args(["run", "double"]).code(0));
    assert!(!out.contains("warning"), "{out}");
    let out = stdout(&test.run_args(["run", "double", "--json"]).code(0));
    let json: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    assert!(json.get("warnings").is_none(), "{json}");
}
