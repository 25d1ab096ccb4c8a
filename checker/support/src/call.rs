//! The watchdog: every call into learner code runs on a helper thread of its
//! own (the "caller"), so that the test can watch it, give up on it, and
//! tell a caller parked in `join` from one that sleeps or spins.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread::{self, ThreadId};
use std::time::{Duration, Instant};

use crate::events::{identity_of, record, record_as, record_join, record_join_here};
use crate::harness::panic_message;
use crate::observe::{Identity, LOOK_EVERY, thread_number};
use crate::outcome::{Failure, PATIENCE};
use crate::protocol::EventKind;
use crate::waits::{Stopwatch, Stretches, joining};

/// A call into learner code, running on its own helper thread (the "caller").
pub struct Call<T> {
    pub(crate) what: String,
    pub(crate) caller: Identity,
    returned: Arc<AtomicBool>,
    /// Up only while the caller runs learner code (false before, false
    /// again after: it goes up and down once).
    inside: Arc<AtomicBool>,
    result: Receiver<(thread::Result<T>, Option<Duration>)>,
    started: Instant,
    pub(crate) joins: OpenJoins,
}

/// The joins the caller was seen waiting in and not yet seen past: the
/// joined thread's OS id (0: not known), what it is called in the events
/// ("job 2's thread") and its number there (`Event::peer`), where known. Whoever sees one over first records its
/// `join_returned` and takes it out: the rendezvous, which sees the joined
/// thread gone and the caller no longer waiting for it, or the caller
/// itself, which is past all its joins when the learner's function returns.
/// The events are recorded under this lock, so a join's `join_called`
/// always comes before its `join_returned`.
pub(crate) type OpenJoins = Arc<Mutex<Vec<(u32, String, Option<u64>)>>>;

/// How long a function that must return "straight away" may take of its
/// own time (`Stopwatch`: time a loaded machine keeps it waiting for a CPU
/// does not count). Spawning a few threads takes well under a millisecond;
/// a sleep or a wait of a few hundred milliseconds goes over.
pub const STRAIGHT_AWAY: Duration = Duration::from_millis(150);

/// How often, at most, `finish_straight_away` asks what a parked caller
/// waits in: seldom enough that its looks at the caller's own time
/// (`Stretches`) come about as often as without it.
const JOIN_LOOK_EVERY: Duration = Duration::from_millis(10);

/// A caller that should return straight away, seen parked in a join inside
/// the learner's function: recorded once (`join_called`, for the picture;
/// the verdict is the time it took), and only from looks `Stretches` takes
/// anyway, when they find the caller parked. The join is kept open with the
/// rendezvous's, so it is closed (`join_returned`) as they are.
struct JoinWatch {
    caller: Identity,
    joins: OpenJoins,
    /// No look before this (`None`: none taken yet).
    next: Option<Instant>,
    seen: bool,
}

impl JoinWatch {
    /// After a look found the caller parked: asks what it waits in, at
    /// most every `JOIN_LOOK_EVERY`, and records a join seen while it was
    /// inside the learner's code (`inside` up before and after the look:
    /// it goes up and down once).
    fn look(&mut self, tid: u32, inside: &AtomicBool) {
        let now = Instant::now();
        if self.seen || self.next.is_some_and(|next| now < next) {
            return;
        }
        self.next = Some(now + JOIN_LOOK_EVERY);
        if !inside.load(Ordering::SeqCst) {
            return;
        }
        let Some(joined) = joining(tid) else {
            return;
        };
        if inside.load(Ordering::SeqCst) {
            self.seen = true;
            // The joined thread is named only if it has a lane of its own.
            let peer = identity_of(joined).map(|who| thread_number(who.thread));
            let what = peer.map_or_else(|| "a thread".to_string(), |p| format!("thread {p}"));
            open_join(&self.joins, &self.caller, joined, what, || peer);
        }
    }
}

