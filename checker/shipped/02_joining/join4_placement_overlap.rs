// join4_placement_overlap: where the `join` stands decides what overlaps.
//
// `join` blocks exactly where it is written. Whatever the current thread
// does before its `join` happens while the spawned thread is working;
// whatever comes after the `join` waits until the spawned thread is over.
// Put the `join` too early, and the two threads never work at the same
// time: you paid for a thread and got no overlap.
//
// Your task: `overlap` should have `spawned_work` (on a new thread) and
// `main_work` (on the calling thread) running at the same time, and return
// only once both are done. Right now they take turns: run the program and
// watch the order of the steps and the time. The fix is small.

use std::thread;
use std::time::{Duration, Instant};

/// Runs `spawned_work` on a new thread and `main_work` on the calling thread,
/// both at the same time; returns once both are done.
pub fn overlap<S, M>(spawned_work: S, main_work: M)
where
    S: FnOnce() + Send + 'static,
    M: FnOnce(),
{
    let handle = thread::spawn(spawned_work);
    // TODO: the calling thread stops here until the spawned thread is over,
    // and only then does its own work. Is this the right place to wait?
    handle.join().unwrap();
    main_work();
}

fn steps(who: &str) {
    for step in 1..=3 {
        println!("{who}: step {step}");
        thread::sleep(Duration::from_millis(30));
    }
}

fn main() {
    let clock = Instant::now();
    overlap(|| steps("spawned thread"), || steps("main thread"));
    println!("both done after {} ms", clock.elapsed().as_millis());
}
