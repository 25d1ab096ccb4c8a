//! Rendezvous: a barrier that gives up, a gate the test opens, and jobs the
//! test holds back and lets go one at a time while the learner's caller waits
//! for them.
//!
//! These force the interleavings a hidden test needs, so that a test never
//! relies on a sleep being long enough: correct code gets through every
//! rendezvous in milliseconds, and only wrong code reaches a deadline.

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::{self, ThreadId};
use std::time::{Duration, Instant};

use crate::call::{Call, OpenJoins};
use crate::events::{identity_of, record, record_as, record_join, take_exit};
use crate::harness::learner_uses_scope;
use crate::observe::{
    FUTEX, Flag, Identity, LOOK_EVERY, Streak, os_thread_id, poll_until, thread_is_alive,
    thread_number,
};
use crate::outcome::{Failure, PATIENCE};
use crate::protocol::EventKind;
use crate::waits::{Seen, Wait, joins_are_visible, parked, parked_all};

/// A barrier for `parties` threads that gives up after `PATIENCE`.
///
/// Getting through it proves that `parties` closures were running at the same
/// time; code that runs them one after another fails it on every run.
#[derive(Clone)]
pub struct TimedBarrier {
    parties: usize,
    state: Arc<(Mutex<BarrierState>, Condvar)>,
}

#[derive(Default)]
struct BarrierState {
    arrived: usize,
    broken: bool,
}

impl TimedBarrier {
    pub fn new(parties: usize) -> Self {
        TimedBarrier {
            parties,
            state: Arc::default(),
        }
    }

    /// Waits for all parties; `false` if they did not all come in time (then
    /// the barrier is broken and every later `wait` returns `false` at once).
    pub fn wait(&self) -> bool {
        record(EventKind::Note, "waits at barrier");
        let met = self.wait_unrecorded();
        record(
            EventKind::Note,
            if met {
                "met at barrier"
            } else {
                "gave up at barrier"
            },
        );
        met
    }

    fn wait_unrecorded(&self) -> bool {
        let (lock, cvar) = &*self.state;
        let mut state = lock.lock().unwrap_or_else(|e| e.into_inner());
        state.arrived += 1;
        if state.arrived >= self.parties {
            cvar.notify_all();
            return !state.broken;
        }
        let deadline = Instant::now() + PATIENCE;
        let _shown = crate::status::waiting("for your threads to run at the same time", PATIENCE);
        while state.arrived < self.parties && !state.broken {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                state.broken = true;
                cvar.notify_all();
                break;
            }
            state = cvar
                .wait_timeout(state, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        !state.broken
    }

    /// Whether every party arrived and nobody gave up.
    pub fn passed(&self) -> bool {
        let state = self.state.0.lock().unwrap_or_else(|e| e.into_inner());
        state.arrived >= self.parties && !state.broken
    }

    /// How many parties have arrived so far.
    pub fn arrived(&self) -> usize {
        self.state
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .arrived
    }
}

/// A gate that stays shut until the test opens it.
#[derive(Clone, Default)]
pub struct Gate {
    state: Arc<(Mutex<bool>, Condvar)>,
}

impl Gate {
    pub fn new() -> Self {
        Gate::default()
    }

    pub fn open(&self) {
        *self.state.0.lock().unwrap_or_else(|e| e.into_inner()) = true;
        self.state.1.notify_all();
    }