/// Starts `f` (a call into learner code) on a fresh helper thread.
/// `what` names the call for messages, e.g. "`count(..)`".
pub fn call<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> Call<T> {
    let (id_tx, id_rx) = mpsc::channel();
    let (result_tx, result) = mpsc::channel();
    let returned = Arc::new(AtomicBool::new(false));
    let returned_flag = Arc::clone(&returned);
    let inside = Arc::new(AtomicBool::new(false));
    let inside_flag = Arc::clone(&inside);
    let joins = OpenJoins::default();
    let open_joins = Arc::clone(&joins);
    let (calls, returned_label, panicked) = (
        format!("calls {what}"),
        format!("{what} returned"),
        format!("{what} panicked"),
    );
    // Named as the thread that calls the learner's functions in a real run:
    // learner code cannot tell a test from its program by the name.
    thread::Builder::new()
        .name("main".into())
        .spawn(move || {
            // Its lane is kept however many threads came before: every
            // picture is drawn around the caller.
            crate::events::reserve_lane();
            // Recorded here rather than by the test after `spawn`, so that
            // it comes first in this thread's lane.
            record(EventKind::Spawned, "the test's caller");
            let _ = id_tx.send(Identity::current());
            record(EventKind::Started, calls);
            let watch = Stopwatch::start();
            inside_flag.store(true, Ordering::SeqCst);
            let result = catch_unwind(AssertUnwindSafe(f));
            inside_flag.store(false, Ordering::SeqCst);
            let took = watch.own_time();
            // `f` is the test's closure: where it reads something after the
            // learner's function returns, these come after those reads (a
            // few microseconds late, and before anything the test does with
            // what it read).
            close_joins(&open_joins);
            if result.is_ok() {
                record(EventKind::Returned, returned_label);
            } else {
                record(EventKind::Note, panicked);
            }
            returned_flag.store(true, Ordering::SeqCst);
            let _ = result_tx.send((result, took));
        })
        .expect("the test could not start its helper thread");
    let caller = id_rx.recv().expect("the helper thread did not start");
    Call {
        what: what.to_string(),
        caller,
        returned,
        inside,
        result,
        started: Instant::now(),
        joins,
    }
}

/// Notes the caller seen waiting in a join of the thread with OS id `tid`
/// (0: not known), called `what` ("job 2's thread"), unless that join is
/// open already: records its `join_called` and keeps it open until someone
/// sees it over. `peer` is asked only then: the driver sees a caller in the
/// same join look after look.
pub(crate) fn open_join(
    joins: &OpenJoins,
    caller: &Identity,
    tid: u32,
    what: String,
    peer: impl FnOnce() -> Option<u64>,
) {
    let mut open = joins.lock().unwrap_or_else(|e| e.into_inner());
    if !open.iter().any(|(joined, _, _)| *joined == tid) {
        let peer = peer();
        record_join(caller, EventKind::JoinCalled, format!("joins {what}"), peer);
        open.push((tid, what, peer));
    }
}

/// On the caller, once the learner's function is over: it is past every
/// join it was seen in.
fn close_joins(joins: &OpenJoins) {
    let mut open = joins.lock().unwrap_or_else(|e| e.into_inner());
    for (_, joined, peer) in open.drain(..) {
        record_join_here(EventKind::JoinReturned, format!("{joined} joined"), peer);
    }
}

impl<T> Call<T> {
    /// The id of the thread that made the call.
    pub fn thread(&self) -> ThreadId {
        self.caller.thread
    }

    /// Whether the call has returned (or panicked) yet.
    pub fn has_returned(&self) -> bool {
        self.returned.load(Ordering::SeqCst)
    }

    /// Waits for the call to return, at most `PATIENCE`.
    pub fn finish(self) -> Result<T, Failure> {
        self.finish_within(PATIENCE)
    }

    /// Waits for the call to return, at most `limit` after it started. A
    /// call that does not return in time is a timeout; one that panics is a
    /// plain failure.
    pub fn finish_within(self, limit: Duration) -> Result<T, Failure> {
        self.finish_timed(limit, None).map(|(value, _)| value)
    }

