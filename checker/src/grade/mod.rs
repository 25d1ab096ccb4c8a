//! Grading a class: the submissions named on the command line, read and
//! checked before anything runs (`submission`), the slice a shard takes,
//! what makes two files copies (`normalise`), and the class report made
//! from the engine's verdicts. `commands/grade.rs` drives the engine.

pub(crate) mod normalise;
pub(crate) mod submission;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use sha2::{Digest as _, Sha256};
use threadlings_support::protocol::Event;

use crate::course::Course;
use crate::plan::UsageError;
use crate::report::class::{
    ClassReport, CourseId, ExerciseEntry, ReportLimits, SCHEMA_VERSION, Shard, Submission,
    TestEntry,
};
use crate::report::json::plain;
use crate::supervise::Limits;
use crate::verdict::{Status, Verdict};
pub(crate) use submission::Found;

/// The flag of an exercise whose tests ran without every kernel protection.
pub(crate) const SANDBOX_MISSING: &str = "sandbox_missing";

/// `K/N` with 1 <= K <= N.
pub(crate) fn parse_shard(text: &str) -> Result<Shard, UsageError> {
    let bad = || {
        UsageError(format!(
            "--shard {text}: expected K/N with 1 <= K <= N, e.g. --shard 2/8"
        ))
    };
    let (k, n) = text.split_once('/').ok_or_else(bad)?;
    let (index, count): (u32, u32) = (
        k.trim().parse().map_err(|_| bad())?,
        n.trim().parse().map_err(|_| bad())?,
    );
    if index == 0 || index > count {
        return Err(bad());
    }
    Ok(Shard { index, count })
}

/// Each submission's id (its directory's name) beside its path, sorted by
/// id; two paths with one name are refused (their reports would mix).
pub(crate) fn ids(paths: &[PathBuf]) -> Result<Vec<(String, PathBuf)>, UsageError> {
    let mut named: Vec<(String, PathBuf)> = paths
        .iter()
        .map(|path| (id_of(path), path.clone()))
        .collect();
    named.sort_by(|a, b| a.0.cmp(&b.0));
    for pair in named.windows(2) {
        if pair[0].0 == pair[1].0 {
            return Err(UsageError(format!(
                "two submissions are both called `{}` ({} and {}): a submission's id is its \
                 directory's name, so each must be different",
                pair[0].0,
                pair[0].1.display(),
                pair[1].1.display()
            )));
        }
    }
    Ok(named)
}

/// The directory's own name (`class/alice/` and `class/alice/.` are
/// `alice`); for `.` or `..`, the name of the directory it stands for.
fn id_of(path: &Path) -> String {
    let named = path
        .components()
        .rev()
        .find(|c| !matches!(c, std::path::Component::CurDir))
        .and_then(|c| match c {
            std::path::Component::Normal(name) => Some(readable(name)),
            _ => None,
        });
    named
        .or_else(|| std::fs::canonicalize(path).ok()?.file_name().map(readable))
        .unwrap_or_else(|| path.display().to_string())
}

/// A directory name as text: bytes that are not UTF-8 written `\xFF`, so
/// two such names stay two ids (a lossy conversion made both `�`).
fn readable(name: &std::ffi::OsStr) -> String {
    let mut text = String::new();
    for chunk in name.as_encoded_bytes().utf8_chunks() {
        text.push_str(chunk.valid());
        for b in chunk.invalid() {
            text.push_str(&format!("\\x{b:02X}"));
        }
    }
    text
}

/// The K-th of N slices of `sorted` (every N-th from the K-th): the same
/// slice whatever order the paths were given in, since ids are sorted.
pub(crate) fn slice<T>(sorted: Vec<T>, shard: Option<Shard>) -> Vec<T> {
    let Some(Shard { index, count }) = shard else {
        return sorted;
    };
    sorted
        .into_iter()
        .enumerate()
        .filter(|(i, _)| i % count as usize == (index - 1) as usize)
        .map(|(_, item)| item)
        .collect()
}

/// Which course graded a report: its exercise names and a digest of
/// everything that decides a verdict or a score.
pub(crate) fn course_id(course: &Course) -> CourseId {
    let mut hash = Sha256::new();
    let mut part = |bytes: &[u8]| {
        hash.update((bytes.len() as u64).to_le_bytes());
        hash.update(bytes);
    };
    part(&std::fs::read(course.root.join("info.toml")).unwrap_or_default());
    for ex in &course.exercises {
        part(ex.name.as_bytes());
        for text in [
            course.shipped(ex),
            course.read_solution(ex),
            course.hidden_source(ex),
        ] {
            part(text.as_deref().unwrap_or("").as_bytes());
        }
    }
    CourseId {
        exercises: course.exercises.iter().map(|e| e.name.clone()).collect(),
        digest: hash.finalize().iter().map(|b| format!("{b:02x}")).collect(),
    }
}

