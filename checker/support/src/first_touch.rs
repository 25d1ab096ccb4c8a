//! First touches: which threads have called into a test's closure (or read
//! its probe), numbered in the order they first came.
//!
//! When the learner's code decides how to split the work (halves, chunks,
//! which end first), the test cannot know which item a thread touches
//! first. It can know when a thread touches *anything* for the first time:
//! a hook that asks `first_touch` runs its once-per-thread step (wait at a
//! barrier, be held as a `Held` job) exactly once on every thread, whatever
//! the split, and never on a thread told to be left alone (the caller, when
//! holding it would only hide what it does).

use std::sync::{Arc, Mutex};
use std::thread::{self, ThreadId};

/// The threads that touched so far, in order; clones share them.
#[derive(Clone, Default)]
pub struct FirstTouch {
    state: Arc<Mutex<Touched>>,
}

#[derive(Default)]
struct Touched {
    threads: Vec<ThreadId>,
    left_alone: Vec<ThreadId>,
}

impl FirstTouch {
    pub fn new() -> Self {
        FirstTouch::default()
    }

    /// On the touching thread: `Some(k)` the first time this thread comes
    /// (it is the k-th thread to come, counting from 0), `None` every later
    /// time, and always `None` on a thread left alone.
    pub fn first_touch(&self) -> Option<usize> {
        let me = thread::current().id();
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if state.left_alone.contains(&me) || state.threads.contains(&me) {
            return None;
        }
        state.threads.push(me);
        Some(state.threads.len() - 1)
    }

    /// On the thread to leave alone (say, the caller, first thing in the
    /// call): its touches are never first touches, nor counted.
    pub fn leave_this_thread_alone(&self) {
        let me = thread::current().id();
        self.state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .left_alone
            .push(me);
    }

    /// Every thread that touched (left-alone ones aside), in order of their
    /// first touch.
    pub fn threads(&self) -> Vec<ThreadId> {
        self.state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .threads
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rendezvous::{Held, TimedBarrier};
    use crate::testing::spawning;

    #[test]
    fn each_thread_gets_one_first_touch_numbered_in_order_of_arrival() {
        let _lock = spawning();
        let touch = FirstTouch::new();
        assert_eq!(touch.first_touch(), Some(0));
        assert_eq!(touch.first_touch(), None, "a second touch is not a first");
        let t = touch.clone();
        let (worker, firsts) = thread::spawn(move || {
            let firsts = [t.first_touch(), t.first_touch(), t.first_touch()];
            (thread::current().id(), firsts)
        })
        .join()
        .unwrap();
        assert_eq!(firsts, [Some(1), None, None]);
        assert_eq!(touch.threads(), vec![thread::current().id(), worker]);
    }

    #[test]
    fn a_thread_left_alone_never_touches_first_and_is_not_counted() {
        let _lock = spawning();
        let touch = FirstTouch::new();
        touch.leave_this_thread_alone();
        assert_eq!(touch.first_touch(), None);
        let t = touch.clone();
        let first = thread::spawn(move || t.first_touch()).join().unwrap();
        assert_eq!(first, Some(0), "the first thread not left alone is 0");
        assert_eq!(touch.threads().len(), 1);
    }

    #[test]
    fn once_per_thread_at_a_barrier_proves_two_threads_at_once_whatever_they_touch() {
        let _lock = spawning();
        // Two threads touching many times each meet once: a barrier that
        // every touch waited at would need every touch of both at once.
        let touch = FirstTouch::new();
        let barrier = TimedBarrier::new(2);
        let hook = {
            let (touch, barrier) = (touch.clone(), barrier.clone());
            move || {
                if touch.first_touch().is_some() {
                    barrier.wait();
                }
            }
        };
        thread::scope(|s| {
            for _ in 0..2 {
                s.spawn(|| (0..5).for_each(|_| hook()));
            }
        });
        assert!(barrier.passed());
        assert_eq!(touch.threads().len(), 2);
    }

    #[test]
    fn the_k_th_thread_can_run_the_k_th_held_job_and_a_third_runs_free() {
        let _lock = spawning();
        let touch = FirstTouch::new();
        let held = [Held::new(), Held::new()];
        let hook = {
            let (touch, held) = (touch.clone(), held.clone());
            move || {
                if let Some(job) = touch.first_touch().and_then(|k| held.get(k)) {
                    job.run();
                }
            }
        };
        for job in &held {
            job.let_go();
        }
        thread::scope(|s| {
            for _ in 0..3 {
                s.spawn(&hook);
            }
        });
        assert!(held.iter().all(Held::is_done));
        assert_eq!(touch.threads().len(), 3);
        let ran: Vec<_> = held.iter().map(|h| h.thread().unwrap()).collect();
        assert_eq!(ran[..], touch.threads()[..2]);
    }
}
