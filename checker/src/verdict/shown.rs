//! What a learner is shown of rustc's diagnostics and of a program's output:
//! their own code and std's, in words they can act on, and nothing of the
//! checker's machinery.
//!
//! * Paths into the toolchain's sources (`/rustc/<commit>/library/std/src/..`,
//!   or `<sysroot>/lib/rustlib/src/rust/library/..` with rust-src) become
//!   `std/src/..`: the commit hash says nothing to a learner.
//! * Absolute paths into the checker's build directory
//!   (`<course>/target/threadlings/..`: test binaries, work and temporary
//!   directories, report files) and the `[threadlings]/..` that rustc's
//!   diagnostics name them by become `[threadlings]/<file>`: where a binary
//!   or a work directory sits is ours, and changes with every build.
//! * Backtraces keep the learner's frames only (crate `learner`): the rest
//!   are the hidden tests, the support runtime, the generated `main` and
//!   std's own plumbing. Test processes never see `RUST_BACKTRACE` (the
//!   checker starts them without `RUST_*`), so a backtrace only appears when
//!   learner code forces one; std's note "run with `RUST_BACKTRACE=1` ... to
//!   display a backtrace" is dropped, since setting it changes nothing here.
//! * Sizes in bytes read as people say them (`size`).

/// Where every toolchain's sources start in its paths: what comes before is
/// the commit hash or the sysroot.
const LIBRARY_MARKERS: &[&str] = &["/lib/rustlib/src/rust/library/"];

/// The checker's build directory, inside a course (see `engine`).
const BUILD_DIR: &str = "/target/threadlings/";

/// How rustc names the checker's build directory in diagnostics (see
/// `build::Builder::rustc`'s remapping).
const REMAPPED: &str = "[threadlings]/";

/// std's advice after a panic, which cannot be followed in a check.
const BACKTRACE_NOTES: &[&str] = &[
    "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace",
    "note: Some details are omitted, run with `RUST_BACKTRACE=full` for a verbose backtrace.",
];

/// `text` as a learner should see it: paths shortened, the checker's frames
/// and paths out. Escapes (rustc's colours) are kept.
pub(crate) fn tidy(text: &str) -> String {
    let lines = without_foreign_frames(text);
    let mut out = String::with_capacity(text.len());
    for (i, line) in lines.iter().enumerate() {
        if BACKTRACE_NOTES.contains(&line.trim()) {
            continue;
        }
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&paths(line));
    }
    if text.ends_with('\n') && !out.is_empty() {
        out.push('\n');
    }
    out
}

/// One line with toolchain paths shortened and the checker's hidden.
fn paths(line: &str) -> String {
    let mut line = line.to_string();
    while let Some(at) = toolchain_path(&line) {
        line.replace_range(at.clone(), "");
    }
    for marker in [BUILD_DIR, REMAPPED] {
        let mut from = 0;
        while let Some(found) = line[from..].find(marker).map(|i| i + from) {
            let start = if marker == REMAPPED {
                found
            } else {
                path_start(&line, found)
            };
            let end = path_end(&line, found + marker.len());
            let file = line[..end].rsplit('/').next().unwrap_or_default();
            let short = format!("{REMAPPED}{file}");
            line.replace_range(start..end, &short);
            from = start + short.len();
        }
    }
    line
}

/// The part of a toolchain source path before `std/src/..` (or `core/`,
/// `alloc/`): `/rustc/<40 hex>/library/`, or a sysroot's
/// `../lib/rustlib/src/rust/library/`.
fn toolchain_path(line: &str) -> Option<std::ops::Range<usize>> {
    let mut from = 0;
    while let Some(at) = line[from..].find("/rustc/").map(|i| i + from) {
        let hash = line.get(at + 7..at + 47).unwrap_or_default();
        let rest = line.get(at + 47..).unwrap_or_default();
        if hash.len() == 40
            && hash.bytes().all(|b| b.is_ascii_hexdigit())
            && rest.starts_with("/library/")
        {
            return Some(at..at + 47 + "/library/".len());
        }
        from = at + 1;
    }
    LIBRARY_MARKERS.iter().find_map(|marker| {
        let at = line.find(marker)?;
        Some(path_start(line, at)..at + marker.len())
    })
}

/// Where the path holding byte `at` starts: after the last space, quote or
/// bracket before it.
fn path_start(line: &str, at: usize) -> usize {
    line[..at]
        .rfind(|c: char| c.is_whitespace() || "\"'`(<[=".contains(c))
        .map_or(0, |i| i + 1)
}

/// Where the path from byte `from` ends: at a space, quote or bracket, or
/// at the `:` before a line number.
fn path_end(line: &str, from: usize) -> usize {
    line[from..]
        .find(|c: char| c.is_whitespace() || "\"'`)>]:,".contains(c))
        .map_or(line.len(), |i| i + from)
}

/// The lines of `text`, with the frames of backtraces that are not the
/// learner's left out (a frame is `  N: symbol`, maybe followed by its
/// `at file:line` lines; a backtrace starts at frame 0).
fn without_foreign_frames(text: &str) -> Vec<&str> {
    let mut kept = Vec::new();
    let mut in_backtrace = false;
    let mut keep_frame = true;
    for line in text.lines() {
        let frame = frame_symbol(line);
        if frame.is_some_and(|(n, _)| n == 0) {
            in_backtrace = true;
        }
        if in_backtrace {
            if let Some((_, symbol)) = frame {
                keep_frame = is_learners(symbol);
                if keep_frame {
                    kept.push(line);
                }
                continue;
            }
            if line.trim_start().starts_with("at ") && line.starts_with("  ") {
                if keep_frame {
                    kept.push(line);
                }
                continue;
            }
            in_backtrace = false;
        }
        kept.push(line);
    }
    kept
}

