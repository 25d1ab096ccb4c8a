//! Compiling a learner's file together with its hidden tests, by invoking
//! rustc directly (no cargo per check), with a content-addressed cache of the
//! resulting binaries.
//!
//! The generated crate is `learner` (a snapshot of the learner's file, as a
//! module) + `hidden` (the hidden tests), linked against the support library
//! (the `checker/support` crate, embedded), compiled once per toolchain into
//! an rlib. Paths are remapped so that diagnostics name the learner's own
//! file and lines.
//!
//! Speed: learners edit one file many times, so rustc keeps incremental
//! state per file; and the learner's file is checked alone (metadata only)
//! alongside the build, so their own compile errors come back at the speed
//! of `rustc --emit=metadata`.

mod direct;
mod key;
mod scan;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

pub(crate) use key::Key;
use threadlings_support::protocol;

use crate::supervise::{self, Exit, Limits};
use crate::toolchain::{Detected, ToolchainError};

// The hidden tests' support library, compiled into every test binary:
// `SUPPORT_FILES`, (path under `src/`, contents), embedded by build.rs.
include!(concat!(env!("OUT_DIR"), "/support_files.rs"));

/// Flags for everything we compile; part of every cache key.
const COMMON_FLAGS: &[&str] = &[
    "--edition=2024",
    "-Cdebuginfo=0",
    "-Copt-level=0",
    "-Funsafe_code",
    "-Awarnings",
    "--error-format=json",
    "--json=diagnostic-rendered-ansi",
];

/// rustc gets this long before a file counts as one that makes it loop.
pub(crate) const COMPILE_TIMEOUT: Duration = Duration::from_secs(120);
/// rustc needs ~150 MiB for an exercise; a file that needs this much is a bomb.
const COMPILE_MEMORY_MB: u64 = 3072;
/// `--list` runs no learner code; this only guards against a broken binary.
const LIST_TIMEOUT: Duration = Duration::from_secs(10);

/// What to build.
pub(crate) struct Input<'a> {
    /// The learner's source, as read once (the compile uses this snapshot).
    pub source: &'a str,
    /// How diagnostics should name the file, e.g. `exercises/01_spawning/x.rs`.
    pub display: &'a str,
    /// The exercise: the program is named as the learner's copy of it is
    /// (`x`), whichever file is checked. A known-wrong answer's file name
    /// says what is wrong with it, and a program sees its own name.
    pub exercise: &'a str,
    /// Where the file lives, when it is a file that gets edited and checked
    /// again: its incremental state is kept under this path's key, so two
    /// files (two students' copies of one exercise, say) never share it.
    pub origin: Option<&'a Path>,
    pub hidden: &'a str,
    /// Keep rustc's incremental state for this file between builds: right
    /// for a learner's file, edited many times; wasted on one-off builds.
    pub incremental: bool,
    /// Also check the learner's file alone, at the same time, so that their
    /// own errors come back as soon as that quick check has them.
    pub fast_errors: bool,
    /// How long rustc may take (a file can make it work without end).
    pub compile_timeout: Duration,
}

/// The outcome of a build.
pub(crate) enum Built {
    /// The test binary, ready to run, its hidden tests' names, and rustc's
    /// warnings about the learner's file (rendered, ANSI-coloured; empty
    /// when none), kept with the binary.
    Binary(PathBuf, Vec<String>, String),
    /// rustc's diagnostics (ANSI-coloured), pointing at the learner's file
    /// where the fault is theirs.
    CompileError(String),
    /// rustc was stopped by a limit (time, memory, output): a
    /// `compile_error` too, but one a busy machine may have caused, so it
    /// is never kept as the file's verdict.
    Stopped(String),
}

/// Builds test binaries into `<dir>/bin/<key>`.
pub(crate) struct Builder {
    toolchain: Detected,
    /// rustc without rustup's proxy, once known for the version.
    direct: direct::Direct,
    dir: PathBuf,
    /// Building the support library happens once: not twice at once here.
    support_lock: Mutex<()>,
}

/// What rustc made of the crate.
enum Compiled {
    /// The test binary, at this path in the work directory, and the
    /// warnings about the learner's file.
    Ready(PathBuf, String),
    /// Diagnostics to show.
    Errors(Built),
}

/// Everything of the checker's own that goes into a test binary or decides
/// its verdict: every file of the support crate, the generated crate root,
/// and this checker's build (a changed judge must not answer from a cache
/// filled by the old one). Hashed once per process.
fn checker_digest() -> &'static str {
    static DIGEST: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        Key::new("checker")
            .parts(SUPPORT_FILES.iter().flat_map(|(name, text)| [*name, *text]))
            .part(GENERATED_MAIN)
            .part(LEARNER_MAIN)
            .part(env!("THREADLINGS_BUILD_ID"))
            .hex()
    });
    &DIGEST
}

