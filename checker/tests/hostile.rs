//! Hostile learner code: each case gets its status in good time, a small
//! report, and leaves nothing running: neither the test process nor any
//! process the learner's code started. Limits are set low (on the command
//! line, or in the fixture's info.toml) so the suite stays quick and safe on
//! a 2-core CI machine.

use crate::harness::{PATIENCE, Test};

pub(crate) struct Judged {
    pub json: serde_json::Value,
    pub test: Test,
}

/// Runs `threadlings run double --json ARGS` on `test`. The verdict must
/// come within PATIENCE (generous, build included: only a checker that
/// fails to stop the learner's code reaches it); the report must be small,
/// valid JSON; the exit code must match the status; and nothing the check
/// started may be left running once it is in.
pub(crate) fn judge_test(test: Test, label: &str, args: &[&str]) -> Judged {
    let mut all = vec!["run", "double", "--json"];
    all.extend(args);
    let assert = test.spawn(&all).finish_within(PATIENCE, label);
    let out = &assert.get_output().stdout;
    assert!(
        out.len() < 10_000,
        "{label}: the report must stay small, got {} bytes",
        out.len()
    );
    let json: serde_json::Value = serde_json::from_slice(out)
        .unwrap_or_else(|e| panic!("{label}: not JSON ({e}): {}", String::from_utf8_lossy(out)));
    let code = assert.get_output().status.code();
    assert_eq!(
        code,
        Some(if json["status"] == "pass" { 0 } else { 1 }),
        "{label}: exit code"
    );
    assert_eq!(
        test.leftover_processes(),
        Vec::<String>::new(),
        "{label}: processes left running"
    );
    // The learner's processes it named on stderr, whether or not the file
    // it recorded them in is still there.
    test.note_children_in_report(&json);
    test.assert_children_die(label);
    Judged { json, test }
}

/// The `good` fixture's exercise replaced by `answer`, judged with a 3 s limit.
fn judge(answer: &str, extra: &[&str]) -> Judged {
    let mut args = vec!["--timeout", "3"];
    args.extend(extra);
    judge_test(Test::new("good").answer(answer), answer, &args)
}

pub(crate) fn assert_status(j: &Judged, status: &str, words: &str) {
    assert_eq!(j.json["status"], status, "{}", j.json);
    let message = j.json["message"].as_str().unwrap();
    assert!(message.contains(words), "expected {words:?} in: {message}");
}

/// A pass, and nothing but a pass: no message, every hidden test passed.
pub(crate) fn assert_clean_pass(j: &Judged) {
    let json = &j.json;
    assert_eq!(json["status"], "pass", "{json}");
    assert_eq!(json["message"], "", "{json}");
    assert_eq!(json["score"], json["max_score"], "{json}");
    let tests = json["tests"].as_array().expect("a list of tests");
    assert!(!tests.is_empty(), "{json}");
    for test in tests {
        assert_eq!(
            (&test["status"], &test["message"]),
            (&"pass".into(), &"".into()),
            "{json}"
        );
    }
}

#[test]
fn a_call_that_never_returns_is_a_timeout_at_its_limit_and_its_processes_die_with_it() {
    // No --timeout: the hang fixture's info.toml sets 2 s.
    let test = Test::new("hang").answer("hangs_with_children");
    let j = judge_test(test, "hangs_with_children", &[]);
    assert_status(&j, "timeout", "still running after 2 s");
    assert_eq!(j.json["limits"]["timeout_secs"], 2);
    // judge_test saw them die; here, that there were some to kill.
    assert_eq!(
        j.test.children().len(),
        2,
        "the answer starts two processes"
    );
}

/// Runs `answer` with this process limit, in seconds.
fn judge_with_limit(answer: &str, secs: &str) -> Judged {
    judge_test(
        Test::new("good").answer(answer),
        answer,
        &["--timeout", secs],
    )
}

