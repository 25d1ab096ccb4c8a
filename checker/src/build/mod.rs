//! Compiling a learner's file together with its hidden tests, by invoking
//! rustc directly (no cargo per check), with a content-addressed cache of the
//! resulting binaries.
//!
//! The generated crate is `learner` (a snapshot of the learner's file, as a
//! module) + `support` (support.rs) + `hidden` (the hidden tests). Paths are
//! remapped so that diagnostics name the learner's own file and lines.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::sandbox::{self, Exit, Limits};
use crate::toolchain::Toolchain;

/// The hidden tests' support library, compiled into every test binary.
pub(crate) const SUPPORT: &str = include_str!("support.rs");

/// The flags every test crate is compiled with; part of the cache key.
const FLAGS: &[&str] = &[
    "--edition=2024",
    "--crate-type=bin",
    "--crate-name=threadlings_check",
    "-Cdebuginfo=0",
    "-Copt-level=0",
    "-Funsafe_code",
    "-Awarnings",
    "--error-format=json",
    "--json=diagnostic-rendered-ansi",
];

/// rustc gets this long before a file counts as one that makes it loop.
const COMPILE_TIMEOUT: Duration = Duration::from_secs(120);
/// rustc needs ~150 MiB for an exercise; a file that needs this much is a bomb.
const COMPILE_MEMORY_MB: u64 = 3072;

/// What to build.
pub(crate) struct Input<'a> {
    /// The learner's source, as read once (the compile uses this snapshot).
    pub source: &'a str,
    /// How diagnostics should name the file, e.g. `exercises/01_spawning/x.rs`.
    pub display: &'a str,
    pub hidden: &'a str,
}

/// The outcome of a build.
pub(crate) enum Built {
    /// The test binary, ready to run.
    Binary(PathBuf),
    /// rustc's diagnostics (ANSI-coloured), pointing at the learner's file
    /// where the fault is theirs.
    CompileError(String),
}

/// Builds test binaries into `<dir>/bin/<key>`.
pub(crate) struct Builder {
    toolchain: Toolchain,
    dir: PathBuf,
}

static WORK_COUNTER: AtomicUsize = AtomicUsize::new(0);

impl Builder {
    pub fn new(toolchain: Toolchain, dir: PathBuf) -> Self {
        Builder { toolchain, dir }
    }

    /// The cache key: everything that can change the binary.
    fn key(&self, input: &Input) -> String {
        let mut h = DefaultHasher::new();
        (
            input.source,
            input.display,
            input.hidden,
            SUPPORT,
            &self.toolchain.version,
            FLAGS,
        )
            .hash(&mut h);
        env!("CARGO_PKG_VERSION").hash(&mut h);
        format!("{:016x}", h.finish())
    }