/// `  12: some::symbol` as (12, "some::symbol").
fn frame_symbol(line: &str) -> Option<(u32, &str)> {
    let (number, symbol) = line.trim_start().split_once(": ")?;
    let number = number.parse().ok()?;
    (line.starts_with(' ') && !symbol.is_empty()).then_some((number, symbol))
}

/// A frame in the learner's crate (named `learner` by the build), also as
/// the `Self` type of a trait method (`<learner::Job as ..>::run`).
fn is_learners(symbol: &str) -> bool {
    symbol.starts_with("learner::") || symbol.starts_with("<learner::")
}

/// A number of bytes as people say it: `512 B`, `1 MiB`, `1.5 MiB`, `3 GiB`.
/// Exact: a size that is no whole number of a unit (to one decimal) is
/// said in the next smaller one.
pub(crate) fn size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    for (power, unit) in UNITS.iter().enumerate().rev() {
        let one = 1u64 << (10 * power);
        if bytes < one || power == 0 {
            continue;
        }
        // Tenths of the unit, if the size is a whole number of them.
        let tenths = u128::from(bytes) * 10;
        if tenths % u128::from(one) == 0 {
            let tenths = tenths / u128::from(one);
            return if tenths % 10 == 0 {
                format!("{} {unit}", tenths / 10)
            } else {
                format!("{}.{} {unit}", tenths / 10, tenths % 10)
            };
        }
    }
    format!("{bytes} B")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_in_whole_units_or_exactly() {
        assert_eq!(size(1_048_576), "1 MiB");
        assert_eq!(size(1_572_864), "1.5 MiB");
        assert_eq!(size(3 << 30), "3 GiB");
        assert_eq!(size(1024), "1 KiB");
        assert_eq!(size(1536), "1.5 KiB");
        assert_eq!(size(100), "100 B");
        assert_eq!(size(0), "0 B");
        // Not a whole number of tenths of a MiB: said in KiB, exactly.
        assert_eq!(size(1_048_576 + 1024), "1025 KiB");
        // Not even that: bytes.
        assert_eq!(size(1_048_577), "1048577 B");
    }

    #[test]
    fn toolchain_paths_are_shortened_to_the_library() {
        let hash = "59807616e1fa2540724bfbac14d7976d7e4a3860";
        let line = format!(
            "thread '<unnamed>' panicked at /rustc/{hash}/library/core/src/time.rs:1181:31:"
        );
        assert_eq!(
            tidy(&line),
            "thread '<unnamed>' panicked at core/src/time.rs:1181:31:"
        );
        let note = format!(" --> /rustc/{hash}/library/std/src/thread/functions.rs:125:0\n");
        assert_eq!(tidy(&note), " --> std/src/thread/functions.rs:125:0\n");
        let src = " --> /home/me/.rustup/toolchains/stable-x86_64-unknown-linux-gnu/lib/rustlib/\
                   src/rust/library/std/src/thread/mod.rs:9:1";
        assert_eq!(tidy(src), " --> std/src/thread/mod.rs:9:1");
        // Not a commit hash: left alone.
        assert_eq!(tidy("/rustc/abc/library/x.rs"), "/rustc/abc/library/x.rs");
    }

    #[test]
    fn the_checkers_own_paths_never_show() {
        let exe = "exe: Ok(\"/home/me/course/target/threadlings/bin/0f64a/double\")";
        assert_eq!(tidy(exe), "exe: Ok(\"[threadlings]/double\")");
        let location = "panicked at [threadlings]/work/build-Xy12/src/call.rs:40:9:\nboom";
        assert_eq!(
            tidy(location),
            "panicked at [threadlings]/call.rs:40:9:\nboom"
        );
        let report =
            "cannot open /c/target/threadlings/runs/.tmpA1b2 (and /c/target/threadlings/x)";
        assert_eq!(
            tidy(report),
            "cannot open [threadlings]/.tmpA1b2 (and [threadlings]/x)"
        );
        // The learner's own paths stay.
        assert_eq!(tidy("exercises/a/b.rs:3:4"), "exercises/a/b.rs:3:4");
    }

    #[test]
    fn backtraces_keep_the_learners_frames_and_no_advice_about_them() {
        let text = "\
thread 'main' panicked at exercises/x.rs:4:5:
boom
note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace
forced:
   0: learner::double
   1: threadlings_check::hidden::doubles::{{closure}}
   2: <learner::Job as core::ops::Drop>::drop
   3: threadlings_support::call::call::{{closure}}
   4: std::sys::backtrace::__rust_begin_short_backtrace
             at /rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/std/src/sys/backtrace.rs:158:18
   5: learner::main
             at exercises/x.rs:9:1
after: 1: not a frame
";
        assert_eq!(
            tidy(text),
            "\
thread 'main' panicked at exercises/x.rs:4:5:
boom
forced:
   0: learner::double
   2: <learner::Job as core::ops::Drop>::drop
   5: learner::main
             at exercises/x.rs:9:1
after: 1: not a frame
"
        );
        // Numbered lines of the learner's own are no backtrace.
        assert_eq!(tidy("  3: three\n  4: four"), "  3: three\n  4: four");
    }
}