    /// Like `finish_within`, and then the call must have taken at most
    /// `STRAIGHT_AWAY` of its own time: for functions that must return at
    /// once, without sleeping or waiting first. Its own time is measured
    /// twice, and either one going over fails: by the caller itself
    /// (`Stopwatch`: wall time minus what the kernel counted as run-queue
    /// wait), and by looking at the caller from here while it runs
    /// (`Stretches`: which needs no run-queue accounting, so a kernel that
    /// counts part of a sleep as a wait for a CPU cannot excuse it).
    pub fn finish_straight_away(self, limit: Duration) -> Result<T, Failure> {
        let what = self.what.clone();
        let tid = self.caller.os_tid;
        let mut stretches = tid.map(Stretches::new);
        let mut joins = JoinWatch {
            caller: self.caller.clone(),
            joins: Arc::clone(&self.joins),
            next: None,
            seen: false,
        };
        let inside = Arc::clone(&self.inside);
        let (value, took) = self.finish_timed(
            limit,
            Some(&mut || {
                if let (Some(stretches), Some(tid)) = (stretches.as_mut(), tid) {
                    // After the look's readings, so the question falls
                    // between two looks: a stretch runs from one look's
                    // readings to the next's, and counts whole or not at all.
                    if stretches.look(&inside) {
                        joins.look(tid, &inside);
                    }
                }
            }),
        )?;
        // The larger of the two, or the one there is (`None` is the least).
        match took.max(stretches.map(|s| s.total())) {
            Some(took) if took > STRAIGHT_AWAY => Err(format!(
                "{what} took {} ms before it returned (not counting time the machine kept it \
                 waiting for a CPU): it should return straight away. Does it sleep, or wait \
                 for something, before it returns?",
                took.as_millis()
            )
            .into()),
            _ => Ok(value),
        }
    }

