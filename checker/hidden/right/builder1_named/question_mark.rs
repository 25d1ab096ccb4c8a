//! right: `?` on `Builder::spawn`, then `Ok(handle)`.
// builder1_named: `thread::Builder` names a thread, and admits it may fail.
//
// `thread::spawn` is a shortcut. Behind it stands `thread::Builder`, which
// lets you say more about the thread before it starts: a name (shown in
// panic messages, debuggers and `thread::current().name()`) and the size of
// its stack. You set them one call at a time, `Builder::new().name(..)`,
// and `spawn` last.
//
// Starting a thread asks the operating system for something: memory for
// its stack, a slot among the process's threads. The OS may say no.
// `thread::spawn` has no way to tell you, so it panics. `Builder::spawn`
// tells you: it returns an `io::Result<JoinHandle<T>>`, `Ok` with the handle,
// or `Err` with the reason. What to do about a refusal is for the caller to
// decide, so a function that starts threads for others should hand that
// `Err` on, not turn it into a panic with `unwrap` or `expect`.
//
// Your task: `spawn_named` ignores the name and the stack size it is given,
// and it could never report a refused thread. Start `job` on a thread with
// that name and that stack size, and give back what `Builder::spawn` says.

use std::io;
use std::thread::{self, JoinHandle};

/// Starts `job` on a new thread called `name`, with a stack of
/// `stack_size` bytes, and returns its handle straight away, while the job
/// runs. If the OS refuses to start that thread, returns its `Err` instead
/// (and does not panic).
pub fn spawn_named<F, T>(name: String, stack_size: usize, job: F) -> io::Result<JoinHandle<T>>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let handle = thread::Builder::new()
        .name(name)
        .stack_size(stack_size)
        .spawn(job)?;
    Ok(handle)
}

fn main() {
    let who = || thread::current().name().unwrap_or("<no name>").to_string();
    match spawn_named("tidy-up".to_string(), 64 * 1024, who) {
        Ok(handle) => println!("a thread ran as {:?}", handle.join().unwrap()),
        Err(e) => println!("could not start the thread: {e}"),
    }
    // A stack of an exbibyte (2^60 bytes): no OS will hand that out.
    match spawn_named("greedy".to_string(), 1 << 60, who) {
        Ok(handle) => println!(
            "a thread with a huge stack ran as {:?}",
            handle.join().unwrap()
        ),
        Err(e) => println!("refused, as it should be: {e}"),
    }
}
