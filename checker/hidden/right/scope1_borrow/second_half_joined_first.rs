//! right: joins the second half before the first, and uses a for loop with a running total in each thread.
// scope1_borrow: scoped threads may borrow from the caller.
//
// A thread from `thread::spawn` may run on after the function that started
// it has returned, for as long as it likes. So the compiler lets it take
// only what cannot disappear under it: values it owns (`move`), or data
// that lives for the whole program (`'static`). A borrowed slice is neither:
// its owner could drop it while the thread still reads.
//
// `thread::scope(|s| { ... })` makes a promise that `spawn` cannot: every
// thread started with `s.spawn` inside the scope is over by the time
// `thread::scope` returns (the scope waits for any you did not join). The
// threads end before the borrow does, so they may borrow: a slice, a
// closure, anything of the caller's, with no `move`, no copies and no
// `'static`. `s.spawn` gives back a handle whose `join` returns the
// thread's value, just like `thread::spawn`'s.
//
// Your task: `total_weight` adds up the weights of the items, one half of
// the slice after the other, on the calling thread. Give each half a
// thread of its own, both running at the same time, and add up what they
// hand back. (Try `thread::spawn` first, and read what the compiler says.)

use std::thread;

/// Adds up `weight(item)` for every item of `items`: the first half of the
/// slice, `items[..items.len() / 2]`, on one thread and the rest on
/// another, both at the same time, while the items stay where they are,
/// borrowed. Returns the total once both threads are done.
pub fn total_weight<T, W>(items: &[T], weight: W) -> u64
where
    T: Sync,
    W: Fn(&T) -> u64 + Sync,
{
    let mid = items.len() / 2;
    thread::scope(|s| {
        let left = s.spawn(|| {
            let mut sum = 0;
            for item in &items[..mid] {
                sum += weight(item);
            }
            sum
        });
        let right = s.spawn(|| {
            let mut sum = 0;
            for item in &items[mid..] {
                sum += weight(item);
            }
            sum
        });
        let right = right.join().unwrap();
        let left = left.join().unwrap();
        left + right
    })
}

fn main() {
    let shelf: Vec<String> = ["rope", "lantern", "map", "compass", "kettle", "blanket"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let letters = total_weight(&shelf, |word| {
        println!("{:?} weighs {word:?}", thread::current().id());
        word.len() as u64
    });
    println!("{} items, {letters} letters in all", shelf.len());
    // The shelf is still ours: the threads only borrowed it.
    println!("first item: {}", shelf[0]);
}
