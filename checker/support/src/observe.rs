//! Observation: threads as the OS sees them (ids, whether one is parked in
//! an untimed wait), what the test's closures noted and on which thread,
//! flags, polling, and the process's own limits.
//!
//! Everything about a thread's state comes from `/proc` (Linux). Where it
//! cannot be read, the observers degrade to answers that make the tests
//! slower or laxer, never to a false failure of correct code.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, ThreadId};
use std::time::{Duration, Instant};

use crate::ask::{ask_one, by_the_checker};
use crate::events::record;
use crate::harness::exit;
use crate::procfs::limit_hit;
use crate::protocol::{self, EventKind, Question};
use crate::waits::Wait;

/// The OS's id (tid) of the calling thread, `None` where it cannot be
/// observed (not Linux, or /proc hidden).
pub fn os_thread_id() -> Option<u32> {
    let link = std::fs::read_link("/proc/thread-self").ok()?;
    link.file_name()?.to_str()?.parse().ok()
}

/// The OS ids (tids) of every thread this process has right now; empty where
/// they cannot be observed.
///
/// Listing `/proc/self/task` is not atomic: when a thread ends while the
/// list is read, the kernel ends that read early and carries on from a
/// position, which the ended thread has shifted, so live threads after it
/// are skipped (seen: a thread missing from the list it read itself). So
/// the list is read until two readings in a row agree, and every thread
/// seen in any of them is kept: one that ended meanwhile is harmless to the
/// callers (the next look sees it gone), a live one missed is not.
pub fn os_thread_ids() -> Vec<u32> {
    agreed(|| list_threads().into_iter().map(|tid| (tid, ())).collect())
        .into_iter()
        .map(|(tid, ())| tid)
        .collect()
}

/// Readings from `list` (tids, each with what the reading says of it) until
/// two in a row list the same threads (at most a dozen), and every thread
/// any of them listed, with what the latest reading that listed it said.
pub(crate) fn agreed<T>(mut list: impl FnMut() -> Vec<(u32, T)>) -> Vec<(u32, T)> {
    let tids = |read: &[(u32, T)]| -> Vec<u32> { read.iter().map(|(tid, _)| *tid).collect() };
    let mut seen = list();
    let mut last = tids(&seen);
    for _ in 0..10 {
        let now = list();
        let listed = tids(&now);
        for (tid, said) in now {
            match seen.iter_mut().find(|(t, _)| *t == tid) {
                Some(entry) => entry.1 = said,
                None => seen.push((tid, said)),
            }
        }
        if listed == last {
            break;
        }
        last = listed;
    }
    seen
}

/// One reading of `/proc/self/task`, sorted.
fn list_threads() -> Vec<u32> {
    ask_one(Question::Threads)
        .map(|listed| listed.split(' ').filter_map(|t| t.parse().ok()).collect())
        .unwrap_or_default()
}

/// How many threads this process has right now, as the kernel counts them
/// (exact, unlike a listing); 0 where it cannot be observed.
pub fn os_thread_count() -> usize {
    ask_one(Question::Status)
        .map(|status| crate::procfs::status_field(&status, "Threads:") as usize)
        .unwrap_or(0)
}

/// Whether thread `tid` of this process is still alive: a lookup of its
/// own entry, which (unlike a listing) never misses a live thread.
pub fn thread_is_alive(tid: u32) -> bool {
    std::path::Path::new(&format!("/proc/self/task/{tid}")).exists()
}

/// The number inside a std `ThreadId`. std keeps it unstable to read, but
/// prints it: `ThreadId(5)`.
pub(crate) fn thread_number(id: ThreadId) -> u64 {
    let text = format!("{id:?}");
    text.trim_start_matches("ThreadId(")
        .trim_end_matches(')')
        .parse()
        .unwrap_or(0)
}

/// Who a thread is, in every way the events name it.
#[derive(Clone, Debug)]
pub(crate) struct Identity {
    pub thread: ThreadId,
    pub name: Option<String>,
    pub os_tid: Option<u32>,
}

impl Identity {
    /// The calling thread.
    pub fn current() -> Identity {
        let me = thread::current();
        Identity {
            thread: me.id(),
            name: me.name().map(str::to_string),
            os_tid: os_thread_id(),
        }
    }
}

/// The number of the futex system call, which `join` (and every untimed
/// lock, condition variable or channel wait) sleeps in.
#[cfg(target_arch = "x86_64")]
pub(crate) const FUTEX: Option<&str> = Some("202");
#[cfg(target_arch = "aarch64")]
pub(crate) const FUTEX: Option<&str> = Some("98");
#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
pub(crate) const FUTEX: Option<&str> = None;

