//! The class report: what `grade` found for every submission, as the JSON
//! report's schema version 1 (DESIGN.md, documented field by field in
//! REPORT.md at the repository's root). Every other format (table, csv,
//! junit, gradescope, html) is written from this one model, so each says
//! the same thing; `report merge` reads it back.

pub(crate) mod csv;
pub(crate) mod gradescope;
pub(crate) mod html;
pub(crate) mod junit;
pub(crate) mod merge;
pub(crate) mod table;

use std::collections::BTreeMap;
use std::io::IsTerminal as _;
use std::path::Path;

use serde::{Deserialize, Serialize};
use threadlings_support::protocol::Event;

use crate::cli::Format;
use crate::verdict::Status;

/// The only schema this checker writes and merges.
pub(crate) const SCHEMA_VERSION: u32 = 1;

/// Flag prefix naming another submission with the same normalised file.
pub(crate) const IDENTICAL_TO: &str = "identical_to:";

/// At most this many `identical_to` flags on one exercise: a whole class
/// handing in one file found online would otherwise give each student a
/// flag per classmate (millions of flags for 3,000). The first ids in
/// order are named; the fingerprint tells the whole group.
pub(crate) const MAX_COPIES_NAMED: usize = 10;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct ClassReport {
    pub schema_version: u32,
    pub checker_version: String,
    pub rustc_version: String,
    pub course: CourseId,
    /// The limits of each test run: the command line's, else the
    /// built-in defaults (an exercise that sets its own in info.toml keeps
    /// those unless the command line names that limit), and rustc's time.
    pub limits: ReportLimits,
    /// The kernel protections test processes ran under (`{}`: none).
    pub sandbox: serde_json::Value,
    /// Which slice of the submissions this report holds (`--shard K/N`);
    /// absent for a whole class (and after `report merge`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<Shard>,
    /// Sorted by id.
    pub submissions: Vec<Submission>,
}