    pub fn is_open(&self) -> bool {
        *self.state.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits for the gate to open, at most `PATIENCE`; `false` if it did not.
    pub fn wait(&self) -> bool {
        record(EventKind::Note, "waits at gate");
        let open = self.wait_within(PATIENCE);
        record(
            EventKind::Note,
            if open {
                "gate opened"
            } else {
                "gate stayed shut"
            },
        );
        open
    }

    /// Waits for the gate to open, at most `limit`; `false` if it did not.
    fn wait_within(&self, limit: Duration) -> bool {
        let (lock, cvar) = &*self.state;
        let open = lock.lock().unwrap_or_else(|e| e.into_inner());
        let (open, _) = cvar
            .wait_timeout_while(open, limit, |open| !*open)
            .unwrap_or_else(|e| e.into_inner());
        *open
    }
}

/// How long a `Held` job waits to be let go before it goes on by itself: far
/// longer than any wait of the test (`PATIENCE`), so that a job is only ever
/// let go by the test, never by a timeout that wrong code could wait out.
/// (A test process is stopped at its wall-clock limit anyway.)
pub const HOLD: Duration = Duration::from_secs(3 * PATIENCE.as_secs());

/// Set just before the test process exits: a thread-local destructor run by
/// `exit` itself must not hold the exit up.
pub(crate) static EXITING: AtomicBool = AtomicBool::new(false);

/// One of the test's jobs, handed to learner code inside a closure: it notes
/// which thread runs it, then waits until the test lets it go (at most
/// `HOLD`), then notes that it is done. Clones share one state.
///
/// The thread that ran it is held a second time as it exits (a thread-local
/// destructor, which runs only when the thread ends): it may end only once
/// another thread is seen joining it (`let_go_in_order`), so a caller that
/// returns without having joined it always finds it not yet ended. Where a
/// join cannot be told from other waits, or the learner's file uses
/// `thread::scope` (whose end returns before its threads' thread-local
/// destructors have run), there is no exit hold and "over" means "done".
#[derive(Clone, Default)]
pub struct Held {
    gate: Gate,
    started: Flag,
    done: Flag,
    exit_gate: Gate,
    exiting: Flag,
    ended: Flag,
    /// The OS id of the thread that ran the job (0: not known yet). Read
    /// while the learner's threads run, so it is lock-free.
    os_tid: Arc<AtomicU32>,
    thread: Arc<Mutex<Option<ThreadId>>>,
    /// Its number among the process's jobs, from 1 in the order they were
    /// made: "job 2" in the events, unless it has a name.
    number: usize,
    name: &'static str,
}

/// How many `Held` jobs the process made so far.
static JOBS_MADE: AtomicUsize = AtomicUsize::new(0);

/// Whether jobs are held as their threads exit (see `Held`).
pub(crate) fn exit_holds() -> bool {
    !learner_uses_scope() && joins_are_visible()
}

/// The jobs this thread ran, held as it exits; and who the thread is, to
/// record its `exited` once it is let go (see `events::take_exit`: the
/// lane's own destructor may run before this one).
struct ExitWatch {
    jobs: RefCell<Vec<Held>>,
    who: RefCell<Option<Identity>>,
}

impl Drop for ExitWatch {
    fn drop(&mut self) {
        let main = os_thread_id().is_some_and(|tid| tid == std::process::id());
        let jobs = self.jobs.take();
        let last = jobs.len().saturating_sub(1);
        for (at, job) in jobs.into_iter().enumerate() {
            job.exiting.raise();
            if !main && !EXITING.load(Ordering::SeqCst) {
                job.exit_gate.wait_within(HOLD);
            }
            // Before the last job is seen over: whoever sees that finds the
            // exit recorded.
            if at == last {
                if let Some(who) = self.who.take() {
                    record_as(&who, EventKind::Exited, "");
                }
            }
            job.ended.raise();
        }
    }
}

thread_local! {
    static EXITS: ExitWatch = const {
        ExitWatch {
            jobs: RefCell::new(Vec::new()),
            who: RefCell::new(None),
        }
    };
}

impl Held {
    pub fn new() -> Self {
        // Looked at once per process, here on the test's own thread rather
        // than on a learner's thread in the middle of a job.
        joins_are_visible();
        Held {
            number: JOBS_MADE.fetch_add(1, Ordering::Relaxed) + 1,
            ..Held::default()
        }
    }

    /// A job called `name` in the events (the test's own word for it,
    /// "first", rather than "job 1").
    pub fn named(name: &'static str) -> Self {
        Held {
            name,
            ..Held::new()
        }
    }

    /// What the job is called in the events: its name, or "job 2".
    fn label(&self) -> String {
        if self.name.is_empty() {
            format!("job {}", self.number)
        } else {
            self.name.to_string()
        }
    }

    /// Inside the job, first: notes the thread and that the job started.
    pub fn arrive(&self) {
        *self.thread.lock().unwrap_or_else(|e| e.into_inner()) = Some(thread::current().id());
        self.os_tid
            .store(os_thread_id().unwrap_or(0), Ordering::SeqCst);
        if exit_holds() && !self.exit_gate.is_open() {
            // `try_with`: a job run while its thread already exits is not held.
            let _ = EXITS.try_with(|exits| {
                exits.jobs.borrow_mut().push(self.clone());
                let mut who = exits.who.borrow_mut();
                if who.is_none() {
                    *who = take_exit();
                }
            });
        } else {
            self.exit_gate.open();
        }
        record(EventKind::Started, self.label());
        self.started.raise();
    }

    /// Inside the job: waits until the test lets it go, at most `HOLD`.
    pub fn hold(&self) -> bool {
        self.gate.wait_within(HOLD)
    }

    /// Inside the job, last: notes that the job is done.
    pub fn finish(&self) {
        record(EventKind::Ended, self.label());
        self.done.raise();
    }

    /// `arrive`, `hold` and `finish`, in that order.
    pub fn run(&self) {
        self.arrive();
        self.hold();
        self.finish();
    }

    /// Lets the job go, and its thread end (it need not have started: the
    /// gates stay open).
    pub fn let_go(&self) {
        self.gate.open();
        self.exit_gate.open();
    }

    pub fn has_started(&self) -> bool {
        self.started.is_up()
    }

    /// Whether the job itself has finished (its thread may still run on).
    pub fn is_done(&self) -> bool {
        self.done.is_up()
    }

