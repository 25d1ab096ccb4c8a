//! What watch mode reacts to, as messages on one channel: keys, terminal
//! resizes, file changes (notify, or polling), and results of checks.

use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;
use std::time::Duration;

use crossterm::event::{self, Event as TermEvent, KeyEvent, KeyEventKind};
use notify::event::{AccessKind, AccessMode, EventKind, MetadataKind, ModifyKind};
use notify::{RecursiveMode, Watcher};

use crate::engine::{Event, Reporter};
use crate::verdict::Verdict;

pub(crate) enum Msg {
    Key(KeyEvent),
    Resize,
    /// Files whose contents may have changed; `finished` when the writer is
    /// done with them (closed after writing, or renamed into place).
    Changed {
        paths: Vec<PathBuf>,
        finished: bool,
    },
    WatchError(String),
    /// The support library is built (`false`: building it failed; the
    /// first check will say why).
    Warm(bool),
    /// What the running check of `generation` is doing.
    Phase {
        generation: u64,
        phase: Phase,
    },
    /// A check of the current exercise finished (`generation` tells stale ones).
    Checked {
        generation: u64,
        verdict: Box<Verdict>,
    },
    /// A quiet re-check of another exercise finished.
    CheckedOther {
        index: usize,
        verdict: Box<Verdict>,
    },
    /// What the learner's own `main` printed, on output run `run`.
    Output {
        run: u64,
        text: String,
    },
    /// Check-all progress.
    Progress {
        done: usize,
        total: usize,
    },
    CheckedAll(Vec<Verdict>),
}

/// A step of a check, from the engine's events.
pub(crate) enum Phase {
    Compiling,
    /// A test began; the file says what it waits for.
    Running(String, PathBuf),
    Ran(String),
}

/// The reporter of watch mode's check: passes the engine's events on to
/// the screen loop as phases.
pub(crate) struct Live {
    generation: u64,
    /// `Sender` is `Sync`: any engine thread may send.
    tx: Sender<Msg>,
}

impl Live {
    pub fn new(generation: u64, tx: Sender<Msg>) -> Live {
        Live { generation, tx }
    }
}

impl Reporter for Live {
    fn report(&self, event: &Event<'_>) {
        let phase = match event {
            Event::Compiling { .. } => Phase::Compiling,
            Event::Running {
                test, wait_file, ..
            } => Phase::Running((*test).to_string(), wait_file.to_path_buf()),
            Event::Test { test, .. } => Phase::Ran(test.name.clone()),
            Event::Started { .. } | Event::Finished { .. } => return,
        };
        let _ = self.tx.send(Msg::Phase {
            generation: self.generation,
            phase,
        });
    }
}

/// Reads key presses and resizes until the channel closes.
pub(crate) fn read_keys(tx: Sender<Msg>) {
    std::thread::spawn(move || {
        loop {
            let msg = match event::read() {
                Ok(TermEvent::Key(key)) if key.kind == KeyEventKind::Press => Msg::Key(key),
                Ok(TermEvent::Resize(..)) => Msg::Resize,
                Ok(_) => continue,
                Err(_) => break,
            };
            if tx.send(msg).is_err() {
                break;
            }
        }
    });
}

/// Events that may mean new contents, and whether the writer is done:
/// `Some(true)` for a close after writing, a rename (editors that save by
/// renaming a temp file over the original) and what the polling watcher
/// reports (it compared contents after the write); `Some(false)` for a
/// creation or a write that may be followed by more; `None` for reads and
/// other metadata changes.
fn changes_contents(kind: &EventKind) -> Option<bool> {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write))
        | EventKind::Modify(
            ModifyKind::Name(_) | ModifyKind::Any | ModifyKind::Metadata(MetadataKind::WriteTime),
        ) => Some(true),
        EventKind::Create(_) | EventKind::Modify(ModifyKind::Data(_)) | EventKind::Any => {
            Some(false)
        }
        _ => None,
    }
}

/// Watches `dir` recursively (a directory, not single files: editors save by
/// rename). `poll` uses a polling watcher for file systems without events.
pub(crate) fn watch_dir(
    dir: &Path,
    poll: bool,
    tx: Sender<Msg>,
) -> notify::Result<Box<dyn Watcher + Send>> {
    let handler = move |res: notify::Result<notify::Event>| {
        let msg = match res {
            Ok(event) => match changes_contents(&event.kind) {
                Some(finished) => Msg::Changed {
                    paths: event.paths,
                    finished,
                },
                None => return,
            },
            Err(e) => Msg::WatchError(e.to_string()),
        };
        let _ = tx.send(msg);
    };
    let mut watcher: Box<dyn Watcher + Send> = if poll {
        let config = notify::Config::default()
            .with_poll_interval(Duration::from_millis(300))
            .with_compare_contents(true);
        Box::new(notify::PollWatcher::new(handler, config)?)
    } else {
        Box::new(notify::recommended_watcher(handler)?)
    };
    watcher.watch(dir, RecursiveMode::Recursive)?;
    Ok(watcher)
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{CreateKind, DataChange, RenameMode};

    #[test]
    fn a_close_or_rename_ends_a_save_and_reads_do_not_count() {
        let close = EventKind::Access(AccessKind::Close(AccessMode::Write));
        assert_eq!(changes_contents(&close), Some(true));
        assert_eq!(
            changes_contents(&EventKind::Modify(ModifyKind::Name(RenameMode::To))),
            Some(true)
        );
        assert_eq!(
            changes_contents(&EventKind::Modify(ModifyKind::Metadata(
                MetadataKind::WriteTime
            ))),
            Some(true)
        );
        // More may follow these: they wait for a quiet spell.
        assert_eq!(
            changes_contents(&EventKind::Create(CreateKind::File)),
            Some(false)
        );
        assert_eq!(
            changes_contents(&EventKind::Modify(ModifyKind::Data(DataChange::Content))),
            Some(false)
        );
        assert_eq!(changes_contents(&EventKind::Access(AccessKind::Any)), None);
        assert_eq!(
            changes_contents(&EventKind::Access(AccessKind::Close(AccessMode::Read))),
            None
        );
        assert_eq!(
            changes_contents(&EventKind::Modify(ModifyKind::Metadata(
                MetadataKind::Permissions
            ))),
            None
        );
    }
}