/// A process limit far beyond the hidden test's own patience for a learner
/// call (3 s): the test's deadline comes first.
fn judge_patiently(answer: &str) -> Judged {
    judge_with_limit(answer, "30")
}

#[test]
fn an_endless_loop_is_a_timeout_when_the_tests_own_deadline_passes() {
    let j = judge_patiently("busy_loop");
    // The hidden test's words, not the process limit's: it gave up on the
    // call, and that is a timeout, not a failure.
    assert_status(&j, "timeout", "`double(x)` did not return within 3 s");
    assert_eq!(j.json["tests"][0]["status"], "timeout", "{}", j.json);
}

#[test]
fn an_endless_sleep_is_a_timeout_when_the_tests_own_deadline_passes() {
    let j = judge_patiently("sleep_forever");
    assert_status(&j, "timeout", "`double(x)` did not return within 3 s");
}

#[test]
fn an_endless_loop_is_stopped_at_the_process_limit() {
    // With the process limit below the test's patience, the limit stops it.
    let j = judge_with_limit("busy_loop", "1");
    assert_status(&j, "timeout", "still running after 1 s");
}

#[test]
fn a_thread_bomb_is_a_crash_at_the_thread_limit() {
    let j = judge("thread_bomb", &["--max-threads", "64"]);
    assert_status(&j, "crash", "the limit is 64");
    assert_eq!(j.json["limits"]["max_threads"], 64);
}

#[test]
fn a_memory_bomb_is_a_crash_at_the_memory_limit() {
    let j = judge("memory_bomb", &["--max-memory", "200"]);
    assert_status(&j, "crash", "the limit is 200 MiB");
}

#[test]
fn a_stack_overflow_is_a_crash() {
    let j = judge("stack_overflow", &[]);
    assert_status(&j, "crash", "overflowed its stack");
}

#[test]
fn an_abort_is_a_crash() {
    let j = judge("abort", &[]);
    assert_status(&j, "crash", "SIGABRT");
}

#[test]
fn an_output_flood_is_a_crash_at_the_output_limit_with_a_small_report() {
    // At the default limit (1 MiB), none of what was printed reaches the
    // report (judge_test bounds its size).
    let j = judge("flood", &[]);
    assert_status(&j, "crash", "printed more than 1 MiB");
    // A limit from the command line is the one applied.
    let j = judge_test(j.test, "flood", &["--timeout", "3", "--max-output", "4096"]);
    assert_status(&j, "crash", "printed more than 4 KiB");
    assert_eq!(j.json["limits"]["max_output_bytes"], 4096);
}

#[test]
fn noisy_stderr_from_correct_code_passes() {
    // Escapes, invalid UTF-8, a fake JSON verdict and a fake test summary
    // on stderr: a clean pass all the same, in valid JSON (judge_test).
    let j = judge("noisy_pass", &[]);
    assert_clean_pass(&j);
    assert_eq!(j.json["flags"], serde_json::json!([]));
}

#[test]
fn forged_harness_output_fails() {
    let j = judge("forged_report", &[]);
    assert_status(&j, "fail", "std::process::exit");
    // In the sandbox, /proc/self/fd is closed: its line never reaches the
    // report (sandbox.rs checks that too).
    assert_eq!(
        j.json["flags"],
        serde_json::json!(["process_exit", "proc_fs"])
    );
    // Without a sandbox, its line reaches the report file (an open
    // descriptor): the run is flagged for that too, and still fails.
    let test = Test::new("good")
        .answer("forged_report")
        .env("THREADLINGS_SANDBOX", "off");
    let j = judge_test(test, "forged_report without a sandbox", &["--timeout", "3"]);
    assert_status(&j, "fail", "std::process::exit");
    assert_eq!(
        j.json["flags"],
        serde_json::json!(["process_exit", "proc_fs", "report_tampered"])
    );
}

#[test]
fn exit_zero_fails_and_is_flagged() {
    let j = judge("exit0", &[]);
    assert_status(&j, "fail", "std::process::exit");
    assert_eq!(j.json["flags"], serde_json::json!(["process_exit"]));
}

