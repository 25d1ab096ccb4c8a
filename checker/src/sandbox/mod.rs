//! The kernel sandbox around every process that runs learner code (tests and
//! whole-program runs; never rustc): Landlock for files, programs, TCP and
//! signals, seccomp for sockets, ptrace and other processes' memory.
//!
//! The checker forbids `unsafe`, so it cannot restrict a child between fork
//! and exec. Instead the child is `threadlings __sandbox SPEC`: a process
//! that restricts itself (`enter`) and then execs the test binary;
//! restrictions survive exec. A sandboxed test process may not read `/proc`
//! (that would give it `/proc/self/mem`, and with it the run's secret), so
//! the checker answers its questions about its own threads (`observer`).
//!
//! What the kernel offers is found once per checker process (`protections`)
//! and reported with every verdict; what it lacks is said, never skipped.

pub(crate) mod enter;
mod libraries;
pub(crate) mod observer;
mod probe;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::LazyLock;

/// The hidden subcommand that restricts itself and execs a test binary.
pub(crate) const SUBCOMMAND: &str = "__sandbox";

/// The exit code of a sandbox step that could not apply what the checker
/// found available: the run is a crash, never a run without the sandbox.
pub(crate) const EXIT_NOT_APPLIED: u8 = 119;
/// How the sandbox step's own complaint starts on stderr.
pub(crate) const NOT_APPLIED_MARK: &str = "threadlings-sandbox: ";

/// What the kernel offers here. The report's `sandbox` object shows it:
/// `landlock` (the ABI version) and `seccomp`, and in words what is
/// `in_force` and what is `missing`; `{}` when nothing is in force.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Protections {
    pub landlock: Option<i32>,
    pub seccomp: bool,
    pub in_force: Vec<&'static str>,
    pub missing: Vec<&'static str>,
}

impl serde::Serialize for Protections {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(None)?;
        if self.any() {
            if let Some(abi) = self.landlock {
                map.serialize_entry("landlock", &abi)?;
            }
            map.serialize_entry("seccomp", &self.seccomp)?;
            map.serialize_entry("in_force", &self.in_force)?;
            map.serialize_entry("missing", &self.missing)?;
        }
        map.end()
    }
}

/// Whether a protection holds, given the Landlock ABI and seccomp.
type Holds = fn(Option<i32>, bool) -> bool;

/// Each protection, and what it takes.
const PROTECTIONS: [(&str, Holds); 5] = [
    // Only the run's scratch directory, its binary and libraries.
    ("files", |landlock, _| landlock.is_some()),
    // No other program (Landlock's execute right).
    ("programs", |landlock, _| landlock.is_some()),
    // No process memory through /proc (Landlock) or ptrace and
    // process_vm_readv (seccomp).
    ("memory", |landlock, seccomp| landlock.is_some() && seccomp),
    // No sockets at all (seccomp), or no TCP (Landlock 4).
    ("network", |landlock, seccomp| {
        seccomp || landlock.is_some_and(|abi| abi >= 4)
    }),
    // No signals out of the run (Landlock 6's scoping).
    ("signals", |landlock, _| {
        landlock.is_some_and(|abi| abi >= 6)
    }),
];

impl Protections {
    pub fn new(landlock: Option<i32>, seccomp: bool) -> Protections {
        let (mut in_force, mut missing) = (Vec::new(), Vec::new());
        for (name, holds) in PROTECTIONS {
            if holds(landlock, seccomp) {
                in_force.push(name);
            } else {
                missing.push(name);
            }
        }
        Protections {
            landlock,
            seccomp,
            in_force,
            missing,
        }
    }

    /// Whether every protection is in force.
    pub fn is_complete(&self) -> bool {
        self.missing.is_empty()
    }

    /// Whether any is: then learner code runs through the sandbox step.
    pub fn any(&self) -> bool {
        self.landlock.is_some() || self.seccomp
    }

    /// One sentence for a learner or a teacher: what learner code can still
    /// do here; `None` when every protection is in force.
    pub fn missing_sentence(&self) -> Option<String> {
        if self.is_complete() {
            return None;
        }
        let why = match (self.landlock, self.seccomp) {
            (None, false) => "this system offers neither Landlock nor seccomp",
            (None, true) => "this system does not offer Landlock",
            (Some(_), false) => "this system does not offer seccomp",
            (Some(_), true) => "this kernel's Landlock is older than version 6",
        };
        Some(format!(
            "the sandbox around learner code is incomplete ({why}): nothing stops that \
             code from {}",
            self.missing
                .iter()
                .map(|name| match *name {
                    "files" => "reading or writing files outside its run",
                    "programs" => "starting other programs",
                    "memory" => "reading its own memory through /proc",
                    "network" => "using the network",
                    _ => "signalling other processes",
                })
                .collect::<Vec<_>>()
                .join(", ")
        ))
    }
}