    /// Whether the job is over the way a `join` makes it over: its thread
    /// has ended (or, without exit holds, the job is done). Read this the
    /// instant the learner's function returns.
    pub fn is_over(&self) -> bool {
        if exit_holds() {
            self.ended.is_up()
        } else {
            self.done.is_up()
        }
    }

    /// The thread that ran the job, once it has started.
    pub fn thread(&self) -> Option<ThreadId> {
        *self.thread.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn os_tid(&self) -> Option<u32> {
        Some(self.os_tid.load(Ordering::SeqCst)).filter(|&tid| tid != 0)
    }
}

/// Lets every held job go (so the learner's threads can end).
pub fn let_all_go(jobs: &[Held]) {
    for job in jobs {
        job.let_go();
    }
}

/// Lets `jobs[order[0]]`, `jobs[order[1]]`, ... go one at a time while the
/// caller of `call` waits for them, lets each job's thread end once some
/// thread is seen joining it, and stops as soon as the call returns (the
/// rest stay held: let them go with `let_all_go` afterwards).
///
/// A job is let go only when the caller is parked in a join (not in a
/// channel, lock, barrier or `park`: see `waits.rs`; the end of a
/// `thread::scope` counts when the learner's file uses one) and every thread
/// of the process is accounted for: it was there before the call
/// (`threads_before`, from `os_thread_ids()` just before `call`), or it is
/// the caller, or it has started one of `jobs`, or it is itself parked in an
/// untimed wait (a thread of the learner's that joins another before it runs
/// a job). So a job that has not started when it is let go has no thread
/// that could start it before the caller or a parked thread wakes, and they
/// wake only when a thread they wait for ends. A thread that stays
/// unaccounted for `PATIENCE` is given up on, and the call fails in the end:
/// a thread that polls or spins while the caller waits is a wait without
/// `join`.
/// A job let go after it started is waited for (at most `PATIENCE`) until
/// it is done and its thread exits, waits, or ends; a thread let end is
/// waited for until it has ended, so a caller that was joining it has been
/// woken before the next step, and never counts as joining it again.
///
/// Code that joins every thread it started before returning gets all jobs
/// let go, every thread let end, and returns. Code that returns while a
/// join is missing returns while that thread is still held at its exit (or
/// its job still held), on every run, in whatever order the jobs are let
/// go; code that never waits (sleeps, polls) has nothing let go; code that
/// waits some other way gets nothing let go and is a timeout, with a
/// message that says so.
pub fn let_go_in_order<T>(
    call: &Call<T>,
    threads_before: &[u32],
    jobs: &[Held],
    order: &[usize],
) -> Result<(), Failure> {
    let caller = call.caller.os_tid;
    let _shown =
        crate::status::waiting(&format!("for {} to join its threads", call.what), PATIENCE);
    let mut driver = Driver {
        jobs,
        ended_wait: Vec::new(),
        caller: &call.caller,
        caller_joins: &call.joins,
        joins: Vec::new(),
    };
    let mut others = Others::default();
    for &next in order {
        let joining = loop {
            let Some(wait) = driver.until_caller_joins(call)? else {
                return others.none_was_busy(call);
            };
            if others.accounted_for(caller, threads_before, &mut driver) {
                break wait;
            }
            // Some thread started one of the jobs meanwhile, or became
            // parked: look at the caller again before letting anything go.
        };
        driver.caller_joins(joining);
        let job = &jobs[next];
        let started = job.has_started();
        job.gate.open();
        if started {
            let tid = job.os_tid();
            poll_until(PATIENCE, || {
                driver.let_joined_threads_end();
                job.is_done()
                    && match tid {
                        Some(tid) => {
                            Some(tid) == caller
                                || job.exiting.is_up()
                                || !thread_is_alive(tid)
                                || parked(tid).is_some()
                        }
                        None => true,
                    }
            });
        }
    }
    // Every job is let go: let each thread end once it is joined.
    poll_until(PATIENCE, || {
        driver.let_joined_threads_end();
        call.has_returned()
    });
    others.none_was_busy(call)
}

/// The part of `let_go_in_order` that watches joins and lets threads end.
///
/// It also records the joins it sees (events only: nothing here decides
/// what is let go): `join_called` for a thread seen waiting in a join, once
/// per thread joined, and `join_returned` once the joined thread is gone and
/// the joiner no longer waits for it. Joins by the caller are kept with the
/// call (`call::OpenJoins`); those by other threads only where that thread
/// has recorded events itself (`events::identity_of`: a thread seen only by
/// its OS id has no number to record under).
struct Driver<'a> {
    jobs: &'a [Held],
    /// Jobs whose thread was let end and has not been seen gone yet.
    ended_wait: Vec<usize>,
    caller: &'a Identity,
    caller_joins: &'a OpenJoins,
    /// Joins by threads other than the caller, seen and not yet seen over:
    /// the joiner's OS id, who it is, the joined thread's OS id, its name
    /// and number (`Event::peer`).
    joins: Vec<(u32, Identity, u32, String, Option<u64>)>,
}

impl Driver<'_> {
    /// The thread with OS id `tid` as the events number it (`Event::peer`
    /// of a join of it), where it is known: a held job's thread, or a thread
    /// with a lane of its own.
    fn peer(&self, tid: u32) -> Option<u64> {
        if tid == 0 {
            return None;
        }
        if let Some(job) = self.jobs.iter().find(|job| job.os_tid() == Some(tid)) {
            return job.thread().map(thread_number);
        }
        identity_of(tid).map(|who| thread_number(who.thread))
    }

