//! The picture for a terminal: a title, one line per lane, then what the
//! picture means (marks) and what it leaves out (notes), and a one-line
//! legend. Every line fits the width in display columns; ASCII and colour
//! are the look's choice, and colour only ever adds escapes around the
//! same characters.

use unicode_width::UnicodeWidthStr as _;

use super::model::{Lane, MAX_LANES, Model, PointKind, elide, shown};
use super::{Look, MAX_WIDTH, MIN_WIDTH, Run};

/// The widest a lane's name is drawn: the rest of the line is for time.
const LABEL_COLS: usize = 12;
/// The columns a break takes: the lanes' own glyph, `≈`, their glyph
/// again, so that a line alive across it reads as one line.
const BREAK_COLS: usize = 3;

/// What a cell shows, in increasing order of precedence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Glyph {
    Blank,
    /// A long quiet stretch drawn narrow, across every lane.
    Break,
    Life,
    Work,
    Wait,
    Exited,
    Point(PointKind),
    Mark,
    /// The column after the lanes: the thread had not exited when the
    /// record ends.
    Running,
}

impl Glyph {
    fn char(self, unicode: bool) -> char {
        let (u, a) = match self {
            Glyph::Blank => (' ', ' '),
            Glyph::Break => ('≈', '~'),
            Glyph::Life => ('─', '-'),
            Glyph::Work => ('━', '='),
            Glyph::Wait => ('┄', ':'),
            Glyph::Exited => ('┤', '|'),
            Glyph::Point(PointKind::Returned) => ('◆', '*'),
            Glyph::Point(PointKind::JoinCalled | PointKind::JoinReturned) => ('⋈', '+'),
            Glyph::Point(PointKind::MovedIn) => ('○', 'v'),
            Glyph::Point(PointKind::Dropped) => ('●', '#'),
            Glyph::Point(PointKind::Note) => ('·', '.'),
            Glyph::Mark => ('✗', 'X'),
            Glyph::Running => ('→', '>'),
        };
        if unicode { u } else { a }
    }

    /// The legend's words for it: in full, and short for a narrow screen.
    fn words(self) -> (&'static str, &'static str) {
        match self {
            Glyph::Blank => ("", ""),
            Glyph::Break => ("time skipped", "skip"),
            Glyph::Life => ("alive", "alive"),
            Glyph::Work => ("work", "work"),
            Glyph::Wait => ("in join", "wait"),
            Glyph::Exited => ("exited", "end"),
            Glyph::Point(PointKind::Returned) => ("returned", "ret"),
            Glyph::Point(PointKind::JoinCalled | PointKind::JoinReturned) => ("join", "join"),
            Glyph::Point(PointKind::MovedIn) => ("moved in", "in"),
            Glyph::Point(PointKind::Dropped) => ("dropped", "drop"),
            Glyph::Point(PointKind::Note) => ("note", "note"),
            Glyph::Mark => ("problem", "bad"),
            Glyph::Running => ("still running", "running"),
        }
    }

    /// Its colour, if it has one.
    fn color(self) -> Option<&'static str> {
        match self {
            Glyph::Mark => Some(RED),
            Glyph::Work => Some("\x1b[36m"),
            Glyph::Wait => Some("\x1b[33m"),
            _ => None,
        }
    }
}

const RED: &str = "\x1b[1;31m";
const DIM: &str = "\x1b[2m";
const RESET: &str = "\x1b[0m";

/// The terminal picture of a run, lines ending in `\n`; the last is the
/// legend, unless no lane was drawn.
pub(crate) fn text(run: &Run, look: &Look) -> String {
    let width = look.width.clamp(MIN_WIDTH, MAX_WIDTH);
    let unicode = look.unicode;
    let model = Model::of(run);
    let paint = |text: &str, code: &str| {
        if look.color {
            format!("{code}{text}{RESET}")
        } else {
            text.to_string()
        }
    };
    let mut lines = vec![title(&model, width, unicode)];

    let lanes = model.shown(MAX_LANES);
    let label_cols = lanes
        .iter()
        .map(|&i| model.lanes[i].label(LABEL_COLS, unicode).width())
        .max()
        .unwrap_or(0);
    // A label, a space, the time, and a column for "still running".
    let area = width - label_cols - 2;
    let mut used = Vec::new();
    for &i in &lanes {
        let cells = cells(&model, i, area);
        let label = model.lanes[i].label(LABEL_COLS, unicode);
        let mut line = format!("{label}{} ", " ".repeat(label_cols - label.width()));
        if model.lanes[i].test {
            // The test's own thread, in the background: one dim line.
            let drawn: String = cells.iter().map(|g| g.char(unicode)).collect();
            line = paint(format!("{line}{drawn}").trim_end(), DIM);
        } else {
            for run in cells.chunk_by(|a, b| a == b) {
                let drawn: String = run.iter().map(|g| g.char(unicode)).collect();
                line.push_str(&match run[0].color() {
                    Some(code) => paint(&drawn, code),
                    None => drawn,
                });
            }
        }
        lines.push(line.trim_end().to_string());
        used.extend(cells);
    }

    if let Some(rest) = model.not_shown(&lanes, unicode) {
        lines.extend(wrap(&rest, width, 2));
    }
    if let Some(breaks) = model.breaks_sentence(unicode) {
        lines.extend(wrap(&breaks, width, 2).iter().map(|l| paint(l, DIM)));
    }
    for mark in &model.marks {
        let sentence = format!(
            "{} {}",
            Glyph::Mark.char(unicode),
            mark.sentence(&model.lanes, unicode)
        );
        lines.extend(wrap(&sentence, width, 2).iter().map(|l| paint(l, RED)));
    }
    for note in &model.notes {
        lines.extend(
            wrap(&shown(note, unicode), width, 2)
                .iter()
                .map(|l| paint(l, DIM)),
        );
    }
    // Nothing drawn, nothing to explain.
    if !used.is_empty() {
        lines.push(paint(&legend(used, width, unicode), DIM));
    }

    let mut out = lines.join("\n");
    out.push('\n');
    out
}

