//! Drawing watch mode's screen: lines are built as strings, cut to the
//! terminal's size, and drawn over the old ones (no full clear: no flicker).

use std::io::Write;

use std::sync::{Arc, Mutex};

use crossterm::{QueueableCommand, cursor, style, terminal};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle, TermLike};

use crate::report::human::RESET;

/// Draws `lines` from the top-left, each cut to `width`, at most `height`.
pub(crate) fn draw(lines: &[String], width: u16, height: u16) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    out.queue(cursor::MoveTo(0, 0))?;
    for (i, line) in lines.iter().take(usize::from(height)).enumerate() {
        if i > 0 {
            out.queue(style::Print("\r\n"))?;
        }
        out.queue(style::Print(fit(line, usize::from(width))))?;
        out.queue(terminal::Clear(terminal::ClearType::UntilNewLine))?;
    }
    out.queue(terminal::Clear(terminal::ClearType::FromCursorDown))?;
    out.flush()
}

/// Cuts a line with ANSI colour codes to `width` visible characters.
pub(crate) fn fit(line: &str, width: usize) -> String {
    let mut out = String::new();
    let mut shown = 0;
    let mut chars = line.chars().peekable();
    let mut coloured = false;
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            // Copied whole.
            out.push_str(&escape(&mut chars));
            coloured = true;
            continue;
        }
        if c.is_control() {
            continue;
        }
        if shown == width {
            break;
        }
        out.push(c);
        shown += 1;
    }
    if coloured {
        out.push_str(RESET);
    }
    out
}

/// The rest of an escape sequence whose ESC was just read (ESC [ params
/// final-byte), with the ESC.
fn escape(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> String {
    let mut seq = String::from('\x1b');
    if chars.peek() == Some(&'[') {
        seq.push(chars.next().unwrap_or('['));
        for c in chars.by_ref() {
            seq.push(c);
            if c.is_ascii_alphabetic() {
                break;
            }
        }
    }
    seq
}

/// One visible character and the colour codes in force for it.
struct Cell<'a> {
    ch: char,
    width: usize,
    style: &'a str,
}

/// Splits a line (which may hold ANSI colour codes) into lines of at most
/// `width` columns, breaking after a space where one is near and mid-word
/// only where none is: no character is ever lost. Colours carry over to the
/// continuation lines. Tabs become spaces; other control characters are
/// dropped (they would move the cursor).
pub(crate) fn wrap(line: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    // The style in force is every escape sequence since the last reset.
    let mut styles: Vec<String> = vec![String::new()];
    let mut cells: Vec<(char, usize, usize)> = Vec::new();
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            let seq = escape(&mut chars);
            let current = styles.last().cloned().unwrap_or_default();
            styles.push(if seq == RESET || seq == "\x1b[m" {
                String::new()
            } else {
                current + &seq
            });
            continue;
        }
        let style = styles.len() - 1;
        if c == '\t' {
            for _ in 0..4 {
                cells.push((' ', 1, style));
            }
            continue;
        }
        if c.is_control() {
            continue;
        }
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        cells.push((c, w.min(width), style));
    }
    let cells: Vec<Cell> = cells
        .into_iter()
        .map(|(ch, width, style)| Cell {
            ch,
            width,
            style: &styles[style],
        })
        .collect();
    let mut out = Vec::new();
    let mut start = 0;
    while start < cells.len() {
        let mut end = start;
        let mut used = 0;
        while end < cells.len() && used + cells[end].width <= width {
            used += cells[end].width;
            end += 1;
        }
        if end < cells.len() {
            // Break after the last space of this piece, unless that leaves
            // it less than half full (a long path or word is cut instead).
            if let Some(space) = (start..end).rev().find(|&i| cells[i].ch == ' ')
                && (start..=space).map(|i| cells[i].width).sum::<usize>() * 2 >= width
            {
                end = space + 1;
            }
        }
        out.push(render(&cells[start..end]));
        start = end;
    }
    if out.is_empty() {
        out.push(String::new());
    }
    out
}

/// Writes cells back as text, with each change of colour as its codes.
fn render(cells: &[Cell]) -> String {
    let mut out = String::new();
    let mut style = "";
    for cell in cells {
        if cell.style != style {
            if !style.is_empty() {
                out.push_str(RESET);
            }
            out.push_str(cell.style);
            style = cell.style;
        }
        out.push(cell.ch);
    }
    if !style.is_empty() {
        out.push_str(RESET);
    }
    out
}