    /// What the thread with OS id `tid` is called in the events.
    fn thread_label(&self, tid: u32) -> String {
        if let Some(job) = self.jobs.iter().find(|job| job.os_tid() == Some(tid)) {
            return format!("{}'s thread", job.label());
        }
        match identity_of(tid) {
            Some(who) => format!("thread {}", thread_number(who.thread)),
            None => "a thread".to_string(),
        }
    }

    /// Records that the caller was seen in `wait` (a join, or the end of a
    /// scope), unless that join is already recorded.
    fn caller_joins(&self, wait: Wait) {
        let (tid, what) = match wait {
            Wait::Join(0) => (0, "a thread".to_string()),
            Wait::Join(tid) => (tid, self.thread_label(tid)),
            _ => (0, "its scope's threads".to_string()),
        };
        // Seen from this thread, but it is the caller that waits.
        crate::call::open_join(self.caller_joins, self.caller, tid, what, || self.peer(tid));
    }

    /// Records the caller past each join it was seen in, once it is not
    /// waiting in that join (`now`: what it waits in now) and the joined
    /// thread is gone.
    fn caller_past_joins(&self, now: Option<Wait>) {
        let mut open = self.caller_joins.lock().unwrap_or_else(|e| e.into_inner());
        open.retain(|(joined, what, peer)| {
            let over =
                *joined != 0 && now != Some(Wait::Join(*joined)) && !thread_is_alive(*joined);
            if over {
                record_join(
                    self.caller,
                    EventKind::JoinReturned,
                    format!("{what} joined"),
                    *peer,
                );
            }
            !over
        });
    }

    /// Records the joins in one look at every thread (`seen`: joiner,
    /// joined), and those seen before that are now over.
    fn record_joins(&mut self, seen: &[(u32, u32)]) {
        let caller = self.caller.os_tid;
        let caller_now = seen
            .iter()
            .find(|(joiner, _)| Some(*joiner) == caller)
            .map(|&(_, joined)| Wait::Join(joined));
        if let Some(wait) = caller_now {
            self.caller_joins(wait);
        }
        self.caller_past_joins(caller_now);
        for &(joiner, joined) in seen {
            let known = self
                .joins
                .iter()
                .any(|(j, _, t, _, _)| *j == joiner && *t == joined);
            if Some(joiner) == caller || known {
                continue;
            }
            if let Some(who) = identity_of(joiner) {
                let (what, peer) = (self.thread_label(joined), self.peer(joined));
                record_join(&who, EventKind::JoinCalled, format!("joins {what}"), peer);
                self.joins.push((joiner, who, joined, what, peer));
            }
        }
        self.joins.retain(|(joiner, who, joined, what, peer)| {
            let over = !seen.contains(&(*joiner, *joined)) && !thread_is_alive(*joined);
            if over {
                record_join(
                    who,
                    EventKind::JoinReturned,
                    format!("{what} joined"),
                    *peer,
                );
            }
            !over
        });
    }

    /// Lets a held job's thread end once some thread is seen joining it.
    fn let_joined_threads_end(&mut self) {
        if !exit_holds() {
            return;
        }
        // The jobs whose thread sits at its exit, not yet let end.
        let holding = |job: &Held| job.exiting.is_up() && !job.exit_gate.is_open();
        if !self.jobs.iter().any(holding) {
            return;
        }
        let seen: Vec<(u32, u32)> = parked_all()
            .into_iter()
            .filter_map(|(joiner, parked)| match parked {
                Some((_, Wait::Join(joined))) if joined != 0 => Some((joiner, joined)),
                _ => None,
            })
            .collect();
        self.record_joins(&seen);
        let joined: Vec<u32> = seen.iter().map(|&(_, joined)| joined).collect();
        for (at, job) in self.jobs.iter().enumerate() {
            if holding(job) && job.os_tid().is_some_and(|tid| joined.contains(&tid)) {
                job.exit_gate.open();
                self.ended_wait.push(at);
            }
        }
    }

    /// Whether every thread let end has ended (and is gone), so a caller
    /// still seen in its join is about to wake.
    fn threads_let_end_are_gone(&mut self) -> bool {
        let jobs = self.jobs;
        self.ended_wait.retain(|&at| {
            let job = &jobs[at];
            !(job.ended.is_up() && job.os_tid().is_none_or(|tid| !thread_is_alive(tid)))
        });
        self.ended_wait.is_empty()
    }

