//! What a hidden test is and what it returns: a pass, or a failure with a
//! message in learner terms.

use std::time::Duration;

/// How long correct code is given to reach any rendezvous (a barrier, a
/// return, a wait). Correct code needs milliseconds even on a loaded machine;
/// only wrong code ever waits this long.
pub const PATIENCE: Duration = Duration::from_secs(3);

/// What a hidden test returns: `Err` holds a message in learner terms.
pub type Outcome = Result<(), String>;

/// One hidden test, listed in the hidden file's `TESTS`.
pub struct Test {
    pub name: &'static str,
    pub run: fn() -> Outcome,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn checks(x: u32) -> Outcome {
        ensure!(x > 1, "{x} is too small");
        Ok(())
    }

    #[test]
    fn ensure_fails_with_the_message() {
        assert_eq!(checks(2), Ok(()));
        assert_eq!(checks(1), Err("1 is too small".to_string()));
    }
}
