//! `threadlings grade` and `report merge` on small classes built in
//! temporary directories, against the `class` fixture course (`double`, 1
//! point; `triple`, 2 points with partial credit, two hidden tests). Each
//! format is read back by a real parser.

use std::path::PathBuf;

use serde_json::Value;

use crate::harness::{Test, fixtures};

const DOUBLE: &str = "exercises/basics/double.rs";
const TRIPLE: &str = "exercises/basics/triple.rs";

fn solution(rel: &str) -> String {
    let rel = rel.replace("exercises/", "solutions/");
    std::fs::read_to_string(fixtures().join("class").join(rel)).expect("a solution")
}

fn shipped(rel: &str) -> String {
    std::fs::read_to_string(fixtures().join("class").join(rel)).expect("a shipped file")
}

/// Right for small inputs only: one of triple's two hidden tests passes.
const TRIPLE_HALF: &str = "use std::thread;\n\
    pub fn triple(x: u64) -> u64 {\n    thread::spawn(move || if x < 100 { x * 3 } else { x }).join().unwrap()\n}\n\
    fn main() {}\n";

/// The same answer (not the course's solution) written twice, differing
/// only in comments and layout.
const DOUBLE_ADDS: &str = "use std::thread;\npub fn double(x: u64) -> u64 {\n    thread::spawn(move || x + x).join().unwrap()\n}\nfn main() {}\n";
const DOUBLE_ADDS_RESTYLED: &str = "// my own work\nuse std::thread;\npub fn double(x: u64) -> u64 { thread::spawn(move || x + x).join().unwrap() /* adds */ }\n\nfn main() {}\n";

/// A class: a directory of submissions beside the course.
struct Class {
    dir: tempfile::TempDir,
}

impl Class {
    fn new() -> Class {
        Class {
            dir: tempfile::tempdir().expect("a temporary directory"),
        }
    }

    fn path(&self, id: &str) -> PathBuf {
        self.dir.path().join(id)
    }

    /// A submission `id` holding these files (paths relative to it).
    fn submit(&self, id: &str, files: &[(&str, &str)]) -> &Class {
        for (rel, text) in files {
            let path = self.path(id).join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        std::fs::create_dir_all(self.path(id)).unwrap();
        self
    }

    fn paths(&self, ids: &[&str]) -> Vec<String> {
        ids.iter()
            .map(|id| self.path(id).display().to_string())
            .collect()
    }
}

/// `threadlings --course <course> grade ARGS...`, exit 0, stdout.
fn grade(course: &Test, args: &[String]) -> String {
    let mut all = vec!["grade".to_string()];
    all.extend_from_slice(args);
    let assert = course.run_vec(&all).success();
    String::from_utf8(assert.get_output().stdout.clone()).expect("UTF-8")
}

fn grade_json(course: &Test, paths: &[String]) -> Value {
    let mut args = paths.to_vec();
    args.extend(["--format".into(), "json".into()]);
    serde_json::from_str(&grade(course, &args)).expect("a JSON report")
}

fn exercise<'a>(report: &'a Value, id: &str, name: &str) -> &'a Value {
    let sub = report["submissions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("no submission {id}: {report}"));
    sub["exercises"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == name)
        .unwrap_or_else(|| panic!("no exercise {name} in {id}"))
}

