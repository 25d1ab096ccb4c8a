//! What happened in a test process, in order, for the report: the building
//! blocks record what they observe (a held job started or ended, a call was
//! made or returned, the caller was seen joining), and hidden tests may
//! record more. The harness puts them in the test's `Record`.
//!
//! Each thread that records gets a lane: who it is (read once, on its first
//! event, so recording reads no /proc) and a thread-local guard whose
//! destructor records the thread's `exited`. A destructor is the one thing
//! that runs when a thread ends however it ends (return, panic): a thread
//! the process's end kills never records `exited`, and that absence is the
//! story of a thread nobody joined. The process's main thread gets no
//! `exited`: its destructors run only if it calls `exit`, after the report
//! is written.
//!
//! The buffer is bounded: learner code that makes a test record without end
//! cannot make the report grow without end. Past the bound, events are only
//! counted; so are the events of threads past the first `MAX_THREADS` to
//! record (a thread bomb's thousands of threads get no lane, and no
//! destructor to run at their exit).

use std::cell::{Cell, OnceCell};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::thread::{self, JoinHandle};
use std::time::Instant;

use crate::observe::{Identity, thread_number};
use crate::protocol::{Event, EventKind};

/// The most events one test process keeps.
pub const MAX_EVENTS: usize = 10_000;
/// The most threads that get a lane; later threads' events are only counted.
pub const MAX_THREADS: usize = 256;
/// The longest label kept, in bytes; a longer one is cut (at a character).
const MAX_LABEL_BYTES: usize = 1024;
/// The longest thread name kept in an event, in bytes: a learner may name
/// a thread with megabytes, and every event of it carries the name.
const MAX_NAME_BYTES: usize = 64;
/// The most bytes of labels and names the events keep in all: with the
/// caps above, far below what a report may take, however they are escaped.
const MAX_TEXT_BYTES: usize = 4 << 20;

/// The process's start, as the harness saw it first: every `t_us` counts
/// from here.
static CLOCK: OnceLock<Instant> = OnceLock::new();

static EVENTS: Mutex<Buffer> = Mutex::new(Buffer::new(MAX_EVENTS));

/// How many threads asked for a lane so far (those past `MAX_THREADS` too).
static THREADS: AtomicUsize = AtomicUsize::new(0);

/// Events, up to a bound, and how many more there were; and who the threads
/// with a lane are, so that a thread seen from outside by its OS id (a
/// joiner) can be named as its own events name it.
struct Buffer {
    events: Vec<Event>,
    dropped: u64,
    bound: usize,
    /// Bytes of labels and names kept so far.
    text: usize,
    lanes: Vec<Identity>,
}

impl Buffer {
    const fn new(bound: usize) -> Buffer {
        Buffer {
            events: Vec::new(),
            dropped: 0,
            bound,
            text: 0,
            lanes: Vec::new(),
        }
    }

