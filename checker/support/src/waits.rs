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
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use crate::ask::{ask, ask_one};
use crate::observe::{FUTEX, Streak, agreed, os_thread_id, poll_until, thread_is_alive};
use crate::procfs::fields_of_stat;
use crate::protocol::Question;

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
    as_told_here(sample(tid))
}

/// A sampled wait as this process can tell it: where joins do not look like
/// joins, every untimed wait counts as one (`Join(0)`).
fn as_told_here(sampled: Option<(String, Wait)>) -> Option<(String, Wait)> {
    let (addr, wait) = sampled?;
    if joins_are_visible() {
        Some((addr, wait))
    } else {
        Some((addr, Wait::Join(0)))
    }
}

/// `parked` without the per-process check (which itself uses this).
fn sample(tid: u32) -> Option<(String, Wait)> {
    // The system call first, then the state: one question, read in order.
    let [syscall, stat] =
        <[_; 2]>::try_from(ask(&[Question::Syscall(tid), Question::Stat(tid)])).ok()?;
    waiting_in(&syscall?, &stat?)
}

/// What a thread whose `syscall` and `stat` read so is parked on, if it is
/// parked in an untimed wait.
fn waiting_in(syscall: &str, stat: &str) -> Option<(String, Wait)> {
    let futex = FUTEX?;
    // "nr addr op val timeout ...": an untimed wait has a null timeout.
    let fields: Vec<&str> = syscall.split_whitespace().collect();
    if fields.len() < 5 || fields[0] != futex || fields[4] != "0x0" {
        return None;
    }
    let stat = fields_of_stat(stat)?;
    if stat.first()? != "S" {
        return None;
    }
    let (op, word) = (hex(fields[2])?, hex(fields[3])?);
    const PRIVATE: u64 = 0x80;
    let wait = if op & PRIVATE == 0
        && word != 0
        && word <= u64::from(u32::MAX)
        && thread_is_alive(word as u32)
    {
        Wait::Join(word as u32)
    } else if word == u64::from(u32::MAX) {
        Wait::Parker
    } else {
        Wait::Other
    };
    Some((fields[1].to_string(), wait))
}

/// The OS id of the thread that thread `tid` is parked joining right now,
/// if it is. Unlike `parked`, this never makes the per-process check
/// (`joins_are_visible` starts two threads, which must not happen while a
/// learner's function is being timed or its threads counted): a wait on a
/// shared futex whose word is the id of a live thread of this process is a
/// join wherever it is seen; where joins wait on some other word, none is
/// seen.
pub(crate) fn joining(tid: u32) -> Option<u32> {
    match sample(tid)? {
        (_, Wait::Join(joined)) if joined != 0 => Some(joined),
        _ => None,
    }
}

/// A thread's tid and what `parked` says of it.
pub(crate) type Seen = (u32, Option<(String, Wait)>);

/// One look at every thread of this process: its tid and what `parked`
/// would say of it, from one question (in the sandbox, one round trip to
/// the checker instead of one per thread). Like `os_thread_ids`, the list
/// is read until two readings in a row list the same threads, and every
/// thread seen is kept (with what its latest reading said).
pub(crate) fn parked_all() -> Vec<Seen> {
    agreed(|| {
        let Some(text) = ask_one(Question::Waits) else {
            return Vec::new();
        };
        text.lines()
            .filter_map(|line| {
                let mut parts = line.splitn(3, '\t');
                let tid: u32 = parts.next()?.parse().ok()?;
                let (syscall, stat) = (parts.next()?, parts.next()?);
                Some((tid, as_told_here(waiting_in(syscall, stat))))
            })
            .collect()
    })
}

fn hex(field: &str) -> Option<u64> {
    u64::from_str_radix(field.trim_start_matches("0x"), 16).ok()
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
    ///
    /// Reading the run-queue time may take a while (in the sandbox the
    /// checker reads it, and this thread sleeps until it answers), so the
    /// clock starts after the first reading and stops before the last: that
    /// wait is never counted as the thread's own time.
    pub fn start() -> Stopwatch {
        let queued = queued_ns();
        Stopwatch {
            started: Instant::now(),
            queued,
        }
    }

    /// The time taken so far by the thread that started this (call it on
    /// that thread), minus its time in a run queue; `None` where the kernel
    /// does not tell.
    pub fn own_time(&self) -> Option<Duration> {
        let elapsed = self.started.elapsed();
        let now = queued_ns()?;
        let queued = Duration::from_nanos(now.saturating_sub(self.queued?));
        Some(elapsed.saturating_sub(queued))
    }
}

