//! Running one untrusted process under limits: its own process group, a
//! wall-clock limit after which the whole group is killed, a cap on the
//! output, and caps on the live threads and resident memory of the process
//! (sampled from /proc: RLIMIT_NPROC counts per user and root ignores it,
//! RLIMIT_AS trips on thread stacks and allocator arenas). It knows nothing
//! about tests or verdicts: it reports how the process ended and what it
//! printed.
//!
//! A hidden test that runs the learner's program (a grandchild) watches it
//! the same way (`procfs::limit_hit` judges both); outside the sandbox the
//! test binaries also watch themselves.

use std::ffi::{OsStr, OsString};
use std::io::{Read, Write};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, LazyLock, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, killpg};
use nix::sys::wait::{Id, WaitPidFlag, waitid};
use nix::unistd::Pid;
use threadlings_support::procfs::{is_running, limit_hit, parent_links, parent_of};
use threadlings_support::protocol::LimitHit;

/// Limits for one run.
#[derive(Clone, Copy, Debug, serde::Serialize)]
pub(crate) struct Limits {
    #[serde(rename = "timeout_secs", serialize_with = "as_secs")]
    pub timeout: Duration,
    /// stdout and stderr together.
    pub max_output_bytes: usize,
    /// Live threads of one process.
    pub max_threads: u64,
    /// Resident memory of one process, in MiB.
    pub max_memory_mb: u64,
}

fn as_secs<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(d.as_secs())
}

impl Limits {
    pub const DEFAULT_MAX_OUTPUT: usize = 1024 * 1024;
    pub const DEFAULT_MAX_THREADS: u64 = 256;
    pub const DEFAULT_MAX_MEMORY_MB: u64 = 1024;
}

/// How often the process's threads and memory are sampled.
const SAMPLE_EVERY: Duration = Duration::from_millis(20);

/// How the process ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Exit {
    Code(i32),
    Signal(i32),
    /// We killed it at the wall-clock limit.
    TimedOut,
    /// We killed it for printing more than the output limit.
    OutputLimit,
    /// We killed it for having this many live threads.
    ThreadLimit(u64),
    /// We killed it for using this many MiB of resident memory.
    MemoryLimit(u64),
    /// We killed it because the caller asked us to stop.
    Stopped,
}

/// What one run produced.
#[derive(Debug)]
pub(crate) struct Finished {
    pub exit: Exit,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

/// How long a process gets between TERM and KILL.
const GRACE: Duration = Duration::from_millis(100);
/// How long to wait for the output pipes to close after the group is dead
/// (a process that left the group could hold them open forever).
const PIPE_DRAIN: Duration = Duration::from_secs(1);

enum Msg {
    Exited(std::io::Result<()>),
    OutputLimit,
}

/// Process groups running now, so that a shutdown can kill them all.
static LIVE: Mutex<Live> = Mutex::new(Live {
    groups: Vec::new(),
    stopping: false,
});

struct Live {
    groups: Vec<i32>,
    /// Set by `shutdown`: no new process may start.
    stopping: bool,
}

fn live() -> std::sync::MutexGuard<'static, Live> {
    LIVE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Whether `shutdown` was called: results from now on are not to be trusted.
pub(crate) fn is_stopping() -> bool {
    live().stopping
}

/// Kills every process group started here and refuses to start new ones.
/// Called on Ctrl-C, SIGTERM and when watch mode quits: nothing we started
/// may outlive us.
pub(crate) fn shutdown() {
    let groups = {
        let mut live = live();
        live.stopping = true;
        // Everything below us first, found by parent links while they still
        // hold: a process that left its group is found through its parent.
        kill_descendants();
        for &group in &live.groups {
            let _ = killpg(Pid::from_raw(group), Signal::SIGKILL);
        }
        live.groups.clone()
    };
    // Processes that left those groups come to us (we are their subreaper)
    // once each group's leader has died: wait for that, briefly, then sweep.
    let deadline = Instant::now() + Duration::from_millis(500);
    while Instant::now() < deadline && groups.iter().any(|&pid| is_running(pid)) {
        thread::sleep(Duration::from_millis(5));
    }
    sweep_orphans();
}

/// SIGKILLs every process descended from this one.
fn kill_descendants() {
    let me = std::process::id() as i32;
    for pid in descendants(&[me]) {
        let _ = nix::sys::signal::kill(Pid::from_raw(pid), Signal::SIGKILL);
    }
}

/// Every process below `roots` (not the roots themselves), found by parent
/// links read now.
fn descendants(roots: &[i32]) -> Vec<i32> {
    let links = parent_links();
    let mut below = roots.to_vec();
    let mut at = 0;
    while at < below.len() {
        let parent = below[at];
        below.extend(
            links
                .iter()
                .filter(|&&(_, p)| p == parent)
                .map(|&(pid, _)| pid),
        );
        at += 1;
    }
    below.split_off(roots.len())
}

/// The checker's environment less what the checker's own start put there:
/// cargo's variables (`CARGO_PKG_NAME=threadlings`, `CARGO_MANIFEST_DIR`,
/// `CARGO_BIN_NAME`, `OUT_DIR`, `__CARGO_*`...), `RUST_*` (a backtrace
/// setting among them) and threadlings' own (`THREADLINGS_*`, including the
/// ones cargo passes on from the build script), and cargo's directories in
/// `LD_LIBRARY_PATH`. What is left is the learner's own (PATH, HOME, TERM,
/// LANG...): a program or rustc started with it cannot tell from its
/// environment that threadlings started it.
pub(crate) fn clean_env() -> &'static [(OsString, OsString)] {
    static CLEAN: LazyLock<Vec<(OsString, OsString)>> = LazyLock::new(|| {
        let ours = std::env::current_exe()
            .ok()
            .and_then(|exe| Some(exe.parent()?.to_path_buf()));
        std::env::vars_os()
            .filter(|(name, _)| !put_there_by_us(name))
            .filter_map(|(name, value)| {
                if name != "LD_LIBRARY_PATH" {
                    return Some((name, value));
                }
                Some((name, without_cargo_dirs(&value, ours.as_deref())?))
            })
            .collect()
    });
    &CLEAN
}

