// join2_handle_is_a_value: a `JoinHandle` is a value, and `join` uses it up.
//
// The handle that `thread::spawn` gives back is an ordinary value: a
// function can return it, a struct can keep it in a field, and it can be
// moved around until somebody decides to wait. Waiting is the last thing a
// handle does: `join` takes the handle itself (`self`), not a borrow of it,
// so after `join` the handle is gone.
//
// Here, `start` launches some work and returns at once with a `Job` that
// holds the thread's handle; later, `finish` waits for the work and gives
// back what it produced.
//
// Your task: this file does not compile (E0507). Read the error, then let
// `finish` have what `join` needs.

use std::thread::{self, JoinHandle};
use std::time::Duration;

/// Some work running on a thread of its own.
pub struct Job<T> {
    handle: JoinHandle<T>,
}

/// Starts `work` on a new thread and returns straight away, while the work
/// may still be running.
pub fn start<T, F>(work: F) -> Job<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let handle = thread::spawn(work);
    Job { handle }
}

impl<T> Job<T> {
    /// Waits until the work is done and returns what it produced.
    // TODO: `join` wants to own the handle, but `&self` only lends this
    // method the job. How should `finish` receive the job instead?
    pub fn finish(&self) -> T {
        self.handle.join().unwrap()
    }
}

fn main() {
    let job = start(|| {
        thread::sleep(Duration::from_millis(5));
        (1..=100u64).sum::<u64>()
    });
    println!("the job is running; main is free in the meantime");
    let total = job.finish();
    println!("the job gave back {total}");
}
