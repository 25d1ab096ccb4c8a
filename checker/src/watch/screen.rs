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
            // Copy the escape sequence whole: ESC [ params final-byte.
            out.push(c);
            coloured = true;
            if chars.peek() == Some(&'[') {
                out.push(chars.next().unwrap_or('['));
                for c in chars.by_ref() {
                    out.push(c);
                    if c.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
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
