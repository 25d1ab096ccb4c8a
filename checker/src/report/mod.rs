//! Reporters: what each command shows of the engine's events. One file per
//! way of showing them; a new output format is one new file here.
//!
//! * `human`: a verdict as a person reads it (run, and the colours and
//!   wording shared by every command and watch mode);
//! * `json`: a verdict as one JSON object (run --json);
//! * `progress`: a `done/total` bar while many jobs run (check, verify).
//!
//! Watch mode's reporter lives with watch mode: it turns events into
//! messages for its screen loop.

pub(crate) mod class;
pub(crate) mod human;
pub(crate) mod json;
pub(crate) mod progress;