fn score(report: &Value, id: &str) -> f64 {
    report["submissions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .unwrap()["score"]
        .as_f64()
        .unwrap()
}

/// The class most tests grade: one submission per situation.
fn mixed_class() -> (Class, Vec<String>) {
    let class = Class::new();
    let exit0 = std::fs::read_to_string(fixtures().join("answers/exit0.rs")).unwrap();
    class
        .submit(
            "alice",
            &[(DOUBLE, &solution(DOUBLE)), (TRIPLE, &solution(TRIPLE))],
        )
        .submit("bob", &[(DOUBLE, &shipped(DOUBLE)), (TRIPLE, TRIPLE_HALF)])
        .submit(
            "carol",
            &[(
                TRIPLE,
                "pub fn triple(x: u64) -> u64 { x * }\nfn main() {}\n",
            )],
        )
        .submit("dave", &[(DOUBLE, &exit0)])
        .submit("erin", &[(DOUBLE, DOUBLE_ADDS)])
        .submit("frank", &[(DOUBLE, DOUBLE_ADDS_RESTYLED)]);
    // Not UTF-8: rustc could not read it either.
    std::fs::write(class.path("dave").join(TRIPLE), b"pub fn triple(\xff)").unwrap();
    // A link to another student's file is not that student's work.
    std::fs::create_dir_all(class.path("gina").join("exercises/basics")).unwrap();
    std::os::unix::fs::symlink(
        class.path("alice").join(DOUBLE),
        class.path("gina").join(DOUBLE),
    )
    .unwrap();
    // Untouched, but saved by an editor that adds a byte-order mark and
    // CRLF line ends.
    let resaved = format!("\u{feff}{}", shipped(DOUBLE).replace('\n', "\r\n"));
    class.submit("hank", &[(DOUBLE, &resaved)]);
    let ids = [
        "alice", "bob", "carol", "dave", "erin", "frank", "gina", "hank", "nobody",
    ];
    let paths = class.paths(&ids);
    (class, paths)
}

#[test]
fn statuses_scores_and_flags_of_a_mixed_class() {
    let course = Test::new("class");
    let (_class, paths) = mixed_class();
    let report = grade_json(&course, &paths);
    assert_eq!(report["schema_version"], 1);
    let status = |id: &str, name: &str| exercise(&report, id, name)["status"].clone();
    // alice solved both: all 3 points.
    assert_eq!(
        (status("alice", "double"), status("alice", "triple")),
        ("pass".into(), "pass".into())
    );
    assert_eq!(score(&report, "alice"), 3.0);
    // bob left double as shipped and half-solved triple: half of its 2 points.
    assert_eq!(status("bob", "double"), "not_attempted");
    assert_eq!(status("bob", "triple"), "fail");
    assert_eq!(exercise(&report, "bob", "triple")["score"], 1.0);
    assert_eq!(score(&report, "bob"), 1.0);
    let tests = exercise(&report, "bob", "triple")["tests"]
        .as_array()
        .unwrap()
        .clone();
    let passed: Vec<&str> = tests
        .iter()
        .filter(|t| t["status"] == "pass")
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(passed, ["triples_small_numbers"], "{tests:?}");
    // carol: no double at all, and a triple that does not compile.
    assert_eq!(status("carol", "double"), "missing");
    assert_eq!(status("carol", "triple"), "compile_error");
    assert_eq!(score(&report, "carol"), 0.0);
    // dave's exit(0) is no pass, and a teacher is told to look.
    assert_eq!(status("dave", "double"), "fail");
    let flags = exercise(&report, "dave", "double")["flags"].clone();
    assert!(
        flags.as_array().unwrap().contains(&"process_exit".into()),
        "{flags}"
    );
    assert_eq!(status("dave", "triple"), "compile_error");
    assert!(
        exercise(&report, "dave", "triple")["message"]
            .as_str()
            .unwrap()
            .contains("not UTF-8")
    );
    // erin and frank handed in one answer, restyled: each is flagged with the other.
    assert_eq!(status("erin", "double"), "pass");
    assert_eq!(
        exercise(&report, "erin", "double")["flags"],
        serde_json::json!(["identical_to:frank"])
    );
    assert_eq!(
        exercise(&report, "frank", "double")["flags"],
        serde_json::json!(["identical_to:erin"])
    );
    // alice's solution is the course's own: the same as nobody's copy.
    assert_eq!(
        exercise(&report, "alice", "double")["flags"],
        serde_json::json!([])
    );
    // gina's link to alice's file is not read.
    assert_eq!(status("gina", "double"), "missing");
    assert!(
        exercise(&report, "gina", "double")["message"]
            .as_str()
            .unwrap()
            .contains("symbolic link")
    );
    assert_eq!(status("hank", "double"), "not_attempted");
    // A submission that is not there is reported, and the run goes on.
    let nobody = report["submissions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "nobody")
        .unwrap();
    assert!(
        nobody["error"].as_str().unwrap().contains("cannot read"),
        "{nobody}"
    );
    assert_eq!(status("nobody", "double"), "missing");
    // Sorted by id, every exercise of the course in each.
    let ids: Vec<&str> = report["submissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "alice", "bob", "carol", "dave", "erin", "frank", "gina", "hank", "nobody"
        ]
    );
    assert!(
        report["submissions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["max_score"] == 3.0)
    );
}

/// This process's umask, as the kernel shows it (setting it to read it
/// would race with the other tests' files).
fn umask() -> u32 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("Umask:")).unwrap();
    u32::from_str_radix(line["Umask:".len()..].trim(), 8).unwrap()
}