/// Work done under a guessed toolchain version that turned out wrong: it is
/// thrown away, never kept under that version's keys.
struct WrongVersion;

impl Builder {
    pub fn new(toolchain: Detected, dir: PathBuf) -> Self {
        Builder {
            toolchain,
            direct: direct::Direct::load(dir.join("rustc-direct")),
            dir,
            support_lock: Mutex::new(()),
        }
    }

    pub fn toolchain(&self) -> &Detected {
        &self.toolchain
    }

    fn key_for(&self, input: &Input, version: &str, linking: &Linking) -> String {
        let std_link = match &linking.std_dylib {
            Some(dir) => dir.as_os_str().as_encoded_bytes(),
            None => b"static",
        };
        Key::new("test-binary")
            .part(input.source)
            .part(input.display)
            .part(input.hidden)
            .part(generated_main(input.source))
            .part(checker_digest())
            .part(version)
            .parts(COMMON_FLAGS)
            .parts(LEARNER_FLAGS)
            .parts(TEST_FLAGS)
            .part(std_link)
            .part(linking.support.file_name())
            .hex()
    }

    /// Where the toolchain's std is a shared library, when the test binary
    /// can link to it: `<sysroot>/lib/rustlib/<host>/lib`, known once the
    /// rustc behind the proxy is (`direct`) for `version`, if it holds a
    /// `libstd-*.so`. Linking a program to it instead of copying std into
    /// it saves the linker much of its work on every check (a test binary
    /// is mostly std); the binary finds it by an rpath, so it runs wherever
    /// that toolchain is installed. `None`: std is linked in, as rustc does
    /// for a program by default.
    fn std_dylib_dir(&self, version: &str) -> Option<PathBuf> {
        let (sysroot, host) = self.direct.sysroot(version)?;
        let dir = sysroot.join("lib").join("rustlib").join(host).join("lib");
        (rpath_safe(&dir) && has_std_dylib(&dir)).then_some(dir)
    }

    /// The cache key (everything that can change the binary), with the
    /// version this run works with, which may still be a guess.
    pub fn key(&self, input: &Input) -> String {
        let version = self.toolchain.version();
        self.key_for(input, &version, &self.linking(&version))
    }

    /// The cache key with the confirmed toolchain version.
    pub fn confirmed_key(&self, input: &Input) -> Result<String, ToolchainError> {
        let toolchain = self.toolchain.confirm()?;
        let version = &toolchain.version;
        Ok(self.key_for(input, version, &self.linking(version)))
    }

    /// Where the binary for `input` is (or would be) cached.
    pub fn binary_path(&self, input: &Input) -> PathBuf {
        self.binary_at(&self.key(input), input)
    }

    /// `bin/<key>/<program>`: the file is named as rustc names the
    /// learner's program, for what a test process sees of its own name
    /// (`/proc/self/comm`, `current_exe`, the name it is started with).
    fn binary_at(&self, key: &str, input: &Input) -> PathBuf {
        self.dir
            .join("bin")
            .join(key)
            .join(program_name(input.exercise))
    }

    /// `Err(WrongVersion)` unless `version` is the confirmed one.
    fn check_version(&self, version: &str) -> std::io::Result<Result<(), WrongVersion>> {
        let toolchain = self.toolchain.confirm().map_err(std::io::Error::other)?;
        Ok(if toolchain.version == version {
            Ok(())
        } else {
            Err(WrongVersion)
        })
    }

    /// A fresh private directory, removed when dropped: several checkers may
    /// build at once, and one killed mid-build leaves only a stray
    /// directory, never a bad product.
    fn work_dir(&self) -> std::io::Result<tempfile::TempDir> {
        let parent = self.dir.join("work");
        std::fs::create_dir_all(&parent)?;
        tempfile::Builder::new().prefix("build-").tempdir_in(parent)
    }

    /// Builds the support library now, for the toolchain this run works
    /// with; `true` when it is ready.
    pub fn prepare_support(&self) -> bool {
        let version = self.toolchain.version();
        let kind = self.linking(&version).support;
        matches!(self.support_dir(&version, kind), Ok(Ok(_)))
    }

    /// Whether the support library for this run's toolchain is built.
    pub fn support_is_ready(&self) -> bool {
        let version = self.toolchain.version();
        self.support_built(&version, self.linking(&version).support)
    }

    /// How test binaries for `version` link std and the support library.
    /// The support library is a shared library where std is one too and its
    /// directory can be named in an rpath: the linker then has its code to
    /// read once, not on every check (about 10 ms of each build after an
    /// edit). Otherwise it is an rlib, copied into each binary.
    fn linking(&self, version: &str) -> Linking {
        let std_dylib = self.std_dylib_dir(version);
        let shared =
            std_dylib.is_some() && rpath_safe(&self.support_path(version, SupportKind::Dylib));
        Linking {
            std_dylib,
            support: if shared {
                SupportKind::Dylib
            } else {
                SupportKind::Rlib
            },
        }
    }

