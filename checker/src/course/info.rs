//! info.toml: the raw serde model, and its checks with file and line.

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use super::{DEFAULT_TIMEOUT_SECS, Exercise};

/// A problem with the course's input; always exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct CourseError(String);

impl CourseError {
    pub fn plain(message: String) -> Self {
        CourseError(message)
    }

    /// `file:line: message`, the line found from a byte span of `text`.
    pub fn at(path: &Path, text: &str, span: Range<usize>, message: String) -> Self {
        let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
        CourseError(format!("{}:{line}: {message}", path.display()))
    }
}

/// The only format this checker reads.
const FORMAT_VERSION: u32 = 1;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInfo {
    format_version: Spanned<u32>,
    #[serde(default)]
    welcome_message: String,
    #[serde(default)]
    final_message: String,
    #[serde(default)]
    exercises: Vec<Spanned<RawExercise>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExercise {
    name: Spanned<String>,
    dir: Spanned<String>,
    hint: String,
    points: Option<Spanned<f64>>,
    timeout_secs: Option<Spanned<u64>>,
    max_output_bytes: Option<Spanned<u64>>,
    max_threads: Option<Spanned<u64>>,
    max_memory_mb: Option<Spanned<u64>>,
    #[serde(default)]
    partial_credit: bool,
    flag_copies: Option<bool>,
}

pub(crate) struct Info {
    pub welcome_message: String,
    pub final_message: String,
    pub exercises: Vec<CheckedEntry>,
}

/// An exercise with the span of its `[[exercises]]` table, for later errors.
pub(crate) struct CheckedEntry {
    pub exercise: Exercise,
    pub span: Range<usize>,
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Parses and checks info.toml (everything but the files it names).
pub(crate) fn parse(text: &str, path: &Path) -> Result<Info, CourseError> {
    let raw: RawInfo = toml::from_str(text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        CourseError::at(path, text, span, e.message().trim().to_string())
    })?;
    let err = |span: Range<usize>, message: String| CourseError::at(path, text, span, message);
    if *raw.format_version.get_ref() != FORMAT_VERSION {
        return Err(err(
            raw.format_version.span(),
            format!(
                "format_version {} is not supported (this threadlings reads {FORMAT_VERSION})",
                raw.format_version.get_ref()
            ),
        ));
    }
    if raw.exercises.is_empty() {
        return Err(CourseError::plain(format!(
            "{}: the course has no [[exercises]]",
            path.display()
        )));
    }
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut exercises = Vec::new();
    for entry in raw.exercises {
        let span = entry.span();
        let raw = entry.into_inner();
        let name = raw.name.get_ref();
        if !valid_name(name) {
            return Err(err(
                raw.name.span(),
                format!("exercise name `{name}` must match [a-z0-9_]+"),
            ));
        }
        if let Some(first) = seen.insert(name.clone(), span.start) {
            let first_line = text[..first].matches('\n').count() + 1;
            return Err(err(
                raw.name.span(),
                format!("exercise name `{name}` is used twice (first at line {first_line})"),
            ));
        }
        let dir = raw.dir.get_ref();
        if !valid_name(dir) {
            return Err(err(
                raw.dir.span(),
                format!("dir `{dir}` must match [a-z0-9_]+"),
            ));
        }
        let points = match raw.points {
            Some(p) if !(p.get_ref().is_finite() && *p.get_ref() >= 0.0) => {
                return Err(err(
                    p.span(),
                    format!("points must be a number >= 0, not {}", p.get_ref()),
                ));
            }
            Some(p) => p.into_inner(),
            None => 1.0,
        };
        let timeout_secs = match raw.timeout_secs {
            Some(t) if !(1..=3600).contains(t.get_ref()) => {
                return Err(err(
                    t.span(),
                    format!("timeout_secs must be 1 to 3600, not {}", t.get_ref()),
                ));
            }
            Some(t) => t.into_inner(),
            None => DEFAULT_TIMEOUT_SECS,
        };
        let max_output_bytes = checked_range(
            raw.max_output_bytes,
            "max_output_bytes",
            1024..=1 << 30,
            &err,
        )?;
        let max_threads = checked_range(raw.max_threads, "max_threads", 2..=100_000, &err)?;
        let max_memory_mb = checked_range(raw.max_memory_mb, "max_memory_mb", 16..=65_536, &err)?;
        exercises.push(CheckedEntry {
            exercise: Exercise {
                name: raw.name.into_inner(),
                dir: raw.dir.into_inner(),
                hint: raw.hint.trim().to_string(),
                points,
                timeout: Duration::from_secs(timeout_secs),
                max_output_bytes,
                max_threads,
                max_memory_mb,
                partial_credit: raw.partial_credit,
                flag_copies: raw.flag_copies.unwrap_or(true),
            },
            span,
        });
    }
    Ok(Info {
        welcome_message: raw.welcome_message,
        final_message: raw.final_message,
        exercises,
    })
}

/// An optional number that must lie in `range`.
fn checked_range(
    value: Option<Spanned<u64>>,
    field: &str,
    range: std::ops::RangeInclusive<u64>,
    err: &impl Fn(Range<usize>, String) -> CourseError,
) -> Result<Option<u64>, CourseError> {
    match value {
        Some(v) if !range.contains(v.get_ref()) => Err(err(
            v.span(),
            format!(
                "{field} must be {} to {}, not {}",
                range.start(),
                range.end(),
                v.get_ref()
            ),
        )),
        other => Ok(other.map(Spanned::into_inner)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_err(text: &str) -> String {
        match parse(text, Path::new("info.toml")) {
            Ok(_) => panic!("expected an error"),
            Err(e) => e.to_string(),
        }
    }

    const ONE: &str =
        "format_version = 1\n[[exercises]]\nname = \"a1\"\ndir = \"d\"\nhint = \"h\"\n";

    #[test]
    fn reads_a_minimal_course_with_defaults() {
        let info = parse(ONE, Path::new("info.toml")).unwrap();
        let ex = &info.exercises[0].exercise;
        assert_eq!(
            (ex.name.as_str(), ex.points, ex.timeout.as_secs()),
            ("a1", 1.0, DEFAULT_TIMEOUT_SECS)
        );
    }

    #[test]
    fn grading_fields_default_to_all_or_nothing_and_flagged_copies() {
        let info = parse(ONE, Path::new("info.toml")).unwrap();
        let ex = &info.exercises[0].exercise;
        assert!(!ex.partial_credit && ex.flag_copies);
        let text = format!("{ONE}partial_credit = true\nflag_copies = false\n");
        let info = parse(&text, Path::new("info.toml")).unwrap();
        let ex = &info.exercises[0].exercise;
        assert!(ex.partial_credit && !ex.flag_copies);
        assert!(parse_err(&format!("{ONE}partial_credit = \"yes\"\n")).starts_with("info.toml:6:"));
    }

    #[test]
    fn unknown_field_names_its_line() {
        let text = format!("{ONE}colour = \"red\"\n");
        let e = parse_err(&text);
        assert!(e.starts_with("info.toml:6:"), "{e}");
        assert!(e.contains("colour"), "{e}");
    }

    #[test]
    fn duplicate_name_points_at_the_second() {
        let text = format!("{ONE}{}", &ONE["format_version = 1\n".len()..]);
        let e = parse_err(&text);
        assert!(
            e.starts_with("info.toml:7:") && e.contains("used twice (first at line 2)"),
            "{e}"
        );
    }

    #[test]
    fn malformed_name_and_bad_types_are_errors() {
        assert!(parse_err(&ONE.replace("a1", "A-1")).contains("must match [a-z0-9_]+"));
        let e = parse_err(&format!("{ONE}timeout_secs = \"ten\"\n"));
        assert!(e.starts_with("info.toml:6:"), "{e}");
        assert!(
            parse_err(&format!("{ONE}timeout_secs = 0\n"))
                .contains("timeout_secs must be 1 to 3600")
        );
        assert!(
            parse_err(&ONE.replace("format_version = 1", "format_version = 2"))
                .contains("not supported")
        );
    }

    #[test]
    fn syntax_error_names_the_line() {
        let e = parse_err("format_version = 1\n[[exercises]\n");
        assert!(e.starts_with("info.toml:2:"), "{e}");
    }
}
