//! The kernel sandbox around learner code (Landlock and seccomp): hostile
//! answers that try to get out of it. Each answer returns the right result
//! only if its escape worked, so a verdict other than `pass` means the
//! kernel refused it; and each test checks that the escape left no trace
//! outside the run (no file written, no connection made), and that the
//! report says the sandbox was in place.
//!
//! Every escape works without the sandbox: run these against a checker
//! without it, and each answer passes. Learner files cannot use `unsafe`
//! (they are compiled with `-F unsafe_code`), so what only `unsafe` code
//! could try (a raw `kill`, `ptrace`, `process_vm_readv`) is tested on the
//! sandbox step's own rules instead (`sandbox::enter`'s unit tests).

use std::collections::BTreeMap;
use std::path::Path;

use crate::harness::Test;
use crate::hostile::{Judged, assert_clean_pass, assert_status, judge_test};

/// Judges `test` (its exercise replaced by the answer `label`) with a
/// process limit well above the hidden test's own patience (3 s).
fn judge_escape(test: Test, label: &str) -> Judged {
    judge_test(test, label, &["--timeout", "10"])
}

/// The escape did not make a pass.
fn assert_refused(j: &Judged, label: &str) {
    assert_ne!(
        j.json["status"], "pass",
        "{label}: the escape worked, the answer passed: {}",
        j.json
    );
}

/// What the tests printed, together: the answers say on stderr how each
/// attempt went (`WHAT: ok` when it worked).
fn output(j: &Judged) -> String {
    j.json["tests"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t["output"].as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

/// None of the attempts the answer names in `attempts` printed `ok`: each
/// was refused (or the process was stopped at it, before it printed).
fn assert_no_attempt_worked(j: &Judged, label: &str, attempts: &[&str]) {
    let output = output(j);
    for attempt in attempts {
        assert!(
            !output.contains(&format!("{attempt}: ok")),
            "{label}: {attempt} worked: {output}"
        );
    }
}

/// The report says the test ran under the sandbox: Landlock (its ABI
/// version) and seccomp.
fn assert_sandboxed(j: &Judged, label: &str) {
    let json = &j.json;
    assert!(
        json["sandbox"].is_object(),
        "{label}: no sandbox in the report: {json}"
    );
    assert!(
        json["sandbox"]["landlock"]
            .as_u64()
            .is_some_and(|abi| abi >= 1),
        "{label}: no Landlock: {json}"
    );
    assert_eq!(
        json["sandbox"]["seccomp"], true,
        "{label}: no seccomp: {json}"
    );
}

#[test]
fn reads_solution_relative() {
    // Runs happen outside the course now, so relative paths miss it even
    // without the sandbox; `reads_solution_absolute` is the one Landlock
    // alone stops.
    let label = "reads_solution_relative";
    let j = judge_escape(Test::new("good").answer(label), label);
    assert_refused(&j, label);
    assert_no_attempt_worked(
        &j,
        label,
        &["solutions/basics/double.rs", "checker/hidden/double.rs"],
    );
    assert_sandboxed(&j, label);
}

#[test]
fn reads_solution_absolute() {
    let label = "reads_solution_absolute";
    let test = Test::new("good").answer(label);
    let course = test.path().to_string_lossy().into_owned();
    let j = judge_escape(test, label);
    assert_refused(&j, label);
    assert_no_attempt_worked(
        &j,
        label,
        &[
            &format!("read {course}/solutions/basics/double.rs"),
            &format!("read {course}/checker/hidden/double.rs"),
        ],
    );
    assert_sandboxed(&j, label);
}

/// Every file of the course outside `target/` with its contents, but the
/// checker's own progress files.
fn course_files(course: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, files: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir)
            .expect("a course directory")
            .flatten()
        {
            let path = entry.path();
            let rel = path
                .strip_prefix(root)
                .expect("inside the course")
                .to_string_lossy()
                .into_owned();
            if rel == "target" || rel.starts_with(".threadlings-state") {
                continue;
            }
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                walk(root, &path, files);
            } else {
                files.insert(rel, std::fs::read(&path).unwrap_or_default());
            }
        }
    }
    let mut files = BTreeMap::new();
    walk(course, course, &mut files);
    files
}

/// The files that appeared, went or changed between two `course_files`.
fn changes(before: &BTreeMap<String, Vec<u8>>, after: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let mut changed = Vec::new();
    for (name, contents) in after {
        match before.get(name) {
            None => changed.push(format!("new: {name}")),
            Some(old) if old != contents => changed.push(format!("changed: {name}")),
            Some(_) => {}
        }
    }
    for name in before.keys().filter(|name| !after.contains_key(*name)) {
        changed.push(format!("gone: {name}"));
    }
    changed
}

