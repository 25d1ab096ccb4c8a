//! wrong: finds the split with `chunks(len / 2)`: a chunk size of 0 panics for a list of 0 or 1 items, which still have a sum.
// result1_sum_halves: `join` hands you what the thread's closure returned.
//
// A thread's closure can end with a value, like any function. That value
// does not vanish when the thread ends: `thread::spawn` keeps it for you,
// and `handle.join()` gives it back as `Ok(value)`. The handle's type says
// what is coming: a closure that returns a `u64` gives a
// `JoinHandle<u64>`, and its `join` a `thread::Result<u64>`. So a thread
// needs no shared variable, no lock and no channel to report its result:
// it returns it, and whoever joins it gets it.
//
// Here, `sum_halves` splits a list in two and has two threads add up one
// half each, at the same time, while the calling thread waits.
//
// Your task: the two sums never leave their threads, and `sum_halves`
// returns 0. Let each thread return its sum, and add up what the two
// `join`s give back.

use std::thread;

/// Adds up `value(item)` over all `items`, on two new threads at the same
/// time: one adds up the first half, `items[..items.len() / 2]`, the other
/// the rest. Each thread returns its sum; `sum_halves` joins both threads
/// and returns the two sums added together.
pub fn sum_halves<T>(mut items: Vec<T>, value: fn(&T) -> u64) -> u64
where
    T: Send + 'static,
{
    // The first chunk of `len / 2` items is the first half.
    let first_len = items
        .chunks(items.len() / 2)
        .next()
        .map(|c| c.len())
        .unwrap_or(0);
    let rest = items.split_off(first_len);
    let handles: Vec<thread::JoinHandle<u64>> = [items, rest]
        .into_iter()
        .map(|half| thread::spawn(move || half.iter().map(value).sum()))
        .collect();
    let mut total = 0;
    for handle in handles {
        total += handle.join().expect("a half panicked");
    }
    total
}

fn main() {
    let numbers: Vec<u64> = (1..=1000).collect();
    let total = sum_halves(numbers, |n| *n);
    println!("1 + 2 + ... + 1000 = {total} (it should be 500500)");
}