/// How many samples in a row a thread must be seen parked...
pub(crate) const PARKED_STREAK: usize = 20;
/// ...over at least this long: polls come every `LOOK_EVERY`, so the count
/// alone would cover a few milliseconds.
pub(crate) const PARKED_WINDOW: Duration = Duration::from_millis(20);

/// How often `poll_until` and the rendezvous look again. Short, because a
/// check waits on these looks (a caller seen joining three times in a row
/// takes three of them); what must last a certain time says so itself
/// (`PARKED_WINDOW`).
pub(crate) const LOOK_EVERY: Duration = Duration::from_micros(250);

/// How many samples in a row a thread must be seen joining a thread of this
/// process (`Wait::Join` naming it). Such a wait cannot be faked or caught in
/// passing: a woken thread is runnable at once (no longer "S"), and the one
/// it joined is gone; the few samples only guard against one read of
/// `/proc` straddling a wake-up (the wait of before with the state of after),
/// which a second look on the same address rules out. The long streak stays
/// for waits that could be anything (a channel, a lock, or any untimed wait
/// where joins cannot be told apart), where it guards against catching a
/// poller between two short waits.
pub(crate) const JOIN_STREAK: usize = 3;

/// Counts samples in a row parked on one address. One sample can catch a
/// thread between two waits, or just woken; twenty in a row on the same
/// address, over `PARKED_WINDOW`, cannot.
pub(crate) struct Streak {
    addr: String,
    count: usize,
    /// When the first sample of the current streak was taken.
    since: Instant,
    window: Duration,
}

impl Default for Streak {
    fn default() -> Self {
        Streak::over(PARKED_WINDOW)
    }
}

impl Streak {
    /// A streak that must last `window` (and `PARKED_STREAK` samples) for
    /// a wait that is not a join.
    pub fn over(window: Duration) -> Streak {
        Streak {
            addr: String::new(),
            count: 0,
            since: Instant::now(),
            window,
        }
    }

    /// Notes one sample (the futex address of `waits::parked`'s answer);
    /// `true` once `PARKED_STREAK` samples in a row, over `PARKED_WINDOW`,
    /// were parked on the same address.
    pub fn see(&mut self, parked: Option<String>) -> bool {
        self.note(parked);
        self.long_enough()
    }

    fn long_enough(&self) -> bool {
        self.count >= PARKED_STREAK && self.since.elapsed() >= self.window
    }

    /// Notes one sample of `waits::parked`; `true` once enough samples in a
    /// row were parked on the same address: `JOIN_STREAK` for a wait seen as
    /// a join of a thread of this process, `PARKED_STREAK` for any other.
    pub fn see_wait(&mut self, parked: Option<(String, Wait)>) -> bool {
        let join = matches!(parked, Some((_, Wait::Join(tid))) if tid != 0);
        self.note(parked.map(|(addr, _)| addr));
        if join {
            self.count >= JOIN_STREAK
        } else {
            self.long_enough()
        }
    }

    fn note(&mut self, parked: Option<String>) {
        match parked {
            Some(addr) if addr == self.addr => self.count += 1,
            Some(addr) => {
                self.addr = addr;
                self.count = 1;
                self.since = Instant::now();
            }
            None => self.count = 0,
        }
    }
}

/// Polls `condition` every `LOOK_EVERY` until it holds (`true`) or `limit`
/// has passed (`false`). Only for conditions that correct code makes true
/// quickly: the limit is a deadline for wrong code, never a timing check.
pub fn poll_until(limit: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        if condition() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        thread::sleep(LOOK_EVERY);
    }
}

/// One thing a test closure noted.
#[derive(Clone, Debug)]
pub struct Entry {
    pub label: String,
    pub thread: ThreadId,
    pub seq: usize,
}

/// A shared, thread-safe record of what the test's closures saw.
#[derive(Clone, Default)]
pub struct Log {
    entries: Arc<Mutex<Vec<Entry>>>,
    next: Arc<AtomicUsize>,
    /// Put before each label in the events ("spawned line" makes "3" read
    /// "spawned line 3"), so that two logs noting the same labels tell apart.
    name: &'static str,
}

impl Log {
    pub fn new() -> Self {
        Log::default()
    }

    /// A log whose notes show in the events as "`name` `label`"; the
    /// labels themselves are noted as they are.
    pub fn named(name: &'static str) -> Self {
        Log {
            name,
            ..Log::default()
        }
    }

