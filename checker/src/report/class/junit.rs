//! The class report as JUnit XML (`grade --format junit`), for a CI server
//! or an LMS that reads test results: one testsuite per submission, one
//! testcase per exercise. A failing case carries the whole message and the
//! hidden tests that did not pass, with what they printed, so a teacher can
//! read why without the JSON report.

use std::time::Duration;

use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

use super::{ClassReport, ExerciseEntry, Submission, points};
use crate::verdict::Status;

/// The JUnit XML of `report`.
pub(crate) fn write(report: &ClassReport) -> String {
    let mut junit = Report::new("threadlings");
    junit.set_time(Duration::from_millis(
        report.submissions.iter().map(total_ms).sum(),
    ));
    junit.add_test_suites(report.submissions.iter().map(suite));
    // Serialising into memory has no I/O to fail, and every string went
    // through `xml_text` first, so the writer has nothing to refuse.
    junit
        .to_string()
        .expect("a JUnit report written to memory cannot fail")
}

fn total_ms(submission: &Submission) -> u64 {
    submission.exercises.iter().map(|e| e.duration_ms).sum()
}

fn suite(submission: &Submission) -> TestSuite {
    let mut suite = TestSuite::new(xml_text(&submission.id));
    suite.set_time(Duration::from_millis(total_ms(submission)));
    // The grade itself, which test counts alone do not give (exercises
    // can be worth different points).
    suite.add_properties([
        Property::new("score", points(submission.score)),
        Property::new("max_score", points(submission.max_score)),
    ]);
    suite.add_test_cases(submission.exercises.iter().map(|e| case(submission, e)));
    if let Some(error) = &submission.error {
        suite.set_system_err(xml_text(&unreadable(error)));
    }
    suite
}

fn case(submission: &Submission, exercise: &ExerciseEntry) -> TestCase {
    let status = match exercise.status {
        Status::Pass => TestCaseStatus::success(),
        Status::Fail | Status::CompileError | Status::Timeout | Status::Crash => failure(exercise),
        Status::NotAttempted | Status::Missing => skipped(submission, exercise),
    };
    let mut case = TestCase::new(xml_text(&exercise.name), status);
    case.set_classname(xml_text(&submission.id));
    case.set_time(Duration::from_millis(exercise.duration_ms));
    // What a teacher should look at (copies, `unsafe`, ...), where a
    // reader of the XML can find it next to the verdict.
    case.add_properties(
        exercise
            .flags
            .iter()
            .map(|f| Property::new("flag", xml_text(f))),
    );
    case
}

fn failure(exercise: &ExerciseEntry) -> TestCaseStatus {
    let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
    let first_line = exercise.message.lines().next().unwrap_or("");
    // A failure with no message still says what kind it was.
    let message = if first_line.trim().is_empty() {
        exercise.status.as_str()
    } else {
        first_line
    };
    status
        .set_type(exercise.status.as_str())
        .set_message(xml_text(message))
        .set_description(xml_text(&failure_text(exercise)));
    status
}

/// The exercise's message, then every hidden test that did not pass: its
/// name, status, message and what it printed.
fn failure_text(exercise: &ExerciseEntry) -> String {
    let mut text = exercise.message.trim_end().to_string();
    for test in exercise.tests.iter().filter(|t| t.status != Status::Pass) {
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        text.push_str(&test.detail(&format!("test {}: {}", test.name, test.status.as_str())));
    }
    text
}

fn skipped(submission: &Submission, exercise: &ExerciseEntry) -> TestCaseStatus {
    let mut message = match exercise.status {
        Status::NotAttempted => "not attempted: the file is the exercise as shipped".to_string(),
        _ => "missing: the submission has no file for this exercise".to_string(),
    };
    // Every case of an unreadable submission is skipped as missing: each
    // says why, for a reader who looks at one case and not the suite.
    if let Some(error) = &submission.error {
        message = format!("{message} ({})", unreadable(error));
    }
    let mut status = TestCaseStatus::skipped();
    status
        .set_type(exercise.status.as_str())
        .set_message(xml_text(&message));
    if !exercise.message.trim().is_empty() {
        status.set_description(xml_text(&exercise.message));
    }
    status
}