/// `[=====>     ] 3/9`, as wide as fits in `width`, drawn by indicatif
/// into a string (the screen around it is ours, so the bar is captured
/// rather than drawn on the terminal).
pub(crate) fn progress(done: usize, total: usize, width: usize) -> String {
    let label = format!(" {done}/{total}");
    let inner = width.saturating_sub(label.len() + 2).min(40);
    if inner < 3 || total == 0 {
        return label.trim_start().to_string();
    }
    let capture = Capture::default();
    let bar = ProgressBar::with_draw_target(
        Some(total as u64),
        ProgressDrawTarget::term_like(Box::new(capture.clone())),
    );
    let style = ProgressStyle::with_template(&format!("[{{bar:{inner}}}] {{pos}}/{{len}}"))
        .map(|style| style.progress_chars("=> "));
    match style {
        Ok(style) => bar.set_style(style),
        Err(_) => return label.trim_start().to_string(),
    }
    bar.set_position(done.min(total) as u64);
    bar.force_draw();
    let line = capture.line.lock().map(|l| l.clone()).unwrap_or_default();
    line.trim_end().to_string()
}

/// A terminal for indicatif that keeps the line it last drew.
#[derive(Clone, Debug, Default)]
struct Capture {
    line: Arc<Mutex<String>>,
}

impl TermLike for Capture {
    fn width(&self) -> u16 {
        u16::MAX
    }
    fn move_cursor_up(&self, _: usize) -> std::io::Result<()> {
        Ok(())
    }
    fn move_cursor_down(&self, _: usize) -> std::io::Result<()> {
        Ok(())
    }
    fn move_cursor_right(&self, _: usize) -> std::io::Result<()> {
        Ok(())
    }
    fn move_cursor_left(&self, _: usize) -> std::io::Result<()> {
        Ok(())
    }
    fn write_line(&self, s: &str) -> std::io::Result<()> {
        self.write_str(s)
    }
    fn write_str(&self, s: &str) -> std::io::Result<()> {
        if let Ok(mut line) = self.line.lock() {
            line.push_str(s);
        }
        Ok(())
    }
    fn clear_line(&self) -> std::io::Result<()> {
        if let Ok(mut line) = self.line.lock() {
            line.clear();
        }
        Ok(())
    }
    fn flush(&self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_counts_only_visible_characters() {
        assert_eq!(fit("hello", 3), "hel");
        assert_eq!(fit("\x1b[31mred\x1b[0m", 2), "\x1b[31mre\x1b[0m");
        assert_eq!(fit("anything", 0), "");
        assert_eq!(fit("tab\there", 10), "tabhere");
    }

    /// A line without its colour codes.
    fn strip(line: &str) -> String {
        crate::report::json::plain(line)
    }

    /// Every visible character of the input, in order, across the lines.
    fn visible(lines: &[String]) -> String {
        lines.iter().map(|l| strip(l)).collect()
    }

    #[test]
    fn wrap_loses_no_character_and_fits_the_width() {
        let text = "error[E0373]: closure may outlive the current function, but it borrows `v`, \
                    which is owned by the current function --> exercises/03_move/move1.rs:12:32";
        for width in [1, 2, 7, 20, 40, 80, 200] {
            let lines = wrap(text, width);
            assert_eq!(visible(&lines), text, "width {width}");
            for line in &lines {
                assert!(strip(line).chars().count() <= width, "{line:?} at {width}");
            }
        }
        // Words are kept whole where a space is near.
        assert_eq!(wrap("one two three", 8), ["one two ", "three"]);
        // A word longer than the line is cut, not dropped.
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("", 10), [""]);
    }

    #[test]
    fn wrap_carries_colours_over_and_counts_wide_characters() {
        let red = "\x1b[31m";
        let lines = wrap(&format!("{red}abcdef{RESET}gh"), 4);
        assert_eq!(
            lines,
            [format!("{red}abcd{RESET}"), format!("{red}ef{RESET}gh")]
        );
        // Two columns each: three fit in six.
        assert_eq!(wrap("線程線程", 6), ["線程線", "程"]);
        assert_eq!(wrap("a\tb", 80), ["a    b"]);
    }

    #[test]
    fn progress_fits_any_width_without_panicking() {
        assert_eq!(progress(1, 4, 20), "[===>          ] 1/4");
        assert_eq!(progress(4, 4, 20), "[==============] 4/4");
        for width in 0..12 {
            assert!(progress(2, 9, width).ends_with("2/9"));
        }
        assert_eq!(progress(0, 0, 30), "0/0");
    }
}
