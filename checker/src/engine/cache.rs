//! The verdict cache: a check whose inputs have not changed is answered
//! from disk. Only verdicts that are certain are kept.

use std::path::{Path, PathBuf};

use super::Job;
use crate::build::Key;
use crate::verdict::{Status, Verdict};

pub(super) struct VerdictCache {
    dir: PathBuf,
}

impl VerdictCache {
    pub fn new(dir: PathBuf) -> VerdictCache {
        VerdictCache { dir }
    }

    /// Where the verdict of `job` is kept, given its binary's key (the
    /// learner's file, the hidden tests, the support library, the
    /// toolchain, the flags): that key plus the limits and the sandbox it
    /// ran in (what code may do decides what it did: a file that reads
    /// another passes without the sandbox and fails in it).
    pub fn path(&self, binary_key: &str, job: &Job) -> PathBuf {
        let limits = &job.limits;
        let sandbox = serde_json::to_string(crate::sandbox::protections()).unwrap_or_default();
        let key = Key::new("verdict")
            .part(binary_key)
            .part(&sandbox)
            .number(job.compile_timeout.as_secs())
            .number(limits.timeout.as_secs())
            .number(limits.max_output_bytes as u64)
            .number(limits.max_threads)
            .number(limits.max_memory_mb)
            .hex();
        self.dir.join(format!("{key}.json"))
    }

    pub fn load(path: &Path) -> Option<Verdict> {
        let text = std::fs::read_to_string(path).ok()?;
        let mut verdict: Verdict = serde_json::from_str(&text).ok()?;
        verdict.passes = u32::from(verdict.status == Status::Pass);
        verdict.runs = 1;
        Some(verdict)
    }

    /// Written to a temporary file and renamed: a reader never sees half of it.
    pub fn store(path: &Path, verdict: &Verdict) {
        let Some(dir) = path.parent() else { return };
        let write = || -> std::io::Result<()> {
            std::fs::create_dir_all(dir)?;
            let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
            // One write: `to_writer` on a bare file makes a system call for
            // every token (hundreds per verdict).
            let text = serde_json::to_vec(verdict).map_err(std::io::Error::other)?;
            std::io::Write::write_all(&mut tmp, &text)?;
            tmp.persist(path).map_err(|e| e.error)?;
            Ok(())
        };
        let _ = write();
    }

    /// Whether a fresh verdict is certain enough to answer the same check
    /// next time: a pass, a compile error, or a failure the tests reported
    /// themselves. Not a failure of the checker or the machine, nor one
    /// whose cause may have been outside the file (the program exited, a
    /// limit was hit on a loaded machine).
    pub fn worth_keeping(verdict: &Verdict) -> bool {
        match verdict.status {
            Status::CompileError => true,
            Status::Pass | Status::Fail => verdict.tests.iter().all(|t| t.reported),
            _ => false,
        }
    }
}