/// The test's name (elided if need be) and the time the picture spans.
fn title(model: &Model, width: usize, unicode: bool) -> String {
    let span = model.span(unicode);
    let sep = if unicode { " · " } else { " - " };
    let room = width.saturating_sub(span.width() + sep.width());
    format!(
        "{}{sep}{span}",
        elide(&shown(&model.test, unicode), room, unicode)
    )
}

/// Lane `i` as `area` cells of time and one after them.
fn cells(model: &Model, i: usize, area: usize) -> Vec<Glyph> {
    let lane: &Lane = &model.lanes[i];
    let col = |t: u64| column(model, t, area);
    let end = lane.end_us(model.end_us);
    let mut cells = vec![Glyph::Blank; area + 1];
    let mut fill = |from: u64, to: u64, glyph: Glyph| {
        for cell in &mut cells[col(from)..=col(to)] {
            *cell = (*cell).max(glyph);
        }
    };
    fill(lane.first_us, end, Glyph::Life);
    for span in &lane.work {
        fill(span.from_us, span.to_us.unwrap_or(end), Glyph::Work);
    }
    for &(from, to) in &lane.waits {
        fill(from, to.unwrap_or(end), Glyph::Wait);
    }
    for p in &lane.points {
        fill(p.t_us, p.t_us, Glyph::Point(p.kind));
    }
    for mark in &model.marks {
        for &(_, t) in mark.at.iter().filter(|&&(l, _)| l == i) {
            fill(t, t, Glyph::Mark);
        }
    }
    // A thread's end outranks a note in its cell (its last lines come just
    // before it ends): without it, a joined thread would read as running.
    if let Some(exited) = lane.exited_us {
        let cell = &mut cells[col(exited)];
        if *cell <= Glyph::Point(PointKind::Note) {
            *cell = Glyph::Exited;
        }
    }
    // Every event falls outside a break, so its middle column is only
    // ever a line passing through, or nothing.
    for b in &model.breaks {
        if let Some(cell) = cells.get_mut(col(b.from_us) + BREAK_COLS.div_ceil(2)) {
            *cell = Glyph::Break;
        }
    }
    if lane.exited_us.is_none() {
        cells[area] = Glyph::Running;
    }
    cells
}

/// The column of time `t` when the first event is the first column of
/// `area` and the last event the last, each break [`BREAK_COLS`] columns
/// between the columns of its two ends. Whole numbers, so that one moment
/// is one column on every lane.
fn column(model: &Model, t: u64, area: usize) -> usize {
    let (live, before, into) = model.on_axis(t);
    let total = model.live_us();
    if area < 2 || model.end_us <= model.start_us {
        return 0;
    }
    let last = area - 1;
    let step = BREAK_COLS + 1;
    let scaled = last.saturating_sub(step * model.breaks.len());
    let to_scale = if total == 0 {
        0
    } else {
        let (live, total) = (u128::from(live), u128::from(total));
        usize::try_from((live * scaled as u128 + total / 2) / total).unwrap_or(scaled)
    };
    let skipped = before * step + (into * step as f64).round() as usize;
    (to_scale + skipped).min(last)
}

/// One line saying what each drawn glyph means: in full if it fits, else
/// in short words, else the least telling ones left out.
fn legend(used: Vec<Glyph>, width: usize, unicode: bool) -> String {
    let mut glyphs: Vec<Glyph> = used
        .into_iter()
        .filter(|g| *g != Glyph::Blank)
        // Both ends of a join look alike.
        .map(|g| match g {
            Glyph::Point(PointKind::JoinReturned) => Glyph::Point(PointKind::JoinCalled),
            g => g,
        })
        .collect();
    // Most telling first: the mark, then points, then the lines; "still
    // running" (off to the side) last.
    glyphs.sort_unstable_by_key(|&g| (g != Glyph::Running, g));
    glyphs.dedup();
    glyphs.reverse();
    let line = |glyphs: &[Glyph], short: bool| {
        glyphs
            .iter()
            .map(|g| {
                let (long, brief) = g.words();
                format!("{} {}", g.char(unicode), if short { brief } else { long })
            })
            .collect::<Vec<_>>()
            .join("  ")
    };
    let full = line(&glyphs, false);
    if full.width() <= width {
        return full;
    }
    loop {
        let brief = line(&glyphs, true);
        if brief.width() <= width || glyphs.is_empty() {
            return brief;
        }
        glyphs.pop();
    }
}

