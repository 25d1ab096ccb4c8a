//! What every picture of a run shows, before any of it is drawn: the
//! lanes (one per thread, in the order they were first seen), each
//! thread's life, work and point events, the marks on what went wrong, and
//! the honest notes about what the record leaves out.
//!
//! Names and labels come from learner code (a thread's name, a value's
//! label), so everything here is cleaned of control characters once, and
//! each format escapes or elides it again for its own medium.

use std::collections::HashMap;

use threadlings_support::protocol::{Event, EventKind, TEST_THREAD_NAME};
use unicode_width::{UnicodeWidthChar as _, UnicodeWidthStr as _};

use super::Run;
use crate::verdict::Status;

/// A thing that happened at one moment on one lane, in increasing order of
/// how much it tells: when several share a cell, the greatest is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum PointKind {
    Note,
    MovedIn,
    Dropped,
    JoinCalled,
    JoinReturned,
    Returned,
}

impl PointKind {
    /// The words a hover text or a trace viewer shows.
    pub fn words(self) -> &'static str {
        match self {
            PointKind::Note => "note",
            PointKind::MovedIn => "moved in",
            PointKind::Dropped => "dropped",
            PointKind::JoinCalled => "join called",
            PointKind::JoinReturned => "join returned",
            PointKind::Returned => "returned",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Point {
    pub t_us: u64,
    pub kind: PointKind,
    pub label: String,
    /// The thread a join waits for (its `thread` number), when known.
    pub peer: Option<u64>,
}

/// Work the test handed over (started..ended), or the learner's function
/// running on the caller (started..returned: `call`). `to_us` is `None`
/// while it was still going when the record ends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Span {
    pub from_us: u64,
    pub to_us: Option<u64>,
    pub label: String,
    pub call: bool,
}

/// One thread.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Lane {
    /// The number in its std `ThreadId`.
    pub thread: u64,
    /// Its name, cleaned: the thread's own; for a thread without one, the
    /// work the test handed it (`first`, `job 2`, `first+second` when it
    /// ran both), or else `thread N` (numbered among those, so the same run
    /// always draws the same names).
    pub name: String,
    /// Set when an earlier lane already shows the same name.
    pub suffix: Option<u32>,
    /// The test harness's own thread (named [`TEST_THREAD`]): drawn last
    /// and dim, never accused (what it does is the test's, not the
    /// learner's).
    pub test: bool,
    pub first_us: u64,
    pub exited_us: Option<u64>,
    pub work: Vec<Span>,
    /// Waiting in a join: from join_called to join_returned.
    pub waits: Vec<(u64, Option<u64>)>,
    pub points: Vec<Point>,
}

impl Lane {
    fn new(thread: u64, name: String, first_us: u64) -> Lane {
        Lane {
            thread,
            name,
            suffix: None,
            test: false,
            first_us,
            exited_us: None,
            work: Vec::new(),
            waits: Vec::new(),
            points: Vec::new(),
        }
    }

    /// The lane's name with its suffix, elided to at most `cols` columns
    /// (the suffix always kept: it is what tells two lanes apart).
    pub fn label(&self, cols: usize, unicode: bool) -> String {
        let suffix = self.suffix.map(|n| format!(" {n}")).unwrap_or_default();
        let name = shown(&self.name, unicode);
        let room = cols.saturating_sub(suffix.width()).max(1);
        format!("{}{suffix}", elide(&name, room, unicode))
    }

    /// Where the lane's life ends in the picture: its exit, or the end of
    /// the record if it never exited.
    pub fn end_us(&self, record_end: u64) -> u64 {
        self.exited_us.unwrap_or(record_end)
    }

    /// The learner's function returned here: this is the caller.
    pub fn returned_at(&self) -> Option<u64> {
        self.points
            .iter()
            .find(|p| p.kind == PointKind::Returned)
            .map(|p| p.t_us)
    }

    /// Work that is not the learner's function itself: handed-over spans
    /// and lines written, each as (from, to), an open span to the end of
    /// time.
    fn busy(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        let spans = self
            .work
            .iter()
            .filter(|s| !s.call)
            .map(|s| (s.from_us, s.to_us.unwrap_or(u64::MAX)));
        let notes = self
            .points
            .iter()
            .filter(|p| p.kind == PointKind::Note)
            .map(|p| (p.t_us, p.t_us));
        spans.chain(notes)
    }
}

/// The name the hidden tests give their own thread (the harness's, which
/// joins handles the learner's function returned).
pub(crate) const TEST_THREAD: &str = "test";

/// Which rule a mark comes from, with what its sentence names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Problem {
    /// `lanes` were still running when `caller` returned.
    NotJoined { caller: usize, lanes: Vec<usize> },
    /// The threads' work ran one after another.
    NeverOverlapped,
    /// `value` moved to `moved_to` but was dropped on `dropped_on`.
    DroppedElsewhere {
        value: String,
        moved_to: usize,
        dropped_on: usize,
    },
    /// And `count` more values like that.
    MoreDroppedElsewhere { count: usize },
    /// Every piece of work ran on `caller`, no other thread ran any.
    AllOnCaller { caller: usize },
    /// `caller` called `call` (as its `started` label says) and was still
    /// inside it when the record ends.
    NeverReturned { caller: usize, call: String },
}

/// A problem, and where on which lanes it is marked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Mark {
    pub problem: Problem,
    /// (lane index, time) of each ✗.
    pub at: Vec<(usize, u64)>,
}

/// How wide a lane name may be inside a mark's sentence.
const NAME_IN_SENTENCE: usize = 16;
/// How wide a value's label may be inside a mark's sentence.
const VALUE_IN_SENTENCE: usize = 24;

impl Mark {
    /// The sentence under the picture, without its ✗.
    pub fn sentence(&self, lanes: &[Lane], unicode: bool) -> String {
        let name = |i: usize| lanes[i].label(NAME_IN_SENTENCE, unicode);
        match &self.problem {
            Problem::NotJoined {
                caller,
                lanes: late,
            } => {
                let who = match late.len() {
                    1 => format!("{} was", name(late[0])),
                    2 => format!("{} and {} were", name(late[0]), name(late[1])),
                    n => format!("{} and {} more were", name(late[0]), n - 1),
                };
                format!(
                    "{who} still running when {} returned: nothing joined it",
                    name(*caller)
                )
            }
            Problem::NeverOverlapped => {
                "the threads' work never overlapped: they ran one after another".to_string()
            }
            Problem::DroppedElsewhere {
                value,
                moved_to,
                dropped_on,
            } => format!(
                "{} moved to {} but was dropped on {}",
                elide(&shown(value, unicode), VALUE_IN_SENTENCE, unicode),
                name(*moved_to),
                name(*dropped_on)
            ),
            Problem::MoreDroppedElsewhere { count } => {
                format!("and {count} more values were dropped on another thread than they moved to")
            }
            Problem::AllOnCaller { caller } => format!(
                "all the work ran on {}: no other thread ran any of it",
                name(*caller)
            ),
            Problem::NeverReturned { caller, call } => format!(
                "{} never returned from {}: it was still inside when the test stopped looking",
                name(*caller),
                elide(&shown(call, unicode), VALUE_IN_SENTENCE, unicode)
            ),
        }
    }
}

