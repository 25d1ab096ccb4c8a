//! The verdict cache: answers `run` instantly when nothing changed, and never
//! when anything that decides the verdict did. The `counted` fixture's hidden
//! test appends a line to runs.log each time it really runs.

use crate::harness::Test;

fn runs(test: &Test) -> usize {
    std::fs::read_to_string(test.path().join("runs.log")).map_or(0, |log| log.lines().count())
}

fn solved() -> Test {
    Test::new("counted").copy("solutions/basics/double.rs", "exercises/basics/double.rs")
}

#[test]
fn an_unchanged_exercise_is_answered_from_the_cache() {
    let test = solved();
    test.run_args(["run", "double"]).code(0);
    test.run_args(["run", "double"]).code(0);
    assert_eq!(runs(&test), 1);
    // A failing verdict is cached as well, and still fails.
    let test = Test::new("counted");
    test.run_args(["run", "double"]).code(1);
    test.run_args(["run", "double"]).code(1);
    assert_eq!(runs(&test), 1);
}

#[test]
fn editing_the_learners_file_invalidates_it() {
    let test = solved();
    test.run_args(["run", "double"]).code(0);
    let text = test.read("exercises/basics/double.rs");
    let test = test.write("exercises/basics/double.rs", &format!("{text}// an edit\n"));
    test.run_args(["run", "double"]).code(0);
    assert_eq!(runs(&test), 2);
}

#[test]
fn changing_the_hidden_tests_invalidates_it() {
    let test = solved();
    test.run_args(["run", "double"]).code(0);
    let hidden = test.read("checker/hidden/double.rs");
    let test = test.write(
        "checker/hidden/double.rs",
        &format!("{hidden}// a new hidden test version\n"),
    );
    test.run_args(["run", "double"]).code(0);
    assert_eq!(runs(&test), 2);
}

#[test]
fn changing_limits_in_info_toml_or_the_command_line_invalidates_it() {
    let test = solved();
    test.run_args(["run", "double"]).code(0);
    let info = test.read("info.toml");
    let test = test.write("info.toml", &format!("{info}timeout_secs = 7\n"));
    test.run_args(["run", "double"]).code(0);
    assert_eq!(runs(&test), 2);
    test.run_args(["run", "double", "--max-threads", "100"])
        .code(0);
    assert_eq!(runs(&test), 3);
}

