//! right: prints on the calling thread too (how many parts, and when all are done), and numbers each part's lines.
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
    let count = items.len().div_ceil(part_len);
    println!("{count} parts of up to {part_len} items");
    let mut handles = Vec::new();
    for part in 0..count {
        let mine: Vec<T> = items.drain(..part_len.min(items.len())).collect();
        handles.push(thread::spawn(move || {
            println!("part {part} has {} items", mine.len());
            for (n, item) in mine.iter().enumerate() {
                println!("part {part}, item {n}: {item}");
            }
        }));
    }
    for handle in handles {
        handle.join().unwrap();
    }
    println!("all {count} parts printed");
}

fn main() {
    let words: Vec<String> = "one vec many threads each with a part of its own"
        .split(' ')
        .map(String::from)
        .collect();
    print_in_parts(words, 3);
}
