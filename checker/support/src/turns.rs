//! Turns: the first calls of a test's closure meet (a `TimedBarrier`), then
//! leave one at a time, in the order of a key the test gives each call,
//! largest first; each leaves only once the one before it has moved on.
//!
//! This makes the order in which those calls finish the reverse of the
//! order of their keys, on every run, whatever the schedule. A learner's
//! function that keeps the results in the order they were finished (pushed
//! to a shared `Vec`, sent on a channel and collected as they come) then
//! returns them out of order every time, while one that keeps each result
//! in its place is not affected.
//!
//! "Moved on" is what the thread of a call does after it: it calls the
//! closure again, or it ends. Whatever the learner's code does with a result
//! (push it, send it) happens between the two, so a call leaves only once
//! the result of the one before it has been handed on. A thread that does
//! neither within `PATIENCE` is not waited for any longer: correct code is
//! never held up for good, only code that keeps a thread waiting after its
//! work, which no correct answer needs to do.

use std::cell::RefCell;
use std::sync::{Arc, Condvar, Mutex};
use std::thread::{self, ThreadId};
use std::time::Instant;

use crate::outcome::PATIENCE;
use crate::rendezvous::TimedBarrier;

/// The first `parties` calls meet, then leave largest key first. Clones
/// share one state.
#[derive(Clone)]
pub struct Turns {
    shared: Arc<Shared>,
}

struct Shared {
    parties: usize,
    barrier: TimedBarrier,
    members: Mutex<Vec<Member>>,
    moved: Condvar,
}

/// One of the first `parties` calls.
struct Member {
    key: usize,
    thread: ThreadId,
    moved_on: bool,
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Member>> {
        self.members.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The call that `thread` made among the first ones is behind it.
    fn moved_on(&self, thread: ThreadId) {
        let mut members = self.lock();
        for member in members.iter_mut().filter(|m| m.thread == thread) {
            member.moved_on = true;
        }
        self.moved.notify_all();
    }
}

/// Notes, as its thread ends, that the thread has moved on.
struct Leaving(RefCell<Vec<(ThreadId, Arc<Shared>)>>);

impl Drop for Leaving {
    fn drop(&mut self) {
        for (thread, shared) in self.0.take() {
            shared.moved_on(thread);
        }
    }
}

thread_local! {
    static LEAVING: Leaving = const { Leaving(RefCell::new(Vec::new())) };
}

impl Turns {
    pub fn new(parties: usize) -> Turns {
        Turns {
            shared: Arc::new(Shared {
                parties,
                barrier: TimedBarrier::new(parties),
                members: Mutex::new(Vec::new()),
                moved: Condvar::new(),
            }),
        }
    }

    /// Inside the closure, first. One of the first `parties` calls waits
    /// for the others (`false` if they did not all come within `PATIENCE`),
    /// then for every one of them with a larger `key` to have moved on.
    /// Any other call notes that its thread moved on and returns at once.
    pub fn enter(&self, key: usize) -> bool {
        let shared = &self.shared;
        let me = thread::current().id();
        {
            let mut members = shared.lock();
            if members.iter().any(|m| m.thread == me) {
                drop(members);
                shared.moved_on(me);
                return true;
            }
            if members.len() >= shared.parties {
                return true;
            }
            members.push(Member {
                key,
                thread: me,
                moved_on: false,
            });
        }
        // `try_with`: a call made while its thread already exits is not watched.
        let _ = LEAVING.try_with(|leaving| {
            leaving.0.borrow_mut().push((me, Arc::clone(shared)));
        });
        if !shared.barrier.wait() {
            return false;
        }
        let deadline = Instant::now() + PATIENCE;
        let mut members = shared.lock();
        while members.iter().any(|m| m.key > key && !m.moved_on) {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            members = shared
                .moved
                .wait_timeout(members, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        true
    }

    /// Whether the first `parties` calls all met.
    pub fn met(&self) -> bool {
        self.shared.barrier.passed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;
    use std::sync::mpsc;

    #[test]
    fn the_first_calls_finish_largest_key_first_even_when_pushed_as_they_come() {
        let _threads = testing::spawning();
        for _ in 0..5 {
            let turns = Turns::new(3);
            let (tx, rx) = mpsc::channel();
            // Three workers, two items each; results sent as they are done.
            let workers: Vec<_> = (0..3)
                .map(|w| {
                    let (turns, tx) = (turns.clone(), tx.clone());
                    thread::spawn(move || {
                        for key in [w * 2, w * 2 + 1] {
                            turns.enter(key);
                            tx.send(key).unwrap();
                        }
                    })
                })
                .collect();
            drop(tx);
            let arrived: Vec<usize> = rx.iter().collect();
            for worker in workers {
                worker.join().unwrap();
            }
            assert!(turns.met());
            // The first of each worker (keys 0, 2, 4) came out largest first.
            let firsts: Vec<usize> = arrived.iter().copied().filter(|k| k % 2 == 0).collect();
            assert_eq!(firsts, [4, 2, 0], "{arrived:?}");
        }
    }

    #[test]
    fn a_thread_that_ends_after_its_call_lets_the_next_one_go() {
        let _threads = testing::spawning();
        let turns = Turns::new(2);
        let order = Arc::new(Mutex::new(Vec::new()));
        let workers: Vec<_> = [0, 1]
            .into_iter()
            .map(|key| {
                let (turns, order) = (turns.clone(), order.clone());
                thread::spawn(move || {
                    turns.enter(key);
                    order.lock().unwrap().push(key);
                })
            })
            .collect();
        let t0 = Instant::now();
        for worker in workers {
            worker.join().unwrap();
        }
        assert_eq!(*order.lock().unwrap(), [1, 0]);
        assert!(t0.elapsed() < PATIENCE, "no wait ran out");
    }

    #[test]
    fn calls_one_after_another_never_meet_and_are_not_held_after() {
        let _threads = testing::spawning();
        let turns = Turns::new(2);
        let t0 = Instant::now();
        assert!(!turns.enter(0), "alone at the barrier");
        assert!(t0.elapsed() >= PATIENCE);
        let t1 = Instant::now();
        assert!(turns.enter(1), "the same thread again: moved on, at once");
        assert!(t1.elapsed() < PATIENCE);
        assert!(!turns.met());
    }
}
