//! Whether a thread is parked in an untimed wait (the one place that reads
//! this from /proc), what it is waiting for, and how long a thread took
//! while it was not queued for a CPU.
//!
//! "The caller sits in an untimed futex wait" holds for `JoinHandle::join`,
//! but also for a channel's `recv`, a `Barrier`, a `Mutex` a worker holds, or
//! `thread::park`. They differ in the futex they wait on (Linux, glibc):
//!
//! * `pthread_join` (under `JoinHandle::join`) waits on a *shared* futex
//!   whose word is the joined thread's kernel tid, until the kernel clears
//!   it as that thread exits: [`Wait::Join`] names the thread;
//! * std's thread parker (`park`, a channel's `recv`, the end of
//!   `thread::scope`) waits on a private word holding `u32::MAX`:
//!   [`Wait::Parker`];
//! * locks, condition variables, barriers and `Once` wait on private words
//!   holding small numbers: [`Wait::Other`].
//!
//! Learner code cannot make a raw futex call (no `unsafe`, std only), so a
//! [`Wait::Join`] is a real join. Whether joins look like that here is
//! checked once per process ([`joins_are_visible`]); where they do not
//! (another libc, no /proc), every untimed wait counts as a join, as before.

use std::sync::OnceLock;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use crate::observe::{FUTEX, Streak, os_thread_id, poll_until};
use crate::procfs::stat_fields;

/// What a thread parked in an untimed futex wait is waiting for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Wait {
    /// A join of the thread with this tid (or, where joins cannot be told
    /// apart, `0`: any untimed wait).
    Join(u32),
    /// Its own parker: `park`, a channel's `recv`, the end of `thread::scope`.
    Parker,
    /// A lock, a condition variable, a barrier.
    Other,
}

/// One sample of thread `tid`: the futex address it is parked on and what
/// it waits for, or `None` if it is not parked in an untimed wait (running,
/// runnable, sleeping, in a timed wait, gone).
pub(crate) fn parked(tid: u32) -> Option<(String, Wait)> {
    let (addr, wait) = sample(tid)?;
    if joins_are_visible() {
        Some((addr, wait))
    } else {
        Some((addr, Wait::Join(0)))
    }
}

/// `parked` without the per-process check (which itself uses this).
fn sample(tid: u32) -> Option<(String, Wait)> {
    let futex = FUTEX?;
    let syscall = std::fs::read_to_string(format!("/proc/self/task/{tid}/syscall")).ok()?;
    // "nr addr op val timeout ...": an untimed wait has a null timeout.
    let fields: Vec<&str> = syscall.split_whitespace().collect();
    if fields.len() < 5 || fields[0] != futex || fields[4] != "0x0" {
        return None;
    }
    let stat = stat_fields(&format!("/proc/self/task/{tid}/stat"))?;
    if stat.first()? != "S" {
        return None;
    }
    let (op, word) = (hex(fields[2])?, hex(fields[3])?);
    const PRIVATE: u64 = 0x80;
    let wait = if op & PRIVATE == 0 && word != 0 && word <= u64::from(u32::MAX) && is_ours(word) {
        Wait::Join(word as u32)
    } else if word == u64::from(u32::MAX) {
        Wait::Parker
    } else {
        Wait::Other
    };
    Some((fields[1].to_string(), wait))
}

fn hex(field: &str) -> Option<u64> {
    u64::from_str_radix(field.trim_start_matches("0x"), 16).ok()
}

/// Whether `tid` is a thread of this process.
fn is_ours(tid: u64) -> bool {
    std::path::Path::new(&format!("/proc/self/task/{tid}")).exists()
}

