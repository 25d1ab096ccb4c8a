//! Answers a sandboxed test process's questions about its own threads
//! (`protocol::Question`), which it may not read from `/proc` itself.
//!
//! Before the process starts, `Fifos::make` puts two FIFOs in its scratch
//! directory and opens both ends of each here (read-write: opening never
//! waits, and the process's opens never wait either). The process opens
//! them and its report and status files, then says hello, before any
//! learner code runs; all four are then moved out of the scratch directory
//! into its parent, where the sandbox lets the process open nothing. Its
//! open descriptors still work, but learner code cannot open the files
//! again, not even through `/proc/self/fd` (Landlock judges such an open by
//! where the file is now). Each line of questions gets its answers
//! (`procfs::answer` about the process's pid: its task list, status, and
//! the stat, syscall and schedstat of its threads, nothing else).

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::thread::{self, JoinHandle};

use nix::fcntl::{FcntlArg, OFlag, fcntl};
use nix::sys::stat::Mode;
use threadlings_support::procfs;
use threadlings_support::protocol::{ANSWER, ASK, HELLO, Question, write_answers};

/// Both FIFOs, opened on our side.
pub(crate) struct Fifos {
    dir: PathBuf,
    ask: File,
    answer: File,
    /// The other files to move out at hello (into `dir`'s parent).
    also: Vec<PathBuf>,
}

/// Sent by ourselves down the questions FIFO to stop the answering thread.
const BYE: &str = "\u{0}bye";

impl Fifos {
    /// Makes the FIFOs in `dir` (the run's questions directory), open here;
    /// at hello, they and the files `also` move to `dir`'s parent.
    pub fn make(dir: &Path, also: &[PathBuf]) -> std::io::Result<Fifos> {
        let open = |name: &str| -> std::io::Result<File> {
            let path = dir.join(name);
            nix::unistd::mkfifo(&path, Mode::S_IRUSR | Mode::S_IWUSR)?;
            OpenOptions::new().read(true).write(true).open(path)
        };
        Ok(Fifos {
            dir: dir.to_path_buf(),
            ask: open(ASK)?,
            answer: open(ANSWER)?,
            also: also.to_vec(),
        })
    }

    /// Starts answering process `pid`'s questions, until `Answering::stop`.
    pub fn answer(self, pid: u32) -> std::io::Result<Answering> {
        let stop = self.ask.try_clone()?;
        let drain = self.answer.try_clone()?;
        let thread = thread::Builder::new()
            .name("observer".into())
            .spawn(move || serve(self, pid))?;
        Ok(Answering {
            stop,
            drain,
            thread,
        })
    }
}

/// The thread answering one process.
pub(crate) struct Answering {
    stop: File,
    /// The answers' FIFO, to empty if an answer was left unread.
    drain: File,
    thread: JoinHandle<()>,
}

impl Answering {
    /// Stops answering (call once the process has ended) and waits for the
    /// thread.
    pub fn stop(mut self) {
        let _ = self.stop.write_all(format!("{BYE}\n").as_bytes());
        // Both ends of the answers' FIFO are ours, so a write of answers
        // the process never read (it is gone) would wait for ever: from now
        // on writes fail instead of waiting, and what was left is emptied.
        let _ = fcntl(&self.drain, FcntlArg::F_SETFL(OFlag::O_NONBLOCK));
        // The thread usually ends within microseconds of the bye: this waits
        // for it in short steps (every check waits here, so a millisecond
        // per step would add up).
        let mut left = vec![0u8; 64 * 1024];
        while !self.thread.is_finished() {
            let _ = self.drain.read(&mut left);
            thread::sleep(std::time::Duration::from_micros(50));
        }
        let _ = self.thread.join();
    }
}

fn serve(fifos: Fifos, pid: u32) {
    let Fifos {
        dir,
        ask,
        mut answer,
        also,
    } = fifos;
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
            // Before any learner code runs: from now on nothing in the
            // process can open them again.
            let outside = dir.parent().unwrap_or(&dir);
            let moved = [dir.join(ASK), dir.join(ANSWER)]
                .iter()
                .chain(&also)
                .all(|file| {
                    file.file_name()
                        .is_some_and(|name| std::fs::rename(file, outside.join(name)).is_ok())
                });
            if !moved {
                return;
            }
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
    fn stopping_never_waits_for_answers_no_one_reads() {
        let run = tempfile::tempdir().unwrap();
        let dir = run.path().join("in");
        std::fs::create_dir(&dir).unwrap();
        let answering = Fifos::make(&dir, &[])
            .unwrap()
            .answer(std::process::id())
            .unwrap();
        let mut ask = OpenOptions::new().write(true).open(dir.join(ASK)).unwrap();
        // Far more answer than a pipe holds (each status is about 1.5 KiB),
        // and the process that asked is gone without reading a byte.
        let many = vec![Question::Status; 2000];
        ask.write_all(Question::line(&many).as_bytes()).unwrap();
        drop(ask);
        thread::sleep(std::time::Duration::from_millis(50));
        let (tx, rx) = std::sync::mpsc::channel();
        thread::spawn(move || {
            answering.stop();
            tx.send(()).unwrap();
        });
        rx.recv_timeout(std::time::Duration::from_secs(10))
            .expect("stop returned");
    }

    #[test]
    fn questions_are_answered_about_the_given_process_and_the_files_go_at_hello() {
        let run = tempfile::tempdir().unwrap();
        let dir = run.path().join("work");
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(dir.join("report"), "").unwrap();
        let fifos = Fifos::make(&dir, &[dir.join("report")]).unwrap();
        let me = std::process::id();
        let answering = fifos.answer(me).unwrap();
        let mut ask = OpenOptions::new().write(true).open(dir.join(ASK)).unwrap();
        let mut answers = BufReader::new(File::open(dir.join(ANSWER)).unwrap());
        let mut report = OpenOptions::new()
            .append(true)
            .open(dir.join("report"))
            .unwrap();
        ask.write_all(format!("{HELLO}\n").as_bytes()).unwrap();
        let hello = threadlings_support::protocol::read_answers(&mut answers, 1).unwrap();
        assert_eq!(hello, vec![Some(String::new())]);
        for name in [ASK, ANSWER, "report"] {
            assert!(!dir.join(name).exists(), "{name} is still there");
            assert!(run.path().join(name).exists(), "{name} is not outside");
        }
        // What was opened before still works.
        report.write_all(b"line\n").unwrap();
        assert_eq!(
            std::fs::read_to_string(run.path().join("report")).unwrap(),
            "line\n"
        );
        ask.write_all(Question::line(&[Question::Status, Question::Stat(0)]).as_bytes())
            .unwrap();
        let got = threadlings_support::protocol::read_answers(&mut answers, 2).unwrap();
        assert!(
            got[0]
                .as_ref()
                .is_some_and(|s| s.contains(&format!("Pid:\t{me}")))
        );
        assert_eq!(got[1], None);
        // Anything else ends the answers: no file is read for it, and the
        // answers' FIFO closes (no writer is left, so this read ends).
        ask.write_all(b"mem 1\n").unwrap();
        let Answering {
            stop,
            drain,
            thread,
        } = answering;
        thread.join().unwrap();
        drop((stop, drain));
        let mut rest = Vec::new();
        answers.read_to_end(&mut rest).unwrap();
        assert_eq!(rest, b"");
    }
}
