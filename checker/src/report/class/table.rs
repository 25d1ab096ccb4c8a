//! The class in the terminal (grade's default format): a line per
//! submission with its score and one mark per exercise, the pass count per
//! exercise, and what a teacher should look at. ANSI colours; the caller
//! strips them when the output is not a terminal.

use std::fmt::Write as _;

use super::{ClassReport, points};
use crate::report::human::{BOLD, DIM, GREEN, RED, RESET, YELLOW};
use crate::verdict::Status;

/// One mark per status, each a different character (colour is never the
/// only carrier).
fn mark(status: Status) -> String {
    let (colour, c) = match status {
        Status::Pass => (GREEN, '✓'),
        Status::Fail => (RED, '✗'),
        Status::CompileError => (RED, 'C'),
        Status::Timeout => (YELLOW, 'T'),
        Status::Crash => (RED, '!'),
        Status::NotAttempted => (DIM, '·'),
        Status::Missing => (DIM, '-'),
    };
    format!("{colour}{c}{RESET}")
}

/// Text a student chose (an id is a directory name), safe to print on a
/// terminal: a control character (a newline, an escape that would clear the
/// teacher's screen) is shown escaped, not obeyed.
fn printable(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let shown: Vec<char> = if c.is_control() {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            shown
        })
        .collect()
}

pub(crate) fn write(report: &ClassReport) -> String {
    let mut out = String::new();
    let names = report.exercise_names();
    let _ = writeln!(
        out,
        "{BOLD}{} submissions{RESET}, {} exercises, {} points in all",
        report.submissions.len(),
        names.len(),
        points(report.max_score())
    );
    if report.submissions.is_empty() {
        return out;
    }
    let id_width = report
        .submissions
        .iter()
        .map(|s| printable(&s.id).chars().count())
        .max()
        .unwrap_or(0)
        .max("submission".len());
    let _ = writeln!(
        out,
        "\n{BOLD}{:<id_width$}  {:>11}  exercises 1-{}{RESET}",
        "submission",
        "score",
        names.len()
    );
    for s in &report.submissions {
        let marks: String = s.exercises.iter().map(|e| mark(e.status)).collect();
        let score = format!("{}/{}", points(s.score), points(s.max_score));
        let _ = writeln!(out, "{:<id_width$}  {score:>11}  {marks}", printable(&s.id));
        if let Some(error) = &s.error {
            let _ = writeln!(out, "{:<id_width$}  {RED}{}{RESET}", "", printable(error));
        }
    }
    let _ = writeln!(
        out,
        "{DIM}✓ pass  ✗ fail  C compile_error  T timeout  ! crash  · not_attempted  - missing{RESET}"
    );
    let name_width = names.iter().map(String::len).max().unwrap_or(0);
    let _ = writeln!(
        out,
        "\n{BOLD}{:>2}  {:<name_width$}  passed{RESET}",
        "#", "exercise"
    );
    let total = report.submissions.len();
    for (i, (name, passed)) in report.passes_per_exercise().into_iter().enumerate() {
        let _ = writeln!(out, "{:>2}  {name:<name_width$}  {passed}/{total}", i + 1);
    }
    let flagged: Vec<String> = report
        .submissions
        .iter()
        .flat_map(|s| {
            s.exercises
                .iter()
                .filter(|e| !e.flags.is_empty())
                .map(move |e| {
                    let flags = printable(&e.flags.join(", "));
                    format!("{}: {}: {flags}", printable(&s.id), e.name)
                })
        })
        .collect();
    if !flagged.is_empty() {
        let _ = writeln!(
            out,
            "\n{BOLD}to look at{RESET} (flags never change a score)"
        );
        for line in flagged {
            let _ = writeln!(out, "  {line}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::tests::sample;
    use super::*;

    #[test]
    fn a_line_per_submission_with_a_mark_per_exercise() {
        let mut report = sample(&["alice", "bob"], &[Status::Pass, Status::Timeout]);
        report.submissions[1].exercises[1].flags = vec!["process_exit".into()];
        let text = crate::report::json::plain(&write(&report));
        assert!(text.contains("2 submissions, 2 exercises"), "{text}");
        assert!(
            text.lines()
                .any(|l| l.starts_with("alice") && l.ends_with("1/2  ✓T")),
            "{text}"
        );
        assert!(
            text.lines()
                .any(|l| l.contains("ex2") && l.ends_with("0/2")),
            "{text}"
        );
        assert!(text.contains("bob: ex2: process_exit"), "{text}");
        assert!(!text.contains("alice: ex2"), "{text}");
    }

    #[test]
    fn a_hostile_id_cannot_drive_the_terminal_or_break_a_line() {
        let report = sample(&["eve\x1b[2J\nfake  3/3  ✓✓"], &[Status::Fail]);
        let text = write(&report);
        assert!(
            !text.contains("\x1b[2J") && !text.contains("\nfake"),
            "{text}"
        );
        assert!(text.contains("eve\\u{1b}[2J\\nfake"), "{text}");
    }
}