/// The calling thread's total time waiting in a run queue, in nanoseconds
/// (`/proc/thread-self/schedstat`: run time, run-queue wait, slices).
fn queued_ns() -> Option<u64> {
    schedstat(&ask_one(Question::Schedstat(os_thread_id()?))?, 1)
}

/// Field `n` of a thread's `schedstat`: 0 its time on a CPU, 1 its time
/// waiting in a run queue (both in nanoseconds), 2 its count of timeslices.
fn schedstat(text: &str, n: usize) -> Option<u64> {
    text.split_whitespace().nth(n)?.parse().ok()
}

/// Watches another thread of this process from outside and adds up the
/// stretches it was certainly not waiting for a CPU: from one look to the
/// next it was never put on a CPU (its count of timeslices did not move),
/// and at the later look it was asleep or blocked. Such a stretch is running
/// followed by sleeping, never queueing: a thread in a run queue must get a
/// CPU before it can fall asleep again. So the sum is a lower bound of the
/// thread's own time that does not rest on how the kernel accounts
/// run-queue waits ([`Stopwatch`] does), and a sleep of a few hundred
/// milliseconds shows as one long stretch however busy the machine is.
pub(crate) struct Stretches {
    tid: u32,
    /// When the previous look was taken, the thread's timeslice count then,
    /// and whether it was inside the measured code at that moment.
    last: Option<(Instant, u64, bool)>,
    total: Duration,
}

impl Stretches {
    pub fn new(tid: u32) -> Stretches {
        Stretches {
            tid,
            last: None,
            total: Duration::ZERO,
        }
    }

    /// Takes one look. A stretch since the previous look counts only if
    /// `inside` (up while the thread runs the code being measured, and it
    /// goes up and down once) was up before that look and is still up after
    /// this one: then it was up all along. Says whether the thread was
    /// asleep at this look without having had a CPU since the previous one
    /// (inside or not): parked for a while, as a thread in a join is.
    pub fn look(&mut self, inside: &AtomicBool) -> bool {
        let was_inside = inside.load(Ordering::SeqCst);
        let now = Instant::now();
        let state = self.state();
        // The look may take a while (in the sandbox the checker reads for
        // us): a stretch runs from after one reading to before the next, so
        // it lies within what the two readings vouch for.
        let read = Instant::now();
        let still_inside = inside.load(Ordering::SeqCst);
        let mut parked = false;
        // (No `if let ... &&` chain: learners' rustc may be older than 1.88.)
        if let (Some((then, before, counts)), Some((asleep, runs))) = (self.last, state) {
            parked = asleep && runs == before;
            if counts && still_inside && parked {
                self.total += now.saturating_duration_since(then);
            }
        }
        // The timeslice count is read after the state, so it is never older
        // than the state it goes with.
        self.last = state.map(|(_, runs)| (read, runs, was_inside));
        parked
    }

    /// The sum of the stretches seen so far.
    pub fn total(&self) -> Duration {
        self.total
    }