/// Which course graded the submissions: `report merge` refuses reports
/// of different courses (the exercise list differs) or of different
/// versions of one course (the same list, another digest).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct CourseId {
    /// Exercise names, in course order.
    pub exercises: Vec<String>,
    /// SHA-256 over info.toml and every exercise's shipped file, solution
    /// and hidden tests, in course order.
    pub digest: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ReportLimits {
    pub timeout_secs: u64,
    pub max_output_bytes: u64,
    pub max_threads: u64,
    pub max_memory_mb: u64,
    pub compile_timeout_secs: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Shard {
    /// From 1.
    pub index: u32,
    pub count: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct Submission {
    /// The submission directory's name.
    pub id: String,
    pub score: f64,
    pub max_score: f64,
    /// Why nothing of this submission could be read (its directory is
    /// missing or unreadable); every exercise is then `missing`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// In course order, every exercise of the course.
    pub exercises: Vec<ExerciseEntry>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct ExerciseEntry {
    pub name: String,
    pub status: Status,
    pub score: f64,
    pub max_score: f64,
    pub duration_ms: u64,
    /// In learner terms, no colours; rustc's diagnostics for
    /// `compile_error`; empty on a pass.
    pub message: String,
    pub flags: Vec<String>,
    pub tests: Vec<TestEntry>,
    /// SHA-256 of the file with comments and whitespace removed, when it
    /// is worth comparing with other submissions' (changed from the
    /// shipped file, not the course's solution, in an exercise whose
    /// copies mean something): `identical_to` flags come from it, and
    /// `report merge` recomputes them across shards.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct TestEntry {
    pub name: String,
    pub status: Status,
    pub message: String,
    pub duration_ms: u64,
    /// The end of what the test's process printed, for a test that did
    /// not pass.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub output: String,
    /// What the test observed the threads do, for the one test of a
    /// failing exercise its timeline is drawn from (capped).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<Event>,
    /// How many events happened that are not in `events`.
    #[serde(default, skip_serializing_if = "crate::verdict::is_zero")]
    pub events_dropped: u64,
}

impl TestEntry {
    /// The test as text for a person: `heading`, its message and what it
    /// printed (formats that carry a failing test's detail use this).
    pub fn detail(&self, heading: &str) -> String {
        let mut text = heading.to_string();
        if !self.message.trim().is_empty() {
            text.push('\n');
            text.push_str(self.message.trim_end());
        }
        if !self.output.trim().is_empty() {
            text.push_str("\nIt printed:\n");
            text.push_str(self.output.trim_end());
        }
        text
    }
}

impl ClassReport {
    /// The exercise names in course order.
    pub fn exercise_names(&self) -> &[String] {
        &self.course.exercises
    }

    /// Per exercise, in course order: how many submissions passed it.
    pub fn passes_per_exercise(&self) -> Vec<(String, usize)> {
        self.course
            .exercises
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let passed = self
                    .submissions
                    .iter()
                    .filter(|s| s.exercises.get(i).is_some_and(|e| e.status == Status::Pass))
                    .count();
                (name.clone(), passed)
            })
            .collect()
    }

    /// The most points a submission can earn (0 for an empty class).
    pub fn max_score(&self) -> f64 {
        self.submissions.first().map_or(0.0, |s| s.max_score)
    }

    /// Sorts the submissions by id and sets every `identical_to` flag from
    /// the fingerprints (any earlier ones are dropped first): the same
    /// result whichever shards the submissions were graded in.
    pub fn settle(&mut self) {
        self.submissions.sort_by(|a, b| a.id.cmp(&b.id));
        let mut groups: BTreeMap<(usize, &str), Vec<&str>> = BTreeMap::new();
        for s in &self.submissions {
            for (i, e) in s.exercises.iter().enumerate() {
                if let Some(fp) = &e.fingerprint {
                    groups.entry((i, fp.as_str())).or_default().push(&s.id);
                }
            }
        }
        let flags: Vec<Vec<Vec<String>>> = self
            .submissions
            .iter()
            .map(|s| {
                s.exercises
                    .iter()
                    .enumerate()
                    .map(|(i, e)| {
                        let Some(fp) = &e.fingerprint else {
                            return Vec::new();
                        };
                        groups[&(i, fp.as_str())]
                            .iter()
                            .filter(|other| **other != s.id)
                            .take(MAX_COPIES_NAMED)
                            .map(|other| format!("{IDENTICAL_TO}{other}"))
                            .collect()
                    })
                    .collect()
            })
            .collect();
        for (s, copies) in self.submissions.iter_mut().zip(flags) {
            for (e, copies) in s.exercises.iter_mut().zip(copies) {
                e.flags.retain(|f| !f.starts_with(IDENTICAL_TO));
                e.flags.extend(copies);
            }
        }
    }
}

/// Writes the report in `format` to `output` (atomically: a reader never
/// sees half a report), or to standard output.
pub(crate) fn emit(
    report: &ClassReport,
    format: Format,
    output: Option<&Path>,
) -> anyhow::Result<()> {
    let text = match format {
        Format::Table => table::write(report),
        Format::Json => {
            let mut text = serde_json::to_string_pretty(report)?;
            text.push('\n');
            text
        }
        Format::Csv => csv::write(report),
        Format::Junit => junit::write(report),
        Format::Gradescope => gradescope::write(report)?,
        Format::Html => html::write(report),
    };
    // Only the table has colours to take off (when not on a terminal);
    // the other formats are written as made: stripping "escapes" from them
    // would change what their own escaping and guards decided.
    let plain = |text: String| match format {
        Format::Table => crate::report::json::plain(&text),
        _ => text,
    };
    match output {
        None if format == Format::Table && std::io::stdout().is_terminal() => {
            anstream::print!("{text}");
        }
        None => {
            use std::io::Write as _;
            let mut out = std::io::stdout().lock();
            out.write_all(plain(text).as_bytes())?;
            out.flush()?;
        }
        Some(path) => write_atomically(path, plain(text).as_bytes())?,
    }
    Ok(())
}

pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use anyhow::Context as _;
    let dir = crate::plan::dir_of(path);
    let write = || -> std::io::Result<()> {
        // As any file the teacher writes (0666 less the umask), not the
        // temporary file's 0600: a report is often served or shared.
        let mut tmp = tempfile::Builder::new()
            .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666))
            .tempfile_in(dir)?;
        std::io::Write::write_all(&mut tmp, bytes)?;
        tmp.as_file().sync_all()?;
        tmp.persist(path).map_err(|e| e.error)?;
        Ok(())
    };
    write().with_context(|| format!("cannot write {}", path.display()))
}

