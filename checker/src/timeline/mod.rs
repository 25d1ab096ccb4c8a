//! A picture of what the threads of one hidden test did (issue 14): one lane
//! per thread, time left to right, and a mark on the moment that made a
//! failing test fail. Pure rendering: events in, text / SVG / trace JSON
//! out; which test to draw and where the picture goes are the commands'
//! business.
//!
//! `model` turns a test's events into lanes and marks (shared by every
//! format, so the terminal, the HTML report and a trace viewer never tell
//! different stories); `text`, `svg` and `trace` draw that model.

mod model;
mod svg;
mod text;
mod trace;

#[cfg(test)]
mod golden;

use std::io::IsTerminal as _;

use threadlings_support::protocol::Event;

use crate::verdict::{Status, TestResult, Verdict};

pub(crate) use {svg::svg, text::text, trace::trace};

/// One test process's events, what a picture is drawn from.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Run<'a> {
    pub test: &'a str,
    pub status: Status,
    pub events: &'a [Event],
    /// Events that happened but that the test process did not keep.
    pub dropped: u64,
    /// The test process wrote its record: its events are all it saw (a
    /// process that ended or was killed first left none).
    pub reported: bool,
}

impl<'a> Run<'a> {
    pub fn of(t: &'a TestResult) -> Run<'a> {
        Run {
            test: &t.name,
            status: t.status,
            events: &t.events,
            dropped: t.events_dropped,
            reported: t.reported,
        }
    }
}

/// Which test of a verdict to draw: the first failing (non-pass) test if
/// it never reported (its process ended or was stopped: the verdict's
/// message is about it), else the first failing test that has events,
/// else the first failing test, else (for a pass) the first test
/// with events, else the first test. `None` when no test ran (a compile
/// error, a missing file).
///
/// A failing test with events is the one whose picture can show what went
/// wrong; a failing one without events still gets its honest "nothing to
/// draw" rather than a passing test's picture that would look fine.
pub(crate) fn pick(verdict: &Verdict) -> Option<Run<'_>> {
    let tests = &verdict.tests;
    let failing = |t: &&TestResult| t.status != Status::Pass;
    // The verdict's message is its first failing test's: when that test's
    // process ended or was stopped before it reported, its picture (which
    // says so) goes with the message, not another test's.
    let first = tests.iter().find(failing);
    first
        .filter(|t| !t.reported)
        .or_else(|| tests.iter().filter(failing).find(|t| !t.events.is_empty()))
        .or_else(|| tests.iter().find(failing))
        .or_else(|| tests.iter().find(|t| !t.events.is_empty()))
        .or_else(|| tests.first())
        .map(Run::of)
}

/// The narrowest picture drawn: below this, lanes would have no room for
/// time at all.
pub(crate) const MIN_WIDTH: usize = 40;
/// The widest: more columns show no more (the record is microseconds, a
/// test a few milliseconds), and a `$COLUMNS` of a billion must not make a
/// picture of a billion cells.
pub(crate) const MAX_WIDTH: usize = 400;

/// How the terminal picture may look.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Look {
    /// Display columns per line (drawn between [`MIN_WIDTH`] and
    /// [`MAX_WIDTH`]).
    pub width: usize,
    /// Box drawing and symbols; ASCII only when false.
    pub unicode: bool,
    /// ANSI colours; the same characters either way.
    pub color: bool,
}

impl Look {
    /// What stdout can show: its terminal's width (else `$COLUMNS`, else
    /// 80), Unicode unless the environment says it cannot, colours as
    /// anstream decides for stdout (so `NO_COLOR` and a pipe turn them off).
    pub fn for_stdout() -> Look {
        let stdout = std::io::stdout();
        let terminal = if stdout.is_terminal() {
            crossterm::terminal::size()
                .ok()
                .map(|(w, _)| usize::from(w))
        } else {
            None
        };
        let var = |name: &str| std::env::var(name).ok();
        let choice = anstream::AutoStream::choice(&stdout);
        Look {
            width: width_from(terminal, var("COLUMNS").as_deref()),
            unicode: unicode_from(var),
            color: choice != anstream::ColorChoice::Never,
        }
    }
}

/// The width to draw at: the terminal's if known, else a sane `$COLUMNS`,
/// else 80; never below [`MIN_WIDTH`] (a zero-width terminal must not
/// break the picture) nor above [`MAX_WIDTH`].
fn width_from(terminal: Option<usize>, columns: Option<&str>) -> usize {
    terminal
        .filter(|&w| w > 0)
        .or_else(|| {
            columns
                .and_then(|c| c.trim().parse().ok())
                .filter(|&w| w > 0)
        })
        .unwrap_or(80)
        .clamp(MIN_WIDTH, MAX_WIDTH)
}