/// `cargo run` puts its own directories in front of the library path: the
/// checker's build directory and its `deps`, and the toolchain's
/// `lib/rustlib/<target>/lib`. Those go; the learner's own entries stay
/// (`None`: none are left, the variable goes).
fn without_cargo_dirs(value: &OsStr, ours: Option<&Path>) -> Option<OsString> {
    let cargos = |dir: &Path| {
        ours.is_some_and(|ours| dir == ours || dir == ours.join("deps"))
            || dir
                .parent()
                .and_then(Path::parent)
                .is_some_and(|lib| lib.ends_with("lib/rustlib") && dir.ends_with("lib"))
    };
    let kept: Vec<PathBuf> = std::env::split_paths(value)
        .filter(|dir| !cargos(dir))
        .collect();
    if kept.is_empty() {
        None
    } else {
        std::env::join_paths(kept).ok()
    }
}

fn put_there_by_us(name: &OsStr) -> bool {
    let name = name.to_string_lossy();
    ["CARGO", "__CARGO", "RUST_", "THREADLINGS"]
        .iter()
        .any(|prefix| name.starts_with(prefix))
        || name == "OUT_DIR"
}

/// Gives `cmd` exactly the [`clean_env`].
pub(crate) fn with_clean_env(cmd: &mut Command) -> &mut Command {
    cmd.env_clear()
        .envs(clean_env().iter().map(|(k, v)| (k, v)))
}

/// Runs `cmd` with `stdin` as its input, under `limits`.
pub(crate) fn run(cmd: Command, stdin: &[u8], limits: &Limits) -> std::io::Result<Finished> {
    run_until(cmd, stdin, limits, None)
}

/// Like `run`, and kills the process once `stop` is set (checked as often as
/// the limits are sampled).
pub(crate) fn run_until(
    cmd: Command,
    stdin: &[u8],
    limits: &Limits,
    stop: Option<&AtomicBool>,
) -> std::io::Result<Finished> {
    run_inner(cmd, Input::KeptOpen(stdin), limits, stop, &mut |_| ())
}

/// Like `run`, for a tool that reads its input to the end (rustfmt): the
/// input is written from a thread of its own (it may be more than a pipe
/// holds) and then closed.
pub(crate) fn run_to_end_of_input(
    cmd: Command,
    input: &[u8],
    limits: &Limits,
) -> std::io::Result<Finished> {
    run_inner(cmd, Input::ToEnd(input.to_vec()), limits, None, &mut |_| ())
}

