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
//! no features. The checker itself depends on this crate with the `serde`
//! feature, for [`protocol`] alone.
//!
//! Modules, by topic:
//! - [`protocol`]: the handshake on stdin, exit codes, limit marks and the
//!   report record: everything both sides must agree on;
//! - `harness`: the binary's `main`, one test's run and its record;
//! - `outcome`: what a hidden test is and returns (`Test`, `Failure`);
//! - `call`: the watchdog around calls into learner code;
//! - `rendezvous`: barrier, gate, held jobs let go while the caller joins;
//! - `observe`: threads as the OS sees them, logs, flags, the limits;
//! - `ask`: where what `observe` sees comes from: `/proc`, or the checker;
//! - `events`: what happened, in order, for the report;
//! - `probe`: values that are not `Clone` and note who reads and drops them;
//! - `program`: the learner's whole program as a process;
//! - `random`: inputs that differ on every run;
//! - `turns`: calls that meet, then finish in an order the test chose.
//!
//! Everything here must stay deterministic for correct code: deadlines
//! (`PATIENCE`) are only ever reached by wrong code.

pub mod procfs;
pub mod protocol;

mod ask;
mod call;
mod events;
mod harness;
mod observe;
mod outcome;
mod probe;
mod program;
mod random;
mod rendezvous;
pub mod status;
#[cfg(test)]
mod testing;
mod turns;
mod waits;

pub use call::{Call, STRAIGHT_AWAY, call};
pub use events::record;
pub use harness::{learner_uses_scope, main, panic_message};
pub use observe::{
    Entry, Flag, Log, os_thread_count, os_thread_id, os_thread_ids, poll_until, thread_is_alive,
};
pub use outcome::{Failure, Outcome, PATIENCE, Test};
pub use probe::{Probe, ProbeWatch, probes};
pub use program::{Program, run_program, run_programs};
pub use protocol::EventKind;
pub use random::{random, random_between, random_order, random_word};
pub use rendezvous::{Gate, HOLD, Held, TimedBarrier, let_all_go, let_go_in_order};
pub use turns::Turns;
pub use waits::Stopwatch;
