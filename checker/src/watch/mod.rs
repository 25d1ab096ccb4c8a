//! Watch mode: the learner's loop. Every save of the current exercise
//! re-checks it (debounced); keys move between exercises, show hints, list,
//! check all and reset. One check runs at a time; a save that lands during a
//! check is not lost: the check runs again on the newest content.

mod input;
mod screen;
pub(crate) mod terminal;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread::Scope;
use std::time::{Duration, Instant};

use anyhow::anyhow;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::course::{Course, Exercise};
use crate::engine::{Engine, Event, Quiet, Reporter};
use crate::plan::Overrides;
use crate::report::human::{BOLD, DIM, GREEN, RED, RESET, YELLOW};
use crate::sandbox;
use crate::state::{STATE_FILE, State};
use crate::verdict::{Status, Verdict};
use input::Msg;

/// Editors write a file in bursts: wait this long after the last event.
const DEBOUNCE: Duration = Duration::from_millis(200);

enum View {
    Welcome,
    Exercise,
    List,
    ConfirmReset,
    CheckingAll { done: usize, total: usize },
}

struct List {
    selected: usize,
    filter: String,
    filtering: bool,
}

struct App<'c> {
    course: &'c Course,
    engine: &'c Engine,
    state: State,
    current: usize,
    view: View,
    verdict: Option<Verdict>,
    checking: bool,
    pending: bool,
    generation: u64,
    due: Option<Instant>,
    show_hint: bool,
    notice: Option<String>,
    manual: bool,
    list: List,
    solution: Option<String>,
    /// What the learner's `main` printed, once it has run.
    output: Option<String>,
}

/// Watch mode's limits: info.toml's, with nothing overridden.
const DEFAULTS: Overrides = Overrides::NONE;

pub(crate) fn watch(course: &Course, poll: bool, manual: bool) -> anyhow::Result<ExitCode> {
    let engine = Engine::for_course(course, None)?;
    engine.confirm_toolchain()?;
    let first_start = !course.root.join(STATE_FILE).exists();
    let loaded = State::load(&course.root);
    let (tx, rx) = mpsc::channel();
    let exercises_dir = course.root.join("exercises");
    let _watcher = if manual {
        None
    } else {
        Some(input::watch_dir(&exercises_dir, poll, tx.clone()).map_err(|e| {
            anyhow!(
                "cannot watch {} for changes ({e}). Try `threadlings watch --poll`, or `threadlings watch \
                 --manual` to re-check when you press Enter",
                exercises_dir.display()
            )
        })?)
    };
    let current = loaded.state.current_index(course);
    let mut app = App {
        course,
        engine: &engine,
        state: loaded.state,
        current,
        view: if first_start && !course.welcome_message.trim().is_empty() {
            View::Welcome
        } else {
            View::Exercise
        },
        verdict: None,
        checking: false,
        pending: false,
        generation: 0,
        due: None,
        show_hint: false,
        notice: loaded.warning,
        manual,
        list: List {
            selected: current,
            filter: String::new(),
            filtering: false,
        },
        solution: None,
        output: None,
    };
    let term = terminal::Terminal::enter()?;
    input::read_keys(tx.clone());
    let result = std::thread::scope(|scope| {
        let result = app.run(scope, &rx, &tx);
        // Nothing we started may outlive watch mode.
        sandbox::shutdown();
        result
    });
    drop(term);
    result?;
    let done = app.done_count();
    println!(
        "threadlings: {done}/{} exercises done. Run `threadlings` again to go on.",
        course.exercises.len()
    );
    Ok(ExitCode::SUCCESS)
}