/// What a process reads on stdin.
enum Input<'a> {
    /// A few lines, and the pipe kept open until the process is gone.
    KeptOpen(&'a [u8]),
    /// Everything, then end of input.
    ToEnd(Vec<u8>),
}

/// Like `run`, and tells `started` the process's pid as soon as it exists.
pub(crate) fn run_watched(
    cmd: Command,
    stdin: &[u8],
    limits: &Limits,
    started: &mut dyn FnMut(u32),
) -> std::io::Result<Finished> {
    run_inner(cmd, Input::KeptOpen(stdin), limits, None, started)
}

fn run_inner(
    mut cmd: Command,
    input: Input,
    limits: &Limits,
    stop: Option<&AtomicBool>,
    started_as: &mut dyn FnMut(u32),
) -> std::io::Result<Finished> {
    cmd.process_group(0)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let started = Instant::now();
    let mut process = Registered::spawn(&mut cmd)?;
    let group = process.group();
    let child = &mut process.child;
    started_as(child.id());

    // The input is a few lines: it fits the pipe buffer, so this never
    // blocks. The pipe stays open until the child is gone: the test binary
    // stops by itself when it closes, that is, if we die (even by SIGKILL).
    let mut stdin_pipe = child.stdin.take();
    match input {
        Input::KeptOpen(stdin) => {
            if let Some(pipe) = stdin_pipe.as_mut() {
                let _ = pipe.write_all(stdin);
            }
        }
        Input::ToEnd(all) => {
            if let Some(mut pipe) = stdin_pipe.take() {
                thread::spawn(move || pipe.write_all(&all));
            }
        }
    }

    let (tx, rx) = mpsc::channel();
    let total = Arc::new(AtomicUsize::new(0));
    let readers = [
        child.stdout.take().map(box_read),
        child.stderr.take().map(box_read),
    ]
    .map(|pipe| {
        pipe.map(|p| read_capped(p, Arc::clone(&total), limits.max_output_bytes, tx.clone()))
    });
    // Waits for the exit without reaping: while the leader is a zombie its
    // pid (and so its group id) cannot be reused, so killing the group after
    // it exited can never hit someone else's processes.
    let waiter_tx = tx.clone();
    thread::spawn(move || {
        let exited = waitid(Id::Pid(group), WaitPidFlag::WEXITED | WaitPidFlag::WNOWAIT);
        let _ = waiter_tx.send(Msg::Exited(
            exited.map(|_| ()).map_err(std::io::Error::from),
        ));
    });
    drop(tx);

    let deadline = started + limits.timeout;
    let mut verdict: Option<Exit> = None;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left.min(SAMPLE_EVERY)) {
            Ok(Msg::Exited(exited)) => break exited?,
            Ok(Msg::OutputLimit) => {
                verdict.get_or_insert(Exit::OutputLimit);
                kill_group(group, false);
            }
            Err(mpsc::RecvTimeoutError::Timeout) if verdict.is_none() && !left.is_zero() => {
                if stop.is_some_and(|s| s.load(Ordering::SeqCst)) {
                    verdict = Some(Exit::Stopped);
                    kill_group(group, false);
                } else if let Some(over) = over_limits(group.as_raw(), limits) {
                    verdict = Some(over);
                    kill_group(group, false);
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if verdict.is_none() {
                    verdict = Some(Exit::TimedOut);
                    kill_group(group, true);
                }
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(std::io::Error::other("lost track of the child process"));
            }
        }
    }
    drop(stdin_pipe);
    // The child is gone; anything it left behind in its group goes too,
    // then the child is reaped, and anything that left the group is swept.
    let status = process.reap()?;
    sweep_orphans();

    let drain_deadline = Instant::now() + PIPE_DRAIN;
    let [stdout, stderr] = readers.map(|reader| {
        reader
            .and_then(|r| {
                r.recv_timeout(drain_deadline.saturating_duration_since(Instant::now()))
                    .ok()
            })
            .unwrap_or_default()
    });
    let exit = verdict.unwrap_or_else(|| match (status.code(), status.signal()) {
        (Some(code), _) => Exit::Code(code),
        (None, Some(signal)) => Exit::Signal(signal),
        (None, None) => Exit::Code(-1),
    });
    Ok(Finished {
        exit,
        stdout,
        stderr,
    })
}

