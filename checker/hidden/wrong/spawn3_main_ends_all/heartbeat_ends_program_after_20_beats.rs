// WRONG: "a thread that calls `beat` again and again, forever": after 20 beats it ends the whole program
// spawn3_main_ends_all: a spawned thread does not keep the program alive.
//
// When `main` returns, the whole process ends, and every thread still running
// ends with it, wherever it was. Nobody waits for them. That can cut off work
// you cared about (chapter 2 shows how to wait for it), but it also means a
// thread that runs forever, like the heartbeat below, never keeps the program
// from finishing.
//
// Your task: `run` starts the heartbeat, does the work, and returns as soon
// as the work is done, leaving the heartbeat beating. The heartbeat ends when
// the program ends. Leave `main` as it is: the tests run it too.

use std::thread::{self, JoinHandle};
use std::time::Duration;

/// Starts a heartbeat: a thread that calls `beat` again and again, forever.
pub fn start_heartbeat<F>(mut beat: F) -> JoinHandle<()>
where
    F: FnMut() + Send + 'static,
{
    thread::spawn(move || {
        // Twenty beats are plenty; then stop everything.
        for _ in 0..20 {
            beat();
            thread::sleep(Duration::from_millis(10));
        }
        std::process::exit(0);
    })
}

/// Starts a heartbeat that calls `beat`, then does `work` on this thread,
/// and returns once the work is done.
pub fn run<F, W>(beat: F, work: W)
where
    F: FnMut() + Send + 'static,
    W: FnOnce(),
{
    // No need to keep the handle: nobody waits for a heartbeat. It stops
    // when the program ends.
    start_heartbeat(beat);
    work();
}

fn main() {
    run(
        || println!("    (thump)"),
        || {
            for step in 1..=4 {
                println!("working: step {step}");
                thread::sleep(Duration::from_millis(10));
            }
        },
    );
    println!("work done: main returns, the heartbeat stops with the program");
}