/// What a report says of the limits: those of exercises that set none.
pub(crate) fn report_limits(limits: &Limits, compile_timeout_secs: u64) -> ReportLimits {
    ReportLimits {
        timeout_secs: limits.timeout.as_secs(),
        max_output_bytes: limits.max_output_bytes as u64,
        max_threads: limits.max_threads,
        max_memory_mb: limits.max_memory_mb,
        compile_timeout_secs,
    }
}

/// Fingerprints of the files that make no copy worth flagging: each
/// exercise's shipped file and solution.
pub(crate) struct Expected(HashSet<(usize, String)>);

impl Expected {
    pub fn of(course: &Course) -> Expected {
        let mut known = HashSet::new();
        for (i, ex) in course.exercises.iter().enumerate() {
            for text in [course.shipped(ex), course.read_solution(ex)]
                .into_iter()
                .flatten()
            {
                known.insert((i, normalise::fingerprint(&text)));
            }
        }
        Expected(known)
    }

    /// The fingerprint of a file worth comparing with other submissions'.
    fn fingerprint(&self, course: &Course, at: usize, source: &str) -> Option<String> {
        if !course.exercises[at].flag_copies {
            return None;
        }
        let fp = normalise::fingerprint(source);
        (!self.0.contains(&(at, fp.clone()))).then_some(fp)
    }
}

/// One submission's report: each exercise's entry from its verdict (or
/// from what reading found), with scores, partial credit and flags.
pub(crate) fn submission_report(
    course: &Course,
    expected: &Expected,
    read: &submission::Submission,
    verdicts: &[Option<&Verdict>],
    sandbox_missing: bool,
) -> Submission {
    let exercises: Vec<ExerciseEntry> = course
        .exercises
        .iter()
        .enumerate()
        .map(|(at, ex)| match (&read.files[at], verdicts[at]) {
            (Found::Source(source), Some(verdict)) => {
                let mut entry = entry_of(verdict, ex.points, ex.partial_credit);
                if sandbox_missing && !verdict.tests.is_empty() {
                    entry.flags.push(SANDBOX_MISSING.to_string());
                }
                entry.fingerprint = expected.fingerprint(course, at, source);
                entry
            }
            (Found::Judged(status, why), _) => ExerciseEntry {
                name: ex.name.clone(),
                status: *status,
                score: 0.0,
                max_score: ex.points,
                duration_ms: 0,
                message: why.clone(),
                flags: Vec::new(),
                tests: Vec::new(),
                fingerprint: None,
            },
            (Found::Source(_), None) => unreachable!("every source file has a verdict"),
        })
        .collect();
    Submission {
        id: read.id.clone(),
        score: total(exercises.iter().map(|e| e.score)),
        max_score: total(exercises.iter().map(|e| e.max_score)),
        error: read.error.clone(),
        exercises,
    }
}

/// An exercise's entry from its verdict. With partial credit, a file that
/// ran its tests earns the share of them it passed.
fn entry_of(verdict: &Verdict, points: f64, partial_credit: bool) -> ExerciseEntry {
    let passed = verdict
        .tests
        .iter()
        .filter(|t| t.status == Status::Pass)
        .count();
    let score = match verdict.status {
        Status::Pass => points,
        Status::Fail | Status::Timeout | Status::Crash
            if partial_credit && !verdict.tests.is_empty() =>
        {
            points * passed as f64 / verdict.tests.len() as f64
        }
        _ => 0.0,
    };
    let drawn = crate::timeline::pick(verdict).map(|run| run.test);
    ExerciseEntry {
        name: verdict.name.clone(),
        status: verdict.status,
        score,
        max_score: points,
        duration_ms: verdict.duration_ms,
        message: capped(plain(&verdict.message)),
        flags: verdict.flags.clone(),
        tests: verdict
            .tests
            .iter()
            .map(|t| {
                // The events of the one test the timeline of a failing
                // exercise is drawn from; every test's would make a class
                // report many times larger for pictures no one draws.
                let drawn = verdict.status != Status::Pass && Some(t.name.as_str()) == drawn;
                let (events, events_dropped) = if drawn {
                    events_capped(&t.events, t.events_dropped)
                } else {
                    (Vec::new(), 0)
                };
                TestEntry {
                    name: t.name.clone(),
                    status: t.status,
                    message: capped(plain(&t.message)),
                    duration_ms: t.duration_ms,
                    output: if t.status == Status::Pass {
                        String::new()
                    } else {
                        plain(&t.output)
                    },
                    events,
                    events_dropped,
                }
            })
            .collect(),
        fingerprint: None,
    }
}

