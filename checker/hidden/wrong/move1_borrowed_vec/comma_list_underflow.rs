//! wrong: fails on an empty `Vec` (the text excludes no length): the thread prints all but the last item with a comma after each, counting to `items.len() - 1`, which underflows when there are no items.
// move1_borrowed_vec: a thread may outlive the function that started it, so
// its closure must own what it uses.
//
// A closure that only reads a variable borrows it: it holds a reference to
// a value that still belongs to the function around it. That is fine while
// the function is running. But `thread::spawn` cannot know when its thread
// will be done: the thread may still be running after the function has
// returned and its local variables are gone, and a reference to a value
// that is gone would be a dangling pointer. So `spawn` only accepts a
// closure that owns everything it uses.
//
// Writing `move` before the closure's `||` makes it take ownership of the
// variables it uses: they move into the closure, and with it into the new
// thread. They are no longer the function's, and they are dropped when the
// thread is done with them, on that thread.
//
// Your task: this file does not compile (E0373). Read the error, then give
// the thread's closure the items to keep. `show_all` starts a thread that
// prints every item, in order, and returns that thread's handle at once,
// while the thread may still be printing.

use std::fmt::Display;
use std::thread::{self, JoinHandle};

/// Starts a new thread that prints every item of `items`, in order, and
/// returns its handle straight away. The thread owns the items: it prints
/// them and drops them.
pub fn show_all<T>(items: Vec<T>) -> JoinHandle<()>
where
    T: Display + Send + Sync + 'static,
{
    thread::spawn(move || {
        let last = items.len() - 1;
        for item in &items[..last] {
            print!("{item}, ");
        }
        println!("{}", items[last]);
    })
}

fn main() {
    let fruit = vec!["apple", "banana", "cherry", "damson"];
    let handle = show_all(fruit);
    println!("show_all has returned; the thread prints the fruit meanwhile");
    handle.join().unwrap();
    println!("the thread is done");
}
