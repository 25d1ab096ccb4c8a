//! What watch mode reacts to, as messages on one channel: keys, terminal
//! resizes, file changes (notify, or polling), and results of checks.

use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;
use std::time::Duration;

use crossterm::event::{self, Event as TermEvent, KeyEvent, KeyEventKind};
use notify::event::{EventKind, MetadataKind, ModifyKind};
use notify::{RecursiveMode, Watcher};

use crate::verdict::Verdict;

pub(crate) enum Msg {
    Key(KeyEvent),
    Resize,
    /// Files whose contents may have changed.
    Changed(Vec<PathBuf>),
    WatchError(String),
    /// A check of the current exercise finished (`generation` tells stale ones).
    Checked {
        generation: u64,
        verdict: Box<Verdict>,
    },
    /// What the learner's own `main` printed, for the check `generation`.
    Output {
        generation: u64,
        text: String,
    },
    /// Check-all progress.
    Progress {
        done: usize,
        total: usize,
    },
    CheckedAll(Vec<Verdict>),
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

/// Events that may mean new contents: creation, data writes, renames
/// (editors that save by renaming a temp file over the original), and a new
/// modification time (what the polling watcher reports). Reads and other
/// metadata changes are ignored.
fn changes_contents(kind: &EventKind) -> bool {
    matches!(
        kind,
        EventKind::Create(_)
            | EventKind::Modify(
                ModifyKind::Data(_)
                    | ModifyKind::Name(_)
                    | ModifyKind::Any
                    | ModifyKind::Metadata(MetadataKind::WriteTime)
            )
            | EventKind::Any
    )
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
            Ok(event) if changes_contents(&event.kind) => Msg::Changed(event.paths),
            Ok(_) => return,
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
    use notify::event::{AccessKind, CreateKind, DataChange, RenameMode};

    #[test]
    fn saves_count_and_reads_do_not() {
        assert!(changes_contents(&EventKind::Create(CreateKind::File)));
        assert!(changes_contents(&EventKind::Modify(ModifyKind::Data(
            DataChange::Content
        ))));
        assert!(changes_contents(&EventKind::Modify(ModifyKind::Name(
            RenameMode::To
        ))));
        assert!(changes_contents(&EventKind::Modify(ModifyKind::Metadata(
            MetadataKind::WriteTime
        ))));
        assert!(!changes_contents(&EventKind::Access(AccessKind::Any)));
        assert!(!changes_contents(&EventKind::Modify(ModifyKind::Metadata(
            MetadataKind::Permissions
        ))));
    }
}
