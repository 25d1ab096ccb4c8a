//! Probe values: values the test hands to learner code that note which
//! thread reads them and which thread drops them, and when.
//!
//! A `Probe` is not `Clone` (nor `Copy`), so there is exactly one of it: when
//! the thread that reads it and the thread that drops it are a spawned
//! thread, the value itself was moved there. Nothing about this is guessed
//! from what the program printed. Each probe comes with a `ProbeWatch`, the
//! test's own view of it, which stays with the test.
//!
//! A read is `get`, `Display` or `Debug` (the ways learner code uses a value
//! it prints or adds up). A hook, run on every read before it returns, lets
//! a test hold the reading thread (a `Held` job) so that "returns while the
//! thread still works" can be observed too. A drop hook runs as the probe
//! is dropped, on the dropping thread, before the drop is noted.
//!
//! Hold or meet in a drop hook, not a read hook, where learner code prints
//! the probes: `println!` holds the lock of stdout while it formats its
//! arguments, so a thread held in a read would keep every other thread
//! that prints waiting for that lock (threads that should meet at a
//! barrier never could). A drop comes after the printing.
//!
//! Hooks for `probes_with`: `hold_first_call` (the first call of all waits
//! for the test, once) and `meet_once_per_thread` (each thread's first call
//! waits at a `TimedBarrier`, so that k threads must be there at once).
//! `where_read` and `where_moved` read the watches afterwards: each probe
//! read by one thread that is not the caller (and dropped there); or the
//! first probe that was not, and how (`NotMoved`, in learner terms).

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, ThreadId};
use std::time::Instant;

use crate::events::record;
use crate::protocol::EventKind;
use crate::random::random_between;
use crate::rendezvous::{Held, TimedBarrier};

/// What happened to one probe, shared by the probe and its watch.
#[derive(Default)]
struct Seen {
    /// Every thread that read the probe, in the order of their first read.
    readers: Mutex<Vec<ThreadId>>,
    reads: AtomicUsize,
    dropped: Mutex<Option<(ThreadId, Instant)>>,
}

type Hook = Arc<dyn Fn() + Send + Sync>;

/// A value owned by whoever holds it, noting its readers and its drop.
pub struct Probe {
    value: u64,
    /// The thread that made it: a read elsewhere is the value moved in.
    made_on: ThreadId,
    seen: Arc<Seen>,
    hook: Option<Hook>,
    on_drop: Option<Hook>,
}

/// The test's view of one `Probe`.
#[derive(Clone)]
pub struct ProbeWatch {
    value: u64,
    seen: Arc<Seen>,
}

impl Probe {
    /// A probe holding `value`, and its watch.
    pub fn new(value: u64) -> (Probe, ProbeWatch) {
        Probe::make(value, None, None)
    }

    /// A probe whose every read runs `hook` first, on the reading thread.
    pub fn with_hook(value: u64, hook: impl Fn() + Send + Sync + 'static) -> (Probe, ProbeWatch) {
        Probe::make(value, Some(Arc::new(hook)), None)
    }

    /// A probe whose every read runs `on_read` first, on the reading
    /// thread, and whose drop runs `on_drop` first, on the dropping thread.
    pub fn with_hooks(
        value: u64,
        on_read: impl Fn() + Send + Sync + 'static,
        on_drop: impl Fn() + Send + Sync + 'static,
    ) -> (Probe, ProbeWatch) {
        Probe::make(value, Some(Arc::new(on_read)), Some(Arc::new(on_drop)))
    }

    fn make(value: u64, hook: Option<Hook>, on_drop: Option<Hook>) -> (Probe, ProbeWatch) {
        let seen = Arc::new(Seen::default());
        let watch = ProbeWatch {
            value,
            seen: Arc::clone(&seen),
        };
        (
            Probe {
                value,
                made_on: thread::current().id(),
                seen,
                hook,
                on_drop,
            },
            watch,
        )
    }

    /// The value; counts as a read by the current thread.
    pub fn get(&self) -> u64 {
        if let Some(hook) = &self.hook {
            hook();
        }
        let me = thread::current().id();
        let moved_in = {
            let mut readers = self.seen.readers.lock().unwrap_or_else(|e| e.into_inner());
            let moved_in =
                me != self.made_on && readers.iter().all(|reader| *reader == self.made_on);
            if !readers.contains(&me) {
                readers.push(me);
            }
            moved_in
        };
        if moved_in {
            // Once, on the first thread other than its maker's to read it:
            // its `dropped` (same label) then shows whether it stayed there.
            record(EventKind::MovedIn, self.label());
        }
        self.seen.reads.fetch_add(1, Ordering::SeqCst);
        self.value
    }