    /// Whether the support library of this kind is built for `version`.
    fn support_built(&self, version: &str, kind: SupportKind) -> bool {
        self.support_path(version, kind)
            .join(kind.file_name())
            .is_file()
    }

    fn support_path(&self, version: &str, kind: SupportKind) -> PathBuf {
        let key = Key::new("support")
            .part(checker_digest())
            .part(version)
            .parts(COMMON_FLAGS)
            .part(kind.file_name())
            .hex();
        self.dir.join("support").join(&key)
    }

    /// The support library, built once per toolchain version.
    fn support_dir(
        &self,
        version: &str,
        kind: SupportKind,
    ) -> std::io::Result<Result<PathBuf, WrongVersion>> {
        let done = self.support_path(version, kind);
        let ready = || self.support_built(version, kind);
        if ready() {
            return Ok(Ok(done));
        }
        // Rare (once per toolchain), so it may wait for the version.
        if let Err(wrong) = self.check_version(version)? {
            return Ok(Err(wrong));
        }
        let _building = self.support_lock.lock().unwrap_or_else(|e| e.into_inner());
        if ready() {
            return Ok(Ok(done));
        }
        let work = self.work_dir()?;
        for (name, text) in SUPPORT_FILES {
            let path = work.path().join("src").join(name);
            std::fs::create_dir_all(path.parent().expect("under src"))?;
            std::fs::write(path, text)?;
        }
        let mut cmd = Command::new(self.direct.rustc(version, self.toolchain.rustc()));
        cmd.current_dir(work.path())
            .args(COMMON_FLAGS)
            .args(kind.flags())
            .args(["--crate-name=threadlings_support", "src/lib.rs"]);
        if let Err(diagnostics) = self.run_rustc(cmd, COMPILE_TIMEOUT, COMPILE_TIMEOUT, None)? {
            return Err(std::io::Error::other(format!(
                "cannot build the test support library: {}",
                diagnostics.rendered()
            )));
        }
        std::fs::create_dir_all(done.parent().expect("under dir"))?;
        // Another checker may have finished first: theirs is as good (and
        // then ours is removed with `work`).
        if std::fs::rename(work.path(), &done).is_ok() {
            let _ = work.keep();
        }
        Ok(Ok(done))
    }

    /// Compiles `input`, or finds its binary from an earlier build.
    pub fn build(&self, input: &Input) -> std::io::Result<Built> {
        if let Some(refusal) = forbidden(input.source) {
            return Ok(Built::CompileError(refusal));
        }
        let version = self.toolchain.version();
        if let Ok(built) = self.build_as(input, &version)? {
            return Ok(built);
        }
        // The work started on the last run's toolchain version, and the
        // toolchain has changed since: do it again with the real one.
        let version = self
            .toolchain
            .confirm()
            .map_err(std::io::Error::other)?
            .version
            .clone();
        self.build_as(input, &version)?.map_err(|WrongVersion| {
            std::io::Error::other("the Rust toolchain changed during the build")
        })
    }

    /// Builds for one toolchain version; the result is kept (and returned)
    /// only once that version is confirmed.
    fn build_as(
        &self,
        input: &Input,
        version: &str,
    ) -> std::io::Result<Result<Built, WrongVersion>> {
        // Decided once for this build: the key and the link flags agree even
        // if the rustc behind the proxy becomes known meanwhile.
        let linking = self.linking(version);
        let key = self.key_for(input, version, &linking);
        let bin_dir = self.dir.join("bin");
        let binary = self.binary_at(&key, input);
        let tests = bin_dir.join(format!("{key}.tests"));
        // The binary is renamed into place last: if it exists, so does its list.
        // A binary linked to the support library as a shared library runs
        // only while that library is where its rpath says.
        let support_there =
            || linking.support == SupportKind::Rlib || self.support_built(version, linking.support);
        if binary.is_file()
            && support_there()
            && let Ok(names) = std::fs::read_to_string(&tests)
        {
            let warnings = std::fs::read_to_string(tests.with_extension("warnings"));
            let hit = Built::Binary(
                binary,
                names.lines().map(str::to_string).collect(),
                warnings.unwrap_or_default(),
            );
            return Ok(self.check_version(version)?.map(|()| hit));
        }
        std::fs::create_dir_all(&bin_dir)?;
        // rustc's incremental state only helps when the sources sit at the
        // same paths every time: a learner's file gets a fixed work directory,
        // held under a lock; a second checker meanwhile gets a private one.
        if input.incremental
            && let Some(origin) = input.origin
        {
            let origin = std::fs::canonicalize(origin).unwrap_or_else(|_| origin.to_path_buf());
            let home = self.dir.join("incremental").join(
                Key::new("incremental")
                    .part(origin.as_os_str().as_encoded_bytes())
                    .hex(),
            );
            std::fs::create_dir_all(home.join("src"))?;
            let lock = std::fs::File::create(home.join("lock"))?;
            if lock.try_lock().is_ok() {
                let state = home.join("state");
                return self.build_in(
                    &home.join("src"),
                    input,
                    version,
                    &linking,
                    (&binary, &tests),
                    Some(&state),
                );
            }
        }
        let work = self.work_dir()?;
        self.build_in(
            work.path(),
            input,
            version,
            &linking,
            (&binary, &tests),
            None,
        )
    }