/// A process we started, registered in `LIVE` from its spawn until it is
/// reaped. Reaping happens under the lock, right before it is unregistered:
/// so every pid in `LIVE` is a child not yet reaped, which the kernel keeps
/// (as a zombie, once it exits) and never gives to another process, and
/// `shutdown` or the sweep can never hit a stranger that got its pid. On
/// any early return, dropping it kills its group and reaps it.
struct Registered {
    child: std::process::Child,
    reaped: bool,
}

impl Registered {
    /// Spawns `cmd` in a process group of its own, registered under the
    /// lock, so `shutdown` cannot miss it and the sweep never takes it for
    /// a stray.
    fn spawn(cmd: &mut Command) -> std::io::Result<Registered> {
        let mut live = live();
        if live.stopping {
            return Err(std::io::Error::other("threadlings is stopping"));
        }
        let child = cmd.spawn()?;
        live.groups.push(child.id() as i32);
        Ok(Registered {
            child,
            reaped: false,
        })
    }

    fn group(&self) -> Pid {
        Pid::from_raw(self.child.id() as i32)
    }

    /// Kills whatever is left of its group, reaps it and unregisters it.
    fn reap(&mut self) -> std::io::Result<std::process::ExitStatus> {
        let group = self.group();
        // The leader is not reaped yet: the group id is still ours.
        kill_group(group, false);
        let mut live = live();
        self.reaped = true;
        let status = self.child.wait();
        live.groups.retain(|&g| g != group.as_raw());
        status
    }
}

impl Drop for Registered {
    fn drop(&mut self) {
        if !self.reaped {
            let _ = self.reap();
        }
    }
}

/// The process's live threads and resident memory, if over a limit.
fn over_limits(pid: i32, limits: &Limits) -> Option<Exit> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    Some(
        match limit_hit(&status, limits.max_threads, limits.max_memory_mb)? {
            LimitHit::Threads(n) => Exit::ThreadLimit(n),
            LimitHit::Memory(mb) => Exit::MemoryLimit(mb),
        },
    )
}

/// Makes this process the reaper of its orphaned descendants, so that a
/// learner's process that left its process group (`Command::process_group`
/// is safe Rust) is re-parented to us and `sweep_orphans` can find it.
pub(crate) fn adopt_orphans() {
    let _ = nix::sys::prctl::set_child_subreaper(true);
}

/// Kills and reaps every child of ours that we did not start ourselves:
/// descendants of finished runs that escaped their group (we are their
/// subreaper, so they became our children). Every process we start is in
/// `LIVE` from its spawn until it is reaped (`Registered`), so nothing else
/// is touched.
///
/// The children are listed without the lock (usually there are none, and
/// then the lock is never taken). Under the lock, a listed pid is a stray
/// only if it is unregistered and still our child: a stray that another
/// sweep reaped meanwhile, its pid given to a process we just started, is
/// registered by then; given to anyone else, it is not our child.
fn sweep_orphans() {
    // Rounds until none is left, within reason: each round kills every
    // stray and all of its descendants at once, so a chain of processes
    // (each starting the next) goes in one round, not one link per round.
    let until = Instant::now() + Duration::from_secs(5);
    while Instant::now() < until {
        let listed = our_children();
        if listed.is_empty() {
            return;
        }
        let me = std::process::id() as i32;
        let live = live();
        let strays: Vec<Pid> = listed
            .into_iter()
            .filter(|pid| !live.groups.contains(pid) && parent_of(*pid) == Some(me))
            .map(Pid::from_raw)
            .collect();
        if strays.is_empty() {
            return;
        }
        // Below the strays first, found by parent links while they still
        // hold (a stray's descendants are not our children: they only
        // become ours once the stray is gone).
        let roots: Vec<i32> = strays.iter().map(|p| p.as_raw()).collect();
        for pid in descendants(&roots) {
            let _ = nix::sys::signal::kill(Pid::from_raw(pid), Signal::SIGKILL);
        }
        for &pid in &strays {
            let _ = nix::sys::signal::kill(pid, Signal::SIGKILL);
        }
        // Reaped under the lock, without blocking: a stray that does not
        // die at once (stuck in the kernel) is tried again on the next
        // round, or by the next sweep, and holds up no one.
        for &pid in &strays {
            let _ = nix::sys::wait::waitpid(pid, Some(WaitPidFlag::WNOHANG));
        }
        drop(live);
        thread::sleep(Duration::from_millis(1));
    }
}