/// A run, ready to draw.
#[derive(Clone, Debug)]
pub(crate) struct Model {
    /// The test's name, cleaned.
    pub test: String,
    /// The first and last event's time (both 0 without events).
    pub start_us: u64,
    pub end_us: u64,
    /// Long quiet stretches drawn narrow, in time order.
    pub breaks: Vec<Break>,
    /// Every thread, in the order first seen.
    pub lanes: Vec<Lane>,
    pub marks: Vec<Mark>,
    /// What the picture cannot show, each a sentence.
    pub notes: Vec<String>,
    /// Events that happened but were not kept.
    pub dropped: u64,
}

/// The most lanes drawn; the rest are summed up in one line (a thread
/// bomb must not make a picture a thousand lines long).
pub(crate) const MAX_LANES: usize = 12;

impl Model {
    pub fn of(run: &Run) -> Model {
        let mut events: Vec<&Event> = run.events.iter().collect();
        // The support library records in time order; a fixture or a future
        // recorder might not, and a picture must not go backwards.
        events.sort_by_key(|e| e.t_us);
        let lanes = lanes(&events);
        let marks = marks(&lanes, run.status);
        let times: Vec<u64> = events.iter().map(|e| e.t_us).collect();
        Model {
            breaks: breaks(&times),
            test: clean(run.test),
            start_us: events.first().map_or(0, |e| e.t_us),
            end_us: events.last().map_or(0, |e| e.t_us),
            lanes,
            marks,
            notes: notes(run),
            dropped: run.dropped,
        }
    }

    /// The lanes to draw, at most `max`, in lane order: those a mark is on
    /// and the caller's first (they are what the marks' sentences name),
    /// then the earliest.
    pub fn shown(&self, max: usize) -> Vec<usize> {
        let callers = (0..self.lanes.len()).filter(|&i| self.lanes[i].returned_at().is_some());
        let marked = self.marks.iter().flat_map(|m| m.at.iter().map(|&(i, _)| i));
        let mut shown: Vec<usize> = Vec::new();
        for i in callers.chain(marked).chain(0..self.lanes.len()) {
            if shown.len() >= max {
                break;
            }
            if !shown.contains(&i) {
                shown.push(i);
            }
        }
        shown.sort_unstable();
        shown
    }

    /// The line about the lanes not drawn: how many, and when they were
    /// first seen.
    pub fn not_shown(&self, shown: &[usize], unicode: bool) -> Option<String> {
        let rest: Vec<&Lane> = (0..self.lanes.len())
            .filter(|i| !shown.contains(i))
            .map(|i| &self.lanes[i])
            .collect();
        let first = rest.iter().map(|l| l.first_us).min()?;
        let last = rest.iter().map(|l| l.first_us).max()?;
        let threads = if rest.len() == 1 { "thread" } else { "threads" };
        let dots = if unicode { "…" } else { "..." };
        Some(format!(
            "{dots} and {} more {threads}, first seen {}",
            rest.len(),
            times(first, last, self.end_us, unicode)
        ))
    }

    /// Where time `t` falls once the breaks are taken out: the time before
    /// it that is drawn to scale, how many breaks lie wholly before it, and
    /// how far into a break it is (0 outside one).
    pub fn on_axis(&self, t: u64) -> (u64, usize, f64) {
        let t = t.clamp(self.start_us, self.end_us);
        let mut live = t - self.start_us;
        let (mut before, mut into) = (0, 0.0);
        for b in &self.breaks {
            if t >= b.to_us {
                live -= b.to_us - b.from_us;
                before += 1;
            } else if t > b.from_us {
                live -= t - b.from_us;
                into = (t - b.from_us) as f64 / (b.to_us - b.from_us) as f64;
            }
        }
        (live, before, into)
    }

    /// The time drawn to scale: the whole span but its breaks.
    pub fn live_us(&self) -> u64 {
        let quiet: u64 = self.breaks.iter().map(|b| b.to_us - b.from_us).sum();
        (self.end_us - self.start_us).saturating_sub(quiet)
    }

    /// Where `t` is on a line of `length` units from the first event (0)
    /// to the last (`length`), each break taking `gap` of them.
    pub fn position(&self, t: u64, length: f64, gap: f64) -> f64 {
        let (live, before, into) = self.on_axis(t);
        let total = self.live_us();
        let scaled = (length - gap * self.breaks.len() as f64).max(0.0);
        let share = if total == 0 {
            0.0
        } else {
            live as f64 / total as f64
        };
        share * scaled + (before as f64 + into) * gap
    }

    /// How long one break really was, and when: `3.0 s with nothing new
    /// (4.5–3001.0 ms)`.
    pub fn break_words(&self, b: &Break, unicode: bool) -> String {
        format!(
            "{} with nothing new ({})",
            duration(b.to_us - b.from_us),
            times(b.from_us, b.to_us, self.end_us, unicode)
        )
    }

    /// The sentence that says which stretches are drawn narrow, and how
    /// long they really were; `None` without breaks.
    pub fn breaks_sentence(&self, unicode: bool) -> Option<String> {
        let long = |b: &Break| duration(b.to_us - b.from_us);
        let when = |b: &Break| times(b.from_us, b.to_us, self.end_us, unicode);
        let each = |b: &Break| format!("{} ({})", long(b), when(b));
        let glyph = if unicode { "≈" } else { "~" };
        match self.breaks.as_slice() {
            [] => None,
            [one] => Some(format!(
                "{glyph} {}, drawn narrow",
                self.break_words(one, unicode)
            )),
            many => Some(format!(
                "{glyph} {} stretches with nothing new, drawn narrow: {}",
                many.len(),
                many.iter().map(each).collect::<Vec<_>>().join(", ")
            )),
        }
    }

    /// The test's name and the time the picture spans.
    pub fn span(&self, unicode: bool) -> String {
        if self.lanes.is_empty() {
            "no events".to_string()
        } else {
            times(self.start_us, self.end_us, self.end_us, unicode)
        }
    }
}

/// A stretch between two consecutive moments of the record, with nothing
/// recorded in between, that the pictures draw narrow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Break {
    pub from_us: u64,
    pub to_us: u64,
}