/// The report of a class without its durations (they differ run to run).
fn without_durations(mut value: Value) -> Value {
    match &mut value {
        Value::Object(map) => {
            map.remove("duration_ms");
            for v in map.values_mut() {
                *v = without_durations(v.take());
            }
        }
        Value::Array(items) => {
            for v in items.iter_mut() {
                *v = without_durations(v.take());
            }
        }
        _ => {}
    }
    value
}

#[test]
fn shards_merge_into_the_whole_class_whatever_the_order_of_the_paths() {
    let course = Test::new("class");
    let (class, paths) = mixed_class();
    let whole = grade_json(&course, &paths);
    let mut reversed = paths.clone();
    reversed.reverse();
    let mut files = Vec::new();
    let mut seen = 0;
    for k in 1..=3 {
        let file = class.dir.path().join(format!("shard-{k}.json"));
        let mut args = if k == 2 {
            reversed.clone()
        } else {
            paths.clone()
        };
        args.extend([
            "--shard".into(),
            format!("{k}/3"),
            "--format".into(),
            "json".into(),
        ]);
        args.extend(["-o".into(), file.display().to_string()]);
        grade(&course, &args);
        let part: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        // Written like any file of the teacher's (0666 less the umask), not
        // with a temporary file's 0600.
        let mode = std::os::unix::fs::PermissionsExt::mode(
            &std::fs::metadata(&file).unwrap().permissions(),
        );
        assert_eq!(mode & 0o777, 0o666 & !umask(), "{}", file.display());
        assert_eq!(part["shard"], serde_json::json!({"index": k, "count": 3}));
        seen += part["submissions"].as_array().unwrap().len();
        files.push(file.display().to_string());
    }
    assert_eq!(seen, paths.len());
    let mut args = vec!["report".to_string(), "merge".into()];
    args.extend(files.iter().rev().cloned());
    let merged = course.run_vec(&args).success();
    let merged: Value = serde_json::from_slice(&merged.get_output().stdout).unwrap();
    assert_eq!(without_durations(merged), without_durations(whole));
    // A shard left out is named, and nothing is written.
    let out = class.dir.path().join("merged.json");
    course
        .run_vec(&[
            "report".into(),
            "merge".into(),
            files[0].clone(),
            files[2].clone(),
            "-o".into(),
            out.display().to_string(),
        ])
        .code(2)
        .stderr(predicates::str::contains("shard 2/3 is missing"));
    assert!(!out.exists());
}

