// WRONG (class 1): "returns only once both are done" by joining: waits on a `Condvar` for a flag raised after `spawned_work`; the handle is never joined
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

use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// Runs `spawned_work` on a new thread and `main_work` on the calling thread,
/// both at the same time; returns once both are done.
pub fn overlap<S, M>(spawned_work: S, main_work: M)
where
    S: FnOnce() + Send + 'static,
    M: FnOnce(),
{
    let state = Arc::new((Mutex::new(false), Condvar::new()));
    let signal = Arc::clone(&state);
    thread::spawn(move || {
        spawned_work();
        let (done, cvar) = &*signal;
        *done.lock().unwrap() = true;
        cvar.notify_all();
    });
    main_work();
    let (done, cvar) = &*state;
    let _finished = cvar.wait_while(done.lock().unwrap(), |done| !*done).unwrap();
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