/// Whether a join looks like [`Wait::Join`] in this process: a thread is
/// made to join another, and what it waits on is looked at. Done once;
/// `false` where it cannot be seen (then every untimed wait is a join).
pub(crate) fn joins_are_visible() -> bool {
    static VISIBLE: OnceLock<bool> = OnceLock::new();
    *VISIBLE.get_or_init(|| {
        let (tx, rx) = mpsc::channel();
        let (stop_tx, stop_rx) = mpsc::channel::<()>();
        let Ok(target) = thread::Builder::new().spawn(move || {
            let _ = tx.send(os_thread_id());
            let _ = stop_rx.recv_timeout(Duration::from_secs(30));
        }) else {
            return false;
        };
        let (jtx, jrx) = mpsc::channel();
        let Ok(joiner) = thread::Builder::new().spawn(move || {
            let _ = jtx.send(os_thread_id());
            let _ = target.join();
        }) else {
            let _ = stop_tx.send(());
            return false;
        };
        let (Ok(Some(target_tid)), Ok(Some(joiner_tid))) = (rx.recv(), jrx.recv()) else {
            let _ = stop_tx.send(());
            let _ = joiner.join();
            return false;
        };
        // The joiner gets there in microseconds (a loaded machine may take
        // longer): one look at it in a join of the target is enough, as the
        // target cannot end before it is told to. A libc whose join waits on
        // another word shows that wait instead, a streak of looks in a row.
        let mut other = Streak::default();
        let mut visible = false;
        poll_until(Duration::from_secs(3), || {
            let now = sample(joiner_tid);
            visible = now.as_ref().map(|(_, wait)| *wait) == Some(Wait::Join(target_tid));
            visible || other.see(now.map(|(addr, _)| addr))
        });
        let _ = stop_tx.send(());
        let _ = joiner.join();
        visible
    })
}

/// Measures how long the calling thread takes from now on, leaving out the
/// time it waited in a run queue for a CPU: the time it ran plus the time
/// it slept or was blocked. A loaded machine makes a thread wait for a CPU,
/// never sleep, so this stays small for code that does not sleep or wait,
/// however busy the machine is.
pub struct Stopwatch {
    started: Instant,
    queued: Option<u64>,
}

impl Stopwatch {
    /// Starts measuring the calling thread.
    pub fn start() -> Stopwatch {
        Stopwatch {
            started: Instant::now(),
            queued: queued_ns(),
        }
    }

    /// The time taken so far by the thread that started this (call it on
    /// that thread), minus its time in a run queue; `None` where the kernel
    /// does not tell.
    pub fn own_time(&self) -> Option<Duration> {
        let now = queued_ns()?;
        let queued = Duration::from_nanos(now.saturating_sub(self.queued?));
        Some(self.started.elapsed().saturating_sub(queued))
    }
}