#[test]
fn every_format_reads_in_its_consumer() {
    let course = Test::new("class");
    let (class, paths) = mixed_class();
    // CSV: a row per submission, a column per exercise, the total.
    let csv_text = grade(
        &course,
        &[paths.clone(), vec!["--format".into(), "csv".into()]].concat(),
    );
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    assert_eq!(
        reader.headers().unwrap(),
        vec!["id", "double", "triple", "total"]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), paths.len());
    let bob = rows.iter().find(|r| &r[0] == "bob").unwrap();
    assert_eq!((&bob[1], &bob[2], &bob[3]), ("0", "1", "1"));
    // JUnit: a testsuite per submission, a testcase per exercise.
    let xml = grade(
        &course,
        &[paths.clone(), vec!["--format".into(), "junit".into()]].concat(),
    );
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let suites: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    assert_eq!(suites.len(), paths.len());
    let dave = suites
        .iter()
        .find(|s| s.attribute("name") == Some("dave"))
        .unwrap();
    let failure = dave
        .descendants()
        .find(|n| n.has_tag_name("failure"))
        .expect("dave's failure");
    assert_eq!(failure.attribute("type"), Some("fail"));
    assert_eq!(
        dave.descendants()
            .filter(|n| n.has_tag_name("testcase"))
            .count(),
        2
    );
    // HTML: one page, every student's id in it, no script, nothing fetched.
    let html = grade(
        &course,
        &[paths.clone(), vec!["--format".into(), "html".into()]].concat(),
    );
    let dom = tl::parse(&html, tl::ParserOptions::default()).expect("HTML");
    assert!(
        dom.query_selector("svg").expect("a selector").count() >= 2,
        "the charts"
    );
    assert_eq!(dom.query_selector("script").expect("a selector").count(), 0);
    for id in ["alice", "bob", "gina", "nobody"] {
        assert!(html.contains(id), "{id}");
    }
    assert!(!html.contains("http://") && !html.contains("https://"));
    // Gradescope: one submission's results.json.
    let gs = grade(
        &course,
        &[
            class.paths(&["bob"]),
            vec!["--format".into(), "gradescope".into()],
        ]
        .concat(),
    );
    let gs: Value = serde_json::from_str(&gs).unwrap();
    assert_eq!(gs["score"], 1.0);
    let tests = gs["tests"].as_array().unwrap();
    let visible: Vec<&Value> = tests
        .iter()
        .filter(|t| t["visibility"] == "visible")
        .collect();
    assert_eq!(visible.len(), 2, "{gs}");
    assert!(
        tests.iter().any(|t| t["visibility"] == "after_published"),
        "{gs}"
    );
    course
        .run_vec(
            &[
                vec!["grade".into()],
                paths.clone(),
                vec!["--format".into(), "gradescope".into()],
            ]
            .concat(),
        )
        .code(2)
        .stderr(predicates::str::contains("one submission"));
    // The table, for the terminal: a line per submission.
    let table = grade(&course, &paths);
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("alice") && l.contains("3/3")),
        "{table}"
    );
    assert!(
        table.contains("erin: double: identical_to:frank"),
        "{table}"
    );
}