    /// The value and the call's own time (see `Stopwatch`). While it waits,
    /// `look` (if any) is called every `LOOK_EVERY`.
    fn finish_timed(
        self,
        limit: Duration,
        look: Option<&mut dyn FnMut()>,
    ) -> Result<(T, Option<Duration>), Failure> {
        let left = limit.saturating_sub(self.started.elapsed());
        let _shown = crate::status::waiting(&format!("for {} to return", self.what), left);
        let deadline = Instant::now() + left;
        let result = match look {
            None => self.result.recv_timeout(left),
            Some(look) => loop {
                look();
                let left = deadline.saturating_duration_since(Instant::now());
                match self.result.recv_timeout(LOOK_EVERY.min(left)) {
                    Err(RecvTimeoutError::Timeout) if !left.is_zero() => continue,
                    other => break other,
                }
            },
        };
        match result {
            Ok((Ok(value), took)) => Ok((value, took)),
            Ok((Err(payload), _)) => {
                Err(format!("{} panicked: {}", self.what, panic_message(&*payload)).into())
            }
            Err(RecvTimeoutError::Timeout) => {
                // The caller's last event may be long before this moment:
                // without a note its lane would end there, as if it had
                // stopped, when it was still inside the call. (Unless it
                // returned in the meantime: then its lane says so.)
                if !self.has_returned() {
                    record_as(
                        &self.caller,
                        EventKind::Note,
                        format!("still inside {} when the test stopped waiting", self.what),
                    );
                }
                Err(Failure::timeout(format!(
                    "{} did not return within {} s. Is it waiting for something that never \
                     happens?",
                    self.what,
                    limit.as_secs()
                )))
            }
            Err(RecvTimeoutError::Disconnected) => {
                Err(format!("{} never returned", self.what).into())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events;
    use crate::observe::{Flag, thread_number};
    use crate::testing;

    #[test]
    fn a_call_that_sleeps_before_it_returns_is_not_straight_away() {
        let _threads = testing::spawning();
        let quick = call("`quick`", || thread::spawn(|| ()));
        let handle = quick.finish_straight_away(testing::DEADLINE).unwrap();
        handle.join().unwrap();
        let slow = call("`slow`", || thread::sleep(STRAIGHT_AWAY * 2));
        if let Err(failure) = slow.finish_straight_away(testing::DEADLINE) {
            assert!(!failure.timed_out);
            assert!(failure.message.starts_with("`slow` took"), "{failure}");
        } else {
            // Only where the kernel keeps no scheduler statistics.
            assert!(std::fs::metadata("/proc/thread-self/schedstat").is_err());
        }
    }

    #[test]
    fn a_caller_that_joins_while_it_should_return_straight_away_is_seen_joining() {
        let _threads = testing::spawning();
        let release = Flag::new();
        let r = release.clone();
        let worker = thread::spawn(move || {
            record(EventKind::Note, "the joined thread");
            testing::wait_for(|| r.is_up());
        });
        let worker_number = thread_number(worker.thread().id());
        // Its lane is there before the caller joins it.
        testing::wait_for(|| events::recorded().iter().any(|e| e.thread == worker_number));
        let joins = call("`joins`", move || worker.join().unwrap());
        let caller = thread_number(joins.thread());
        let seen = move || {
            events::recorded()
                .into_iter()
                .find(|e| e.kind == EventKind::JoinCalled && e.thread == caller)
        };
        // The worker is let go once the caller is seen joining it (or at the
        // deadline: where it cannot be seen).
        let watcher = thread::spawn(move || {
            testing::wait_for(|| seen().is_some());
            release.raise();
        });
        // Whether it counts as straight away depends on how soon it was seen.
        let _ = joins.finish_straight_away(testing::DEADLINE);
        watcher.join().unwrap();
        let Some(joined) = seen() else {
            // Only where a join cannot be seen as one, or the caller's time
            // cannot be looked at.
            assert!(
                !crate::waits::joins_are_visible()
                    || std::fs::metadata("/proc/thread-self/schedstat").is_err()
            );
            return;
        };
        assert_eq!(joined.label, format!("joins thread {worker_number}"));
        assert_eq!(joined.peer, Some(worker_number));
        // And past it once the call returned, as every join seen is.
        let past = events::recorded().into_iter().find(|e| {
            e.kind == EventKind::JoinReturned && e.thread == caller && e.t_us >= joined.t_us
        });
        assert_eq!(past.map(|e| e.peer), Some(Some(worker_number)));
        // Once: it stays in the join until the worker is let go.
        let joins_seen = events::recorded()
            .iter()
            .filter(|e| e.kind == EventKind::JoinCalled && e.thread == caller)
            .count();
        assert_eq!(joins_seen, 1);
    }

    #[test]
    fn the_caller_is_named_as_a_program_s_main_thread() {
        let _threads = testing::spawning();
        let name = call("`name`", || thread::current().name().map(str::to_string));
        assert_eq!(name.finish().unwrap().as_deref(), Some("main"));
    }

    #[test]
    fn a_call_that_does_not_return_in_time_is_a_timeout_and_a_panic_is_not() {
        let _threads = testing::spawning();
        let stuck = Flag::new();
        let s = stuck.clone();
        let blocked = call("`stuck`", move || {
            while !s.is_up() {
                thread::sleep(Duration::from_millis(1));
            }
        });
        let stuck_caller = thread_number(blocked.thread());
        // It cannot return before the flag is up: no timing involved.
        let failure = blocked
            .finish_within(Duration::from_millis(50))
            .unwrap_err();
        stuck.raise();
        assert!(failure.timed_out, "{failure}");
        assert!(failure.message.contains("`stuck` did not return"));
        // The caller's lane says it was still inside when the test gave up.
        let note = events::recorded().into_iter().find(|e| {
            e.kind == EventKind::Note
                && e.label == "still inside `stuck` when the test stopped waiting"
        });
        assert_eq!(note.map(|e| e.thread), Some(stuck_caller));
        let failure = call("`boom`", || -> u32 { panic!("on purpose") })
            .finish_within(testing::DEADLINE)
            .unwrap_err();
        assert!(!failure.timed_out);
        assert_eq!(failure.message, "`boom` panicked: on purpose");
    }
}
