//! The class report as Gradescope's autograder `results.json`
//! (`grade --format gradescope`), for a `run_autograder` script that grades
//! the one submission Gradescope hands it. The learner sees one entry per
//! exercise at once, with the message `threadlings run` would show them
//! (the first failing test's words, written for learners); the detail of
//! every hidden test (names, each message, what it printed) waits until the
//! grades are published. Format:
//! <https://gradescope-autograders.readthedocs.io/en/latest/specs/>.

use anyhow::bail;
use serde::Serialize;

use super::{ClassReport, ExerciseEntry, Submission, points};
use crate::verdict::Status;

#[derive(Serialize)]
struct Results {
    /// Gradescope takes this over the sum of the tests' scores; they are
    /// equal, as only exercise entries carry points.
    score: f64,
    /// Seconds, the sum of the exercises' run times (they may have run in
    /// parallel, so the wall clock can be shorter).
    execution_time: u64,
    output: String,
    output_format: &'static str,
    visibility: &'static str,
    /// What the autograder script printed is for the teacher, not the
    /// learner.
    stdout_visibility: &'static str,
    tests: Vec<Test>,
}

#[derive(Serialize)]
struct Test {
    name: String,
    /// Absent on a hidden test's entry: only exercises earn points, and
    /// an entry without them leaves the total alone.
    #[serde(skip_serializing_if = "Option::is_none")]
    score: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_score: Option<f64>,
    status: &'static str,
    output: String,
    output_format: &'static str,
    visibility: &'static str,
}

const TEXT: &str = "text";
const VISIBLE: &str = "visible";
const AFTER_PUBLISHED: &str = "after_published";

/// The `results.json` of the report's one submission; an error for any
/// other number, as Gradescope runs the autograder once per submission.
pub(crate) fn write(report: &ClassReport) -> anyhow::Result<String> {
    let [submission] = report.submissions.as_slice() else {
        bail!(
            "the gradescope format is for one submission (Gradescope grades one per run), \
             and this report holds {}",
            report.submissions.len()
        );
    };
    let exercises = submission.exercises.iter().map(exercise_test);
    let hidden = submission.exercises.iter().flat_map(hidden_tests);
    let results = Results {
        score: submission.score,
        execution_time: submission
            .exercises
            .iter()
            .map(|e| e.duration_ms)
            .sum::<u64>()
            .div_ceil(1000),
        output: summary(submission),
        output_format: TEXT,
        visibility: VISIBLE,
        stdout_visibility: "hidden",
        tests: exercises.chain(hidden).collect(),
    };
    Ok(serde_json::to_string_pretty(&results)? + "\n")
}

/// The score, how many exercises passed, which were not attempted or
/// missing, and why the submission could not be read.
fn summary(submission: &Submission) -> String {
    let passed = submission
        .exercises
        .iter()
        .filter(|e| e.status == Status::Pass)
        .count();
    let mut lines = vec![
        format!(
            "Score: {} of {} points.",
            points(submission.score),
            points(submission.max_score)
        ),
        format!(
            "{passed} of {} exercises passed.",
            submission.exercises.len()
        ),
    ];
    let names = |status: Status| -> Vec<&str> {
        submission
            .exercises
            .iter()
            .filter(|e| e.status == status)
            .map(|e| e.name.as_str())
            .collect()
    };
    let not_attempted = names(Status::NotAttempted);
    if !not_attempted.is_empty() {
        lines.push(format!(
            "Not attempted (unchanged from the exercise as shipped): {}.",
            not_attempted.join(", ")
        ));
    }
    let missing = names(Status::Missing);
    if !missing.is_empty() {
        lines.push(format!(
            "Missing from the submission: {}.",
            missing.join(", ")
        ));
    }
    if let Some(error) = &submission.error {
        lines.push(format!("The submission could not be read: {error}"));
    }
    lines.join("\n")
}

fn exercise_test(exercise: &ExerciseEntry) -> Test {
    let plain = match exercise.status {
        Status::NotAttempted => {
            Some("not attempted: the file is still the exercise as shipped, unchanged.")
        }
        Status::Missing => Some("missing: the submission has no file for this exercise."),
        _ => None,
    };
    let mut output = plain.unwrap_or(exercise.status.as_str()).to_string();
    if !exercise.message.trim().is_empty() {
        output.push_str("\n\n");
        output.push_str(exercise.message.trim_end());
    }
    Test {
        name: exercise.name.clone(),
        score: Some(exercise.score),
        max_score: Some(exercise.max_score),
        status: passed_or_failed(exercise.status),
        output,
        output_format: TEXT,
        visibility: VISIBLE,
    }
}

fn hidden_tests(exercise: &ExerciseEntry) -> impl Iterator<Item = Test> + '_ {
    exercise.tests.iter().map(move |test| {
        let output = test.detail(test.status.as_str());
        Test {
            name: format!("{}: {}", exercise.name, test.name),
            score: None,
            max_score: None,
            status: passed_or_failed(test.status),
            output,
            output_format: TEXT,
            visibility: AFTER_PUBLISHED,
        }
    })
}

