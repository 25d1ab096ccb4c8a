//! The pictures of recorded runs (`checker/tests/fixtures/timeline/*.json`,
//! each a test result as `run --json` prints it) compared exactly with the
//! golden ones in `checker/tests/golden/timeline/`, and what every picture
//! of every fixture must keep at any width: lines that fit, one legend,
//! ASCII when asked, no escapes without colour, no accusation of a pass.
//!
//! `UPDATE_GOLDEN=1 cargo test --bin threadlings timeline` rewrites the
//! golden pictures (review the diff); without it a difference fails.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use unicode_width::UnicodeWidthStr as _;

use super::model::{MAX_LANES, Model, clean};
use super::{Look, Run, svg, text, trace};
use crate::verdict::{Status, TestResult};

fn dir(under: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(under)
        .join("timeline")
}

/// Every fixture, by case name, in name order.
fn fixtures() -> Vec<(String, TestResult)> {
    let mut cases: Vec<(String, TestResult)> = std::fs::read_dir(dir("fixtures"))
        .expect("the timeline fixtures")
        .map(|entry| entry.expect("a fixture").path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .map(|path| {
            let text = std::fs::read_to_string(&path).expect("a readable fixture");
            let result = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{}: not a test result: {e}", path.display()));
            let case = path.file_stem().unwrap().to_string_lossy().into_owned();
            (case, result)
        })
        .collect();
    cases.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(cases.len() >= 9, "the fixtures are missing");
    cases
}

/// The golden pictures' looks: each width in Unicode and in ASCII.
fn looks() -> Vec<(String, Look)> {
    let mut looks = Vec::new();
    for width in [40, 100] {
        for unicode in [true, false] {
            let suffix = if unicode { "" } else { ".ascii" };
            let look = Look {
                width,
                unicode,
                color: false,
            };
            looks.push((format!("{width}{suffix}.txt"), look));
        }
    }
    looks
}

#[test]
fn timeline_pictures_match_the_golden_ones() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1");
    let golden = dir("golden");
    if update {
        std::fs::create_dir_all(&golden).expect("the golden directory");
    }
    let mut expected_files = BTreeSet::new();
    let mut differ = Vec::new();
    for (case, result) in fixtures() {
        for (suffix, look) in looks() {
            let name = format!("{case}.{suffix}");
            let path = golden.join(&name);
            let picture = text(&Run::of(&result), &look);
            expected_files.insert(name.clone());
            if update {
                std::fs::write(&path, &picture).expect("a golden picture written");
                continue;
            }
            match std::fs::read_to_string(&path) {
                Ok(want) if want == picture => {}
                Ok(want) => differ.push(format!("{name}: expected\n{want}\ngot\n{picture}")),
                Err(_) => differ.push(format!("{name}: no golden picture; got\n{picture}")),
            }
        }
    }
    // A golden picture whose fixture is gone would pass unseen forever.
    let stale: Vec<String> = std::fs::read_dir(&golden)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|name| !expected_files.contains(name))
                .collect()
        })
        .unwrap_or_default();
    if update {
        for name in &stale {
            std::fs::remove_file(golden.join(name)).expect("a stale golden picture removed");
        }
        return;
    }
    assert!(
        stale.is_empty(),
        "golden pictures without a fixture: {stale:?}"
    );
    assert!(
        differ.is_empty(),
        "{} pictures differ (UPDATE_GOLDEN=1 rewrites them; review the diff):\n\n{}",
        differ.len(),
        differ.join("\n\n")
    );
}

/// The legend's shape: `G word` items two spaces apart, each `G` one
/// character.
fn is_legend(line: &str) -> bool {
    !line.is_empty()
        && line.split("  ").all(|item| {
            let mut chars = item.chars();
            chars.next().is_some_and(|g| g != ' ')
                && chars.next() == Some(' ')
                && chars
                    .as_str()
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == ' ')
                // An entry's words are one or two ("still running"); a
                // mark's sentence, wrapped, can look like one entry.
                && chars.as_str().split(' ').count() <= 2
        })
}

