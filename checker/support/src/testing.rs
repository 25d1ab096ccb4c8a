//! For the unit tests: a lock that keeps tests which count every thread of
//! the process (`let_go_in_order` accounts for each one) apart from tests
//! that start threads, and a deadline only broken code reaches.
//!
//! Every test takes it: shared (tests that start threads join them before
//! they end), or alone for tests that need the process to themselves. A test
//! without it would be a thread of the process that such a test sees as the
//! learner's, busy, and fails on (libtest runs each test on a thread of its
//! own, started whenever a slot is free).

use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

use crate::observe::poll_until;

/// Far longer than correct code needs on a loaded machine.
pub(crate) const DEADLINE: Duration = Duration::from_secs(30);

static THREADS: RwLock<()> = RwLock::new(());

/// For a test that starts threads (and joins them before it ends).
pub(crate) fn spawning() -> RwLockReadGuard<'static, ()> {
    THREADS.read().unwrap_or_else(|e| e.into_inner())
}

/// For a test that must see no thread of another test.
pub(crate) fn alone() -> RwLockWriteGuard<'static, ()> {
    THREADS.write().unwrap_or_else(|e| e.into_inner())
}

/// Waits until `condition` holds; `false` only past `DEADLINE`.
pub(crate) fn wait_for(condition: impl FnMut() -> bool) -> bool {
    poll_until(DEADLINE, condition)
}
