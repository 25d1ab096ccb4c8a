//! wrong: at least one worker (`min(workers, len).max(1)`): no items still start a thread, which has nothing to do (min(workers, 0) is 0)
// capstone_parallel_map: everything at once: spawn, move, join, results and
// panics, in a map that spreads its work over a few threads.
//
// `items.into_iter().map(f).collect()` calls `f` on one item after another,
// on one thread. When `f` is slow and the machine has cores to spare, the
// items can be shared out among a few worker threads instead:
//
//     items:    [ 0  1  2 | 3  4  5 | 6  7 ]      8 items, 3 workers
//     worker 1:   f(0) f(1) f(2)
//     worker 2:   f(3) f(4) f(5)                  all three at the same time
//     worker 3:   f(6) f(7)
//     caller:   spawn spawn spawn, join join join, results in input order
//
// Each worker needs its own items, moved into its closure, and its own way
// to call `f`: a function shared by several threads needs an owner that
// all of them can hold (`Arc`). Each worker's results come back through
// `join`, and so does a panic of `f`: as an `Err` holding the panic's
// payload, which `std::panic::resume_unwind` passes on as it is.
//
// Your task: `parallel_map` below calls `f` on the calling thread, one item
// at a time. Make it start `min(workers, items.len())` worker threads, no
// more, each with at least one item, all of them calling `f` at the same
// time, and none of the work on the calling thread.

use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

/// Calls `f` on every item, spread over worker threads, and returns the
/// results in the order of the items.
///
/// * It starts `min(workers, items.len())` worker threads, no more; each
///   gets at least one item, and they all work at the same time. `workers`
///   is at least 1.
/// * `f` is called exactly once for every item, always on a worker thread,
///   never on the thread that called `parallel_map`.
/// * Result number `i` is `f(items[i])`, whichever worker finished first.
/// * Every worker thread is joined before `parallel_map` returns.
/// * If `f` panics, `parallel_map` still joins every worker, then panics
///   with the payload of that panic (if `f` panics more than once, any one
///   of those payloads).
pub fn parallel_map<T, U, F>(items: Vec<T>, workers: usize, f: F) -> Vec<U>
where
    T: Send + 'static,
    U: Send + 'static,
    F: Fn(T) -> U + Send + Sync + 'static,
{
    // The items, as many per worker as evenly as they go: the first
    // `len % threads` workers get one more.
    // At least one worker, to be safe.
    let threads = workers.min(items.len()).max(1);
    let f = Arc::new(f);
    let mut items = items.into_iter();
    let mut handles = Vec::with_capacity(threads);
    for w in 0..threads {
        let share = items.len().div_ceil(threads - w);
        let mine: Vec<T> = items.by_ref().take(share).collect();
        let f = Arc::clone(&f);
        handles.push(thread::spawn(move || {
            mine.into_iter().map(|item| f(item)).collect::<Vec<U>>()
        }));
    }
    // Join every worker, even after one has panicked; the handles are in
    // the order of the items, so their results are too.
    let mut results = Vec::new();
    let mut panic = None;
    for handle in handles {
        match handle.join() {
            Ok(part) => results.extend(part),
            Err(payload) => panic = panic.or(Some(payload)),
        }
    }
    if let Some(payload) = panic {
        std::panic::resume_unwind(payload);
    }
    results
}

fn main() {
    // A slow function: about 50 ms an item.
    let slow_square = |n: u64| {
        thread::sleep(Duration::from_millis(50));
        n * n
    };
    let clock = Instant::now();
    let squares = parallel_map((1..=12).collect(), 4, slow_square);
    println!(
        "{squares:?} in {} ms (12 items of 50 ms on 4 workers: about 150 ms)",
        clock.elapsed().as_millis()
    );

    let outcome = std::panic::catch_unwind(|| {
        parallel_map(vec![1, 2, 0, 4], 2, |n: u32| {
            if n == 0 {
                std::panic::panic_any("zero is not allowed");
            }
            100 / n
        })
    });
    match outcome {
        Ok(results) => println!("no panic? {results:?}"),
        Err(payload) => println!(
            "parallel_map passed on the panic: {:?}",
            payload.downcast_ref::<&str>()
        ),
    }
}