/// The quiet stretches worth drawing narrow, from the event times in
/// order. A gap between consecutive moments is one when all three hold:
///
/// - it is over a quarter of the span: drawn narrow, it gives the rest a
///   real share of the width (and so there are at most three);
/// - it is over 8 times the median gap: not the run's own rhythm (a job's
///   length, a line's pace) but another kind of time, a timeout or a
///   timed wait that gave up;
/// - such gaps together take over 19/20 of the span: to scale, everything
///   else would get under a twentieth of the width, 3 columns at 80;
/// - and it lasts at least `MIN_BREAK_US`: the waits worth cutting are a
///   test's patience running out (seconds), never a learner's job of a few
///   ms, however the moments around it fall.
///
/// The last keeps jobs that run one after another for a few ms each drawn
/// to scale (their gaps are 8 times the moments between them and take 85%
/// of the span, but the gaps *are* the story), while a 3 s wait among ms
/// of events (99.6%) is cut.
/// The shortest quiet stretch drawn narrow.
const MIN_BREAK_US: u64 = 100_000;

fn breaks(times: &[u64]) -> Vec<Break> {
    let (Some(&start), Some(&end)) = (times.first(), times.last()) else {
        return Vec::new();
    };
    let span = end - start;
    let gaps: Vec<(u64, u64)> = times
        .windows(2)
        .filter(|w| w[1] > w[0])
        .map(|w| (w[0], w[1]))
        .collect();
    let mut lengths: Vec<u64> = gaps.iter().map(|(a, b)| b - a).collect();
    lengths.sort_unstable();
    let Some(&median) = lengths.get(lengths.len().saturating_sub(1) / 2) else {
        return Vec::new();
    };
    let quiet: Vec<Break> = gaps
        .iter()
        .filter(|(a, b)| {
            let gap = b - a;
            u128::from(gap) * 4 > u128::from(span)
                && gap > median.saturating_mul(8)
                && gap >= MIN_BREAK_US
        })
        .map(|&(from_us, to_us)| Break { from_us, to_us })
        .collect();
    let total: u64 = quiet.iter().map(|b| b.to_us - b.from_us).sum();
    if u128::from(total) * 20 > u128::from(span) * 19 {
        quiet
    } else {
        Vec::new()
    }
}

/// How long a stretch lasted: in s from a second on, else in ms.
fn duration(us: u64) -> String {
    if us >= 1_000_000 {
        format!("{:.1} s", us as f64 / 1_000_000.0)
    } else {
        format!("{:.1} ms", us as f64 / 1_000.0)
    }
}

/// Ends each join seen called and never seen returning where it must have
/// returned: when the thread it waited for exited (a join returns as that
/// thread ends), or at the latest when its own thread's function returned.
/// Left open, it would be drawn as a wait to the end of the picture, and
/// point a learner at a join that was long over (the caller then spun, or
/// hung elsewhere).
fn close_open_waits(lanes: &mut [Lane]) {
    let exits: HashMap<u64, u64> = lanes
        .iter()
        .filter_map(|l| Some((l.thread, l.exited_us?)))
        .collect();
    for lane in lanes.iter_mut() {
        let returned = lane.returned_at();
        let joins: Vec<(u64, Option<u64>)> = lane
            .points
            .iter()
            .filter(|p| p.kind == PointKind::JoinCalled)
            .map(|p| (p.t_us, p.peer))
            .collect();
        for wait in lane.waits.iter_mut().filter(|w| w.1.is_none()) {
            let peer = joins
                .iter()
                .find(|&&(t, _)| t == wait.0)
                .and_then(|&(_, peer)| peer);
            let peer_exit = peer.and_then(|p| exits.get(&p).copied());
            wait.1 = [peer_exit, returned]
                .into_iter()
                .flatten()
                .filter(|&t| t >= wait.0)
                .min();
        }
    }
}

/// Lanes from events in time order.
fn lanes(events: &[&Event]) -> Vec<Lane> {
    let mut lanes: Vec<Lane> = Vec::new();
    let mut by_thread: HashMap<u64, usize> = HashMap::new();
    let mut unnamed = 0;
    for e in events {
        let i = *by_thread.entry(e.thread).or_insert_with(|| {
            // Known by a name no learner thread can have (it holds a NUL),
            // shown as "test".
            let test = e.thread_name.as_deref() == Some(TEST_THREAD_NAME);
            let name = e.thread_name.as_deref().map(clean).unwrap_or_default();
            // Unnamed for now: named after the loop, by its work.
            let name = if test { TEST_THREAD.to_string() } else { name };
            let mut lane = Lane::new(e.thread, name, e.t_us);
            lane.test = test;
            lanes.push(lane);
            lanes.len() - 1
        });
        let lane = &mut lanes[i];
        let label = clean(&e.label);
        let point = |kind| Point {
            t_us: e.t_us,
            kind,
            label: label.clone(),
            peer: e.peer,
        };
        match e.kind {
            // A life begins with the thread's first event, whichever it is.
            EventKind::Spawned => {}
            EventKind::Started => lane.work.push(Span {
                from_us: e.t_us,
                to_us: None,
                // The support library's watchdog says "calls `f(..)`" as
                // it enters the learner's function: known to be the call
                // before it returns (or if it never does).
                call: label.starts_with("calls "),
                label,
            }),
            EventKind::Ended => match open_span(&mut lane.work, &label) {
                Some(span) => span.to_us = Some(e.t_us),
                // Its start was not kept: the work ran from when the
                // thread was first seen, as far as the record can tell.
                None => lane.work.push(Span {
                    from_us: lane.first_us,
                    to_us: Some(e.t_us),
                    label,
                    call: false,
                }),
            },
            EventKind::Returned => {
                // What `started` began on the caller was the learner's
                // function, and this is its end.
                if let Some(span) = lane.work.iter_mut().rev().find(|s| s.to_us.is_none()) {
                    span.to_us = Some(e.t_us);
                    span.call = true;
                }
                lane.points.push(point(PointKind::Returned));
            }
            EventKind::Exited => {
                lane.exited_us.get_or_insert(e.t_us);
            }
            EventKind::JoinCalled => {
                lane.waits.push((e.t_us, None));
                lane.points.push(point(PointKind::JoinCalled));
            }
            EventKind::JoinReturned => {
                if let Some(wait) = lane.waits.iter_mut().rev().find(|w| w.1.is_none()) {
                    wait.1 = Some(e.t_us);
                }
                lane.points.push(point(PointKind::JoinReturned));
            }
            EventKind::MovedIn => lane.points.push(point(PointKind::MovedIn)),
            EventKind::Dropped => lane.points.push(point(PointKind::Dropped)),
            EventKind::Note => lane.points.push(point(PointKind::Note)),
        }
    }
    close_open_waits(&mut lanes);
    // A learner's thread seldom has a name; the work the test handed it
    // says which one it is ("second started while first ran").
    for lane in lanes.iter_mut().filter(|l| l.name.is_empty()) {
        let mut jobs: Vec<&str> = Vec::new();
        for span in lane.work.iter().filter(|s| !s.call && !s.label.is_empty()) {
            if !jobs.contains(&span.label.as_str()) {
                jobs.push(&span.label);
            }
        }
        lane.name = if jobs.is_empty() {
            unnamed += 1;
            format!("thread {unnamed}")
        } else {
            jobs.join("+")
        };
    }
    // The test's own thread last: the learner's threads are the story, and
    // it is what ties them together at the end (it joins them).
    lanes.sort_by_key(|lane| lane.test);
    tell_apart(&mut lanes);
    lanes
}