/// The most events a report keeps for a test: enough for any picture of
/// an exercise's threads (the support library keeps 10,000 per test, for a
/// thread bomb's summary).
const MAX_REPORT_EVENTS: usize = 2_000;

/// A test's events, the first `MAX_REPORT_EVENTS` of them; the rest are
/// counted as dropped, as the test process counts what it did not keep.
fn events_capped(events: &[Event], dropped: u64) -> (Vec<Event>, u64) {
    let kept = events.len().min(MAX_REPORT_EVENTS);
    let more = (events.len() - kept) as u64;
    (events[..kept].to_vec(), dropped + more)
}

/// The most of a message a report keeps: a learner's panic message can be
/// as long as their program likes, and it is in every format, per test.
const MAX_MESSAGE_BYTES: usize = 16 * 1024;

/// `text`, cut at `MAX_MESSAGE_BYTES` (on a character boundary), saying so.
fn capped(text: String) -> String {
    if text.len() <= MAX_MESSAGE_BYTES {
        return text;
    }
    let mut end = MAX_MESSAGE_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!(
        "{}\n[… {} more bytes not kept in the report]",
        &text[..end],
        text.len() - end
    )
}

/// A total without the float's noise (0.1 + 0.2 is 0.3 in a gradebook).
fn total(parts: impl Iterator<Item = f64>) -> f64 {
    (parts.sum::<f64>() * 1e6).round() / 1e6
}

/// The class report around the submissions' reports.
pub(crate) fn class_report(
    course: &Course,
    rustc_version: String,
    limits: ReportLimits,
    shard: Option<Shard>,
    submissions: Vec<Submission>,
) -> ClassReport {
    let mut report = ClassReport {
        schema_version: SCHEMA_VERSION,
        checker_version: env!("CARGO_PKG_VERSION").to_string(),
        rustc_version,
        course: course_id(course),
        limits,
        sandbox: serde_json::to_value(crate::sandbox::protections()).unwrap_or_default(),
        shard,
        submissions,
    };
    report.settle();
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_are_checked_and_slices_cover_everything_once() {
        assert_eq!(parse_shard("2/8").unwrap(), Shard { index: 2, count: 8 });
        for bad in ["0/3", "4/3", "3", "a/b", "1/0", "-1/3"] {
            assert!(parse_shard(bad).is_err(), "{bad}");
        }
        let ids: Vec<u32> = (0..10).collect();
        let mut seen: Vec<u32> = (1..=3)
            .flat_map(|k| slice(ids.clone(), Some(Shard { index: k, count: 3 })))
            .collect();
        seen.sort_unstable();
        assert_eq!(seen, ids);
        assert_eq!(
            slice(ids.clone(), Some(Shard { index: 2, count: 3 })),
            [1, 4, 7]
        );
    }

    #[test]
    fn long_messages_are_cut_and_totals_rounded() {
        let long = "é".repeat(MAX_MESSAGE_BYTES);
        let cut = capped(long.clone());
        assert!(cut.len() < MAX_MESSAGE_BYTES + 100 && cut.ends_with("not kept in the report]"));
        assert_eq!(capped("short".into()), "short");
        assert_eq!(total([0.1, 0.2].into_iter()), 0.3);
    }

    #[test]
    fn ids_are_directory_names_sorted_and_unique() {
        let paths: Vec<PathBuf> = ["class/bob/", "class/alice/.", "/x/carol"]
            .iter()
            .map(PathBuf::from)
            .collect();
        let named = ids(&paths).unwrap();
        let names: Vec<&str> = named.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(names, ["alice", "bob", "carol"]);
        use std::os::unix::ffi::OsStrExt as _;
        let latin1 = |b: &[u8]| PathBuf::from(std::ffi::OsStr::from_bytes(b));
        let named = ids(&[latin1(b"caf\xe9"), latin1(b"caf\xe8")]).unwrap();
        assert_eq!(named[0].0, "caf\\xE8");
        assert_eq!(named[1].0, "caf\\xE9");
        let twice = ids(&[PathBuf::from("a/bob"), PathBuf::from("b/bob")]).unwrap_err();
        assert!(twice.0.contains("both called `bob`"), "{}", twice.0);
    }
}
