//! Grading a class, measured against its floor in one run:
//! `cargo bench --bench grade`.
//!
//! A teacher runs `grade` once over a whole class and waits for it, so what
//! matters is the wall time of one cold run (nothing cached) on a class
//! that looks like a real one: some students handed in the files untouched,
//! many solved everything, many stopped half way with wrong answers and
//! missing files, a few copied from each other, and one each hangs, spawns
//! threads forever, or does not compile. The class is generated here from
//! the bundled course with a seeded pseudo-random mix, so every run grades
//! the same class (GRADE_BENCH_SUBMISSIONS sets its size, default 100).
//!
//! The floor is what grade cannot avoid: rustc compiling each distinct file
//! it had to compile, alone, one at a time, the way speed.rs compiles a
//! learner's file (and that sum shared out over the cores). A second, warm
//! run shows what the verdict cache saves.
//!
//! Nothing here asserts on time: a slow run is a measurement. A wrong
//! verdict is not: the report is checked against what each file is (a
//! solution passes, a wrong answer does not, the hang times out, ...) and
//! any mismatch is printed and makes the bench exit non-zero, since the
//! figures of a run that judged wrongly mean nothing.

mod common;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

/// Any fixed value: the class is the same on every run and machine.
const SEED: u64 = 0x5EED_C1A5;

/// Where the hang, the thread bomb and the compile error go: exercises
/// whose hidden tests call the function changed (`start`, `start_two`).
const HANG_IN: &str = "spawn1_closure";
const BOMB_IN: &str = "spawn2_two_workers";
const BROKEN_IN: &str = "join1_wait";

fn main() -> ExitCode {
    // `cargo bench` passes --bench; anything else is a filter we ignore.
    let size = match std::env::var("GRADE_BENCH_SUBMISSIONS") {
        Ok(text) => text
            .parse::<usize>()
            .expect("GRADE_BENCH_SUBMISSIONS: a number of submissions"),
        Err(_) => 100,
    };
    // Below this the roles (three special students, a group of copiers,
    // one of each other kind) do not fit.
    assert!(size >= 10, "GRADE_BENCH_SUBMISSIONS: at least 10");
    let course = Course::copy();
    let exercises = course.exercises();
    let class = Class::generate(&exercises, size);
    println!(
        "threadlings grade benchmark: {size} submissions x {} exercises, seed {SEED:#x}\n",
        exercises.len()
    );
    class.print_mix(&exercises);

    let paths: Vec<PathBuf> = class
        .students
        .iter()
        .map(|s| class.dir.path().join(&s.id))
        .collect();
    let cache = course.dir.path().join("target/threadlings");
    assert!(
        !cache.exists(),
        "a cold run starts without {}",
        cache.display()
    );
    let cold_report = class.dir.path().join("report-cold.json");
    let cold = course.grade(&paths, &cold_report);
    let report = read_report(&cold_report);

    let mut problems = check(&class, &exercises, &report);

    // The floor: every distinct file grade compiled, compiled alone.
    let compiled = class.distinct_compiled(&exercises);
    let floor_dir = tempfile::tempdir().expect("temp dir");
    let mut rustc_sum = Duration::ZERO;
    let mut rustc_failed = 0;
    for (i, path) in compiled.iter().enumerate() {
        let (took, ok) = rustc(path, &floor_dir.path().join(format!("floor-{i}")));
        rustc_sum += took;
        if !ok {
            rustc_failed += 1;
        }
    }

    let warm_report = class.dir.path().join("report-warm.json");
    let warm = course.grade(&paths, &warm_report);
    problems.extend(same_verdicts(&report, &read_report(&warm_report)));

    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let files = size * exercises.len();
    let statuses = count_statuses(&report);
    let judged_without_compiling = statuses.get("missing").copied().unwrap_or(0)
        + statuses.get("not_attempted").copied().unwrap_or(0);
    let secs = |d: Duration| d.as_secs_f64();
    println!("\nresults");
    println!(
        "{:<48} {:>9.1} s",
        "grade, cold (no target/threadlings)",
        secs(cold)
    );
    println!(
        "{:<48} {:>9.1} s",
        "grade, warm (verdicts cached)",
        secs(warm)
    );
    println!("{:<48} {:>9}", "submissions", size);
    println!(
        "{:<48} {:>9}",
        "exercise files (submissions x exercises)", files
    );
    println!(
        "{:<48} {:>9}",
        "  judged without compiling (missing, shipped)", judged_without_compiling
    );
    println!(
        "{:<48} {:>9}",
        "  to check (grade compiles each distinct one)",
        files - judged_without_compiling
    );
    println!(
        "{:<48} {:>9}",
        "distinct compiled files (byte for byte, per ex.)",
        compiled.len()
    );
    println!(
        "{:<48} {:>9}",
        "  timed out or crashed (not cached: rerun warm)",
        never_cached(&class, &exercises, &report)
    );
    println!(
        "{:<48} {:>9.1} s  ({rustc_failed} of them do not compile)",
        "floor: rustc sum, one file at a time",
        secs(rustc_sum)
    );
    println!(
        "{:<48} {:>9.1} s",
        format!("floor: rustc sum / {cores} cores"),
        secs(rustc_sum) / cores as f64
    );
    println!(
        "{:<48} {:>9.2} x",
        "ratio: grade cold wall / rustc sum",
        secs(cold) / secs(rustc_sum)
    );
    println!(
        "{:<48} {:>9.2} x",
        format!("ratio: grade cold wall / (rustc sum / {cores})"),
        secs(cold) / (secs(rustc_sum) / cores as f64)
    );
    println!(
        "{:<48} {:>9.3} x",
        "ratio: grade warm wall / grade cold wall",
        secs(warm) / secs(cold)
    );
    println!("\nstatuses in the report (cold run)");
    for (status, count) in &statuses {
        println!("  {status:<14} {count:>5}");
    }

    if problems.is_empty() {
        println!("\nthe report is sane: every verdict is what the file called for");
        ExitCode::SUCCESS
    } else {
        println!(
            "\nWRONG VERDICTS: {} mismatch(es); these figures do not count",
            problems.len()
        );
        for p in &problems {
            println!("  MISMATCH {p}");
        }
        ExitCode::FAILURE
    }
}