/// The open span an `ended` closes: the latest with its label, else the
/// latest of any.
fn open_span<'s>(work: &'s mut [Span], label: &str) -> Option<&'s mut Span> {
    let at = work
        .iter()
        .rposition(|s| s.to_us.is_none() && s.label == label)
        .or_else(|| work.iter().rposition(|s| s.to_us.is_none()))?;
    Some(&mut work[at])
}

/// Gives each lane whose name an earlier lane already shows a number, so
/// that no two lanes read alike.
fn tell_apart(lanes: &mut [Lane]) {
    let mut taken: Vec<String> = Vec::new();
    for lane in lanes {
        let mut n = 1;
        let mut full = lane.name.clone();
        while taken.contains(&full) {
            n += 1;
            full = format!("{} {n}", lane.name);
        }
        lane.suffix = (n > 1).then_some(n);
        taken.push(full);
    }
}

/// The moments that matter in a run that did not pass, each a rule about
/// the lanes. None for a pass: a correct run that legitimately runs
/// threads one after another must not be accused.
pub(crate) fn marks(lanes: &[Lane], status: Status) -> Vec<Mark> {
    if status == Status::Pass {
        return Vec::new();
    }
    let mut marks = Vec::new();
    marks.extend(not_joined(lanes));
    marks.extend(never_overlapped(lanes));
    marks.extend(dropped_elsewhere(lanes));
    marks.extend(all_on_caller(lanes));
    marks.extend(never_returned(lanes));
    marks
}

/// A call into the learner's code that never returned (a hang, a join of
/// a thread that never ends, a wait the test never answers), marked at the
/// end of the record: the caller was still inside then.
fn never_returned(lanes: &[Lane]) -> Vec<Mark> {
    let end = last_moment(lanes);
    lanes
        .iter()
        .enumerate()
        .filter(|(_, lane)| !lane.test)
        .filter_map(|(i, lane)| {
            let call = lane.work.iter().find(|s| s.call && s.to_us.is_none())?;
            let what = call.label.strip_prefix("calls ").unwrap_or(&call.label);
            Some(Mark {
                problem: Problem::NeverReturned {
                    caller: i,
                    call: what.to_string(),
                },
                at: vec![(i, end)],
            })
        })
        .collect()
}

/// The last moment anything was recorded, on any lane.
fn last_moment(lanes: &[Lane]) -> u64 {
    lanes
        .iter()
        .flat_map(|lane| {
            let points = lane.points.iter().map(|p| p.t_us);
            let spans = lane
                .work
                .iter()
                .flat_map(|s| [Some(s.from_us), s.to_us])
                .flatten();
            points
                .chain(spans)
                .chain(lane.exited_us)
                .chain([lane.first_us])
        })
        .max()
        .unwrap_or(0)
}

/// The caller returned while a thread it could have joined was still
/// running: seen before the return, not exited by then. Fair to two
/// correct shapes: a function that returns its threads' handles (whoever
/// joins one later, the test included, names it as the join's peer), and
/// `thread::scope`, whose end joins its threads before the caller returns
/// although their `exited` is recorded after (the caller is seen in a join
/// of no one thread in particular first).
fn not_joined(lanes: &[Lane]) -> Option<Mark> {
    let (caller, returned) = lanes
        .iter()
        .enumerate()
        .find_map(|(i, l)| Some((i, l.returned_at()?)))?;
    let scope_joined = lanes[caller]
        .points
        .iter()
        .any(|p| p.kind == PointKind::JoinCalled && p.peer.is_none() && p.t_us < returned);
    if scope_joined {
        return None;
    }
    let joined_later = |thread: u64| {
        lanes
            .iter()
            .flat_map(|l| &l.points)
            .any(|p| p.kind == PointKind::JoinCalled && p.peer == Some(thread))
    };
    let late: Vec<usize> = (0..lanes.len())
        .filter(|&i| i != caller && !lanes[i].test)
        .filter(|&i| lanes[i].first_us < returned)
        .filter(|&i| lanes[i].exited_us.is_none_or(|x| x > returned))
        .filter(|&i| !joined_later(lanes[i].thread))
        .collect();
    if late.is_empty() {
        return None;
    }
    Some(Mark {
        at: late.iter().map(|&i| (i, returned)).collect(),
        problem: Problem::NotJoined {
            caller,
            lanes: late,
        },
    })
}

/// Two or more lanes did work (handed-over work, or lines they wrote) and
/// no two of them did it at the same time. The learner's function itself
/// (the caller's `call`) is not such work: it spans everything.
fn never_overlapped(lanes: &[Lane]) -> Option<Mark> {
    let mut busy: Vec<(u64, u64, usize)> = lanes
        .iter()
        .enumerate()
        .filter(|(_, lane)| !lane.test)
        .filter_map(|(i, lane)| {
            let (from, to) = lane.busy().reduce(|a, b| (a.0.min(b.0), a.1.max(b.1)))?;
            Some((from, to, i))
        })
        .collect();
    if busy.len() < 2 {
        return None;
    }
    busy.sort_unstable();
    // Sorted by start, they are all apart exactly when each starts no
    // earlier than every one before it ended.
    let mut ended = busy[0].1;
    for &(from, to, _) in &busy[1..] {
        if from < ended {
            return None;
        }
        ended = ended.max(to);
    }
    Some(Mark {
        problem: Problem::NeverOverlapped,
        at: busy[1..].iter().map(|&(from, _, i)| (i, from)).collect(),
    })
}

