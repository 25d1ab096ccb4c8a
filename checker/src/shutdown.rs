//! Ctrl-C, SIGTERM or SIGHUP: kill every process we started, let a progress
//! write in flight finish, give the terminal back, and exit. A second signal
//! exits at once.

use std::sync::atomic::{AtomicUsize, Ordering};

#[expect(
    clippy::disallowed_methods,
    reason = "a signal handler has no caller to return an exit code to"
)]
pub(crate) fn on_signals() {
    static SIGNALS: AtomicUsize = AtomicUsize::new(0);
    let _ = ctrlc::set_handler(|| {
        if SIGNALS.fetch_add(1, Ordering::SeqCst) > 0 {
            std::process::exit(130);
        }
        crate::engine::interrupt();
        crate::supervise::shutdown();
        let _writing = crate::state::WRITING.lock();
        crate::watch::terminal::restore();
        std::process::exit(130);
    });
}
