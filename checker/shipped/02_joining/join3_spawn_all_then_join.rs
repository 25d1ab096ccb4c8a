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

use std::thread;
use std::time::{Duration, Instant};

/// Runs every job in `jobs` on a thread of its own, all at the same time,
/// and returns once all of them are finished.
pub fn run_all<F>(jobs: Vec<F>)
where
    F: FnOnce() + Send + 'static,
{
    // TODO: this waits for each thread before the next one is started.
    // Start them all first, then wait for each of them.
    for job in jobs {
        let handle = thread::spawn(job);
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