#[test]
fn a_different_toolchain_invalidates_it() {
    let test = solved();
    test.run_args(["run", "double"]).code(0);
    // The same rustc, reporting another version: as after `rustup update`.
    let test = test.write(
        "other-rustc",
        "#!/bin/sh\nif [ \"$1\" = \"-vV\" ]; then rustc -vV | sed 's/^rustc \\(.*\\)/rustc \\1 (updated)/'; else exec rustc \"$@\"; fi\n",
    );
    let fake = test.path().join("other-rustc");
    std::fs::set_permissions(&fake, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let test = test.env("RUSTC", fake.to_str().unwrap());
    test.run_args(["run", "double"]).code(0);
    assert_eq!(runs(&test), 2);
}

#[test]
fn verify_never_answers_from_the_cache() {
    let test = solved();
    test.run_args(["run", "double"]).code(0);
    test.run_args(["run", "double"]).code(0);
    assert_eq!(runs(&test), 1);
    let test = test.copy("solutions/basics/double.rs", "exercises/basics/double.rs");
    // The shipped file is the solution here, so verify reports a problem;
    // what matters is that every repetition really ran.
    test.run_args(["verify", "--repeat", "3"]);
    // shipped (1) + solution x3 + wrong answer x1, each one test run.
    assert_eq!(runs(&test), 1 + 1 + 3 + 1);
}

#[test]
fn a_cached_verdict_takes_the_points_info_toml_gives_now() {
    let test = solved();
    let first = test.run_args(["run", "double", "--json"]).code(0);
    let json: serde_json::Value = serde_json::from_slice(&first.get_output().stdout).unwrap();
    assert_eq!(json["max_score"], 1.0);
    let info = test.read("info.toml");
    let test = test.write("info.toml", &format!("{info}points = 3\n"));
    let again = test.run_args(["run", "double", "--json"]).code(0);
    let json: serde_json::Value = serde_json::from_slice(&again.get_output().stdout).unwrap();
    assert_eq!(
        (json["score"].clone(), json["max_score"].clone()),
        (3.0.into(), 3.0.into())
    );
    assert_eq!(runs(&test), 1, "answered from the cache");
}

#[test]
fn a_failure_the_tests_did_not_report_is_not_cached() {
    // exit(0) ends the program before the test reports: checked again.
    let test = Test::new("counted").answer("exit0");
    test.run_args(["run", "double"]).code(1);
    test.run_args(["run", "double"]).code(1);
    assert_eq!(runs(&test), 2);
}

/// Test binaries link the support library as a shared library where the
/// toolchain's std is one: a binary whose library was removed from the
/// cache cannot start, so it is built again, never run.
#[test]
fn a_binary_whose_support_library_is_gone_is_built_again() {
    let test = solved();
    test.run_args(["run", "double"]).code(0);
    // The first build in a fresh cache finds where the toolchain is (and so
    // its shared std) meanwhile: the second build links to it.
    let text = test.read("exercises/basics/double.rs");
    let test = test.write("exercises/basics/double.rs", &format!("{text}// an edit\n"));
    test.run_args(["run", "double"]).code(0);
    let cache = test.path().join("target/threadlings");
    let support = cache.join("support");
    let shared = std::fs::read_dir(&support)
        .unwrap()
        .flatten()
        .any(|dir| dir.path().join("libthreadlings_support.so").is_file());
    // Rust's own toolchains for Linux ship std as a shared library.
    assert_eq!(
        shared,
        cfg!(target_os = "linux"),
        "the support library is shared exactly where std is"
    );
    // Without its verdict, the next run needs the binary itself.
    std::fs::remove_dir_all(cache.join("verdicts")).unwrap();
    std::fs::remove_dir_all(&support).unwrap();
    test.run_args(["run", "double"]).code(0);
    assert_eq!(runs(&test), 3);
}

/// `rustc -vV` (through rustup's proxy, about 18 ms of every check) runs
/// only when something that chooses the compiler changed since the last
/// run that asked: here, the rustc that RUSTC names is rewritten.
#[test]
fn the_toolchain_is_asked_again_only_when_what_chooses_it_changed() {
    let test = solved();
    let log = test.path().join("asked.log");
    let script = |marker: &str| {
        format!(
            "#!/bin/sh\n# {marker}\nif [ \"$1\" = \"-vV\" ]; then echo asked >> '{}'; fi\nexec rustc \"$@\"\n",
            log.display()
        )
    };
    let test = test.write("wrapped-rustc", &script("first"));
    let wrapper = test.path().join("wrapped-rustc");
    std::fs::set_permissions(
        &wrapper,
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let test = test.env("RUSTC", wrapper.to_str().unwrap());
    let asked = || std::fs::read_to_string(&log).map_or(0, |log| log.lines().count());
    test.run_args(["run", "double"]).code(0);
    assert_eq!(asked(), 1, "the first run asks");
    let text = test.read("exercises/basics/double.rs");
    let test = test.write("exercises/basics/double.rs", &format!("{text}// an edit\n"));
    test.run_args(["run", "double"]).code(0);
    assert_eq!(runs(&test), 2, "the edit was checked");
    assert_eq!(asked(), 1, "nothing that chooses the compiler changed");
    let test = test.write("wrapped-rustc", &script("second, a little longer"));
    test.run_args(["run", "double"]).code(0);
    assert_eq!(asked(), 2, "the rustc named changed");
}
