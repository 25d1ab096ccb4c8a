//! Progress: which exercises are done and which is current, kept in
//! `.threadlings-state` at the course root. Written atomically (temp file,
//! fsync, rename) under a file lock, so a crash, Ctrl-C or a second
//! threadlings process never leaves it half-written or loses an update.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub(crate) const STATE_FILE: &str = ".threadlings-state";
const LOCK_FILE: &str = ".threadlings-state.lock";

/// Held while this process writes the state: a Ctrl-C handler takes it
/// before exiting, so the process never ends halfway through a write.
pub(crate) static WRITING: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct State {
    /// The exercise watch mode shows; `None` means the first unfinished one.
    #[serde(default)]
    pub current: Option<String>,
    /// Names of exercises that passed.
    #[serde(default)]
    pub done: BTreeSet<String>,
}

/// The state as loaded, and a warning if the file was unreadable.
pub(crate) struct Loaded {
    pub state: State,
    pub warning: Option<String>,
}

fn path(root: &Path) -> PathBuf {
    root.join(STATE_FILE)
}

impl State {
    /// Records fresh verdicts: a pass marks an exercise done, anything
    /// else marks it not done (a finished exercise can break again).
    pub fn record(&mut self, verdicts: &[crate::verdict::Verdict]) {
        for v in verdicts {
            if v.status == crate::verdict::Status::Pass {
                self.done.insert(v.name.clone());
            } else {
                self.done.remove(&v.name);
            }
        }
    }

    /// The index of the current exercise: the one recorded, else the first
    /// unfinished one, else the first.
    pub fn current_index(&self, course: &crate::course::Course) -> usize {
        let exercises = &course.exercises;
        self.current
            .as_deref()
            .and_then(|name| exercises.iter().position(|e| e.name == name))
            .or_else(|| exercises.iter().position(|e| !self.done.contains(&e.name)))
            .unwrap_or(0)
    }

    /// Reads the state; a missing file is a fresh start, a broken one is
    /// reported (not fatal) and replaced by a fresh start.
    pub fn load(root: &Path) -> Loaded {
        let file = path(root);
        match std::fs::read_to_string(&file) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Loaded {
                state: State::default(),
                warning: None,
            },
            Err(e) => Loaded {
                state: State::default(),
                warning: Some(format!("cannot read {}: {e}", file.display())),
            },
            Ok(text) => match serde_json::from_str(&text) {
                Ok(state) => Loaded {
                    state,
                    warning: None,
                },
                Err(e) => Loaded {
                    state: State::default(),
                    warning: Some(format!(
                        "{} is damaged ({e}); starting from the first unfinished exercise",
                        file.display()
                    )),
                },
            },
        }
    }

    /// Reads, changes and writes the state under the lock, so two
    /// threadlings processes on one course never lose each other's updates.
    pub fn update(root: &Path, change: impl FnOnce(&mut State)) -> std::io::Result<State> {
        let _writing = WRITING.lock().unwrap_or_else(|e| e.into_inner());
        let lock = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(root.join(LOCK_FILE))?;
        lock.lock()?;
        let loaded = State::load(root);
        let mut state = loaded.state.clone();
        change(&mut state);
        // An unchanged, readable state needs no write (and no fsync).
        if state != loaded.state || loaded.warning.is_some() || !path(root).exists() {
            state.write(root)?;
        }
        Ok(state)
    }

    fn write(&self, root: &Path) -> std::io::Result<()> {
        let mut tmp = tempfile::NamedTempFile::new_in(root)?;
        let text = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        tmp.write_all(text.as_bytes())?;
        tmp.write_all(b"\n")?;
        tmp.as_file().sync_all()?;
        tmp.persist(path(root)).map_err(|e| e.error)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn updates_round_trip_and_leave_no_temp_files() {
        let dir = tempfile::tempdir().unwrap();
        State::update(dir.path(), |s| {
            s.done.insert("a".into());
            s.current = Some("b".into());
        })
        .unwrap();
        let loaded = State::load(dir.path());
        assert!(loaded.warning.is_none());
        assert_eq!(loaded.state.current.as_deref(), Some("b"));
        assert!(loaded.state.done.contains("a"));
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}"); // the state and its lock file
    }

    #[test]
    fn an_unchanged_state_is_not_rewritten() {
        let dir = tempfile::tempdir().unwrap();
        State::update(dir.path(), |s| {
            s.done.insert("a".into());
        })
        .unwrap();
        let written = std::fs::metadata(dir.path().join(STATE_FILE))
            .unwrap()
            .modified()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        State::update(dir.path(), |s| {
            s.done.insert("a".into());
        })
        .unwrap();
        let again = std::fs::metadata(dir.path().join(STATE_FILE))
            .unwrap()
            .modified()
            .unwrap();
        assert_eq!(written, again);
    }

    #[test]
    fn a_damaged_file_is_reported_and_replaced() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(STATE_FILE), "{\"done\": [\"a\"").unwrap();
        let loaded = State::load(dir.path());
        assert!(loaded.warning.unwrap().contains("damaged"));
        assert_eq!(loaded.state, State::default());
        State::update(dir.path(), |s| {
            s.done.insert("b".into());
        })
        .unwrap();
        assert!(State::load(dir.path()).warning.is_none());
    }

    #[test]
    fn concurrent_updates_are_not_lost() {
        let dir = tempfile::tempdir().unwrap();
        std::thread::scope(|s| {
            for i in 0..8 {
                let root = dir.path();
                s.spawn(move || {
                    State::update(root, |st| {
                        st.done.insert(format!("e{i}"));
                    })
                    .unwrap()
                });
            }
        });
        assert_eq!(State::load(dir.path()).state.done.len(), 8);
    }
}
