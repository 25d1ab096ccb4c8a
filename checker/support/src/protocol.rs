//! The protocol between the checker and a test binary, defined once.
//!
//! Both sides compile this file: every test binary with plain rustc (std
//! only), and the checker as a cargo dependency. So the names and codes
//! below cannot drift apart.
//!
//! 1. The checker starts `binary --test NAME` with the limits in the
//!    environment, writes the [`handshake`] (`secret\nreport-path\n`) to its
//!    stdin and then holds stdin open while it lives (a test process whose
//!    stdin ends has lost its checker and stops: [`EXIT_ORPHANED`]).
//! 2. The harness reads the handshake before any learner code runs, runs the
//!    test, and appends one line to the report file, in one write, so that
//!    the line lands whole.
//! 3. The checker counts only a line that carries the run's secret and the
//!    test's name: the learner's code can print anything, and without the
//!    secret it cannot write a line that counts.
//!
//! A process that stops itself at a limit prints a [`LimitHit::mark`] last on
//! stderr and exits with [`EXIT_LIMIT`].

use std::io::BufRead;
use std::path::Path;

/// `binary --list`: print the hidden tests' names, one a line (no learner
/// code runs).
pub const ARG_LIST: &str = "--list";
/// `binary --test NAME`: run one hidden test and report it.
pub const ARG_TEST: &str = "--test";
/// `binary --main`: run the learner's own `main`, as the program would run.
pub const ARG_MAIN: &str = "--main";

/// The most threads a test process (and a learner's program it runs) may
/// have alive at once.
pub const ENV_MAX_THREADS: &str = "THREADLINGS_MAX_THREADS";
/// The most resident memory, in MiB, a test process may use.
pub const ENV_MAX_MEMORY_MB: &str = "THREADLINGS_MAX_MEMORY_MB";

/// The test binary was started with arguments it does not know.
pub const EXIT_USAGE: i32 = 2;
/// The handshake, the report file or the test name was unusable.
pub const EXIT_BAD_INPUT: i32 = 3;
/// The process stopped itself at a limit (see [`LimitHit`]).
pub const EXIT_LIMIT: i32 = 117;
/// The checker went away (stdin ended), so the test process stopped.
pub const EXIT_ORPHANED: i32 = 118;

/// How a limit mark begins on stderr, e.g. `threadlings-limit: threads 300`.
pub const LIMIT_MARK: &str = "threadlings-limit: ";

/// A limit a process stopped itself at, and what it measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LimitHit {
    /// This many threads were alive at once.
    Threads(u64),
    /// This many MiB of memory were resident.
    Memory(u64),
}

impl LimitHit {
    /// The line a process prints last on stderr before it exits with
    /// [`EXIT_LIMIT`].
    pub fn mark(&self) -> String {
        match self {
            LimitHit::Threads(n) => format!("{LIMIT_MARK}threads {n}"),
            LimitHit::Memory(mb) => format!("{LIMIT_MARK}memory {mb}"),
        }
    }

    /// The limit named by the last mark line in `stderr`, if that line is a
    /// well-formed mark. The last one wins: a test that runs the learner's
    /// program passes the program's mark on after everything it printed.
    pub fn parse(stderr: &str) -> Option<LimitHit> {
        let line = stderr
            .lines()
            .rev()
            .find_map(|l| l.strip_prefix(LIMIT_MARK))?;
        let mut words = line.split_whitespace();
        let (kind, value) = (words.next()?, words.next()?.parse().ok()?);
        match kind {
            "threads" => Some(LimitHit::Threads(value)),
            "memory" => Some(LimitHit::Memory(value)),
            _ => None,
        }
    }
}

/// What the checker writes to a test process's stdin: the run's secret and
/// the path of the report file, a line each.
pub fn handshake(secret: &str, report: &Path) -> String {
    format!("{secret}\n{}\n", report.display())
}

/// Reads the [`handshake`]: `(secret, report path)`, or `None` if either is
/// missing or empty.
pub fn read_handshake(input: &mut impl BufRead) -> Option<(String, String)> {
    let (mut secret, mut path) = (String::new(), String::new());
    input.read_line(&mut secret).ok()?;
    input.read_line(&mut path).ok()?;
    let (secret, path) = (secret.trim_end(), path.trim_end());
    if secret.is_empty() || path.is_empty() {
        return None;
    }
    Some((secret.to_string(), path.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_limit_mark_reads_back_and_the_last_one_wins() {
        for hit in [LimitHit::Threads(300), LimitHit::Memory(2048)] {
            assert_eq!(LimitHit::parse(&hit.mark()), Some(hit));
        }
        let stderr = format!(
            "noise\n{}\nmore noise\n{}\n",
            LimitHit::Memory(5).mark(),
            LimitHit::Threads(7).mark()
        );
        assert_eq!(LimitHit::parse(&stderr), Some(LimitHit::Threads(7)));
        assert_eq!(LimitHit::parse("threadlings-limit: cpu 3"), None);
        assert_eq!(LimitHit::parse("nothing here"), None);
    }

    #[test]
    fn the_handshake_reads_back() {
        let sent = handshake("abc", Path::new("/tmp/report 1"));
        let got = read_handshake(&mut sent.as_bytes());
        assert_eq!(got, Some(("abc".into(), "/tmp/report 1".into())));
        assert_eq!(read_handshake(&mut "abc\n".as_bytes()), None);
        assert_eq!(read_handshake(&mut "".as_bytes()), None);
    }
}