/// The calling thread's total time waiting in a run queue, in nanoseconds
/// (`/proc/thread-self/schedstat`: run time, run-queue wait, slices).
fn queued_ns() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split_whitespace().nth(1)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::observe::{Flag, PARKED_STREAK};
    use crate::rendezvous::Gate;
    use crate::testing;
    use std::sync::{Arc, Barrier, Condvar, Mutex};

    /// Starts a thread that runs `waits` (which blocks until `release` is
    /// called); returns what a full streak of samples saw it waiting for.
    fn seen_waiting(waits: impl FnOnce() + Send + 'static, release: impl FnOnce()) -> Option<Wait> {
        let (tx, rx) = mpsc::channel();
        let waiter = thread::spawn(move || {
            tx.send(os_thread_id()).unwrap();
            waits();
        });
        let tid = rx.recv().unwrap().expect("Linux with /proc");
        let mut streak = Streak::default();
        let mut seen = None;
        testing::wait_for(|| {
            let now = parked(tid);
            let full = streak.see(now.as_ref().map(|(addr, _)| addr.clone()));
            if full {
                seen = now.map(|(_, wait)| wait);
            }
            full
        });
        release();
        waiter.join().unwrap();
        seen
    }

    /// The tests below skip where joins cannot be seen; on glibc they can,
    /// so there they never skip.
    #[cfg(all(target_os = "linux", target_env = "gnu", target_arch = "x86_64"))]
    #[test]
    fn joins_are_visible_on_linux_with_glibc() {
        let _threads = testing::spawning();
        assert!(joins_are_visible());
    }

    #[test]
    fn a_join_names_the_joined_thread() {
        let _threads = testing::spawning();
        if !joins_are_visible() {
            return;
        }
        let gate = Gate::new();
        let g = gate.clone();
        let (tx, rx) = mpsc::channel();
        let target = thread::spawn(move || {
            tx.send(os_thread_id().unwrap()).unwrap();
            g.wait();
        });
        let target_tid = rx.recv().unwrap();
        let seen = seen_waiting(move || target.join().unwrap(), || gate.open());
        assert_eq!(seen, Some(Wait::Join(target_tid)));
    }

    #[test]
    fn a_scope_end_a_channel_and_park_wait_on_the_parker() {
        let _threads = testing::spawning();
        if !joins_are_visible() {
            return;
        }
        let gate = Gate::new();
        let g = gate.clone();
        let scope_end = seen_waiting(
            move || thread::scope(|s| drop(s.spawn(move || g.wait()))),
            || gate.open(),
        );
        assert_eq!(scope_end, Some(Wait::Parker));
        let (tx, rx) = mpsc::channel::<()>();
        let recv = seen_waiting(
            move || {
                let _ = rx.recv();
            },
            move || drop(tx),
        );
        assert_eq!(recv, Some(Wait::Parker));
        let stop = Flag::new();
        let s = stop.clone();
        let (ptx, prx) = mpsc::channel();
        let parks = seen_waiting(
            move || {
                ptx.send(thread::current()).unwrap();
                while !s.is_up() {
                    thread::park();
                }
            },
            move || {
                stop.raise();
                prx.recv().unwrap().unpark();
            },
        );
        assert_eq!(parks, Some(Wait::Parker));
    }

    #[test]
    fn locks_barriers_and_condvars_are_other_waits() {
        let _threads = testing::spawning();
        if !joins_are_visible() {
            return;
        }
        let lock = Arc::new(Mutex::new(()));
        let held = lock.lock().unwrap();
        let l = lock.clone();
        let mutex = seen_waiting(move || drop(l.lock()), || drop(held));
        assert_eq!(mutex, Some(Wait::Other));
        let barrier = Arc::new(Barrier::new(2));
        let b = barrier.clone();
        let at_barrier = seen_waiting(
            move || {
                b.wait();
            },
            || {
                barrier.wait();
            },
        );
        assert_eq!(at_barrier, Some(Wait::Other));
        let pair = Arc::new((Mutex::new(false), Condvar::new()));
        let p = pair.clone();
        let condvar = seen_waiting(
            move || {
                let (lock, cvar) = &*p;
                let mut ready = lock.lock().unwrap();
                while !*ready {
                    ready = cvar.wait(ready).unwrap();
                }
            },
            || {
                *pair.0.lock().unwrap() = true;
                pair.1.notify_all();
            },
        );
        assert_eq!(condvar, Some(Wait::Other));
    }

    /// Samples a thread that `waits` over and over until told to stop, and
    /// asserts that it is never seen parked for a whole streak.
    fn never_parked(waits: fn()) {
        if FUTEX.is_none() {
            return;
        }
        let _threads = testing::spawning();
        let stop = Flag::new();
        let (tid_tx, tid_rx) = mpsc::channel();
        let s = stop.clone();
        let waiter = thread::spawn(move || {
            tid_tx.send(os_thread_id()).unwrap();
            while !s.is_up() {
                waits();
            }
        });
        let tid = tid_rx.recv().unwrap().expect("Linux with /proc");
        let mut streak = Streak::default();
        for _ in 0..3 * PARKED_STREAK {
            let sample = parked(tid).map(|(addr, _)| addr);
            assert!(!streak.see(sample), "a pause is not a join");
            thread::sleep(Duration::from_millis(1));
        }
        stop.raise();
        waiter.thread().unpark();
        waiter.join().unwrap();
    }

    #[test]
    fn a_sleeping_thread_is_never_parked() {
        // Apart from tests that count every thread of the process.
        let _threads = crate::testing::spawning();
        never_parked(|| thread::sleep(Duration::from_millis(50)));
    }

    #[test]
    fn a_thread_in_a_timed_wait_is_never_parked() {
        // Apart from tests that count every thread of the process.
        let _threads = crate::testing::spawning();
        // A futex wait too, but with a timeout: a sleep in disguise.
        never_parked(|| thread::park_timeout(Duration::from_millis(50)));
    }

    #[test]
    fn a_sleep_counts_as_own_time_and_a_queue_would_not() {
        // Apart from tests that count every thread of the process.
        let _threads = crate::testing::spawning();
        let watch = Stopwatch::start();
        thread::sleep(Duration::from_millis(60));
        let Some(took) = watch.own_time() else { return };
        assert!(took >= Duration::from_millis(60), "{took:?}");
        // A fresh watch on a thread that does almost nothing.
        let quick = Stopwatch::start();
        let took = quick.own_time().unwrap();
        assert!(took < Duration::from_millis(50), "{took:?}");
    }
}