    fn build_in(
        &self,
        work: &Path,
        input: &Input,
        version: &str,
        linking: &Linking,
        (binary, tests): (&Path, &Path),
        incremental: Option<&Path>,
    ) -> std::io::Result<Result<Built, WrongVersion>> {
        let support = match self.support_dir(version, linking.support)? {
            Ok(support) => support,
            Err(wrong) => return Ok(Err(wrong)),
        };
        // Meanwhile, once per toolchain: rustc without rustup's proxy.
        let built = std::thread::scope(|scope| {
            if !self.direct.knows(version) {
                scope.spawn(|| self.direct.find(version, self.toolchain.rustc(), work));
            }
            self.compile(work, input, version, &support, linking, incremental)
        })?;
        // Nothing made under a wrong guess is kept or shown.
        if let Err(wrong) = self.check_version(version)? {
            return Ok(Err(wrong));
        }
        match built {
            Compiled::Ready(out, warnings) => self
                .install(work, input, &out, binary, tests, warnings)
                .map(Ok),
            Compiled::Errors(built) => Ok(Ok(built)),
        }
    }

    fn compile(
        &self,
        work: &Path,
        input: &Input,
        version: &str,
        support: &Path,
        linking: &Linking,
        incremental: Option<&Path>,
    ) -> std::io::Result<Compiled> {
        let started = Instant::now();
        std::fs::write(
            work.join("learner.rs"),
            format!("{}{LEARNER_MAIN}", input.source),
        )?;
        std::fs::write(work.join("alone.rs"), input.source)?;
        std::fs::write(work.join("hidden.rs"), input.hidden)?;
        std::fs::write(work.join("main.rs"), generated_main(input.source))?;
        let (learner, warnings) = match self.compile_learner(work, input, version, incremental)? {
            Ok(compiled) => compiled,
            Err(errors) => return Ok(Compiled::Errors(errors)),
        };
        crate::engine::trace(input.display, "rustc learner", started);
        let test_started = Instant::now();

        // The test crate: the hidden tests, using the learner's crate and
        // the support library. Its time comes out of the same budget.
        let out = work.join("test-binary");
        let mut cmd = self.rustc(work, input, version);
        cmd.args(COMMON_FLAGS)
            .args(TEST_FLAGS)
            .arg("--emit=dep-info,link")
            .arg("--extern")
            .arg(format!("learner={}", learner.display()))
            .arg("-L")
            .arg(format!("crate={}", support.display()))
            .arg("-o")
            .arg(&out)
            .arg(work.join("main.rs"));
        if let Some(state) = incremental {
            cmd.arg(format!("-Cincremental={}", state.join("test").display()));
        }
        if let Some(dir) = &linking.std_dylib {
            // DT_RPATH, not DT_RUNPATH: found before any LD_LIBRARY_PATH of
            // the learner's environment. `-Xlinker` passes each directory
            // whole (`-Wl,` would split it at commas).
            cmd.arg("-Cprefer-dynamic");
            cmd.arg("-Clink-arg=-Xlinker")
                .arg("-Clink-arg=--disable-new-dtags");
            let support_dylib = linking.support == SupportKind::Dylib;
            for dir in [dir.as_path()]
                .into_iter()
                .chain(support_dylib.then_some(support))
            {
                for arg in ["-Xlinker", "-rpath", "-Xlinker"] {
                    cmd.arg(format!("-Clink-arg={arg}"));
                }
                let mut rpath = std::ffi::OsString::from("-Clink-arg=");
                rpath.push(dir);
                cmd.arg(rpath);
            }
        }
        let left = input.compile_timeout.saturating_sub(started.elapsed());
        let test_crate = self.run_rustc(cmd, left, input.compile_timeout, None)?;
        crate::engine::trace(input.display, "rustc test crate", test_started);
        let diagnostics = match test_crate {
            // The test crate's warnings are ours, never the learner's.
            Ok(_) => {
                if let Some(refusal) =
                    read_elsewhere(work, &out.with_extension("d"), &["main.rs", "hidden.rs"])
                {
                    return Ok(Compiled::Errors(refusal));
                }
                return Ok(Compiled::Ready(out, warnings));
            }
            Err(diagnostics) if diagnostics.by_limit => {
                return Ok(Compiled::Errors(Built::Stopped(diagnostics.rendered())));
            }
            Err(diagnostics) => diagnostics,
        };
        // Errors located in the learner's file only (their generic code,
        // compiled for the hidden tests' types): theirs, as rustc says them.
        if diagnostics.blames(input.display) {
            return Ok(Compiled::Errors(Built::CompileError(
                diagnostics.rendered(),
            )));
        }
        // The learner's crate compiled: the hidden tests did not compile
        // against it (a changed signature, a missing or private item).
        Ok(Compiled::Errors(Built::CompileError(format!(
            "Your file compiles on its own, but the hidden tests cannot use it. Keep the names, \
             parameters and return types of the `pub fn`s as the exercise ships them, and \
             keep them `pub`.\n\n{}",
            diagnostics.rendered()
        ))))
    }

