//! `report merge`: shard reports joined into the class's report, only
//! when they are parts of one grading: the same schema, course (its
//! exercises and its digest), checker, rustc, limits and sandbox, every
//! shard exactly once, every submission in one shard only.

use std::path::PathBuf;

use super::{ClassReport, SCHEMA_VERSION};
use crate::plan::UsageError;

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
    let mut seen: Vec<Option<&PathBuf>> = vec![None; count as usize];
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
        let slot = &mut seen[(shard.index - 1) as usize];
        if let Some(other) = slot {
            return refuse(format!(
                "shard {}/{count} is given twice ({} and {})",
                shard.index,
                other.display(),
                path.display()
            ));
        }
        *slot = Some(path);
    }
    let missing: Vec<String> = seen
        .iter()
        .enumerate()
        .filter(|(_, p)| p.is_none())
        .map(|(i, _)| format!("{}/{count}", i + 1))
        .collect();
    if !missing.is_empty() {
        return refuse(format!("shard {} is missing", missing.join(", ")));
    }
    let mut owner: std::collections::HashMap<&str, &PathBuf> = std::collections::HashMap::new();
    for (path, r) in &reports {
        for s in &r.submissions {
            if let Some(other) = owner.insert(&s.id, path) {
                return refuse(format!(
                    "submission `{}` is in {} and in {}",
                    s.id,
                    other.display(),
                    path.display()
                ));
            }
        }
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
    serde_json::from_value(value)
        .map_err(|e| UsageError(format!("{shown}: not a threadlings report: {e}")))
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
    fn another_schema_version_is_named_as_such() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.json");
        std::fs::write(&path, r#"{"schema_version": 2, "submissions": []}"#).unwrap();
        assert!(read(&path).unwrap_err().0.contains("schema version 2"));
        std::fs::write(&path, "[1, 2]").unwrap();
        assert!(read(&path).unwrap_err().0.contains("no schema_version"));
    }
}
