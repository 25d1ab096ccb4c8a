// spawn1_closure: hand `spawn` something it can call later.
//
// `thread::spawn` starts a new thread and, on that new thread, calls the
// closure (or function) you gave it. The important word is *gave*: you pass
// the job itself, not what the job returns. If you call the job yourself
// while building the argument, it runs right here, on the current thread,
// and `spawn` receives only its result.
//
// Your task: make `start` hand `job` to a new thread and return that
// thread's `JoinHandle`. `start` must return straight away, while the job
// may still be running over there.
//
// This file does not compile yet: read what the compiler says about `()`.

use std::thread::{self, JoinHandle};

/// Starts `job` on a new thread and returns the new thread's handle.
/// `start` itself never runs the job.
pub fn start<F>(job: F) -> JoinHandle<()>
where
    F: FnOnce() + Send + 'static,
{
    // TODO: `spawn` needs the job itself, not the result of calling it.
    thread::spawn(job())
}

fn greet() {
    println!("hello from {:?}", thread::current().id());
}

fn main() {
    println!("main runs on {:?}", thread::current().id());
    let handle = start(greet);
    // Chapter 2 is about `join`: here it simply waits for the greeting.
    handle.join().unwrap();
}