    /// Compiles the learner's file as a crate of its own, `learner` (with
    /// `LEARNER_MAIN` appended): it cannot name the hidden tests or the
    /// support library (no `-L` to it), so it compiles, and behaves, only as
    /// the file itself says. Its errors and warnings are the learner's.
    /// `Ok((rlib, warnings))`.
    fn compile_learner(
        &self,
        work: &Path,
        input: &Input,
        version: &str,
        incremental: Option<&Path>,
    ) -> std::io::Result<Result<(PathBuf, String), Built>> {
        // The quick check costs a core. A learner's errors come in runs, so
        // spend it while the file has errors, not right after it compiled.
        let compiled_ok = incremental.map(|state| state.with_extension("ok"));
        let fast_errors = input.fast_errors && !compiled_ok.as_ref().is_some_and(|ok| ok.exists());
        let rlib = work.join("liblearner.rlib");
        let dep_info = work.join("liblearner.d");
        let mut cmd = self.rustc(work, input, version);
        cmd.args(COMMON_FLAGS)
            .args(LEARNER_FLAGS)
            .arg(format!(
                "--emit=dep-info={},link={}",
                dep_info.display(),
                rlib.display()
            ))
            .arg(work.join("learner.rs"));
        if let Some(state) = incremental {
            cmd.arg(format!("-Cincremental={}", state.join("learner").display()));
        }
        let stop = AtomicBool::new(false);
        let (own, alone) = std::thread::scope(|scope| {
            let alone = fast_errors.then(|| {
                scope.spawn(|| {
                    let result = self.check_alone(work, input, version);
                    if matches!(result, Ok(Err(_))) {
                        // The learner's errors as a program are the answer.
                        stop.store(true, Ordering::SeqCst);
                    }
                    result
                })
            });
            let own = self.run_rustc(
                cmd,
                input.compile_timeout,
                input.compile_timeout,
                Some(&stop),
            );
            (
                own,
                alone.map(|h| h.join().expect("the quick check panicked")),
            )
        });
        let own = own?;
        if let Some(ok) = &compiled_ok {
            let _ = if own.is_ok() {
                std::fs::write(ok, "")
            } else {
                std::fs::remove_file(ok)
            };
        }
        let diagnostics = match own {
            Ok(said) => {
                return Ok(match read_elsewhere(work, &dep_info, &["learner.rs"]) {
                    Some(refusal) => Err(refusal),
                    None => Ok((rlib, said.warnings_about(input.display))),
                });
            }
            Err(diagnostics) if diagnostics.by_limit => {
                return Ok(Err(Built::Stopped(diagnostics.rendered())));
            }
            Err(diagnostics) => diagnostics,
        };
        let alone = match alone {
            Some(result) => Some(result?),
            None => None,
        };
        if let Some(Err(own)) = alone {
            return Ok(Err(own.into_built()));
        }
        // An error in our appended line means the file is broken as a
        // program (no `main`, say): then rustc says it better about the
        // file alone, compiled as the program it is.
        if diagnostics.mentions("__threadlings_main")
            && alone.is_none()
            && let Err(own) = self.check_alone(work, input, version)?
        {
            return Ok(Err(own.into_built()));
        }
        Ok(Err(diagnostics.into_built()))
    }

