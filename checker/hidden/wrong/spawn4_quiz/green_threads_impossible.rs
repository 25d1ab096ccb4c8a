//! wrong: question 2 says green threads cannot be written in Rust at all.
// spawn4_quiz: what a spawned thread is, and what a program without `join`
// can print.
//
// Answer the three questions by changing the `Unanswered` constants below,
// then finish `spawn_many` at the bottom, which lets you watch the answer to
// question 1 for yourself.

use std::thread::{self, JoinHandle};

// ---------------------------------------------------------------------------
// Question 1. Languages run their threads in one of two ways:
//
// * 1:1 — every thread of the program is a thread of the operating system;
//   the OS decides which one runs on which CPU core, and when.
// * M:N — the language runs M lightweight "green" threads of its own on top
//   of N OS threads, with a scheduler inside the program deciding which
//   green thread gets an OS thread next.
//
// Which of the two does Rust's `std::thread::spawn` use?
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Model {
    Unanswered,
    /// Every `spawn` creates one OS thread.
    OneToOne,
    /// `spawn` creates green threads that share a few OS threads.
    MToN,
}

pub const MODEL: Model = Model::OneToOne;

// ---------------------------------------------------------------------------
// Question 2. The standard library offers only one of the two models. Why?
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    Unanswered,
    /// Green threads cannot be written in Rust at all.
    GreenThreadsAreImpossible,
    /// Rust keeps the runtime every program carries small: OS threads come
    /// with the OS, while green threads would need a scheduler inside every
    /// program. Crates offer M:N to the programs that want it.
    SmallRuntime,
    /// OS threads are faster than green threads in every situation.
    AlwaysFaster,
}

pub const WHY: Reason = Reason::GreenThreadsAreImpossible;

// ---------------------------------------------------------------------------
// Question 3. This program has no `join`:
//
//     use std::thread;
//
//     fn main() {
//         thread::spawn(|| {
//             println!("s1");
//             println!("s2");
//         });
//         println!("m1");
//         println!("m2");
//     }
//
// Each `println!` writes its whole line in one piece: lines never get mixed
// up inside. For each output below, is it possible (some run could print
// exactly these lines, in this order, and nothing else) or impossible?
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Unanswered,
    Possible,
    Impossible,
}

/// (a) `m1`, `m2`
pub const OUTPUT_A: Verdict = Verdict::Possible;
/// (b) `s1`, `s2`, `m1`, `m2`
pub const OUTPUT_B: Verdict = Verdict::Possible;
/// (c) `m1`, `s1`, `m2`
pub const OUTPUT_C: Verdict = Verdict::Possible;
/// (d) `m1`, `s2`, `m2`
pub const OUTPUT_D: Verdict = Verdict::Impossible;
/// (e) `s1`, `s2`, `m1`
pub const OUTPUT_E: Verdict = Verdict::Impossible;
/// (f) `m1`, `m2`, `s1`
pub const OUTPUT_F: Verdict = Verdict::Possible;

// ---------------------------------------------------------------------------
// To see question 1 for yourself: `spawn_many(n, job)` starts `n` threads at
// once; thread number `i` (counting from 0) calls `job(i)`. It returns their
// handles, in order, without waiting for the threads. The tests count the
// OS's threads while all of them run.
// ---------------------------------------------------------------------------

/// Starts `n` threads at once; thread `i` calls `job(i)`. Returns the handles.
pub fn spawn_many<F>(n: usize, job: F) -> Vec<JoinHandle<()>>
where
    F: Fn(usize) + Send + Clone + 'static,
{
    (0..n)
        .map(|i| {
            let job = job.clone();
            thread::spawn(move || job(i))
        })
        .collect()
}

fn main() {
    let unanswered = [MODEL == Model::Unanswered, WHY == Reason::Unanswered]
        .into_iter()
        .chain(
            [OUTPUT_A, OUTPUT_B, OUTPUT_C, OUTPUT_D, OUTPUT_E, OUTPUT_F]
                .map(|verdict| verdict == Verdict::Unanswered),
        )
        .filter(|&open| open)
        .count();
    println!("{unanswered} answer(s) still to give");
    let handles = spawn_many(4, |i| {
        println!("job {i} runs on {:?}", thread::current().id());
    });
    // Wait for the jobs (chapter 2 explains `join`).
    for handle in handles {
        handle.join().unwrap();
    }
}