/// One exercise of info.toml, with the files a class is made of.
struct Exercise {
    name: String,
    dir: String,
    /// Whether grade flags identical files here (quizzes: not).
    flag_copies: bool,
    shipped: String,
    solution: String,
    right: Vec<String>,
    wrong: Vec<String>,
}

/// What a student handed in for one exercise, and so what its verdict
/// must be.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Pick {
    Missing,
    /// Byte for byte the shipped file: `not_attempted`.
    Shipped,
    Solution,
    /// A correct variant (checker/hidden/right/): passes.
    Right(usize),
    /// A known-wrong answer (checker/hidden/wrong/): never passes.
    Wrong(usize),
    /// `start` never returns: `timeout`.
    Hang,
    /// `start_two` spawns threads forever: `crash` or `timeout`.
    Bomb,
    /// A type error: `compile_error`.
    Broken,
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Role {
    Untouched,
    SolutionsOnly,
    Solved,
    PartlyDone,
    Copier,
    Hang,
    Bomb,
    Broken,
}

impl Role {
    fn describe(self) -> &'static str {
        match self {
            Role::Untouched => "untouched (every file as shipped)",
            Role::SolutionsOnly => "solved, the course's solutions only",
            Role::Solved => "solved, solutions and correct variants",
            Role::PartlyDone => "partly done (solved, wrong, shipped, missing)",
            Role::Copier => "copiers (one group, comments/blank lines changed)",
            Role::Hang => "hangs (infinite loop in `start`)",
            Role::Bomb => "thread bomb (spawns forever in `start_two`)",
            Role::Broken => "does not compile (a type error)",
        }
    }
}

struct Student {
    id: String,
    role: Role,
    picks: Vec<Pick>,
    /// The bytes handed in per exercise (None: missing).
    files: Vec<Option<String>>,
}

struct Class {
    dir: tempfile::TempDir,
    students: Vec<Student>,
}