    /// Notes `label` with the current thread's id, and records it as a
    /// `note` event on this thread.
    pub fn note(&self, label: impl Into<String>) {
        let label = label.into();
        if self.name.is_empty() {
            record(EventKind::Note, label.as_str());
        } else {
            record(EventKind::Note, format!("{} {label}", self.name));
        }
        let seq = self.next.fetch_add(1, Ordering::SeqCst);
        let entry = Entry {
            label,
            thread: thread::current().id(),
            seq,
        };
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(entry);
    }

    /// Everything noted so far, in the order it happened.
    pub fn entries(&self) -> Vec<Entry> {
        let mut entries = self
            .entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        entries.sort_by_key(|e| e.seq);
        entries
    }

    /// The labels noted so far, in order.
    pub fn labels(&self) -> Vec<String> {
        self.entries().into_iter().map(|e| e.label).collect()
    }

    /// The thread that noted `label` first, if any did.
    pub fn thread_of(&self, label: &str) -> Option<ThreadId> {
        self.entries()
            .into_iter()
            .find(|e| e.label == label)
            .map(|e| e.thread)
    }

    /// How many distinct threads noted anything.
    pub fn distinct_threads(&self) -> usize {
        let mut ids: Vec<u64> = self
            .entries()
            .into_iter()
            .map(|e| thread_number(e.thread))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids.len()
    }
}

/// A flag a test closure raises when it is done.
#[derive(Clone, Default)]
pub struct Flag(Arc<AtomicBool>);

impl Flag {
    pub fn new() -> Self {
        Flag::default()
    }

