//! right: the thread gives the length back through `join`.
// move2_use_after_move: once a value has moved into a thread, it is the
// thread's; take what you need from it before it goes.
//
// A `move` closure takes ownership of the variables it uses, and
// `thread::spawn` hands that closure, and everything it owns, to the new
// thread. From then on the value belongs to the thread: the function that
// spawned it cannot read it any more, not even its length. The compiler
// says so with "borrow of moved value" (E0382), and it points at two
// places: where the value moved (the closure) and where it is used after.
//
// Two threads cannot both own a value. If the spawning function needs
// something from it later, it takes that something out first, while the
// value is still its own: a number such as a length is copied, and the
// copy stays behind when the value moves.
//
// Your task: this file does not compile (E0382). Read the error, then let
// `print_all` know how many items there are without touching `items` after
// they moved. `print_all` hands the items to a new thread that prints
// them, waits until that thread is done, and returns how many items were
// printed.

use std::fmt::Display;
use std::thread;

/// Moves `items` to a new thread, which prints each of them and drops
/// them. Waits until that thread is done, then returns how many items were
/// printed.
pub fn print_all<T>(items: Vec<T>) -> usize
where
    T: Display + Send + 'static,
{
    let handle = thread::spawn(move || {
        for item in &items {
            println!("{item}");
        }
        items.len()
    });
    handle.join().unwrap()
}

fn main() {
    let planets = vec!["Mercury", "Venus", "Earth", "Mars"];
    let printed = print_all(planets);
    println!("{printed} planets printed");
}