impl Class {
    fn generate(exercises: &[Exercise], size: usize) -> Class {
        let mut rng = Rng(SEED);
        let index = |name: &str| {
            exercises
                .iter()
                .position(|e| e.name == name)
                .unwrap_or_else(|| panic!("the course has no exercise {name}"))
        };
        let (hang_at, bomb_at, broken_at) = (index(HANG_IN), index(BOMB_IN), index(BROKEN_IN));

        // Roles in the proportions of a class of 100, at least one each
        // (three copiers: a pair could be chance, three is a group).
        let untouched = (size * 6 / 100).max(1);
        let solutions_only = (size / 10).max(1);
        let solved = (size * 30 / 100).max(1);
        let copiers = (size * 7 / 100).max(3);
        let partly = size - untouched - solutions_only - solved - copiers - 3;
        let mut roles: Vec<Role> = [
            (Role::Untouched, untouched),
            (Role::SolutionsOnly, solutions_only),
            (Role::Solved, solved),
            (Role::PartlyDone, partly),
            (Role::Copier, copiers),
            (Role::Hang, 1),
            (Role::Bomb, 1),
            (Role::Broken, 1),
        ]
        .iter()
        .flat_map(|&(role, n)| std::iter::repeat_n(role, n))
        .collect();
        // Ids are handed out in no particular order of role, as in a class
        // sorted by name.
        rng.shuffle(&mut roles);

        let solved_pick = |rng: &mut Rng, ex: &Exercise| {
            if ex.right.is_empty() || rng.chance(40) {
                Pick::Solution
            } else {
                Pick::Right(rng.below(ex.right.len()))
            }
        };
        // What the copiers share: one student's work up to where they got.
        let shared_upto = exercises.len() / 2 + rng.below(exercises.len() / 2 + 1);
        let shared: Vec<Pick> = exercises
            .iter()
            .enumerate()
            .map(|(at, ex)| {
                if at >= shared_upto {
                    Pick::Shipped
                } else if !ex.wrong.is_empty() && rng.chance(35) {
                    Pick::Wrong(rng.below(ex.wrong.len()))
                } else if ex.right.is_empty() || rng.chance(15) {
                    Pick::Solution
                } else {
                    Pick::Right(rng.below(ex.right.len()))
                }
            })
            .collect();

        let mut students = Vec::new();
        let mut copier_number = 0;
        for (n, &role) in roles.iter().enumerate() {
            let id = format!("s{:03}", n + 1);
            let picks: Vec<Pick> = match role {
                Role::Untouched => vec![Pick::Shipped; exercises.len()],
                Role::SolutionsOnly => vec![Pick::Solution; exercises.len()],
                Role::Solved => exercises
                    .iter()
                    .map(|ex| solved_pick(&mut rng, ex))
                    .collect(),
                Role::Copier => shared.clone(),
                Role::Hang | Role::Bomb | Role::Broken => {
                    let (at, special) = match role {
                        Role::Hang => (hang_at, Pick::Hang),
                        Role::Bomb => (bomb_at, Pick::Bomb),
                        _ => (broken_at, Pick::Broken),
                    };
                    (0..exercises.len())
                        .map(|i| {
                            if i == at {
                                special
                            } else {
                                solved_pick(&mut rng, &exercises[i])
                            }
                        })
                        .collect()
                }
                Role::PartlyDone => {
                    // Worked through the course in order up to `reached`;
                    // past it, the files are as shipped or not handed in.
                    let reached = 2 + rng.below(exercises.len() - 3);
                    let hands_in_all = rng.chance(70);
                    exercises
                        .iter()
                        .enumerate()
                        .map(|(at, ex)| {
                            if at >= reached {
                                if hands_in_all || rng.chance(30) {
                                    Pick::Shipped
                                } else {
                                    Pick::Missing
                                }
                            } else {
                                match rng.below(100) {
                                    0..5 => Pick::Missing,
                                    5..10 => Pick::Shipped,
                                    10..35 if !ex.wrong.is_empty() => {
                                        Pick::Wrong(rng.below(ex.wrong.len()))
                                    }
                                    _ => solved_pick(&mut rng, ex),
                                }
                            }
                        })
                        .collect()
                }
            };
            let files = picks
                .iter()
                .zip(exercises)
                .map(|(&pick, ex)| {
                    let text = text_of(ex, pick)?;
                    // A copier's file differs from the others' by a comment
                    // or blank lines only: byte for byte another file (so
                    // compiled on its own), the same once normalised.
                    if role == Role::Copier && pick != Pick::Shipped && copier_number > 0 {
                        Some(disguise(&text, &id, copier_number))
                    } else {
                        Some(text)
                    }
                })
                .collect();
            if role == Role::Copier {
                copier_number += 1;
            }
            students.push(Student {
                id,
                role,
                picks,
                files,
            });
        }

        let dir = tempfile::tempdir().expect("temp dir");
        for s in &students {
            for (ex, file) in exercises.iter().zip(&s.files) {
                if let Some(text) = file {
                    let at = dir.path().join(&s.id).join("exercises").join(&ex.dir);
                    std::fs::create_dir_all(&at).expect("mkdir");
                    std::fs::write(at.join(format!("{}.rs", ex.name)), text).expect("write");
                }
            }
            // A student who handed in nothing still has a directory.
            std::fs::create_dir_all(dir.path().join(&s.id)).expect("mkdir");
        }
        Class { dir, students }
    }