    /// Keeps the event if there is room for it: `text` bytes of labels and
    /// names, and one more event.
    fn push(&mut self, text: usize, event: impl FnOnce() -> Event) {
        if self.events.len() < self.bound && self.text + text <= MAX_TEXT_BYTES {
            self.text += text;
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

/// Whether a thread gets a lane: one of the first `bound` to ask `asked`.
fn admit(asked: &AtomicUsize, bound: usize) -> bool {
    asked.fetch_add(1, Ordering::Relaxed) < bound
}

/// A thread's place in the events: who it is, and the guard that records
/// its exit.
struct Lane {
    who: OnceCell<Identity>,
    /// Its `exited` is not recorded here: it is the process's main thread,
    /// or its exit is recorded by whoever holds it there (`take_exit`).
    exit_elsewhere: Cell<bool>,
}

impl Lane {
    /// Who this thread is; the first call reads it and names the lane.
    fn who(&self) -> &Identity {
        self.who.get_or_init(|| {
            let me = as_named_in_events(Identity::current(), std::process::id());
            if me.os_tid == Some(std::process::id()) {
                self.exit_elsewhere.set(true);
            }
            EVENTS
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .lanes
                .push(me.clone());
            me
        })
    }
}

/// Who `me` is in the events of process `pid`: the process's main thread
/// (its OS id is the process's) is the test harness's, named
/// `TEST_THREAD_NAME` (shown as "test"). Learner
/// code never runs there in a test, and the caller of learner code runs on
/// a helper thread named "main" (see `call`): without this the test's own
/// thread would show as a second "main".
fn as_named_in_events(mut me: Identity, pid: u32) -> Identity {
    if me.os_tid == Some(pid) {
        me.name = Some(crate::protocol::TEST_THREAD_NAME.to_string());
    }
    me
}

impl Drop for Lane {
    fn drop(&mut self) {
        // The identity was captured when the lane was made: `thread::current`
        // is not to be relied on while a thread's thread-locals go away.
        if let Some(who) = self.who.get() {
            if !self.exit_elsewhere.get() {
                record_as(who, EventKind::Exited, "");
            }
        }
    }
}

thread_local! {
    /// Whether this thread got a lane: `None` until it first records. No
    /// destructor: a thread past `MAX_THREADS` leaves nothing to run at its
    /// exit.
    static ADMITTED: Cell<Option<bool>> = const { Cell::new(None) };
    static LANE: Lane = const {
        Lane {
            who: OnceCell::new(),
            exit_elsewhere: Cell::new(false),
        }
    };
}

/// Runs `f` with this thread's lane, if it has one (it is within
/// `MAX_THREADS`, and its lane is not gone: the thread is not past its
/// exit). The first call on a thread makes its lane.
fn with_lane<R>(f: impl FnOnce(&Lane) -> R) -> Option<R> {
    let admitted = ADMITTED.with(|admitted| match admitted.get() {
        Some(admitted) => admitted,
        None => {
            let now = admit(&THREADS, MAX_THREADS);
            admitted.set(Some(now));
            now
        }
    });
    if !admitted {
        return None;
    }
    LANE.try_with(|lane| f(lane)).ok()
}

/// Counts an event that is not kept.
fn count_dropped() {
    EVENTS.lock().unwrap_or_else(|e| e.into_inner()).dropped += 1;
}

/// Records that `kind` happened on the current thread.
pub fn record(kind: EventKind, label: impl Into<String>) {
    record_here(kind, label.into(), None);
}

/// Records a join (`join_called`, `join_returned`) on the current thread,
/// with the thread it waits for (`peer`, as `Event::thread` numbers it).
pub(crate) fn record_join_here(kind: EventKind, label: impl Into<String>, peer: Option<u64>) {
    record_here(kind, label.into(), peer);
}

/// Joins `handle` on the current thread, recording the join as the
/// rendezvous records one it sees (`join_called`, then `join_returned`,
/// naming the joined thread as `peer`): for a test that joins a handle the
/// learner's function returned, so its picture shows the thread joined
/// rather than left running.
pub fn join_seen<T>(handle: JoinHandle<T>) -> thread::Result<T> {
    let joined = handle.thread();
    let peer = thread_number(joined.id());
    let what = format!("thread {peer}");
    record_here(EventKind::JoinCalled, format!("joins {what}"), Some(peer));
    let result = handle.join();
    record_here(
        EventKind::JoinReturned,
        format!("{what} joined"),
        Some(peer),
    );
    result
}

fn record_here(kind: EventKind, label: String, peer: Option<u64>) {
    if with_lane(|lane| record_event(lane.who(), kind, label, peer)).is_none() {
        count_dropped();
    }
}

/// Takes over recording this thread's `exited` (for a thread held at its
/// exit by another thread-local destructor, which may run after the lane's:
/// destructors run in no set order); gives the identity to record it with,
/// `None` where no `exited` is to be recorded (the main thread, a thread
/// without a lane).
pub(crate) fn take_exit() -> Option<Identity> {
    with_lane(|lane| {
        let who = lane.who().clone();
        if lane.exit_elsewhere.replace(true) {
            // The main thread, or taken already (then that taker records it).
            None
        } else {
            Some(who)
        }
    })
    .flatten()
}

/// The thread with lane whose OS id is `os_tid`, if any.
pub(crate) fn identity_of(os_tid: u32) -> Option<Identity> {
    EVENTS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .lanes
        .iter()
        // The latest: an OS id is free for reuse once its thread is gone.
        .rev()
        .find(|who| who.os_tid == Some(os_tid))
        .cloned()
}

/// Records that `kind` happened on the thread `who`, as seen from another
/// thread (e.g. the caller seen parked in `join`).
pub(crate) fn record_as(who: &Identity, kind: EventKind, label: impl Into<String>) {
    record_event(who, kind, label.into(), None);
}

/// Records a join on the thread `who` as seen from another thread (the
/// rendezvous sees the caller parked in `join`), with the thread it waits
/// for (`peer`), where that thread is known.
pub(crate) fn record_join(
    who: &Identity,
    kind: EventKind,
    label: impl Into<String>,
    peer: Option<u64>,
) {
    record_event(who, kind, label.into(), peer);
}

/// The one place an event is made, whoever records it.
fn record_event(who: &Identity, kind: EventKind, mut label: String, peer: Option<u64>) {
    cut(&mut label, MAX_LABEL_BYTES);
    let name = who.name.as_deref().map(|name| {
        let mut name = name.to_string();
        cut(&mut name, MAX_NAME_BYTES);
        name
    });
    let text = label.len() + name.as_ref().map_or(0, String::len);
    let clock = *CLOCK.get_or_init(Instant::now);
    let mut events = EVENTS.lock().unwrap_or_else(|e| e.into_inner());
    // The time is read under the lock, so the events are in time order.
    events.push(text, || Event {
        t_us: u64::try_from(clock.elapsed().as_micros()).unwrap_or(u64::MAX),
        kind,
        thread: thread_number(who.thread),
        thread_name: name,
        os_tid: who.os_tid,
        label,
        peer,
    });
}

/// Cuts `text` to at most `max` bytes, at a character's start.
fn cut(text: &mut String, max: usize) {
    if text.len() > max {
        let mut at = max;
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        text.truncate(at);
    }
}

/// Gives the current thread a lane whatever the count of threads so far:
/// for the test's own helper threads (the watchdog's caller), whose events
/// every picture needs, even after a learner's thousand threads.
pub(crate) fn reserve_lane() {
    let _ = ADMITTED.try_with(|admitted| admitted.set(Some(true)));
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
            peer: None,
        }
    }

    #[test]
    fn past_the_bound_events_are_only_counted() {
        // Apart from tests that count every thread of the process.
        let _threads = crate::testing::spawning();
        let mut buffer = Buffer::new(3);
        for n in 0..5 {
            buffer.push(0, || note(n));
        }
        assert_eq!(buffer.events, [note(0), note(1), note(2)]);
        assert_eq!(buffer.dropped, 2);
    }

    #[test]
    fn past_the_text_budget_events_are_only_counted() {
        let _threads = crate::testing::spawning();
        let mut buffer = Buffer::new(10);
        buffer.push(MAX_TEXT_BYTES - 10, || note(0));
        buffer.push(10, || note(1));
        buffer.push(1, || note(2));
        assert_eq!(buffer.events, [note(0), note(1)]);
        assert_eq!(buffer.dropped, 1);
    }

    #[test]
    fn a_long_thread_name_is_cut_in_events() {
        let _threads = crate::testing::spawning();
        let name = format!("{}é{}", "w".repeat(MAX_NAME_BYTES - 1), "w".repeat(8_000));
        let label = format!("long name {}", std::process::id());
        let spawned = std::thread::Builder::new()
            .name(name)
            .spawn({
                let label = label.clone();
                move || record(EventKind::Note, label)
            })
            .unwrap();
        spawned.join().unwrap();
        let ours = recorded()
            .into_iter()
            .find(|e| e.label == label)
            .expect("recorded");
        let kept = ours.thread_name.expect("a name");
        assert_eq!(kept, "w".repeat(MAX_NAME_BYTES - 1), "cut before the é");
    }

    #[test]
    fn only_the_first_threads_to_ask_get_a_lane() {
        let _threads = crate::testing::spawning();
        let asked = AtomicUsize::new(0);
        let admitted: Vec<bool> = std::thread::scope(|s| {
            let asking: Vec<_> = (0..5).map(|_| s.spawn(|| admit(&asked, 3))).collect();
            asking.into_iter().map(|t| t.join().unwrap()).collect()
        });
        assert_eq!(admitted.iter().filter(|a| **a).count(), 3, "{admitted:?}");
        assert_eq!(asked.load(Ordering::SeqCst), 5);
        // And the process's own bound is the one documented.
        assert!(admit(&AtomicUsize::new(MAX_THREADS - 1), MAX_THREADS));
        assert!(!admit(&AtomicUsize::new(MAX_THREADS), MAX_THREADS));
    }

    #[test]
    fn a_thread_that_recorded_records_its_exit_unless_it_was_taken() {
        let _threads = crate::testing::spawning();
        let on = |take: bool| {
            let (number, taken) = std::thread::spawn(move || {
                record(EventKind::Note, "before its exit");
                let taken = if take { take_exit() } else { None };
                (thread_number(std::thread::current().id()), taken)
            })
            .join()
            .unwrap();
            let exits: Vec<Event> = recorded()
                .into_iter()
                .filter(|e| e.thread == number && e.kind == EventKind::Exited)
                .collect();
            (number, exits, taken)
        };
        // `join` returns after the thread's thread-local destructors ran.
        let (number, exits, _) = on(false);
        assert_eq!(exits.len(), 1, "{exits:?}");
        assert_eq!(
            identity_of(exits[0].os_tid.unwrap()).map(|who| thread_number(who.thread)),
            Some(number)
        );
        let (number, exits, taken) = on(true);
        assert!(exits.is_empty(), "{exits:?}");
        assert_eq!(taken.map(|who| thread_number(who.thread)), Some(number));
    }

    #[test]
    fn the_process_s_main_thread_is_named_test_and_no_other() {
        let me = Identity::current();
        let pid = std::process::id();
        let main = Identity {
            os_tid: Some(pid),
            name: Some("main".to_string()),
            ..me.clone()
        };
        assert_eq!(
            as_named_in_events(main, pid).name.as_deref(),
            Some(crate::protocol::TEST_THREAD_NAME)
        );
        // No thread of a learner's can take that name: std refuses it.
        let spawned = std::panic::catch_unwind(|| {
            std::thread::Builder::new()
                .name(crate::protocol::TEST_THREAD_NAME.into())
                .spawn(|| {})
                .map(|h| h.join())
        });
        assert!(!matches!(spawned, Ok(Ok(_))), "{spawned:?}");
        // A helper thread named "main" (the caller of learner code) keeps
        // its name, and so does a thread whose OS id is unknown.
        for os_tid in [Some(pid + 1), None] {
            let helper = Identity {
                os_tid,
                name: Some("main".to_string()),
                ..me.clone()
            };
            assert_eq!(
                as_named_in_events(helper, pid).name.as_deref(),
                Some("main")
            );
        }
    }

    #[test]
    fn a_join_seen_names_the_joined_thread_around_its_exit() {
        let _threads = crate::testing::spawning();
        let (joiner, joined) = std::thread::spawn(|| {
            let worker = std::thread::spawn(|| record(EventKind::Note, "the joined thread"));
            let joined = thread_number(worker.thread().id());
            join_seen(worker).unwrap();
            (thread_number(std::thread::current().id()), joined)
        })
        .join()
        .unwrap();
        let seen = recorded();
        let at = |kind: EventKind, on: u64| {
            let found: Vec<usize> = (0..seen.len())
                .filter(|&i| seen[i].kind == kind && seen[i].thread == on)
                .collect();
            assert_eq!(found.len(), 1, "{kind:?} on {on}: {seen:#?}");
            found[0]
        };
        let (called, exited, returned) = (
            at(EventKind::JoinCalled, joiner),
            at(EventKind::Exited, joined),
            at(EventKind::JoinReturned, joiner),
        );
        // `join` returns after the joined thread's thread-local destructors
        // ran, so its `exited` lies between the two.
        assert!(called < exited && exited < returned, "{seen:#?}");
        assert_eq!(
            (seen[called].peer, seen[returned].peer),
            (Some(joined), Some(joined))
        );
        assert_eq!(seen[called].label, format!("joins thread {joined}"));
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
