//! The runtime of every threadlings test binary, and the protocol it speaks
//! with the checker.
//!
//! threadlings compiles the learner's file as a crate of its own, `learner`
//! (it cannot name this library or the hidden tests), then a test crate that
//! holds the exercise's hidden tests as module `hidden`, the learner's crate
//! as `learner` and this library as module `support` (`pub use
//! threadlings_support::*`), so hidden tests write `use super::learner;` and
//! `use super::support::*;`. The checker embeds these sources and
//! compiles them with plain rustc into an rlib once per toolchain: std only,
//! no features. The checker builds it as its library with the `serde`
//! feature (for [`protocol`] alone) and shares the protocol and `procfs`.
//!
//! Modules, by topic:
//! - [`protocol`]: the handshake on stdin, exit codes, limit marks and the
//!   report record: everything both sides must agree on;
//! - `harness`: the binary's `main`, one test's run and its record;
//! - `outcome`: what a hidden test is and returns (`Test`, `Failure`);
//! - `call`: the watchdog around calls into learner code;
//! - `caller`: the calling thread, as the test's hooks see it;
//! - `rendezvous`: barrier, gate, held jobs let go while the caller joins;
//! - `observe`: threads as the OS sees them, logs, flags, the limits;
//! - `ask`: where what `observe` sees comes from: `/proc`, or the checker;
//! - `address_space`: the size of the process's address space (`VmSize`),
//!   where a running thread's whole stack shows, untouched;
//! - `events`: what happened, in order, for the report: a lane per thread
//!   (its first `MAX_THREADS`), its `exited` recorded by a thread-local guard;
//! - `panics`: jobs that panic with a random payload and note the thread;
//! - `first_touch`: which threads came into a test's closure, once each, in
//!   order (a once-per-thread step whatever the learner's split);
//! - `probe`: values that are not `Clone` and note who reads and drops them,
//!   hooks on their reads and drops (hold the first, meet per thread), `where_moved`;
//! - `program`: the learner's whole program as a process;
//! - `random`: inputs that differ on every run;
//! - `threads_started`: how many threads some code started, idle ones too
//!   (from the numbers std gives new threads);
//! - `turns`: calls that meet, then finish in an order the test chose;
//! - `wording`: wording shared by failure messages.
//!
//! Everything here must stay deterministic for correct code: deadlines
//! (`PATIENCE`) are only ever reached by wrong code.

// This library is compiled by the learner's rustc, which the checker
// requires to be 1.85 or newer, and by the checker's package, which declares
// 1.89: each module tells clippy to hold its std API and syntax to 1.85 (an
// inner `#![clippy::msrv]` on the crate would need a nightly feature).
#[clippy::msrv = "1.85"]
pub mod procfs;
#[clippy::msrv = "1.85"]
pub mod protocol;

#[clippy::msrv = "1.85"]
mod address_space;
#[clippy::msrv = "1.85"]
mod ask;
#[clippy::msrv = "1.85"]
mod call;
#[clippy::msrv = "1.85"]
mod caller;
#[clippy::msrv = "1.85"]
mod events;
#[clippy::msrv = "1.85"]
mod first_touch;
#[clippy::msrv = "1.85"]
mod harness;
#[clippy::msrv = "1.85"]
mod observe;
#[clippy::msrv = "1.85"]
mod outcome;
#[clippy::msrv = "1.85"]
mod panics;
#[clippy::msrv = "1.85"]
mod probe;
#[clippy::msrv = "1.85"]
mod program;
#[clippy::msrv = "1.85"]
mod random;
#[clippy::msrv = "1.85"]
mod rendezvous;
#[clippy::msrv = "1.85"]
pub mod status;
#[clippy::msrv = "1.85"]
#[cfg(test)]
mod testing;
#[clippy::msrv = "1.85"]
mod threads_started;
#[clippy::msrv = "1.85"]
mod turns;
#[clippy::msrv = "1.85"]
mod waits;
#[clippy::msrv = "1.85"]
mod wording;

pub use address_space::virtual_size;
pub use call::{Call, STRAIGHT_AWAY, call};
pub use caller::Caller;
pub use events::{join_seen, record};
pub use first_touch::FirstTouch;
pub use harness::{learner_uses_scope, main, panic_message};
pub use observe::{
    Entry, Flag, Log, os_thread_count, os_thread_id, os_thread_ids, poll_until, thread_is_alive,
};
pub use outcome::{Failure, Outcome, PATIENCE, Test};
pub use panics::{PanicWatch, Payload, panicking_job, panicking_job_unwinding};
pub use probe::{
    NotMoved, Probe, ProbeWatch, all_dropped, hold_first_call, meet_once_per_thread, probes,
    probes_with, where_moved, where_read,
};
pub use program::{Program, run_program, run_programs};
pub use protocol::EventKind;
pub use random::{random, random_between, random_order, random_word};
pub use rendezvous::{Gate, HOLD, Held, TimedBarrier, let_all_go, let_go_in_order};
pub use threads_started::threads_started_during;
pub use turns::Turns;
pub use waits::Stopwatch;
pub use wording::a_few;