/// A value the test made moved to one thread and was dropped on another.
fn dropped_elsewhere(lanes: &[Lane]) -> Vec<Mark> {
    let points = |kind| {
        lanes.iter().enumerate().flat_map(move |(i, lane)| {
            lane.points
                .iter()
                .filter(move |p| p.kind == kind && !p.label.is_empty())
                .map(move |p| (i, p))
        })
    };
    // Each value's moves in time order, looked up by label: a run may
    // record thousands of both.
    let mut moves: HashMap<&str, Vec<(u64, usize)>> = HashMap::new();
    for (i, p) in points(PointKind::MovedIn) {
        moves.entry(&p.label).or_default().push((p.t_us, i));
    }
    for list in moves.values_mut() {
        list.sort_unstable();
    }
    let mut found: Vec<(String, usize, usize, u64)> = Vec::new();
    // The test drops what it gets back: its business, not the learner's.
    for (dropped_on, drop) in points(PointKind::Dropped).filter(|(i, _)| !lanes[*i].test) {
        let Some(moved) = moves.get(drop.label.as_str()) else {
            continue;
        };
        if moved.iter().any(|&(_, i)| i == dropped_on) {
            continue;
        }
        // Where it last moved before the drop, else where it first moved.
        let moved_to = moved
            .iter()
            .rev()
            .find(|&&(t, _)| t <= drop.t_us)
            .or(moved.first())
            .map(|&(_, i)| i);
        if let Some(moved_to) = moved_to {
            found.push((drop.label.clone(), moved_to, dropped_on, drop.t_us));
        }
    }
    found.sort_by_key(|f| f.3);
    // A few sentences, then one for the rest: a picture must not grow a
    // line per value.
    let mut marks: Vec<Mark> = Vec::new();
    let rest = found.split_off(found.len().min(MAX_DROP_SENTENCES));
    for (value, moved_to, dropped_on, t) in found {
        marks.push(Mark {
            problem: Problem::DroppedElsewhere {
                value,
                moved_to,
                dropped_on,
            },
            at: vec![(dropped_on, t)],
        });
    }
    if !rest.is_empty() {
        marks.push(Mark {
            problem: Problem::MoreDroppedElsewhere { count: rest.len() },
            at: rest.iter().map(|&(_, _, on, t)| (on, t)).collect(),
        });
    }
    marks
}

/// Nothing but the caller (and the test) did anything, yet the caller did
/// work: the learner forgot to spawn, or called the closure directly. The
/// ✗ goes where the caller's first piece of work begins.
fn all_on_caller(lanes: &[Lane]) -> Option<Mark> {
    let only_callers = lanes
        .iter()
        .all(|lane| lane.test || lane.returned_at().is_some());
    if !only_callers {
        return None;
    }
    let (caller, first) = lanes
        .iter()
        .enumerate()
        .filter(|(_, lane)| !lane.test)
        .find_map(|(i, lane)| Some((i, lane.busy().map(|(from, _)| from).min()?)))?;
    Some(Mark {
        problem: Problem::AllOnCaller { caller },
        at: vec![(caller, first)],
    })
}

/// How many wrong drops get a sentence each.
const MAX_DROP_SENTENCES: usize = 2;

/// What the picture does not show, and why, each a sentence.
fn notes(run: &Run) -> Vec<String> {
    let mut notes = Vec::new();
    match run.dropped {
        0 => {}
        1 => notes.push("1 more event happened than the test keeps; it is not drawn".into()),
        n => notes.push(format!(
            "{n} more events happened than the test keeps; they are not drawn"
        )),
    }
    // A test that reported a timeout gave up waiting by itself; one that
    // did not report was stopped from outside (or ended on its own).
    let killed = matches!(run.status, Status::Timeout | Status::Crash) && !run.reported;
    match (killed, run.reported, run.events.is_empty()) {
        (true, _, true) => notes.push(
            "the run was stopped before it reported anything: there is nothing to draw".into(),
        ),
        (true, _, false) => notes.push(format!(
            "the run was stopped ({}) before it finished: the picture ends where its record does",
            run.status.as_str()
        )),
        (false, false, true) => notes.push(
            "the test's process ended before it reported anything (the message says why): \
             there is nothing to draw"
                .into(),
        ),
        (false, true, true) => notes.push("this test observed no threads".into()),
        (false, _, false) => {}
    }
    notes
}

/// Text from learner code, safe to show: no control characters (they move
/// a terminal's cursor, and XML forbids most), no bidirectional overrides
/// (they reorder what follows on the line), no noncharacters (XML forbids
/// them).
pub(crate) fn clean(text: &str) -> String {
    text.chars()
        .filter(|&c| {
            // Also line and paragraph separators (a new line by another
            // name), and the invisible formatting marks: zero-width
            // spaces and joiners, direction marks, the BOM.
            !c.is_control()
                && !matches!(
                    c,
                    '\u{200b}'..='\u{200f}'
                        | '\u{2028}'..='\u{202e}'
                        | '\u{2060}'..='\u{206f}'
                        | '\u{061c}'
                        | '\u{feff}'
                        | '\u{fffe}'
                        | '\u{ffff}'
                )
        })
        .collect()
}

/// Text as the look can show it: itself, or in ASCII with our own symbols
/// spelt out and anything else a `?`.
pub(crate) fn shown(text: &str, unicode: bool) -> String {
    if unicode {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            c if c.is_ascii() => out.push(c),
            '…' => out.push_str("..."),
            '–' | '—' | '·' => out.push('-'),
            '✗' => out.push('X'),
            '≈' => out.push('~'),
            _ => out.push('?'),
        }
    }
    out
}

/// `text` cut to at most `cols` display columns, an ellipsis (`~` in
/// ASCII) saying that it was cut.
pub(crate) fn elide(text: &str, cols: usize, unicode: bool) -> String {
    if text.width() <= cols {
        return text.to_string();
    }
    let (mark, mark_width) = if unicode { ("…", 1) } else { ("~", 1) };
    let room = cols.saturating_sub(mark_width);
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > room {
            break;
        }
        used += w;
        out.push(c);
    }
    if cols >= mark_width {
        out.push_str(mark);
    }
    out
}

