//! What happened in a test process, in order, for the report: the building
//! blocks record what they observe (a held job started or ended, a call was
//! made or returned, the caller was seen joining), and hidden tests may
//! record more. The harness puts them in the test's `Record`.
//!
//! The buffer is bounded: learner code that makes a test record without end
//! cannot make the report grow without end. Past the bound, events are only
//! counted.

use std::sync::{Mutex, OnceLock};
use std::time::Instant;

use crate::observe::{Identity, thread_number};
use crate::protocol::{Event, EventKind};

/// The most events one test process keeps.
pub const MAX_EVENTS: usize = 10_000;
/// The longest label kept, in bytes; a longer one is cut (at a character).
const MAX_LABEL_BYTES: usize = 1024;

/// The process's start, as the harness saw it first: every `t_us` counts
/// from here.
static CLOCK: OnceLock<Instant> = OnceLock::new();

static EVENTS: Mutex<Buffer> = Mutex::new(Buffer::new(MAX_EVENTS));

/// Events, up to a bound, and how many more there were.
struct Buffer {
    events: Vec<Event>,
    dropped: u64,
    bound: usize,
}

impl Buffer {
    const fn new(bound: usize) -> Buffer {
        Buffer {
            events: Vec::new(),
            dropped: 0,
            bound,
        }
    }

    fn push(&mut self, event: impl FnOnce() -> Event) {
        if self.events.len() < self.bound {
            self.events.push(event());
        } else {
            self.dropped += 1;
        }
    }
}

/// Starts the clock; the harness calls it first thing in `main`.
pub(crate) fn start_clock() {
    CLOCK.get_or_init(Instant::now);
}

/// Records that `kind` happened on the current thread.
pub fn record(kind: EventKind, label: impl Into<String>) {
    record_as(&Identity::current(), kind, label);
}

/// Records that `kind` happened on the thread `who`, as seen from another
/// thread (e.g. the caller seen parked in `join`).
pub(crate) fn record_as(who: &Identity, kind: EventKind, label: impl Into<String>) {
    let mut label = label.into();
    if label.len() > MAX_LABEL_BYTES {
        let mut cut = MAX_LABEL_BYTES;
        while !label.is_char_boundary(cut) {
            cut -= 1;
        }
        label.truncate(cut);
    }
    let clock = *CLOCK.get_or_init(Instant::now);
    let mut events = EVENTS.lock().unwrap_or_else(|e| e.into_inner());
    // The time is read under the lock, so the events are in time order.
    events.push(|| Event {
        t_us: u64::try_from(clock.elapsed().as_micros()).unwrap_or(u64::MAX),
        kind,
        thread: thread_number(who.thread),
        thread_name: who.name.clone(),
        os_tid: who.os_tid,
        label,
    });
}

/// Everything recorded so far, and how many were dropped; the buffer is
/// left empty.
pub(crate) fn take() -> (Vec<Event>, u64) {
    let mut events = EVENTS.lock().unwrap_or_else(|e| e.into_inner());
    let dropped = std::mem::take(&mut events.dropped);
    (std::mem::take(&mut events.events), dropped)
}

/// Everything recorded so far (the buffer is left as it is).
#[cfg(test)]
pub(crate) fn recorded() -> Vec<Event> {
    EVENTS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .events
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note(n: u64) -> Event {
        Event {
            t_us: n,
            kind: EventKind::Note,
            thread: 1,
            thread_name: None,
            os_tid: None,
            label: String::new(),
        }
    }

    #[test]
    fn past_the_bound_events_are_only_counted() {
        // Apart from tests that count every thread of the process.
        let _threads = crate::testing::spawning();
        let mut buffer = Buffer::new(3);
        for n in 0..5 {
            buffer.push(|| note(n));
        }
        assert_eq!(buffer.events, [note(0), note(1), note(2)]);
        assert_eq!(buffer.dropped, 2);
    }

    #[test]
    fn a_record_names_its_thread_and_long_labels_are_cut() {
        // Apart from tests that count every thread of the process.
        let _threads = crate::testing::spawning();
        let label = format!("{}é", "x".repeat(MAX_LABEL_BYTES - 1));
        let me = std::thread::current();
        record(EventKind::Note, label.as_str());
        let ours = recorded()
            .into_iter()
            .find(|e| e.label.starts_with("xxx") && e.thread == thread_number(me.id()))
            .expect("recorded");
        assert_eq!(ours.label.len(), MAX_LABEL_BYTES - 1, "cut before the é");
        assert_eq!(ours.thread_name.as_deref(), me.name());
        assert_eq!(ours.os_tid, crate::observe::os_thread_id());
    }
}