    /// Whether the thread is asleep or blocked (`S`, `D`), and how many
    /// timeslices it has had on a CPU.
    fn state(&self) -> Option<(bool, u64)> {
        let [stat, runs] = <[_; 2]>::try_from(ask(&[
            Question::Stat(self.tid),
            Question::Schedstat(self.tid),
        ]))
        .ok()?;
        let stat = fields_of_stat(&stat?)?;
        let asleep = matches!(stat.first()?.as_str(), "S" | "D");
        let runs = schedstat(&runs?, 2)?;
        Some((asleep, runs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::observe::{Flag, PARKED_STREAK};
    use crate::rendezvous::Gate;
    use crate::testing;
    use std::sync::{Arc, Barrier, Condvar, Mutex};

    #[test]
    fn one_look_at_all_threads_sees_a_join_and_who_it_joins() {
        let _threads = testing::spawning();
        let (tx, rx) = mpsc::channel();
        let (stop_tx, stop_rx) = mpsc::channel::<()>();
        let target = thread::spawn(move || {
            tx.send(os_thread_id().unwrap()).unwrap();
            stop_rx.recv().unwrap();
        });
        let target_tid = rx.recv().unwrap();
        let (jtx, jrx) = mpsc::channel();
        let joiner = thread::spawn(move || {
            jtx.send(os_thread_id().unwrap()).unwrap();
            target.join().unwrap();
        });
        let joiner_tid = jrx.recv().unwrap();
        let me = os_thread_id().unwrap();
        let mut last = Vec::new();
        let seen = testing::wait_for(|| {
            last = parked_all();
            last.iter().any(|(tid, parked)| {
                *tid == joiner_tid
                    && parked.as_ref().map(|(_, w)| *w) == Some(Wait::Join(target_tid))
            })
        });
        assert!(seen, "{last:?}");
        // Every thread is there, this one (running) not parked.
        assert!(
            last.iter().any(|(tid, p)| *tid == me && p.is_none()),
            "{last:?}"
        );
        assert!(last.iter().any(|(tid, _)| *tid == target_tid), "{last:?}");
        stop_tx.send(()).unwrap();
        joiner.join().unwrap();
    }

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

    /// Takes looks at `tid` until `enough` has passed since the first one.
    fn looked_at(tid: u32, inside: &AtomicBool, enough: Duration) -> Duration {
        let mut stretches = Stretches::new(tid);
        let first = Instant::now();
        while first.elapsed() < enough {
            stretches.look(inside);
            thread::sleep(Duration::from_millis(2));
        }
        stretches.look(inside);
        stretches.total()
    }

    #[test]
    fn a_blocked_thread_is_one_long_stretch_and_a_spinning_one_none() {
        let _threads = crate::testing::spawning();
        let inside = AtomicBool::new(true);
        let enough = Duration::from_millis(100);
        // Blocked in `recv` before the first look and until after the last:
        // every look sees it asleep with no new timeslice.
        let (tid_tx, tid_rx) = mpsc::channel();
        let (go_tx, go_rx) = mpsc::channel::<()>();
        let blocked = thread::spawn(move || {
            tid_tx.send(os_thread_id()).unwrap();
            go_rx.recv().unwrap();
        });
        let tid = tid_rx.recv().unwrap().expect("Linux with /proc");
        testing::wait_for(|| sample(tid).is_some());
        let total = looked_at(tid, &inside, enough);
        go_tx.send(()).unwrap();
        blocked.join().unwrap();
        // All of it but the readings themselves (a stretch runs from after
        // one to before the next), which take a small part of each look.
        assert!(total >= enough / 2, "{total:?}");
        // Not inside the measured code: nothing counts.
        let (tid_tx, tid_rx) = mpsc::channel();
        let (go_tx, go_rx) = mpsc::channel::<()>();
        let outside = thread::spawn(move || {
            tid_tx.send(os_thread_id()).unwrap();
            go_rx.recv().unwrap();
        });
        let tid = tid_rx.recv().unwrap().unwrap();
        testing::wait_for(|| sample(tid).is_some());
        let total = looked_at(tid, &AtomicBool::new(false), enough);
        go_tx.send(()).unwrap();
        outside.join().unwrap();
        assert_eq!(total, Duration::ZERO);
        // A thread that never sleeps is never seen asleep.
        let stop = Arc::new(AtomicBool::new(false));
        let (tid_tx, tid_rx) = mpsc::channel();
        let s = Arc::clone(&stop);
        let spinning = thread::spawn(move || {
            tid_tx.send(os_thread_id()).unwrap();
            while !s.load(Ordering::SeqCst) {
                std::hint::spin_loop();
            }
        });
        let tid = tid_rx.recv().unwrap().unwrap();
        let total = looked_at(tid, &inside, enough);
        stop.store(true, Ordering::SeqCst);
        spinning.join().unwrap();
        assert_eq!(total, Duration::ZERO);
    }
}