    /// Moves the binary and its test list into the cache. The list depends
    /// only on the hidden tests, so it is asked of a binary (`--list`, which
    /// runs no learner code) once per version of them.
    fn install(
        &self,
        work: &Path,
        input: &Input,
        out: &Path,
        binary: &Path,
        tests: &Path,
        warnings: String,
    ) -> std::io::Result<Built> {
        let known = self.dir.join("lists").join(
            Key::new("test-list")
                .part(input.hidden)
                .part(checker_digest())
                .hex(),
        );
        let names = match std::fs::read_to_string(&known) {
            Ok(list) if !list.trim().is_empty() => list,
            _ => {
                let limits = Limits {
                    timeout: LIST_TIMEOUT,
                    max_output_bytes: 64 * 1024,
                    max_threads: 64,
                    max_memory_mb: 512,
                };
                let mut cmd = Command::new(out);
                cmd.arg(protocol::ARG_LIST);
                let listed = supervise::run(cmd, b"", &limits)?;
                let list = String::from_utf8_lossy(&listed.stdout).into_owned();
                if listed.exit != Exit::Code(0) || list.trim().is_empty() {
                    return Err(std::io::Error::other(format!(
                        "the hidden tests could not be listed ({:?})",
                        listed.exit
                    )));
                }
                std::fs::create_dir_all(known.parent().expect("under dir"))?;
                let tmp = work.join("tests-known");
                std::fs::write(&tmp, &list)?;
                std::fs::rename(&tmp, &known)?;
                list
            }
        };
        let list = work.join("tests");
        std::fs::write(&list, &names)?;
        std::fs::rename(&list, tests)?;
        let kept = work.join("warnings");
        std::fs::write(&kept, &warnings)?;
        std::fs::rename(&kept, tests.with_extension("warnings"))?;
        std::fs::create_dir_all(binary.parent().expect("bin/<key>/<program>"))?;
        std::fs::rename(out, binary)?;
        Ok(Built::Binary(
            binary.to_path_buf(),
            names.lines().map(str::to_string).collect(),
            warnings,
        ))
    }

    /// Compiles the learner's file alone, metadata only: its own errors.
    fn check_alone(
        &self,
        work: &Path,
        input: &Input,
        version: &str,
    ) -> std::io::Result<Result<Diagnostics, Diagnostics>> {
        let mut cmd = self.rustc(work, input, version);
        cmd.args(COMMON_FLAGS)
            .args([
                "--crate-type=bin",
                "--crate-name=alone",
                "--emit=metadata",
                "-o",
            ])
            .arg(work.join("alone.rmeta"))
            .arg(work.join("alone.rs"));
        self.run_rustc(cmd, input.compile_timeout, input.compile_timeout, None)
    }