    pub fn raise(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn is_up(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// Starts a thread that, every few milliseconds, samples this process's
/// live threads and resident memory and stops the process past `limits`
/// (once they are known: the handshake brings them), and stops it when its
/// parent is gone. The checker samples the test process too; this also
/// covers the learner's program when a test runs it, and stops the process
/// with a mark that says which limit it was. Its parent going away is how a
/// copy of the test binary that learner code started (in the sandbox it can
/// start nothing else) learns that the checker, or the test, died: nothing
/// else may stop it then. The thread has no name: it shows in /proc as the
/// program's own threads do.
pub(crate) fn watch_self(limits: fn() -> Option<(u64, u64)>, orphaned: fn() -> !) {
    let parent = std::os::unix::process::parent_id();
    // Its own stack size, whatever `RUST_MIN_STACK` learner code passed to a
    // copy of this binary; and a process that cannot be watched does not run.
    let watching = thread::Builder::new()
        .stack_size(WATCH_STACK)
        .spawn(move || {
            loop {
                thread::sleep(Duration::from_millis(5));
                if std::os::unix::process::parent_id() != parent {
                    orphaned();
                }
                // In the sandbox, the checker samples this process itself
                // (its programs are watched by the test that runs them).
                let Some((max_threads, max_mb)) = limits().filter(|_| !by_the_checker()) else {
                    continue;
                };
                let over = ask_one(Question::Status)
                    .and_then(|status| limit_hit(&status, max_threads, max_mb));
                if let Some(over) = over {
                    eprintln!("\n{}", over.mark());
                    exit(protocol::EXIT_LIMIT);
                }
            }
        });
    if watching.is_err() {
        exit(protocol::EXIT_LIMIT);
    }
}

/// The stack of our own helper threads: small, and not learner-chosen.
pub(crate) const WATCH_STACK: usize = 256 * 1024;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;

    const AT: &str = "0x1000";

    #[test]
    fn a_listing_cut_short_by_an_ending_thread_is_read_again() {
        // Apart from tests that count every thread of the process.
        let _threads = crate::testing::spawning();
        // What the kernel gave: thread 3 ended during the first reading,
        // which stopped there and lost 4 and 5.
        let mut readings = vec![vec![1, 2, 4, 5], vec![1, 2, 4, 5], vec![1, 2, 3]].into_iter();
        let tids = |read: Vec<u32>| read.into_iter().map(|tid| (tid, ())).collect::<Vec<_>>();
        let mut seen: Vec<u32> = agreed(|| tids(readings.next_back().unwrap()))
            .into_iter()
            .map(|(tid, ())| tid)
            .collect();
        seen.sort();
        assert_eq!(seen, [1, 2, 3, 4, 5]);
        // Readings that never settle: every thread of all of them.
        let mut n = 0;
        let seen = agreed(|| {
            n += 1;
            tids(vec![n])
        });
        assert_eq!(seen.len(), 11, "{seen:?}");
        // What is said of a thread comes from the latest reading listing it.
        let settled = vec![(1, "now"), (2, "new")];
        let mut readings = vec![settled.clone(), settled, vec![(1, "before")]].into_iter();
        let seen = agreed(|| readings.next_back().unwrap());
        assert_eq!(seen, [(1, "now"), (2, "new")]);
        // The real listing has this thread, and every thread it lists is alive.
        let me = os_thread_id().expect("Linux with /proc");
        assert!(os_thread_ids().contains(&me));
        assert!(thread_is_alive(me));
        assert!(!thread_is_alive(u32::MAX));
        assert!(os_thread_count() >= 2, "libtest's thread and this one");
    }

    #[test]
    fn a_streak_counts_only_samples_in_a_row_on_one_address() {
        // Apart from tests that count every thread of the process.
        let _threads = crate::testing::spawning();
        let mut streak = Streak::over(Duration::ZERO);
        for _ in 1..PARKED_STREAK {
            assert!(!streak.see(Some(AT.into())));
        }
        assert!(streak.see(Some(AT.into())), "the full streak is parked");
        // A sample doing anything else starts the count again...
        let mut streak = Streak::over(Duration::ZERO);
        for _ in 1..PARKED_STREAK {
            streak.see(Some(AT.into()));
        }
        assert!(!streak.see(None));
        for _ in 1..PARKED_STREAK {
            assert!(!streak.see(Some(AT.into())));
        }
        assert!(streak.see(Some(AT.into())));
        // ...and so does a wait on another address (another join).
        let mut streak = Streak::over(Duration::ZERO);
        for _ in 1..PARKED_STREAK {
            streak.see(Some(AT.into()));
        }
        assert!(!streak.see(Some("0x2000".into())));
        for _ in 2..PARKED_STREAK {
            assert!(!streak.see(Some("0x2000".into())));
        }
        assert!(streak.see(Some("0x2000".into())));
    }

    #[test]
    fn any_other_wait_must_also_last_the_window() {
        // Apart from tests that count every thread of the process.
        let _threads = crate::testing::spawning();
        let window = Duration::from_millis(30);
        let mut streak = Streak::over(window);
        for _ in 0..3 * PARKED_STREAK {
            assert!(!streak.see(Some(AT.into())), "samples in quick succession");
        }
        thread::sleep(window);
        assert!(
            streak.see(Some(AT.into())),
            "the same wait, the window later"
        );
        // A new address starts the window again.
        assert!(!streak.see(Some("0x2000".into())));
        for _ in 0..3 * PARKED_STREAK {
            assert!(!streak.see_wait(Some(("0x2000".into(), Wait::Other))));
        }
    }

    #[test]
    fn a_join_of_a_known_thread_needs_a_short_streak_and_other_waits_the_full_one() {
        // Apart from tests that count every thread of the process.
        let _threads = crate::testing::spawning();
        let join = || Some((AT.to_string(), Wait::Join(42)));
        // A join needs its few samples however quickly they come.
        let mut streak = Streak::over(Duration::from_secs(3600));
        for _ in 1..JOIN_STREAK {
            assert!(!streak.see_wait(join()));
        }
        assert!(streak.see_wait(join()));
        let mut streak = Streak::over(Duration::ZERO);
        for _ in 1..JOIN_STREAK {
            assert!(!streak.see_wait(join()));
        }
        assert!(streak.see_wait(join()));
        // One sample elsewhere starts it again.
        assert!(!streak.see_wait(None));
        assert!(!streak.see_wait(join()));
        // A parker, a lock, or an untimed wait where joins cannot be told
        // apart (`Join(0)`) need the full streak.
        for wait in [Wait::Parker, Wait::Other, Wait::Join(0)] {
            let mut streak = Streak::over(Duration::ZERO);
            for _ in 1..PARKED_STREAK {
                assert!(!streak.see_wait(Some((AT.to_string(), wait))), "{wait:?}");
            }
            assert!(streak.see_wait(Some((AT.to_string(), wait))));
        }
    }

    #[test]
    fn the_ids_of_this_thread_are_observed() {
        let _threads = testing::spawning();
        let tid = os_thread_id().expect("Linux with /proc");
        assert!(os_thread_ids().contains(&tid));
        let other = thread::spawn(|| (thread::current().id(), os_thread_id()))
            .join()
            .unwrap();
        assert_ne!(
            thread_number(other.0),
            thread_number(thread::current().id())
        );
        assert_ne!(other.1, Some(tid));
        assert!(thread_number(thread::current().id()) > 0);
    }
}
