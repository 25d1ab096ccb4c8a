//! rustc without rustup's proxy in front of it.
//!
//! The proxy costs a process of its own (about 12 ms) on every call, and a
//! check calls rustc twice (the learner's crate, then the test crate). Once
//! a toolchain version is confirmed, the rustc the proxy runs,
//! `<sysroot>/bin/rustc`, is asked for its own version; if it reports the
//! very same line (which names the compiler's commit), builds for that
//! version call it directly, as long as the file is the one that said so
//! (same size and modification time: an update replaces it). What was found
//! is kept in a small file, so the next checker starts with it; anything
//! unexpected means the proxy is used.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::supervise::{self, Exit, Limits};
use crate::toolchain::stamp;

/// The rustc binary that reports a version, as found for it.
pub(super) struct Direct {
    memo: PathBuf,
    known: Mutex<Option<Found>>,
    /// One search at a time (many builds may start at once).
    searching: AtomicBool,
}

#[derive(Clone, Debug, PartialEq)]
struct Found {
    /// `rustc -vV`'s first line.
    version: String,
    binary: PathBuf,
    /// The binary's size and modification time when it said so.
    stamp: String,
    /// The target it compiles for by default (`host:` of `rustc -vV`).
    host: String,
}

impl Direct {
    /// What an earlier checker found, kept in `memo`.
    pub fn load(memo: PathBuf) -> Direct {
        let known = std::fs::read_to_string(&memo).ok().and_then(|text| {
            let mut lines = text.lines();
            Some(Found {
                version: lines.next()?.to_string(),
                binary: PathBuf::from(lines.next()?),
                stamp: lines.next()?.to_string(),
                // A memo from before hosts were kept: found again, once.
                host: lines.next()?.to_string(),
            })
        });
        Direct {
            memo,
            known: Mutex::new(known),
            searching: AtomicBool::new(false),
        }
    }

    /// The rustc to run for `version`: the binary itself when it is known
    /// to report that version and is still the same file, else `proxy`
    /// (what `rustc -vV` asked).
    pub fn rustc(&self, version: &str, proxy: &Path) -> PathBuf {
        let known = self.known.lock().unwrap_or_else(|e| e.into_inner());
        match &*known {
            Some(found)
                if found.version == version
                    && stamp(&found.binary).as_deref() == Some(found.stamp.as_str()) =>
            {
                found.binary.clone()
            }
            _ => proxy.to_path_buf(),
        }
    }

    /// The sysroot and host target of the rustc known for `version` (and
    /// still the same file), if it is known.
    pub fn sysroot(&self, version: &str) -> Option<(PathBuf, String)> {
        let known = self.known.lock().unwrap_or_else(|e| e.into_inner());
        match &*known {
            Some(found)
                if found.version == version
                    && stamp(&found.binary).as_deref() == Some(found.stamp.as_str()) =>
            {
                let sysroot = found.binary.parent()?.parent()?.to_path_buf();
                Some((sysroot, found.host.clone()))
            }
            _ => None,
        }
    }

    /// Whether the binary for `version` is known (and still the same file).
    pub fn knows(&self, version: &str) -> bool {
        self.rustc(version, Path::new("")) != Path::new("")
    }

    /// Finds the binary behind `proxy` for the confirmed `version` and keeps
    /// it, if it reports exactly that version. Two short processes, once per
    /// toolchain; failures only mean the proxy stays in use.
    pub fn find(&self, version: &str, proxy: &Path, work: &Path) {
        if self.knows(version) || self.searching.swap(true, Ordering::SeqCst) {
            return;
        }
        self.search(version, proxy, work);
        self.searching.store(false, Ordering::SeqCst);
    }

    fn search(&self, version: &str, proxy: &Path, work: &Path) {
        let Some(sysroot) = output(proxy, &["--print", "sysroot"]) else {
            return;
        };
        let binary = Path::new(sysroot.trim_end()).join("bin").join("rustc");
        // Stamped before it is asked: a file replaced meanwhile then differs.
        let Some(stamp) = stamp(&binary) else {
            return;
        };
        let Some(reported) = output(&binary, &["-vV"]) else {
            return;
        };
        if reported.lines().next() != Some(version) {
            return;
        }
        let Some(host) = reported
            .lines()
            .find_map(|line| line.strip_prefix("host: "))
        else {
            return;
        };
        let found = Found {
            version: version.to_string(),
            binary,
            stamp,
            host: host.trim().to_string(),
        };
        let tmp = work.join("rustc-direct");
        let text = format!(
            "{}\n{}\n{}\n{}\n",
            found.version,
            found.binary.display(),
            found.stamp,
            found.host
        );
        if std::fs::write(&tmp, text).is_ok() {
            let _ = std::fs::rename(&tmp, &self.memo);
        }
        *self.known.lock().unwrap_or_else(|e| e.into_inner()) = Some(found);
    }
}

/// What `program args` prints, if it runs and succeeds (under `supervise`,
/// like every process we start).
fn output(program: &Path, args: &[&str]) -> Option<String> {
    let limits = Limits {
        timeout: Duration::from_secs(30),
        max_output_bytes: 64 * 1024,
        max_threads: 1024,
        max_memory_mb: 4096,
    };
    let mut cmd = Command::new(program);
    cmd.args(args);
    let finished = supervise::run(cmd, b"", &limits).ok()?;
    (finished.exit == Exit::Code(0)).then(|| String::from_utf8_lossy(&finished.stdout).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_proxy_is_used_until_the_binary_is_known_for_that_version() {
        let dir = tempfile::tempdir().unwrap();
        let memo = dir.path().join("memo");
        let binary = dir.path().join("rustc");
        std::fs::write(&binary, "").unwrap();
        let memo_for = |stamp: &str| {
            std::fs::write(
                &memo,
                format!(
                    "rustc 1.0.0 (abc)\n{}\n{stamp}\nx86_64-unknown-linux-gnu\n",
                    binary.display()
                ),
            )
            .unwrap();
            Direct::load(memo.clone())
        };
        let direct = memo_for(&stamp(&binary).unwrap());
        let proxy = Path::new("rustc");
        assert_eq!(direct.rustc("rustc 1.0.0 (abc)", proxy), binary);
        assert_eq!(direct.rustc("rustc 1.0.1 (def)", proxy), proxy);
        // Replaced (updated in place) or gone: not the file that said so.
        assert_eq!(memo_for("0 0").rustc("rustc 1.0.0 (abc)", proxy), proxy);
        std::fs::remove_file(&binary).unwrap();
        assert_eq!(direct.rustc("rustc 1.0.0 (abc)", proxy), proxy);
        std::fs::write(&memo, "garbage").unwrap();
        assert_eq!(Direct::load(memo).rustc("garbage", proxy), proxy);
    }

    #[test]
    fn the_binary_found_reports_the_confirmed_version() {
        let dir = tempfile::tempdir().unwrap();
        let direct = Direct::load(dir.path().join("memo"));
        let Some(version) = output(Path::new("rustc"), &["-vV"]) else {
            return; // no rustc here: nothing to find
        };
        let version = version.lines().next().unwrap().to_string();
        direct.find("rustc 0.0.0 (not this one)", Path::new("rustc"), dir.path());
        assert!(!direct.knows("rustc 0.0.0 (not this one)"));
        direct.find(&version, Path::new("rustc"), dir.path());
        assert!(direct.knows(&version));
        let found = direct.rustc(&version, Path::new("rustc"));
        assert!(
            found.ends_with("bin/rustc") && found.is_absolute(),
            "{found:?}"
        );
        assert!(Direct::load(dir.path().join("memo")).knows(&version));
    }
}