    /// What the probe is called in the events.
    fn label(&self) -> String {
        format!("probe {}", self.value)
    }
}

/// `n` probes with random values below 1000 (small enough to add up and
/// print), and their watches, in the same order.
pub fn probes(n: usize) -> (Vec<Probe>, Vec<ProbeWatch>) {
    (0..n).map(|_| Probe::new(random_between(1, 999))).unzip()
}

/// `n` probes with random values below 1000, whose every read first runs
/// `on_read(i)` on the reading thread and whose drop first runs
/// `on_drop(i)` on the dropping thread (`i`: the probe's position), and
/// their watches, in the same order.
pub fn probes_with(
    n: usize,
    on_read: impl Fn(usize) + Send + Sync + 'static,
    on_drop: impl Fn(usize) + Send + Sync + 'static,
) -> (Vec<Probe>, Vec<ProbeWatch>) {
    let (on_read, on_drop) = (Arc::new(on_read), Arc::new(on_drop));
    (0..n)
        .map(|i| {
            let (on_read, on_drop) = (Arc::clone(&on_read), Arc::clone(&on_drop));
            Probe::with_hooks(
                random_between(1, 999),
                move || on_read(i),
                move || on_drop(i),
            )
        })
        .unzip()
}

/// A hook: the first call of all runs `held` (it waits there until the
/// test lets it go); every later call, on any thread, goes on.
pub fn hold_first_call(held: &Held) -> impl Fn() + Send + Sync + Clone + 'static {
    let held = held.clone();
    let first = Arc::new(AtomicBool::new(true));
    move || {
        if first.swap(false, Ordering::SeqCst) {
            held.run();
        }
    }
}

/// A hook: the first call on each thread waits at `barrier` (at most
/// `PATIENCE`), so that `barrier` is passed only if as many threads as it
/// has parties got there at the same time. Later calls on a thread go on.
pub fn meet_once_per_thread(barrier: &TimedBarrier) -> impl Fn() + Send + Sync + Clone + 'static {
    let barrier = barrier.clone();
    let met: Arc<Mutex<Vec<ThreadId>>> = Arc::default();
    move || {
        let me = thread::current().id();
        let first = {
            let mut met = met.lock().unwrap_or_else(|e| e.into_inner());
            let first = !met.contains(&me);
            if first {
                met.push(me);
            }
            first
        };
        if first {
            barrier.wait();
        }
    }
}

/// How a probe was not moved to a thread of its own (positions from 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotMoved {
    /// Nobody read it.
    NeverRead(usize),
    /// The caller of the learner's function read it.
    ReadOnCaller(usize),
    /// This many threads read it.
    ReadByMany(usize, usize),
    /// Read, but not dropped (yet): leaked, forgotten, or kept somewhere.
    NotDropped(usize),
    /// Dropped by the caller of the learner's function.
    DroppedOnCaller(usize),
    /// Dropped by a thread other than the one that read it (a value both
    /// threads had a share of, the last share dropped there).
    DroppedElsewhere(usize),
}

impl NotMoved {
    /// In learner terms: the probes are "items" (counted from 1), `call`
    /// names the learner's function as the test called it.
    pub fn explain(&self, call: &str) -> String {
        match *self {
            NotMoved::NeverRead(i) => format!(
                "item {} was never read: every item should be used (printed) by a new thread",
                i + 1
            ),
            NotMoved::ReadOnCaller(i) => format!(
                "item {} was read on the thread that called {call}: the items belong to the \
                 new thread, and only that thread should use them",
                i + 1
            ),
            NotMoved::ReadByMany(i, threads) => format!(
                "item {} was read by {threads} different threads: one thread should own it \
                 and be the only one to use it",
                i + 1
            ),
            NotMoved::NotDropped(i) => format!(
                "item {} was never dropped: was it leaked (`Vec::leak`, `Box::leak`, \
                 `mem::forget`) or kept somewhere? The thread that owns it drops it when it \
                 is done with it",
                i + 1
            ),
            NotMoved::DroppedOnCaller(i) => format!(
                "item {} was dropped on the thread that called {call}, so that thread still \
                 owned it after the new thread had used it: the items should move into the \
                 new thread (a `move` closure), not be borrowed or shared with it",
                i + 1
            ),
            NotMoved::DroppedElsewhere(i) => format!(
                "item {} was dropped by another thread than the one that used it: the thread \
                 that used it should own it, not share it",
                i + 1
            ),
        }
    }
}

