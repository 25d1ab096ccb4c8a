//! The calling thread as the test's own closures see it.
//!
//! `Call::thread` tells the test which thread called the learner's function,
//! but only once `call` has started it, and a hook inside a probe or a job
//! may run before that. A `Caller` is noted by the call itself, on the
//! calling thread, before any learner code runs, so a hook can ask whether
//! it runs on the caller. A hook that would wait (at a barrier) or hold (a
//! `Held` job) must not do so on the caller: the caller would wait for
//! itself until the test's patience runs out. `Caller::once_elsewhere` makes
//! such a hook note the caller instead, so that the test fails at once,
//! saying that the work ran on the calling thread.

use std::sync::{Arc, Once, OnceLock};
use std::thread::{self, ThreadId};

use crate::observe::Flag;

/// The thread that called the learner's function, once noted.
#[derive(Clone, Default)]
pub struct Caller(Arc<OnceLock<ThreadId>>);

impl Caller {
    pub fn new() -> Self {
        Caller::default()
    }

    /// On the calling thread, inside the call, before the learner's code
    /// runs: notes it (the first note counts).
    pub fn note(&self) {
        let _ = self.0.set(thread::current().id());
    }

    /// The caller, once noted.
    pub fn thread(&self) -> Option<ThreadId> {
        self.0.get().copied()
    }

    /// Whether the current thread is the caller.
    pub fn is_current(&self) -> bool {
        self.thread() == Some(thread::current().id())
    }

    /// A hook (for `Probe::with_hook`, say) that runs `hook` the first time
    /// it is called on a thread other than the caller, and never again; on
    /// the caller it raises `on_caller` instead, every time.
    pub fn once_elsewhere(
        &self,
        on_caller: &Flag,
        hook: impl FnOnce() + Send + 'static,
    ) -> impl Fn() + Send + Sync + 'static {
        let (caller, on_caller) = (self.clone(), on_caller.clone());
        let once = Once::new();
        let hook = std::sync::Mutex::new(Some(hook));
        move || {
            if caller.is_current() {
                on_caller.raise();
            } else {
                once.call_once(|| {
                    let hook = hook.lock().unwrap_or_else(|e| e.into_inner()).take();
                    if let Some(hook) = hook {
                        hook();
                    }
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::spawning;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn a_noted_caller_is_told_from_other_threads() {
        let _lock = spawning();
        let caller = Caller::new();
        assert_eq!(caller.thread(), None);
        assert!(!caller.is_current(), "not noted yet");
        caller.note();
        assert!(caller.is_current());
        let c = caller.clone();
        let (elsewhere, other) = thread::spawn(move || {
            // A later note does not move it.
            c.note();
            (c.is_current(), thread::current().id())
        })
        .join()
        .unwrap();
        assert!(!elsewhere);
        assert_eq!(caller.thread(), Some(thread::current().id()));
        assert_ne!(caller.thread(), Some(other));
    }

    #[test]
    fn the_hook_runs_once_off_the_caller_and_never_on_it() {
        let _lock = spawning();
        let caller = Caller::new();
        caller.note();
        let on_caller = Flag::new();
        let runs = Arc::new(AtomicUsize::new(0));
        let ran_on = Arc::new(OnceLock::new());
        let (r, on) = (Arc::clone(&runs), Arc::clone(&ran_on));
        let hook = Arc::new(caller.once_elsewhere(&on_caller, move || {
            r.fetch_add(1, Ordering::SeqCst);
            let _ = on.set(thread::current().id());
        }));
        hook();
        assert!(on_caller.is_up(), "called on the caller: noted");
        assert_eq!(runs.load(Ordering::SeqCst), 0, "and not run there");
        let h = Arc::clone(&hook);
        let worker = thread::spawn(move || {
            h();
            h();
            thread::current().id()
        })
        .join()
        .unwrap();
        hook();
        assert_eq!(runs.load(Ordering::SeqCst), 1, "once");
        assert_eq!(ran_on.get(), Some(&worker));
    }
}