#[test]
fn writes_into_course() {
    let label = "writes_into_course";
    let test = Test::new("good").answer(label);
    let before = course_files(test.path());
    let j = judge_escape(test, label);
    let course = j.test.path();
    let escaped = [
        course.join("escaped-by-learner.txt"),
        course.join("solutions/basics/escaped-by-learner.rs"),
    ];
    assert_refused(&j, label);
    for file in &escaped {
        assert!(!file.exists(), "{label}: it wrote {}", file.display());
    }
    assert_eq!(
        changes(&before, &course_files(course)),
        Vec::<String>::new(),
        "{label}: the course changed outside target/"
    );
    assert_sandboxed(&j, label);
}

#[test]
fn reopens_descriptors() {
    // Its report and the FIFOs it asks the checker through are moved where
    // the sandbox lets nothing be opened before learner code runs.
    let label = "reopens_descriptors";
    let j = judge_escape(Test::new("good").answer(label), label);
    assert_refused(&j, label);
    assert!(!output(&j).contains(": ok"), "{label}: {}", output(&j));
    let flags = j.json["flags"].as_array().expect("flags");
    assert!(
        !flags.contains(&"report_tampered".into()),
        "{label}: it wrote to its report: {}",
        j.json
    );
    assert_sandboxed(&j, label);
}

#[test]
fn forges_from_memory() {
    let label = "forges_from_memory";
    let j = judge_escape(Test::new("good").answer(label), label);
    assert_refused(&j, label);
    assert_eq!(
        j.json["score"].as_f64(),
        Some(0.0),
        "{label}: a forged record counted: {}",
        j.json
    );
    assert_sandboxed(&j, label);
}

#[test]
fn connects_to_listener() {
    let label = "connects_to_listener";
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a listener");
    let port = listener
        .local_addr()
        .expect("its address")
        .port()
        .to_string();
    let test = Test::new("good").answer_with(label, &[("@PORT@", &port)]);
    let j = judge_escape(test, label);
    assert_refused(&j, label);
    assert_no_attempt_worked(&j, label, &["connect", "listen", "udp"]);
    // A connection made is queued whether or not anyone accepts it.
    listener.set_nonblocking(true).expect("non-blocking");
    match listener.accept() {
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
        Ok((_, from)) => panic!("{label}: the listener got a connection from {from}"),
        Err(e) => panic!("{label}: accept: {e}"),
    }
    assert_sandboxed(&j, label);
}

#[test]
fn runs_shell() {
    let label = "runs_shell";
    let j = judge_escape(Test::new("good").answer(label), label);
    assert_refused(&j, label);
    assert_no_attempt_worked(&j, label, &["/bin/sh", "sh", "/usr/bin/env"]);
    assert_sandboxed(&j, label);
}

#[test]
fn signals_checker() {
    let label = "signals_checker";
    let j = judge_escape(Test::new("good").answer(label), label);
    assert_refused(&j, label);
    assert!(!output(&j).contains(": ok"), "{label}: {}", output(&j));
    assert_sandboxed(&j, label);
}

/// The hostile answers of `hostile.rs` get the verdicts they get there, under
/// the sandbox too: the learner's processes (copies of the test binary, the
/// one program a test may start) die with the check, and a forger that
/// writes through /proc/self/fd gets nowhere near its report.
#[test]
fn earlier_escapes_keep_their_verdicts() {
    let label = "forged_report";
    let forged = judge_test(Test::new("good").answer(label), label, &["--timeout", "3"]);
    assert_status(&forged, "fail", "std::process::exit");
    let flags = forged.json["flags"].as_array().expect("flags").clone();
    for flag in ["process_exit", "proc_fs"] {
        assert!(flags.contains(&flag.into()), "{label}: {}", forged.json);
    }

    let label = "hangs_with_children";
    // No --timeout: the hang fixture's info.toml sets 2 s.
    let hangs = judge_test(Test::new("hang").answer(label), label, &[]);
    assert_status(&hangs, "timeout", "still running after 2 s");
    assert_eq!(
        hangs.test.children().len(),
        2,
        "{label}: the answer starts two processes: {}",
        hangs.json
    );

    let label = "escapes_group";
    let escapes = judge_test(Test::new("good").answer(label), label, &["--timeout", "3"]);
    assert_clean_pass(&escapes);
    assert_eq!(
        escapes.test.children().len(),
        1,
        "{label}: the answer starts a process: {}",
        escapes.json
    );

    for (j, label) in [
        (&forged, "forged_report"),
        (&hangs, "hangs_with_children"),
        (&escapes, "escapes_group"),
    ] {
        assert_sandboxed(j, label);
    }
    // /proc is closed: the forger could not even reach its report.
    assert!(
        !flags.contains(&"report_tampered".into()),
        "forged_report wrote to its report through /proc/self/fd: {}",
        forged.json
    );
}