/// Whether symbols outside ASCII will show: not on a dumb terminal, not when
/// asked (`THREADLINGS_ASCII=1`), and not when the locale that decides the
/// character set (`LC_ALL`, then `LC_CTYPE`, then `LANG`, the first one set)
/// names one that is not UTF-8 (`C`, `POSIX`, `en_US.ISO-8859-1`). No
/// locale at all says nothing, and most terminals today are UTF-8.
fn unicode_from(var: impl Fn(&str) -> Option<String>) -> bool {
    if var("TERM").as_deref() == Some("dumb") || var("THREADLINGS_ASCII").as_deref() == Some("1") {
        return false;
    }
    let locale = ["LC_ALL", "LC_CTYPE", "LANG"]
        .into_iter()
        .find_map(|name| var(name).filter(|v| !v.is_empty()));
    match locale {
        None => true,
        Some(locale) => {
            let lower = locale.to_ascii_lowercase();
            lower.contains("utf-8") || lower.contains("utf8")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(name: &str, status: Status, events: usize) -> TestResult {
        let event = Event {
            t_us: 1,
            kind: threadlings_support::protocol::EventKind::Note,
            thread: 1,
            thread_name: None,
            os_tid: None,
            label: String::new(),
            peer: None,
        };
        TestResult {
            name: name.into(),
            status,
            message: String::new(),
            duration_ms: 0,
            output: String::new(),
            reported: true,
            tampered: false,
            events: vec![event; events],
            events_dropped: 0,
        }
    }

    fn picked(tests: Vec<TestResult>) -> Option<String> {
        let verdict = Verdict::from_tests("x", 1.0, tests);
        pick(&verdict).map(|r| r.test.to_string())
    }

    #[test]
    fn pick_prefers_a_failing_test_that_has_something_to_show() {
        let tests = vec![
            result("pass_with", Status::Pass, 2),
            result("fail_without", Status::Fail, 0),
            result("timeout_with", Status::Timeout, 1),
        ];
        assert_eq!(picked(tests).as_deref(), Some("timeout_with"));
        let tests = vec![
            result("pass_with", Status::Pass, 2),
            result("fail_without", Status::Fail, 0),
            result("crash_without", Status::Crash, 0),
        ];
        assert_eq!(picked(tests).as_deref(), Some("fail_without"));
        let tests = vec![
            result("pass_without", Status::Pass, 0),
            result("pass_with", Status::Pass, 3),
        ];
        assert_eq!(picked(tests).as_deref(), Some("pass_with"));
        let tests = vec![result("pass_without", Status::Pass, 0)];
        assert_eq!(picked(tests).as_deref(), Some("pass_without"));
        assert_eq!(picked(Vec::new()), None);
        // The first failing test was stopped before it reported (a thread
        // bomb): the verdict's message is about it, and so is the picture.
        let mut stopped = result("stopped", Status::Crash, 0);
        stopped.reported = false;
        let tests = vec![stopped, result("fail_with", Status::Fail, 2)];
        assert_eq!(picked(tests).as_deref(), Some("stopped"));
    }

    #[test]
    fn run_of_carries_the_whole_record() {
        let mut t = result("t", Status::Timeout, 3);
        t.events_dropped = 7;
        let run = Run::of(&t);
        assert_eq!(
            (run.test, run.status, run.events.len(), run.dropped),
            ("t", Status::Timeout, 3, 7)
        );
    }

    #[test]
    fn width_comes_from_the_terminal_then_columns_and_is_never_below_40() {
        assert_eq!(width_from(Some(120), Some("60")), 120);
        assert_eq!(width_from(None, Some("60")), 60);
        assert_eq!(width_from(None, Some(" 100 ")), 100);
        assert_eq!(width_from(None, Some("wide")), 80);
        assert_eq!(width_from(None, None), 80);
        assert_eq!(width_from(Some(0), None), 80, "a zero-width terminal");
        assert_eq!(width_from(Some(20), None), MIN_WIDTH);
        assert_eq!(width_from(None, Some("12")), MIN_WIDTH);
        assert_eq!(width_from(None, Some("999999999")), MAX_WIDTH);
    }

    #[test]
    fn unicode_unless_the_environment_says_otherwise() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert!(unicode_from(env(&[])));
        assert!(unicode_from(env(&[("LANG", "en_GB.UTF-8")])));
        assert!(unicode_from(env(&[("LC_ALL", "C.utf8"), ("LANG", "C")])));
        assert!(!unicode_from(env(&[("LANG", "C")])));
        assert!(!unicode_from(env(&[("LC_CTYPE", "POSIX")])));
        assert!(!unicode_from(env(&[
            ("LC_ALL", "C"),
            ("LANG", "en_US.UTF-8")
        ])));
        assert!(unicode_from(env(&[
            ("LC_ALL", ""),
            ("LANG", "en_US.UTF-8")
        ])));
        assert!(!unicode_from(env(&[("LANG", "de_DE.ISO-8859-1")])));
        assert!(!unicode_from(env(&[("TERM", "dumb")])));
        assert!(!unicode_from(env(&[("THREADLINGS_ASCII", "1")])));
        assert!(unicode_from(env(&[("THREADLINGS_ASCII", "0")])));
    }
}