/// A time, or a range of them, since the test process started: in ms, or
/// in s for a record that runs 10 s or more (`scale_us` decides which, so
/// one picture uses one unit).
pub(crate) fn times(from_us: u64, to_us: u64, scale_us: u64, unicode: bool) -> String {
    let (unit, per) = if scale_us >= 10_000_000 {
        ("s", 1_000_000.0)
    } else {
        ("ms", 1_000.0)
    };
    let (a, b) = (
        format!("{:.1}", from_us as f64 / per),
        format!("{:.1}", to_us as f64 / per),
    );
    if a == b {
        format!("{a} {unit}")
    } else {
        let dash = if unicode { "–" } else { "-" };
        format!("{a}{dash}{b} {unit}")
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// An event on thread `thread` (named `name`) at `t_us`.
    pub(crate) fn ev(
        t_us: u64,
        thread: u64,
        name: Option<&str>,
        kind: EventKind,
        label: &str,
    ) -> Event {
        Event {
            t_us,
            kind,
            thread,
            thread_name: name.map(str::to_string),
            os_tid: None,
            label: label.to_string(),
            peer: None,
        }
    }

    /// A failing run of `events`, as every picture is drawn from.
    pub(crate) fn failing(events: &[Event]) -> Run<'_> {
        Run {
            test: "t",
            status: Status::Fail,
            events,
            dropped: 0,
            reported: true,
        }
    }

    /// Notes on one thread at `times`.
    pub(crate) fn notes_at(times: &[u64]) -> Vec<Event> {
        times
            .iter()
            .map(|&t| ev(t, 1, None, EventKind::Note, ""))
            .collect()
    }

    fn model(status: Status, events: &[Event]) -> Model {
        Model::of(&Run {
            test: "t",
            status,
            events,
            dropped: 0,
            reported: true,
        })
    }

    #[test]
    fn a_call_that_never_returned_is_marked_at_the_end_of_the_record() {
        let events = vec![
            ev(10, 1, Some("main"), Started, "calls `start(work)`"),
            ev(20, 2, None, Started, "work"),
            ev(3_000_000, 2, None, Ended, "work"),
        ];
        let m = model(Status::Fail, &events);
        assert_eq!(
            m.marks,
            [Mark {
                problem: Problem::NeverReturned {
                    caller: 0,
                    call: "`start(work)`".into()
                },
                at: vec![(0, 3_000_000)]
            }]
        );
        assert_eq!(
            m.marks[0].sentence(&m.lanes, true),
            "main never returned from `start(work)`: it was still inside when the test \
             stopped looking"
        );
        assert!(model(Status::Pass, &events).marks.is_empty());
        // Returned: no such mark; other work started by the test: not a call.
        let mut returned = events.clone();
        returned.push(ev(
            3_000_100,
            1,
            Some("main"),
            Returned,
            "`start(work)` returned",
        ));
        let never = |m: &Model| {
            m.marks
                .iter()
                .any(|mark| matches!(mark.problem, Problem::NeverReturned { .. }))
        };
        assert!(!never(&model(Status::Fail, &returned)));
        let mut job = events.clone();
        job[0].label = "job 1".into();
        assert!(!never(&model(Status::Fail, &job)));
    }

    use EventKind::*;

    /// The caller returns at 50 while thread 2 is still writing.
    fn no_join() -> Vec<Event> {
        vec![
            ev(10, 1, Some("main"), Started, "count(..)"),
            ev(20, 2, None, Note, "line 1"),
            ev(30, 1, Some("main"), Note, "main 1"),
            ev(40, 2, None, Note, "line 2"),
            ev(50, 1, Some("main"), Returned, "count(..)"),
            ev(60, 2, None, Note, "line 3"),
            ev(70, 2, None, Exited, ""),
        ]
    }

    #[test]
    fn a_thread_still_running_when_the_caller_returned_is_marked_at_the_return() {
        let m = model(Status::Fail, &no_join());
        assert_eq!(
            m.marks,
            [Mark {
                problem: Problem::NotJoined {
                    caller: 0,
                    lanes: vec![1]
                },
                at: vec![(1, 50)],
            }]
        );
        assert_eq!(
            m.marks[0].sentence(&m.lanes, true),
            "thread 1 was still running when main returned: nothing joined it"
        );
        // Exited before the return: joined (or at least over), no mark.
        let mut joined = no_join();
        joined[6].t_us = 45;
        joined.sort_by_key(|e| e.t_us);
        assert!(model(Status::Fail, &joined).marks.is_empty());
    }

    /// `e` with the thread it joins.
    fn joining(mut e: Event, peer: Option<u64>) -> Event {
        e.peer = peer;
        e
    }

    #[test]
    fn a_thread_joined_later_by_anyone_is_not_accused() {
        // The function returned thread 2's handle and the test joined it.
        let mut events = no_join();
        events.push(joining(
            ev(80, 9, Some(TEST_THREAD_NAME), JoinCalled, ""),
            Some(2),
        ));
        events.push(joining(
            ev(90, 9, Some(TEST_THREAD_NAME), JoinReturned, ""),
            Some(2),
        ));
        let m = model(Status::Fail, &events);
        assert!(m.marks.is_empty(), "{:?}", m.marks);
        // A join of another thread does not excuse this one.
        let mut other = no_join();
        other.push(joining(
            ev(80, 9, Some(TEST_THREAD_NAME), JoinCalled, ""),
            Some(5),
        ));
        assert_eq!(
            model(Status::Fail, &other).marks[0].problem,
            Problem::NotJoined {
                caller: 0,
                lanes: vec![1]
            }
        );
    }

    #[test]
    fn a_scope_that_joined_its_threads_is_not_accused() {
        // thread::scope: the caller waits for its scope's threads (a join
        // of no one thread), returns, and their exits are recorded after.
        let events = vec![
            ev(10, 1, Some("main"), Started, "sum(..)"),
            ev(20, 2, None, Started, "half 1"),
            ev(25, 1, Some("main"), JoinCalled, "scope"),
            ev(30, 2, None, Ended, "half 1"),
            ev(35, 1, Some("main"), JoinReturned, "scope"),
            ev(50, 1, Some("main"), Returned, "sum(..)"),
            ev(60, 2, None, Exited, ""),
        ];
        assert!(model(Status::Fail, &events).marks.is_empty());
        // A join after the return is not the scope's.
        let mut late = events.clone();
        late[2].t_us = 55;
        late.sort_by_key(|e| e.t_us);
        assert!(matches!(
            model(Status::Fail, &late).marks[0].problem,
            Problem::NotJoined { .. }
        ));
    }

    #[test]
    fn a_join_never_seen_returning_ends_when_its_thread_exited_or_the_call_returned() {
        let events = vec![
            ev(10, 1, Some("main"), Started, "calls `count(..)`"),
            ev(15, 2, None, Note, "line"),
            joining(ev(20, 1, Some("main"), JoinCalled, "joins"), Some(2)),
            ev(30, 2, None, Exited, ""),
            ev(6_000_000, 1, Some("main"), Note, "still inside"),
        ];
        assert_eq!(
            model(Status::Timeout, &events).lanes[0].waits,
            [(20, Some(30))]
        );
        // Peer unknown: open until the function returned; never returned
        // either: open, as far as anyone saw.
        let mut unknown = events.clone();
        unknown[2].peer = None;
        assert_eq!(
            model(Status::Timeout, &unknown).lanes[0].waits,
            [(20, None)]
        );
        unknown.push(ev(
            7_000_000,
            1,
            Some("main"),
            Returned,
            "`count(..)` returned",
        ));
        assert_eq!(
            model(Status::Fail, &unknown).lanes[0].waits,
            [(20, Some(7_000_000))]
        );
    }

    #[test]
    fn an_unnamed_thread_is_named_by_the_work_it_ran() {
        let events = vec![
            ev(10, 1, Some("main"), Started, "calls `pipeline(..)`"),
            ev(20, 2, None, Started, "first"),
            ev(30, 2, None, Ended, "first"),
            ev(40, 2, None, Started, "second"),
            ev(50, 3, Some("mine"), Started, "side"),
            ev(60, 4, None, Note, "a line"),
            ev(70, 5, None, Started, "side"),
        ];
        let m = model(Status::Fail, &events);
        let names: Vec<String> = m.lanes.iter().map(|l| l.label(40, true)).collect();
        // Its own name first; one thread that ran two jobs says so; a
        // thread with no work keeps a number; two alike are told apart.
        assert_eq!(names, ["main", "first+second", "mine", "thread 1", "side"]);
        let mut twice = events.clone();
        twice.push(ev(80, 6, None, Started, "side"));
        let m = model(Status::Fail, &twice);
        assert_eq!(m.lanes[5].label(40, true), "side 2");
    }

    #[test]
    fn the_test_thread_is_drawn_last_and_never_accused() {
        let events = vec![
            ev(5, 9, Some(TEST_THREAD_NAME), Note, "begin"),
            ev(10, 1, Some("main"), Started, "f"),
            ev(20, 2, None, MovedIn, "v"),
            ev(25, 2, None, Exited, ""),
            ev(30, 9, Some(TEST_THREAD_NAME), Dropped, "v"),
            ev(40, 1, Some("main"), Returned, "f"),
            ev(50, 9, Some(TEST_THREAD_NAME), Note, "end"),
        ];
        let m = model(Status::Fail, &events);
        let names: Vec<&str> = m.lanes.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, ["main", "thread 1", "test"]);
        assert!(m.lanes[2].test);
        assert!(m.marks.is_empty(), "{:?}", m.marks);
        // A learner's thread named "test" is a learner's thread: it can be
        // accused, and it is not taken for the test's.
        let impostor = vec![
            ev(10, 1, Some("main"), Started, "calls `count(..)`"),
            ev(20, 2, Some("test"), Note, "line 1"),
            ev(40, 1, Some("main"), Returned, "`count(..)` returned"),
            ev(50, 2, Some("test"), Exited, ""),
        ];
        let m = model(Status::Fail, &impostor);
        assert!(!m.lanes[1].test);
        assert!(matches!(
            m.marks.as_slice(),
            [Mark {
                problem: Problem::NotJoined { .. },
                ..
            }]
        ));
    }

    #[test]
    fn work_that_ran_only_on_the_caller_is_marked_where_it_began() {
        let events = vec![
            ev(10, 1, Some("main"), Started, "count(..)"),
            ev(20, 1, Some("main"), Note, "line 1"),
            ev(30, 1, Some("main"), Note, "line 2"),
            ev(40, 1, Some("main"), Returned, "count(..)"),
            ev(50, 9, Some(TEST_THREAD_NAME), Note, "checked"),
        ];
        let m = model(Status::Fail, &events);
        assert_eq!(
            m.marks,
            [Mark {
                problem: Problem::AllOnCaller { caller: 0 },
                at: vec![(0, 20)]
            }]
        );
        assert_eq!(
            m.marks[0].sentence(&m.lanes, true),
            "all the work ran on main: no other thread ran any of it"
        );
        assert!(model(Status::Pass, &events).marks.is_empty());
        // Another thread with anything at all: not this rule.
        let mut spawned = events.clone();
        spawned.push(ev(35, 2, None, Exited, ""));
        spawned.sort_by_key(|e| e.t_us);
        assert!(model(Status::Fail, &spawned).marks.is_empty());
        // The learner's function alone is not work.
        let idle = [events[0].clone(), events[3].clone()];
        assert!(model(Status::Fail, &idle).marks.is_empty());
    }

    #[test]
    fn a_pass_is_never_marked() {
        for events in [no_join(), one_after_another()] {
            assert!(model(Status::Pass, &events).marks.is_empty());
            assert!(!model(Status::Fail, &events).marks.is_empty());
        }
    }

    fn one_after_another() -> Vec<Event> {
        vec![
            ev(10, 1, Some("main"), Started, "run"),
            ev(20, 2, None, Started, "job 1"),
            ev(30, 2, None, Ended, "job 1"),
            ev(31, 2, None, Exited, ""),
            ev(40, 3, None, Started, "job 2"),
            ev(50, 3, None, Ended, "job 2"),
            ev(51, 3, None, Exited, ""),
            ev(60, 1, Some("main"), Returned, "run"),
        ]
    }

    #[test]
    fn work_that_never_overlapped_is_marked_where_each_next_one_starts() {
        let m = model(Status::Fail, &one_after_another());
        assert_eq!(
            m.marks,
            [Mark {
                problem: Problem::NeverOverlapped,
                at: vec![(2, 40)]
            }]
        );
        // The second job starts before the first ends: they overlapped.
        let mut overlapping = one_after_another();
        overlapping[4].t_us = 25;
        overlapping.sort_by_key(|e| e.t_us);
        assert!(model(Status::Fail, &overlapping).marks.is_empty());
        // Lines written meanwhile count as work, the caller's too.
        let lines = vec![
            ev(10, 1, Some("main"), Note, "1"),
            ev(20, 2, None, Note, "1"),
            ev(30, 1, Some("main"), Note, "2"),
        ];
        assert!(model(Status::Fail, &lines).marks.is_empty());
        let apart = vec![
            ev(10, 1, Some("main"), Note, "1"),
            ev(20, 1, Some("main"), Note, "2"),
            ev(30, 2, None, Note, "1"),
        ];
        assert_eq!(model(Status::Fail, &apart).marks[0].at, [(1, 30)]);
    }

    #[test]
    fn a_value_dropped_on_another_thread_than_it_moved_to_is_marked() {
        let events = vec![
            ev(10, 1, Some("main"), Started, "f"),
            ev(20, 2, None, MovedIn, "probe 1"),
            ev(25, 2, None, Exited, ""),
            ev(30, 1, Some("main"), Dropped, "probe 1"),
            ev(31, 1, Some("main"), Dropped, "unmoved"),
            ev(40, 1, Some("main"), Returned, "f"),
        ];
        let m = model(Status::Fail, &events);
        assert_eq!(
            m.marks,
            [Mark {
                problem: Problem::DroppedElsewhere {
                    value: "probe 1".into(),
                    moved_to: 1,
                    dropped_on: 0
                },
                at: vec![(0, 30)],
            }]
        );
        assert_eq!(
            m.marks[0].sentence(&m.lanes, false),
            "probe 1 moved to thread 1 but was dropped on main"
        );
        let mut right = events.clone();
        right[3].thread = 2;
        right[3].thread_name = None;
        assert!(model(Status::Fail, &right).marks.is_empty());
    }

    #[test]
    fn many_wrong_drops_make_a_few_sentences() {
        let mut events = vec![ev(1, 1, Some("main"), Started, "f")];
        for n in 0..50 {
            events.push(ev(10 + n, 2, None, MovedIn, &format!("v{n}")));
            events.push(ev(100 + n, 1, Some("main"), Dropped, &format!("v{n}")));
        }
        let m = model(Status::Fail, &events);
        assert_eq!(m.marks.len(), 3);
        assert_eq!(
            m.marks[2].sentence(&m.lanes, true),
            "and 48 more values were dropped on another thread than they moved to"
        );
        assert_eq!(m.marks[2].at.len(), 48);
    }

    #[test]
    fn lanes_are_named_in_order_of_appearance_and_told_apart() {
        let events = vec![
            ev(1, 90, None, Note, ""),
            ev(2, 7, Some("worker"), Note, ""),
            ev(3, 8, Some("worker"), Note, ""),
            ev(4, 3, None, Note, ""),
            ev(5, 4, Some("\u{1b}[31m"), Note, ""),
            ev(6, 5, Some("worker"), Note, ""),
        ];
        let m = model(Status::Pass, &events);
        let labels: Vec<String> = m.lanes.iter().map(|l| l.label(20, true)).collect();
        assert_eq!(
            labels,
            [
                "thread 1", "worker", "worker 2", "thread 2", "[31m", "worker 3"
            ]
        );
    }

    #[test]
    fn work_spans_pair_by_label_and_open_ones_stay_open() {
        let events = vec![
            ev(1, 2, None, Started, "a"),
            ev(2, 2, None, Started, "b"),
            ev(3, 2, None, Ended, "a"),
            ev(4, 2, None, Ended, "c"),
            ev(5, 2, None, JoinCalled, "x"),
        ];
        let lane = &model(Status::Fail, &events).lanes[0];
        let spans: Vec<(u64, Option<u64>)> =
            lane.work.iter().map(|s| (s.from_us, s.to_us)).collect();
        assert_eq!(spans, [(1, Some(3)), (2, Some(4))]);
        assert_eq!(lane.waits, [(5, None)]);
    }

    #[test]
    fn honest_notes_say_what_is_missing() {
        let reported = |status, events: &[Event], dropped| {
            notes(&Run {
                test: "t",
                status,
                events,
                dropped,
                reported: true,
            })
        };
        let notes = |status, events: &[Event], dropped| {
            notes(&Run {
                test: "t",
                status,
                events,
                dropped,
                reported: false,
            })
        };
        // The test gave up by itself and said so: nothing was cut short.
        assert!(reported(Status::Timeout, &no_join(), 0).is_empty());
        assert_eq!(
            reported(Status::Fail, &[], 0),
            ["this test observed no threads"]
        );
        // No record, not killed: the process ended by itself (an `exit`).
        assert_eq!(
            notes(Status::Fail, &[], 0),
            [
                "the test's process ended before it reported anything (the message says why): \
              there is nothing to draw"
            ]
        );
        let some = no_join();
        assert_eq!(
            notes(Status::Timeout, &some, 3),
            [
                "3 more events happened than the test keeps; they are not drawn",
                "the run was stopped (timeout) before it finished: the picture ends where its record does"
            ]
        );
        assert_eq!(
            notes(Status::Crash, &[], 0),
            ["the run was stopped before it reported anything: there is nothing to draw"]
        );
        assert_eq!(
            reported(Status::Pass, &[], 0),
            ["this test observed no threads"]
        );
        assert!(notes(Status::Fail, &some, 0).is_empty());
    }

    #[test]
    fn hostile_text_is_cleaned_and_elided_by_width() {
        assert_eq!(clean("a\u{1b}[2Jb\u{202e}c\n\u{fffe}"), "a[2Jbc");
        assert_eq!(elide("工作线程", 5, true), "工作…");
        assert_eq!(elide("abcdef", 4, false), "abc~");
        assert_eq!(elide("abc", 3, true), "abc");
        assert_eq!(shown("工·…✗", false), "?-...X");
    }

    #[test]
    fn a_long_quiet_stretch_is_a_break_and_a_rhythm_is_not() {
        // A 3 s wait among events a fraction of a ms apart.
        let mut times: Vec<u64> = (0..20).map(|n| 700 + 200 * n).collect();
        times.extend((0..20).map(|n| 3_001_000 + 300 * n));
        assert_eq!(
            breaks(&times),
            [Break {
                from_us: 4_500,
                to_us: 3_001_000
            }]
        );
        // Two of them.
        let mut two = times.clone();
        two.extend((0..20).map(|n| 6_000_000 + 300 * n));
        assert_eq!(breaks(&two).len(), 2);
        // Jobs of 2 ms one after another, 0.2 ms apart: the gaps are the
        // story (join3's picture), drawn to scale.
        let jobs = [900, 1040, 1060, 3060, 3100, 3140, 3340, 3360, 5360, 5400];
        assert!(breaks(&jobs).is_empty());
        // Jobs of 10 ms with their two ends 0.2 ms apart: by proportions
        // alone the jobs would be cut, but 10 ms is work, not a wait.
        let long_jobs = [0, 200, 10_200, 10_400, 20_400, 20_600];
        assert!(breaks(&long_jobs).is_empty());
        // Evenly spread events, one event, none: nothing to cut.
        assert!(breaks(&[0, 1_000_000, 2_000_000, 3_000_000]).is_empty());
        assert!(breaks(&[5]).is_empty());
        assert!(breaks(&[]).is_empty());
    }

    #[test]
    fn positions_skip_the_breaks_and_keep_order() {
        let events = vec![
            ev(0, 1, Some("main"), Started, "f"),
            ev(100, 1, Some("main"), Note, ""),
            ev(200, 1, Some("main"), Note, ""),
            ev(10_000_200, 1, Some("main"), Note, ""),
            ev(10_000_400, 1, Some("main"), Returned, "f"),
        ];
        let m = model(Status::Fail, &events);
        assert_eq!(m.breaks.len(), 1);
        assert_eq!(m.live_us(), 400);
        // 100 units, the break 10 of them: 90 for 400 µs.
        let at = |t| m.position(t, 100.0, 10.0);
        assert_eq!(at(0), 0.0);
        assert_eq!(at(200), 45.0);
        assert_eq!(at(5_000_200), 50.0, "half-way through the break");
        assert_eq!(at(10_000_200), 55.0);
        assert_eq!(at(10_000_400), 100.0);
        assert_eq!(
            m.breaks_sentence(true).as_deref(),
            Some("≈ 10.0 s with nothing new (0.0–10.0 s), drawn narrow")
        );
        assert_eq!(
            m.breaks_sentence(false).as_deref(),
            Some("~ 10.0 s with nothing new (0.0-10.0 s), drawn narrow")
        );
    }

    #[test]
    fn times_use_one_unit_per_picture() {
        assert_eq!(times(0, 12_400, 12_400, true), "0.0–12.4 ms");
        assert_eq!(times(2_100, 2_120, 9_000, false), "2.1 ms");
        assert_eq!(times(500_000, 12_000_000, 12_000_000, true), "0.5–12.0 s");
    }

    #[test]
    fn at_most_max_lanes_are_shown_and_the_marked_ones_among_them() {
        let mut events: Vec<Event> = (0..30).map(|n| ev(n, n + 2, None, Note, "")).collect();
        events.push(ev(100, 1, Some("main"), Returned, ""));
        let m = model(Status::Fail, &events);
        let shown = m.shown(MAX_LANES);
        assert_eq!(shown.len(), MAX_LANES);
        assert!(shown.contains(&30), "the caller");
        assert_eq!(
            m.not_shown(&shown, true).as_deref(),
            Some("… and 19 more threads, first seen 0.0 ms")
        );
    }
}
