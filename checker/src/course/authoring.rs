//! What `verify` asks of a course beyond what loading it already demands
//! (info.toml well-formed, every exercise's files present): things a learner
//! meets but no hidden test can see. Every exercise has a hint to give on
//! `h`, every chapter a README for watch mode to point at, and every
//! solution is rustfmt-clean, since it is shown to learners as the model
//! answer once they pass.

use std::process::Command;
use std::time::Duration;

use crate::supervise::{self, Exit, Limits};

use super::{Course, Exercise};

/// The problems found in `chosen`, one line each, naming the file.
pub(crate) fn problems(course: &Course, chosen: &[&Exercise]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut chapters: Vec<&str> = Vec::new();
    for &ex in chosen {
        if ex.hint.trim().is_empty() {
            problems.push(format!(
                "{}: info.toml gives it no hint (`hint = \"...\"`: point at the idea, not the code)",
                ex.name
            ));
        }
        if !chapters.contains(&ex.dir.as_str()) {
            chapters.push(&ex.dir);
        }
        if let Some(solution) = course.read_solution(ex)
            && let Some(problem) = unformatted(&solution)
        {
            problems.push(format!("{}: {} {problem}", ex.name, ex.solution_path()));
        }
    }
    for dir in chapters {
        match course.chapter_readme(dir) {
            Some((_, text)) if !text.trim().is_empty() => {}
            Some((rel, _)) => problems.push(format!("chapter {dir}: {rel} is empty")),
            None => problems.push(format!(
                "chapter {dir}: exercises/{dir}/README.md is missing (the chapter's idea, \
                 and which section of the Book to read)"
            )),
        }
    }
    problems
}

/// Why `source` is not as rustfmt would write it, or `None` when it is.
fn unformatted(source: &str) -> Option<String> {
    // rustfmt on stdin prints the formatted file: compared with the source,
    // no file is touched. The rustup proxy picks the course's toolchain, as
    // it does for rustc. Run supervised like every process the checker
    // starts: registered, so the sweep for strays never takes it for one,
    // and killed with its group on Ctrl-C.
    let mut cmd = Command::new("rustfmt");
    cmd.args(["--edition", "2024", "--emit", "stdout"]);
    let limits = Limits {
        timeout: Duration::from_secs(60),
        max_output_bytes: 16 * source.len() + 64 * 1024,
        max_threads: Limits::DEFAULT_MAX_THREADS,
        max_memory_mb: Limits::DEFAULT_MAX_MEMORY_MB,
    };
    let out = match supervise::run_to_end_of_input(cmd, source.as_bytes(), &limits) {
        Ok(out) => out,
        Err(e) => {
            return Some(format!(
                "could not be checked for formatting: rustfmt did not start ({e}); \
                 `rustup component add rustfmt` installs it"
            ));
        }
    };
    match out.exit {
        Exit::Code(0) => {
            let formatted = String::from_utf8_lossy(&out.stdout);
            if formatted == source {
                None
            } else {
                let line = first_difference(source, &formatted);
                Some(format!(
                    "is not rustfmt-clean (from line {line}): run `rustfmt --edition 2024` on it"
                ))
            }
        }
        Exit::Code(_) => Some(format!(
            "does not parse for rustfmt: {}",
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .next()
                .unwrap_or("")
        )),
        other => Some(format!(
            "could not be checked for formatting: rustfmt ended with {other:?}"
        )),
    }
}

/// The first line (from 1) where the two texts differ.
fn first_difference(a: &str, b: &str) -> usize {
    let mut lines = a.lines().zip(b.lines());
    lines
        .position(|(x, y)| x != y)
        .unwrap_or(a.lines().count().min(b.lines().count()))
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_formatted_file_passes_and_an_unformatted_one_names_its_line() {
        let clean = "fn main() {\n    println!(\"hi\");\n}\n";
        assert_eq!(unformatted(clean), None);
        let messy = "fn main() {\n    println!(\"hi\");\n}\nfn  other( ) {}\n";
        let problem = unformatted(messy).expect("not rustfmt-clean");
        assert!(problem.contains("from line 4"), "{problem}");
    }

    #[test]
    fn a_file_rustfmt_cannot_parse_is_a_problem_too() {
        let problem = unformatted("fn main( {").expect("unparsable");
        assert!(problem.contains("does not parse"), "{problem}");
    }

    #[test]
    fn the_first_difference_is_counted_from_one() {
        assert_eq!(first_difference("a\nb\nc", "a\nx\nc"), 2);
        assert_eq!(first_difference("a\nb", "a\nb\nc"), 3);
    }
}
