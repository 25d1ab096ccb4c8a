//! The Rust toolchain that compiles learners' code: found, and checked to be
//! new enough, before anything else runs.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::supervise::{self, Exit, Limits};

/// `rustc -vV` answers in milliseconds; this only guards against a hang.
const VERSION_TIMEOUT: Duration = Duration::from_secs(60);

/// Exercises use edition 2024, stable since Rust 1.85.
pub(crate) const MIN_RUSTC: (u32, u32) = (1, 85);

/// A rustc that is known to work for the course.
#[derive(Clone, Debug)]
pub(crate) struct Toolchain {
    /// First line of `rustc -vV`, e.g. `rustc 1.95.0 (59807616e 2026-04-14)`.
    pub version: String,
}

#[derive(Clone, Debug, thiserror::Error)]
pub(crate) enum ToolchainError {
    #[error(
        "cannot run `{0}` ({1}). threadlings needs a Rust toolchain: install one from \
         https://rustup.rs (then open a new terminal), or point RUSTC at a rustc binary"
    )]
    Missing(String, String),
    #[error(
        "{0} is too old: the course needs rustc {major}.{minor} or newer (edition 2024). \
         Update it with `rustup update stable`",
        major = MIN_RUSTC.0,
        minor = MIN_RUSTC.1
    )]
    TooOld(String),
    #[error("`{0} -vV` printed something unexpected: {1}")]
    Unreadable(String, String),
}

impl Toolchain {
    /// Finds rustc (`$RUSTC`, else `rustc` on PATH) and checks its version.
    pub fn detect() -> Result<Toolchain, ToolchainError> {
        let rustc = std::env::var_os("RUSTC")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("rustc"));
        let shown = rustc.display().to_string();
        let mut cmd = Command::new(&rustc);
        cmd.arg("-vV");
        // Through `supervise`, like every process we start: it runs while
        // checks run, and their orphan sweep must know it is ours.
        let limits = Limits {
            timeout: VERSION_TIMEOUT,
            max_output_bytes: 64 * 1024,
            max_threads: 1024,
            max_memory_mb: 4096,
        };
        let output = supervise::run(cmd, b"", &limits)
            .map_err(|e| ToolchainError::Missing(shown.clone(), e.to_string()))?;
        if output.exit != Exit::Code(0) {
            let why = String::from_utf8_lossy(&output.stderr).trim().to_string();
            return Err(ToolchainError::Missing(
                shown,
                format!("{:?}: {why}", output.exit),
            ));
        }
        let text = String::from_utf8_lossy(&output.stdout).into_owned();
        let version = text.lines().next().unwrap_or_default().to_string();
        let release = text
            .lines()
            .find_map(|l| l.strip_prefix("release: "))
            .and_then(parse_release)
            .ok_or_else(|| ToolchainError::Unreadable(shown.clone(), text.clone()))?;
        if release < MIN_RUSTC {
            return Err(ToolchainError::TooOld(version));
        }
        Ok(Toolchain { version })
    }
}

/// The toolchain, confirmed in the background. `rustc -vV` costs about 15 ms
/// through rustup's proxy, and a check after an edit need not wait for it: it
/// starts on the version the last run confirmed (kept in a small file) and
/// confirms before it keeps anything under that version's cache keys.
///
/// Running it at all slows a check after an edit by about 9 ms (it competes
/// with rustc for the two cores; measured alternately), so when nothing that decides which
/// compiler `rustc` runs has changed since the last confirmation (see
/// `fingerprint`), that confirmation stands and `rustc -vV` is not run.
pub(crate) struct Detected {
    rustc: PathBuf,
    guess: Option<String>,
    memo: PathBuf,
    /// `fingerprint` when this run started.
    print: String,
    running: Mutex<Option<JoinHandle<Result<Toolchain, ToolchainError>>>>,
    confirmed: OnceLock<Result<Toolchain, ToolchainError>>,
}

