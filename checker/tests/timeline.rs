//! The timeline: what the threads did, drawn by the real binary from a real
//! run of a wrong answer and of a solution (`run`, `run --timeline`,
//! `run --trace`, `run --json`, and grade's HTML). The exact pictures are
//! golden files of the renderer's unit tests (drawn from recorded events,
//! since a real run's times differ on every run); here, what must hold on
//! every run.

use std::collections::{BTreeMap, BTreeSet};

use predicates::prelude::*;
use serde_json::Value;
use unicode_width::UnicodeWidthStr;

use crate::harness::{Test, repo};

/// The bundled course with `wrong/<exercise>/<file>` in the exercise's place.
fn with_answer(exercise: &str, chapter: &str, file: &str) -> Test {
    let answer =
        std::fs::read_to_string(repo().join(format!("checker/hidden/wrong/{exercise}/{file}")))
            .expect("the wrong answer");
    Test::bundled().write(&format!("exercises/{chapter}/{exercise}.rs"), &answer)
}

fn stdout(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stdout).into_owned()
}

/// The picture: the lines after its heading, the last thing `run` prints
/// on a failing verdict.
fn picture(out: &str) -> Vec<&str> {
    let at = out
        .find("What the threads did:\n")
        .unwrap_or_else(|| panic!("no picture in:\n{out}"));
    out[at..].lines().skip(1).collect()
}

