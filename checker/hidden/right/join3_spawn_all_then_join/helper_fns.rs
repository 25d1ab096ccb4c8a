//! right: two helper functions: one starts every job, the other waits for every handle.
// join3_spawn_all_then_join: start every thread first, then wait for all.
//
// `join` stops the current thread until one particular thread has ended.
// Join each thread right after spawning it, and the next thread only
// starts once the previous one is over: the threads take turns, and the
// work takes as long as if one thread did it all.
//
// To get them all running at once, start every thread first, keeping the
// handles somewhere (a `Vec` of `JoinHandle`s is a good place), and only
// then, when all of them are on their way, wait for each one.
//
// Your task: `run_all` below runs its jobs one after another. Make all the
// jobs run at the same time, while `run_all` still returns only once every
// job is done. Run the program before and after: compare the times.

use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// Runs every job in `jobs` on a thread of its own, all at the same time,
/// and returns once all of them are finished.
pub fn run_all<F>(jobs: Vec<F>)
where
    F: FnOnce() + Send + 'static,
{
    let handles = start_all(jobs);
    wait_for_all(handles);
}

/// Starts every job on a thread of its own; returns the handles.
fn start_all<F>(jobs: Vec<F>) -> Vec<JoinHandle<()>>
where
    F: FnOnce() + Send + 'static,
{
    jobs.into_iter().map(thread::spawn).collect()
}

/// Waits for every thread.
fn wait_for_all(handles: Vec<JoinHandle<()>>) {
    for handle in handles {
        handle.join().unwrap();
    }
}

fn main() {
    let jobs: Vec<_> = (1..=4)
        .map(|n| {
            move || {
                println!("job {n} begins");
                thread::sleep(Duration::from_millis(100));
                println!("job {n} ends");
            }
        })
        .collect();
    let clock = Instant::now();
    run_all(jobs);
    println!(
        "4 jobs of 100 ms each took {} ms",
        clock.elapsed().as_millis()
    );
}
