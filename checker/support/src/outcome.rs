//! What a hidden test is and what it returns: a pass, or a failure with a
//! message in learner terms, which may be a timeout (a call into the
//! learner's code that did not come back within the test's patience).

use std::fmt;
use std::time::Duration;

/// How long correct code is given to reach any rendezvous (a barrier, a
/// return, a wait). Correct code needs milliseconds even on a loaded machine;
/// only wrong code ever waits this long.
pub const PATIENCE: Duration = Duration::from_secs(3);

/// What a hidden test returns.
pub type Outcome = Result<(), Failure>;

/// One hidden test, listed in the hidden file's `TESTS`.
pub struct Test {
    pub name: &'static str,
    pub run: fn() -> Outcome,
}

/// Why a hidden test did not pass.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// The learner's code did not return within the test's patience: the
    /// verdict is `timeout`, not `fail`.
    pub timed_out: bool,
    /// In learner terms.
    pub message: String,
}

impl Failure {
    /// A call into the learner's code that did not return in time.
    pub fn timeout(message: impl Into<String>) -> Failure {
        Failure {
            timed_out: true,
            message: message.into(),
        }
    }
}

impl From<String> for Failure {
    fn from(message: String) -> Failure {
        Failure {
            timed_out: false,
            message,
        }
    }
}

impl From<&str> for Failure {
    fn from(message: &str) -> Failure {
        Failure::from(message.to_string())
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Fails the test with a formatted message unless the condition holds.
/// Works in any function whose error type converts from a `String`.
#[macro_export]
macro_rules! ensure {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err(format!($($msg)+).into());
        }
    };
}

/// Like `ensure!`, for a learner call that did not return (or did not
/// start waiting) within the test's patience: the status is `timeout`.
#[macro_export]
macro_rules! ensure_returned {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err($crate::Failure::timeout(format!($($msg)+)));
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checks(x: u32) -> Outcome {
        ensure!(x > 1, "{x} is too small");
        Ok(())
    }

    #[test]
    fn ensure_fails_plainly_and_timeouts_say_so() {
        // Apart from tests that count every thread of the process.
        let _threads = crate::testing::spawning();
        assert_eq!(checks(2), Ok(()));
        let failure = checks(1).unwrap_err();
        assert!(!failure.timed_out);
        assert_eq!(failure.to_string(), "1 is too small");
        assert!(Failure::timeout("slow").timed_out);
        assert!(!Failure::from("plain").timed_out);
    }

    fn returned(ok: bool) -> Outcome {
        ensure_returned!(ok, "the call did not return within {} s", 3);
        Ok(())
    }

    #[test]
    fn ensure_returned_fails_as_a_timeout() {
        // Apart from tests that count every thread of the process.
        let _threads = crate::testing::spawning();
        assert_eq!(returned(true), Ok(()));
        let failure = returned(false).unwrap_err();
        assert!(failure.timed_out);
        assert_eq!(failure.to_string(), "the call did not return within 3 s");
    }
}
