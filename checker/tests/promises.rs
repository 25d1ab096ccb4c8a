//! Every hidden test file opens with its exercise's promise table: each
//! sentence of the exercise that states behaviour, quoted, and the hidden
//! tests that observe it. A promise with no test is a bug, and so is a row
//! quoting words the exercise does not say (the table went stale) or naming
//! a test that does not exist.

use crate::harness::repo;

/// One row of a promise table: the quoted promise and the tests named.
struct Row {
    quote: String,
    tests: Vec<String>,
}

/// The rows of the `//! | promise | tests |` table in a hidden test file.
fn promise_rows(hidden: &str) -> Vec<Row> {
    hidden
        .lines()
        .filter_map(|line| line.strip_prefix("//! |"))
        .filter(|row| !row.starts_with(" promise |") && !row.starts_with(" --- |"))
        .map(|row| {
            let cells: Vec<&str> = row.trim_end_matches('|').rsplitn(2, '|').collect();
            let tests = cells[0]
                .split(',')
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty())
                .collect();
            let promise = cells.get(1).copied().unwrap_or_default();
            let quote = promise.split('"').nth(1).unwrap_or_default().to_string();
            Row { quote, tests }
        })
        .collect()
}

/// The names in a hidden test file's `TESTS`.
fn test_names(hidden: &str) -> Vec<String> {
    hidden
        .lines()
        .filter_map(|line| line.trim().strip_prefix("name: \""))
        .map(|rest| rest.trim_end_matches("\",").to_string())
        .collect()
}

/// The exercise's text as one line: comment markers gone, spaces collapsed.
fn flat_text(source: &str) -> String {
    source
        .lines()
        .map(|line| {
            let line = line.trim();
            line.trim_start_matches('/').trim_start_matches('!').trim()
        })
        .collect::<Vec<_>>()
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether the exercise says `quote` (`...` may stand for words left out).
fn says(text: &str, quote: &str) -> bool {
    let mut from = 0;
    for part in quote.split("...").map(str::trim).filter(|p| !p.is_empty()) {
        match text[from..].find(part) {
            Some(at) => from += at + part.len(),
            None => return false,
        }
    }
    true
}

#[test]
fn every_promise_of_every_exercise_names_tests_that_exist() {
    let root = repo();
    let exercises = crate::bundled::exercises();
    assert!(!exercises.is_empty());
    for (name, dir) in &exercises {
        let hidden =
            std::fs::read_to_string(root.join(format!("checker/hidden/{name}.rs"))).unwrap();
        let text = flat_text(
            &std::fs::read_to_string(root.join(format!("exercises/{dir}/{name}.rs"))).unwrap(),
        );
        let rows = promise_rows(&hidden);
        let tests = test_names(&hidden);
        assert!(
            rows.len() >= 3,
            "{name}: no promise table ({} rows)",
            rows.len()
        );
        for row in &rows {
            assert!(
                !row.quote.is_empty() && says(&text, &row.quote),
                "{name}: the promise \"{}\" is not in the exercise's text",
                row.quote
            );
            assert!(
                !row.tests.is_empty(),
                "{name}: the promise \"{}\" has no test",
                row.quote
            );
            for test in &row.tests {
                assert!(
                    tests.contains(test),
                    "{name}: the promise \"{}\" names `{test}`, which is not in TESTS {tests:?}",
                    row.quote
                );
            }
        }
        for test in &tests {
            assert!(
                rows.iter().any(|row| row.tests.contains(test)),
                "{name}: the test `{test}` observes no promise of the table"
            );
        }
    }
}

#[test]
fn the_table_reader_catches_a_stale_quote_and_a_missing_test() {
    let hidden = "//! | promise | tests |\n//! | --- | --- |\n\
                  //! | \"returns at once ... while it runs\" | a, b |\n\
                  //! | \"waits\" |  |\n\
                  Test {\n        name: \"a\",\n";
    let rows = promise_rows(hidden);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].quote, "returns at once ... while it runs");
    assert_eq!(rows[0].tests, ["a", "b"]);
    assert!(
        rows[1].tests.is_empty(),
        "a row with no test is seen as such"
    );
    assert_eq!(test_names(hidden), ["a"]);
    let text = flat_text("/// It returns at once,\n/// while it runs.");
    assert!(says(&text, "returns at once ... while it runs"));
    assert!(
        !says(&text, "while it runs ... returns at once"),
        "order matters"
    );
    assert!(!says(&text, "returns later"));
}
