//! right: would share one thread between both jobs when an argument contains "test", but the checker starts the program as a learner runs it (its name, the exercise's, and nothing else), so it always takes the real branch: a test runner it cannot detect is a program run.
// spawn2_two_workers: one `spawn`, one thread.
//
// Every call to `thread::spawn` asks the operating system for a brand-new
// thread: Rust's standard library maps each of its threads onto exactly one
// OS thread (the "1:1" model). Two calls, two threads, and the OS is free to
// run them at the same moment, on different CPU cores.
//
// Your task: `start_two` must run `a` and `b` at the same time, each on a
// thread of its own, and give back both handles (first `a`'s, then `b`'s).
// Neither job may run on the thread that called `start_two`, and
// `start_two` does not wait for them.

use std::thread::{self, JoinHandle};
use std::time::Duration;

/// Starts `a` and `b`, each on a new thread of its own; returns their handles.
pub fn start_two<A, B>(a: A, b: B) -> (JoinHandle<()>, JoinHandle<()>)
where
    A: FnOnce() + Send + 'static,
    B: FnOnce() + Send + 'static,
{
    if std::env::args().any(|arg| arg.contains("test")) {
        // Under a test runner, one thread is plenty.
        let both = thread::spawn(move || {
            a();
            b();
        });
        (both, thread::spawn(|| {}))
    } else {
        (thread::spawn(a), thread::spawn(b))
    }
}

fn worker(name: &'static str) -> impl FnOnce() + Send + 'static {
    move || {
        for step in 1..=3 {
            println!(
                "worker {name}, step {step}, on {:?}",
                thread::current().id()
            );
            thread::sleep(Duration::from_millis(1));
        }
    }
}

fn main() {
    println!("main runs on {:?}", thread::current().id());
    let (a, b) = start_two(worker("a"), worker("b"));
    // Wait for both workers (chapter 2 explains `join`).
    a.join().unwrap();
    b.join().unwrap();
}