/// A verdict reached without the sandbox is never answered from the cache
/// when the sandbox is there (nor the other way round): what code may do
/// decides what it did.
#[test]
fn a_verdict_without_the_sandbox_is_not_reused_in_it() {
    let label = "reopens_descriptors";
    let test = Test::new("good")
        .answer(label)
        .env("THREADLINGS_SANDBOX", "off");
    let verdict = |test: &Test| -> serde_json::Value {
        let out = test
            .run_args(["run", "double", "--json"])
            .get_output()
            .stdout
            .clone();
        serde_json::from_slice(&out).expect("JSON")
    };
    let without = verdict(&test);
    assert_eq!(without["status"], "pass", "{without}");
    assert_eq!(without["sandbox"], serde_json::json!({}), "{without}");
    let test = test.env("THREADLINGS_SANDBOX", "on");
    let with = verdict(&test);
    assert_eq!(with["status"], "fail", "{with}");
    assert_eq!(with["sandbox"]["seccomp"], true, "{with}");
}

/// On a kernel without Landlock (seccomp alone), a learner can still work:
/// the check runs, and it says once what the sandbox lacks; the JSON says
/// what was in force; a teacher's `--require-sandbox` refuses to run
/// anything at all.
#[test]
fn without_landlock_learners_are_told_and_require_sandbox_refuses() {
    let test = Test::new("good")
        .answer("reads_solution_absolute")
        .env("THREADLINGS_SANDBOX", "no-landlock");
    let refused = test
        .run_args(["--require-sandbox", "run", "double"])
        .code(2);
    let said = String::from_utf8_lossy(&refused.get_output().stderr).into_owned();
    assert!(said.contains("--require-sandbox"), "{said}");
    assert!(said.contains("does not offer Landlock"), "{said}");
    assert!(
        !test.path().join("target").exists(),
        "nothing may be built or run: {said}"
    );

    // Nothing stops this escape now, and the learner is told why.
    let run = test.run_args(["run", "double"]).code(0);
    let said = String::from_utf8_lossy(&run.get_output().stderr).into_owned();
    assert_eq!(said.matches("does not offer Landlock").count(), 1, "{said}");
    assert!(
        said.contains("reading or writing files outside its run"),
        "{said}"
    );

    let out = test
        .run_args(["run", "double", "--json"])
        .get_output()
        .stdout
        .clone();
    let json: serde_json::Value = serde_json::from_slice(&out).expect("JSON");
    assert_eq!(json["status"], "pass", "{json}");
    let sandbox = &json["sandbox"];
    assert_eq!(sandbox.get("landlock"), None, "{json}");
    assert_eq!(sandbox["seccomp"], true, "{json}");
    let missing = sandbox["missing"].as_array().expect("missing");
    for name in ["files", "programs", "memory", "signals"] {
        assert!(missing.contains(&name.into()), "{name}: {json}");
    }
    assert_eq!(
        sandbox["in_force"],
        serde_json::json!(["network"]),
        "{json}"
    );
}

#[test]
fn runs_code_it_wrote() {
    // Its working directory is write-only: what it wrote it cannot read
    // back, make executable, run, or hand to the loader.
    let label = "runs_code_it_wrote";
    let j = judge_escape(Test::new("good").answer(label), label);
    assert_refused(&j, label);
    assert_no_attempt_worked(
        &j,
        label,
        &[
            "read back",
            "chmod",
            "./copy",
            "/lib64/ld-linux-x86-64.so.2",
        ],
    );
    assert_sandboxed(&j, label);
}

#[test]
fn changes_modes_elsewhere() {
    let label = "changes_modes_elsewhere";
    let test = Test::new("good").answer(label);
    let mode = |path: &Path| std::fs::metadata(path).expect("there").permissions();
    let solution = test.path().join("solutions/basics/double.rs");
    let before = (mode(&solution), mode(test.path()));
    let j = judge_escape(test, label);
    assert_refused(&j, label);
    assert!(!output(&j).contains(": ok"), "{label}: {}", output(&j));
    let course = j.test.path();
    assert_eq!(
        (
            mode(&course.join("solutions/basics/double.rs")),
            mode(course)
        ),
        before,
        "{label}: a mode changed"
    );
    assert_sandboxed(&j, label);
}

#[test]
fn a_chain_of_copies_without_threads_dies_with_the_check() {
    // `judge_test` checks that nothing is left running: every copy must
    // have stopped by itself or been killed with its whole tree.
    let label = "chain_of_copies";
    let j = judge_escape(Test::new("good").answer(label), label);
    assert_clean_pass(&j);
    assert!(
        !j.test.children().is_empty(),
        "{label}: the answer starts copies: {}",
        j.json
    );
    assert_sandboxed(&j, label);
}