    fn print_mix(&self, exercises: &[Exercise]) {
        let mut roles: BTreeMap<Role, Vec<&str>> = BTreeMap::new();
        for s in &self.students {
            roles.entry(s.role).or_default().push(&s.id);
        }
        println!("the class");
        for (role, ids) in &roles {
            let who = if ids.len() <= 7 {
                format!("  ({})", ids.join(", "))
            } else {
                String::new()
            };
            println!("  {:>4}  {}{who}", ids.len(), role.describe());
        }
        let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
        for s in &self.students {
            for &pick in &s.picks {
                let kind = match pick {
                    Pick::Missing => "missing",
                    Pick::Shipped => "as shipped",
                    Pick::Solution => "the course's solution",
                    Pick::Right(_) => "a correct variant",
                    Pick::Wrong(_) => "a known-wrong answer",
                    Pick::Hang | Pick::Bomb | Pick::Broken => "hang, thread bomb, type error",
                };
                *kinds.entry(kind).or_default() += 1;
            }
        }
        println!(
            "  files ({} x {}, copiers' disguised copies counted as what they copy):",
            self.students.len(),
            exercises.len()
        );
        for (kind, n) in &kinds {
            println!("  {n:>6}  {kind}");
        }
        println!("  hang in {HANG_IN}, thread bomb in {BOMB_IN}, type error in {BROKEN_IN}");
    }

    /// One path per distinct file grade had to compile: per exercise, each
    /// different byte string that is neither missing nor the shipped file.
    fn distinct_compiled(&self, exercises: &[Exercise]) -> Vec<PathBuf> {
        let mut seen: HashSet<(usize, &str)> = HashSet::new();
        let mut paths = Vec::new();
        for s in &self.students {
            for (at, (ex, file)) in exercises.iter().zip(&s.files).enumerate() {
                let Some(text) = file else { continue };
                if *text == ex.shipped || !seen.insert((at, text.as_str())) {
                    continue;
                }
                paths.push(
                    self.dir
                        .path()
                        .join(&s.id)
                        .join("exercises")
                        .join(&ex.dir)
                        .join(format!("{}.rs", ex.name)),
                );
            }
        }
        paths
    }
}

/// The file a pick stands for (None: not handed in).
fn text_of(ex: &Exercise, pick: Pick) -> Option<String> {
    let changed = |from: &str, to: &str| {
        assert!(
            ex.solution.contains(from),
            "{}'s solution no longer holds {from:?}: update the bench",
            ex.name
        );
        ex.solution.replacen(from, to, 1)
    };
    Some(match pick {
        Pick::Missing => return None,
        Pick::Shipped => ex.shipped.clone(),
        Pick::Solution => ex.solution.clone(),
        Pick::Right(i) => ex.right[i].clone(),
        Pick::Wrong(i) => ex.wrong[i].clone(),
        // The hidden tests call `start`; it spins and never returns.
        Pick::Hang => changed(
            "    thread::spawn(job)\n",
            "    let _ = job;\n    loop {\n        std::hint::spin_loop();\n    }\n",
        ),
        // The hidden tests call `start_two`; it starts sleeping threads
        // until something stops it.
        Pick::Bomb => changed(
            "    let first = thread::spawn(a);\n",
            "    loop {\n        thread::spawn(|| thread::sleep(Duration::from_secs(3600)));\n    }\n    let first = thread::spawn(a);\n",
        ),
        Pick::Broken => format!(
            "{}\nfn broken() -> u32 {{\n    \"not a number\"\n}}\n",
            ex.solution
        ),
    })
}

/// What a copier changes to make a file look like their own: a comment on
/// top, or blank lines after the first line (so no two copies are the
/// same bytes, and all are the same code).
fn disguise(text: &str, id: &str, copier: usize) -> String {
    if copier % 2 == 1 {
        format!("// {id}: my own work\n{text}")
    } else {
        text.replacen('\n', &"\n".repeat(copier + 1), 1)
    }
}

