//! `threadlings __sandbox SPEC`: restricts this process as the checker's
//! `Spec` says, then execs the test binary, which keeps the restrictions.
//! Anything it cannot apply that the checker found available ends it with
//! `EXIT_NOT_APPLIED` and a line on stderr: never a run with less than the
//! report says.

use std::collections::BTreeMap;
use std::os::unix::process::CommandExt;
use std::process::{Command, ExitCode};

use landlock::{
    ABI, Access, AccessFs, AccessNet, CompatLevel, Compatible, Ruleset, RulesetAttr,
    RulesetCreatedAttr, RulesetStatus, Scope, path_beneath_rules,
};
use nix::libc;
use nix::sys::resource::{Resource, setrlimit};
use seccompiler::{
    BpfProgram, SeccompAction, SeccompCmpArgLen, SeccompCmpOp, SeccompCondition, SeccompFilter,
    SeccompRule, TargetArch,
};

use super::{EXIT_NOT_APPLIED, NOT_APPLIED_MARK, Spec};

/// Runs the subcommand with the arguments after its name; returns only if
/// it failed (else the test binary has replaced this process).
pub(crate) fn main(args: &[std::ffi::OsString]) -> ExitCode {
    let spec = args
        .first()
        .and_then(|a| a.to_str())
        .and_then(|a| serde_json::from_str::<Spec>(a).ok());
    let Some(spec) = spec else {
        return fail("this is threadlings' own step before a test runs, not a command");
    };
    if let Err(e) = restrict(&spec) {
        return fail(&e);
    }
    let error = Command::new(&spec.program).arg0(&spec.name).exec();
    fail(&format!("cannot start {}: {error}", spec.program.display()))
}

fn fail(why: &str) -> ExitCode {
    eprintln!("{NOT_APPLIED_MARK}{why}");
    ExitCode::from(EXIT_NOT_APPLIED)
}

/// The largest file learner code may write (its scratch directory has no
/// quota of its own): past it, the process gets SIGXFSZ, a crash.
const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Applies Landlock, then seccomp (the filter denies nothing Landlock needs),
/// and the file size limit.
fn restrict(spec: &Spec) -> Result<(), String> {
    setrlimit(Resource::RLIMIT_FSIZE, MAX_FILE_BYTES, MAX_FILE_BYTES)
        .map_err(|e| format!("file size limit: {e}"))?;
    if let Some(abi) = spec.landlock {
        landlock(spec, abi).map_err(|e| format!("Landlock: {e}"))?;
    }
    if spec.seccomp {
        seccomp(spec.checker).map_err(|e| format!("seccomp: {e}"))?;
    }
    Ok(())
}

fn abi(version: i32) -> ABI {
    [
        ABI::V1,
        ABI::V2,
        ABI::V3,
        ABI::V4,
        ABI::V5,
        ABI::V6,
        ABI::V7,
        ABI::V8,
        ABI::V9,
    ]
    .into_iter()
    .rfind(|abi| *abi as i32 <= version)
    .unwrap_or(ABI::V1)
}

/// Files: only the spec's paths. Network: no TCP bind or connect (ABI 4).
/// Scopes: no signals and no abstract Unix sockets out of the run (ABI 6).
/// Everything the checker found must be enforced (`HardRequirement`).
fn landlock(spec: &Spec, version: i32) -> Result<(), Box<dyn std::error::Error>> {
    let abi = abi(version);
    let mut ruleset = Ruleset::default().set_compatibility(CompatLevel::HardRequirement);
    ruleset = ruleset.handle_access(AccessFs::from_all(abi))?;
    if abi >= ABI::V4 {
        ruleset = ruleset.handle_access(AccessNet::BindTcp | AccessNet::ConnectTcp)?;
    }
    if abi >= ABI::V6 {
        ruleset = ruleset.scope(Scope::Signal | Scope::AbstractUnixSocket)?;
    }
    let read = AccessFs::ReadFile | AccessFs::ReadDir;
    // Never read, never execute, no devices, FIFOs, sockets or links.
    let write_only = (AccessFs::WriteFile
        | AccessFs::MakeReg
        | AccessFs::MakeDir
        | AccessFs::RemoveFile
        | AccessFs::RemoveDir
        | AccessFs::Truncate)
        & AccessFs::from_all(abi);
    let status = ruleset
        .create()?
        .add_rules(path_beneath_rules(&spec.read, read))?
        .add_rules(path_beneath_rules(&spec.exec, read | AccessFs::Execute))?
        .add_rules(path_beneath_rules(&spec.write, write_only))?
        .add_rules(path_beneath_rules(
            &spec.read_write,
            AccessFs::ReadFile | AccessFs::WriteFile,
        ))?
        .restrict_self()?;
    if status.ruleset != RulesetStatus::FullyEnforced {
        return Err(format!("only {:?}", status.ruleset).into());
    }
    Ok(())
}