/// Whether each probe was read by exactly one thread, not `caller`: then
/// the thread that read each probe, in order; else the first probe that was
/// not, and how.
pub fn where_read(watches: &[ProbeWatch], caller: ThreadId) -> Result<Vec<ThreadId>, NotMoved> {
    watches
        .iter()
        .enumerate()
        .map(|(i, watch)| {
            let readers = watch.readers();
            match readers.as_slice() {
                [] => Err(NotMoved::NeverRead(i)),
                _ if readers.contains(&caller) => Err(NotMoved::ReadOnCaller(i)),
                [one] => Ok(*one),
                many => Err(NotMoved::ReadByMany(i, many.len())),
            }
        })
        .collect()
}

/// `where_read`, and then each probe dropped by the thread that read it:
/// the thread that read and dropped each probe, in order; else the first
/// probe that was not read or dropped so, and how. Read it once the probes
/// should all be dropped.
pub fn where_moved(watches: &[ProbeWatch], caller: ThreadId) -> Result<Vec<ThreadId>, NotMoved> {
    let readers = where_read(watches, caller)?;
    for (i, (watch, &reader)) in watches.iter().zip(&readers).enumerate() {
        match watch.dropped_on() {
            None => return Err(NotMoved::NotDropped(i)),
            Some(t) if t == caller => return Err(NotMoved::DroppedOnCaller(i)),
            Some(t) if t != reader => return Err(NotMoved::DroppedElsewhere(i)),
            Some(_) => {}
        }
    }
    Ok(readers)
}

/// Whether every probe is dropped (read this at the instant that matters).
pub fn all_dropped(watches: &[ProbeWatch]) -> bool {
    watches.iter().all(ProbeWatch::is_dropped)
}

/// Printing a probe reads it.
impl fmt::Display for Probe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.get())
    }
}

impl fmt::Debug for Probe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.get())
    }
}

impl Drop for Probe {
    fn drop(&mut self) {
        if let Some(on_drop) = &self.on_drop {
            on_drop();
        }
        *self.seen.dropped.lock().unwrap_or_else(|e| e.into_inner()) =
            Some((thread::current().id(), Instant::now()));
        record(EventKind::Dropped, self.label());
    }
}

impl ProbeWatch {
    /// The probe's value.
    pub fn value(&self) -> u64 {
        self.value
    }

