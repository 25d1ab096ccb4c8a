//! Two threadlings processes on one course at once (a learner's watch mode
//! and a `run` from the editor, say): each gets the right verdict, neither
//! loses the other's progress, and the build products they share stay
//! usable.

use std::time::{Duration, Instant};

use crate::harness::{PATIENCE, Test};

fn done(test: &Test) -> serde_json::Value {
    let state: serde_json::Value =
        serde_json::from_str(&test.read(".threadlings-state")).expect("valid JSON");
    state["done"].clone()
}

/// The status `check` printed for `name` (its lines: name, status, path).
fn checked_status(stdout: &[u8], name: &str) -> String {
    let stdout = String::from_utf8_lossy(stdout);
    let words = stdout
        .lines()
        .map(|line| line.split_whitespace().collect::<Vec<_>>())
        .find(|words| words.first() == Some(&name))
        .unwrap_or_else(|| panic!("no line for {name} in:\n{stdout}"));
    words.get(1).map_or_else(String::new, |s| (*s).to_string())
}

#[test]
fn two_runs_of_different_exercises_at_once_both_record_their_pass() {
    let test = Test::new("gated")
        .copy("solutions/basics/double.rs", "exercises/basics/double.rs")
        .copy("solutions/basics/triple.rs", "exercises/basics/triple.rs");
    for round in 1..=ROUNDS {
        // Nothing recorded yet; both hidden tests wait at their gates, and
        // are let go together: both processes then read the state, add
        // their exercise and write it back at about the same moment.
        let _ = std::fs::remove_file(test.path().join(".threadlings-state"));
        for name in ["double", "triple"] {
            let _ = std::fs::remove_file(test.path().join(format!("open-{name}")));
        }
        // A new time limit each round: the binaries are reused, the
        // cached verdicts are not (a cached verdict skips the gate).
        let timeout = (90 + round).to_string();
        std::thread::scope(|s| {
            for name in ["double", "triple"] {
                let (test, timeout) = (&test, &timeout);
                s.spawn(move || test.run_args(["run", name, "--timeout", timeout]).code(0));
            }
            test.wait_started("double", round);
            test.wait_started("triple", round);
            test.open_gate("double");
            test.open_gate("triple");
        });
        assert_eq!(
            done(&test),
            serde_json::json!(["double", "triple"]),
            "round {round}: an update was lost"
        );
    }
}

/// How many times the two processes race to the state.
const ROUNDS: usize = 5;

#[test]
fn check_and_run_at_once_give_the_right_verdicts_and_leave_everything_usable() {
    // double is solved, triple is not; nothing is built yet, so both
    // processes build the support library and the binaries at once.
    let test = Test::new("gated").copy("solutions/basics/double.rs", "exercises/basics/double.rs");
    let mut check = test.spawn(&["check"]);
    let mut run = test.spawn(&["run", "double", "--json"]);
    // Proof that they overlap: double's hidden test waits at its gate in
    // both processes at the same time. (A checker that fails to get there
    // ends, or waits at another gate: the deadline is for that.)
    let started = Instant::now();
    while test.started("double") < 2
        && !check.has_ended()
        && !run.has_ended()
        && started.elapsed() < PATIENCE
    {
        std::thread::sleep(Duration::from_millis(20));
    }
    let overlapped = test.started("double") == 2;
    test.open_gate("double");
    test.open_gate("triple");
    let (check, run) = (check.finish(), run.finish());
    assert!(
        overlapped,
        "double's hidden test did not run in both checkers at once; they said:\n{check}\n{run}"
    );

    let check = check.code(1);
    let stdout = &check.get_output().stdout;
    assert_eq!(checked_status(stdout, "double"), "pass");
    assert_eq!(checked_status(stdout, "triple"), "fail");
    assert!(
        String::from_utf8_lossy(stdout).contains("1/2 passed"),
        "{}",
        String::from_utf8_lossy(stdout)
    );
    let run = run.code(0);
    let json: serde_json::Value =
        serde_json::from_slice(&run.get_output().stdout).expect("valid JSON");
    assert_eq!(
        (&json["name"], &json["status"], &json["message"]),
        (&"double".into(), &"pass".into(), &"".into()),
        "{json}"
    );
    assert_eq!(done(&test), serde_json::json!(["double"]));
    assert_eq!(test.started("double"), 2, "each process ran its own test");

    // What they left behind serves the next checks: a new version of
    // triple builds and passes, and the whole course checks.
    let test = test.copy("solutions/basics/triple.rs", "exercises/basics/triple.rs");
    test.run_args(["run", "triple"]).code(0);
    let check = test.run_args(["check"]).code(0);
    assert_eq!(checked_status(&check.get_output().stdout, "triple"), "pass");
    assert_eq!(done(&test), serde_json::json!(["double", "triple"]));
}