impl Detected {
    /// Starts `rustc -vV`; `memo` keeps the last confirmed version.
    pub fn start(memo: PathBuf) -> Detected {
        let rustc = std::env::var_os("RUSTC")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("rustc"));
        let print = fingerprint(&rustc, |name| std::env::var_os(name));
        let memo_text = std::fs::read_to_string(&memo).unwrap_or_default();
        let mut lines = memo_text.lines();
        let (path, version, printed) = (lines.next(), lines.next(), lines.next());
        let guess = (path == Some(rustc.display().to_string().as_str()))
            .then(|| version.map(str::to_string))
            .flatten();
        let confirmed = OnceLock::new();
        let running = match (&guess, printed) {
            (Some(version), Some(printed)) if printed == print => {
                let _ = confirmed.set(Ok(Toolchain {
                    version: version.clone(),
                }));
                None
            }
            _ => Some(std::thread::spawn(Toolchain::detect)),
        };
        Detected {
            rustc,
            guess,
            memo,
            print,
            running: Mutex::new(running),
            confirmed,
        }
    }

    /// The rustc to run (the same one `rustc -vV` asks).
    pub fn rustc(&self) -> &PathBuf {
        &self.rustc
    }

    /// Whether work can start before `confirm` (a previous run left a version).
    pub fn has_guess(&self) -> bool {
        self.guess.is_some()
    }

    /// Waits for `rustc -vV` (once) and remembers the version for next time.
    pub fn confirm(&self) -> Result<&Toolchain, ToolchainError> {
        self.confirmed
            .get_or_init(|| {
                let handle = self
                    .running
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .take();
                let result = match handle.map(JoinHandle::join) {
                    Some(Ok(result)) => result,
                    _ => Toolchain::detect(),
                };
                if let Ok(toolchain) = &result {
                    // Whole or not at all: two checkers may confirm at once.
                    let text = format!(
                        "{}\n{}\n{}\n",
                        self.rustc.display(),
                        toolchain.version,
                        self.print
                    );
                    let _ = write_whole(&self.memo, &text);
                }
                result
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// The version to work with now: confirmed if known, else the guess.
    pub fn version(&self) -> String {
        match (self.confirmed.get(), &self.guess) {
            (Some(Ok(toolchain)), _) => toolchain.version.clone(),
            (None, Some(guess)) => guess.clone(),
            _ => self
                .confirm()
                .map(|t| t.version.clone())
                .unwrap_or_default(),
        }
    }
}

/// Everything that decides which compiler `rustc` (or `$RUSTC`) runs, read
/// without running it: the executable it names (found on PATH, with its
/// size and modification time), the variables and files rustup chooses a
/// toolchain by (`RUSTUP_TOOLCHAIN`, `RUSTUP_HOME`, `rust-toolchain` files
/// from here up, rustup's settings), and the size and time of every
/// installed toolchain's rustc (an update replaces it). Equal to the last
/// confirmed run's: the same compiler answers. Anything unreadable is just
/// left out of it: a change there changes the text too.
fn fingerprint(rustc: &Path, var: impl Fn(&str) -> Option<OsString>) -> String {
    let mut print = String::new();
    let mut note = |what: &str, value: String| {
        print.push_str(what);
        print.push('=');
        print.push_str(&value.replace('\n', "\\n"));
        print.push(';');
    };
    let resolved = if rustc.components().count() > 1 {
        Some(rustc.to_path_buf())
    } else {
        var("PATH").and_then(|path| {
            std::env::split_paths(&path)
                .map(|dir| dir.join(rustc))
                .find(|candidate| candidate.is_file())
        })
    };
    note(
        "rustc",
        format!("{resolved:?} {:?}", resolved.as_deref().and_then(stamp)),
    );
    for name in ["RUSTUP_TOOLCHAIN", "RUSTUP_HOME", "CARGO_HOME", "HOME"] {
        note(name, format!("{:?}", var(name)));
    }
    if let Ok(here) = std::env::current_dir() {
        for dir in here.ancestors() {
            for file in ["rust-toolchain", "rust-toolchain.toml"] {
                if let Ok(text) = std::fs::read_to_string(dir.join(file)) {
                    note(&dir.join(file).display().to_string(), text);
                }
            }
        }
    }
    let rustup = var("RUSTUP_HOME")
        .map(PathBuf::from)
        .or_else(|| var("HOME").map(|home| PathBuf::from(home).join(".rustup")));
    if let Some(rustup) = rustup {
        note(
            "settings",
            std::fs::read_to_string(rustup.join("settings.toml")).unwrap_or_default(),
        );
        let mut toolchains: Vec<PathBuf> = std::fs::read_dir(rustup.join("toolchains"))
            .map(|dir| dir.flatten().map(|entry| entry.path()).collect())
            .unwrap_or_default();
        toolchains.sort();
        for toolchain in toolchains {
            let binary = toolchain.join("bin").join("rustc");
            note(
                &toolchain.display().to_string(),
                format!("{:?}", stamp(&binary)),
            );
        }
    }
    print
}

/// Writes `text` to `path` by a rename, so readers see the old file or the new.
fn write_whole(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut tmp = tempfile::NamedTempFile::new_in(path.parent().unwrap_or(Path::new(".")))?;
    tmp.write_all(text.as_bytes())?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// A file's size and modification time (following links): a rustc updated
/// in place has others.
pub(crate) fn stamp(file: &Path) -> Option<String> {
    let meta = std::fs::metadata(file).ok()?;
    let modified = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    Some(format!("{} {}", meta.len(), modified.as_nanos()))
}

/// `1.95.0` or `1.96.0-nightly` to (1, 95).
fn parse_release(release: &str) -> Option<(u32, u32)> {
    let mut parts = release.trim().split(['.', '-']);
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fingerprint_changes_with_whatever_chooses_the_compiler() {
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("bin");
        let rustup = dir.path().join("rustup");
        let toolchain = rustup.join("toolchains").join("stable").join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        std::fs::create_dir_all(&toolchain).unwrap();
        std::fs::write(bin.join("rustc"), "proxy").unwrap();
        std::fs::write(toolchain.join("rustc"), "compiler 1").unwrap();
        std::fs::write(
            rustup.join("settings.toml"),
            "default_toolchain = \"stable\"",
        )
        .unwrap();
        let env = |toolchain: Option<&str>| {
            let (bin, rustup) = (bin.clone(), rustup.clone());
            let toolchain = toolchain.map(OsString::from);
            move |name: &str| match name {
                "PATH" => Some(bin.clone().into_os_string()),
                "RUSTUP_HOME" => Some(rustup.clone().into_os_string()),
                "RUSTUP_TOOLCHAIN" => toolchain.clone(),
                _ => None,
            }
        };
        let rustc = Path::new("rustc");
        let first = fingerprint(rustc, env(None));
        assert!(
            first.contains(&bin.join("rustc").display().to_string()),
            "{first}"
        );
        assert_eq!(fingerprint(rustc, env(None)), first, "nothing changed");
        assert_ne!(fingerprint(rustc, env(Some("nightly"))), first);
        // The toolchain is updated (its rustc replaced), or another default.
        std::fs::write(toolchain.join("rustc"), "compiler 1.1").unwrap();
        let updated = fingerprint(rustc, env(None));
        assert_ne!(updated, first);
        std::fs::write(rustup.join("settings.toml"), "default_toolchain = \"beta\"").unwrap();
        let other_default = fingerprint(rustc, env(None));
        assert_ne!(other_default, updated);
        // Another rustc first on PATH.
        std::fs::write(bin.join("rustc"), "another proxy").unwrap();
        assert_ne!(fingerprint(rustc, env(None)), other_default);
        // RUSTC naming a file: that file.
        let named = bin.join("rustc");
        let before = fingerprint(&named, env(None));
        std::fs::write(&named, "yet another").unwrap();
        assert_ne!(fingerprint(&named, env(None)), before);
    }

    #[test]
    fn release_numbers_compare_as_versions() {
        assert_eq!(parse_release("1.95.0"), Some((1, 95)));
        assert_eq!(parse_release("1.100.0-nightly"), Some((1, 100)));
        assert!(parse_release("1.84.1").unwrap() < MIN_RUSTC);
        assert!(parse_release("1.100.0").unwrap() > MIN_RUSTC);
        assert_eq!(parse_release("garbage"), None);
    }
}