    /// Every thread that read the probe, in the order of their first read.
    pub fn readers(&self) -> Vec<ThreadId> {
        self.seen
            .readers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// How many reads there were, on any thread.
    pub fn reads(&self) -> usize {
        self.seen.reads.load(Ordering::SeqCst)
    }

    /// The thread that dropped the probe, once it is dropped.
    pub fn dropped_on(&self) -> Option<ThreadId> {
        self.dropped().map(|(thread, _)| thread)
    }

    /// When the probe was dropped, once it is.
    pub fn dropped_at(&self) -> Option<Instant> {
        self.dropped().map(|(_, at)| at)
    }

    pub fn is_dropped(&self) -> bool {
        self.dropped().is_some()
    }

    fn dropped(&self) -> Option<(ThreadId, Instant)> {
        *self.seen.dropped.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::observe::thread_number;
    use crate::testing::{self, spawning};
    use std::sync::atomic::AtomicBool;

    #[test]
    fn a_probe_moved_into_a_thread_is_read_and_dropped_there() {
        let _lock = spawning();
        let (probe, watch) = Probe::new(41);
        assert!(watch.readers().is_empty() && !watch.is_dropped());
        let handle = thread::spawn(move || {
            let v = probe.get();
            println!("{probe} {probe:?}");
            (v, thread::current().id())
        });
        let (v, worker) = handle.join().unwrap();
        assert_eq!(v, 41);
        assert_eq!(watch.readers(), vec![worker]);
        assert_eq!(watch.reads(), 3);
        assert_eq!(watch.dropped_on(), Some(worker));
        assert!(watch.dropped_at().is_some());
        // The events say where it moved, once, and where it was dropped,
        // under one label.
        let on_worker: Vec<EventKind> = crate::events::recorded()
            .into_iter()
            .filter(|e| e.label == "probe 41" && e.thread == thread_number(worker))
            .map(|e| e.kind)
            .collect();
        assert_eq!(on_worker, [EventKind::MovedIn, EventKind::Dropped]);
    }

    #[test]
    fn a_probe_read_by_reference_stays_with_its_owner() {
        let _lock = spawning();
        let (probe, watch) = Probe::new(7);
        let reader = thread::scope(|s| {
            s.spawn(|| {
                probe.get();
                thread::current().id()
            })
            .join()
            .unwrap()
        });
        assert_eq!(watch.readers(), vec![reader]);
        assert!(
            !watch.is_dropped(),
            "read, not moved: the owner still has it"
        );
        drop(probe);
        assert_eq!(watch.dropped_on(), Some(thread::current().id()));
    }

    #[test]
    fn the_hook_runs_on_the_reading_thread_before_the_read_returns() {
        let _lock = spawning();
        let hooked = Arc::new(Mutex::new(None));
        let h = Arc::clone(&hooked);
        let (probe, watch) = Probe::with_hook(3, move || {
            *h.lock().unwrap() = Some(thread::current().id());
        });
        let worker = thread::spawn(move || {
            probe.get();
            thread::current().id()
        })
        .join()
        .unwrap();
        assert_eq!(*hooked.lock().unwrap(), Some(worker));
        assert_eq!(watch.readers(), vec![worker]);
    }

    #[test]
    fn probes_have_values_that_differ_between_calls() {
        let _lock = spawning();
        let differ = AtomicBool::new(false);
        for _ in 0..20 {
            let (a, wa) = probes(4);
            let (_, wb) = probes(4);
            assert!(wa.iter().all(|w| (1..=999).contains(&w.value())));
            assert_eq!(
                a.iter().map(Probe::get).collect::<Vec<_>>(),
                wa.iter().map(ProbeWatch::value).collect::<Vec<_>>()
            );
            if wa
                .iter()
                .map(ProbeWatch::value)
                .ne(wb.iter().map(ProbeWatch::value))
            {
                differ.store(true, Ordering::SeqCst);
            }
        }
        assert!(
            differ.load(Ordering::SeqCst),
            "random values, not fixed ones"
        );
    }

    #[test]
    fn the_drop_hook_runs_on_the_dropping_thread_before_the_drop_is_noted() {
        let _lock = spawning();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let s = Arc::clone(&seen);
        let (probes, watches) = probes_with(2, |_| (), move |i| s.lock().unwrap().push(i));
        let w = watches.clone();
        let s = Arc::clone(&seen);
        let dropper = thread::spawn(move || {
            let mut probes = probes;
            let second = probes.pop().unwrap();
            drop(second);
            // The hook ran, the drop was noted after it.
            assert_eq!(*s.lock().unwrap(), vec![1]);
            assert!(w[1].is_dropped() && !w[0].is_dropped());
            drop(probes);
            thread::current().id()
        })
        .join()
        .unwrap();
        assert_eq!(*seen.lock().unwrap(), vec![1, 0]);
        assert!(watches.iter().all(|w| w.dropped_on() == Some(dropper)));
        assert_eq!(watches[0].reads(), 0, "a drop is not a read");
    }

    #[test]
    fn probes_with_run_the_hook_with_their_position_on_every_read() {
        let _lock = spawning();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let s = Arc::clone(&seen);
        let (probes, watches) = probes_with(
            3,
            move |i| s.lock().unwrap().push((i, thread::current().id())),
            |_| (),
        );
        let reader = thread::spawn(move || {
            for p in probes.iter().rev() {
                p.get();
            }
            probes[1].get();
            thread::current().id()
        })
        .join()
        .unwrap();
        let seen = seen.lock().unwrap().clone();
        assert_eq!(
            seen,
            vec![(2, reader), (1, reader), (0, reader), (1, reader)]
        );
        assert_eq!(
            where_moved(&watches, thread::current().id()).unwrap().len(),
            3
        );
    }

    #[test]
    fn the_first_read_is_held_until_let_go_and_later_reads_are_not() {
        let _lock = spawning();
        let held = Held::new();
        let (probes, _watches) = probes_with(
            2,
            {
                let hook = hold_first_call(&held);
                move |_| hook()
            },
            |_| (),
        );
        let worker = thread::spawn(move || {
            probes[0].get();
            probes[1].get();
            probes[0].get();
        });
        assert!(testing::wait_for(|| held.has_started()));
        assert!(!held.is_done(), "held until let go");
        held.let_go();
        worker.join().unwrap();
        assert!(held.is_done());
    }

    #[test]
    fn readers_on_two_threads_meet_at_their_first_read_and_one_alone_does_not() {
        let _lock = spawning();
        let barrier = TimedBarrier::new(2);
        let (mut probes, _watches) = probes_with(
            4,
            {
                let hook = meet_once_per_thread(&barrier);
                move |_| hook()
            },
            |_| (),
        );
        let second: Vec<Probe> = probes.split_off(2);
        let read_all =
            |part: Vec<Probe>| thread::spawn(move || part.iter().map(Probe::get).sum::<u64>());
        let (a, b) = (read_all(probes), read_all(second));
        a.join().unwrap();
        b.join().unwrap();
        assert!(barrier.passed());
        assert_eq!(barrier.arrived(), 2, "once per thread, not once per read");

        // One thread reading everything is alone at the barrier (it gives
        // up after `PATIENCE`: the only long wait of these tests).
        let alone = TimedBarrier::new(2);
        let (probes, _watches) = probes_with(
            2,
            {
                let hook = meet_once_per_thread(&alone);
                move |_| hook()
            },
            |_| (),
        );
        thread::spawn(move || probes.iter().map(Probe::get).sum::<u64>())
            .join()
            .unwrap();
        assert!(!alone.passed());
        assert_eq!(alone.arrived(), 1);
    }

    #[test]
    fn where_moved_tells_each_way_a_probe_was_not_moved() {
        let _lock = spawning();
        let me = thread::current().id();
        // Moved: read and dropped by one spawned thread each.
        let (items, watches) = probes(2);
        let threads: Vec<ThreadId> = items
            .into_iter()
            .map(|p| {
                thread::spawn(move || {
                    p.get();
                    thread::current().id()
                })
                .join()
                .unwrap()
            })
            .collect();
        assert_eq!(where_moved(&watches, me), Ok(threads));
        assert!(all_dropped(&watches));

        let (items, watches) = probes(1);
        assert_eq!(where_moved(&watches, me), Err(NotMoved::NeverRead(0)));
        items[0].get();
        assert_eq!(where_moved(&watches, me), Err(NotMoved::ReadOnCaller(0)));

        // Read by two threads.
        let (items, watches) = probes(1);
        let shared = Arc::new(items);
        for _ in 0..2 {
            let p = Arc::clone(&shared);
            thread::spawn(move || p[0].get()).join().unwrap();
        }
        assert_eq!(where_moved(&watches, me), Err(NotMoved::ReadByMany(0, 2)));
        assert_eq!(where_read(&watches, me), Err(NotMoved::ReadByMany(0, 2)));

        // Read by one thread, then dropped here (borrowed, not moved).
        let (items, watches) = probes(1);
        let reader = thread::scope(|s| {
            s.spawn(|| {
                items[0].get();
                thread::current().id()
            })
            .join()
            .unwrap()
        });
        assert_eq!(where_read(&watches, me), Ok(vec![reader]));
        assert_eq!(where_moved(&watches, me), Err(NotMoved::NotDropped(0)));
        drop(items);
        assert_eq!(where_moved(&watches, me), Err(NotMoved::DroppedOnCaller(0)));
        assert!(all_dropped(&watches));

        // Read on one thread, the last share dropped on another.
        let (items, watches) = probes(1);
        let shared = Arc::new(items);
        let s = Arc::clone(&shared);
        thread::spawn(move || s[0].get()).join().unwrap();
        assert_eq!(where_moved(&watches, me), Err(NotMoved::NotDropped(0)));
        assert!(!all_dropped(&watches));
        thread::spawn(move || drop(shared)).join().unwrap();
        assert_eq!(
            where_moved(&watches, me),
            Err(NotMoved::DroppedElsewhere(0))
        );
        assert!(all_dropped(&watches));
        assert!(
            NotMoved::DroppedOnCaller(0)
                .explain("`f(x)`")
                .contains("item 1 was dropped on the thread that called `f(x)`")
        );
    }
}
