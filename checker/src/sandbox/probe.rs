//! What the kernel offers, found on a throwaway thread: Landlock and seccomp
//! restrict the calling thread only (without their all-threads flags), so a
//! thread that restricts itself and ends leaves the checker as it was.

use std::collections::BTreeMap;
use std::thread;

use landlock::{AccessFs, LandlockStatus, Ruleset, RulesetAttr};
use seccompiler::{BpfProgram, SeccompAction, SeccompFilter};

/// The Landlock ABI version this kernel and our crate share; `None` without
/// Landlock (not built in, not enabled, or not Linux).
pub(super) fn landlock() -> Option<i32> {
    on_a_thread(|| {
        let status = Ruleset::default()
            .handle_access(AccessFs::Execute)
            .ok()?
            .create()
            .ok()?
            .restrict_self()
            .ok()?;
        match status.landlock {
            LandlockStatus::Available { effective_abi, .. } => Some(effective_abi as i32),
            _ => None,
        }
    })
    .flatten()
}

/// Whether a seccomp filter can be applied here.
pub(super) fn seccomp() -> bool {
    on_a_thread(|| {
        let Some(arch) = super::enter::arch() else {
            return false;
        };
        // A filter must hold a rule: this one's syscall (process
        // accounting) is never made here, and the thread ends anyway.
        let nearly_nothing = SeccompFilter::new(
            BTreeMap::from([(nix::libc::SYS_acct, Vec::new())]),
            SeccompAction::Allow,
            SeccompAction::Errno(nix::libc::EPERM as u32),
            arch,
        );
        nearly_nothing
            .and_then(BpfProgram::try_from)
            .is_ok_and(|program| seccompiler::apply_filter(&program).is_ok())
    })
    .unwrap_or(false)
}

fn on_a_thread<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    thread::Builder::new()
        .name("sandbox probe".into())
        .spawn(f)
        .ok()?
        .join()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// This machine's kernel (the one CI runs on) has both; the probe's
    /// restrictions stay on its own thread.
    #[test]
    fn this_kernel_offers_landlock_and_seccomp_and_the_probe_restricts_only_itself() {
        let abi = landlock().expect("Landlock on this machine");
        assert!(abi >= 1);
        assert!(seccomp());
        // Still free to execute programs and to make a socket.
        let ran = std::process::Command::new("true").status();
        assert!(ran.as_ref().is_ok_and(|s| s.success()), "{ran:?}");
        assert!(std::net::UdpSocket::bind("127.0.0.1:0").is_ok());
    }
}
