//! What watch mode shows: the screen as lines, built from the app's state.
//! A screen has a fixed header and footer and a body between them; every
//! line is wrapped to the terminal's width (no character is ever cut off),
//! and a body taller than its room scrolls.

use std::time::Instant;

use super::screen::{self, wrap};
use super::{App, Phase, View};
use crate::report::human::{BOLD, DIM, GREEN, RED, RESET, YELLOW};
use crate::verdict::Status;

/// The spinner's frames, one per tick.
const SPINNER: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/// A screen before layout: lines as written, wrapped later.
pub(super) struct Page {
    pub header: Vec<String>,
    pub body: Vec<String>,
    pub footer: Vec<String>,
    /// The body follows `App::scroll` (else it is laid out from the top and
    /// the view keeps its own cursor in sight, as the list does).
    pub scrolls: bool,
}

/// The laid-out screen, and how far the body can scroll.
pub(super) struct Laid {
    pub lines: Vec<String>,
    pub max_scroll: usize,
}

/// Wraps every part to `width` and fits them in `height`: header on top,
/// footer at the bottom, the body window in between starting at `scroll`.
pub(super) fn lay_out(page: Page, width: usize, height: usize, scroll: usize) -> Laid {
    let wrap_all =
        |lines: &[String]| -> Vec<String> { lines.iter().flat_map(|l| wrap(l, width)).collect() };
    let header = wrap_all(&page.header);
    let body = wrap_all(&page.body);
    let mut footer = wrap_all(&page.footer);
    let mut room = height.saturating_sub(header.len() + footer.len());
    let mut max_scroll = 0;
    let mut start = 0;
    if page.scrolls && body.len() > room && room > 1 {
        // One line of the room says where the window is and how to move it.
        room -= 1;
        max_scroll = body.len() - room;
        start = scroll.min(max_scroll);
        let marker = format!(
            "{DIM}── lines {}-{} of {} · ↑↓ PgUp PgDn Home End ──{RESET}",
            start + 1,
            start + room,
            body.len()
        );
        let mut marker = wrap(&marker, width);
        marker.truncate(1);
        footer.splice(0..0, marker);
    }
    let mut lines = header;
    lines.extend(body.into_iter().skip(start).take(room));
    // On a screen too small for even the footer, the footer wins: the keys
    // must stay visible.
    while lines.len() + footer.len() > height && !lines.is_empty() {
        lines.pop();
    }
    while lines.len() + footer.len() < height {
        lines.push(String::new());
    }
    lines.extend(footer);
    lines.truncate(height);
    Laid { lines, max_scroll }
}

