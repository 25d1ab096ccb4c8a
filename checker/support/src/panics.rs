//! Panicking jobs: jobs the test hands to learner code that panic with a
//! random payload, and note on which thread they ran and which thread the
//! panic unwound.
//!
//! "The job panicked on a thread of its own" is observed, not guessed: the
//! job notes its thread before it panics, and a guard in its frame notes the
//! thread whose unwinding dropped it. A caller that runs the job itself
//! under `catch_unwind` shows up as the thread the panic unwound. The
//! payload is random (a message, or a number for a panic without text), so
//! a message made up by the learner's code never matches, and
//! [`PanicWatch::is_payload`] tells the job's own payload from any other
//! panic (one that `unwrap` on the caller starts, say).

use std::any::Any;
use std::panic::panic_any;
use std::sync::{Arc, Mutex};
use std::thread::{self, ThreadId};

use crate::events::record;
use crate::harness::panic_message;
use crate::protocol::EventKind;
use crate::random::{random, random_word};

/// What a job's panic carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Payload {
    /// A `&'static str`, as `panic!("a literal")` makes.
    Str,
    /// A `String`, as `panic!("{x}")` makes.
    String,
    /// A number (`std::panic::panic_any(n)`): a panic without text.
    NotText,
}

/// What happened to one panicking job, shared by the job and its watch.
#[derive(Default)]
struct Seen {
    ran_on: Mutex<Option<ThreadId>>,
    unwound_on: Mutex<Option<ThreadId>>,
}

/// The test's view of one panicking job.
#[derive(Clone)]
pub struct PanicWatch {
    payload: Payload,
    message: String,
    number: u64,
    seen: Arc<Seen>,
}

/// Dropped by the unwinding of the job's frame: notes the thread.
struct Unwinding(Arc<Seen>);

impl Drop for Unwinding {
    fn drop(&mut self) {
        if thread::panicking() {
            *self.0.unwound_on.lock().unwrap_or_else(|e| e.into_inner()) =
                Some(thread::current().id());
        }
    }
}

/// A job that runs `first` (e.g. a `Held` job, to hold its thread), then
/// panics with a random payload of the kind `payload` says; and its watch.
/// Its return type is whatever the learner's function wants (it never
/// returns).
pub fn panicking_job<T>(
    payload: Payload,
    first: impl FnOnce() + Send + 'static,
) -> (impl FnOnce() -> T + Send + 'static, PanicWatch) {
    panicking_job_unwinding(payload, first, || ())
}

/// Runs its closure when dropped by a panic's unwinding.
struct WhileUnwinding<F: FnOnce()>(Option<F>);

impl<F: FnOnce()> Drop for WhileUnwinding<F> {
    fn drop(&mut self) {
        if let Some(unwinding) = self.0.take().filter(|_| thread::panicking()) {
            unwinding();
        }
    }
}

/// `panicking_job`, and `unwinding` runs on the job's thread while its
/// panic unwinds the job's frame: after the panic (and any panic hook) and
/// before the thread can end, so before any `join` of it returns. It must
/// not panic itself (a panic during unwinding aborts), but it may wait for
/// another thread that does.
pub fn panicking_job_unwinding<T>(
    payload: Payload,
    first: impl FnOnce() + Send + 'static,
    unwinding: impl FnOnce() + Send + 'static,
) -> (impl FnOnce() -> T + Send + 'static, PanicWatch) {
    let watch = PanicWatch {
        payload,
        message: random_message(),
        number: random(),
        seen: Arc::default(),
    };
    let (seen, message, number) = (Arc::clone(&watch.seen), watch.message.clone(), watch.number);
    let job = move || -> T {
        *seen.ran_on.lock().unwrap_or_else(|e| e.into_inner()) = Some(thread::current().id());
        let _unwinding = Unwinding(seen);
        let _then = WhileUnwinding(Some(unwinding));
        first();
        record(EventKind::Note, format!("the job panics: {message}"));
        match payload {
            Payload::Str => {
                // Leaked, a few bytes per job: a `&'static str` made at run
                // time, so that it differs on every run.
                let text: &'static str = Box::leak(message.into_boxed_str());
                panic_any(text)
            }
            Payload::String => panic_any(message),
            Payload::NotText => panic_any(number),
        }
    };
    (job, watch)
}

/// A few random words, e.g. "kalo visa tefu".
fn random_message() -> String {
    [random_word(), random_word(), random_word()].join(" ")
}

impl PanicWatch {
    pub fn payload(&self) -> Payload {
        self.payload
    }

    /// The message the job panics with (`panic_message` of its payload: for
    /// a panic without text, the words that function gives it).
    pub fn message(&self) -> String {
        match self.payload {
            Payload::Str | Payload::String => self.message.clone(),
            Payload::NotText => panic_message(&self.number),
        }
    }

