//! The size of this process's address space (`VmSize`), as the kernel
//! counts it: every mapping, touched or not. A thread's stack is mapped in
//! whole when the thread starts, but its pages are only backed by memory
//! once written, so a thread with a huge stack grows `VmSize` by the stack
//! it was given while its resident memory (`VmRSS`, what the limits watch)
//! hardly moves. That makes the size of a running thread's stack
//! observable without touching it.

use crate::ask::ask_one;
use crate::protocol::Question;

/// The size of this process's address space in bytes (`VmSize`), `None`
/// where it cannot be observed.
pub fn virtual_size() -> Option<u64> {
    let status = ask_one(Question::Status)?;
    let kib = crate::procfs::status_field(&status, "VmSize:");
    (kib > 0).then_some(kib * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::thread;

    #[test]
    fn a_running_thread_s_stack_counts_in_whole() {
        // Alone: another test's threads would come and go in the middle.
        let _alone = crate::testing::alone();
        let stack = 768 << 20;
        let before = virtual_size().expect("VmSize");
        let (tx, rx) = mpsc::channel::<()>();
        let (started_tx, started) = mpsc::channel::<()>();
        let thread = thread::Builder::new()
            .stack_size(stack)
            .spawn(move || {
                let _ = started_tx.send(());
                let _ = rx.recv();
            })
            .expect("a thread with a 768 MiB stack, mapped lazily");
        started.recv().unwrap();
        let during = virtual_size().expect("VmSize");
        tx.send(()).unwrap();
        thread.join().unwrap();
        let grown = during.saturating_sub(before);
        assert!(grown >= stack as u64, "grew by {grown} bytes only");
        assert!(grown < stack as u64 + (512 << 20), "grew by {grown} bytes");
    }
}