/// The picture's lines as one line of words: sentences under the lanes
/// wrap at the width.
fn unwrapped(lines: &[&str]) -> String {
    lines
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn a_missing_join_is_drawn_with_the_thread_still_running_when_the_call_returned() {
    let test = with_answer("join1_wait", "02_joining", "no_join.rs");
    for columns in ["40", "100"] {
        let run = test
            .run_with_env(["run", "join1_wait"], &[("COLUMNS", columns)])
            .code(1);
        let out = stdout(&run);
        let lines = picture(&out);
        assert!(
            lines[0].starts_with("all_spawned_lines_writte"),
            "titled with the failing test: {out}"
        );
        let width: usize = columns.parse().unwrap();
        for line in &lines {
            assert!(line.width() <= width, "wider than {width}: {line:?}\n{out}");
        }
        let text = unwrapped(&lines);
        assert!(
            text.contains("still running when"),
            "the mistake is named:\n{text}"
        );
        assert!(text.contains('✗'), "and marked:\n{text}");
    }
}

#[test]
fn ascii_and_no_color_draw_the_same_picture_in_plain_characters() {
    let test = with_answer("join3_spawn_all_then_join", "02_joining", "join_in_loop.rs");
    let run = test
        .run_with_env(
            ["run", "join3_spawn_all_then_join"],
            &[("COLUMNS", "60"), ("THREADLINGS_ASCII", "1")],
        )
        .code(1);
    let out = stdout(&run);
    assert!(!out.contains('\x1b'), "NO_COLOR: no escape sequences");
    let lines = picture(&out);
    assert!(lines.len() >= 4, "a title, lanes and a legend: {out}");
    for line in &lines {
        assert!(line.is_ascii(), "ASCII only: {line:?}\n{out}");
        assert!(line.len() <= 60, "at most 60 columns: {line:?}");
    }
    let text = unwrapped(&lines);
    assert!(
        text.contains("one after another"),
        "joined too early: the workers never overlapped:\n{text}"
    );
}

#[test]
fn a_passing_run_is_drawn_on_request_without_accusations() {
    let test = Test::bundled().copy(
        "solutions/02_joining/join3_spawn_all_then_join.rs",
        "exercises/02_joining/join3_spawn_all_then_join.rs",
    );
    test.run_args(["run", "join3_spawn_all_then_join"])
        .success()
        .stdout(predicate::str::contains("What the threads did").not());
    let run = test
        .run_with_env(
            ["run", "join3_spawn_all_then_join", "--timeline"],
            &[("COLUMNS", "100")],
        )
        .success();
    let out = stdout(&run);
    let lines = picture(&out);
    // Each worker's lane ends where it exited (joined), main's does not.
    let workers = lines.iter().filter(|l| l.trim_end().ends_with('┤')).count();
    assert!(workers >= 2, "a lane per worker, each ending:\n{out}");
    assert!(!out.contains('✗'), "a pass accuses nothing:\n{out}");
}

#[test]
fn trace_json_has_a_track_per_thread_and_json_carries_the_events() {
    let test = with_answer("join1_wait", "02_joining", "no_join.rs");
    let trace = test.path().join("trace.json");
    let run = test
        .run_vec(&[
            "run".into(),
            "join1_wait".into(),
            "--json".into(),
            "--trace".into(),
            trace.display().to_string(),
        ])
        .code(1);
    let report: Value = serde_json::from_slice(&run.get_output().stdout).expect("JSON");
    let tests = report["tests"].as_array().expect("tests");
    let with_events: Vec<&Value> = tests
        .iter()
        .filter(|t| t["events"].as_array().is_some_and(|e| !e.is_empty()))
        .collect();
    assert!(
        !with_events.is_empty(),
        "run --json carries events: {report}"
    );
    for event in with_events[0]["events"].as_array().unwrap() {
        for key in ["t_us", "kind", "thread", "label"] {
            assert!(event.get(key).is_some(), "{key} in {event}");
        }
    }

    let trace: Value =
        serde_json::from_str(&std::fs::read_to_string(&trace).expect("the trace file"))
            .expect("the trace is JSON");
    let events = trace["traceEvents"].as_array().expect("traceEvents");
    assert!(!events.is_empty());
    // Threads with events, per test process, and their names.
    let mut tracks: BTreeMap<(u64, u64), usize> = BTreeMap::new();
    let mut named: BTreeSet<(u64, u64)> = BTreeSet::new();
    for e in events {
        for key in ["ph", "ts", "pid", "tid"] {
            assert!(e.get(key).is_some(), "{key} in {e}");
        }
        let at = (e["pid"].as_u64().unwrap(), e["tid"].as_u64().unwrap());
        if e["ph"] == "M" && e["name"] == "thread_name" {
            assert!(named.insert(at), "one name per track: {e}");
        } else if e["ph"] != "M" {
            *tracks.entry(at).or_default() += 1;
        }
    }
    for track in tracks.keys() {
        assert!(named.contains(track), "track {track:?} has a name");
    }
    // One process per hidden test.
    let pids: BTreeSet<u64> = tracks.keys().map(|(pid, _)| *pid).collect();
    assert!(pids.len() >= 2, "{pids:?}");
}

#[test]
fn a_trace_file_that_cannot_be_written_is_refused_before_anything_runs() {
    let test = Test::bundled();
    test.run_args(["run", "join1_wait", "--trace", "no/such/dir/trace.json"])
        .code(2)
        .stderr(predicate::str::contains("--trace"));
    assert!(!test.path().join("target").exists(), "nothing was built");
}

#[test]
fn the_class_report_draws_a_failing_exercise_as_svg() {
    let course = Test::bundled();
    let class = tempfile::tempdir().unwrap();
    let student = class.path().join("erin");
    let answer =
        std::fs::read_to_string(repo().join("checker/hidden/wrong/join1_wait/no_join.rs")).unwrap();
    std::fs::create_dir_all(student.join("exercises/02_joining")).unwrap();
    std::fs::write(student.join("exercises/02_joining/join1_wait.rs"), answer).unwrap();
    let run = course
        .run_vec(&[
            "grade".into(),
            student.display().to_string(),
            "--format".into(),
            "html".into(),
        ])
        .success();
    let html = stdout(&run);
    let figure = html
        .find("<figure class=\"timeline\">")
        .expect("a timeline figure");
    let start = figure + html[figure..].find("<svg").expect("an inline SVG");
    let end = html[start..].find("</svg>").expect("closed") + start + "</svg>".len();
    let svg = &html[start..end];
    let doc = roxmltree::Document::parse(svg).expect("the SVG is XML");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    assert!(
        doc.descendants()
            .any(|n| n.text().is_some_and(|t| t.contains("still running"))),
        "the mistake is named in the picture: {svg}"
    );
}

#[test]
fn a_trace_is_never_written_over_the_course() {
    let test = Test::bundled();
    let mine = test.read("exercises/02_joining/join1_wait.rs");
    for (path, says) in [
        (
            "exercises/02_joining/join1_wait.rs",
            "inside the course's directory",
        ),
        (
            "solutions/02_joining/join1_wait.rs",
            "inside the course's directory",
        ),
        ("info.toml", "the course's info.toml"),
        ("-", "name one"),
    ] {
        test.run_args(["run", "join1_wait", "--trace", path])
            .code(2)
            .stderr(predicate::str::contains(says));
    }
    assert_eq!(test.read("exercises/02_joining/join1_wait.rs"), mine);
}
