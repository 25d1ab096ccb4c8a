//! wrong: walks the indices `0..=items.len() - 1`: for an empty list `len() - 1` underflows and the worker panics instead of giving the empty `Vec` back.
// result2_give_it_back: a thread can hand what it owns back through `join`.
//
// A `move` closure takes its `Vec` along to the new thread, and from then
// on the thread owns it: the code that spawned it cannot touch it any more.
// That is not a one-way trip. Whatever the closure returns travels back
// through the `JoinHandle`, and that includes the `Vec` itself: the
// closure ends with the `Vec`, and whoever joins the handle owns it again.
// Nothing is copied: the very same `Vec`, with the same items in the same
// place in memory, changes hands twice.
//
// Here, `in_background` lends a list to a worker thread that changes every
// item; the caller gets on with other things, and later joins the handle
// to get the list back.
//
// Your task: this file does not compile (E0308). The handle `in_background`
// returns must give the list back when it is joined, and right now the
// worker's closure ends with nothing. Make it give the `Vec` back.

use std::thread::{self, JoinHandle};

/// Moves `items` to a new thread, which calls `work` on each item, in
/// order, and then gives the very same `Vec` back: it comes out of the
/// handle's `join`. Returns the worker's handle straight away, while the
/// worker may still be busy.
pub fn in_background<T, F>(mut items: Vec<T>, mut work: F) -> JoinHandle<Vec<T>>
where
    T: Send + 'static,
    F: FnMut(&mut T) + Send + 'static,
{
    thread::spawn(move || {
        // From the first index to the last one.
        let last = items.len() - 1;
        let mut i = 0;
        while i <= last {
            work(&mut items[i]);
            i += 1;
        }
        items
    })
}

fn main() {
    let words: Vec<String> = ["ferris", "crab", "thread"].map(String::from).into();
    let handle = in_background(words, |word| word.make_ascii_uppercase());
    println!("the worker has the words; main is free in the meantime");
    let words = handle.join().unwrap();
    println!("back from the worker: {words:?}");
}
