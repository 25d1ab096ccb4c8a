//! Rendezvous: a barrier that gives up, a gate the test opens, and jobs the
//! test holds back and lets go one at a time while the learner's caller waits
//! for them.
//!
//! These force the interleavings a hidden test needs, so that a test never
//! relies on a sleep being long enough: correct code gets through every
//! rendezvous in milliseconds, and only wrong code reaches a deadline.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::{self, ThreadId};
use std::time::{Duration, Instant};

use crate::call::Call;
use crate::events::{record, record_as};
use crate::observe::{FUTEX, Flag, Streak, os_thread_id, os_thread_ids, parked_on, poll_until};
use crate::outcome::{Failure, PATIENCE};
use crate::protocol::EventKind;

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
        let (lock, cvar) = &*self.state;
        let mut state = lock.lock().unwrap_or_else(|e| e.into_inner());
        state.arrived += 1;
        if state.arrived >= self.parties {
            cvar.notify_all();
            return !state.broken;
        }
        let deadline = Instant::now() + PATIENCE;
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
        self.wait_within(PATIENCE)
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

/// One of the test's jobs, handed to learner code inside a closure: it notes
/// which thread runs it, then waits until the test lets it go (at most
/// `HOLD`), then notes that it is done. Clones share one state.
#[derive(Clone, Default)]
pub struct Held {
    gate: Gate,
    started: Flag,
    done: Flag,
    /// The OS id of the thread that ran the job (0: not known yet). Read
    /// while the learner's threads run, so it is lock-free.
    os_tid: Arc<AtomicU32>,
    thread: Arc<Mutex<Option<ThreadId>>>,
}

impl Held {
    pub fn new() -> Self {
        Held::default()
    }

    /// Inside the job, first: notes the thread and that the job started.
    pub fn arrive(&self) {
        *self.thread.lock().unwrap_or_else(|e| e.into_inner()) = Some(thread::current().id());
        self.os_tid
            .store(os_thread_id().unwrap_or(0), Ordering::SeqCst);
        record(EventKind::Started, "held job");
        self.started.raise();
    }

    /// Inside the job: waits until the test lets it go, at most `HOLD`.
    pub fn hold(&self) -> bool {
        self.gate.wait_within(HOLD)
    }

    /// Inside the job, last: notes that the job is done.
    pub fn finish(&self) {
        record(EventKind::Ended, "held job");
        self.done.raise();
    }

    /// `arrive`, `hold` and `finish`, in that order.
    pub fn run(&self) {
        self.arrive();
        self.hold();
        self.finish();
    }

    /// Lets the job go (it need not have started: the gate stays open).
    pub fn let_go(&self) {
        self.gate.open();
    }

    pub fn has_started(&self) -> bool {
        self.started.is_up()
    }

    pub fn is_done(&self) -> bool {
        self.done.is_up()
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
/// caller of `call` waits for them, and stops as soon as the call returns
/// (the rest stay held: let them go with `let_all_go` afterwards).
///
/// A job is let go only when the caller is parked (`wait_until_joining`) and
/// every thread of the process is accounted for: it was there before the
/// call (`threads_before`, from `os_thread_ids()` just before `call`), or it
/// is the caller, or it has started one of `jobs`, or it is itself parked in
/// an untimed wait (a thread of the learner's that joins another before it
/// runs a job). So a job that has not started when it is let go has no
/// thread that could start it before the caller or a parked thread wakes,
/// and they wake only when a thread they wait for ends. A thread that stays
/// unaccounted for `PATIENCE` is given up on (it only makes this slower).
/// A job let go after it started is waited for (at most `PATIENCE`) until it
/// is done and its thread has ended, so a caller that was joining it has been
/// woken before the next step, and never counts as parked on that join again.
///
/// Code that joins every thread it started before returning gets all jobs
/// let go and returns. Code that returns while a join is missing (or joins
/// one thread only) returns while the jobs later in `order` are still held,
/// on every run; code that never waits (sleeps, polls) has nothing let go.
/// A timeout when the caller neither returned nor waited within `PATIENCE`.
pub fn let_go_in_order<T>(
    call: &Call<T>,
    threads_before: &[u32],
    jobs: &[Held],
    order: &[usize],
) -> Result<(), Failure> {
    let caller = call.caller.os_tid;
    let mut others = Others::default();
    for &next in order {
        loop {
            if !call.wait_until_joining()? {
                return Ok(());
            }
            if others.accounted_for(caller, threads_before, jobs) {
                break;
            }
            // Some thread started one of the jobs meanwhile, or became
            // parked: look at the caller again before letting anything go.
        }
        // Seen from this thread, but it is the caller that waits.
        record_as(&call.caller, EventKind::JoinCalled, call.what.as_str());
        let job = &jobs[next];
        let started = job.has_started();
        job.let_go();
        if started {
            let tid = job.os_tid();
            poll_until(PATIENCE, || {
                job.is_done()
                    && match tid {
                        Some(tid) => Some(tid) == caller || !os_thread_ids().contains(&tid),
                        None => true,
                    }
            });
        }
    }
    Ok(())
}

/// The threads `let_go_in_order` knows nothing about: how long each has
/// been seen parked, and those it gave up on.
#[derive(Default)]
struct Others {
    streaks: Vec<(u32, Streak)>,
    given_up: Vec<u32>,
}

impl Others {
    /// Whether every thread is accounted for (see `let_go_in_order`) at the
    /// first look (`true`), or only after waiting for some (`false`). A
    /// thread's parked streak carries over from one call to the next: it is
    /// broken as soon as the thread is seen doing anything else.
    fn accounted_for(&mut self, caller: Option<u32>, before: &[u32], jobs: &[Held]) -> bool {
        let Some(futex) = FUTEX else {
            return true;
        };
        let deadline = Instant::now() + PATIENCE;
        let mut first_look = true;
        loop {
            let unknown: Vec<u32> = os_thread_ids()
                .into_iter()
                .filter(|id| {
                    !before.contains(id)
                        && Some(*id) != caller
                        && !self.given_up.contains(id)
                        && !jobs.iter().any(|job| job.os_tid() == Some(*id))
                })
                .collect();
            let mut all_parked = true;
            for &id in &unknown {
                let at = match self.streaks.iter().position(|(t, _)| *t == id) {
                    Some(at) => at,
                    None => {
                        self.streaks.push((id, Streak::default()));
                        self.streaks.len() - 1
                    }
                };
                if !self.streaks[at].1.see(parked_on(futex, id)) {
                    all_parked = false;
                }
            }
            if all_parked {
                return first_look;
            }
            if Instant::now() >= deadline {
                self.given_up.extend(unknown);
                return false;
            }
            first_look = false;
            thread::sleep(Duration::from_millis(1));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::call::call;
    use crate::events;
    use crate::observe::thread_number;
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
        // own thread, and the caller seen joining, once per job.
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
