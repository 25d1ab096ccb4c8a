//! wrong: each thread collects its values in a `Vec` of its own and drops it: the slots are never written.
// scope2_borrow_rules: inside a scope, the borrow rules still hold.
//
// `thread::scope` lets threads borrow, but it does not suspend the rules of
// borrowing. Any number of threads may share a `&` borrow of the same data,
// or exactly one may hold a `&mut` borrow: never two `&mut` to the same
// value at the same time, and never a `&mut` beside a `&`. Two threads
// writing through the same `&mut` could both write one place at once, and
// the compiler refuses that before the program ever runs.
//
// What you can do is cut the data into parts that do not overlap. A slice
// can be split into two disjoint mutable halves (`split_at_mut`) or into
// several pieces (`chunks_mut`): each part is a `&mut` of its own, and each
// thread gets its own part. The threads still write at the same time, but
// never to the same place, and the compiler can see that.
//
// Your task: this file does not compile (E0499). Read the error: both
// threads capture all of `slots`. Let the first thread fill the first half
// and the second thread the second half, each through a `&mut` to its own
// half only.

use std::thread;

/// Fills every slot: `slots[i] = make(i)`, the first half of the slice,
/// `slots[..slots.len() / 2]`, on one thread and the rest on another, both
/// at the same time. Returns once every slot is filled.
pub fn fill<T, F>(slots: &mut [T], make: F)
where
    T: Send,
    F: Fn(usize) -> T + Sync,
{
    let half = slots.len() / 2;
    let len = slots.len();
    let make = &make;
    thread::scope(|s| {
        s.spawn(move || {
            let part: Vec<T> = (0..half).map(make).collect();
            println!("first half: made {} values", part.len());
        });
        s.spawn(move || {
            let part: Vec<T> = (half..len).map(make).collect();
            println!("second half: made {} values", part.len());
        });
    });
}

fn main() {
    let mut squares = vec![0u64; 10];
    fill(&mut squares, |i| {
        println!("{:?} makes slot {i}", thread::current().id());
        (i * i) as u64
    });
    println!("{squares:?}");
}
