//! Watch mode: the learner's loop. Every save of the current exercise
//! re-checks it (at once when the editor closes or renames the file, after a
//! short quiet spell otherwise); keys move between exercises, show hints,
//! run the learner's `main`, list, check all and reset. One check of the
//! current exercise runs at a time; a save that lands during a check is not
//! lost: the check runs again on the newest content. Saves to other
//! exercises that are done are re-checked quietly, so progress shows the
//! last verdict of every file.

mod input;
mod screen;
pub(crate) mod terminal;
mod view;

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
use crate::state::{STATE_FILE, State};
use crate::supervise;
use crate::verdict::{Status, Verdict};
use input::Msg;

/// A write that is not followed by a close or rename (an editor still
/// writing, or a file system that reports only writes) is checked once no
/// new write came for this long. Close-write and rename start a check at once.
const QUIET_SPELL: Duration = Duration::from_millis(60);

/// How often the screen is redrawn while a check runs (the spinner and the
/// elapsed time move).
const TICK: Duration = Duration::from_millis(100);

/// What the running check is doing, as the engine reports it.
enum Phase {
    Starting,
    Compiling,
    /// Tests running now (with when each started and the file where it
    /// says what it waits for) and how many finished.
    Testing {
        running: Vec<(String, Instant, PathBuf)>,
        finished: usize,
    },
}

/// A chapter's opening, shown when `n` moves into it.
struct ChapterIntro {
    title: String,
    idea: String,
    path: String,
}