/// A score as a person writes it: `1`, `0.5`, `2.33`.
pub(crate) fn points(score: f64) -> String {
    let rounded = (score * 100.0).round() / 100.0;
    if rounded.fract() == 0.0 {
        format!("{rounded:.0}")
    } else {
        let text = format!("{rounded:.2}");
        text.trim_end_matches('0').to_string()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Every status, in the order the schema lists them.
    pub(crate) const ALL_STATUSES: [Status; 7] = [
        Status::Pass,
        Status::Fail,
        Status::CompileError,
        Status::Timeout,
        Status::Crash,
        Status::NotAttempted,
        Status::Missing,
    ];

    /// A small report for the formats' unit tests: `ids` with one entry per
    /// exercise of `statuses` (each worth 1 point, tests named `t`).
    pub(crate) fn sample(ids: &[&str], statuses: &[Status]) -> ClassReport {
        let names: Vec<String> = (1..=statuses.len()).map(|i| format!("ex{i}")).collect();
        let submissions = ids
            .iter()
            .map(|id| {
                let exercises: Vec<ExerciseEntry> = names
                    .iter()
                    .zip(statuses)
                    .map(|(name, &status)| ExerciseEntry {
                        name: name.clone(),
                        status,
                        score: if status == Status::Pass { 1.0 } else { 0.0 },
                        max_score: 1.0,
                        duration_ms: 5,
                        message: if status == Status::Pass {
                            String::new()
                        } else {
                            format!("{name} went wrong <here> & there")
                        },
                        flags: Vec::new(),
                        tests: vec![TestEntry {
                            name: "t".into(),
                            status,
                            message: String::new(),
                            duration_ms: 4,
                            output: String::new(),
                            events: Vec::new(),
                            events_dropped: 0,
                        }],
                        fingerprint: None,
                    })
                    .collect();
                Submission {
                    id: (*id).to_string(),
                    score: exercises.iter().map(|e| e.score).sum(),
                    max_score: exercises.len() as f64,
                    error: None,
                    exercises,
                }
            })
            .collect();
        ClassReport {
            schema_version: SCHEMA_VERSION,
            checker_version: "0.1.0".into(),
            rustc_version: "rustc 1.95.0".into(),
            course: CourseId {
                exercises: names,
                digest: "d".into(),
            },
            limits: ReportLimits {
                timeout_secs: 10,
                max_output_bytes: 1 << 20,
                max_threads: 256,
                max_memory_mb: 1024,
                compile_timeout_secs: 120,
            },
            sandbox: serde_json::json!({}),
            shard: None,
            submissions,
        }
    }

    #[test]
    fn copies_are_flagged_both_ways_and_recomputed_not_repeated() {
        let mut report = sample(&["carol", "alice", "bob"], &[Status::Pass, Status::Fail]);
        for id in ["alice", "carol"] {
            let s = report.submissions.iter_mut().find(|s| s.id == id).unwrap();
            s.exercises[1].fingerprint = Some("same".into());
        }
        report.settle();
        report.settle();
        let ids: Vec<&str> = report.submissions.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["alice", "bob", "carol"]);
        assert_eq!(
            report.submissions[0].exercises[1].flags,
            ["identical_to:carol"]
        );
        assert_eq!(
            report.submissions[2].exercises[1].flags,
            ["identical_to:alice"]
        );
        assert!(report.submissions[1].exercises[1].flags.is_empty());
        assert!(report.submissions[0].exercises[0].flags.is_empty());
    }

    /// Every key the report can hold, documented in REPORT.md (the
    /// contract teachers' tools read).
    #[test]
    fn every_field_is_documented_in_report_md() {
        let mut report = sample(&["a"], &[Status::Fail]);
        report.shard = Some(Shard { index: 1, count: 2 });
        report.sandbox = serde_json::to_value(crate::sandbox::protections()).unwrap();
        let s = &mut report.submissions[0];
        s.error = Some("e".into());
        s.exercises[0].fingerprint = Some("f".into());
        s.exercises[0].tests[0].output = "o".into();
        s.exercises[0].tests[0].events = vec![Event {
            t_us: 1,
            kind: threadlings_support::protocol::EventKind::Exited,
            thread: 2,
            thread_name: Some("n".into()),
            os_tid: Some(3),
            label: "l".into(),
            peer: None,
        }];
        s.exercises[0].tests[0].events_dropped = 4;
        let mut keys = std::collections::BTreeSet::new();
        fn walk(v: &serde_json::Value, keys: &mut std::collections::BTreeSet<String>) {
            match v {
                serde_json::Value::Object(map) => {
                    for (k, v) in map {
                        keys.insert(k.clone());
                        walk(v, keys);
                    }
                }
                serde_json::Value::Array(items) => items.iter().for_each(|v| walk(v, keys)),
                _ => {}
            }
        }
        walk(&serde_json::to_value(&report).unwrap(), &mut keys);
        let doc = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../REPORT.md"),
        )
        .expect("REPORT.md at the repository's root");
        let undocumented: Vec<&String> = keys
            .iter()
            .filter(|k| !doc.contains(&format!("| `{k}` |")))
            .collect();
        assert!(keys.len() > 30, "{keys:?}");
        assert!(
            undocumented.is_empty(),
            "not in REPORT.md: {undocumented:?}"
        );
    }

    #[test]
    fn a_class_of_copies_names_a_bounded_number_of_them() {
        let ids: Vec<String> = (0..50).map(|i| format!("s{i:02}")).collect();
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        let mut report = sample(&ids, &[Status::Pass]);
        for s in &mut report.submissions {
            s.exercises[0].fingerprint = Some("same".into());
        }
        report.settle();
        let flags = &report.submissions[0].exercises[0].flags;
        assert_eq!(flags.len(), MAX_COPIES_NAMED);
        assert_eq!(flags[0], "identical_to:s01");
        assert_eq!(
            report.submissions[49].exercises[0].flags[0],
            "identical_to:s00"
        );
    }

    #[test]
    fn points_read_like_a_gradebook() {
        assert_eq!(points(3.0), "3");
        assert_eq!(points(0.5), "0.5");
        assert_eq!(points(2.0 / 3.0), "0.67");
        assert_eq!(points(0.0), "0");
    }

    #[test]
    fn the_report_reads_back_as_it_was_written() {
        let report = sample(&["a"], &[Status::Pass, Status::Timeout]);
        let text = serde_json::to_string(&report).unwrap();
        let back: ClassReport = serde_json::from_str(&text).unwrap();
        assert_eq!(back, report);
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(json["submissions"][0]["exercises"][1]["status"], "timeout");
        assert!(json.get("shard").is_none());
    }
}