#[test]
fn including_another_file_does_not_compile_and_is_flagged() {
    let j = judge("includes_solution", &[]);
    assert_status(&j, "compile_error", "`include!` is not allowed");
    assert_eq!(j.json["flags"], serde_json::json!(["include_macro"]));
}

#[test]
fn a_process_that_leaves_its_group_is_killed_too() {
    // judge_test waits for the learner's processes to die; here, that
    // there was one, and that the answer passed.
    let j = judge("escapes_group", &[]);
    assert_clean_pass(&j);
    assert_eq!(j.test.children().len(), 1, "the answer starts a process");
}

/// Starts `threadlings run` on an exercise that starts two processes (one
/// in a process group of its own) and then hangs; once they run, sends
/// `signal` to the checker. Returns how the checker ended, once the test
/// process and the learner's processes are gone (after a SIGKILL of the
/// checker, the test process notices its stdin close and takes its
/// children with it).
fn interrupt(signal: nix::sys::signal::Signal) -> (Test, std::process::ExitStatus) {
    let test = Test::new("hang").answer("hangs_with_children");
    let checker = test.spawn(&["run", "double", "--timeout", "60"]);
    test.wait_for_children(2);
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(checker.pid()), signal).unwrap();
    let status = checker.finish().get_output().status;
    crate::harness::wait_until_none(&format!("{signal:?}: left running"), || {
        test.leftover_processes()
    });
    test.assert_children_die(&format!("{signal:?}"));
    (test, status)
}

#[test]
fn ctrl_c_stops_the_checker_and_everything_it_started() {
    let (_, status) = interrupt(nix::sys::signal::Signal::SIGINT);
    assert_eq!(status.code(), Some(130));
}

#[test]
fn sigterm_stops_the_checker_and_everything_it_started() {
    let (_, status) = interrupt(nix::sys::signal::Signal::SIGTERM);
    assert_eq!(status.code(), Some(130));
}

#[test]
fn even_sigkill_of_the_checker_leaves_nothing_running_and_nothing_broken() {
    let (test, status) = interrupt(nix::sys::signal::Signal::SIGKILL);
    assert_eq!(
        std::os::unix::process::ExitStatusExt::signal(&status),
        Some(9)
    );
    // Whatever the killed checker left half-done, the next check works.
    let test = test.copy("solutions/basics/double.rs", "exercises/basics/double.rs");
    test.run_args(["run", "double"]).code(0);
}

#[test]
fn build_products_can_be_deleted_between_runs() {
    let test = Test::new("good").copy("solutions/basics/double.rs", "exercises/basics/double.rs");
    test.run_args(["run", "double"]).code(0);
    std::fs::remove_dir_all(test.path().join("target")).unwrap();
    test.run_args(["run", "double"]).code(0);
    // Only parts of it, too: the support library and the incremental state.
    std::fs::remove_dir_all(test.path().join("target/threadlings/support")).unwrap();
    std::fs::remove_dir_all(test.path().join("target/threadlings/incremental")).unwrap();
    let text = test.read("exercises/basics/double.rs");
    let test = test.write("exercises/basics/double.rs", &format!("{text}// edited\n"));
    test.run_args(["run", "double"]).code(0);
}

#[test]
fn a_file_that_makes_rustc_work_without_end_is_a_compile_error_after_a_bound() {
    let j = judge("compile_bomb", &["--compile-timeout", "1"]);
    assert_status(&j, "compile_error", "rustc did not finish within 1 s");
    assert_eq!(j.json["limits"]["compile_timeout_secs"], 1);
    assert_eq!(
        j.test.processes_naming_the_course(),
        Vec::<String>::new(),
        "rustc left running"
    );
}

#[test]
fn including_another_file_under_another_name_does_not_compile_either() {
    let j = judge("includes_renamed", &[]);
    assert_status(&j, "compile_error", "read another file");
}