#[test]
fn timeline_pictures_fit_every_width_and_keep_their_promises() {
    for (case, result) in fixtures() {
        let run = Run::of(&result);
        let has_lanes = !run.events.is_empty();
        for width in 40..=120 {
            for unicode in [true, false] {
                let look = |color| Look {
                    width,
                    unicode,
                    color,
                };
                let plain = text(&run, &look(false));
                let colored = text(&run, &look(true));
                let at = format!("{case} at {width} (unicode: {unicode})");
                assert!(!plain.contains('\x1b'), "{at}: an escape without colour");
                assert_eq!(
                    crate::report::json::plain(&colored),
                    plain,
                    "{at}: colour changed the characters"
                );
                if !unicode {
                    assert!(plain.is_ascii(), "{at}: not ASCII:\n{plain}");
                }
                let lines: Vec<&str> = plain.lines().collect();
                for line in &lines {
                    assert!(line.width() <= width, "{at}: too wide: {line:?}");
                }
                let legends = lines.iter().filter(|l| is_legend(l)).count();
                if has_lanes {
                    assert!(is_legend(lines.last().unwrap()), "{at}: no legend last");
                    assert_eq!(legends, 1, "{at}: the legend is one line:\n{plain}");
                } else {
                    assert_eq!(legends, 0, "{at}: a legend of nothing");
                }
            }
        }
    }
}

#[test]
fn timeline_marks_appear_only_on_a_run_that_did_not_pass() {
    let mut marked = 0;
    for (case, mut result) in fixtures() {
        let failing = Model::of(&Run::of(&result)).marks.len();
        marked += failing;
        result.status = Status::Pass;
        let run = Run::of(&result);
        assert!(Model::of(&run).marks.is_empty(), "{case}");
        for unicode in [true, false] {
            let look = Look {
                width: 80,
                unicode,
                color: false,
            };
            let picture = text(&run, &look);
            let mark = if unicode { "✗" } else { "X " };
            assert!(
                !picture.lines().any(|l| l.starts_with(mark)),
                "{case}: a pass accused:\n{picture}"
            );
            if unicode {
                assert!(!picture.contains('✗'), "{case}: a pass marked:\n{picture}");
            }
        }
    }
    assert!(marked >= 4, "the failing fixtures show each rule");
}

#[test]
fn timeline_svg_is_well_formed_with_a_group_per_lane_and_text_escaped() {
    for (case, result) in fixtures() {
        let run = Run::of(&result);
        let model = Model::of(&run);
        let picture = svg(&run);
        let doc = roxmltree::Document::parse(&picture)
            .unwrap_or_else(|e| panic!("{case}: not well-formed: {e}\n{picture}"));
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "svg", "{case}");
        assert_eq!(root.attribute("role"), Some("img"), "{case}");
        assert!(root.attribute("viewBox").is_some(), "{case}");
        let first = root.children().find(|n| n.is_element()).unwrap();
        assert_eq!(first.tag_name().name(), "title", "{case}: a title first");
        let lanes = doc
            .descendants()
            .filter(|n| n.tag_name().name() == "g" && n.attribute("class") == Some("lane"))
            .count();
        assert_eq!(lanes, model.lanes.len().min(MAX_LANES), "{case}");
        for node in doc.descendants().filter(|n| n.is_element()) {
            let tag = node.tag_name().name();
            assert!(
                ["svg", "title", "text", "g", "rect", "circle", "path"].contains(&tag),
                "{case}: a <{tag}>"
            );
            for a in node.attributes() {
                assert!(
                    !["style", "href", "onload"].contains(&a.name()),
                    "{case}: {}",
                    a.name()
                );
            }
        }
        // Every mark's sentence and every note is there as text.
        let texts: Vec<&str> = doc
            .descendants()
            .filter(|n| n.tag_name().name() == "text")
            .filter_map(|n| n.text())
            .collect();
        let all_text = texts.join(" ");
        for note in &model.notes {
            assert!(all_text.contains(note.as_str()), "{case}: {note}");
        }
        assert!(
            texts.iter().filter(|t| t.starts_with('✗')).count() >= model.marks.len(),
            "{case}: the marks' sentences"
        );
        // Names from learner code survive as text, not markup.
        let titles: Vec<&str> = doc
            .descendants()
            .filter(|n| n.tag_name().name() == "title")
            .filter_map(|n| n.text())
            .collect();
        for e in run.events {
            if let Some(name) = &e.thread_name {
                let name = clean(name);
                if !name.is_empty() {
                    assert!(titles.iter().any(|t| t.contains(&name)), "{case}: {name}");
                }
            }
        }
    }
}

