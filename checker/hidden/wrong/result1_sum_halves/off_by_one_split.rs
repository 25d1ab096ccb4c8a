//! wrong: splits at `(len + 1) / 2`: with an odd length the middle item goes to the first half.
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
    let second_half = items.split_off((items.len() + 1) / 2);
    let first_half = items;
    let first = thread::spawn(move || first_half.iter().map(value).sum::<u64>());
    let second = thread::spawn(move || second_half.iter().map(value).sum::<u64>());
    first.join().unwrap() + second.join().unwrap()
}

fn main() {
    let numbers: Vec<u64> = (1..=1000).collect();
    let total = sum_halves(numbers, |n| *n);
    println!("1 + 2 + ... + 1000 = {total} (it should be 500500)");
}
