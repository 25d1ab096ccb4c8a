// join1_wait: keep the `JoinHandle`, and wait for the thread with it.
//
// A program ends when `main` returns, and at that moment every thread that
// is still running is stopped mid-way, whatever it was doing. A thread you
// started only gets to finish its work if somebody waits for it.
//
// `thread::spawn` gives back a `JoinHandle`. Calling `join` on it makes the
// current thread stop and wait until the spawned thread has finished.
//
// Your task: `count` starts a thread that writes nine lines, and writes
// four lines of its own in the meantime. Run the program a few times: some
// of the spawned thread's lines go missing, because `count` (and then
// `main`) is over before that thread gets through its list. Make `count`
// wait for the spawned thread before it returns.

use std::thread;
use std::time::Duration;

/// Writes lines 1 to 9 with `spawned_line` on a new thread and, meanwhile,
/// lines 1 to 4 with `main_line` on the calling thread. Returns once all
/// thirteen lines are written.
pub fn count<S, M>(spawned_line: S, main_line: M)
where
    S: Fn(u32) + Send + 'static,
    M: Fn(u32),
{
    // TODO: `spawn` returns a handle to the new thread. Keep it, and use it
    // so that `count` does not return before that thread is finished.
    thread::spawn(move || {
        for i in 1..=9 {
            spawned_line(i);
            thread::sleep(Duration::from_millis(1));
        }
    });

    for i in 1..=4 {
        main_line(i);
        thread::sleep(Duration::from_millis(1));
    }
}

fn main() {
    count(
        |i| println!("spawned thread: line {i} of 9"),
        |i| println!("main thread: line {i} of 4"),
    );
}