#[test]
fn timeline_svg_keeps_hostile_names_as_text() {
    let (_, result) = fixtures()
        .into_iter()
        .find(|(case, _)| case == "hostile_names")
        .expect("the hostile fixture");
    let picture = svg(&Run::of(&result));
    assert!(
        !picture.contains("<script"),
        "markup from a name got through"
    );
    let doc = roxmltree::Document::parse(&picture).expect("well-formed");
    let titles: Vec<&str> = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "title")
        .filter_map(|n| n.text())
        .collect();
    assert!(titles.contains(&"<script>alert('x')</script> & \"q\""));
    assert!(titles.iter().any(|t| t.contains("value </title><script>")));
    assert!(!picture.contains('\u{1b}') && !picture.contains('\u{202e}'));
}

#[test]
fn timeline_trace_names_each_thread_once_and_spans_never_go_back() {
    let cases = fixtures();
    let runs: Vec<Run> = cases.iter().map(|(_, r)| Run::of(r)).collect();
    let trace = trace(&runs);
    assert_eq!(trace["displayTimeUnit"], "ms");
    let events = trace["traceEvents"].as_array().expect("traceEvents");
    let mut names: HashMap<(u64, u64), usize> = HashMap::new();
    for e in events {
        for key in ["ph", "ts", "pid", "tid", "name"] {
            assert!(e.get(key).is_some(), "{key} missing from {e}");
        }
        let at = (e["pid"].as_u64().unwrap(), e["tid"].as_u64().unwrap());
        if e["ph"] == "M" && e["name"] == "thread_name" {
            *names.entry(at).or_default() += 1;
        }
        if e["ph"] == "X" {
            assert!(
                e["dur"].as_u64().is_some(),
                "a negative or missing dur: {e}"
            );
        }
        if e["ph"] == "i" {
            assert!(e["s"] == "t" || e["s"] == "p", "{e}");
        }
    }
    for (pid, (case, run)) in runs
        .iter()
        .enumerate()
        .map(|(i, r)| (i as u64 + 1, (&cases[i].0, r)))
    {
        let threads: BTreeSet<u64> = run.events.iter().map(|e| e.thread).collect();
        let named: BTreeSet<u64> = names
            .iter()
            .filter(|((p, _), _)| *p == pid)
            .map(|((_, tid), count)| {
                assert_eq!(*count, 1, "{case}: thread {tid} named twice");
                *tid
            })
            .collect();
        assert_eq!(named, threads, "{case}");
        let incomplete = run.dropped > 0
            || (!run.reported && matches!(run.status, Status::Timeout | Status::Crash));
        let says_so = events
            .iter()
            .any(|e| e["pid"] == pid && e["ph"] == "i" && e["s"] == "p");
        assert_eq!(says_so, incomplete, "{case}");
    }
}

/// The README's picture is a golden one, drawn from a real run: it stays
/// what the checker draws.
#[test]
fn the_readme_shows_a_golden_picture() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("../README.md")).expect("README.md");
    let golden = std::fs::read_to_string(root.join("tests/golden/timeline/join1_no_join.100.txt"))
        .expect("the golden picture");
    assert!(
        readme.contains(&format!("```text\n{golden}```")),
        "README.md must show tests/golden/timeline/join1_no_join.100.txt as it is"
    );
}

/// `docs/timelines/` (made by `scripts/timeline-gallery`) holds the picture
/// of every known-wrong answer of chapters 1 and 2, for review: a wrong
/// answer added without its picture is caught here.
#[test]
fn the_gallery_has_every_wrong_answer_of_chapters_1_and_2() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut missing = Vec::new();
    for chapter in ["01_spawning", "02_joining"] {
        for exercise in std::fs::read_dir(root.join("exercises").join(chapter)).unwrap() {
            let path = exercise.unwrap().path();
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            let page = std::fs::read_to_string(root.join(format!("docs/timelines/{name}.md")))
                .unwrap_or_default();
            let wrong = root.join("checker/hidden/wrong").join(&name);
            for answer in std::fs::read_dir(wrong).unwrap() {
                let file = answer.unwrap().file_name().to_string_lossy().into_owned();
                if !page.contains(&format!("\n## {file}\n")) {
                    missing.push(format!("{name}/{file}"));
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "no picture in docs/timelines/ (run scripts/timeline-gallery): {missing:?}"
    );
}
