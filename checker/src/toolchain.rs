//! The Rust toolchain that compiles learners' code: found, and checked to be
//! new enough, before anything else runs.

use std::path::PathBuf;
use std::process::Command;

/// Exercises use edition 2024, stable since Rust 1.85.
pub(crate) const MIN_RUSTC: (u32, u32) = (1, 85);

/// A rustc that is known to work for the course.
#[derive(Clone, Debug)]
pub(crate) struct Toolchain {
    pub rustc: PathBuf,
    /// First line of `rustc -vV`, e.g. `rustc 1.95.0 (59807616e 2026-04-14)`.
    pub version: String,
}

#[derive(Debug, thiserror::Error)]
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
        let output = Command::new(&rustc)
            .arg("-vV")
            .output()
            .map_err(|e| ToolchainError::Missing(shown.clone(), e.to_string()))?;
        if !output.status.success() {
            let why = String::from_utf8_lossy(&output.stderr).trim().to_string();
            return Err(ToolchainError::Missing(shown, why));
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
        Ok(Toolchain { rustc, version })
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