    /// rustc for `version`, in `work`, with the learner's file named as
    /// they know it.
    fn rustc(&self, work: &Path, input: &Input, version: &str) -> Command {
        let mut cmd = Command::new(self.direct.rustc(version, self.toolchain.rustc()));
        // Nothing of the checker's in `env!`/`option_env!` either.
        supervise::with_clean_env(&mut cmd);
        // rustc applies the last matching remapping: the learner's file last.
        cmd.current_dir(work)
            .arg(format!(
                "--remap-path-prefix={}=[threadlings]",
                self.dir.display()
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

    /// Runs rustc under limits, until done, `timeout` has passed (what is
    /// left of the build's `budget`), or `stop` is set.
    /// `Ok(Err(_))` holds its errors; `Ok(Ok(_))` what it said besides
    /// (warnings) when it succeeded.
    fn run_rustc(
        &self,
        cmd: Command,
        timeout: Duration,
        budget: Duration,
        stop: Option<&AtomicBool>,
    ) -> std::io::Result<Result<Diagnostics, Diagnostics>> {
        let limits = Limits {
            timeout,
            max_output_bytes: 8 * 1024 * 1024,
            max_threads: 1024,
            max_memory_mb: COMPILE_MEMORY_MB,
        };
        let finished = supervise::run_until(cmd, b"", &limits, stop)?;
        let stderr = String::from_utf8_lossy(&finished.stderr);
        let note = |text: String| Ok(Err(Diagnostics::note(text)));
        // A limit stopped rustc: that is the verdict's whole story.
        let limit = |text: String| {
            Ok(Err(Diagnostics {
                by_limit: true,
                ..Diagnostics::note(text)
            }))
        };
        match finished.exit {
            Exit::Code(0) => Ok(Ok(Diagnostics::parse(&stderr))),
            Exit::Code(_) => Ok(Err(Diagnostics::parse(&stderr))),
            Exit::Stopped => note("stopped: the learner's own errors came first".into()),
            Exit::TimedOut => limit(format!(
                "rustc did not finish within {} s: something in the file makes the compiler work without end",
                budget.as_secs()
            )),
            Exit::OutputLimit => limit("rustc printed too much: the diagnostics were cut".into()),
            // Not the file's fault (we are shutting down, or the system
            // killed it): no verdict, so nothing false gets cached.
            Exit::Signal(s) => Err(std::io::Error::other(format!(
                "rustc was killed by signal {s}"
            ))),
            Exit::MemoryLimit(mb) => limit(format!(
                "rustc used {mb} MiB of memory and was stopped: something in the file makes the compiler explode"
            )),
            Exit::ThreadLimit(n) => limit(format!("rustc started {n} threads and was stopped")),
        }
    }
}

/// Flags for the learner's crate (with `COMMON_FLAGS`): a library of its
/// own, given no `-L` (std is all it can name).
/// One codegen unit: the crate is small, and that is quicker to rebuild.
/// Its warnings are the learner's to see (`-Awarnings` in `COMMON_FLAGS`
/// keeps everyone else's quiet).
const LEARNER_FLAGS: &[&str] = &[
    "-Wwarnings",
    "--crate-type=rlib",
    "--crate-name=learner",
    "-Ccodegen-units=1",
];

/// Flags for the test crate (with `COMMON_FLAGS`). A few codegen units
/// rebuild quicker after an edit than rustc's 256 for incremental builds
/// (less to track and to link), and much quicker from nothing.
const TEST_FLAGS: &[&str] = &[
    "--crate-type=bin",
    "--crate-name=threadlings_check",
    "-Ccodegen-units=4",
];

/// The test crate's root: the learner's crate as `learner` and the support
/// library as `support`, as the hidden tests name them (`super::learner`,
/// `super::support::*`). `generated_main` adds the constants computed from
/// the learner's file.
const GENERATED_MAIN: &str =
    "// Generated by threadlings: the hidden tests, using the learner's crate.
extern crate learner;
extern crate threadlings_support;
mod support {
    pub use threadlings_support::*;
}
#[path = \"hidden.rs\"]
mod hidden;
fn main() -> std::process::ExitCode {
    support::main(hidden::TESTS, learner::__threadlings_main, USES_SCOPE)
}
";

/// `GENERATED_MAIN` and what the checker finds in the learner's file:
/// whether it uses `thread::scope` (`support::learner_uses_scope`).
fn generated_main(source: &str) -> String {
    format!(
        "{GENERATED_MAIN}const USES_SCOPE: bool = {};\n",
        scan::uses_scope(source)
    )
}

/// Appended on a line of its own after the learner's last line, so every
/// line number in diagnostics stays the learner's: the test crate's entry
/// to the learner's `main`, which stays private in their file (and so is
/// used, not dead code, in a library).
const LEARNER_MAIN: &str = "\n#[doc(hidden)] pub fn __threadlings_main() -> std::process::ExitCode { std::process::Termination::report(main()) }\n";

/// The program's name as rustc names it when it compiles the file: the file
/// stem, `-` as `_` (what cargo's `[[bin]]` names are here, too).
fn program_name(display: &str) -> String {
    let stem = Path::new(display)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name: String = stem
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if name.is_empty() { "main".into() } else { name }
}

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

/// What rustc read, not what the text looks like: any file besides `ours`
/// (in `work`) means code from elsewhere (`include!` under another name,
/// `#[path]`, `include_str!`...), which is refused.
fn read_elsewhere(work: &Path, dep_info: &Path, ours: &[&str]) -> Option<Built> {
    let other = outside_file(work, dep_info, ours)?;
    Some(Built::CompileError(format!(
        "error: your file makes the compiler read another file: {other}\n  = note: write the \
         code in this file: threadlings checks what you wrote, not another file"
    )))
}

/// The first source file in rustc's dep-info that is not one of `ours` (in
/// `work`). A missing dep-info file counts as outside.
fn outside_file(work: &Path, dep_info: &Path, ours: &[&str]) -> Option<String> {
    let Ok(text) = std::fs::read_to_string(dep_info) else {
        return Some("(rustc wrote no list of the files it read)".into());
    };
    let ours: Vec<PathBuf> = ours.iter().map(|f| work.join(f)).collect();
    // After the first blank line: one `path:` line per file read.
    text.split("\n\n")
        .skip(1)
        .flat_map(str::lines)
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| line.strip_suffix(':'))
        .map(|path| path.replace("\\ ", " "))
        .find(|path| !ours.iter().any(|ours| Path::new(path) == ours))
}

/// How a build links std and the support library, decided once per build
/// (see `Builder::linking`): the cache key and the link flags agree even if
/// the rustc behind the proxy becomes known meanwhile.
struct Linking {
    /// The toolchain's directory holding `libstd-*.so`, when the binary
    /// links to it (see `std_dylib_dir`); `None`: std is linked in.
    std_dylib: Option<PathBuf>,
    support: SupportKind,
}

/// How the support library is built and linked (see `Builder::linking`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum SupportKind {
    Dylib,
    Rlib,
}

impl SupportKind {
    fn file_name(self) -> &'static str {
        match self {
            SupportKind::Dylib => "libthreadlings_support.so",
            SupportKind::Rlib => "libthreadlings_support.rlib",
        }
    }

    fn flags(self) -> &'static [&'static str] {
        match self {
            SupportKind::Dylib => &["--crate-type=dylib", "-Cprefer-dynamic"],
            SupportKind::Rlib => &["--crate-type=rlib"],
        }
    }
}

/// Whether `dir` can be named in an rpath: absolute (a relative one would
/// be read from wherever the program runs), without `:`, which separates
/// rpath entries, or `$`, which starts the loader's own variables.
fn rpath_safe(dir: &Path) -> bool {
    dir.is_absolute() && dir.to_str().is_some_and(|d| !d.contains([':', '$']))
}

