//! The picture as a standalone `<svg>` element, for the HTML report: the
//! same lanes, marks and notes as the terminal's, each shape with a
//! `<title>` (a browser's hover text). No scripts, no styles, no external
//! references: it can be inlined anywhere. Every piece of text is escaped,
//! since names and labels come from learner code.

use std::collections::HashMap;
use std::fmt::Write as _;

use super::Run;
use super::model::{Lane, MAX_LANES, Model, PointKind, elide, times};
// The HTML report's escaping: its entities are XML's too, and this picture
// is inlined into that report.
use crate::report::class::html::escape;

/// The picture's width in user units (its viewBox scales it).
const WIDTH: f64 = 720.0;
/// Where the lane names start, and how many columns of 12px monospace
/// they may take before the lanes begin.
const LEFT: f64 = 8.0;
const LABEL_COLS: usize = 17;
/// Where time begins and ends: the first and the last event.
const TIME_FROM: f64 = 136.0;
const TIME_TO: f64 = 690.0;
const TOP: f64 = 34.0;
/// The width of a break: a long quiet stretch drawn narrow.
const BREAK: f64 = 18.0;
const ROW: f64 = 22.0;
const LINE: f64 = 18.0;
/// Characters of 12px monospace on a line of text under the lanes.
const TEXT_COLS: usize = 96;

const RED: &str = "#dc2626";

/// The SVG picture of a run.
pub(crate) fn svg(run: &Run) -> String {
    let model = Model::of(run);
    let lanes = model.shown(MAX_LANES);
    let mut body = String::new();
    let title = format!("{} · {}", model.test, model.span(true));
    let _ = writeln!(
        body,
        r#"<text x="{LEFT}" y="20" font-weight="bold">{}</text>"#,
        escape(&elide(&title, TEXT_COLS, true))
    );
    let middle = |row: usize| TOP + ROW * row as f64 + ROW / 2.0;
    breaks(&mut body, &model, lanes.len());
    for (row, &i) in lanes.iter().enumerate() {
        lane(&mut body, &model, i, middle(row));
    }
    joins(&mut body, &model, &lanes, middle);
    let mut y = TOP + ROW * lanes.len() as f64 + LINE;
    let mut line = |body: &mut String, text: &str, fill: &str| {
        for piece in wrap(text) {
            let _ = writeln!(
                body,
                r#"<text x="{LEFT}" y="{y}" fill="{fill}">{}</text>"#,
                escape(&piece)
            );
            y += LINE;
        }
    };
    if let Some(rest) = model.not_shown(&lanes, true) {
        line(&mut body, &rest, "#374151");
    }
    if let Some(breaks) = model.breaks_sentence(true) {
        line(&mut body, &breaks, "#4b5563");
    }
    for mark in &model.marks {
        line(
            &mut body,
            &format!("✗ {}", mark.sentence(&model.lanes, true)),
            RED,
        );
    }
    for note in &model.notes {
        line(&mut body, note, "#4b5563");
    }
    let height = y - LINE + 12.0;
    format!(
        // No xmlns: the picture lives inline in HTML, whose parser puts
        // `<svg>` in its namespace, and the report holds no URL at all.
        "<svg role=\"img\" width=\"{WIDTH}\" \
         height=\"{height}\" viewBox=\"0 0 {WIDTH} {height}\" font-family=\"monospace\" \
         font-size=\"12\">\n<title>{}</title>\n{body}</svg>\n",
        escape(&format!(
            "What the threads of {} did, {}",
            model.test,
            model.span(true)
        ))
    )
}