    /// The thread the job ran on, once it has started.
    pub fn ran_on(&self) -> Option<ThreadId> {
        *self.seen.ran_on.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The thread whose unwinding left the job's frame, once the job has
    /// panicked (always the thread it ran on: a panic unwinds only its own
    /// thread).
    pub fn unwound_on(&self) -> Option<ThreadId> {
        *self
            .seen
            .unwound_on
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    /// Whether `payload` is this job's own (the very panic, passed on), not
    /// another panic's.
    pub fn is_payload(&self, payload: &(dyn Any + Send)) -> bool {
        match self.payload {
            Payload::NotText => payload.downcast_ref::<u64>() == Some(&self.number),
            Payload::Str => payload.is::<&'static str>() && panic_message(payload) == self.message,
            Payload::String => payload.is::<String>() && panic_message(payload) == self.message,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::spawning;
    use std::panic::{AssertUnwindSafe, catch_unwind};

    #[test]
    fn a_job_on_a_spawned_thread_panics_there_with_its_own_payload() {
        let _lock = spawning();
        for payload in [Payload::Str, Payload::String, Payload::NotText] {
            let (job, watch) = panicking_job::<u32>(payload, || ());
            let handle = thread::spawn(job);
            let worker = handle.thread().id();
            let got = handle.join().unwrap_err();
            assert!(watch.is_payload(&*got), "{payload:?}");
            assert_eq!(panic_message(&*got), watch.message());
            assert_eq!(watch.ran_on(), Some(worker));
            assert_eq!(watch.unwound_on(), Some(worker));
            assert_eq!(watch.payload(), payload);
        }
    }

    #[test]
    fn payloads_have_the_types_panic_gives_them() {
        let _lock = spawning();
        let (job, watch) = panicking_job::<()>(Payload::Str, || ());
        let got = thread::spawn(job).join().unwrap_err();
        assert_eq!(got.downcast_ref::<&str>(), Some(&watch.message().as_str()));
        let (job, watch) = panicking_job::<()>(Payload::String, || ());
        let got = thread::spawn(job).join().unwrap_err();
        assert_eq!(got.downcast_ref::<String>(), Some(&watch.message()));
        let (job, watch) = panicking_job::<()>(Payload::NotText, || ());
        let got = thread::spawn(job).join().unwrap_err();
        assert!(!got.is::<&str>() && !got.is::<String>());
        assert_eq!(watch.message(), "a panic without a message");
    }

    #[test]
    fn a_job_caught_on_the_calling_thread_shows_that_thread() {
        let _lock = spawning();
        let (job, watch) = panicking_job::<u8>(Payload::String, || ());
        assert_eq!(watch.ran_on(), None);
        let got = catch_unwind(AssertUnwindSafe(job)).unwrap_err();
        let me = thread::current().id();
        assert_eq!((watch.ran_on(), watch.unwound_on()), (Some(me), Some(me)));
        assert!(watch.is_payload(&*got));
    }

    #[test]
    fn another_panic_or_another_job_is_not_the_payload() {
        let _lock = spawning();
        let (job, watch) = panicking_job::<()>(Payload::Str, || ());
        let (_, other) = panicking_job::<()>(Payload::Str, || ());
        let got = thread::spawn(job).join().unwrap_err();
        assert!(!other.is_payload(&*got));
        // The same words in a `String`, as a caller that panics again with
        // the job's message would: not the job's own payload.
        let again: Box<dyn Any + Send> = Box::new(watch.message());
        assert!(!watch.is_payload(&*again));
        let (_, number) = panicking_job::<()>(Payload::NotText, || ());
        assert!(!number.is_payload(&*got));
    }

    #[test]
    fn first_runs_on_the_job_thread_before_the_panic() {
        let _lock = spawning();
        let before = Arc::new(Mutex::new(None));
        let b = Arc::clone(&before);
        let (job, watch) = panicking_job::<()>(Payload::String, move || {
            *b.lock().unwrap() = Some(thread::current().id());
        });
        let worker = thread::spawn(job);
        let id = worker.thread().id();
        assert!(worker.join().is_err());
        assert_eq!(*before.lock().unwrap(), Some(id));
        assert_eq!(watch.ran_on(), Some(id));
    }

    #[test]
    fn unwinding_runs_on_the_job_thread_after_the_panic_and_before_join_returns() {
        let _lock = spawning();
        let order = Arc::new(Mutex::new(Vec::new()));
        let (o, u) = (Arc::clone(&order), Arc::clone(&order));
        let (job, watch) = panicking_job_unwinding::<()>(
            Payload::Str,
            move || o.lock().unwrap().push("first"),
            move || {
                // Another thread may panic meanwhile.
                let other = thread::spawn(|| panic_any(7_u8)).join();
                assert!(other.is_err());
                u.lock().unwrap().push("unwinding");
            },
        );
        let worker = thread::spawn(job);
        let id = worker.thread().id();
        let got = worker.join().unwrap_err();
        assert!(watch.is_payload(&*got));
        assert_eq!(*order.lock().unwrap(), ["first", "unwinding"]);
        assert_eq!(watch.unwound_on(), Some(id));
        // Not run by a job that is dropped without being called.
        let (job, _) = panicking_job_unwinding::<()>(Payload::Str, || (), || unreachable!());
        drop(job);
    }

    #[test]
    fn messages_differ_between_jobs() {
        let _lock = spawning();
        let messages: Vec<String> = (0..20)
            .map(|_| panicking_job::<()>(Payload::String, || ()).1.message())
            .collect();
        assert!(messages.iter().any(|m| *m != messages[0]), "{messages:?}");
        assert!(messages.iter().all(|m| m.split(' ').count() == 3));
    }
}
