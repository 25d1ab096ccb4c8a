//! The class report as one self-contained HTML page, for a teacher to
//! project in class or print: an overview, two charts drawn as inline SVG,
//! a matrix of every student's statuses and one section per student with
//! the reasons behind what did not pass. The page loads nothing (no script,
//! font, image or style by URL), so it opens offline, from a USB stick.
//!
//! Everything in the report goes through [`escape`]: directory names,
//! messages, what the learners' programs printed, test names and flags are
//! all text a learner controls.

use super::{ClassReport, ExerciseEntry, Submission, TestEntry, points};
use crate::verdict::Status;

/// No `<` in it: the tests' parser (tl) reads `<style>` as markup, not raw text.
const CSS: &str = "
:root{color-scheme:light dark;--fg:#1b1b1b;--bg:#fff;--line:#d0d0d0;--code:#f3f3f3}
@media (prefers-color-scheme:dark){:root{--fg:#ececec;--bg:#141414;--line:#444;--code:#222}}
body{font:16px/1.45 system-ui,sans-serif;color:var(--fg);background:var(--bg);max-width:76rem;margin:0 auto;padding:1rem 2rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1.2em}dt{font-weight:600}dd{margin:0}
.warn,.error{color:#b71c1c;font-weight:700}
table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid var(--line);padding:.15em .5em;text-align:left;vertical-align:top}
.matrix td{text-align:center;font-size:.85em}.matrix thead span{writing-mode:vertical-rl;transform:rotate(180deg)}
.badge{display:inline-block;padding:0 .5em;border-radius:.6em;font-weight:600}
.pass,.fail,.compile_error,.timeout,.crash,.not_attempted,.missing{color:#fff;print-color-adjust:exact;-webkit-print-color-adjust:exact}
.pass{background:#1a7f37}.fail{background:#c62828}.compile_error{background:#7b1fa2}.timeout{background:#a35a00}
.crash{background:#5d1a1a}.not_attempted,.missing{background:#666}.flag{font-family:monospace;border:1px solid var(--line);padding:0 .3em}
pre{white-space:pre-wrap;overflow-wrap:anywhere;background:var(--code);padding:.5em;max-height:30em;overflow:auto}
svg.chart{width:100%;max-width:60rem;height:auto}svg text{fill:var(--fg);font:13px system-ui,sans-serif}
svg .track{fill:var(--line)}svg .bar{fill:#1a7f37}svg .bin{fill:#1565c0}svg line{stroke:var(--fg)}
.student{border-top:2px solid var(--line);margin-top:1.5em}
@media print{body{max-width:none;padding:0;color:#000;background:#fff}pre{max-height:none}.student{break-inside:avoid-page}}
";

/// HTML for `text`: `& < > " '` become entities, so no text can open a tag
/// or leave an attribute; C0 controls (a colour code, a NUL a program
/// printed) become their visible Control Pictures, other controls U+FFFD.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\t' | '\r' => out.push(c),
            c if c < ' ' => out.push(char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}')),
            c if c.is_control() => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// The page. Submissions keep the report's order (by id).
pub(crate) fn write(report: &ClassReport) -> String {
    let students: String = report.submissions.iter().enumerate().map(student).collect();
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>threadlings: class report</title>\n<style>{CSS}</style>\n</head>\n<body>\n\
         <h1>Class report</h1>\n{}<section>\n<h2>Pass rate per exercise</h2>\n{}</section>\n\
         <section>\n<h2>Total scores</h2>\n{}</section>\n{}{students}</body>\n</html>\n",
        overview(report),
        pass_chart(report),
        histogram(report),
        matrix(report),
    )
}

/// The mean and the median score; `None` for an empty class.
fn mean_median(report: &ClassReport) -> Option<(f64, f64)> {
    let mut scores: Vec<f64> = report.submissions.iter().map(|s| s.score).collect();
    scores.sort_by(f64::total_cmp);
    let n = scores.len();
    let median = match n {
        0 => return None,
        n if n % 2 == 1 => scores[n / 2],
        n => (scores[n / 2 - 1] + scores[n / 2]) / 2.0,
    };
    Some((scores.iter().sum::<f64>() / n as f64, median))
}

fn overview(report: &ClassReport) -> String {
    let n = report.submissions.len();
    let max = points(report.max_score());
    let (mean, median) = mean_median(report).map_or(("none".into(), "none".into()), |(a, m)| {
        (
            format!("{} / {max}", points(a)),
            format!("{} / {max}", points(m)),
        )
    });
    let mut warnings = String::new();
    if n == 0 {
        warnings.push_str("<p class=\"warn\">No submissions: nothing was graded.</p>\n");
    }
    if let Some(s) = report.shard {
        let (k, of) = (s.index, s.count);
        warnings += &format!("<p class=\"warn\">Shard {k} of {of}: only part of the class.</p>\n");
    }
    let (exercises, l) = (report.course.exercises.len(), &report.limits);
    let digest = escape(&report.course.digest.chars().take(12).collect::<String>());
    let (checker, rustc) = (
        escape(&report.checker_version),
        escape(&report.rustc_version),
    );
    let (secs, threads, mb) = (l.timeout_secs, l.max_threads, l.max_memory_mb);
    let (output, compile) = (bytes(l.max_output_bytes), l.compile_timeout_secs);
    format!(
        "<section id=\"overview\">\n<h2>Overview</h2>\n{warnings}<dl>\n\
         <dt>Submissions</dt><dd id=\"submissions\">{n}</dd>\n\
         <dt>Mean score</dt><dd id=\"mean\">{mean}</dd>\n\
         <dt>Median score</dt><dd id=\"median\">{median}</dd>\n\
         <dt>Course</dt><dd>{exercises} exercises (digest <code>{digest}</code>)</dd>\n\
         <dt>Checker</dt><dd id=\"checker\">threadlings {checker}</dd>\n\
         <dt>Compiler</dt><dd id=\"rustc\">{rustc}</dd>\n<dt>Limits per test</dt><dd>{secs} s, \
         {output} of output, {threads} threads, {mb} MB of memory (compiling: {compile} s)</dd>\n\
         <dt>Sandbox</dt><dd id=\"sandbox\">{}</dd>\n</dl>\n</section>\n",
        sandbox(&report.sandbox),
    )
}

fn bytes(n: u64) -> String {
    match n {
        n if n >= 1 << 20 && n % (1 << 20) == 0 => format!("{} MiB", n >> 20),
        n if n >= 1 << 10 && n % (1 << 10) == 0 => format!("{} KiB", n >> 10),
        n => format!("{n} bytes"),
    }
}

/// The protections, key by key; an empty object (none in force) is said
/// loudly, since then the learners' code ran with the grader's rights.
fn sandbox(value: &serde_json::Value) -> String {
    use serde_json::Value;
    let Some(map) = value.as_object().filter(|m| !m.is_empty()) else {
        return "<strong class=\"warn\">⚠ none: the learners' programs ran without kernel \
                protections</strong>"
            .into();
    };
    let word = |v: &Value| v.as_str().map_or_else(|| v.to_string(), str::to_string);
    let items: Vec<String> = map
        .iter()
        .map(|(key, v)| {
            let text = match v {
                Value::Array(a) if a.is_empty() => "none".into(),
                Value::Array(a) => a.iter().map(word).collect::<Vec<_>>().join(", "),
                v => word(v),
            };
            let (key, text) = (escape(key), escape(&text));
            if key == "missing" && text != "none" {
                format!("<span class=\"warn\">⚠ {key}: {text}</span>")
            } else {
                format!("{key}: {text}")
            }
        })
        .collect();
    items.join("; ")
}

/// Horizontal bars in course order, each on a full-width track so that
/// its length reads as a share of the class.
fn pass_chart(report: &ClassReport) -> String {
    let n = report.submissions.len();
    let rows = report.passes_per_exercise();
    let height = 26 * rows.len() + 8;
    let mut svg = format!(
        "<svg class=\"chart\" id=\"pass-chart\" viewBox=\"0 0 720 {height}\" role=\"img\" \
         aria-labelledby=\"pass-title\"><title id=\"pass-title\">How many of the {n} \
         submissions passed each exercise</title>\n"
    );
    for (i, (name, passed)) in rows.iter().enumerate() {
        let (name, y) = (escape(name), 26 * i + 4);
        let w = 420.0 * share(*passed, n);
        svg += &format!(
            "<g transform=\"translate(0,{y})\"><title>{name}: {passed} of {n} passed</title>\
             <text x=\"212\" y=\"14\" text-anchor=\"end\">{name}</text>\
             <rect class=\"track\" x=\"220\" width=\"420\" height=\"18\"/>\
             <rect class=\"bar\" x=\"220\" width=\"{w:.1}\" height=\"18\"/>\
             <text class=\"count\" x=\"648\" y=\"14\">{passed}/{n}</text></g>\n"
        );
    }
    svg + "</svg>\n"
}

/// `part / whole`, and 0 for nothing out of nothing: an empty class
/// draws empty charts, never NaN.
fn share(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// The histogram's bin width and count over 0..=max: a round width (1, 2,
/// 5, 10, 20, 50…) so that the bins start at scores a person would name,
/// and at most 12 bars; the last bin holds the maximum itself.
fn bins(max: f64) -> (f64, usize) {
    let max = if max.is_finite() { max.max(0.0) } else { 0.0 };
    let (mut width, mut step) = (1.0, 0);
    while (max / width).floor() >= 12.0 {
        width *= if step % 3 == 1 { 2.5 } else { 2.0 };
        step += 1;
    }
    (width, (max / width).floor() as usize + 1)
}

fn histogram(report: &ClassReport) -> String {
    let (n, max) = (report.submissions.len(), report.max_score());
    let (width, count) = bins(max);
    let mut counts = vec![0usize; count];
    for s in &report.submissions {
        // `as` saturates: a negative or NaN score lands in the first bin.
        counts[((s.score / width).floor() as usize).min(count - 1)] += 1;
    }
    let tallest = counts.iter().copied().max().unwrap_or(0);
    let (slot, top) = (660.0 / count as f64, points(max));
    let mut svg = format!(
        "<svg class=\"chart\" id=\"score-chart\" viewBox=\"0 0 720 262\" role=\"img\" \
         aria-labelledby=\"score-title\"><title id=\"score-title\">How many of the {n} \
         submissions scored in each range, out of {top}</title>\n\
         <line x1=\"40\" y1=\"220\" x2=\"700\" y2=\"220\"/>\n"
    );
    for (i, &c) in counts.iter().enumerate() {
        let (low, x, mid) = (width * i as f64, 40.0 + slot * i as f64, slot / 2.0);
        // The last bin also holds the maximum (a perfect score).
        let range = if i + 1 == count {
            format!("from {} to {top}", points(low))
        } else {
            format!("from {} to under {}", points(low), points(low + width))
        };
        let h = 190.0 * share(c, tallest);
        let (y, bar, low) = (220.0 - h, slot - 4.0, points(low));
        svg += &format!(
            "<g transform=\"translate({x:.1},0)\"><title>{c} scored {range}</title>\
             <rect class=\"bin\" x=\"2\" y=\"{y:.1}\" width=\"{bar:.1}\" height=\"{h:.1}\"/>\
             <text x=\"{mid:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{c}</text>\
             <text x=\"{mid:.1}\" y=\"238\" text-anchor=\"middle\">{low}</text></g>\n",
            y - 6.0
        );
    }
    if n == 0 {
        svg += "<text x=\"370\" y=\"120\" text-anchor=\"middle\">no submissions</text>\n";
    }
    svg + &format!(
        "<text x=\"370\" y=\"258\" text-anchor=\"middle\">score (each bar: from its value up \
         to the next; the last includes {top})</text>\n</svg>\n"
    )
}

/// The status in words, coloured: colour is never the only carrier.
fn badge(status: Status) -> String {
    let word = status.as_str().replace('_', " ");
    format!("<span class=\"badge {}\">{word}</span>", status.as_str())
}

/// A matrix cell's few letters (the legend is its caption).
fn short(status: Status) -> &'static str {
    match status {
        Status::Pass => "ok",
        Status::Fail => "fail",
        Status::CompileError => "CE",
        Status::Timeout => "time",
        Status::Crash => "crash",
        Status::NotAttempted => "–",
        Status::Missing => "miss",
    }
}

/// Rows students, columns exercises; nothing for an empty class.
fn matrix(report: &ClassReport) -> String {
    if report.submissions.is_empty() {
        return String::new();
    }
    let names = report.exercise_names().iter().map(|name| escape(name));
    let head: String = names
        .map(|n| format!("<th scope=\"col\"><span>{n}</span></th>"))
        .collect();
    let rows: String = report
        .submissions
        .iter()
        .enumerate()
        .map(matrix_row)
        .collect();
    format!(
        "<section>\n<h2>Every student at a glance</h2>\n<table class=\"matrix\">\
         <caption>ok: pass, CE: compile error, time: timeout, –: not attempted, \
         miss: missing</caption>\n<thead><tr><th scope=\"col\">Student</th>{head}\
         <th scope=\"col\">Score</th></tr></thead>\n<tbody>\n{rows}</tbody>\n</table>\n</section>\n"
    )
}

fn matrix_row((i, s): (usize, &Submission)) -> String {
    let cells: String = s
        .exercises
        .iter()
        .map(|e| {
            let (class, name, short) = (e.status.as_str(), escape(&e.name), short(e.status));
            format!("<td class=\"{class}\" title=\"{name}: {class}\">{short}</td>")
        })
        .collect();
    let (id, score, max) = (escape(&s.id), points(s.score), points(s.max_score));
    format!(
        "<tr><th scope=\"row\"><a href=\"#s{i}\">{id}</a></th>{cells}\
         <td>{score} / {max}</td></tr>\n"
    )
}
/// A student's section: an error if nothing could be read, and a row per
/// exercise.
fn student((i, s): (usize, &Submission)) -> String {
    let (id, score, max) = (escape(&s.id), points(s.score), points(s.max_score));
    let error = s.error.as_deref().map_or(String::new(), |e| {
        format!("<p class=\"error\">Error: {}</p>\n", escape(e))
    });
    let rows: String = s.exercises.iter().map(exercise_rows).collect();
    format!(
        "<section class=\"student\" id=\"s{i}\">\n<h3>{id}</h3>\n\
         <p>Score: <strong>{score} / {max}</strong></p>\n{error}<table><thead><tr>\
         <th scope=\"col\">Exercise</th><th scope=\"col\">Status</th><th scope=\"col\">Score</th>\
         <th scope=\"col\">Flags</th></tr></thead>\n<tbody>\n{rows}</tbody>\n</table>\n</section>\n"
    )
}

/// `<pre>` for a text unless it is empty, after a `<p>` for `label`.
fn pre(label: &str, text: &str) -> String {
    if text.is_empty() {
        return String::new();
    }
    format!("{label}<pre>{}</pre>\n", escape(text))
}

/// An exercise's row, and under a non-passing one its reasons, folded: the
/// message, then each hidden test that did not pass.
fn exercise_rows(e: &ExerciseEntry) -> String {
    let mut flags = String::new();
    for f in &e.flags {
        flags += &format!("<span class=\"flag\">{}</span> ", escape(f));
    }
    let (name, status) = (escape(&e.name), badge(e.status));
    let (score, max) = (points(e.score), points(e.max_score));
    let row = format!(
        "<tr><td>{name}</td><td>{status}</td><td>{score} / {max}</td><td>{flags}</td></tr>\n"
    );
    let failing: Vec<&TestEntry> = e
        .tests
        .iter()
        .filter(|t| t.status != Status::Pass)
        .collect();
    if e.status == Status::Pass || (e.message.is_empty() && failing.is_empty()) {
        return row;
    }
    let (count, message) = (failing.len(), pre("", &e.message));
    let tests: String = failing.into_iter().map(test_block).collect();
    let picture = timeline(e);
    format!(
        "{row}<tr class=\"why\"><td colspan=\"4\"><details><summary>Why ({count} hidden \
         test(s) did not pass)</summary>\n{message}{tests}{picture}</details></td></tr>\n"
    )
}

/// What the threads did, for the test whose events the report kept (see
/// `grade::entry_of`), or for one stopped before it could report: the
/// picture then says that nothing is known.
fn timeline(e: &ExerciseEntry) -> String {
    let drawn = e.tests.iter().find(|t| !t.events.is_empty()).or_else(|| {
        e.tests
            .iter()
            .find(|t| matches!(t.status, Status::Timeout | Status::Crash))
    });
    let Some(t) = drawn else {
        return String::new();
    };
    let run = crate::timeline::Run {
        test: &t.name,
        status: t.status,
        events: &t.events,
        dropped: t.events_dropped,
        // Events come only from the test's record.
        reported: !t.events.is_empty(),
    };
    format!(
        "<figure class=\"timeline\">{}<figcaption>What the threads did in <code>{}</code>\
         </figcaption></figure>\n",
        crate::timeline::svg(&run),
        escape(&t.name)
    )
}

fn test_block(t: &TestEntry) -> String {
    let (name, status, message) = (escape(&t.name), badge(t.status), pre("", &t.message));
    let output = pre("<p>The end of what it printed:</p>\n", &t.output);
    format!(
        "<div class=\"test\"><p>Test <code>{name}</code>: {status}</p>\n\
         {message}{output}</div>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::class::{Shard, tests::sample};
    use crate::verdict::Status::{Fail, Pass, Timeout};

    const HOSTILE_ID: &str = "<script>alert(1)</script>";
    const HOSTILE_MESSAGE: &str = "</pre><img src=x onerror=alert(1)>";

    /// What a browser shows for escaped text (tl keeps entities as written).
    fn unescape(text: &str) -> String {
        let text = text.replace("&lt;", "<").replace("&gt;", ">");
        let text = text.replace("&quot;", "\"").replace("&#39;", "'");
        text.replace("&amp;", "&")
    }

    /// `read` of each element `selector` matches in the parsed page; tl has
    /// no descendant combinator, so `#id rest` looks under `id` by hand.
    fn find(
        page: &str,
        selector: &str,
        read: impl Fn(&tl::HTMLTag, &tl::Parser) -> String,
    ) -> Vec<String> {
        let dom = tl::parse(page, tl::ParserOptions::default()).expect("the page parses");
        let parser = dom.parser();
        let found: Vec<tl::NodeHandle> = match selector.split_once(' ') {
            None => dom.query_selector(selector).unwrap().collect(),
            Some((id, rest)) => {
                let root = dom
                    .get_element_by_id(&id[1..])
                    .expect("the element is there");
                let root = root.get(parser).unwrap().as_tag().unwrap();
                root.query_selector(parser, rest).unwrap().collect()
            }
        };
        found
            .iter()
            .map(|h| read(h.get(parser).unwrap().as_tag().unwrap(), parser))
            .collect()
    }

    /// The text each element shows.
    fn texts(page: &str, selector: &str) -> Vec<String> {
        find(page, selector, |tag, parser| {
            unescape(&tag.inner_text(parser))
        })
    }

    /// Each element's attribute `name` ("" where it has none).
    fn attrs(page: &str, selector: &str, name: &str) -> Vec<String> {
        find(page, selector, |tag, _| {
            let value = tag.attributes().get(name).flatten();
            value.map_or(String::new(), |v| v.as_utf8_str().into_owned())
        })
    }

    /// Three students over three exercises: ex1 passed by 2 (bob's timed
    /// out), ex2 by all, ex3 by none; scores 0.5, 1 and 3 out of 3.
    fn class() -> ClassReport {
        let mut report = sample(&["alice", "bob", "carol"], &[Pass, Pass, Fail]);
        let bob = &mut report.submissions[1];
        bob.exercises[0].status = Timeout;
        bob.exercises[0].score = 0.0;
        bob.exercises[0].message = "ex1 took too long".into();
        bob.exercises[0].tests[0].status = Timeout;
        bob.score = 1.0;
        report.submissions[0].score = 0.5;
        report.submissions[2].score = 3.0;
        report
    }

    #[test]
    fn escape_leaves_no_markup_and_shows_controls() {
        let escaped = escape(r#"<a href="x">'&'</a>"#);
        assert_eq!(
            escaped,
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(escape("plain text\n\tline"), "plain text\n\tline");
        assert_eq!(escape("\u{1b}[31mred\0"), "\u{241b}[31mred\u{2400}");
        assert_eq!(escape("\u{85}"), "\u{fffd}");
        let text = format!("{HOSTILE_ID}{HOSTILE_MESSAGE} \"it's\" & more");
        assert_eq!(unescape(&escape(&text)), text);
    }

    #[test]
    fn the_page_parses_and_gives_the_overview() {
        let page = write(&class());
        let dom = tl::parse(&page, tl::ParserOptions::default()).unwrap();
        assert_eq!(dom.version(), Some(tl::HTMLVersion::HTML5));
        assert_eq!(attrs(&page, "meta", "charset")[0], "utf-8");
        assert_eq!(texts(&page, "title")[0], "threadlings: class report");
        assert_eq!(texts(&page, "#submissions"), ["3"]);
        assert_eq!(texts(&page, "#mean"), ["1.5 / 3"]);
        assert_eq!(texts(&page, "#median"), ["1 / 3"]);
        assert_eq!(texts(&page, "#checker"), ["threadlings 0.1.0"]);
        assert_eq!(texts(&page, "#rustc"), ["rustc 1.95.0"]);
        assert!(page.contains("10 s, 1 MiB of output, 256 threads, 1024 MB"));
        // The sample's sandbox is `{}`: said, not left blank.
        let sandbox = texts(&page, "#overview .warn").join(" ");
        assert!(sandbox.contains("without kernel protections"), "{sandbox}");
        // The matrix: a cell per exercise, in words.
        assert_eq!(texts(&page, "td.timeout"), ["time"]);
        assert_eq!(texts(&page, "td.pass").len(), 5);
        // Matrix: a head and 3 rows; per student a head, 3 rows and a row
        // of reasons per non-passing exercise (4 in all).
        assert_eq!(texts(&page, "tr").len(), 4 + 3 * 4 + 4);
    }

    #[test]
    fn a_sandbox_in_force_is_listed_and_what_it_lacks_flagged() {
        let mut report = class();
        report.sandbox = serde_json::json!({
            "landlock": 3, "seccomp": true, "in_force": ["files", "network"], "missing": ["signals"]
        });
        let page = write(&report);
        let shown = texts(&page, "#sandbox").join("");
        assert!(shown.contains("landlock: 3; "), "{shown}");
        assert!(shown.contains("in_force: files, network"), "{shown}");
        assert!(!page.contains("without kernel protections"), "{shown}");
        assert_eq!(texts(&page, "#sandbox .warn"), ["⚠ missing: signals"]);
    }

    #[test]
    fn the_charts_have_a_bar_per_exercise_and_a_bin_per_range() {
        let page = write(&class());
        let widths = attrs(&page, "#pass-chart .bar", "width");
        assert_eq!(widths, ["280.0", "420.0", "0.0"]);
        assert_eq!(texts(&page, "#pass-chart .count"), ["2/3", "3/3", "0/3"]);
        let labels = texts(&page, "#pass-chart text").join(" ");
        assert!(labels.contains("ex1") && labels.contains("ex3"), "{labels}");
        assert!(texts(&page, "#pass-chart title")[0].contains("3 submissions"));
        // Out of 3 points, a bin per point: 0.5 | 1 | (none) | 3.
        let bins = texts(&page, "#score-chart title");
        assert_eq!(bins.len(), 1 + 4, "{bins:?}");
        assert_eq!(bins[1], "1 scored from 0 to under 1");
        assert_eq!(bins[3], "0 scored from 2 to under 3");
        assert_eq!(bins[4], "1 scored from 3 to 3");
        assert_eq!(attrs(&page, "#score-chart .bin", "height").len(), 4);
    }

    #[test]
    fn bins_have_round_widths_and_at_most_twelve_bars() {
        assert_eq!(bins(3.0), (1.0, 4));
        assert_eq!(bins(11.0), (1.0, 12));
        assert_eq!(bins(21.0), (2.0, 11));
        assert_eq!(bins(100.0), (10.0, 11));
        assert_eq!(bins(130.0), (20.0, 7));
        assert_eq!(bins(0.0), (1.0, 1));
        assert_eq!(bins(f64::NAN), (1.0, 1));
    }

    #[test]
    fn learner_text_stays_text() {
        let mut report = class();
        let s = &mut report.submissions[0];
        s.id = HOSTILE_ID.to_string();
        s.error = Some(format!("unreadable {HOSTILE_MESSAGE}"));
        let e = &mut s.exercises[2];
        e.message = HOSTILE_MESSAGE.to_string();
        e.flags = vec![format!("identical_to:{HOSTILE_ID}")];
        e.tests[0].name = "<b>t</b>".to_string();
        e.tests[0].output = format!("printed {HOSTILE_MESSAGE}'\"&");
        let page = write(&report);
        for tag in ["script", "img", "b"] {
            assert_eq!(texts(&page, tag).len(), 0, "a <{tag}> element");
        }
        assert_eq!(texts(&page, "h3")[0], HOSTILE_ID);
        assert_eq!(texts(&page, "a")[0], HOSTILE_ID);
        let pre = texts(&page, "pre");
        assert_eq!(pre[0], HOSTILE_MESSAGE);
        assert_eq!(pre[1], format!("printed {HOSTILE_MESSAGE}'\"&"));
        assert_eq!(
            texts(&page, ".flag"),
            [format!("identical_to:{HOSTILE_ID}")]
        );
        assert_eq!(texts(&page, "code")[1], "<b>t</b>");
        let error = texts(&page, ".error");
        assert_eq!(error, [format!("Error: unreadable {HOSTILE_MESSAGE}")]);
    }

    #[test]
    fn each_non_passing_exercise_folds_its_reasons() {
        let page = write(&class());
        // bob's timeout and everyone's ex3; passes have none.
        assert_eq!(texts(&page, "details").len(), 4);
        let pre = texts(&page, "pre");
        let ex3 = pre.iter().filter(|p| *p == "ex3 went wrong <here> & there");
        assert_eq!(ex3.count(), 3);
        assert!(pre.contains(&"ex1 took too long".to_string()), "{pre:?}");
        assert!(texts(&page, "summary")[0].contains("1 hidden test(s)"));
    }

    #[test]
    fn nothing_is_loaded_from_elsewhere() {
        // Everything the page can show, none of it hostile (a message may
        // well say `src=`: it is text then, as learner_text_stays_text shows).
        let mut report = class();
        report.submissions[1].error = Some("gone".into());
        report.submissions[1].exercises[2].flags = vec!["identical_to:alice".into()];
        report.submissions[1].exercises[2].tests[0].output = "printed".into();
        report.shard = Some(Shard { index: 1, count: 2 });
        let page = write(&report);
        let warnings = texts(&page, "#overview p.warn");
        assert_eq!(warnings, ["Shard 1 of 2: only part of the class."]);
        // `href="http…` too: every link is counted below.
        let external = ["http://", "https://", "src=", "url(", "@import"];
        for bad in external {
            assert!(!page.contains(bad), "the page holds {bad}");
        }
        // Its only links are to its own sections.
        let links = page.matches("href=\"").count();
        assert_eq!((links, page.matches("href=\"#s").count()), (3, 3));
    }

    #[test]
    fn an_empty_class_still_makes_a_page() {
        for statuses in [&[Pass, Fail][..], &[]] {
            let page = write(&sample(&[], statuses));
            assert_eq!(texts(&page, "#submissions"), ["0"]);
            assert_eq!(texts(&page, "#mean"), ["none"]);
            assert!(texts(&page, "#overview .warn")[0].starts_with("No submissions"));
            assert!(texts(&page, "#score-chart text").contains(&"no submissions".into()));
            let counts = texts(&page, "#pass-chart .count");
            assert_eq!(counts, vec!["0/0"; statuses.len()]);
            for bad in ["NaN", "inf", "<table", "class=\"student\""] {
                assert!(!page.contains(bad), "the page holds {bad}");
            }
        }
    }
}
