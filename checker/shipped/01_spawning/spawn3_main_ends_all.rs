// spawn3_main_ends_all: a spawned thread does not keep the program alive.
//
// When `main` returns, the whole process ends, and every thread still running
// ends with it, wherever it was. Nobody waits for them. That can cut off work
// you cared about (chapter 2 shows how to wait for it), but it also means a
// thread that runs forever, like the heartbeat below, never keeps the program
// from finishing.
//
// Right now `run` waits for the heartbeat to finish, and a heartbeat never
// finishes: this program hangs (stop it with Ctrl-C).
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
        loop {
            beat();
            thread::sleep(Duration::from_millis(10));
        }
    })
}

/// Starts a heartbeat that calls `beat`, then does `work` on this thread,
/// and returns once the work is done.
pub fn run<F, W>(beat: F, work: W)
where
    F: FnMut() + Send + 'static,
    W: FnOnce(),
{
    let heartbeat = start_heartbeat(beat);
    work();
    // TODO: this waits for the heartbeat to end, and it never does.
    heartbeat.join().unwrap();
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