/// The learner's program, run by itself.
struct Output {
    text: String,
    /// Still running (the text is empty until it ends).
    running: bool,
    /// From a run before the latest edit.
    stale: bool,
}

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
    /// Key `t`: what the threads did in the last check, under its verdict.
    show_timeline: bool,
    /// A status line, and the generation it belongs to: it goes away with
    /// the next check.
    notice: Option<(String, u64)>,
    manual: bool,
    list: List,
    solution: Option<String>,
    /// What the learner's `main` printed on its last run.
    output: Option<Output>,
    /// Which output run is the newest (older ones are ignored).
    output_run: u64,
    check_started: Option<Instant>,
    phase: Phase,
    /// The support library is built (the first check takes seconds when not).
    warm: bool,
    chapter_intro: Option<ChapterIntro>,
    /// How far the body is scrolled, and how far it can be (from the last
    /// drawing).
    scroll: usize,
    max_scroll: std::cell::Cell<usize>,
    /// Other exercises being re-checked quietly, and those saved again
    /// meanwhile (checked once more when theirs ends).
    rechecking: std::collections::BTreeSet<usize>,
    recheck_again: std::collections::BTreeSet<usize>,
    /// The current file's text as the newest check read it.
    checked_source: Option<String>,
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
    let generation = 0;
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
        generation,
        due: None,
        show_hint: false,
        show_timeline: false,
        // Kept through the first check: it is about the state file, or
        // about the sandbox (said once, when it is incomplete).
        notice: loaded
            .warning
            .or_else(|| crate::sandbox::protections().missing_sentence())
            .map(|w| (w, generation + 1)),
        manual,
        list: List {
            selected: current,
            filter: String::new(),
            filtering: false,
        },
        solution: None,
        output: None,
        output_run: 0,
        check_started: None,
        phase: Phase::Starting,
        warm: engine.is_warm(),
        chapter_intro: None,
        scroll: 0,
        max_scroll: std::cell::Cell::new(0),
        rechecking: Default::default(),
        recheck_again: Default::default(),
        checked_source: None,
    };
    let term = terminal::Terminal::enter()?;
    input::read_keys(tx.clone());
    let result = std::thread::scope(|scope| {
        if !app.warm {
            // Built while the welcome screen is read, not at the first check.
            let (engine, tx) = (&engine, tx.clone());
            scope.spawn(move || {
                let warm = engine.warm_up();
                let _ = tx.send(Msg::Warm(warm));
            });
        }
        let result = app.run(scope, &rx, &tx);
        // Nothing we started may outlive watch mode.
        supervise::shutdown();
        result
    });
    drop(term);
    result?;
    let done = app.done_count();
    println!(
        "threadlings: {done}/{} exercises done. Run `{}` again to go on.",
        course.exercises.len(),
        again::command()
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

    /// The status line, unless a check began since it was set.
    fn notice(&self) -> Option<&str> {
        self.notice
            .as_ref()
            .filter(|(_, generation)| *generation == self.generation)
            .map(|(text, _)| text.as_str())
    }

    fn set_notice(&mut self, text: impl Into<String>) {
        self.notice = Some((text.into(), self.generation));
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
            // Idle (no save to wait out, no check to animate): block without
            // a timeout, so watch mode uses no CPU.
            let tick = self.checking.then(|| Instant::now() + TICK);
            let wake = self.due.into_iter().chain(tick).min();
            let msg = match wake {
                Some(wake) => match rx.recv_timeout(wake.saturating_duration_since(Instant::now()))
                {
                    Ok(msg) => Some(msg),
                    Err(RecvTimeoutError::Timeout) => None,
                    Err(RecvTimeoutError::Disconnected) => return Ok(()),
                },
                None => match rx.recv() {
                    Ok(msg) => Some(msg),
                    Err(_) => return Ok(()),
                },
            };
            let Some(msg) = msg else {
                if self.due.is_some_and(|due| due <= Instant::now()) {
                    self.due = None;
                    self.start_check(scope, tx);
                }
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
            Msg::Changed { paths, finished } => self.changed(&paths, finished, scope, tx),
            Msg::WatchError(e) => {
                self.set_notice(format!(
                    "file watching failed ({e}): restart with `{} watch --poll` or `--manual`",
                    again::command_with_args()
                ));
            }
            Msg::Warm(warm) => self.warm = warm,
            Msg::Phase { generation, phase } => {
                if generation == self.generation {
                    self.phase_changed(phase);
                }
            }
            Msg::Checked {
                generation,
                verdict,
            } => {
                self.checking = false;
                self.warm = self.warm || self.engine.is_warm();
                if generation == self.generation {
                    self.show_program_output(&verdict, false, scope, tx);
                    self.checked(*verdict);
                }
                if self.pending {
                    self.pending = false;
                    self.start_check(scope, tx);
                }
            }
            Msg::CheckedOther { index, verdict } => {
                self.rechecking.remove(&index);
                let _ = self.update_state(|s| s.record(std::slice::from_ref(&*verdict)));
                if verdict.status == Status::Pass {
                    self.course.reveal_solutions([verdict.name.as_str()]);
                }
                if self.recheck_again.remove(&index) {
                    self.recheck(index, scope, tx);
                }
            }
            Msg::Output { run, text } => {
                if run == self.output_run {
                    self.output = Some(Output {
                        text,
                        running: false,
                        stale: false,
                    });
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
                self.course.reveal_solutions(
                    verdicts
                        .iter()
                        .filter(|v| v.status == Status::Pass)
                        .map(|v| v.name.as_str()),
                );
                self.list.selected = self.current;
                self.view = View::List;
                self.start_check(scope, tx);
            }
        }
        true
    }

    /// A save: the current exercise is checked (at once when the editor is
    /// done with the file, after a quiet spell otherwise); another exercise
    /// that is done is re-checked quietly.
    fn changed<'s>(
        &mut self,
        paths: &[PathBuf],
        finished: bool,
        scope: &'s Scope<'s, '_>,
        tx: &Sender<Msg>,
    ) where
        'c: 's,
    {
        let file = self.course.root.join(self.ex().path());
        // A write that left the file as last checked (reset's own write, an
        // editor saving unchanged text) needs no check.
        let unchanged = || {
            self.checked_source.is_some()
                && std::fs::read_to_string(&file).ok() == self.checked_source
        };
        if paths.iter().any(|p| same_file(p, &file)) && !unchanged() {
            if finished {
                self.due = None;
                self.start_check(scope, tx);
            } else {
                self.due = Some(Instant::now() + QUIET_SPELL);
            }
        }
        for index in 0..self.course.exercises.len() {
            let ex = &self.course.exercises[index];
            if index != self.current
                && self.state.done.contains(&ex.name)
                && paths
                    .iter()
                    .any(|p| same_file(p, &self.course.root.join(ex.path())))
            {
                if self.rechecking.contains(&index) {
                    self.recheck_again.insert(index);
                } else {
                    self.recheck(index, scope, tx);
                }
            }
        }
    }

    /// Checks exercise `index` in the background, for the progress shown.
    fn recheck<'s>(&mut self, index: usize, scope: &'s Scope<'s, '_>, tx: &Sender<Msg>)
    where
        'c: 's,
    {
        let Ok(job) = DEFAULTS.learner_job(self.course, &self.course.exercises[index]) else {
            return;
        };
        self.rechecking.insert(index);
        let (engine, tx) = (self.engine, tx.clone());
        scope.spawn(move || {
            let verdict = engine.check(&job, &Quiet);
            let _ = tx.send(Msg::CheckedOther {
                index,
                verdict: Box::new(verdict),
            });
        });
    }

    fn phase_changed(&mut self, phase: input::Phase) {
        match phase {
            input::Phase::Compiling => self.phase = Phase::Compiling,
            input::Phase::Running(test, wait_file) => {
                if !matches!(self.phase, Phase::Testing { .. }) {
                    self.phase = Phase::Testing {
                        running: Vec::new(),
                        finished: 0,
                    };
                }
                if let Phase::Testing { running, .. } = &mut self.phase {
                    running.push((test, Instant::now(), wait_file));
                }
            }
            input::Phase::Ran(test) => {
                if let Phase::Testing { running, finished } = &mut self.phase {
                    if let Some(i) = running.iter().position(|(t, ..)| *t == test) {
                        running.remove(i);
                    }
                    *finished += 1;
                }
            }
        }
    }

    /// Records every verdict of the current exercise: a pass marks it done,
    /// anything else (a finished exercise broken again) marks it not done.
    fn checked(&mut self, verdict: Verdict) {
        // Recorded at once, not on a key press: a crash now loses nothing.
        let _ = self.update_state(|s| s.record(std::slice::from_ref(&verdict)));
        if verdict.status == Status::Pass {
            self.solution = self.course.reveal_solution(self.ex()).ok();
        } else {
            self.solution = None;
        }
        self.verdict = Some(verdict);
    }

    /// Runs the learner's program in the background (under the exercise's
    /// limits) and shows what it printed. After a check it runs when the
    /// file compiled and no newer check is pending (seeing what `main`
    /// prints helps: lines cut off because nothing joined, say); `asked`
    /// (the `m` key) runs it whenever there is a binary.
    fn show_program_output<'s>(
        &mut self,
        verdict: &Verdict,
        asked: bool,
        scope: &'s Scope<'s, '_>,
        tx: &Sender<Msg>,
    ) where
        'c: 's,
    {
        let Some(binary) = verdict.binary.clone() else {
            if asked {
                self.set_notice("your file does not compile yet: there is no program to run");
            }
            return;
        };
        if !asked && (self.pending || !matches!(verdict.status, Status::Pass | Status::Fail)) {
            return;
        }
        self.output_run += 1;
        let (run, tx) = (self.output_run, tx.clone());
        self.output = Some(Output {
            text: String::new(),
            running: true,
            stale: false,
        });
        let limits = DEFAULTS.limits(self.ex());
        scope.spawn(move || {
            let text = crate::engine::program_output(&binary, &limits);
            let _ = tx.send(Msg::Output { run, text });
        });
    }

    fn update_state(&mut self, change: impl FnOnce(&mut State)) -> std::io::Result<()> {
        match State::update(&self.course.root, change) {
            Ok(state) => {
                self.state = state;
                Ok(())
            }
            Err(e) => {
                self.set_notice(format!("cannot save progress: {e}"));
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
        self.checked_source = Some(job.source.clone());
        self.check_started = Some(Instant::now());
        self.phase = Phase::Starting;
        if let Some(output) = &mut self.output {
            output.stale = true;
        }
        let generation = self.generation;
        let engine = self.engine;
        let tx = tx.clone();
        scope.spawn(move || {
            let live = input::Live::new(generation, tx.clone());
            let verdict = engine.check(&job, &live);
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
            self.set_notice("a check is running: press c again when it is done");
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
                self.set_notice(format!("{e:#}"));
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
                tx: tx.clone(),
            };
            let verdicts = engine.check_all(&jobs, &progress);
            let _ = tx.send(Msg::CheckedAll(verdicts));
        });
    }

    /// Makes exercise `index` current and checks it; moving into another
    /// chapter opens with that chapter's idea.
    fn switch<'s>(&mut self, index: usize, scope: &'s Scope<'s, '_>, tx: &Sender<Msg>)
    where
        'c: 's,
    {
        let before = self.ex().dir.clone();
        self.current = index;
        self.chapter_intro = if self.ex().dir != before {
            self.chapter_intro()
        } else {
            None
        };
        self.verdict = None;
        self.output = None;
        self.solution = None;
        self.checked_source = None;
        self.show_hint = false;
        self.show_timeline = false;
        self.scroll = 0;
        self.persist_current();
        self.view = View::Exercise;
        self.start_check(scope, tx);
    }

    /// The current chapter's title and first paragraph, from its README.
    fn chapter_intro(&self) -> Option<ChapterIntro> {
        let (path, text) = self.course.chapter_readme(&self.ex().dir)?;
        let (title, idea) = readme_opening(&text)?;
        Some(ChapterIntro { title, idea, path })
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
        if self.scroll_key(key.code) {
            return true;
        }
        self.notice = None;
        match self.view {
            View::Welcome => {
                if key.code == KeyCode::Enter {
                    self.view = View::Exercise;
                    self.scroll = 0;
                    self.start_check(scope, tx);
                } else if key.code == KeyCode::Char('q') {
                    return false;
                }
            }
            View::Exercise => match key.code {
                KeyCode::Char('q') => return false,
                KeyCode::Char('n') => match self.next_unfinished() {
                    Some(i) if i != self.current => self.switch(i, scope, tx),
                    Some(_) => {
                        self.set_notice("this is the last exercise left: make it pass first")
                    }
                    None => self.set_notice("every exercise is done!"),
                },
                KeyCode::Char('h') => self.show_hint = !self.show_hint,
                KeyCode::Char('t') => self.show_timeline = !self.show_timeline,
                KeyCode::Char('m') => match self.verdict.clone() {
                    Some(verdict) if !self.checking => {
                        self.show_program_output(&verdict, true, scope, tx)
                    }
                    _ => self.set_notice("a check is running: press m again when it is done"),
                },
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
                self.view = View::Exercise;
                if key.code == KeyCode::Char('y') {
                    let said = self.reset();
                    self.start_check(scope, tx);
                    // Set after the check starts: shown through it.
                    self.set_notice(said);
                }
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

    /// Scrolls the body of the exercise and welcome screens; `true` when
    /// the key was a scrolling one.
    fn scroll_key(&mut self, code: KeyCode) -> bool {
        if !matches!(self.view, View::Exercise | View::Welcome) {
            return false;
        }
        let (_, height) = crossterm::terminal::size().unwrap_or((80, 24));
        let page = usize::from(height).saturating_sub(6).max(1);
        let max = self.max_scroll.get();
        self.scroll = match code {
            KeyCode::Up | KeyCode::Char('k') => self.scroll.saturating_sub(1),
            KeyCode::Down | KeyCode::Char('j') => (self.scroll + 1).min(max),
            KeyCode::PageUp => self.scroll.saturating_sub(page),
            KeyCode::PageDown | KeyCode::Char(' ') => (self.scroll + page).min(max),
            KeyCode::Home | KeyCode::Char('g') => 0,
            KeyCode::End | KeyCode::Char('G') => max,
            _ => return false,
        };
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

    /// Puts the shipped version back; says what happened.
    fn reset(&mut self) -> String {
        let ex = self.ex();
        match crate::commands::put_back(self.course, ex) {
            Ok(state) => {
                self.state = state;
                format!("{} is back as shipped", ex.path())
            }
            Err(e) => format!("{e:#}"),
        }
    }

    fn draw(&self) -> std::io::Result<()> {
        let (width, height) = crossterm::terminal::size().unwrap_or((80, 24));
        let (w, h) = (usize::from(width), usize::from(height));
        let laid = view::lay_out(self.page(w, h), w, h, self.scroll);
        self.max_scroll.set(laid.max_scroll);
        screen::draw(&laid.lines, width, height)
    }
}

/// The title (first `# ` heading) and first paragraph of a chapter README.
fn readme_opening(text: &str) -> Option<(String, String)> {
    let mut lines = text.lines();
    let title = lines
        .by_ref()
        .find_map(|l| l.strip_prefix("# "))?
        .trim()
        .to_string();
    let idea: Vec<&str> = lines
        .skip_while(|l| l.trim().is_empty())
        .take_while(|l| !l.trim().is_empty())
        .collect();
    Some((title, idea.join("\n")))
}

/// How the learner started threadlings, to say how to come back.
mod again {
    /// `cargo run --release`, `cargo run` or `threadlings`: cargo sets
    /// `CARGO` for what it runs, and the binary's folder says the profile.
    pub(super) fn command() -> String {
        let exe = std::env::current_exe().unwrap_or_default();
        describe(&exe, std::env::var_os("CARGO").is_some())
    }

    /// The same, ready for arguments (`cargo run --release --`).
    pub(super) fn command_with_args() -> String {
        let command = command();
        if command.starts_with("cargo ") {
            format!("{command} --")
        } else {
            command
        }
    }

    pub(super) fn describe(exe: &std::path::Path, under_cargo: bool) -> String {
        let profile = exe
            .parent()
            .and_then(|dir| dir.file_name())
            .and_then(|name| name.to_str());
        match (under_cargo, profile) {
            (true, Some("release")) => "cargo run --release".to_string(),
            (true, Some("debug")) => "cargo run".to_string(),
            _ => "threadlings".to_string(),
        }
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
    tx: Sender<Msg>,
}

impl Reporter for Progress {
    fn report(&self, event: &Event<'_>) {
        if let Event::Finished { .. } = event {
            let done = self.done.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
            let _ = self.tx.send(Msg::Progress {
                done,
                total: self.total,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_way_back_in_is_the_command_the_learner_used() {
        let release = std::path::Path::new("/home/me/threadlings/target/release/threadlings");
        let debug = std::path::Path::new("/home/me/threadlings/target/debug/threadlings");
        let installed = std::path::Path::new("/home/me/.cargo/bin/threadlings");
        assert_eq!(again::describe(release, true), "cargo run --release");
        assert_eq!(again::describe(debug, true), "cargo run");
        assert_eq!(again::describe(installed, false), "threadlings");
        // A binary in target/ started by hand, not by cargo.
        assert_eq!(again::describe(release, false), "threadlings");
    }

    #[test]
    fn a_chapter_opens_with_its_title_and_first_paragraph() {
        let readme = "# Chapter 3: move\n\nA closure borrows.\nUnless you move.\n\nMore:\n- a\n";
        let (title, idea) = readme_opening(readme).unwrap();
        assert_eq!(title, "Chapter 3: move");
        assert_eq!(idea, "A closure borrows.\nUnless you move.");
        assert!(readme_opening("no heading").is_none());
    }
}
