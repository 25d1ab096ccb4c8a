//! Answers a sandboxed test process's questions about its own threads
//! (`protocol::Question`), which it may not read from `/proc` itself.
//!
//! Before the process starts, `Fifos::make` puts two FIFOs in its scratch
//! directory and opens both ends of each here (read-write: opening never
//! waits, and the process's opens never wait either). The process says
//! hello before any learner code runs; the FIFOs are then removed, so only
//! the support library holds them. Each line of questions gets its answers
//! (`procfs::answer` about the process's pid: its task list, status, and
//! the stat, syscall and schedstat of its threads, nothing else).

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::thread::{self, JoinHandle};

use nix::sys::stat::Mode;
use threadlings_support::procfs;
use threadlings_support::protocol::{
    ANSWER, ASK, HELLO, Question, write_answers,
};

/// Both FIFOs, opened on our side.
pub(crate) struct Fifos {
    dir: PathBuf,
    ask: File,
    answer: File,
}

/// Sent by ourselves down the questions FIFO to stop the answering thread.
const BYE: &str = "\u{0}bye";

impl Fifos {
    /// Makes the FIFOs in `dir` (the run's scratch directory), open here.
    pub fn make(dir: &Path) -> std::io::Result<Fifos> {
        let open = |name: &str| -> std::io::Result<File> {
            let path = dir.join(name);
            nix::unistd::mkfifo(&path, Mode::S_IRUSR | Mode::S_IWUSR)?;
            OpenOptions::new().read(true).write(true).open(path)
        };
        Ok(Fifos {
            dir: dir.to_path_buf(),
            ask: open(ASK)?,
            answer: open(ANSWER)?,
        })
    }

    /// Starts answering process `pid`'s questions, until `Answering::stop`.
    pub fn answer(self, pid: u32) -> std::io::Result<Answering> {
        let stop = self.ask.try_clone()?;
        let thread = thread::Builder::new()
            .name("observer".into())
            .spawn(move || serve(self, pid))?;
        Ok(Answering { stop, thread })
    }
}

/// The thread answering one process.
pub(crate) struct Answering {
    stop: File,
    thread: JoinHandle<()>,
}

impl Answering {
    /// Stops answering (call once the process has ended) and waits for the
    /// thread.
    pub fn stop(mut self) {
        let _ = self.stop.write_all(format!("{BYE}\n").as_bytes());
        let _ = self.thread.join();
    }
}

fn serve(fifos: Fifos, pid: u32) {
    let Fifos { dir, ask, mut answer } = fifos;
    let mut questions = BufReader::new(ask);
    let mut line = String::new();
    loop {
        line.clear();
        match questions.read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let line = line.trim_end_matches('\n');
        let answers = if line == HELLO {
            // Before any learner code runs: from now on no one else can
            // open them.
            let _ = std::fs::remove_file(dir.join(ASK));
            let _ = std::fs::remove_file(dir.join(ANSWER));
            vec![Some(String::new())]
        } else if line == BYE {
            return;
        } else if let Some(asked) = Question::parse_line(line) {
            asked
                .into_iter()
                .map(|q| procfs::answer(Some(pid), q))
                .collect()
        } else {
            // Only the support library writes here, and it writes only
            // questions: a stream out of step is never answered again.
            return;
        };
        if answer.write_all(&write_answers(&answers)).is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn questions_are_answered_about_the_given_process_and_the_fifos_go_at_hello() {
        let dir = tempfile::tempdir().unwrap();
        let fifos = Fifos::make(dir.path()).unwrap();
        let me = std::process::id();
        let answering = fifos.answer(me).unwrap();
        let mut ask = OpenOptions::new()
            .write(true)
            .open(dir.path().join(ASK))
            .unwrap();
        let mut answers = BufReader::new(File::open(dir.path().join(ANSWER)).unwrap());
        ask.write_all(format!("{HELLO}\n").as_bytes()).unwrap();
        let hello = threadlings_support::protocol::read_answers(&mut answers, 1).unwrap();
        assert_eq!(hello, vec![Some(String::new())]);
        assert!(!dir.path().join(ASK).exists() && !dir.path().join(ANSWER).exists());
        ask.write_all(Question::line(&[Question::Status, Question::Stat(0)]).as_bytes())
            .unwrap();
        let got = threadlings_support::protocol::read_answers(&mut answers, 2).unwrap();
        assert!(got[0].as_ref().is_some_and(|s| s.contains(&format!("Pid:\t{me}"))));
        assert_eq!(got[1], None);
        // Anything else ends the answers: no file is read for it, and the
        // answers' FIFO closes (no writer is left, so this read ends).
        ask.write_all(b"mem 1\n").unwrap();
        answering.thread.join().unwrap();
        let mut rest = Vec::new();
        answers.read_to_end(&mut rest).unwrap();
        assert_eq!(rest, b"");
    }
}