/// Whether `dir` holds std as a shared library (`libstd-<hash>.so`).
fn has_std_dylib(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries.filter_map(Result::ok).any(|entry| {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            name.starts_with("libstd-") && name.ends_with(".so")
        })
    })
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// rustc's errors and warnings, from its JSON output.
struct Diagnostics {
    errors: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
    /// rustc was stopped by a limit, not by errors.
    by_limit: bool,
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

impl From<RawDiagnostic> for Diagnostic {
    /// rustc's text, and the files its primary spans point into.
    fn from(d: RawDiagnostic) -> Diagnostic {
        Diagnostic {
            rendered: d.rendered.unwrap_or_default(),
            files: d
                .spans
                .into_iter()
                .filter(|s| s.is_primary)
                .map(|s| s.file_name)
                .collect(),
        }
    }
}

impl Diagnostics {
    fn note(text: String) -> Self {
        Diagnostics {
            errors: vec![Diagnostic {
                rendered: format!("error: {text}\n"),
                files: Vec::new(),
            }],
            warnings: Vec::new(),
            by_limit: false,
        }
    }

    fn parse(stderr: &str) -> Self {
        let mut errors = Vec::new();
        let mut warnings = Vec::new();
        for line in stderr.lines() {
            match serde_json::from_str::<RawDiagnostic>(line) {
                Ok(d) if d.level.starts_with("error") => errors.push(d.into()),
                // Located ones: the count at the end ("1 warning emitted") has no span.
                Ok(d) if d.level == "warning" && !d.spans.is_empty() => warnings.push(d.into()),
                Ok(_) => {}
                // Not JSON: rustc itself crashed or printed plainly; keep it.
                Err(_) => errors.push(Diagnostic {
                    rendered: format!("{line}\n"),
                    files: Vec::new(),
                }),
            }
        }
        Diagnostics {
            errors,
            warnings,
            by_limit: false,
        }
    }

    /// The warnings located in the learner's file, rendered.
    fn warnings_about(&self, display: &str) -> String {
        self.warnings
            .iter()
            .filter(|d| !d.files.is_empty() && d.files.iter().all(|f| f == display))
            .map(|d| d.rendered.as_str())
            .collect::<String>()
            .trim_end()
            .to_string()
    }

    /// True if every located error points into the learner's file.
    fn blames(&self, display: &str) -> bool {
        let located: Vec<&Diagnostic> =
            self.errors.iter().filter(|d| !d.files.is_empty()).collect();
        !located.is_empty() && located.iter().all(|d| d.files.iter().all(|f| f == display))
    }

    /// The verdict they make: a limit's is never kept as the file's.
    fn into_built(self) -> Built {
        if self.by_limit {
            Built::Stopped(self.rendered())
        } else {
            Built::CompileError(self.rendered())
        }
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
    fn each_crate_may_read_only_its_own_files() {
        let dir = tempfile::tempdir().unwrap();
        let work = dir.path();
        let dep = work.join("out.d");
        let test_crate = ["main.rs", "hidden.rs"];
        let ours = format!("{0}/main.rs {0}/hidden.rs", work.display());
        let own: String = ours.split(' ').map(|p| format!("{p}:\n")).collect();
        std::fs::write(&dep, format!("out.d: {ours}\n\nout: {ours}\n\n{own}")).unwrap();
        assert_eq!(outside_file(work, &dep, &test_crate), None);
        // The learner's crate may not read the test crate's files.
        assert!(outside_file(work, &dep, &["learner.rs"]).is_some());
        std::fs::write(
            &dep,
            format!("out.d: {ours} /etc/x\n\nout: {ours}\n\n{own}/etc/x:\n"),
        )
        .unwrap();
        assert_eq!(
            outside_file(work, &dep, &test_crate).as_deref(),
            Some("/etc/x")
        );
        assert!(outside_file(work, &work.join("missing.d"), &test_crate).is_some());
    }

    #[test]
    fn programs_are_named_as_rustc_names_them() {
        assert_eq!(
            program_name("exercises/01_spawning/spawn1_closure.rs"),
            "spawn1_closure"
        );
        assert_eq!(program_name("wrong/x/joins-early.rs"), "joins_early");
        assert_eq!(program_name(""), "main");
    }

    #[test]
    fn the_generated_crate_is_told_whether_the_file_uses_scope() {
        let scoped = generated_main("fn main() { std::thread::scope(|s| { s.spawn(|| ()); }); }");
        assert!(scoped.ends_with("const USES_SCOPE: bool = true;\n"));
        let plain = generated_main("// thread::scope(\nfn main() { std::thread::spawn(|| ()); }");
        assert!(plain.ends_with("const USES_SCOPE: bool = false;\n"));
    }

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
        // Warnings are kept apart, and only those about the file asked for.
        let said = Diagnostics::parse(&[warning, summary].join("\n"));
        assert_eq!(said.warnings_about("x.rs"), "W");
        assert_eq!(said.warnings_about("ex.rs"), "");
    }
}