/// The report's submissions by id.
fn by_id(report: &serde_json::Value) -> HashMap<&str, &serde_json::Value> {
    report["submissions"]
        .as_array()
        .expect("submissions")
        .iter()
        .map(|s| (s["id"].as_str().expect("id"), s))
        .collect()
}

/// Checks every verdict of the report against what the file was; returns
/// what does not match.
fn check(class: &Class, exercises: &[Exercise], report: &serde_json::Value) -> Vec<String> {
    let mut problems = Vec::new();
    let subs = by_id(report);
    if subs.len() != class.students.len() {
        problems.push(format!(
            "the report has {} submissions, the class {}",
            subs.len(),
            class.students.len()
        ));
    }
    let copiers: Vec<&str> = class
        .students
        .iter()
        .filter(|s| s.role == Role::Copier)
        .map(|s| s.id.as_str())
        .collect();
    for s in &class.students {
        let Some(sub) = subs.get(s.id.as_str()) else {
            problems.push(format!("{}: not in the report", s.id));
            continue;
        };
        let entries = sub["exercises"].as_array().expect("exercises");
        if entries.len() != exercises.len() {
            problems.push(format!(
                "{}: {} exercises in the report, {} in the course",
                s.id,
                entries.len(),
                exercises.len()
            ));
            continue;
        }
        for ((ex, &pick), entry) in exercises.iter().zip(&s.picks).zip(entries) {
            let status = entry["status"].as_str().expect("status");
            let expected: &[&str] = match pick {
                Pick::Missing => &["missing"],
                Pick::Shipped => &["not_attempted"],
                Pick::Solution | Pick::Right(_) => &["pass"],
                Pick::Wrong(_) => &["fail", "timeout", "crash", "compile_error"],
                Pick::Hang => &["timeout"],
                Pick::Bomb => &["crash", "timeout"],
                Pick::Broken => &["compile_error"],
            };
            if !expected.contains(&status) {
                problems.push(format!(
                    "{} {}: {status}, expected {} ({}): {}",
                    s.id,
                    ex.name,
                    expected.join(" or "),
                    describe_pick(pick),
                    first_line(entry["message"].as_str().unwrap_or(""))
                ));
            }
            // Copies of a correct variant or a wrong answer are worth
            // flagging (the solution and the shipped file are not).
            let flagged = matches!(pick, Pick::Right(_) | Pick::Wrong(_));
            if s.role == Role::Copier && ex.flag_copies && flagged {
                let flags: Vec<&str> = entry["flags"]
                    .as_array()
                    .expect("flags")
                    .iter()
                    .filter_map(|f| f.as_str())
                    .collect();
                for other in copiers.iter().filter(|o| **o != s.id) {
                    let flag = format!("identical_to:{other}");
                    if !flags.contains(&flag.as_str()) {
                        problems.push(format!(
                            "{} {}: no {flag} flag (flags: {flags:?})",
                            s.id, ex.name
                        ));
                    }
                }
            }
        }
        let (score, max) = (
            sub["score"].as_f64().expect("score"),
            sub["max_score"].as_f64().expect("max_score"),
        );
        if matches!(s.role, Role::SolutionsOnly | Role::Solved) && score != max {
            problems.push(format!(
                "{} ({}): scored {score} of {max}",
                s.id,
                s.role.describe()
            ));
        }
    }
    problems
}

/// How many distinct files the warm run checks again: the verdict cache
/// keeps only certain verdicts, never a timeout or a crash (a loaded
/// machine may have caused them).
fn never_cached(class: &Class, exercises: &[Exercise], report: &serde_json::Value) -> usize {
    let subs = by_id(report);
    let mut seen: HashSet<(usize, &str)> = HashSet::new();
    for s in &class.students {
        let Some(entries) = subs
            .get(s.id.as_str())
            .and_then(|sub| sub["exercises"].as_array())
        else {
            continue;
        };
        for (at, (file, entry)) in s.files.iter().zip(entries).enumerate() {
            if let Some(text) = file
                && *text != exercises[at].shipped
                && matches!(entry["status"].as_str(), Some("timeout" | "crash"))
            {
                seen.insert((at, text.as_str()));
            }
        }
    }
    seen.len()
}