#[test]
fn a_hostile_student_changes_nothing_of_anothers() {
    let course = Test::new("class");
    let class = Class::new();
    class.submit("victim", &[(DOUBLE, DOUBLE_ADDS), (TRIPLE, TRIPLE_HALF)]);
    let victim_file = class.path("victim").join(DOUBLE);
    let alone = grade_json(&course, &class.paths(&["victim"]));
    // Overwrites the victim's file with the solution and removes their
    // other file.
    let hostile = format!(
        "use std::thread;\n\
         pub fn double(x: u64) -> u64 {{\n\
             let _ = std::fs::write({victim:?}, {solution:?});\n\
             let _ = std::fs::remove_file({other:?});\n\
             thread::spawn(move || x * 2).join().unwrap()\n\
         }}\nfn main() {{}}\n",
        victim = victim_file.display().to_string(),
        solution = solution(DOUBLE),
        other = class.path("victim").join(TRIPLE).display().to_string(),
    );
    class.submit("mallory", &[(DOUBLE, &hostile)]);
    let together = grade_json(&course, &class.paths(&["mallory", "victim"]));
    let strip = |r: &Value, id: &str| {
        let s = r["submissions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == id)
            .unwrap()
            .clone();
        without_durations(s)
    };
    assert_eq!(strip(&together, "victim"), strip(&alone, "victim"));
    assert_eq!(std::fs::read_to_string(&victim_file).unwrap(), DOUBLE_ADDS);
    assert!(class.path("victim").join(TRIPLE).is_file());
}

#[test]
fn bad_usage_is_refused_before_anything_runs() {
    let course = Test::new("class");
    let class = Class::new();
    class.submit("a/bob", &[]).submit("b/bob", &[]);
    let twice = class.paths(&["a/bob", "b/bob"]);
    course
        .run_vec(&[vec!["grade".into()], twice].concat())
        .code(2)
        .stderr(predicates::str::contains("both called `bob`"));
    course
        .run_vec(&[
            "grade".into(),
            class.path("a/bob").display().to_string(),
            "--shard".into(),
            "3/2".into(),
        ])
        .code(2)
        .stderr(predicates::str::contains("--shard 3/2"));
    course.run_vec(&["grade".into()]).code(2);
    // A report never goes into a submission, nor replaces what is not a
    // plain file.
    let bob = class.path("a/bob").display().to_string();
    let into_bob = format!("{bob}/report.json");
    course
        .run_vec(&["grade".into(), bob.clone(), "-o".into(), into_bob])
        .code(2)
        .stderr(predicates::str::contains("inside the submission"));
    let link = class.dir.path().join("link.json");
    std::os::unix::fs::symlink("/dev/null", &link).unwrap();
    course
        .run_vec(&["grade".into(), bob, "-o".into(), link.display().to_string()])
        .code(2)
        .stderr(predicates::str::contains("not a plain file"));
    assert!(!course.path().join("target").exists(), "nothing was built");
}

/// A student whose code hangs, floods, bombs or hoards in one exercise is
/// judged there (`timeout` / `crash`) and graded normally in the other, and
/// a neighbour is graded as if nothing happened.
#[test]
fn runaway_code_is_judged_where_it_runs_away_and_nowhere_else() {
    let course = Test::new("class");
    let class = Class::new();
    let answer = |name: &str| {
        std::fs::read_to_string(fixtures().join(format!("answers/{name}.rs"))).unwrap()
    };
    for name in ["hang", "flood", "thread_bomb", "memory_bomb"] {
        class.submit(
            name,
            &[(DOUBLE, &answer(name)), (TRIPLE, &solution(TRIPLE))],
        );
    }
    class.submit(
        "calm",
        &[(DOUBLE, &solution(DOUBLE)), (TRIPLE, &solution(TRIPLE))],
    );
    let ids = ["calm", "flood", "hang", "memory_bomb", "thread_bomb"];
    let mut args = class.paths(&ids);
    // Only the runaways ever reach these limits; the memory cap is low so
    // that the hoard reaches it long before the clock runs out, even on a
    // loaded machine.
    args.extend(["--timeout", "3", "--max-memory", "128", "--format", "json"].map(String::from));
    let report: Value = serde_json::from_str(&grade(&course, &args)).unwrap();
    let status = |id: &str, name: &str| exercise(&report, id, name)["status"].clone();
    assert_eq!(status("hang", "double"), "timeout");
    for id in ["flood", "thread_bomb", "memory_bomb"] {
        assert_eq!(
            status(id, "double"),
            "crash",
            "{id}: {}",
            exercise(&report, id, "double")
        );
    }
    for id in ids {
        assert_eq!(status(id, "triple"), "pass", "{id}");
    }
    assert_eq!(score(&report, "calm"), 3.0);
}

/// Without the kernel's protections, the report says so (and flags every
/// exercise whose tests ran); `--require-sandbox` refuses to run at all.
#[test]
fn a_missing_sandbox_is_flagged_or_refused() {
    let course = Test::new("class").env("THREADLINGS_SANDBOX", "off");
    let class = Class::new();
    class.submit("alice", &[(DOUBLE, &solution(DOUBLE))]);
    let report = grade_json(&course, &class.paths(&["alice"]));
    assert_eq!(report["sandbox"], serde_json::json!({}));
    assert_eq!(
        exercise(&report, "alice", "double")["flags"],
        serde_json::json!(["sandbox_missing"])
    );
    // Nothing of a missing file ran.
    assert_eq!(
        exercise(&report, "alice", "triple")["flags"],
        serde_json::json!([])
    );
    let mut args = vec!["--require-sandbox".to_string(), "grade".into()];
    args.extend(class.paths(&["alice"]));
    course
        .run_vec(&args)
        .code(2)
        .stderr(predicates::str::contains("nothing was run"));
}
