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
//! thread still works" can be observed too.

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, ThreadId};
use std::time::Instant;

use crate::events::record;
use crate::protocol::EventKind;
use crate::random::random_between;

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
    seen: Arc<Seen>,
    hook: Option<Hook>,
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
        Probe::make(value, None)
    }

    /// A probe whose every read runs `hook` first, on the reading thread.
    pub fn with_hook(value: u64, hook: impl Fn() + Send + Sync + 'static) -> (Probe, ProbeWatch) {
        Probe::make(value, Some(Arc::new(hook)))
    }

    fn make(value: u64, hook: Option<Hook>) -> (Probe, ProbeWatch) {
        let seen = Arc::new(Seen::default());
        let watch = ProbeWatch {
            value,
            seen: Arc::clone(&seen),
        };
        (Probe { value, seen, hook }, watch)
    }

    /// The value; counts as a read by the current thread.
    pub fn get(&self) -> u64 {
        if let Some(hook) = &self.hook {
            hook();
        }
        let me = thread::current().id();
        let mut readers = self.seen.readers.lock().unwrap_or_else(|e| e.into_inner());
        if !readers.contains(&me) {
            readers.push(me);
        }
        self.seen.reads.fetch_add(1, Ordering::SeqCst);
        self.value
    }
}

/// `n` probes with random values below 1000 (small enough to add up and
/// print), and their watches, in the same order.
pub fn probes(n: usize) -> (Vec<Probe>, Vec<ProbeWatch>) {
    (0..n).map(|_| Probe::new(random_between(1, 999))).unzip()
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
        *self.seen.dropped.lock().unwrap_or_else(|e| e.into_inner()) =
            Some((thread::current().id(), Instant::now()));
        record(EventKind::Dropped, format!("probe {}", self.value));
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
    use crate::testing::spawning;
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
}
