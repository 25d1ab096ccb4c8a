//! The class as CSV, for a spreadsheet or an LMS gradebook: one row per
//! submission, one column per exercise (its score), and the total.

use super::{ClassReport, points};

/// Header `id,<exercise>...,total`, then one row per submission.
pub(crate) fn write(report: &ClassReport) -> String {
    let mut out = csv::Writer::from_writer(Vec::new());
    let header = std::iter::once("id")
        .chain(report.exercise_names().iter().map(String::as_str))
        .chain(std::iter::once("total"));
    out.write_record(header).expect("writing to memory");
    for s in &report.submissions {
        let row = std::iter::once(cell(&s.id))
            .chain(s.exercises.iter().map(|e| points(e.score)))
            .chain(std::iter::once(points(s.score)));
        out.write_record(row).expect("writing to memory");
    }
    String::from_utf8(out.into_inner().expect("writing to memory")).expect("CSV of UTF-8 text")
}

/// A text cell a spreadsheet will not take for a formula: ids are
/// directory names a student may have chosen (`=HYPERLINK(...)`, `-1+1`).
/// Such a cell gets a leading `'`, which spreadsheets show as text.
/// Escape sequences, control characters and spaces before the formula sign
/// do not hide it (a viewer or an import may drop them).
fn cell(text: &str) -> String {
    let shown = crate::report::json::plain(text);
    let first = shown.trim_start_matches(|c: char| c.is_control() || c.is_whitespace());
    if text.starts_with(['\t', '\r']) || first.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::sample;
    use super::*;
    use crate::verdict::Status;

    #[test]
    fn one_row_per_submission_and_a_column_per_exercise() {
        let report = sample(&["alice", "bob"], &[Status::Pass, Status::Fail]);
        let text = write(&report);
        let mut rows = csv::Reader::from_reader(text.as_bytes());
        let header: Vec<String> = rows.headers().unwrap().iter().map(String::from).collect();
        assert_eq!(header, ["id", "ex1", "ex2", "total"]);
        let rows: Vec<Vec<String>> = rows
            .records()
            .map(|r| r.unwrap().iter().map(String::from).collect())
            .collect();
        assert_eq!(rows, [["alice", "1", "0", "1"], ["bob", "1", "0", "1"]]);
    }

    #[test]
    fn cells_that_would_be_formulas_are_text() {
        let report = sample(
            &[
                "=HYPERLINK(\"http://x\")",
                "+1",
                "-2",
                "@SUM(A1)",
                "plain, \"quoted\"",
            ],
            &[Status::Pass],
        );
        let text = write(&report);
        let ids: Vec<String> = csv::Reader::from_reader(text.as_bytes())
            .records()
            .map(|r| r.unwrap()[0].to_string())
            .collect();
        assert!(
            ids.contains(&"'=HYPERLINK(\"http://x\")".to_string()),
            "{ids:?}"
        );
        assert!(ids.contains(&"'+1".to_string()) && ids.contains(&"'-2".to_string()));
        assert!(ids.contains(&"'@SUM(A1)".to_string()));
        let hidden = sample(&["\x1b[m=1+1", " @SUM(1)"], &[Status::Pass]);
        let text = write(&hidden);
        assert!(
            text.contains("'\x1b[m=1+1") && text.contains("' @SUM(1)"),
            "{text}"
        );
        // Quoting is the csv crate's: the comma and quotes survive.
        assert!(ids.contains(&"plain, \"quoted\"".to_string()), "{ids:?}");
    }
}
