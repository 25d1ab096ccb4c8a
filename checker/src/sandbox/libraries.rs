//! Which files a test binary needs to start: its shared libraries and the
//! loader, as the loader itself resolves them (glibc's
//! `LD_TRACE_LOADED_OBJECTS`, what `ldd` uses: it lists them and exits
//! before any of the program's code runs). The sandbox lets the process read
//! exactly those files, so the loader cannot be used to start any other
//! program found beside the libraries.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use crate::supervise::{self, Exit, Limits};

#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Libraries {
    /// Read only: each library, and the loader's cache.
    pub read: Vec<PathBuf>,
    /// The loader (the binary's interpreter), which must be executable.
    pub loader: Option<PathBuf>,
}

/// The libraries of `binary`, found once per binary (binaries are named by
/// the hash of what went into them, so a path stands for one content).
pub(super) fn of(binary: &Path) -> Arc<Libraries> {
    static FOUND: LazyLock<Mutex<HashMap<PathBuf, Arc<Libraries>>>> = LazyLock::new(Mutex::default);
    if let Some(found) = FOUND.lock().unwrap_or_else(|e| e.into_inner()).get(binary) {
        return Arc::clone(found);
    }
    let found = Arc::new(traced(binary).unwrap_or_else(fallback));
    FOUND
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(binary.to_path_buf(), Arc::clone(&found));
    found
}

/// What the loader lists for `binary`, in the environment the binary runs in.
fn traced(binary: &Path) -> Option<Libraries> {
    let mut cmd = Command::new(binary);
    supervise::with_clean_env(&mut cmd).env("LD_TRACE_LOADED_OBJECTS", "1");
    let limits = Limits {
        timeout: Duration::from_secs(10),
        max_output_bytes: 64 * 1024,
        max_threads: 4,
        max_memory_mb: 256,
    };
    let finished = supervise::run(cmd, b"", &limits).ok()?;
    if finished.exit != Exit::Code(0) {
        return None;
    }
    let listed = parse(&String::from_utf8_lossy(&finished.stdout));
    listed.loader.is_some().then_some(listed)
}

/// The loader's listing: `name => /path (0x...)` for a library, `/path
/// (0x...)` for the loader itself, `name (0x...)` for the kernel's vDSO.
fn parse(listing: &str) -> Libraries {
    let mut found = Libraries {
        read: vec![PathBuf::from("/etc/ld.so.cache")],
        loader: None,
    };
    for line in listing.lines().map(str::trim) {
        let before_address = line.rsplit_once(" (0x").map_or(line, |(path, _)| path);
        match before_address.split_once(" => ") {
            Some((_, path)) if path.starts_with('/') => found.read.push(PathBuf::from(path)),
            Some(_) => {}
            None if before_address.starts_with('/') => {
                found.loader = Some(PathBuf::from(before_address));
            }
            None => {}
        }
    }
    found
}

/// Where the loader cannot list (not glibc): the system's library
/// directories, read only. The loader is then not executable, so such a
/// system's runs fail loudly rather than run unconfined.
fn fallback() -> Libraries {
    Libraries {
        read: [
            "/lib",
            "/lib64",
            "/usr/lib",
            "/usr/lib64",
            "/etc/ld.so.cache",
        ]
        .iter()
        .map(PathBuf::from)
        .collect(),
        loader: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_loader_s_listing_gives_each_library_and_the_loader() {
        let listing = "\tlinux-vdso.so.1 (0x00007ffd)\n\
             \tlibstd-1234.so => /home/me/.rustup/toolchains/x/lib/libstd-1234.so (0x00007f00)\n\
             \tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f01)\n\
             \tlibmissing.so => not found\n\
             \t/lib64/ld-linux-x86-64.so.2 (0x00007f02)\n";
        assert_eq!(
            parse(listing),
            Libraries {
                read: vec![
                    PathBuf::from("/etc/ld.so.cache"),
                    PathBuf::from("/home/me/.rustup/toolchains/x/lib/libstd-1234.so"),
                    PathBuf::from("/lib/x86_64-linux-gnu/libc.so.6"),
                ],
                loader: Some(PathBuf::from("/lib64/ld-linux-x86-64.so.2")),
            }
        );
    }

    #[test]
    fn a_real_binary_needs_libc_and_its_loader() {
        // The checker's own binary: a Rust program linked like the tests.
        let me = std::env::current_exe().unwrap();
        let found = traced(&me).expect("glibc's loader lists libraries");
        assert!(
            found.loader.as_ref().is_some_and(|l| l.is_file()),
            "{found:?}"
        );
        assert!(
            found
                .read
                .iter()
                .any(|p| p.to_string_lossy().contains("libc.so")),
            "{found:?}"
        );
    }
}
