//! The Rust toolchain that compiles learners' code: found, and checked to be
//! new enough, before anything else runs.

use std::path::PathBuf;
use std::process::Command;
use std::sync::{Mutex, OnceLock};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::sandbox::{self, Exit, Limits};

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
        // Through the sandbox, like every process we start: it runs while
        // checks run, and their orphan sweep must know it is ours.
        let limits = Limits {
            timeout: VERSION_TIMEOUT,
            max_output_bytes: 64 * 1024,
            max_threads: 1024,
            max_memory_mb: 4096,
        };
        let output = sandbox::run(cmd, b"", &limits)
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
pub(crate) struct Detected {
    rustc: PathBuf,
    guess: Option<String>,
    memo: PathBuf,
    running: Mutex<Option<JoinHandle<Result<Toolchain, ToolchainError>>>>,
    confirmed: OnceLock<Result<Toolchain, ToolchainError>>,
}

impl Detected {
    /// Starts `rustc -vV`; `memo` keeps the last confirmed version.
    pub fn start(memo: PathBuf) -> Detected {
        let rustc = std::env::var_os("RUSTC")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("rustc"));
        let guess = std::fs::read_to_string(&memo).ok().and_then(|text| {
            let (path, version) = text.split_once('\n')?;
            (path == rustc.display().to_string()).then(|| version.trim_end().to_string())
        });
        let running = std::thread::spawn(Toolchain::detect);
        Detected {
            rustc,
            guess,
            memo,
            running: Mutex::new(Some(running)),
            confirmed: OnceLock::new(),
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
                if let Ok(toolchain) = &result
                    && self.guess.as_deref() != Some(toolchain.version.as_str())
                {
                    let _ = std::fs::write(
                        &self.memo,
                        format!("{}\n{}\n", self.rustc.display(), toolchain.version),
                    );
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

/// `1.95.0` or `1.96.0-nightly` to (1, 95).
fn parse_release(release: &str) -> Option<(u32, u32)> {
    let mut parts = release.trim().split(['.', '-']);
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_numbers_compare_as_versions() {
        assert_eq!(parse_release("1.95.0"), Some((1, 95)));
        assert_eq!(parse_release("1.100.0-nightly"), Some((1, 100)));
        assert!(parse_release("1.84.1").unwrap() < MIN_RUSTC);
        assert!(parse_release("1.100.0").unwrap() > MIN_RUSTC);
        assert_eq!(parse_release("garbage"), None);
    }
}