/// The architecture seccomp filters are built for here.
pub(super) fn arch() -> Option<TargetArch> {
    TargetArch::try_from(std::env::consts::ARCH).ok()
}

/// Denies (EPERM) what reaches outside the run without a file: a file's
/// mode, owner, times and attributes (by any path), sockets of any family,
/// other processes' memory (`ptrace`, `process_vm_readv`/`writev`,
/// `pidfd_getfd`), io_uring (which would bypass this filter), namespaces,
/// mounts, keys, BPF, perf, device nodes, what root could do to the system;
/// and signals to the checker or to every process (Landlock's scoping
/// covers the rest from ABI 6).
fn seccomp(checker: i32) -> Result<(), Box<dyn std::error::Error>> {
    let always: Vec<SeccompRule> = Vec::new();
    let mut rules: BTreeMap<i64, Vec<SeccompRule>> = [
        // Landlock does not mediate a file's mode, owner, times or
        // attributes, and std can change them by any path.
        libc::SYS_chmod,
        libc::SYS_fchmod,
        libc::SYS_fchmodat,
        libc::SYS_fchmodat2,
        libc::SYS_chown,
        libc::SYS_fchown,
        libc::SYS_lchown,
        libc::SYS_fchownat,
        libc::SYS_utime,
        libc::SYS_utimes,
        libc::SYS_futimesat,
        libc::SYS_utimensat,
        libc::SYS_setxattr,
        libc::SYS_lsetxattr,
        libc::SYS_fsetxattr,
        libc::SYS_removexattr,
        libc::SYS_lremovexattr,
        libc::SYS_fremovexattr,
        // What a root user could do to the system.
        libc::SYS_syslog,
        libc::SYS_reboot,
        libc::SYS_kexec_load,
        libc::SYS_init_module,
        libc::SYS_finit_module,
        libc::SYS_delete_module,
        libc::SYS_swapon,
        libc::SYS_swapoff,
        libc::SYS_acct,
        libc::SYS_settimeofday,
        libc::SYS_clock_settime,
        libc::SYS_clock_adjtime,
        libc::SYS_adjtimex,
        libc::SYS_sethostname,
        libc::SYS_setdomainname,
        libc::SYS_quotactl,
        libc::SYS_fanotify_init,
        libc::SYS_mknod,
        libc::SYS_mknodat,
        libc::SYS_socket,
        libc::SYS_ptrace,
        libc::SYS_process_vm_readv,
        libc::SYS_process_vm_writev,
        libc::SYS_pidfd_getfd,
        libc::SYS_io_uring_setup,
        libc::SYS_io_uring_enter,
        libc::SYS_io_uring_register,
        libc::SYS_bpf,
        libc::SYS_perf_event_open,
        libc::SYS_userfaultfd,
        libc::SYS_unshare,
        libc::SYS_setns,
        libc::SYS_mount,
        libc::SYS_umount2,
        libc::SYS_pivot_root,
        libc::SYS_chroot,
        libc::SYS_add_key,
        libc::SYS_request_key,
        libc::SYS_keyctl,
        libc::SYS_open_by_handle_at,
        libc::SYS_name_to_handle_at,
    ]
    .into_iter()
    .map(|nr| (nr, always.clone()))
    .collect();
    let pid_is = |value: i32| {
        SeccompCondition::new(
            0,
            SeccompCmpArgLen::Dword,
            SeccompCmpOp::Eq,
            value as u32 as u64,
        )
    };
    rules.insert(
        libc::SYS_kill,
        vec![
            SeccompRule::new(vec![pid_is(checker)?])?,
            SeccompRule::new(vec![pid_is(-1)?])?,
            SeccompRule::new(vec![pid_is(-checker)?])?,
        ],
    );
    for nr in [libc::SYS_tkill, libc::SYS_tgkill] {
        rules.insert(nr, vec![SeccompRule::new(vec![pid_is(checker)?])?]);
    }
    let arch = arch().ok_or("an architecture seccompiler does not know")?;
    let filter = SeccompFilter::new(
        rules,
        SeccompAction::Allow,
        SeccompAction::Errno(libc::EPERM as u32),
        arch,
    )?;
    let program = BpfProgram::try_from(filter)?;
    seccompiler::apply_filter(&program)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::os::unix::fs::PermissionsExt;
    use std::path::PathBuf;

    /// The rules themselves, applied to a throwaway thread (Landlock and
    /// seccomp restrict the calling thread only): what a test process needs
    /// still works, and each way out is refused by the kernel, including
    /// those only `unsafe` code could try (learner files cannot: they are
    /// compiled with `-F unsafe_code`; the integration tests try the rest
    /// from learner code).
    #[test]
    fn the_kernel_refuses_every_way_out_and_allows_the_scratch_directory() {
        let scratch = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let secret = outside.path().join("solution.rs");
        std::fs::write(&secret, "fn main() {}").unwrap();
        let parent = std::os::unix::process::parent_id() as i32;
        let spec = Spec {
            program: PathBuf::from("/nonexistent"),
            name: "test".into(),
            read: Vec::new(),
            exec: Vec::new(),
            write: vec![scratch.path().to_path_buf()],
            read_write: Vec::new(),
            landlock: super::super::probe::landlock(),
            seccomp: true,
            // The test runner stands for the checker.
            checker: parent,
        };
        // Any Landlock (the tests need a kernel with it); below ABI 6, the
        // signal is refused by seccomp's rule about the checker's pid.
        assert!(spec.landlock.is_some(), "this machine's kernel");
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let inside = scratch.path().join("note");
        let tried = std::thread::spawn(move || {
            restrict(&spec).unwrap();
            let mut refused: Vec<(&str, bool)> = Vec::new();
            let mut note = std::fs::File::create(&inside).unwrap();
            note.write_all(b"the scratch directory is writable")
                .unwrap();
            refused.push(("read back what it wrote", std::fs::read(&inside).is_err()));
            refused.push((
                "make what it wrote executable",
                std::fs::set_permissions(&inside, std::fs::Permissions::from_mode(0o755)).is_err(),
            ));
            refused.push((
                "change a file's mode elsewhere",
                std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o777)).is_err(),
            ));
            refused.push(("read a file elsewhere", std::fs::read(&secret).is_err()));
            refused.push((
                "open /proc/self/mem",
                std::fs::File::open("/proc/self/mem").is_err(),
            ));
            refused.push(("list /proc", std::fs::read_dir("/proc").is_err()));
            refused.push((
                "connect over TCP",
                std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
            ));
            refused.push((
                "make a UDP socket",
                std::net::UdpSocket::bind("127.0.0.1:0").is_err(),
            ));
            refused.push((
                "start a program",
                std::process::Command::new("true").status().is_err(),
            ));
            let checker = nix::unistd::Pid::from_raw(parent);
            refused.push((
                "signal the checker",
                nix::sys::signal::kill(checker, None).is_err(),
            ));
            refused.push(("ptrace", nix::sys::ptrace::traceme().is_err()));
            let mut buf = [0u8; 8];
            let local = [std::io::IoSliceMut::new(&mut buf)];
            let remote = [nix::sys::uio::RemoteIoVec {
                base: local[0].as_ptr() as usize,
                len: 8,
            }];
            let me = nix::unistd::Pid::this();
            let mut local = local;
            refused.push((
                "process_vm_readv",
                nix::sys::uio::process_vm_readv(me, &mut local, &remote).is_err(),
            ));
            refused
        })
        .join()
        .unwrap();
        let allowed: Vec<&str> = tried
            .iter()
            .filter(|(_, r)| !r)
            .map(|(what, _)| *what)
            .collect();
        assert_eq!(allowed, Vec::<&str>::new(), "the kernel allowed these");
        assert!(scratch.path().join("note").is_file());
        // This thread was never restricted.
        assert!(std::fs::read(outside.path().join("solution.rs")).is_ok());
        assert!(
            listener.set_nonblocking(true).is_ok() && listener.accept().is_err(),
            "no connection"
        );
    }

    #[test]
    fn an_abi_number_maps_to_the_newest_abi_not_above_it() {
        assert_eq!(abi(1), ABI::V1);
        assert_eq!(abi(6), ABI::V6);
        assert_eq!(abi(42), ABI::V9);
        assert_eq!(abi(0), ABI::V1);
    }
}
