//! `report merge`: shard reports joined into the class's report, only
//! when they are parts of one grading: the same schema, course (its
//! exercises and its digest), checker, rustc, limits and sandbox, every
//! shard exactly once, every submission in one shard only.

use std::path::PathBuf;

use super::{ClassReport, SCHEMA_VERSION};
use crate::plan::UsageError;
use crate::verdict::Status;

/// The class's report, or why these reports are not parts of one.
pub(crate) fn merge(mut reports: Vec<(PathBuf, ClassReport)>) -> Result<ClassReport, UsageError> {
    let refuse = |message: String| Err(UsageError(format!("cannot merge: {message}")));
    let Some((first_path, first)) = reports.first() else {
        return refuse("no reports given".into());
    };
    let first_shown = first_path.display().to_string();
    for (path, r) in &reports[1..] {
        let shown = path.display();
        let differs = |what: &str, a: &str, b: &str| {
            refuse(format!(
                "{shown} was graded with {what} {b}, and {first_shown} with {a}"
            ))
        };
        if r.course.exercises != first.course.exercises {
            return refuse(format!(
                "{shown} is a report of another course than {first_shown} (their exercises differ)"
            ));
        }
        if r.course.digest != first.course.digest {
            return refuse(format!(
                "{shown} and {first_shown} were graded by different versions of the course \
                 (the same exercises, but another info.toml, shipped file, solution or hidden test)"
            ));
        }
        if r.checker_version != first.checker_version {
            return differs("threadlings", &first.checker_version, &r.checker_version);
        }
        if r.rustc_version != first.rustc_version {
            return differs("", &first.rustc_version, &r.rustc_version);
        }
        if r.limits != first.limits {
            return differs(
                "limits",
                &format!("{:?}", first.limits),
                &format!("{:?}", r.limits),
            );
        }
        if r.sandbox != first.sandbox {
            return differs(
                "the kernel protections",
                &first.sandbox.to_string(),
                &r.sandbox.to_string(),
            );
        }
    }
    let mut owner: std::collections::HashMap<&str, &PathBuf> = std::collections::HashMap::new();
    for (path, r) in &reports {
        for s in &r.submissions {
            if let Some(other) = owner.insert(&s.id, path) {
                return refuse(if other == path {
                    format!("submission `{}` is in {} twice", s.id, path.display())
                } else {
                    format!(
                        "submission `{}` is in {} and in {}",
                        s.id,
                        other.display(),
                        path.display()
                    )
                });
            }
        }
    }
    if reports.len() == 1 && first.shard.is_none() {
        let (_, mut report) = reports.remove(0);
        report.settle();
        return Ok(report);
    }
    // Every part a shard of the same count, each index once.
    let count = match first.shard {
        Some(s) => s.count,
        None => {
            return refuse(format!(
                "{first_shown} is a whole class's report, not a shard"
            ));
        }
    };
    // Keyed by index, not sized by `count`: a report's numbers are input.
    let mut seen: std::collections::BTreeMap<u32, &PathBuf> = std::collections::BTreeMap::new();
    for (path, r) in &reports {
        let Some(shard) = r.shard else {
            return refuse(format!(
                "{} is a whole class's report, not a shard",
                path.display()
            ));
        };
        if shard.count != count {
            return refuse(format!(
                "{} is shard {}/{}, and {first_shown} is one of {count}",
                path.display(),
                shard.index,
                shard.count
            ));
        }
        if let Some(other) = seen.insert(shard.index, path) {
            return refuse(format!(
                "shard {}/{count} is given twice ({} and {})",
                shard.index,
                other.display(),
                path.display()
            ));
        }
    }
    // Every index is in 1..=count (`read` checked), so `count` reports
    // with distinct indexes are all of them.
    if seen.len() != count as usize {
        let missing: Vec<String> = (1..=count)
            .filter(|i| !seen.contains_key(i))
            .take(10)
            .map(|i| format!("{i}/{count}"))
            .collect();
        return refuse(format!("shard {} is missing", missing.join(", ")));
    }
    let mut parts = reports.into_iter().map(|(_, r)| r);
    let mut whole = parts.next().expect("at least one report");
    for part in parts {
        whole.submissions.extend(part.submissions);
    }
    whole.shard = None;
    whole.settle();
    Ok(whole)
}

/// Reads one report, checking its schema version before its shape (a
/// report of another version gets a message saying so, not a parse error).
pub(crate) fn read(path: &std::path::Path) -> Result<ClassReport, UsageError> {
    let shown = path.display();
    let text = std::fs::read_to_string(path)
        .map_err(|e| UsageError(format!("cannot read {shown}: {e}")))?;
    let value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| UsageError(format!("{shown}: not a JSON report: {e}")))?;
    match value
        .get("schema_version")
        .and_then(serde_json::Value::as_u64)
    {
        Some(v) if v == u64::from(SCHEMA_VERSION) => {}
        Some(v) => {
            return Err(UsageError(format!(
                "{shown} is a report of schema version {v}; this threadlings merges version {SCHEMA_VERSION}"
            )));
        }
        None => {
            return Err(UsageError(format!(
                "{shown}: not a threadlings report (no schema_version)"
            )));
        }
    }
    let report: ClassReport = serde_json::from_value(value)
        .map_err(|e| UsageError(format!("{shown}: not a threadlings report: {e}")))?;
    consistent(&report).map_err(|why| {
        UsageError(format!(
            "{shown} contradicts itself ({why}): it is not a report as grade wrote it"
        ))
    })?;
    Ok(report)
}