impl App<'_> {
    pub(super) fn page(&self, width: usize, height: usize) -> Page {
        let total = self.course.exercises.len();
        let done = self.done_count();
        let mut header = Vec::new();
        let mut body = Vec::new();
        let keys;
        let mut scrolls = true;
        match &self.view {
            View::Welcome => {
                body.extend(self.course.welcome_message.lines().map(str::to_string));
                body.push(String::new());
                body.push(self.warm_up_line());
                // Said before the first check too (the exercise view says it
                // again until that check is done).
                if let Some(missing) = crate::sandbox::protections().missing_sentence() {
                    body.push(String::new());
                    body.push(format!("{YELLOW}Note:{RESET} {missing}."));
                }
                keys = format!("{BOLD}Enter{RESET} start · {BOLD}q{RESET} quit");
            }
            View::CheckingAll { done, total } => {
                header.push(format!("{BOLD}Checking every exercise…{RESET}"));
                header.push(String::new());
                header.push(screen::progress(*done, *total, width));
                keys = format!("{BOLD}q{RESET} quit");
            }
            View::List => {
                scrolls = false;
                header.push(format!(
                    "{BOLD}Exercises{RESET}  {DIM}{done}/{total} done{RESET}"
                ));
                let shown = self.filtered();
                let room = height.saturating_sub(7).max(1);
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
                let ex = self.ex();
                header.push(format!(
                    "{BOLD}{}{RESET}  {DIM}{}{RESET}",
                    ex.name,
                    ex.path()
                ));
                body = self.exercise_body(width);
                keys = if matches!(self.view, View::ConfirmReset) {
                    format!(
                        "{YELLOW}{BOLD}Reset {} to the shipped version, losing your changes? (y/n){RESET}",
                        ex.path()
                    )
                } else {
                    let rerun = if self.manual { "r/Enter" } else { "r" };
                    format!(
                        "{BOLD}n{RESET} next · {BOLD}h{RESET} hint · {BOLD}t{RESET} timeline · {BOLD}m{RESET} run main · \
                         {BOLD}l{RESET} list · {BOLD}c{RESET} check all · {BOLD}{rerun}{RESET} re-run · {BOLD}x{RESET} reset · {BOLD}q{RESET} quit"
                    )
                };
            }
        }
        let mut footer = Vec::new();
        if let Some(notice) = self.notice() {
            footer.push(format!("{YELLOW}{notice}{RESET}"));
        }
        footer.push(format!(
            "Progress: {}",
            screen::progress(done, total, width.saturating_sub(10))
        ));
        // Below 40 columns the keys would take half the screen: their
        // letters only (the README lists them).
        if width < 40 && matches!(self.view, View::Exercise) {
            footer.push(format!("{BOLD}keys{RESET}: n h t m l c r x q"));
        } else {
            footer.push(keys);
        }
        Page {
            header,
            body,
            footer,
            scrolls,
        }
    }

    /// While the welcome screen is up, the support library is built.
    fn warm_up_line(&self) -> String {
        if self.warm {
            format!("{DIM}Ready.{RESET}")
        } else {
            format!(
                "{DIM}Getting ready: building the checker's test library (first start only, a few seconds)…{RESET}"
            )
        }
    }

    fn exercise_body(&self, width: usize) -> Vec<String> {
        let ex = self.ex();
        let mut lines = Vec::new();
        if let Some(intro) = &self.chapter_intro {
            lines.push(format!("{BOLD}New chapter: {}{RESET}", intro.title));
            lines.extend(intro.idea.lines().map(str::to_string));
            lines.push(format!("{DIM}More in {}{RESET}", intro.path));
            lines.push(String::new());
        }
        match (&self.verdict, self.checking) {
            (_, true) => lines.push(self.checking_line()),
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
                lines.extend(v.message.lines().map(str::to_string));
            }
        }
        if let Some(v) = self.verdict.as_ref().filter(|_| !self.checking) {
            let warnings = v.warnings.trim_end();
            if !warnings.is_empty() {
                lines.push(String::new());
                lines.push(format!(
                    "{DIM}rustc's warnings (the exercise can pass with them):{RESET}"
                ));
                lines.extend(crate::report::human::dimmed(warnings));
            }
        }
        if let Some(output) = &self.output {
            lines.push(String::new());
            let when = if output.running {
                "running your program…".to_string()
            } else if output.stale {
                "Your program (its `main`) printed, on its last run:".to_string()
            } else {
                "Your program (its `main`) printed:".to_string()
            };
            lines.push(format!("{DIM}{when}{RESET}"));
            if !output.running {
                if output.text.is_empty() {
                    lines.push(format!("{DIM}  (nothing){RESET}"));
                }
                lines.extend(output.text.lines().map(|l| format!("  {l}")));
            }
        }
        if self.show_timeline && !self.checking {
            lines.push(String::new());
            lines.extend(self.timeline_lines(width));
        }
        if self.show_hint {
            lines.push(String::new());
            lines.push(format!("{YELLOW}{BOLD}Hint:{RESET}"));
            lines.extend(ex.hint.lines().map(|l| format!("{YELLOW}{l}{RESET}")));
        }
        lines
    }

    /// What the threads did in the last check (key `t`), drawn to the
    /// screen's width.
    fn timeline_lines(&self, width: usize) -> Vec<String> {
        let picked = self.verdict.as_ref().and_then(crate::timeline::pick);
        let Some(picked) = picked else {
            return vec![format!(
                "{DIM}No hidden test ran in the last check, so there is no timeline to draw.{RESET}"
            )];
        };
        let look = crate::timeline::Look {
            width,
            // The screen is drawn with colours unless NO_COLOR asks not to.
            color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
            ..crate::timeline::Look::for_stdout()
        };
        let mut lines = vec![crate::commands::PICTURE_HEADING.to_string()];
        lines.extend(
            crate::timeline::text(&picked, &look)
                .lines()
                .map(str::to_string),
        );
        lines
    }

    /// `⠹ Checking… 2.4 s · what it is doing`, in learner terms.
    fn checking_line(&self) -> String {
        let elapsed = self
            .check_started
            .map_or(0.0, |t| Instant::now().duration_since(t).as_secs_f64());
        let frame = SPINNER[(elapsed * 10.0) as usize % SPINNER.len()];
        let doing = match &self.phase {
            Phase::Starting if !self.warm => {
                "building the checker's test library first (first check only, a few seconds)"
                    .to_string()
            }
            Phase::Starting => "starting".to_string(),
            Phase::Compiling if !self.warm => {
                "building the checker's test library, then compiling your file (first check only)"
                    .to_string()
            }
            Phase::Compiling => "compiling your file".to_string(),
            Phase::Testing { running, finished } => match running.first() {
                None => format!("{finished} hidden tests finished"),
                Some((name, since, wait_file)) => {
                    let long = Instant::now().duration_since(*since).as_secs_f64();
                    let others = if running.len() > 1 {
                        format!(" and {} more", running.len() - 1)
                    } else {
                        String::new()
                    };
                    // What the test itself says it waits for, if anything;
                    // never longer than the run may last.
                    let said = std::fs::read_to_string(wait_file).unwrap_or_default();
                    let limit = super::DEFAULTS.limits(self.ex()).timeout.as_secs_f64() - long;
                    match threadlings_support::status::read(&said) {
                        Some((left, what)) if long >= 0.5 => format!(
                            "waiting up to {:.0} s {what} (hidden test `{name}`{others}, {finished} finished)",
                            left.as_secs_f64().min(limit).max(0.0).ceil()
                        ),
                        _ if long < 1.0 => {
                            format!("running hidden test `{name}`{others} ({finished} finished)")
                        }
                        _ => format!(
                            "waiting up to {:.0} s for hidden test `{name}`{others}: threads that are never \
                             joined, or a wait that never ends, are stopped there ({finished} finished)",
                            limit.max(0.0).ceil()
                        ),
                    }
                }
            },
        };
        format!("{DIM}{frame} Checking… {elapsed:.1} s · {doing}{RESET}")
    }
}