/// The pids of this process's children. The kernel lists each thread's
/// children in /proc/self/task/*/children: a few small files, where a scan
/// of every process's parent link reads all of /proc.
fn our_children() -> Vec<i32> {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return Vec::new();
    };
    let mut listed = false;
    let mut children = Vec::new();
    for task in tasks.flatten() {
        // A thread that ended meanwhile has no file: that is fine.
        if let Ok(text) = std::fs::read_to_string(task.path().join("children")) {
            listed = true;
            children.extend(
                text.split_whitespace()
                    .filter_map(|p| p.parse::<i32>().ok()),
            );
        }
    }
    if !listed {
        // A kernel without CONFIG_PROC_CHILDREN: ask every process instead.
        let me = std::process::id() as i32;
        children = parent_links()
            .into_iter()
            .filter(|&(_, parent)| parent == me)
            .map(|(pid, _)| pid)
            .collect();
    }
    children
}

fn box_read(pipe: impl Read + Send + 'static) -> Box<dyn Read + Send> {
    Box::new(pipe)
}

/// Kills the process group: TERM, a short grace, then KILL (or KILL at once).
pub(crate) fn kill_group(group: Pid, gracefully: bool) {
    if gracefully && killpg(group, Signal::SIGTERM).is_ok() {
        thread::sleep(GRACE);
    }
    let _ = killpg(group, Signal::SIGKILL);
}

