//! wrong: fails with no jobs (the text excludes no length): joins with `handles.drain(0..=handles.len() - 1)`, which underflows, or where it wraps is out of range, when there are no handles.
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

use std::thread;

/// Runs each job of `jobs` on a thread of its own, all at the same time,
/// and calls each job with its position in `jobs` (the first job gets 0,
/// the next 1, and so on). Returns once every job is done.
pub fn run_numbered<F>(jobs: Vec<F>)
where
    F: FnOnce(usize) + Send + 'static,
{
    let mut handles = Vec::new();
    for (i, job) in jobs.into_iter().enumerate() {
        handles.push(thread::spawn(move || job(i)));
    }
    let last = handles.len() - 1;
    for handle in handles.drain(0..=last) {
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