/// What `grade` always writes, checked: a report edited by hand (a score
/// changed, an exercise dropped or moved) would otherwise merge into a
/// class report whose columns and totals mean something else. Grade
/// changes belong in the gradebook.
fn consistent(r: &ClassReport) -> Result<(), String> {
    if let Some(shard) = r.shard
        && !(1..=shard.count).contains(&shard.index)
    {
        return Err(format!("shard {}/{}", shard.index, shard.count));
    }
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1.0);
    for s in &r.submissions {
        let names: Vec<&String> = s.exercises.iter().map(|e| &e.name).collect();
        if names.len() != r.course.exercises.len()
            || names.iter().zip(&r.course.exercises).any(|(a, b)| *a != b)
        {
            return Err(format!(
                "`{}` does not list the course's exercises in order",
                s.id
            ));
        }
        for e in &s.exercises {
            let full = e.status == Status::Pass;
            if !(0.0..=e.max_score).contains(&e.score) || (full && !close(e.score, e.max_score)) {
                return Err(format!(
                    "`{}` scores {} of {} in {}",
                    s.id, e.score, e.max_score, e.name
                ));
            }
        }
        let sum: f64 = s.exercises.iter().map(|e| e.score).sum();
        let max: f64 = s.exercises.iter().map(|e| e.max_score).sum();
        if !close(sum, s.score) || !close(max, s.max_score) {
            return Err(format!(
                "`{}`'s total is not the sum of its exercises",
                s.id
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::Shard;
    use super::super::tests::sample;
    use super::*;
    use crate::verdict::Status;

    fn shard(ids: &[&str], index: u32, count: u32) -> (PathBuf, ClassReport) {
        let mut r = sample(ids, &[Status::Pass, Status::Fail]);
        r.shard = Some(Shard { index, count });
        (PathBuf::from(format!("shard-{index}.json")), r)
    }

    #[test]
    fn shards_merge_into_the_whole_sorted_class() {
        let mut whole = sample(&["a", "b", "c"], &[Status::Pass, Status::Fail]);
        whole.settle();
        let merged = merge(vec![shard(&["c", "b"], 2, 2), shard(&["a"], 1, 2)]).unwrap();
        assert_eq!(merged, whole);
    }

    #[test]
    fn parts_of_different_gradings_are_refused() {
        let err = |parts| merge(parts).unwrap_err().0;
        assert!(err(vec![shard(&["a"], 1, 2)]).contains("shard 2/2 is missing"));
        assert!(err(vec![shard(&["a"], 1, 2), shard(&["b"], 1, 2)]).contains("given twice"));
        assert!(err(vec![shard(&["a"], 1, 2), shard(&["a"], 2, 2)]).contains("`a` is in"));
        assert!(err(vec![shard(&["a"], 1, 2), shard(&["b"], 2, 3)]).contains("one of 2"));
        let mut other = shard(&["b"], 2, 2);
        other.1.course.digest = "another".into();
        assert!(err(vec![shard(&["a"], 1, 2), other]).contains("different versions of the course"));
        let mut other = shard(&["b"], 2, 2);
        other.1.course.exercises.push("ex3".into());
        assert!(err(vec![shard(&["a"], 1, 2), other]).contains("another course"));
        let mut other = shard(&["b"], 2, 2);
        other.1.limits.timeout_secs = 5;
        assert!(err(vec![shard(&["a"], 1, 2), other]).contains("limits"));
    }

    #[test]
    fn a_report_edited_by_hand_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.json");
        type Edit = fn(&mut ClassReport);
        let edits: [(&str, Edit); 5] = [
            ("total", |r| r.submissions[0].score = 100.0),
            ("scores", |r| r.submissions[0].exercises[1].score = 50.0),
            ("in order", |r| r.submissions[0].exercises.reverse()),
            ("in order", |r| {
                r.submissions[0].exercises.pop();
            }),
            ("shard 0/2", |r| {
                r.shard = Some(Shard { index: 0, count: 2 })
            }),
        ];
        for (said, edit) in edits {
            let mut r = sample(&["a"], &[Status::Pass, Status::Fail]);
            edit(&mut r);
            std::fs::write(&path, serde_json::to_string(&r).unwrap()).unwrap();
            let e = read(&path).unwrap_err().0;
            assert!(
                e.contains("contradicts itself") && e.contains(said),
                "{said}: {e}"
            );
        }
        // As written, it reads back.
        let r = sample(&["a"], &[Status::Pass, Status::Fail]);
        std::fs::write(&path, serde_json::to_string(&r).unwrap()).unwrap();
        assert_eq!(read(&path).unwrap(), r);
    }

    #[test]
    fn shard_numbers_are_input_not_sizes() {
        // A legal --shard 1/4294967295 must not make merge allocate by it.
        let e = merge(vec![shard(&["a"], 1, u32::MAX)]).unwrap_err().0;
        assert!(e.contains("shard 2/4294967295"), "{e}");
        let mut twice = sample(&["a", "a"], &[Status::Pass]);
        twice.shard = None;
        let e = merge(vec![(PathBuf::from("w.json"), twice)]).unwrap_err().0;
        assert!(e.contains("`a` is in w.json twice"), "{e}");
    }

    #[test]
    fn another_schema_version_is_named_as_such() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.json");
        std::fs::write(&path, r#"{"schema_version": 2, "submissions": []}"#).unwrap();
        assert!(read(&path).unwrap_err().0.contains("schema version 2"));
        std::fs::write(&path, "[1, 2]").unwrap();
        assert!(read(&path).unwrap_err().0.contains("no schema_version"));
    }
}