fn unreadable(error: &str) -> String {
    format!("the submission could not be read: {error}")
}

/// `text` as XML 1.0 can hold it. quick-junit drops C0 controls itself,
/// but only after running the text through an ANSI-escape stripper, which
/// takes an ESC (or a C1 control) to open a sequence and can swallow the
/// text after it; it also drops tabs. So a tab becomes spaces and every
/// other control character, and the two non-characters XML forbids
/// (U+FFFE, U+FFFF), becomes U+FFFD before quick-junit sees the text:
/// the reader sees that something was there, and nothing after it is lost.
fn xml_text(text: &str) -> String {
    let mut clean = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' | '\r' => clean.push(c),
            '\t' => clean.push_str("    "),
            c if c.is_control() || c == '\u{fffe}' || c == '\u{ffff}' => clean.push('\u{fffd}'),
            c => clean.push(c),
        }
    }
    clean
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::class::TestEntry;
    use crate::report::class::tests::sample;

    fn parse(xml: &str) -> roxmltree::Document<'_> {
        roxmltree::Document::parse(xml).unwrap_or_else(|e| panic!("{e}\n{xml}"))
    }

    fn elements<'a, 'i>(
        doc: &'a roxmltree::Document<'i>,
        tag: &'a str,
    ) -> impl Iterator<Item = roxmltree::Node<'a, 'i>> + 'a {
        doc.descendants().filter(move |n| n.has_tag_name(tag))
    }

    #[test]
    fn one_suite_per_submission_and_one_case_per_exercise() {
        let report = sample(
            &["alice", "bob"],
            &crate::report::class::tests::ALL_STATUSES,
        );
        let xml = write(&report);
        let doc = parse(&xml);
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "testsuites");
        assert_eq!(root.attribute("name"), Some("threadlings"));
        assert_eq!(root.attribute("tests"), Some("14"));
        assert_eq!(root.attribute("failures"), Some("8"));
        assert_eq!(root.attribute("skipped"), Some("4"));

        let suites: Vec<_> = elements(&doc, "testsuite").collect();
        let names: Vec<_> = suites.iter().map(|s| s.attribute("name")).collect();
        assert_eq!(names, [Some("alice"), Some("bob")]);
        assert_eq!(suites[0].attribute("tests"), Some("7"));
        let score = elements(&doc, "property")
            .find(|p| p.attribute("name") == Some("score"))
            .and_then(|p| p.attribute("value"));
        assert_eq!(score, Some("1"));

        let cases: Vec<_> = elements(&doc, "testcase").collect();
        assert_eq!(cases.len(), 14);
        assert_eq!(cases[1].attribute("name"), Some("ex2"));
        assert_eq!(cases[1].attribute("classname"), Some("alice"));
        assert_eq!(cases[8].attribute("classname"), Some("bob"));
        assert_eq!(cases[1].attribute("time"), Some("0.005"));
        // A pass has nothing under it.
        assert_eq!(cases[0].children().filter(|n| n.is_element()).count(), 0);

        let types: Vec<_> = elements(&doc, "failure")
            .take(4)
            .map(|f| f.attribute("type").unwrap())
            .collect();
        assert_eq!(types, ["fail", "compile_error", "timeout", "crash"]);
        let skips: Vec<_> = elements(&doc, "skipped")
            .take(2)
            .map(|s| {
                (
                    s.attribute("type").unwrap(),
                    s.attribute("message").unwrap(),
                )
            })
            .collect();
        assert_eq!(skips[0].0, "not_attempted");
        assert!(skips[0].1.starts_with("not attempted"), "{}", skips[0].1);
        assert_eq!(skips[1].0, "missing");
        assert!(skips[1].1.starts_with("missing"), "{}", skips[1].1);
    }

    #[test]
    fn a_failure_holds_the_message_and_each_failing_tests_output() {
        let mut report = sample(&["alice"], &[Status::Fail]);
        let exercise = &mut report.submissions[0].exercises[0];
        exercise.message = "the counter ended at 3\nexpected 4".into();
        exercise.tests = vec![
            TestEntry {
                name: "counts_all".into(),
                status: Status::Fail,
                message: "the counter ended at 3".into(),
                duration_ms: 4,
                output: "thread 1 done\nthread 2 done".into(),
                events: Vec::new(),
                events_dropped: 0,
            },
            TestEntry {
                name: "quiet_pass".into(),
                status: Status::Pass,
                message: String::new(),
                duration_ms: 4,
                output: "SHOULD NOT APPEAR".into(),
                events: Vec::new(),
                events_dropped: 0,
            },
        ];
        let xml = write(&report);
        let doc = parse(&xml);
        let failure = elements(&doc, "failure").next().unwrap();
        assert_eq!(failure.attribute("message"), Some("the counter ended at 3"));
        let text = failure.text().unwrap();
        assert!(
            text.starts_with("the counter ended at 3\nexpected 4"),
            "{text}"
        );
        assert!(text.contains("test counts_all: fail"), "{text}");
        assert!(text.contains("thread 1 done\nthread 2 done"), "{text}");
        assert!(!text.contains("quiet_pass") && !text.contains("SHOULD NOT"));
    }

    #[test]
    fn an_unreadable_submission_says_why() {
        let mut report = sample(&["gone"], &[Status::Missing, Status::Missing]);
        report.submissions[0].error = Some("permission denied".into());
        let xml = write(&report);
        let doc = parse(&xml);
        let err = elements(&doc, "system-err").next().unwrap().text().unwrap();
        assert!(err.contains("permission denied"), "{err}");
        for skip in elements(&doc, "skipped") {
            let message = skip.attribute("message").unwrap();
            assert!(message.contains("permission denied"), "{message}");
        }
        assert_eq!(elements(&doc, "skipped").count(), 2);
    }

    #[test]
    fn hostile_text_still_gives_well_formed_xml_that_keeps_it() {
        let id = "eve<&\"]]>\u{1b}";
        let mut report = sample(&[id], &[Status::Crash]);
        let exercise = &mut report.submissions[0].exercises[0];
        exercise.name = "ex<1>".into();
        exercise.message =
            "boom <b>]]></b> & \u{0}nul\u{1b}Pafter escape\u{9b}after csi\u{ffff}\tend".into();
        exercise.tests[0].output = "printed ]]> \u{7}bell\u{1b}[31mred".into();
        exercise.flags = vec!["identical_to:x<y".into()];
        let xml = write(&report);
        let doc = parse(&xml);

        let suite = elements(&doc, "testsuite").next().unwrap();
        assert_eq!(suite.attribute("name"), Some("eve<&\"]]>\u{fffd}"));
        let case = elements(&doc, "testcase").next().unwrap();
        assert_eq!(case.attribute("name"), Some("ex<1>"));
        let failure = elements(&doc, "failure").next().unwrap();
        let text = failure.text().unwrap();
        assert!(
            text.starts_with(
                "boom <b>]]></b> & \u{fffd}nul\u{fffd}Pafter escape\u{fffd}after csi\u{fffd}    end"
            ),
            "{text:?}"
        );
        assert!(
            text.contains("printed ]]> \u{fffd}bell\u{fffd}[31mred"),
            "{text:?}"
        );
        let flag = elements(&doc, "property")
            .find(|p| p.attribute("name") == Some("flag"))
            .and_then(|p| p.attribute("value"));
        assert_eq!(flag, Some("identical_to:x<y"));
    }
}
