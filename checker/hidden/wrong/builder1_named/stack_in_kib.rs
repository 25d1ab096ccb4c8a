//! wrong: reads `stack_size` as KiB and multiplies it by 1024, so a thread that starts gets a stack a thousand times too big (or none at all).
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
    // Stack sizes are given in KiB.
    let stack = stack_size.saturating_mul(1024);
    thread::Builder::new()
        .name(name)
        .stack_size(stack)
        .spawn(job)
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