/// Reads a pipe to its end, keeping what fits in the shared budget, and
/// reports once when the budget is exceeded. Returns the kept bytes.
fn read_capped(
    mut pipe: Box<dyn Read + Send>,
    total: Arc<AtomicUsize>,
    cap: usize,
    over: mpsc::Sender<Msg>,
) -> mpsc::Receiver<Vec<u8>> {
    let (done_tx, done_rx) = mpsc::channel();
    thread::spawn(move || {
        let mut kept = Vec::new();
        let mut buf = [0u8; 8192];
        let mut reported = false;
        loop {
            let n = match pipe.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            let before = total.fetch_add(n, Ordering::SeqCst);
            let room = cap.saturating_sub(before).min(n);
            kept.extend_from_slice(&buf[..room]);
            if before + n > cap && !reported {
                reported = true;
                let _ = over.send(Msg::OutputLimit);
            }
        }
        let _ = done_tx.send(kept);
    });
    done_rx
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str, limits: Limits) -> Finished {
        let mut cmd = Command::new("sh");
        cmd.arg("-c").arg(script);
        run(cmd, b"", &limits).unwrap()
    }

    fn limits(secs: u64) -> Limits {
        Limits {
            timeout: Duration::from_secs(secs),
            max_output_bytes: 1000,
            max_threads: 64,
            max_memory_mb: 256,
        }
    }

    #[test]
    fn exit_codes_and_signals_are_told_apart() {
        assert_eq!(sh("exit 3", limits(5)).exit, Exit::Code(3));
        assert_eq!(sh("kill -ABRT $$", limits(5)).exit, Exit::Signal(6));
    }

    #[test]
    fn stdin_reaches_the_process() {
        let mut cmd = Command::new("cat");
        cmd.arg("-");
        let out = run(cmd, b"hello", &limits(5)).unwrap();
        assert_eq!(out.stdout, b"hello");
    }

    /// rustfmt reads to the end: more than a pipe holds, then end of input.
    #[test]
    fn input_to_the_end_is_all_read_and_then_closed() {
        let input = vec![b'x'; 300 * 1024];
        let out = run_to_end_of_input(Command::new("wc"), &input, &limits(20)).unwrap();
        assert_eq!(out.exit, Exit::Code(0), "wc saw the end of its input");
        let counts = String::from_utf8_lossy(&out.stdout);
        assert_eq!(counts.split_whitespace().nth(2), Some("307200"), "{counts}");
    }

    #[test]
    fn a_hang_is_killed_with_its_whole_group() {
        // The shell's child is in its group; the shell tells us its pid.
        let dir = tempfile::tempdir().unwrap();
        let pid_file = dir.path().join("grandchild");
        let started = Instant::now();
        let out = sh(
            &format!("sleep 30 & echo $! > '{}'; sleep 30", pid_file.display()),
            limits(1),
        );
        assert_eq!(out.exit, Exit::TimedOut);
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{:?}",
            started.elapsed()
        );
        let grandchild: i32 = std::fs::read_to_string(&pid_file)
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        // Killed with the group: dead, or a zombie until whoever adopted it
        // (not us: this test process is no subreaper) reaps it. Generous:
        // only a survivor reaches the deadline.
        let deadline = Instant::now() + Duration::from_secs(5);
        while is_running(grandchild) {
            if Instant::now() > deadline {
                let _ = nix::sys::signal::kill(Pid::from_raw(grandchild), Signal::SIGKILL);
                panic!("the grandchild {grandchild} outlived the run");
            }
            thread::sleep(Duration::from_millis(10));
        }
    }

    #[test]
    fn the_sweep_kills_strays_and_spares_what_we_started() {
        // A child nobody registered: what an escaped learner process
        // looks like once we are its reaper.
        let mut stray = Command::new("sleep").arg("30").spawn().unwrap();
        let stray_pid = stray.id() as i32;
        let started = Instant::now();
        let ours = thread::spawn(|| sh("sleep 1; exit 7", limits(20)));
        // Each quick run sweeps when it ends, while `ours` still runs.
        while !ours.is_finished() {
            assert_eq!(sh("exit 0", limits(5)).exit, Exit::Code(0));
        }
        assert_eq!(ours.join().unwrap().exit, Exit::Code(7));
        assert!(started.elapsed() < Duration::from_secs(10));
        // The stray was killed and reaped by the sweep, not by us.
        assert!(!is_running(stray_pid), "the stray still runs");
        assert!(stray.try_wait().is_err() || stray.try_wait().unwrap().is_some());
    }

    #[test]
    fn the_clean_environment_keeps_the_learner_s_and_drops_ours() {
        for ours in [
            "CARGO",
            "CARGO_PKG_NAME",
            "CARGO_MANIFEST_DIR",
            "CARGO_BIN_NAME",
            "CARGO_CRATE_NAME",
            "CARGO_PRIMARY_PACKAGE",
            "__CARGO_FIX_PLZ",
            "RUST_BACKTRACE",
            "RUST_LOG",
            "THREADLINGS_TRACE",
            "THREADLINGS_BUILD_ID",
            "OUT_DIR",
        ] {
            assert!(put_there_by_us(OsStr::new(ours)), "{ours}");
        }
        for learners in [
            "PATH",
            "HOME",
            "TERM",
            "LANG",
            "RUSTUP_TOOLCHAIN",
            "MY_CARGO",
        ] {
            assert!(!put_there_by_us(OsStr::new(learners)), "{learners}");
        }
        let ours = Path::new("/src/target/release");
        let path = |dirs: &[&str]| std::env::join_paths(dirs).unwrap();
        assert_eq!(
            without_cargo_dirs(
                &path(&[
                    "/src/target/release/deps",
                    "/src/target/release",
                    "/home/me/.rustup/toolchains/stable-x86_64-unknown-linux-gnu/lib/rustlib/x86_64-unknown-linux-gnu/lib",
                    "/opt/mine/lib",
                ]),
                Some(ours),
            ),
            Some(path(&["/opt/mine/lib"]))
        );
        assert_eq!(
            without_cargo_dirs(&path(&["/src/target/release/deps"]), Some(ours)),
            None
        );
        // `cargo test` runs this with cargo's variables set: none get through.
        assert!(std::env::var_os("CARGO_PKG_NAME").is_some());
        let mut cmd = Command::new("env");
        with_clean_env(&mut cmd);
        let roomy = Limits {
            max_output_bytes: 1 << 20,
            ..limits(5)
        };
        let out = run(cmd, b"", &roomy).unwrap();
        let seen = String::from_utf8(out.stdout).unwrap();
        assert!(
            !seen.contains("CARGO") && !seen.contains("THREADLINGS"),
            "{seen}"
        );
        assert!(seen.lines().any(|l| l.starts_with("PATH=")), "{seen}");
    }

    #[test]
    fn a_flood_is_cut_at_the_cap_and_stopped() {
        let started = Instant::now();
        let out = sh("yes flood", limits(20));
        assert_eq!(out.exit, Exit::OutputLimit);
        assert_eq!(out.stdout.len(), 1000);
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}
