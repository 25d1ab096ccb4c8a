//! What a test is waiting for, for the learner to see while it waits.
//!
//! A hidden test that waits on a deadline (threads that must overlap, a
//! function that must return, a join that must come) says so here; the
//! checker reads it live from `<report>.wait` and watch mode shows it under
//! its spinner ("waiting up to 10 s for your threads to run at the same
//! time"). Display only: nothing in it counts towards a verdict, so learner
//! code that writes there changes nothing but the text on the screen.

use std::fs::File;
use std::io::{Seek, SeekFrom, Write};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The file, once the harness has opened it, and the waits in progress
/// (innermost last).
static STATUS: Mutex<Option<Status>> = Mutex::new(None);

struct Status {
    file: File,
    waits: Vec<(u64, String, Instant, Duration)>,
    next: u64,
}

/// The file the checker reads for a test reporting to `report`.
pub fn wait_file(report: &str) -> String {
    format!("{report}.wait")
}

/// Opens the status file (before any learner code runs).
pub(crate) fn open(report: &str) {
    if let Ok(file) = File::create(wait_file(report)) {
        *lock() = Some(Status::new(file));
    }
}

fn lock() -> std::sync::MutexGuard<'static, Option<Status>> {
    STATUS.lock().unwrap_or_else(|e| e.into_inner())
}

/// Says the test is waiting, at most `up_to`, for `what` (learner terms,
/// starting with "for"), until the returned guard is dropped.
#[must_use = "the wait is shown until the guard is dropped"]
pub fn waiting(what: &str, up_to: Duration) -> Waiting {
    Waiting(lock().as_mut().map(|status| status.push(what, up_to)))
}

/// Ends a wait when dropped.
pub struct Waiting(Option<u64>);

impl Drop for Waiting {
    fn drop(&mut self) {
        if let (Some(id), Some(status)) = (self.0, lock().as_mut()) {
            status.pop(id);
        }
    }
}

impl Status {
    fn new(file: File) -> Status {
        Status {
            file,
            waits: Vec::new(),
            next: 0,
        }
    }

    /// Shows a new innermost wait; its id ends it.
    fn push(&mut self, what: &str, up_to: Duration) -> u64 {
        self.next += 1;
        self.waits
            .push((self.next, what.to_string(), Instant::now(), up_to));
        self.show();
        self.next
    }

    /// Ends the wait `id` and shows the one around it, if any.
    fn pop(&mut self, id: u64) {
        self.waits.retain(|w| w.0 != id);
        self.show();
    }

    /// Writes the innermost wait as `<deadline, ms since the epoch> <what>`
    /// (the checker runs on the same clock), or nothing.
    fn show(&mut self) {
        let line = match self.waits.last() {
            Some((_, what, since, up_to)) => {
                let deadline = SystemTime::now() + up_to.saturating_sub(since.elapsed());
                let ms = deadline
                    .duration_since(UNIX_EPOCH)
                    .unwrap_or_default()
                    .as_millis();
                format!("{ms} {what}\n")
            }
            None => String::new(),
        };
        // Emptied first, then one short write at offset 0: a reader sees
        // the old line, the new one, or (rarely) nothing, never a mix of
        // two lines. Errors only lose the display.
        let _ = self.file.set_len(0);
        let _ = self.file.seek(SeekFrom::Start(0));
        let _ = self.file.write_all(line.as_bytes());
    }
}

/// Reads a status file's line: (how long the wait may still last from now,
/// what it waits for). For the checker.
pub fn read(text: &str) -> Option<(Duration, &str)> {
    let line = text.lines().next()?;
    let (ms, what) = line.split_once(' ')?;
    let deadline = UNIX_EPOCH + Duration::from_millis(ms.parse().ok()?);
    let left = deadline
        .duration_since(SystemTime::now())
        .unwrap_or_default();
    Some((left, what))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// On a status of its own: other tests of this crate wait through the
    /// process-wide one at the same time.
    #[test]
    fn the_innermost_wait_shows_until_it_ends() {
        // Apart from tests that count every thread of the process.
        let _threads = crate::testing::spawning();
        let dir = std::env::temp_dir().join(format!("status-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = wait_file(&dir.join("report").display().to_string());
        let mut status = Status::new(File::create(&path).unwrap());
        let shown = || std::fs::read_to_string(&path).unwrap();
        let outer = status.push("for your function to return", Duration::from_secs(10));
        let (left, what) = read(&shown()).map(|(d, w)| (d, w.to_string())).unwrap();
        assert_eq!(what, "for your function to return");
        assert!(left <= Duration::from_secs(10) && left > Duration::from_secs(5));
        let inner = status.push(
            "for your threads to run at the same time",
            Duration::from_secs(3),
        );
        assert_eq!(
            read(&shown()).unwrap().1,
            "for your threads to run at the same time"
        );
        status.pop(inner);
        assert_eq!(read(&shown()).unwrap().1, "for your function to return");
        status.pop(outer);
        assert_eq!(read(&shown()), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
