//! wrong: fails on an empty `Vec` (the text excludes no length): cuts from the back, starting at `(items.len() - 1) / part_len * part_len`, with no check for no items, so the subtraction underflows.
// move3_one_vec_many_threads: one value can move to one thread only; to
// share out the work, give each thread a part of its own.
//
// A `move` closure takes ownership of what it uses. In a loop that spawns
// several threads, the first closure takes the whole `Vec`, and there is
// nothing left to move into the second one: "use of moved value" (E0382),
// "value moved into closure here, in previous iteration of loop".
//
// Borrowing parts of it does not help either: a slice such as
// `&items[0..3]` still points into the `Vec` that the function owns, and a
// spawned thread may outlive the function. Each thread needs a part that it
// owns: a `Vec` of its own, holding its share of the items, taken out of
// the big one. `Vec` has methods that do that without copying any item:
// look at `split_off` and `drain`, or collect the items from `into_iter`
// into one new `Vec` per part.
//
// Your task: this file does not compile (E0382). Make `print_in_parts` hand
// each part of the items to a thread of its own, as it is described below.

use std::fmt::Display;
use std::thread;

/// Cuts `items` into parts of `part_len` items each, in order (the last
/// part may be shorter), and moves each part to a thread of its own, which
/// prints the items of its part and drops them. All the threads run at the
/// same time. Returns once every part is printed.
pub fn print_in_parts<T>(items: Vec<T>, part_len: usize)
where
    T: Display + Send + 'static,
{
    let mut items = items;
    let mut handles = Vec::new();
    // The last part starts at the last multiple of `part_len`; cut it off,
    // then the one before it, down to the first part at 0.
    let mut start = (items.len() - 1) / part_len * part_len;
    loop {
        let mine = items.split_off(start);
        handles.push(thread::spawn(move || {
            for item in &mine {
                println!("{item}");
            }
        }));
        if start == 0 {
            break;
        }
        start -= part_len;
    }
    for handle in handles {
        handle.join().unwrap();
    }
}

fn main() {
    let words: Vec<String> = "one vec many threads each with a part of its own"
        .split(' ')
        .map(String::from)
        .collect();
    print_in_parts(words, 3);
}