/// `text` in lines of at most `width` columns, broken at spaces (a word
/// longer than a line is cut), continuation lines indented by `indent`.
fn wrap(text: &str, width: usize, indent: usize) -> Vec<String> {
    let pad = " ".repeat(indent);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let mut word = word.to_string();
        loop {
            let start = if lines.is_empty() && line.is_empty() {
                ""
            } else {
                &pad
            };
            let joined = if line.is_empty() {
                format!("{start}{word}")
            } else {
                format!("{line} {word}")
            };
            if joined.width() <= width {
                line = joined;
                break;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
                continue;
            }
            // A word wider than a whole line: as much as fits, then the rest.
            let room = width - start.width();
            let mut head = String::new();
            let mut rest = word.chars();
            while let Some(c) = rest.clone().next() {
                if (head.clone() + &c.to_string()).width() > room {
                    break;
                }
                head.push(c);
                rest.next();
            }
            if head.is_empty() {
                // Not even one character fits (a wide one at the edge).
                head.push(rest.next().unwrap_or(' '));
            }
            lines.push(format!("{start}{head}"));
            word = rest.collect();
            if word.is_empty() {
                break;
            }
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    use threadlings_support::protocol::EventKind;

    use crate::timeline::model::tests::{ev, failing, notes_at};
    use crate::verdict::Status;

    fn model(times: &[u64]) -> Model {
        Model::of(&failing(&notes_at(times)))
    }

    #[test]
    fn columns_put_the_first_event_first_and_the_last_last() {
        let m = model(&[10, 60, 110]);
        assert_eq!(column(&m, 10, 51), 0);
        assert_eq!(column(&m, 110, 51), 50);
        assert_eq!(column(&m, 60, 51), 25);
        assert_eq!(column(&m, 5, 51), 0, "clamped");
        assert_eq!(column(&model(&[7]), 7, 51), 0, "one moment");
    }

    #[test]
    fn a_break_takes_its_columns_whatever_it_lasted() {
        // 0..200 µs, 10 s of nothing, 200 µs more.
        let m = model(&[0, 100, 200, 10_000_200, 10_000_300, 10_000_400]);
        assert_eq!(m.breaks.len(), 1);
        // 51 columns: 50 steps, 4 of them the break's, 46 for 400 µs.
        assert_eq!(column(&m, 0, 51), 0);
        assert_eq!(column(&m, 200, 51), 23);
        assert_eq!(column(&m, 10_000_200, 51), 23 + BREAK_COLS + 1);
        assert_eq!(column(&m, 10_000_400, 51), 50);
    }

    #[test]
    fn a_line_alive_across_a_break_stays_a_line() {
        let events = vec![
            ev(0, 1, Some("main"), EventKind::Started, "f"),
            ev(100, 2, None, EventKind::Note, "1"),
            ev(200, 3, None, EventKind::Exited, ""),
            ev(10_000_200, 2, None, EventKind::Note, "2"),
            ev(10_000_400, 1, Some("main"), EventKind::Returned, "f"),
        ];
        let run = Run {
            test: "t",
            status: Status::Pass,
            events: &events,
            dropped: 0,
            reported: true,
        };
        let look = Look {
            width: 60,
            unicode: true,
            color: false,
        };
        let picture = text(&run, &look);
        let lines: Vec<&str> = picture.lines().collect();
        assert!(lines[1].contains("━≈━"), "{picture}");
        assert!(lines[2].contains("─≈─"), "{picture}");
        assert!(lines[3].ends_with("┤ ≈"), "gone before it: {picture}");
        assert!(
            lines[4].starts_with("≈ 10.0 s with nothing new"),
            "{picture}"
        );
    }

    #[test]
    fn wrap_breaks_at_spaces_indents_and_cuts_only_long_words() {
        assert_eq!(wrap("aa bb cc", 5, 2), ["aa bb", "  cc"]);
        assert_eq!(wrap("abcdefgh", 5, 2), ["abcde", "  fgh"]);
        assert_eq!(wrap("工作工作", 5, 0), ["工作", "工作"]);
        assert_eq!(wrap("short", 40, 2), ["short"]);
    }

    #[test]
    fn the_legend_shortens_then_drops_to_fit() {
        let used = vec![
            Glyph::Life,
            Glyph::Work,
            Glyph::Mark,
            Glyph::Point(PointKind::Note),
            Glyph::Running,
        ];
        assert_eq!(
            legend(used.clone(), 100, true),
            "✗ problem  · note  ━ work  ─ alive  → still running"
        );
        assert_eq!(
            legend(used.clone(), 40, false),
            "X bad  . note  = work  - alive"
        );
        assert!(legend(used, 12, false).width() <= 12);
    }
}