fn passed_or_failed(status: Status) -> &'static str {
    if status == Status::Pass {
        "passed"
    } else {
        "failed"
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;
    use crate::report::class::TestEntry;
    use crate::report::class::tests::sample;

    use crate::report::class::tests::ALL_STATUSES as ALL;

    fn results(report: &ClassReport) -> Value {
        serde_json::from_str(&write(report).unwrap()).unwrap()
    }

    fn tests_of(json: &Value) -> &Vec<Value> {
        json["tests"].as_array().unwrap()
    }

    #[test]
    fn only_a_report_of_one_submission_is_written() {
        let none = write(&sample(&[], &[Status::Pass])).unwrap_err();
        assert!(none.to_string().contains("holds 0"), "{none}");
        let two = write(&sample(&["a", "b"], &[Status::Pass])).unwrap_err();
        assert!(two.to_string().contains("holds 2"), "{two}");
        assert!(write(&sample(&["a"], &[Status::Pass])).is_ok());
    }

    #[test]
    fn the_score_is_the_sum_of_the_exercise_entries() {
        let mut report = sample(&["alice"], &[Status::Pass, Status::Pass, Status::Fail]);
        // Points that differ per exercise, so a wrong sum shows.
        let s = &mut report.submissions[0];
        s.exercises[1].score = 2.5;
        s.exercises[1].max_score = 2.5;
        s.score = 3.5;
        s.max_score = 4.5;
        let json = results(&report);
        assert_eq!(json["score"], 3.5);
        let sum: f64 = tests_of(&json)
            .iter()
            .filter_map(|t| t["score"].as_f64())
            .sum();
        assert_eq!(sum, 3.5);
        let max: f64 = tests_of(&json)
            .iter()
            .filter_map(|t| t["max_score"].as_f64())
            .sum();
        assert_eq!(max, 4.5);
        assert_eq!(json["stdout_visibility"], "hidden");
        assert_eq!(json["output_format"], "text");
        let output = json["output"].as_str().unwrap();
        assert!(output.contains("Score: 3.5 of 4.5 points"), "{output}");
        assert!(output.contains("2 of 3 exercises passed"), "{output}");
    }

    #[test]
    fn each_exercise_is_a_visible_entry_with_its_status() {
        let json = results(&sample(&["alice"], &ALL));
        let entries: Vec<&Value> = tests_of(&json)
            .iter()
            .filter(|t| t.get("score").is_some())
            .collect();
        assert_eq!(entries.len(), ALL.len());
        for (entry, status) in entries.iter().zip(ALL) {
            assert_eq!(entry["visibility"], "visible");
            assert_eq!(entry["max_score"], 1.0);
            let want = if status == Status::Pass {
                "passed"
            } else {
                "failed"
            };
            assert_eq!(entry["status"], want, "{entry}");
        }
        assert_eq!(entries[1]["name"], "ex2");
        let fail = entries[1]["output"].as_str().unwrap();
        assert!(
            fail.starts_with("fail") && fail.contains("ex2 went wrong"),
            "{fail}"
        );
        let not_attempted = entries[5]["output"].as_str().unwrap();
        assert!(
            not_attempted.starts_with("not attempted"),
            "{not_attempted}"
        );
        let missing = entries[6]["output"].as_str().unwrap();
        assert!(missing.starts_with("missing"), "{missing}");
        let output = json["output"].as_str().unwrap();
        assert!(output.contains("Not attempted (unchanged"), "{output}");
        assert!(
            output.contains("Missing from the submission: ex7."),
            "{output}"
        );
    }

    #[test]
    fn hidden_tests_wait_for_publication_and_carry_no_points() {
        let mut report = sample(&["alice"], &[Status::Pass, Status::Timeout]);
        report.submissions[0].exercises[1].tests.push(TestEntry {
            name: "joins_all".into(),
            status: Status::Timeout,
            message: "`main` did not return".into(),
            duration_ms: 10_000,
            output: "waiting for thread 3".into(),
            events: Vec::new(),
            events_dropped: 0,
        });
        let json = results(&report);
        let hidden: Vec<&Value> = tests_of(&json)
            .iter()
            .filter(|t| t["visibility"] != "visible")
            .collect();
        assert_eq!(hidden.len(), 3);
        for entry in &hidden {
            assert_eq!(entry["visibility"], "after_published", "{entry}");
            assert!(entry.get("score").is_none() && entry.get("max_score").is_none());
        }
        let names: Vec<&str> = hidden.iter().map(|t| t["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["ex1: t", "ex2: t", "ex2: joins_all"]);
        assert_eq!(hidden[0]["status"], "passed");
        assert_eq!(hidden[2]["status"], "failed");
        let detail = hidden[2]["output"].as_str().unwrap();
        assert!(
            detail.starts_with("timeout")
                && detail.contains("`main` did not return")
                && detail.contains("waiting for thread 3"),
            "{detail}"
        );
    }

    #[test]
    fn an_unreadable_submission_says_why() {
        let mut report = sample(&["gone"], &[Status::Missing]);
        report.submissions[0].error = Some("no such directory".into());
        let json = results(&report);
        let output = json["output"].as_str().unwrap();
        assert!(
            output.contains("could not be read: no such directory"),
            "{output}"
        );
    }
}