    /// Blocks until the caller is parked in a join (`Ok(true)`), or has
    /// returned (`Ok(false)`); a timeout if it did neither within
    /// `PATIENCE`, saying so if it sat in a wait that is not a join.
    /// Meanwhile, threads being joined are let end.
    fn until_caller_joins<T>(&mut self, call: &Call<T>) -> Result<Option<Wait>, Failure> {
        let deadline = Instant::now() + PATIENCE;
        let mut streak = Streak::default();
        let mut wrong_wait = None;
        while Instant::now() < deadline {
            if call.has_returned() {
                return Ok(None);
            }
            self.let_joined_threads_end();
            let sample = match call.caller.os_tid {
                Some(tid) if FUTEX.is_some() => parked(tid),
                // Cannot observe (not Linux, or /proc hidden): a plain pause.
                _ => Some((String::new(), Wait::Join(0))),
            };
            let wait = sample.as_ref().map(|(_, wait)| *wait);
            self.caller_past_joins(wait);
            if streak.see_wait(sample) && self.threads_let_end_are_gone() {
                match wait {
                    Some(Wait::Join(tid)) => return Ok(Some(Wait::Join(tid))),
                    Some(Wait::Parker) if learner_uses_scope() => return Ok(Some(Wait::Parker)),
                    other => wrong_wait = other,
                }
            }
            thread::sleep(LOOK_EVERY);
        }
        Err(Failure::timeout(match wrong_wait {
            Some(wait) => format!(
                "{} waited for its threads, but not with `join`: it sat in {} for {} s. \
                 Only `join` on a thread's handle waits until that thread is over; a message, \
                 a lock or a barrier only says that some code ran. Keep the `JoinHandle` and \
                 `join` it",
                call.what,
                match wait {
                    Wait::Parker => "a channel's `recv` or `thread::park`",
                    _ => "a lock, a barrier or a condition variable",
                },
                PATIENCE.as_secs()
            ),
            None => format!(
                "{} neither returned nor waited for its threads within {} s. To wait for a \
                 thread, `join` its handle: a pause or a loop that keeps checking does not count",
                call.what,
                PATIENCE.as_secs()
            ),
        }))
    }
}

/// The threads `let_go_in_order` knows nothing about: how long each has
/// been seen parked, and those it gave up on.
#[derive(Default)]
struct Others {
    streaks: Vec<(u32, Streak)>,
    given_up: Vec<u32>,
}

impl Others {
    /// A thread of the learner's that stayed busy (running, sleeping, in a
    /// timed wait) for `PATIENCE` while the caller waited, without running
    /// a job or waiting in a join itself, is one that polls or spins for
    /// another thread's end: a wait without `join`.
    fn none_was_busy<T>(&self, call: &Call<T>) -> Result<(), Failure> {
        if self.given_up.is_empty() {
            return Ok(());
        }
        Err(format!(
            "while {} waited, another thread of yours kept running for {} s without running a \
             job or waiting in a `join`: a loop that polls or spins until some thread is \
             done? Only `join` waits until a thread is over: keep its `JoinHandle` and `join` it",
            call.what,
            PATIENCE.as_secs()
        )
        .into())
    }

