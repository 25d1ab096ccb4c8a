//! Questions about this process's threads (`protocol::Question`), answered
//! from `/proc` directly, or, in the checker's sandbox, where this process
//! may not open `/proc` (it would give learner code `/proc/self/mem`), by
//! the checker over two FIFOs the handshake names. Every observation of
//! threads goes through [`ask`], so both ways see the same files.

use std::fs::{File, OpenOptions};
use std::io::{BufReader, Write};
use std::path::Path;
use std::sync::{Mutex, OnceLock};

use crate::procfs;
use crate::protocol::{ANSWER, ASK, HELLO, Question, read_answers};

struct Checker {
    ask: File,
    answers: BufReader<File>,
}

/// The checker, once `connect` has reached it.
static CHECKER: OnceLock<Mutex<Checker>> = OnceLock::new();

/// Opens the FIFOs in `dir` and says hello; the checker moves them (and the
/// report and status files, open by now) out of this process's reach before
/// it answers, so once this returns no one else can open them (this runs
/// before any learner code). `false` if that failed.
pub(crate) fn connect(dir: &str) -> bool {
    let dir = Path::new(dir);
    // Opening one end of a FIFO waits for the other: the checker holds both
    // open before this process starts.
    let Ok(ask) = OpenOptions::new().write(true).open(dir.join(ASK)) else {
        return false;
    };
    let Ok(answers) = File::open(dir.join(ANSWER)) else {
        return false;
    };
    let mut checker = Checker {
        ask,
        answers: BufReader::new(answers),
    };
    if round_trip(&mut checker, &format!("{HELLO}\n"), 1).is_none() {
        return false;
    }
    CHECKER.set(Mutex::new(checker)).is_ok()
}

/// Whether the checker answers (this process runs in its sandbox).
pub(crate) fn by_the_checker() -> bool {
    CHECKER.get().is_some()
}

/// The answers to `questions`, in order (`None`: could not be read).
pub(crate) fn ask(questions: &[Question]) -> Vec<Option<String>> {
    match CHECKER.get() {
        None => questions.iter().map(|&q| procfs::answer(None, q)).collect(),
        Some(checker) => {
            let mut checker = checker.lock().unwrap_or_else(|e| e.into_inner());
            round_trip(&mut checker, &Question::line(questions), questions.len())
                .unwrap_or_else(|| vec![None; questions.len()])
        }
    }
}

/// The answer to one question.
pub(crate) fn ask_one(question: Question) -> Option<String> {
    ask(&[question]).pop().flatten()
}

fn round_trip(checker: &mut Checker, line: &str, count: usize) -> Option<Vec<Option<String>>> {
    checker.ask.write_all(line.as_bytes()).ok()?;
    read_answers(&mut checker.answers, count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_checker_questions_are_answered_from_proc() {
        // Apart from tests that count every thread of the process.
        let _threads = crate::testing::spawning();
        let tid = crate::observe::os_thread_id().unwrap();
        let answers = ask(&[Question::Status, Question::Stat(tid), Question::Stat(0)]);
        assert!(answers[0].as_ref().is_some_and(|s| s.contains("Threads:")));
        assert!(answers[1].is_some());
        assert_eq!(answers[2], None);
    }
}