    /// Compiles `input`, or finds its binary from an earlier build.
    pub fn build(&self, input: &Input) -> std::io::Result<Built> {
        if let Some(refusal) = forbidden(input.source) {
            return Ok(Built::CompileError(refusal));
        }
        let key = self.key(input);
        let bin_dir = self.dir.join("bin");
        let binary = bin_dir.join(&key);
        if binary.is_file() {
            return Ok(Built::Binary(binary));
        }
        std::fs::create_dir_all(&bin_dir)?;
        // A private work directory: several checkers may build at once, and
        // one killed mid-build leaves only a stray directory, never a bad binary.
        let n = WORK_COUNTER.fetch_add(1, Ordering::SeqCst);
        let work = self
            .dir
            .join("work")
            .join(format!("{key}-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&work)?;
        let result = self.build_in(&work, input, &binary);
        let _ = std::fs::remove_dir_all(&work);
        result
    }

    fn build_in(&self, work: &Path, input: &Input, binary: &Path) -> std::io::Result<Built> {
        let learner = work.join("learner.rs");
        std::fs::write(&learner, format!("{}{LEARNER_MAIN}", input.source))?;
        std::fs::write(work.join("support.rs"), SUPPORT)?;
        std::fs::write(work.join("hidden.rs"), input.hidden)?;
        std::fs::write(work.join("main.rs"), GENERATED_MAIN)?;
        let out = work.join("test-binary");
        let mut cmd = self.rustc(work, input);
        cmd.args(FLAGS)
            .arg("-o")
            .arg(&out)
            .arg(work.join("main.rs"));
        let diagnostics = match self.run_rustc(cmd)? {
            Ok(()) => {
                std::fs::rename(&out, binary)?;
                return Ok(Built::Binary(binary.to_path_buf()));
            }
            Err(diagnostics) => diagnostics,
        };
        // An error in our appended line means the file itself is broken
        // (no `main`, say): then the file's own diagnostics say it better.
        if diagnostics.blames(input.display) && !diagnostics.mentions("__threadlings_main") {
            return Ok(Built::CompileError(diagnostics.rendered()));
        }
        // The hidden tests did not compile against this file. If the file
        // does not compile on its own either, those errors are the learner's.
        std::fs::write(work.join("alone.rs"), input.source)?;
        let mut alone = self.rustc(work, input);
        alone
            .args([
                "--edition=2024",
                "--crate-type=bin",
                "--emit=metadata",
                "-Awarnings",
            ])
            .args(["--error-format=json", "--json=diagnostic-rendered-ansi"])
            .arg("-o")
            .arg(work.join("alone.rmeta"))
            .arg(work.join("alone.rs"));
        if let Err(own) = self.run_rustc(alone)? {
            return Ok(Built::CompileError(own.rendered()));
        }
        Ok(Built::CompileError(format!(
            "Your file compiles on its own, but the hidden tests cannot use it. Keep the names, \
             parameters and return types of the `pub fn`s as the exercise ships them.\n\n{}",
            diagnostics.rendered()
        )))
    }

    fn rustc(&self, work: &Path, input: &Input) -> Command {
        let mut cmd = Command::new(&self.toolchain.rustc);
        // rustc applies the last matching remapping: the learner's file first.
        cmd.current_dir(work)
            .arg(format!(
                "--remap-path-prefix={}=[threadlings]",
                work.display()
            ))
            .arg(format!(
                "--remap-path-prefix={}={}",
                work.join("learner.rs").display(),
                input.display
            ))
            .arg(format!(
                "--remap-path-prefix={}={}",
                work.join("alone.rs").display(),
                input.display
            ));
        cmd
    }

    /// Runs rustc under a time limit. `Ok(Err(_))` holds its diagnostics.
    fn run_rustc(&self, cmd: Command) -> std::io::Result<Result<(), Diagnostics>> {
        let limits = Limits {
            timeout: COMPILE_TIMEOUT,
            max_output_bytes: 8 * 1024 * 1024,
            max_threads: 1024,
            max_memory_mb: COMPILE_MEMORY_MB,
        };
        let finished = sandbox::run(cmd, b"", &limits)?;
        let stderr = String::from_utf8_lossy(&finished.stderr);
        match finished.exit {
            Exit::Code(0) => Ok(Ok(())),
            Exit::TimedOut => Ok(Err(Diagnostics::note(format!(
                "rustc did not finish within {} s: something in the file makes the compiler work without end",
                COMPILE_TIMEOUT.as_secs()
            )))),
            Exit::OutputLimit => Ok(Err(Diagnostics::note(
                "rustc printed too much: the diagnostics were cut".into(),
            ))),
            Exit::Signal(s) => Ok(Err(Diagnostics::note(format!(
                "rustc was killed by signal {s}"
            )))),
            Exit::MemoryLimit(mb) => Ok(Err(Diagnostics::note(format!(
                "rustc used {mb} MiB of memory and was stopped: something in the file makes the compiler explode"
            )))),
            Exit::ThreadLimit(n) => Ok(Err(Diagnostics::note(format!(
                "rustc started {n} threads and was stopped"
            )))),
            Exit::Code(_) => Ok(Err(Diagnostics::parse(&stderr))),
        }
    }
}

/// The crate root. The learner's file is a module (so inner attributes such
/// as `#![allow(..)]` work as in a crate of its own); `learner.rs` is the
/// snapshot with `LEARNER_MAIN` appended, which lets `--main` runs call its
/// private `main`.
const GENERATED_MAIN: &str =
    "// Generated by threadlings: the learner's file, the support library and the hidden tests.
#[allow(dead_code, unused)]
#[path = \"learner.rs\"]
mod learner;
#[path = \"support.rs\"]
mod support;
#[path = \"hidden.rs\"]
mod hidden;
fn main() { support::main(hidden::TESTS, learner::__threadlings_main) }
";

/// Appended on a line of its own after the learner's last line, so every
/// line number in diagnostics stays the learner's.
const LEARNER_MAIN: &str = "\npub(crate) fn __threadlings_main() { main() }\n";

/// Pulling in another file would let an exercise pass with code that is not
/// in it (the reference solution, say), so those constructs do not compile.
fn forbidden(source: &str) -> Option<String> {
    for (line_no, line) in source.lines().enumerate() {
        let line_no = line_no + 1;
        if line.trim_start().starts_with("//") {
            continue;
        }
        for word in ["include", "include_str", "include_bytes"] {
            let mut from = 0;
            while let Some(at) = line[from..].find(word).map(|i| i + from) {
                from = at + word.len();
                let before_ok = at == 0 || !is_ident(line.as_bytes()[at - 1]);
                let rest = line[from..].trim_start();
                if before_ok && rest.starts_with('!') {
                    return Some(format!(
                        "error: `{word}!` is not allowed in an exercise\n --> line {line_no}\n  = note: write the \
                         code in this file: threadlings checks what you wrote, not another file"
                    ));
                }
            }
        }
        if line.contains("#[path") || line.contains("# [path") {
            return Some(format!(
                "error: `#[path = ...]` modules are not allowed in an exercise\n --> line {line_no}\n  = note: \
                 write the code in this file: threadlings checks what you wrote, not another file"
            ));
        }
    }
    None
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// rustc's errors, from its JSON output.
struct Diagnostics {
    errors: Vec<Diagnostic>,
}

struct Diagnostic {
    rendered: String,
    /// Files of the primary spans.
    files: Vec<String>,
}

#[derive(serde::Deserialize)]
struct RawDiagnostic {
    level: String,
    rendered: Option<String>,
    #[serde(default)]
    spans: Vec<RawSpan>,
}

#[derive(serde::Deserialize)]
struct RawSpan {
    file_name: String,
    is_primary: bool,
}

impl Diagnostics {
    fn note(text: String) -> Self {
        Diagnostics {
            errors: vec![Diagnostic {
                rendered: format!("error: {text}\n"),
                files: Vec::new(),
            }],
        }
    }

    fn parse(stderr: &str) -> Self {
        let mut errors = Vec::new();
        for line in stderr.lines() {
            match serde_json::from_str::<RawDiagnostic>(line) {
                Ok(d) if d.level.starts_with("error") => errors.push(Diagnostic {
                    rendered: d.rendered.unwrap_or_default(),
                    files: d
                        .spans
                        .into_iter()
                        .filter(|s| s.is_primary)
                        .map(|s| s.file_name)
                        .collect(),
                }),
                Ok(_) => {}
                // Not JSON: rustc itself crashed or printed plainly; keep it.
                Err(_) => errors.push(Diagnostic {
                    rendered: format!("{line}\n"),
                    files: Vec::new(),
                }),
            }
        }
        Diagnostics { errors }
    }

    /// True if every located error points into the learner's file.
    fn blames(&self, display: &str) -> bool {
        let located: Vec<&Diagnostic> =
            self.errors.iter().filter(|d| !d.files.is_empty()).collect();
        !located.is_empty() && located.iter().all(|d| d.files.iter().all(|f| f == display))
    }

    fn mentions(&self, text: &str) -> bool {
        self.errors.iter().any(|d| d.rendered.contains(text))
    }

    fn rendered(&self) -> String {
        self.errors
            .iter()
            .map(|d| d.rendered.as_str())
            .collect::<String>()
            .trim_end()
            .to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn including_other_files_is_refused() {
        assert!(
            forbidden("include!(\"../x.rs\");")
                .unwrap()
                .contains("`include!` is not allowed")
        );
        assert!(forbidden("fn f() { let s = std::include_str !(\"/etc/x\"); }").is_some());
        assert!(
            forbidden("#[path = \"/tmp/sol.rs\"]\nmod sol;")
                .unwrap()
                .contains("line 1")
        );
        assert!(forbidden("// include!(\"x\") in a comment\nfn main() {}").is_none());
        assert!(forbidden("fn my_include() {} fn main() { my_include(); }").is_none());
    }

    #[test]
    fn errors_are_blamed_on_the_learner_only_when_every_span_is_theirs() {
        let learner = r#"{"level":"error","rendered":"E1\n","spans":[{"file_name":"ex.rs","is_primary":true}]}"#;
        let hidden = r#"{"level":"error","rendered":"E2\n","spans":[{"file_name":"[threadlings]/hidden.rs","is_primary":true}]}"#;
        let summary = r#"{"level":"error","rendered":"aborting\n","spans":[]}"#;
        let warning = r#"{"level":"warning","rendered":"W\n","spans":[{"file_name":"x.rs","is_primary":true}]}"#;
        let only_learner = Diagnostics::parse(&[learner, summary, warning].join("\n"));
        assert!(only_learner.blames("ex.rs"));
        assert_eq!(only_learner.rendered(), "E1\naborting");
        assert!(!Diagnostics::parse(&[learner, hidden].join("\n")).blames("ex.rs"));
        assert!(!Diagnostics::parse(summary).blames("ex.rs"));
    }
}
