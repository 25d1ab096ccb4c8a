//! right: installs a silent panic hook once (no panic text on stderr), and reads the message from `join`'s payload.
// panic1_join_err: a thread that panics makes its `join` return `Err`.
//
// A panic unwinds one thread: the one it happened on. When a spawned thread
// panics, that thread ends, and the rest of the program carries on. The
// news is not lost, though: it waits in the `JoinHandle`. Its `join`
// returns `Err(payload)` instead of `Ok(value)`, and the payload is what
// was passed to `panic!`, boxed up as a `Box<dyn Any + Send>`. To read it,
// try the types `panic!` uses: `panic!("a literal")` leaves a `&'static
// str`, and `panic!("{x} went wrong")` a `String`
// (`payload.downcast_ref::<&str>()` or `::<String>()`).
//
// Calling `.unwrap()` on that `Err` starts a second panic, this time on the
// thread that joined: the very thing the thread was there to contain.
//
// Here, `run_guarded` runs a job that may panic on a thread of its own, so
// that a failing job cannot take the caller down with it.
//
// Your task: as it stands, a panicking job panics the caller too (run the
// program). Turn the job's panic into `Err` carrying its message, and let
// the caller carry on.

use std::any::Any;
use std::panic;
use std::sync::Once;
use std::thread;

static QUIET: Once = Once::new();

/// Runs `job` on a new thread and waits for it with `join`. If the job
/// returns a value, that is `Ok(value)`. If the job panics, the caller does
/// not: `run_guarded` returns `Err(message)`, the panic's message
/// (for a panic that carries no text, any message you like).
pub fn run_guarded<T, F>(job: F) -> Result<T, String>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    // The job's panic is reported through the result: no need to print it.
    QUIET.call_once(|| panic::set_hook(Box::new(|_| {})));
    let handle = thread::spawn(job);
    match handle.join() {
        Ok(value) => Ok(value),
        Err(payload) => Err(text_of(&*payload)),
    }
}

fn text_of(payload: &(dyn Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        text.to_string()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "the job panicked without a message".to_string()
    }
}

fn main() {
    let answer = run_guarded(|| 6 * 7);
    println!("the first job gave {answer:?}");
    let disk = "disk 2";
    let broken: Result<u32, String> = run_guarded(move || panic!("{disk} is full"));
    println!("the second job gave {broken:?}");
    let simple: Result<(), String> = run_guarded(|| panic!("out of coffee"));
    println!("the third job gave {simple:?}");
    println!("main is still here");
}