impl<'c> App<'c> {
    fn ex(&self) -> &'c Exercise {
        &self.course.exercises[self.current]
    }

    fn done_count(&self) -> usize {
        self.course
            .exercises
            .iter()
            .filter(|e| self.state.done.contains(&e.name))
            .count()
    }

    fn run<'s>(
        &mut self,
        scope: &'s Scope<'s, '_>,
        rx: &Receiver<Msg>,
        tx: &Sender<Msg>,
    ) -> anyhow::Result<()>
    where
        'c: 's,
    {
        self.persist_current();
        if !matches!(self.view, View::Welcome) {
            self.start_check(scope, tx);
        }
        loop {
            self.draw()?;
            let msg = match self.due {
                Some(due) => match rx.recv_timeout(due.saturating_duration_since(Instant::now())) {
                    Ok(msg) => Some(msg),
                    Err(RecvTimeoutError::Timeout) => None,
                    Err(RecvTimeoutError::Disconnected) => return Ok(()),
                },
                // Idle: block without a timeout, so watch mode uses no CPU.
                None => match rx.recv() {
                    Ok(msg) => Some(msg),
                    Err(_) => return Ok(()),
                },
            };
            let Some(msg) = msg else {
                self.due = None;
                self.start_check(scope, tx);
                continue;
            };
            if !self.handle(msg, scope, tx) {
                return Ok(());
            }
        }
    }

    /// Handles one message; `false` means quit.
    fn handle<'s>(&mut self, msg: Msg, scope: &'s Scope<'s, '_>, tx: &Sender<Msg>) -> bool
    where
        'c: 's,
    {
        match msg {
            Msg::Key(key) => return self.key(key, scope, tx),
            Msg::Resize => {}
            Msg::Changed(paths) => {
                let file = self.course.root.join(self.ex().path());
                if paths.iter().any(|p| same_file(p, &file)) {
                    self.due = Some(Instant::now() + DEBOUNCE);
                }
            }
            Msg::WatchError(e) => {
                self.notice = Some(format!(
                    "file watching failed ({e}): restart with `threadlings watch --poll` or `--manual`"
                ));
            }
            Msg::Checked {
                generation,
                verdict,
            } => {
                self.checking = false;
                if generation == self.generation {
                    self.show_program_output(&verdict, scope, tx);
                    self.checked(*verdict);
                }
                if self.pending {
                    self.pending = false;
                    self.start_check(scope, tx);
                }
            }
            Msg::Output { generation, text } => {
                if generation == self.generation {
                    self.output = Some(text);
                }
            }
            Msg::Progress { done, total } => {
                if let View::CheckingAll { .. } = self.view {
                    self.view = View::CheckingAll { done, total };
                }
            }
            Msg::CheckedAll(verdicts) => {
                self.checking = false;
                let _ = self.update_state(|s| s.record(&verdicts));
                self.list.selected = self.current;
                self.view = View::List;
                self.start_check(scope, tx);
            }
        }
        true
    }

    fn checked(&mut self, verdict: Verdict) {
        if verdict.status == Status::Pass {
            let name = verdict.name.clone();
            // Recorded at once, not on a key press: a crash now loses nothing.
            let _ = self.update_state(|s| {
                s.done.insert(name);
            });
            self.solution = self.course.reveal_solution(self.ex()).ok();
        }
        self.verdict = Some(verdict);
    }

    /// Runs the learner's program in the background when it compiled and
    /// no newer check is pending: seeing what `main` prints helps (lines cut
    /// off because nothing joined, say).
    fn show_program_output<'s>(
        &mut self,
        verdict: &Verdict,
        scope: &'s Scope<'s, '_>,
        tx: &Sender<Msg>,
    ) where
        'c: 's,
    {
        self.output = None;
        let Some(binary) = verdict.binary.clone() else {
            return;
        };
        if self.pending || !matches!(verdict.status, Status::Pass | Status::Fail) {
            return;
        }
        let (generation, tx) = (self.generation, tx.clone());
        let limits = DEFAULTS.limits(self.ex());
        scope.spawn(move || {
            let text = crate::engine::program_output(&binary, &limits);
            let _ = tx.send(Msg::Output { generation, text });
        });
    }

    fn update_state(&mut self, change: impl FnOnce(&mut State)) -> std::io::Result<()> {
        match State::update(&self.course.root, change) {
            Ok(state) => {
                self.state = state;
                Ok(())
            }
            Err(e) => {
                self.notice = Some(format!("cannot save progress: {e}"));
                Err(e)
            }
        }
    }

    fn persist_current(&mut self) {
        let name = self.ex().name.clone();
        let _ = self.update_state(|s| s.current = Some(name));
    }

    fn start_check<'s>(&mut self, scope: &'s Scope<'s, '_>, tx: &Sender<Msg>)
    where
        'c: 's,
    {
        if self.checking {
            self.pending = true;
            return;
        }
        let course = self.course;
        let ex = self.ex();
        let job = match DEFAULTS.learner_job(course, ex) {
            Ok(job) => job,
            Err(e) => {
                self.verdict = Some(Verdict::new(
                    &ex.name,
                    Status::Fail,
                    ex.points,
                    format!("{e:#}"),
                    Vec::new(),
                ));
                return;
            }
        };
        self.checking = true;
        self.generation += 1;
        let generation = self.generation;
        let engine = self.engine;
        let tx = tx.clone();
        scope.spawn(move || {
            let verdict = engine.check(&job, &Quiet);
            let _ = tx.send(Msg::Checked {
                generation,
                verdict: Box::new(verdict),
            });
        });
    }

    fn start_check_all<'s>(&mut self, scope: &'s Scope<'s, '_>, tx: &Sender<Msg>)
    where
        'c: 's,
    {
        if self.checking {
            self.notice = Some("a check is running: press c again when it is done".into());
            return;
        }
        let course = self.course;
        let jobs: Result<Vec<_>, _> = course
            .exercises
            .iter()
            .map(|ex| DEFAULTS.learner_job(course, ex))
            .collect();
        let jobs = match jobs {
            Ok(jobs) => jobs,
            Err(e) => {
                self.notice = Some(format!("{e:#}"));
                return;
            }
        };
        self.checking = true;
        // The running single check (if any) is superseded.
        self.generation += 1;
        let total = jobs.len();
        self.view = View::CheckingAll { done: 0, total };
        let engine = self.engine;
        let tx = tx.clone();
        scope.spawn(move || {
            let progress = Progress {
                done: std::sync::atomic::AtomicUsize::new(0),
                total,
                tx: std::sync::Mutex::new(tx.clone()),
            };
            let verdicts = engine.check_all(&jobs, &progress);
            let _ = tx.send(Msg::CheckedAll(verdicts));
        });
    }

    /// Makes exercise `index` current and checks it.
    fn switch<'s>(&mut self, index: usize, scope: &'s Scope<'s, '_>, tx: &Sender<Msg>)
    where
        'c: 's,
    {
        self.current = index;
        self.verdict = None;
        self.output = None;
        self.solution = None;
        self.show_hint = false;
        self.generation += 1;
        self.persist_current();
        self.view = View::Exercise;
        self.start_check(scope, tx);
    }

    /// The next unfinished exercise after the current one, wrapping around.
    fn next_unfinished(&self) -> Option<usize> {
        let n = self.course.exercises.len();
        (1..=n)
            .map(|k| (self.current + k) % n)
            .find(|&i| !self.state.done.contains(&self.course.exercises[i].name))
    }

    fn filtered(&self) -> Vec<usize> {
        (0..self.course.exercises.len())
            .filter(|&i| self.course.exercises[i].name.contains(&self.list.filter))
            .collect()
    }

    /// Handles a key; `false` means quit.
    fn key<'s>(&mut self, key: KeyEvent, scope: &'s Scope<'s, '_>, tx: &Sender<Msg>) -> bool
    where
        'c: 's,
    {
        if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
            return false;
        }
        self.notice = None;
        match self.view {
            View::Welcome => {
                if key.code == KeyCode::Enter {
                    self.view = View::Exercise;
                    self.start_check(scope, tx);
                } else if key.code == KeyCode::Char('q') {
                    return false;
                }
            }
            View::Exercise => match key.code {
                KeyCode::Char('q') => return false,
                KeyCode::Char('n') => match self.next_unfinished() {
                    Some(i) => self.switch(i, scope, tx),
                    None => self.notice = Some("every exercise is done!".into()),
                },
                KeyCode::Char('h') => self.show_hint = !self.show_hint,
                KeyCode::Char('l') => {
                    self.list.selected = self.current;
                    self.view = View::List;
                }
                KeyCode::Char('c') => self.start_check_all(scope, tx),
                KeyCode::Char('r') | KeyCode::Enter => self.start_check(scope, tx),
                KeyCode::Char('x') => self.view = View::ConfirmReset,
                _ => {}
            },
            View::ConfirmReset => {
                if key.code == KeyCode::Char('y') {
                    self.reset();
                    self.start_check(scope, tx);
                }
                self.view = View::Exercise;
            }
            View::List => self.list_key(key, scope, tx),
            View::CheckingAll { .. } => {
                if key.code == KeyCode::Char('q') {
                    return false;
                }
            }
        }
        true
    }

    fn list_key<'s>(&mut self, key: KeyEvent, scope: &'s Scope<'s, '_>, tx: &Sender<Msg>)
    where
        'c: 's,
    {
        if self.list.filtering {
            match key.code {
                KeyCode::Char(c) => self.list.filter.push(c),
                KeyCode::Backspace => {
                    self.list.filter.pop();
                }
                KeyCode::Enter | KeyCode::Esc => self.list.filtering = false,
                _ => {}
            }
            let shown = self.filtered();
            if let Some(&first) = shown.first()
                && !shown.contains(&self.list.selected)
            {
                self.list.selected = first;
            }
            return;
        }
        let shown = self.filtered();
        let pos = shown
            .iter()
            .position(|&i| i == self.list.selected)
            .unwrap_or(0);
        match key.code {
            KeyCode::Up | KeyCode::Char('k') => {
                if let Some(&i) = shown.get(pos.saturating_sub(1)) {
                    self.list.selected = i;
                }
            }
            KeyCode::Down | KeyCode::Char('j') => {
                if let Some(&i) = shown.get(pos + 1) {
                    self.list.selected = i;
                }
            }
            KeyCode::Enter if shown.contains(&self.list.selected) => {
                self.switch(self.list.selected, scope, tx)
            }
            KeyCode::Char('/') => self.list.filtering = true,
            KeyCode::Char('q') | KeyCode::Esc => self.view = View::Exercise,
            _ => {}
        }
    }

    fn reset(&mut self) {
        let ex = self.ex();
        let Some(shipped) = self.course.shipped(ex) else {
            self.notice = Some(format!("no shipped copy of {} to put back", ex.name));
            return;
        };
        let path = self.course.root.join(ex.path());
        match std::fs::write(&path, shipped.as_bytes()) {
            Ok(()) => {
                let name = ex.name.clone();
                let _ = self.update_state(|s| {
                    s.done.remove(&name);
                });
                self.notice = Some(format!("{} is back as shipped", ex.path()));
            }
            Err(e) => self.notice = Some(format!("cannot write {}: {e}", path.display())),
        }
    }

    fn draw(&self) -> std::io::Result<()> {
        let (width, height) = crossterm::terminal::size().unwrap_or((80, 24));
        let lines = self.lines(usize::from(width), usize::from(height));
        screen::draw(&lines, width, height)
    }

    fn lines(&self, width: usize, height: usize) -> Vec<String> {
        let total = self.course.exercises.len();
        let done = self.done_count();
        let mut body = Vec::new();
        let keys;
        match &self.view {
            View::Welcome => {
                body.extend(self.course.welcome_message.lines().map(str::to_string));
                body.push(String::new());
                keys = format!("{BOLD}Enter{RESET} start · {BOLD}q{RESET} quit");
            }
            View::CheckingAll { done, total } => {
                body.push(format!("{BOLD}Checking every exercise…{RESET}"));
                body.push(String::new());
                body.push(screen::progress(*done, *total, width));
                keys = format!("{BOLD}q{RESET} quit");
            }
            View::List => {
                body.push(format!(
                    "{BOLD}Exercises{RESET}  {DIM}{done}/{total} done{RESET}"
                ));
                let shown = self.filtered();
                let room = height.saturating_sub(5).max(1);
                let pos = shown
                    .iter()
                    .position(|&i| i == self.list.selected)
                    .unwrap_or(0);
                let start = pos.saturating_sub(room.saturating_sub(1));
                for &i in shown.iter().skip(start).take(room) {
                    let ex = &self.course.exercises[i];
                    let status = if self.state.done.contains(&ex.name) {
                        format!("{GREEN}done   {RESET}")
                    } else if i == self.current {
                        format!("{YELLOW}current{RESET}")
                    } else {
                        "pending".to_string()
                    };
                    let cursor = if i == self.list.selected {
                        format!("{BOLD}>{RESET}")
                    } else {
                        " ".into()
                    };
                    body.push(format!("{cursor} {status}  {}", ex.name));
                }
                if self.list.filtering || !self.list.filter.is_empty() {
                    body.push(format!(
                        "filter: /{}{}",
                        self.list.filter,
                        if self.list.filtering { "_" } else { "" }
                    ));
                }
                keys = format!(
                    "{BOLD}↑↓/jk{RESET} move · {BOLD}Enter{RESET} make current · {BOLD}/{RESET} filter · {BOLD}q{RESET} back"
                );
            }
            View::Exercise | View::ConfirmReset => {
                body = self.exercise_body(height);
                keys = if matches!(self.view, View::ConfirmReset) {
                    format!(
                        "{YELLOW}{BOLD}Reset {} to the shipped version, losing your changes? (y/n){RESET}",
                        self.ex().path()
                    )
                } else {
                    let rerun = if self.manual { "r/Enter" } else { "r" };
                    format!(
                        "{BOLD}n{RESET} next · {BOLD}h{RESET} hint · {BOLD}l{RESET} list · {BOLD}c{RESET} check all · \
                         {BOLD}{rerun}{RESET} re-run · {BOLD}x{RESET} reset · {BOLD}q{RESET} quit"
                    )
                };
            }
        }
        let mut lines = body;
        if let Some(notice) = &self.notice {
            lines.push(format!("{YELLOW}{notice}{RESET}"));
        }
        // The footer always shows, at the bottom of the screen.
        let footer = [
            format!(
                "Progress: {}",
                screen::progress(done, total, width.saturating_sub(10))
            ),
            keys,
        ];
        let room = height.saturating_sub(footer.len());
        lines.truncate(room);
        while lines.len() < room {
            lines.push(String::new());
        }
        lines.extend(footer);
        lines
    }

    fn exercise_body(&self, height: usize) -> Vec<String> {
        let ex = self.ex();
        let mut lines = vec![
            format!("{BOLD}{}{RESET}  {DIM}{}{RESET}", ex.name, ex.path()),
            String::new(),
        ];
        match (&self.verdict, self.checking) {
            (_, true) => lines.push(format!("{DIM}Checking…{RESET}")),
            (None, false) => lines.push(format!(
                "{DIM}Waiting for a save (press r to check now){RESET}"
            )),
            (Some(v), false) if v.status == Status::Pass => {
                lines.push(format!(
                    "{GREEN}{BOLD}✓ Passed!{RESET} Every hidden test passed."
                ));
                if let Some(solution) = &self.solution {
                    lines.push(format!("Compare with the solution: {solution}"));
                }
                if self.next_unfinished().is_some() {
                    lines.push(format!("Press {BOLD}n{RESET} for the next exercise."));
                } else {
                    lines.push(String::new());
                    lines.extend(self.course.final_message.lines().map(str::to_string));
                }
            }
            (Some(v), false) => {
                let headline = match v.status {
                    Status::CompileError => "✗ It does not compile yet:".to_string(),
                    other => format!("✗ Not yet: {}", other.as_str()),
                };
                lines.push(format!("{RED}{BOLD}{headline}{RESET}"));
                lines.push(String::new());
                let hint_room = if self.show_hint {
                    ex.hint.lines().count() + 2
                } else {
                    0
                };
                let room = height.saturating_sub(lines.len() + hint_room + 4).max(1);
                let message: Vec<&str> = v.message.lines().collect();
                lines.extend(message.iter().take(room).map(|l| (*l).to_string()));
                if message.len() > room {
                    lines.push(format!(
                        "{DIM}… {} more lines: `threadlings run` shows them all{RESET}",
                        message.len() - room
                    ));
                }
            }
        }
        if let Some(output) = self.output.as_deref().filter(|_| !self.checking) {
            let shown: Vec<&str> = output.lines().collect();
            let room = height.saturating_sub(lines.len() + 6).min(10);
            if room > 0 {
                lines.push(String::new());
                if shown.is_empty() {
                    lines.push(format!("{DIM}Your program printed nothing.{RESET}"));
                } else {
                    lines.push(format!("{DIM}Your program (its `main`) printed:{RESET}"));
                    let skip = shown.len().saturating_sub(room);
                    if skip > 0 {
                        lines.push(format!("{DIM}  … {skip} earlier lines{RESET}"));
                    }
                    lines.extend(shown[skip..].iter().map(|l| format!("{DIM}  {l}{RESET}")));
                }
            }
        }
        if self.show_hint {
            lines.push(String::new());
            lines.push(format!("{YELLOW}{BOLD}Hint:{RESET}"));
            lines.extend(ex.hint.lines().map(|l| format!("{YELLOW}{l}{RESET}")));
        }
        lines
    }
}

fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    a == b || canonical(a).is_some_and(|a| Some(a) == canonical(b))
}

fn canonical(p: &std::path::Path) -> Option<PathBuf> {
    std::fs::canonicalize(p).ok()
}

/// Watch mode's reporter while every exercise is checked: a count of the
/// finished ones, sent to the screen loop.
struct Progress {
    done: std::sync::atomic::AtomicUsize,
    total: usize,
    tx: std::sync::Mutex<Sender<Msg>>,
}

impl Reporter for Progress {
    fn report(&self, event: &Event<'_>) {
        if let Event::Finished { .. } = event {
            let done = self.done.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
            let tx = self.tx.lock().unwrap_or_else(|e| e.into_inner());
            let _ = tx.send(Msg::Progress {
                done,
                total: self.total,
            });
        }
    }
}