    /// Whether every thread is accounted for (see `let_go_in_order`) at the
    /// first look (`true`), or only after waiting for some (`false`). A
    /// thread's parked streak carries over from one call to the next: it is
    /// broken as soon as the thread is seen doing anything else.
    fn accounted_for(
        &mut self,
        caller: Option<u32>,
        before: &[u32],
        driver: &mut Driver<'_>,
    ) -> bool {
        if FUTEX.is_none() {
            return true;
        }
        let jobs = driver.jobs;
        let deadline = Instant::now() + PATIENCE;
        let mut first_look = true;
        loop {
            driver.let_joined_threads_end();
            // Every thread and what it waits for, in one look.
            let unknown: Vec<Seen> = parked_all()
                .into_iter()
                .filter(|(id, _)| {
                    !before.contains(id)
                        && Some(*id) != caller
                        && !self.given_up.contains(id)
                        && !jobs.iter().any(|job| job.os_tid() == Some(*id))
                })
                .collect();
            let mut all_parked = true;
            for (id, parked) in &unknown {
                let at = match self.streaks.iter().position(|(t, _)| t == id) {
                    Some(at) => at,
                    None => {
                        self.streaks.push((*id, Streak::default()));
                        self.streaks.len() - 1
                    }
                };
                if !self.streaks[at].1.see_wait(parked.clone()) {
                    all_parked = false;
                }
            }
            if all_parked {
                return first_look;
            }
            if Instant::now() >= deadline {
                self.given_up.extend(unknown.into_iter().map(|(id, _)| id));
                return false;
            }
            first_look = false;
            thread::sleep(LOOK_EVERY);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::call::call;
    use crate::events;
    use crate::observe::{os_thread_ids, thread_number};
    use crate::testing;
    use std::thread::JoinHandle;

    #[test]
    fn parties_that_all_come_pass_together() {
        let _threads = testing::spawning();
        let barrier = TimedBarrier::new(4);
        let parties: Vec<_> = (0..4)
            .map(|_| {
                let b = barrier.clone();
                thread::spawn(move || b.wait())
            })
            .collect();
        for party in parties {
            assert!(party.join().unwrap(), "every party gets through");
        }
        assert!(barrier.passed());
        assert_eq!(barrier.arrived(), 4);
    }

    #[test]
    fn parties_that_wait_in_vain_give_up_after_patience_and_break_it() {
        let _threads = testing::spawning();
        let barrier = TimedBarrier::new(3);
        let parties: Vec<_> = (0..2)
            .map(|_| {
                let b = barrier.clone();
                thread::spawn(move || {
                    let t0 = Instant::now();
                    (b.wait(), t0.elapsed())
                })
            })
            .collect();
        let mut waits = Vec::new();
        for party in parties {
            let (passed, waited) = party.join().unwrap();
            assert!(!passed, "two of three parties cannot get through");
            waits.push(waited);
        }
        // The first to come gave up after its full patience; the other may
        // have come later, and gave up with it.
        assert!(waits.iter().any(|w| *w >= PATIENCE), "{waits:?}");
        assert!(!barrier.passed());
        // A late party finds it broken, and is not kept waiting.
        let t0 = Instant::now();
        assert!(!barrier.wait());
        assert!(t0.elapsed() < PATIENCE);
        assert!(!barrier.passed());
    }

    /// What a learner's function made of the jobs: which were done when it
    /// returned, and the handles it did not join (joined by the test later).
    type Made = (Vec<bool>, Vec<JoinHandle<()>>);

    /// Calls `learner` (standing in for a learner's function) with the
    /// jobs, as `call` does; it gives back the handles it left unjoined.
    /// Also the threads there were before the call.
    fn start(
        jobs: &[Held],
        learner: impl FnOnce(Vec<Held>) -> Vec<JoinHandle<()>> + Send + 'static,
    ) -> (Call<Made>, Vec<u32>) {
        let (run, watched) = (jobs.to_vec(), jobs.to_vec());
        let before = os_thread_ids();
        let running = call("`learner(jobs)`", move || {
            let left = learner(run);
            (watched.iter().map(Held::is_done).collect(), left)
        });
        (running, before)
    }

    /// Starts a thread per job that runs it, then does `after`.
    fn spawn_each(jobs: Vec<Held>, after: fn()) -> Vec<JoinHandle<()>> {
        jobs.into_iter()
            .map(|job| {
                thread::spawn(move || {
                    job.run();
                    after();
                })
            })
            .collect()
    }

    fn jobs(n: usize) -> Vec<Held> {
        (0..n).map(|_| Held::new()).collect()
    }

    fn let_go(jobs: &[Held]) -> Vec<bool> {
        jobs.iter().map(|job| job.gate.is_open()).collect()
    }

    /// Lets everything go and joins what the learner left running.
    fn clean_up(jobs: &[Held], left: Vec<JoinHandle<()>>) {
        let_all_go(jobs);
        for handle in left {
            handle.join().unwrap();
        }
    }

    #[test]
    fn a_caller_that_joins_every_thread_gets_every_job_let_go() {
        let _alone = testing::alone();
        let jobs = jobs(4);
        let (running, before) = start(&jobs, |jobs| {
            for handle in spawn_each(jobs, || ()) {
                handle.join().unwrap();
            }
            Vec::new()
        });
        let caller = thread_number(running.thread());
        assert_eq!(
            let_go_in_order(&running, &before, &jobs, &[3, 0, 1, 2]),
            Ok(())
        );
        let (done, left) = running.finish_within(testing::DEADLINE).unwrap();
        assert_eq!(done, vec![true; 4], "every job was done at the return");
        assert!(left.is_empty());
        // What it saw is in the events: each job's start and end on its
        // own thread, and the caller seen joining, once per job (naming it).
        let seen = events::recorded();
        for job in &jobs {
            let on = thread_number(job.thread().unwrap());
            for kind in [EventKind::Started, EventKind::Ended] {
                assert!(seen.iter().any(|e| e.kind == kind && e.thread == on));
            }
        }
        let joins = seen
            .iter()
            .filter(|e| e.kind == EventKind::JoinCalled && e.thread == caller)
            .count();
        assert_eq!(joins, 4);
        // Each job's thread exits (once, after its job ended), and the
        // caller is seen past its join of it after that, before it returns.
        let at = |kind: EventKind, thread: u64, label: &str| {
            let found: Vec<usize> = (0..seen.len())
                .filter(|&i| {
                    seen[i].kind == kind
                        && seen[i].thread == thread
                        && seen[i].label.contains(label)
                })
                .collect();
            assert_eq!(found.len(), 1, "{kind:?} {label} on {thread}: {seen:#?}");
            found[0]
        };
        let returned = at(EventKind::Returned, caller, "returned");
        for job in &jobs {
            let on = thread_number(job.thread().unwrap());
            let exited = at(EventKind::Exited, on, "");
            assert!(at(EventKind::Ended, on, &job.label()) < exited);
            let what = format!("{}'s thread", job.label());
            let called = at(EventKind::JoinCalled, caller, &what);
            let joined = at(EventKind::JoinReturned, caller, &what);
            assert!(called < exited && exited < joined && joined < returned);
            // Both name the joined thread as its own events do.
            assert_eq!((seen[called].peer, seen[joined].peer), (Some(on), Some(on)));
        }
    }

    #[test]
    fn a_caller_that_joins_one_thread_returns_while_the_others_are_held() {
        let _alone = testing::alone();
        let jobs = jobs(3);
        let (running, before) = start(&jobs, |jobs| {
            let mut handles = spawn_each(jobs, || ());
            handles.pop().unwrap().join().unwrap();
            handles
        });
        assert_eq!(
            let_go_in_order(&running, &before, &jobs, &[2, 0, 1]),
            Ok(())
        );
        assert_eq!(let_go(&jobs), [false, false, true], "only the joined job");
        let (done, left) = running.finish_within(testing::DEADLINE).unwrap();
        assert_eq!(done, [false, false, true]);
        clean_up(&jobs, left);
    }

    #[test]
    fn a_caller_still_joining_a_job_that_is_done_gets_nothing_more_let_go() {
        let _alone = testing::alone();
        let jobs = jobs(2);
        // Each thread lingers after its job: the caller that joins thread 0
        // stays parked on that join after job 0 is done.
        let (running, before) = start(&jobs, |jobs| {
            let mut handles = spawn_each(jobs, || thread::sleep(Duration::from_millis(200)));
            handles.remove(0).join().unwrap();
            handles
        });
        assert_eq!(let_go_in_order(&running, &before, &jobs, &[0, 1]), Ok(()));
        assert_eq!(let_go(&jobs), [true, false], "job 1 was never waited for");
        let (_, left) = running.finish_within(testing::DEADLINE).unwrap();
        clean_up(&jobs, left);
    }

    #[test]
    fn a_job_is_let_go_only_once_every_thread_is_accounted_for() {
        let _alone = testing::alone();
        let jobs = jobs(2);
        // Thread 1 takes a while before it runs job 1, and is never joined.
        let (running, before) = start(&jobs, |jobs| {
            let (first, second) = (jobs[0].clone(), jobs[1].clone());
            let late = thread::spawn(move || {
                thread::sleep(Duration::from_millis(100));
                second.run();
            });
            thread::spawn(move || first.run()).join().unwrap();
            vec![late]
        });
        // Job 1 is let go only once thread 1 runs it, and waited for, so it
        // is done before job 0 is let go and the caller can return.
        assert_eq!(let_go_in_order(&running, &before, &jobs, &[1, 0]), Ok(()));
        let (done, left) = running.finish_within(testing::DEADLINE).unwrap();
        assert_eq!(done, [true, true]);
        clean_up(&jobs, left);
    }

    #[test]
    fn a_caller_that_sleeps_instead_of_joining_gets_nothing_let_go() {
        let _threads = testing::spawning();
        let jobs = jobs(3);
        let (running, before) = start(&jobs, |jobs| {
            let handles = spawn_each(jobs, || ());
            thread::sleep(Duration::from_millis(200));
            handles
        });
        assert_eq!(
            let_go_in_order(&running, &before, &jobs, &[0, 1, 2]),
            Ok(())
        );
        assert_eq!(let_go(&jobs), [false; 3]);
        let (done, left) = running.finish_within(testing::DEADLINE).unwrap();
        assert_eq!(done, [false; 3]);
        clean_up(&jobs, left);
    }

    /// What the learner's function made of the jobs, read at its return:
    /// which were over (their thread ended) and which merely done.
    fn over_and_done(jobs: &[Held]) -> (Vec<bool>, Vec<bool>) {
        (
            jobs.iter().map(Held::is_over).collect(),
            jobs.iter().map(Held::is_done).collect(),
        )
    }

    #[test]
    fn a_thread_never_joined_is_not_over_at_the_return_whatever_the_order() {
        let _alone = testing::alone();
        if !exit_holds() {
            return;
        }
        for order in [[0, 1, 2], [2, 1, 0], [1, 2, 0]] {
            let jobs = jobs(3);
            let (run, watched) = (jobs.clone(), jobs.clone());
            let before = os_thread_ids();
            // Joins all but the last thread.
            let running = call("`learner(jobs)`", move || {
                let mut handles = spawn_each(run, || ());
                let last = handles.pop().unwrap();
                for handle in handles {
                    handle.join().unwrap();
                }
                (over_and_done(&watched), last)
            });
            assert_eq!(let_go_in_order(&running, &before, &jobs, &order), Ok(()));
            let caller = thread_number(running.thread());
            let ((over, _), last) = running.finish_within(testing::DEADLINE).unwrap();
            assert_eq!(over, [true, true, false], "order {order:?}");
            // The thread never joined has not exited when the caller
            // returns; the others have.
            let seen = events::recorded();
            let returned = seen
                .iter()
                .position(|e| e.kind == EventKind::Returned && e.thread == caller)
                .expect("the caller returned");
            for (job, joined) in jobs.iter().zip([true, true, false]) {
                let on = thread_number(job.thread().unwrap());
                let exited = seen[..returned]
                    .iter()
                    .any(|e| e.kind == EventKind::Exited && e.thread == on);
                assert_eq!(exited, joined, "order {order:?}");
            }
            clean_up(&jobs, vec![last]);
        }
    }

    #[test]
    fn a_caller_that_waits_for_a_message_instead_of_a_join_gets_nothing_let_go() {
        let _threads = testing::spawning();
        if !exit_holds() {
            return;
        }
        let jobs = jobs(2);
        let (running, before) = start(&jobs, |jobs| {
            let (tx, rx) = std::sync::mpsc::channel();
            let handles: Vec<JoinHandle<()>> = jobs
                .into_iter()
                .map(|job| {
                    let tx = tx.clone();
                    thread::spawn(move || {
                        job.run();
                        tx.send(()).unwrap();
                    })
                })
                .collect();
            for _ in 0..2 {
                rx.recv().unwrap();
            }
            handles
        });
        let failure = let_go_in_order(&running, &before, &jobs, &[0, 1]).unwrap_err();
        assert!(failure.timed_out, "{failure}");
        assert!(failure.message.contains("not with `join`"), "{failure}");
        assert!(failure.message.contains("`recv`"), "{failure}");
        assert_eq!(let_go(&jobs), [false; 2]);
        let_all_go(&jobs);
        let (_, left) = running.finish_within(testing::DEADLINE).unwrap();
        clean_up(&jobs, left);
    }

    #[test]
    fn a_caller_that_joins_a_thread_which_joins_the_job_gets_it_over() {
        let _alone = testing::alone();
        let jobs = jobs(1);
        let (run, watched) = (jobs.clone(), jobs.clone());
        let before = os_thread_ids();
        // The job's thread is started and joined by another thread, which
        // the caller joins (join5's chained style).
        let running = call("`learner(jobs)`", move || {
            let job = run[0].clone();
            thread::spawn(move || thread::spawn(move || job.run()).join().unwrap())
                .join()
                .unwrap();
            over_and_done(&watched)
        });
        assert_eq!(let_go_in_order(&running, &before, &jobs, &[0]), Ok(()));
        let (over, done) = running.finish_within(testing::DEADLINE).unwrap();
        assert_eq!((over, done), (vec![true], vec![true]));
    }

    #[test]
    fn the_caller_that_joins_a_thread_spinning_until_a_job_is_done_fails() {
        let _alone = testing::alone();
        let jobs = jobs(1);
        let (run, watched) = (jobs.clone(), jobs.clone());
        let before = os_thread_ids();
        // A waiter thread spins until the job is done; the caller joins the
        // waiter and the job's thread, so every thread is joined, but the
        // waiter waited without a join.
        let running = call("`learner(jobs)`", move || {
            let job = run[0].clone();
            let seen = job.clone();
            let worker = thread::spawn(move || job.run());
            let waiter = thread::spawn(move || {
                while !seen.is_done() {
                    thread::sleep(Duration::from_millis(1));
                }
            });
            waiter.join().unwrap();
            worker.join().unwrap();
            over_and_done(&watched)
        });
        let failure = let_go_in_order(&running, &before, &jobs, &[0]).unwrap_err();
        assert!(!failure.timed_out);
        assert!(failure.message.contains("polls or spins"), "{failure}");
        let_all_go(&jobs);
        running.finish_within(testing::DEADLINE).unwrap();
    }

    // Named to sort last, beside the barrier's long wait: the two waits of
    // `PATIENCE` then overlap instead of adding up.
    #[test]
    fn the_caller_that_neither_returns_nor_joins_is_a_timeout() {
        let _threads = testing::spawning();
        let jobs = jobs(2);
        let stop = Flag::new();
        let s = stop.clone();
        let (running, before) = start(&jobs, move |jobs| {
            let handles = spawn_each(jobs, || ());
            while !s.is_up() {
                thread::sleep(Duration::from_millis(2));
            }
            handles
        });
        let failure = let_go_in_order(&running, &before, &jobs, &[0, 1]).unwrap_err();
        assert!(failure.timed_out, "{failure}");
        assert!(failure.message.contains("neither returned nor waited"));
        assert_eq!(let_go(&jobs), [false; 2]);
        stop.raise();
        let (_, left) = running.finish_within(testing::DEADLINE).unwrap();
        clean_up(&jobs, left);
    }
}