/// One lane's group: its name, life, work, waits, exit, points and marks.
fn lane(out: &mut String, model: &Model, i: usize, y: f64) {
    let lane: &Lane = &model.lanes[i];
    let x = |t: u64| x_of(model, t);
    let when = |from: u64, to: u64| times(from, to, model.end_us, true);
    let name = lane.label(usize::MAX, true);
    let end = lane.end_us(model.end_us);
    // The test's own thread in the background.
    let faint = if lane.test { r#" opacity="0.45""# } else { "" };
    let _ = writeln!(
        out,
        r#"<g class="lane" data-thread="{}"{faint}><title>{}</title>"#,
        lane.thread,
        escape(&name)
    );
    let _ = writeln!(
        out,
        r#"<text x="{LEFT}" y="{:.1}">{}</text>"#,
        y + 4.0,
        escape(&lane.label(LABEL_COLS, true))
    );
    let bar = |out: &mut String, from: u64, to: u64, height: f64, fill: &str, what: &str| {
        let _ = writeln!(
            out,
            r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{height}" fill="{fill}"><title>{}</title></rect>"#,
            x(from),
            y - height / 2.0,
            (x(to) - x(from)).max(1.0),
            escape(&format!("{what}, {}", when(from, to)))
        );
    };
    let life = if lane.exited_us.is_some() {
        format!("{name} alive")
    } else {
        format!("{name} alive, still running when the record ends")
    };
    bar(out, lane.first_us, end, 3.0, "#9ca3af", &life);
    for span in &lane.work {
        let what = if span.call {
            "the learner's function"
        } else {
            "work"
        };
        let what = format!("{what} {}", span.label);
        bar(
            out,
            span.from_us,
            span.to_us.unwrap_or(end),
            10.0,
            "#2563eb",
            &what,
        );
    }
    for &(from, to) in &lane.waits {
        bar(
            out,
            from,
            to.unwrap_or(end),
            6.0,
            "#f59e0b",
            "waiting in a join",
        );
    }
    if let Some(exited) = lane.exited_us {
        let _ = writeln!(
            out,
            r##"<path d="M{0:.1} {1:.1}V{2:.1}" stroke="#374151" stroke-width="2"><title>exited at {3}</title></path>"##,
            x(exited),
            y - 7.0,
            y + 7.0,
            escape(&when(exited, exited))
        );
    } else {
        let _ = writeln!(
            out,
            r##"<path d="M{0} {1:.1}L{2} {3:.1}L{0} {4:.1}" fill="none" stroke="#374151"><title>still running when the record ends</title></path>"##,
            TIME_TO + 6.0,
            y - 4.0,
            TIME_TO + 12.0,
            y,
            y + 4.0
        );
    }
    points(out, model, lane, y);
    for mark in &model.marks {
        for &(_, t) in mark.at.iter().filter(|&&(l, _)| l == i) {
            let (cx, r) = (x(t), 6.0);
            let _ = writeln!(
                out,
                r#"<path class="mark" d="M{:.1} {:.1}l{d} {d}m0 -{d}l-{d} {d}" stroke="{RED}" stroke-width="2.5"><title>{}</title></path>"#,
                cx - r,
                y - r,
                escape(&format!("✗ {}", mark.sentence(&model.lanes, true))),
                d = 2.0 * r,
            );
        }
    }
    out.push_str("</g>\n");
}

/// A band behind the lanes for each break, saying how long it really was:
/// the lanes' bars pass through it, as their threads lived through it.
fn breaks(out: &mut String, model: &Model, rows: usize) {
    for b in &model.breaks {
        let (from, to) = (x_of(model, b.from_us), x_of(model, b.to_us));
        let what = format!("{}, drawn narrow", model.break_words(b, true));
        let _ = writeln!(
            out,
            r##"<rect class="break" x="{:.1}" y="{TOP}" width="{:.1}" height="{:.1}" fill="#e5e7eb"><title>≈ {}</title></rect>"##,
            from + 3.0,
            (to - from - 6.0).max(1.0),
            ROW * rows as f64,
            escape(&what)
        );
    }
}

/// A thin line from a joiner's lane to the lane it joined, where the join
/// returned: which thread a join waited for, when both are drawn.
fn joins(out: &mut String, model: &Model, lanes: &[usize], middle: impl Fn(usize) -> f64) {
    let x = |t: u64| x_of(model, t);
    let row_of = |thread: u64| lanes.iter().position(|&i| model.lanes[i].thread == thread);
    for (row, &i) in lanes.iter().enumerate() {
        let joiner = &model.lanes[i];
        for p in &joiner.points {
            let Some(peer) = p.peer.filter(|_| p.kind == PointKind::JoinReturned) else {
                continue;
            };
            let Some(peer_row) = row_of(peer).filter(|&r| r != row) else {
                continue;
            };
            let joined = &model.lanes[lanes[peer_row]];
            let what = format!(
                "{} joined {} at {}",
                joiner.label(usize::MAX, true),
                joined.label(usize::MAX, true),
                times(p.t_us, p.t_us, model.end_us, true)
            );
            let _ = writeln!(
                out,
                r##"<path class="join" d="M{0:.1} {1:.1}V{2:.1}" stroke="#b45309" stroke-width="1" stroke-dasharray="2 2"><title>{3}</title></path>"##,
                x(p.t_us),
                middle(row),
                middle(peer_row),
                escape(&what)
            );
        }
    }
}

/// A lane's point events, those of one kind that fall on the same pixel
/// drawn once (a lane with thousands of notes stays a small picture).
fn points(out: &mut String, model: &Model, lane: &Lane, y: f64) {
    let x = |t: u64| x_of(model, t);
    let mut order: Vec<(PointKind, i64)> = Vec::new();
    let mut seen: HashMap<(PointKind, i64), (u64, u64, usize, &str)> = HashMap::new();
    for p in &lane.points {
        let key = (p.kind, x(p.t_us).round() as i64);
        let entry = seen.entry(key).or_insert_with(|| {
            order.push(key);
            (p.t_us, p.t_us, 0, p.label.as_str())
        });
        entry.1 = p.t_us;
        entry.2 += 1;
    }
    // Least telling first, so that the most telling is drawn on top.
    order.sort_by_key(|&(kind, _)| kind);
    for key in order {
        let (from, to, count, label) = seen[&key];
        let when = times(from, to, model.end_us, true);
        let what = match count {
            1 if label.is_empty() => format!("{} at {when}", key.0.words()),
            1 => format!("{} {label} at {when}", key.0.words()),
            n => format!("{n} × {} at {when}", key.0.words()),
        };
        let title = format!("<title>{}</title>", escape(&what));
        let cx = x(from);
        let shape = match key.0 {
            PointKind::Returned => format!(
                r##"<path d="M{cx:.1} {:.1}l6 6l-6 6l-6 -6z" fill="#111827">{title}</path>"##,
                y - 6.0
            ),
            PointKind::JoinCalled | PointKind::JoinReturned => format!(
                r##"<circle cx="{cx:.1}" cy="{y:.1}" r="4" fill="#fff" stroke="#b45309" stroke-width="2">{title}</circle>"##
            ),
            PointKind::MovedIn => format!(
                r##"<circle cx="{cx:.1}" cy="{y:.1}" r="4" fill="#fff" stroke="#059669" stroke-width="2">{title}</circle>"##
            ),
            PointKind::Dropped => format!(
                r##"<circle cx="{cx:.1}" cy="{y:.1}" r="4" fill="#059669">{title}</circle>"##
            ),
            PointKind::Note => format!(
                r##"<circle cx="{cx:.1}" cy="{y:.1}" r="2" fill="#4b5563">{title}</circle>"##
            ),
        };
        out.push_str(&shape);
        out.push('\n');
    }
}

/// Where time `t` is drawn: the first event at [`TIME_FROM`], the last at
/// [`TIME_TO`], each break [`BREAK`] wide.
fn x_of(model: &Model, t: u64) -> f64 {
    if model.end_us <= model.start_us {
        return TIME_FROM;
    }
    TIME_FROM + model.position(t, TIME_TO - TIME_FROM, BREAK)
}

/// A sentence in lines that fit under the picture.
fn wrap(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > TEXT_COLS {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    lines.push(line);
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    use threadlings_support::protocol::EventKind;

    use crate::timeline::model::tests::{ev, failing, notes_at};

    #[test]
    fn a_join_with_a_peer_draws_a_line_to_the_joined_lane() {
        let mut joined = ev(
            40,
            1,
            Some(threadlings_support::protocol::TEST_THREAD_NAME),
            EventKind::JoinReturned,
            "",
        );
        joined.peer = Some(7);
        let mut unknown = ev(50, 1, Some("test"), EventKind::JoinReturned, "");
        unknown.peer = Some(99);
        let events = vec![
            ev(10, 6, Some("main"), EventKind::Returned, "f"),
            ev(20, 7, None, EventKind::Exited, ""),
            joined,
            unknown,
        ];
        let picture = svg(&failing(&events));
        let doc = roxmltree::Document::parse(&picture).expect("well-formed");
        let lines: Vec<&str> = doc
            .descendants()
            .filter(|n| n.attribute("class") == Some("join"))
            .filter_map(|n| n.children().find(|c| c.has_tag_name("title")))
            .filter_map(|t| t.text())
            .collect();
        assert_eq!(lines, ["test joined thread 1 at 0.0 ms"]);
        let faint: Vec<&str> = doc
            .descendants()
            .filter(|n| n.attribute("opacity").is_some())
            .filter_map(|n| n.attribute("data-thread"))
            .collect();
        assert_eq!(faint, ["1"], "the test's own lane is drawn faint");
    }

    fn model(times: &[u64]) -> Model {
        Model::of(&failing(&notes_at(times)))
    }

    #[test]
    fn time_spans_the_lane_area() {
        let m = model(&[10, 20]);
        assert_eq!(x_of(&m, 10), TIME_FROM);
        assert_eq!(x_of(&m, 20), TIME_TO);
        assert_eq!(x_of(&model(&[5]), 5), TIME_FROM);
    }

    #[test]
    fn a_break_is_a_narrow_band_with_its_real_length() {
        let m = model(&[0, 100, 200, 3_000_200, 3_000_400]);
        let (from, to) = (x_of(&m, 200), x_of(&m, 3_000_200));
        assert!((to - from - BREAK).abs() < 1e-9, "{from}..{to}");
        let picture = svg(&failing(&notes_at(&[0, 100, 200, 3_000_200, 3_000_400])));
        let doc = roxmltree::Document::parse(&picture).expect("well-formed");
        let band = doc
            .descendants()
            .find(|n| n.attribute("class") == Some("break"))
            .expect("a band");
        let title = band.children().find(|c| c.has_tag_name("title")).unwrap();
        assert_eq!(
            title.text(),
            Some("≈ 3.0 s with nothing new (0.2–3000.2 ms), drawn narrow")
        );
    }
}