/// What this kernel offers, found once (see `probe`). `THREADLINGS_SANDBOX`
/// set to `off` makes it offer nothing, and `no-landlock` takes Landlock
/// away: how the tests show a kernel without them.
pub(crate) fn protections() -> &'static Protections {
    static FOUND: LazyLock<Protections> = LazyLock::new(|| {
        let pretend = std::env::var("THREADLINGS_SANDBOX").unwrap_or_default();
        match pretend.as_str() {
            "off" => Protections::new(None, false),
            "no-landlock" => Protections::new(None, probe::seccomp()),
            _ => Protections::new(probe::landlock(), probe::seccomp()),
        }
    });
    &FOUND
}

/// What the sandbox step is told: where it may go, and what to exec.
///
/// No file is both writable and readable (but `/dev/null`), and only the
/// program and its loader are executable: learner code can write files but
/// never read them back, so it cannot hand the loader native code of its
/// own (by path, `LD_PRELOAD` or `LD_LIBRARY_PATH`).
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct Spec {
    /// The test binary, exec'd with `name` as its only argument.
    pub program: PathBuf,
    pub name: OsString,
    /// Read only: the shared libraries, the loader's cache.
    pub read: Vec<PathBuf>,
    /// Read and execute: the program and its loader.
    pub exec: Vec<PathBuf>,
    /// Write only (make, write, remove; never read): the working directory.
    pub write: Vec<PathBuf>,
    /// Read and write the files there, make nothing: the directory of the
    /// questions' FIFOs (empty once the test has opened them), /dev/null.
    pub read_write: Vec<PathBuf>,
    /// The Landlock ABI the checker found (`None`: none applied).
    pub landlock: Option<i32>,
    pub seccomp: bool,
    /// The checker's pid: no signals to it (seccomp's part, where Landlock
    /// cannot scope signals).
    pub checker: i32,
}

/// Where a sandboxed run may go: `work` its working directory (write
/// only), `questions` the directory of its FIFOs.
pub(crate) struct Places<'a> {
    pub work: &'a Path,
    pub questions: Option<&'a Path>,
}

/// The command that runs `binary` (named `name`) in the sandbox, allowed
/// `places`; `Ok(None)` when this system offers no protection at all.
/// An error means the sandbox cannot be started: the run must not happen
/// without it. The caller sets the environment and the rest.
pub(crate) fn command(
    binary: &Path,
    name: &OsString,
    places: &Places,
) -> std::io::Result<Option<Command>> {
    let found = protections();
    if !found.any() {
        return Ok(None);
    }
    let libraries = libraries::of(binary);
    let spec = Spec {
        program: binary.to_path_buf(),
        name: name.clone(),
        read: libraries.read.clone(),
        exec: [binary.to_path_buf()]
            .into_iter()
            .chain(libraries.loader.clone())
            .collect(),
        write: vec![places.work.to_path_buf()],
        read_write: places
            .questions
            .map(Path::to_path_buf)
            .into_iter()
            .chain([PathBuf::from("/dev/null")])
            .collect(),
        landlock: found.landlock,
        seccomp: found.seccomp,
        checker: std::process::id() as i32,
    };
    let me = std::env::current_exe()?;
    let mut cmd = Command::new(me);
    cmd.arg(SUBCOMMAND).arg(serde_json::to_string(&spec)?);
    Ok(Some(cmd))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_in_force_follows_from_what_the_kernel_offers() {
        let full = Protections::new(Some(7), true);
        assert!(full.is_complete() && full.any());
        assert_eq!(full.missing_sentence(), None);
        let none = Protections::new(None, false);
        assert!(!none.any());
        assert_eq!(none.in_force, Vec::<&str>::new());
        assert_eq!(none.missing.len(), PROTECTIONS.len());
        let old = Protections::new(Some(3), true);
        assert_eq!(old.missing, vec!["signals"]);
        let no_landlock = Protections::new(None, true);
        assert_eq!(no_landlock.in_force, vec!["network"]);
        let said = no_landlock.missing_sentence().unwrap();
        assert!(said.contains("does not offer Landlock"), "{said}");
        assert!(said.contains("reading its own memory"), "{said}");
        // The report's object: empty when nothing is in force.
        assert_eq!(serde_json::to_string(&none).unwrap(), "{}");
        let json = serde_json::to_value(&full).unwrap();
        assert_eq!(json["landlock"], 7);
        assert_eq!(json["seccomp"], true);
        assert_eq!(json["missing"], serde_json::json!([]));
        let json = serde_json::to_value(&no_landlock).unwrap();
        assert_eq!(json.get("landlock"), None);
        assert_eq!(json["missing"][0], "files");
    }
}
