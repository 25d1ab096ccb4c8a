//! How many threads a piece of code started, all of them, including those
//! that never run any of the test's closures (a worker with nothing to do).
//!
//! std gives every thread it creates (`thread::spawn`, `Builder`, scoped
//! threads) the next number of one process-wide counter, its `ThreadId`.
//! So a thread started (and joined) right before the code and one right
//! after it have numbers that differ by one more than the number of threads
//! created in between: a count that depends on no schedule and no timing,
//! only on nothing else in the process creating threads meanwhile. The
//! test's own threads (the watchdog's caller, the watchers started with the
//! process) exist before, and none of the support crate's blocks that a test
//! runs during a call (`Log`, `TimedBarrier`, `Gate`, `Probe`, `Turns`, the
//! `call`'s own waiting) start any; `Held::new` may, once per process, so a
//! test that counts threads makes its `Held`s before.

use std::thread;

use crate::observe::{WATCH_STACK, thread_number};

/// Runs `f` on this thread and returns what it returned, with how many
/// threads were created in the process while it ran (`None` where that
/// cannot be observed: a marker thread could not start, or std printed a
/// `ThreadId` in a way not understood). Count from inside a `call`, so that
/// the caller thread itself is not counted.
pub fn threads_started_during<T>(f: impl FnOnce() -> T) -> (T, Option<u64>) {
    let before = marker();
    let value = f();
    let after = marker();
    let started = match (before, after) {
        (Some(before), Some(after)) if after > before => Some(after - before - 1),
        _ => None,
    };
    (value, started)
}

/// The number std gave a thread started and joined here, now.
fn marker() -> Option<u64> {
    let handle = thread::Builder::new()
        .stack_size(WATCH_STACK)
        .spawn(|| ())
        .ok()?;
    let number = thread_number(handle.thread().id());
    handle.join().ok()?;
    (number > 0).then_some(number)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;

    /// The count while this test has the process to itself; libtest may
    /// still start a test's thread in the first moments (a slot just
    /// freed), which can only add to the count: the least of a few tries.
    fn counted(mut f: impl FnMut()) -> u64 {
        (0..5)
            .map(|_| threads_started_during(&mut f).1.expect("Linux std"))
            .min()
            .unwrap()
    }

    #[test]
    fn every_thread_started_during_the_call_is_counted_and_only_those() {
        let _alone = testing::alone();
        assert_eq!(counted(|| ()), 0, "nothing started");
        assert_eq!(
            counted(|| {
                let idle: Vec<_> = (0..3).map(|_| thread::spawn(|| ())).collect();
                idle.into_iter().for_each(|h| h.join().unwrap());
            }),
            3,
            "three threads that do nothing"
        );
        assert_eq!(
            counted(|| thread::scope(|s| {
                s.spawn(|| ());
                thread::Builder::new()
                    .name("named".into())
                    .spawn_scoped(s, || ())
                    .unwrap();
            })),
            2,
            "scoped, and with a Builder"
        );
        assert_eq!(
            counted(|| thread::spawn(|| thread::spawn(|| ()).join().unwrap())
                .join()
                .unwrap()),
            2,
            "one started by another"
        );
        // Threads that were there before do not count, whatever they do.
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let old = thread::spawn(move || while rx.recv().is_ok() {});
        assert_eq!(
            counted(|| {
                tx.send(()).unwrap();
                assert!(thread::current().id() != old.thread().id());
            }),
            0
        );
        drop(tx);
        old.join().unwrap();
        let (value, started) = threads_started_during(|| 7);
        assert_eq!(value, 7);
        assert!(started.is_some());
    }
}