/// The warm run must say what the cold run said.
fn same_verdicts(cold: &serde_json::Value, warm: &serde_json::Value) -> Vec<String> {
    let verdicts = |report: &serde_json::Value| -> Vec<(String, String, String)> {
        report["submissions"]
            .as_array()
            .expect("submissions")
            .iter()
            .flat_map(|s| {
                let id = s["id"].as_str().expect("id").to_string();
                s["exercises"]
                    .as_array()
                    .expect("exercises")
                    .iter()
                    .map(move |e| {
                        (
                            id.clone(),
                            e["name"].as_str().expect("name").to_string(),
                            e["status"].as_str().expect("status").to_string(),
                        )
                    })
            })
            .collect()
    };
    verdicts(cold)
        .into_iter()
        .zip(verdicts(warm))
        .filter(|(c, w)| c != w)
        .map(|(c, w)| {
            format!(
                "warm run: {} {} is {}, the cold run said {}",
                w.0, w.1, w.2, c.2
            )
        })
        .collect()
}

fn describe_pick(pick: Pick) -> String {
    match pick {
        Pick::Missing => "not handed in".into(),
        Pick::Shipped => "the shipped file".into(),
        Pick::Solution => "the course's solution".into(),
        Pick::Right(i) => format!("correct variant #{i}"),
        Pick::Wrong(i) => format!("known-wrong answer #{i}"),
        Pick::Hang => "never returns".into(),
        Pick::Bomb => "thread bomb".into(),
        Pick::Broken => "type error".into(),
    }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("")
}

fn read_report(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).expect("the report was written");
    serde_json::from_str(&text).expect("the report is JSON")
}

fn count_statuses(report: &serde_json::Value) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for s in report["submissions"].as_array().expect("submissions") {
        for e in s["exercises"].as_array().expect("exercises") {
            *counts
                .entry(e["status"].as_str().expect("status").to_string())
                .or_default() += 1;
        }
    }
    counts
}

/// rustc compiling a learner's file alone, as speed.rs does; its time and
/// whether it compiled.
fn rustc(file: &Path, out: &Path) -> (Duration, bool) {
    let started = Instant::now();
    let status = Command::new("rustc")
        .args(["--edition=2024", "-Cdebuginfo=0", "-Awarnings"])
        .arg(file)
        .arg("-o")
        .arg(out)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("rustc runs");
    (started.elapsed(), status.success())
}

/// SplitMix64: a few lines, no crate, the same numbers everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}

struct Course {
    dir: tempfile::TempDir,
    bin: PathBuf,
}

impl Course {
    /// The bundled course, with checker/shipped/ (what `not_attempted` is
    /// judged against) beside the hidden tests.
    fn copy() -> Course {
        let (dir, bin) = common::copy_course(true);
        Course { dir, bin }
    }

    fn exercises(&self) -> Vec<Exercise> {
        let text = self.read("info.toml");
        let info: toml::Table = toml::from_str(&text).expect("info.toml");
        info["exercises"]
            .as_array()
            .expect("exercises")
            .iter()
            .map(|e| {
                let name: String = e["name"].as_str().expect("name").into();
                let dir: String = e["dir"].as_str().expect("dir").into();
                Exercise {
                    flag_copies: e
                        .get("flag_copies")
                        .and_then(|f| f.as_bool())
                        .unwrap_or(true),
                    shipped: self.read(&format!("checker/shipped/{dir}/{name}.rs")),
                    solution: self.read(&format!("solutions/{dir}/{name}.rs")),
                    right: self.variants("right", &name),
                    wrong: self.variants("wrong", &name),
                    name,
                    dir,
                }
            })
            .collect()
    }

    /// The `.rs` files of checker/hidden/<kind>/<name>/, sorted by name.
    fn variants(&self, kind: &str, name: &str) -> Vec<String> {
        let dir = self.dir.path().join("checker/hidden").join(kind).join(name);
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "rs"))
            .collect();
        paths.sort();
        paths
            .iter()
            .map(|p| std::fs::read_to_string(p).expect("read"))
            .collect()
    }

    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(rel)).expect("read")
    }

    /// `grade --format json -o report` over the class; its wall time. A
    /// grade that fails has no figures worth printing.
    fn grade(&self, paths: &[PathBuf], report: &Path) -> Duration {
        let started = Instant::now();
        let out = Command::new(&self.bin)
            .arg("--course")
            .arg(self.dir.path())
            .arg("grade")
            .args(paths)
            .args(["--format", "json", "-o"])
            .arg(report)
            .stdin(Stdio::null())
            .output()
            .expect("threadlings runs");
        let took = started.elapsed();
        assert!(
            out.status.success(),
            "grade failed ({}):\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        took
    }
}
