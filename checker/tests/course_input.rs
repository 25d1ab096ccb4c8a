//! Bad input: a clear error naming the file and line, exit code 2, and
//! nothing run.

use predicates::prelude::*;

use crate::harness::Test;

#[test]
fn unknown_field_names_file_line_and_field() {
    Test::new("bad_unknown_field")
        .args(["list"])
        .run()
        .code(2)
        .stderr(predicate::str::contains("info.toml:7:").and(predicate::str::contains("colour")));
}

#[test]
fn duplicate_name_names_both_lines() {
    Test::new("bad_duplicate")
        .args(["list"])
        .run()
        .code(2)
        .stderr(
            predicate::str::contains("info.toml:9:")
                .and(predicate::str::contains("used twice (first at line 3)")),
        );
}

#[test]
fn toml_syntax_error_names_the_line() {
    Test::new("bad_syntax")
        .args(["run"])
        .run()
        .code(2)
        .stderr(predicate::str::contains("info.toml:5:"));
}

#[test]
fn missing_hidden_test_file_is_named_with_the_exercise_line() {
    Test::new("missing_hidden")
        .args(["run", "double"])
        .run()
        .code(2)
        .stderr(predicate::str::contains(
            "info.toml:3: exercise `double`: file checker/hidden/double.rs is missing",
        ));
}

#[test]
fn missing_exercise_file_is_named() {
    let test = Test::new("good");
    std::fs::remove_file(test.path().join("exercises/basics/double.rs")).unwrap();
    test.args(["list"])
        .run()
        .code(2)
        .stderr(predicate::str::contains(
            "file exercises/basics/double.rs is missing",
        ));
}

#[test]
fn unknown_exercise_name_lists_the_real_ones() {
    Test::new("good")
        .args(["run", "nosuch"])
        .run()
        .code(2)
        .stderr(
            predicate::str::contains("no exercise `nosuch`")
                .and(predicate::str::contains("double")),
        );
}

#[test]
fn a_directory_without_info_toml_is_refused() {
    let empty = tempfile::tempdir().unwrap();
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("threadlings"));
    cmd.arg("--course").arg(empty.path()).arg("list");
    assert_cmd::assert::OutputAssertExt::assert(&mut cmd)
        .code(2)
        .stderr(predicate::str::contains("no info.toml"));
}

#[test]
fn a_missing_rustc_is_explained() {
    Test::new("good")
        .env("RUSTC", "/nonexistent/rustc")
        .args(["run", "double"])
        .run()
        .code(2)
        .stderr(
            predicate::str::contains("cannot run `/nonexistent/rustc`")
                .and(predicate::str::contains("rustup")),
        );
}

#[test]
fn a_too_old_rustc_is_explained() {
    let test = Test::new("good").write(
        "old-rustc",
        "#!/bin/sh\necho 'rustc 1.70.0 (90c541806 2023-05-31)'\necho 'release: 1.70.0'\n",
    );
    let fake = test.path().join("old-rustc");
    std::fs::set_permissions(&fake, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    test.env("RUSTC", fake.to_str().unwrap())
        .args(["run", "double"])
        .run()
        .code(2)
        .stderr(predicate::str::contains("too old").and(predicate::str::contains("1.85")));
}

#[test]
fn watch_without_a_terminal_points_at_run() {
    Test::new("good")
        .args(["watch"])
        .run()
        .code(2)
        .stderr(predicate::str::contains("threadlings run"));
}
