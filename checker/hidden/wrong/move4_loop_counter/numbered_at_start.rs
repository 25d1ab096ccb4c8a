//! wrong: "its position in `jobs`": each thread takes the next number from a counter behind a `Mutex` when it starts, so a job gets the order its thread started in. Threads usually start in spawn order, so this passes the few-job tests; only the many-job test catches it, by chance, on most runs (see its header).
// move4_loop_counter: `move` gives each thread its own copy of the loop
// counter.
//
// A closure that only reads a number borrows it, like any other variable.
// In a loop, the counter `i` is a fresh variable in each round, and it is
// gone at the end of that round, long before a thread spawned in the loop
// is done with it. So a thread's closure may not borrow `i`: "closure may
// outlive the current function, but it borrows `i`" (E0373).
//
// `move` makes the closure take its own `i`. For a number that means a
// copy (numbers are `Copy`): each thread gets the value `i` had in the
// round that spawned it, and the loop goes on counting with its own.
// Values that are not `Copy`, such as the jobs below, are moved the same
// way: each one to the thread that gets it.
//
// Your task: this file does not compile (E0373). Read the error and fix
// it, so that `run_numbered` does what it says below.

use std::sync::{Arc, Mutex};
use std::thread;

/// Runs each job of `jobs` on a thread of its own, all at the same time,
/// and calls each job with its position in `jobs` (the first job gets 0,
/// the next 1, and so on). Returns once every job is done.
pub fn run_numbered<F>(jobs: Vec<F>)
where
    F: FnOnce(usize) + Send + 'static,
{
    let counter = Arc::new(Mutex::new(0));
    let mut handles = Vec::new();
    for job in jobs {
        let counter = Arc::clone(&counter);
        handles.push(thread::spawn(move || {
            let number = {
                let mut next = counter.lock().unwrap();
                let mine = *next;
                *next += 1;
                mine
            };
            job(number);
        }));
    }
    for handle in handles {
        handle.join().unwrap();
    }
}

fn main() {
    let names = ["Ada", "Grace", "Barbara", "Frances"];
    let jobs: Vec<_> = names
        .into_iter()
        .map(|name| move |i: usize| println!("worker {i} is {name}"))
        .collect();
    run_numbered(jobs);
    println!("every worker is done");
}
