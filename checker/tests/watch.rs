//! Watch mode in a real pseudo-terminal: the real binary, keys typed as a
//! learner types them, the screen read back through a terminal emulator.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

use crate::harness::{PATIENCE, Test};

pub(crate) struct Terminal {
    master: Box<dyn portable_pty::MasterPty + Send>,
    writer: Box<dyn Write + Send>,
    parser: Arc<Mutex<vt100::Parser>>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
}

impl Terminal {
    pub(crate) fn start(test: &Test, args: &[&str], rows: u16, cols: u16) -> Terminal {
        Terminal::start_with(test, args, rows, cols, &[])
    }

    /// `env`: variables to set (`Some`) or remove (`None`) for threadlings.
    fn start_with(
        test: &Test,
        args: &[&str],
        rows: u16,
        cols: u16,
        env: &[(&str, Option<&str>)],
    ) -> Terminal {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("a pseudo-terminal");
        let mut cmd = CommandBuilder::new(assert_cmd::cargo::cargo_bin("threadlings"));
        cmd.arg("--course");
        cmd.arg(test.path());
        cmd.args(args);
        cmd.cwd(test.path());
        cmd.env("TERM", "xterm-256color");
        // As `run` does in the harness (the gated fixture's gates).
        for (key, value) in test.envs() {
            cmd.env(key, value);
        }
        for (key, value) in env {
            match value {
                Some(value) => cmd.env(key, value),
                None => cmd.env_remove(key),
            }
        }
        let child = pair.slave.spawn_command(cmd).expect("threadlings starts");
        drop(pair.slave);
        let parser = Arc::new(Mutex::new(vt100::Parser::new(rows, cols, 0)));
        let mut reader = pair.master.try_clone_reader().expect("a reader");
        let feed = Arc::clone(&parser);
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                feed.lock().unwrap().process(&buf[..n]);
            }
        });
        let writer = pair.master.take_writer().expect("a writer");
        Terminal {
            master: pair.master,
            writer,
            parser,
            child,
        }
    }

    fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    /// Waits until the screen shows `text` and has stopped changing (a
    /// redraw arrives in pieces: reading mid-way would mix two screens);
    /// returns the screen.
    pub(crate) fn wait_for(&self, text: &str) -> String {
        self.wait_until(&format!("{text:?}"), |screen| screen.contains(text))
    }

    /// Waits until the screen, stopped changing, satisfies `shows`.
    fn wait_until(&self, what: &str, shows: impl Fn(&str) -> bool) -> String {
        let started = Instant::now();
        loop {
            let screen = self.screen();
            if shows(&screen) {
                std::thread::sleep(Duration::from_millis(50));
                if self.screen() == screen {
                    return screen;
                }
                continue;
            }
            assert!(
                started.elapsed() < PATIENCE,
                "never saw {what}; the screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub(crate) fn send(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }

    fn resize(&self, rows: u16, cols: u16) {
        self.master
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        // The emulator needs a column; the program sees the real size.
        self.parser
            .lock()
            .unwrap()
            .screen_mut()
            .set_size(rows.max(1), cols.max(1));
    }

    fn wait_exit(&mut self) -> portable_pty::ExitStatus {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                started.elapsed() < PATIENCE,
                "watch mode did not exit; the screen:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

/// Saves a file the way many editors do: write a temporary file, rename it over.
pub(crate) fn save_by_rename(test: &Test, rel: &str, text: &str) {
    let path = test.path().join(rel);
    let tmp = path.with_extension("rs.swp");
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, &path).unwrap();
}

fn solution(test: &Test, name: &str) -> String {
    test.read(&format!("solutions/basics/{name}.rs"))
}

#[test]
fn a_learners_session_from_welcome_to_the_next_exercise() {
    let test = Test::new("two");
    let mut term = Terminal::start(&test, &[], 30, 100);
    term.wait_for("Welcome to the two-exercise fixture course.");
    term.send("\r");
    let screen = term.wait_for("✗ Not yet: fail");
    assert!(
        screen.contains("double") && screen.contains("exercises/basics/double.rs"),
        "{screen}"
    );
    assert!(screen.contains("0/2"), "{screen}");
    assert!(
        screen.contains("returned"),
        "the hidden test's message: {screen}"
    );

    // A compile error shows rustc's own message, pointing at the file.
    save_by_rename(
        &test,
        "exercises/basics/double.rs",
        "pub fn double(x: u64) -> u64 { \"two\" }\nfn main() {}\n",
    );
    let screen = term.wait_for("does not compile");
    assert!(
        screen.contains("mismatched types") && screen.contains("exercises/basics/double.rs:1"),
        "{screen}"
    );

    // The hint toggles.
    term.send("h");
    term.wait_for("Multiply by two on another thread.");
    term.send("h");
    let started = Instant::now();
    while term.screen().contains("Multiply by two on another thread.") {
        assert!(started.elapsed() < PATIENCE, "the hint did not hide");
        std::thread::sleep(Duration::from_millis(20));
    }

    // Saving the solution by rename: passed, recorded at once, solution shown.
    save_by_rename(
        &test,
        "exercises/basics/double.rs",
        &solution(&test, "double"),
    );
    let screen = term.wait_for("✓ Passed!");
    assert!(
        screen.contains("1/2") && screen.contains("solutions/basics/double.rs"),
        "{screen}"
    );
    assert!(
        test.read(".threadlings-state").contains("\"double\""),
        "recorded without a key press"
    );

    // `n` moves on.
    term.send("n");
    let screen = term.wait_for("exercises/basics/triple.rs");
    assert!(screen.contains("1/2"), "{screen}");

    // `q` quits and gives the terminal back.
    term.send("q");
    assert!(term.wait_exit().success());
    let parser = term.parser.lock().unwrap();
    assert!(
        !parser.screen().alternate_screen(),
        "still on the alternate screen"
    );
    assert!(!parser.screen().hide_cursor(), "the cursor is still hidden");
    drop(parser);

    // A restart resumes at the exercise where the learner left, no welcome.
    let term = Terminal::start(&test, &[], 30, 100);
    let screen = term.wait_for("exercises/basics/triple.rs");
    assert!(!screen.contains("Welcome"), "{screen}");
}

#[test]
fn list_view_moves_filters_and_makes_an_exercise_current() {
    let test = Test::new("two").write(".threadlings-state", "{}");
    let mut term = Terminal::start(&test, &[], 30, 100);
    term.wait_for("✗ Not yet");
    term.send("l");
    let screen = term.wait_for("Exercises");
    assert!(
        screen.contains("current") && screen.contains("pending"),
        "{screen}"
    );
    term.send("j");
    term.send("\r");
    term.wait_for("exercises/basics/triple.rs");
    term.send("l");
    term.wait_for("Exercises");
    term.send("/dou\r");
    term.wait_for("filter: /dou");
    term.send("\r");
    term.wait_for("exercises/basics/double.rs");
}

#[test]
fn reset_asks_first_and_only_y_puts_the_shipped_file_back() {
    // The shipped versions come from the binary: the bundled course.
    let test = Test::bundled().write(".threadlings-state", "{}");
    let file = "exercises/01_spawning/spawn1_closure.rs";
    let shipped = test.read(file);
    let mine = format!("{shipped}\n// The learner's work.\n");
    let test = test.write(file, &mine);
    let mut term = Terminal::start(&test, &[], 30, 100);
    term.wait_for("does not compile");

    // `x` only asks: the file is untouched while the question shows.
    term.send("x");
    term.wait_for("(y/n)");
    assert_eq!(test.read(file), mine, "reset before the learner answered");
    // Any answer but `y` keeps the learner's file.
    term.send("n");
    let screen = term.wait_for("x reset");
    assert!(!screen.contains("(y/n)"), "{screen}");
    assert_eq!(test.read(file), mine, "`n` must keep the file");

    // `y` puts the shipped version back.
    term.send("x");
    term.wait_for("(y/n)");
    term.send("y");
    term.wait_for("is back as shipped");
    assert_eq!(test.read(file), shipped);
}

/// The line under the check-all heading: its progress bar.
fn check_all_progress(screen: &str) -> Option<&str> {
    let mut lines = screen
        .lines()
        .skip_while(|line| !line.contains("Checking every exercise…"));
    lines.next()?;
    lines.find(|line| !line.trim().is_empty())
}

#[test]
fn check_all_shows_its_progress_until_every_check_is_done() {
    // The gated fixture: each hidden test waits until the test lets it go.
    // double's gate is open; triple, solved, waits at its gate.
    let test = Test::new("gated")
        .write(".threadlings-state", "{}")
        .copy("solutions/basics/triple.rs", "exercises/basics/triple.rs");
    test.open_gate("double");
    let mut term = Terminal::start(&test, &[], 30, 100);
    term.wait_for("✗ Not yet: fail");
    term.send("c");
    // While triple's check waits, the progress view shows double counted.
    test.wait_started("triple", 1);
    let screen = term.wait_until("the check-all progress at 1/2", |screen| {
        check_all_progress(screen).is_some_and(|bar| bar.trim_end().ends_with(" 1/2"))
    });
    assert!(!screen.contains("Exercises"), "{screen}");
    // Only when every check is done does the list come, with the results.
    test.open_gate("triple");
    let screen = term.wait_for("Exercises");
    assert!(screen.contains("1/2 done"), "{screen}");
    let triple = screen
        .lines()
        .find(|line| line.trim_end().ends_with("triple"))
        .unwrap_or_else(|| panic!("no triple in the list:\n{screen}"));
    assert!(triple.contains("done"), "{screen}");
}

#[test]
fn a_tiny_terminal_and_resizes_do_not_break_it() {
    let test = Test::new("two").write(".threadlings-state", "{}");
    let mut term = Terminal::start(&test, &[], 10, 20);
    term.wait_for("Not yet");
    term.resize(3, 0);
    term.send("r");
    std::thread::sleep(Duration::from_millis(300));
    term.resize(40, 120);
    term.send("r");
    term.wait_for("exercises/basics/double.rs");
    term.send("q");
    assert!(term.wait_exit().success());
}

#[test]
fn saves_during_a_check_are_not_lost() {
    // The gated fixture: the hidden test waits until the test lets it go,
    // so the saves below surely land while a check runs.
    let test = Test::new("gated").write(".threadlings-state", "{}");
    let file = "exercises/basics/double.rs";
    let shipped = test.read(file);
    let term = Terminal::start(&test, &[], 30, 100);
    // The first check (of the shipped file) is at its hidden test.
    test.wait_started("double", 1);
    term.wait_for("Checking…");
    // A burst of saves, the last one the solution.
    for i in 0..3 {
        save_by_rename(&test, file, &format!("{shipped}// save {i}\n"));
    }
    save_by_rename(&test, file, &solution(&test, "double"));
    // Time for the watcher to take them in while the check still waits:
    // only so that a watch mode that drops them cannot get lucky (a right
    // one passes however long this takes).
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(test.started("double"), 1, "the first check ended early");
    assert!(term.screen().contains("Checking…"), "{}", term.screen());
    // The first check ends (shipped file: fail); the verdict must then be
    // on the newest content.
    test.open_gate("double");
    term.wait_for("✓ Passed!");
    assert!(
        test.started("double") >= 2,
        "the solution was never checked"
    );
    assert!(
        test.read(".threadlings-state").contains("\"double\""),
        "the pass was not recorded"
    );
}

#[test]
fn manual_mode_rechecks_on_enter() {
    let test = Test::new("two").write(".threadlings-state", "{}");
    let mut term = Terminal::start(&test, &["watch", "--manual"], 30, 100);
    term.wait_for("✗ Not yet");
    save_by_rename(
        &test,
        "exercises/basics/double.rs",
        &solution(&test, "double"),
    );
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        !term.screen().contains("Passed"),
        "manual mode must wait for Enter"
    );
    term.send("\r");
    term.wait_for("✓ Passed!");
}

#[test]
fn poll_mode_sees_saves() {
    let test = Test::new("two").write(".threadlings-state", "{}");
    let term = Terminal::start(&test, &["watch", "--poll"], 30, 100);
    term.wait_for("✗ Not yet");
    save_by_rename(
        &test,
        "exercises/basics/double.rs",
        &solution(&test, "double"),
    );
    term.wait_for("✓ Passed!");
}

#[test]
fn without_landlock_the_screen_says_what_the_sandbox_lacks_and_checks_still_work() {
    // On the welcome screen of a first start, then on the exercise's.
    let test = Test::new("two");
    let env = [("THREADLINGS_SANDBOX", Some("no-landlock"))];
    let mut term = Terminal::start_with(&test, &[], 30, 120, &env);
    let screen = term.wait_for("does not offer Landlock");
    assert!(screen.contains("Welcome"), "{screen}");
    drop(term);
    let test = test.write(".threadlings-state", "{}");
    term = Terminal::start_with(&test, &[], 30, 120, &env);
    let screen = term.wait_for("does not offer Landlock");
    assert!(screen.contains("sandbox around learner code"), "{screen}");
    save_by_rename(
        &test,
        "exercises/basics/double.rs",
        &solution(&test, "double"),
    );
    term.wait_for("✓ Passed!");
}

#[test]
fn a_damaged_state_file_is_a_message_not_a_panic() {
    let test = Test::new("two").write(".threadlings-state", "{ not json");
    let term = Terminal::start(&test, &[], 30, 120);
    let screen = term.wait_for("damaged");
    assert!(screen.contains("exercises/basics/double.rs"), "{screen}");
}

#[test]
fn quitting_leaves_no_process_behind() {
    let test = Test::new("hang").write(".threadlings-state", "{}");
    let mut term = Terminal::start(&test, &[], 30, 100);
    term.wait_for("Checking");
    let started = Instant::now();
    while test.leftover_processes().is_empty() {
        assert!(
            started.elapsed() < PATIENCE,
            "the test process never started"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    term.send("q");
    assert!(term.wait_exit().success());
    assert_eq!(test.leftover_processes(), Vec::<String>::new());
}

#[test]
fn ctrl_c_and_sigterm_give_the_terminal_back() {
    for how in ["ctrl-c", "sigterm"] {
        let test = Test::new("two").write(".threadlings-state", "{}");
        let mut term = Terminal::start(&test, &[], 30, 100);
        term.wait_for("✗ Not yet");
        assert!(term.parser.lock().unwrap().screen().alternate_screen());
        if how == "ctrl-c" {
            term.send("\x03");
        } else {
            let pid = term.child.process_id().expect("a pid");
            nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(pid as i32),
                nix::sys::signal::Signal::SIGTERM,
            )
            .unwrap();
        }
        term.wait_exit();
        // The last bytes may still be on their way to the emulator.
        let started = Instant::now();
        loop {
            let (alternate, hidden) = {
                let parser = term.parser.lock().unwrap();
                (
                    parser.screen().alternate_screen(),
                    parser.screen().hide_cursor(),
                )
            };
            if !alternate && !hidden {
                break;
            }
            assert!(
                started.elapsed() < PATIENCE,
                "{how}: the terminal was not given back"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// A finished exercise broken again is not done any more, at once: the bar,
/// the list and `n` say so without a check-all.
#[test]
fn breaking_a_finished_exercise_shows_it_unfinished_at_once() {
    let test = Test::new("two").write(
        ".threadlings-state",
        r#"{"current":"double","done":["double","triple"]}"#,
    );
    let double = solution(&test, "double");
    let test = test.write("exercises/basics/double.rs", &double);
    let mut term = Terminal::start(&test, &[], 30, 100);
    let screen = term.wait_for("✓ Passed!");
    assert!(screen.contains("2/2"), "{screen}");

    save_by_rename(
        &test,
        "exercises/basics/double.rs",
        "pub fn double(x: u64) -> u64 { \"two\" }\nfn main() {}\n",
    );
    let screen = term.wait_for("does not compile");
    assert!(screen.contains("1/2"), "the bar still counts it: {screen}");
    term.send("n");
    let screen = term.wait_for("the last exercise left");
    assert!(!screen.contains("every exercise is done"), "{screen}");
    term.send("l");
    let screen = term.wait_for("Exercises");
    let line = screen
        .lines()
        .find(|l| l.trim_end().ends_with("double"))
        .unwrap_or_else(|| panic!("{screen}"));
    assert!(!line.contains("done"), "{screen}");
    let state: serde_json::Value = serde_json::from_str(&test.read(".threadlings-state")).unwrap();
    assert_eq!(state["done"], serde_json::json!(["triple"]), "{state}");
}

/// A save to another exercise that is done is checked quietly: breaking it
/// takes it off the progress bar without visiting it.
#[test]
fn saving_another_finished_exercise_updates_its_progress() {
    let test = Test::new("two").write(
        ".threadlings-state",
        r#"{"current":"double","done":["double","triple"]}"#,
    );
    let double = solution(&test, "double");
    let triple = solution(&test, "triple");
    let test = test
        .write("exercises/basics/double.rs", &double)
        .write("exercises/basics/triple.rs", &triple);
    let term = Terminal::start(&test, &[], 30, 100);
    term.wait_for("2/2");
    save_by_rename(
        &test,
        "exercises/basics/triple.rs",
        "fn main() { broken }\n",
    );
    let screen = term.wait_for("1/2");
    assert!(screen.contains("exercises/basics/double.rs"), "{screen}");
    let state: serde_json::Value = serde_json::from_str(&test.read(".threadlings-state")).unwrap();
    assert_eq!(state["done"], serde_json::json!(["double"]), "{state}");
}

/// The rows of the screen between the header and the footer's scroll line,
/// without spaces (wrapping may break a line anywhere).
fn squeezed(screen: &str) -> String {
    screen.split_whitespace().collect()
}

/// The scroll line's `lines A-B of N`.
fn window(screen: &str) -> (usize, usize, usize) {
    let at = screen.find("lines ").expect("a scroll line") + "lines ".len();
    let words: Vec<&str> = screen[at..].split_whitespace().take(3).collect();
    let (a, b) = words[0].split_once('-').expect("A-B");
    assert_eq!(words[1], "of", "{screen}");
    (
        a.parse().unwrap(),
        b.parse().unwrap(),
        words[2].parse().unwrap(),
    )
}

/// A message much taller than the screen: every line of it can be scrolled
/// into view, wrapped, never cut, at 80x24 and 40x15.
#[test]
fn every_line_of_a_long_message_can_be_scrolled_to() {
    let mut source = String::from("pub fn double(x: u64) -> u64 { x }\n");
    for i in 0..8 {
        source.push_str(&format!(
            "pub fn wrong_{i}() -> u32 {{ let a_rather_long_variable_name_{i}: u32 = \"not a number at all\"; a_rather_long_variable_name_{i} }}\n"
        ));
    }
    source.push_str("fn main() {}\n");
    let test = Test::new("two")
        .write(".threadlings-state", "{}")
        .write("exercises/basics/double.rs", &source);
    let json = test.run_args(["run", "double", "--json"]);
    let verdict: serde_json::Value = serde_json::from_slice(&json.get_output().stdout).unwrap();
    let message = verdict["message"].as_str().unwrap().to_string();
    assert!(message.lines().count() > 40, "{message}");

    for (rows, cols) in [(24, 80), (15, 40)] {
        let mut term = Terminal::start(&test, &[], rows, cols);
        let first = term.wait_for("does not compile");
        assert!(
            first.contains("lines 1-"),
            "{rows}x{cols}: no way to scroll:\n{first}"
        );
        assert!(!first.contains("more lines"), "{first}");
        let mut seen = vec![squeezed(&first)];
        // One line at a time until the window shows the last line.
        let (mut at, _, total) = window(&first);
        loop {
            term.send("j");
            let screen = term.wait_until("the window one line down", |s| window(s).0 == at + 1);
            seen.push(squeezed(&screen));
            let (top, bottom, _) = window(&screen);
            if bottom == total {
                break;
            }
            at = top;
            assert!(seen.len() < 400, "scrolling never ends");
        }
        for line in message.lines() {
            let line = squeezed(line);
            assert!(
                seen.iter().any(|screen| screen.contains(&line)),
                "{rows}x{cols}: never shown: {line}"
            );
        }
        // Home goes back to the top, End to the bottom.
        term.send("g");
        let top = term.wait_for("does not compile");
        assert_eq!(squeezed(&top), seen[0]);
        term.send("G");
        term.wait_until("the bottom", |s| squeezed(s) == *seen.last().unwrap());
        term.send("q");
        term.wait_exit();
    }
}

/// `m` runs the learner's `main` again and shows what it printed; the
/// output stays on the screen after a pass.
#[test]
fn m_runs_the_program_and_its_output_stays_after_a_pass() {
    let test = Test::new("two").write(".threadlings-state", "{}");
    // Each run is a process of its own, in a directory of its own: its pid
    // tells one run from the next.
    let program = solution(&test, "double").replace(
        "fn main() {\n    println!(\"{}\", double(21));\n}",
        "fn main() {\n    println!(\"run in process {} says {}\", std::process::id(), double(21));\n}",
    );
    assert!(
        program.contains("run in process"),
        "the solution's main changed: {program}"
    );
    let test = test.write("exercises/basics/double.rs", &program);
    let mut term = Terminal::start(&test, &[], 30, 100);
    let run_line = |screen: &str| {
        screen
            .lines()
            .find(|line| line.contains("run in process"))
            .map(str::to_string)
    };
    let screen = term.wait_for("says 42");
    assert!(screen.contains("✓ Passed!"), "{screen}");
    let first = run_line(&screen).expect("the program's line");
    term.send("m");
    let screen = term.wait_until("another run's line", |screen| {
        run_line(screen).is_some_and(|line| line != first && line.contains("says 42"))
    });
    assert!(screen.contains("✓ Passed!"), "{screen}");
}

/// Quitting says how to come back, in the words the learner started with.
#[test]
fn quitting_names_the_command_that_started_it() {
    for (env, expected) in [
        (None, "Run `threadlings` again"),
        // What `cargo run` gives the program it starts (the binary under
        // test is a debug build).
        (Some("cargo"), "Run `cargo run` again"),
    ] {
        let test = Test::new("two").write(".threadlings-state", "{}");
        let mut term = Terminal::start_with(&test, &[], 30, 100, &[("CARGO", env)]);
        term.wait_for("✗ Not yet");
        term.send("q");
        assert!(term.wait_exit().success());
        term.wait_for(expected);
    }
}

/// `n` into another chapter opens it with its title, its idea and where
/// its README is.
#[test]
fn moving_into_a_new_chapter_opens_with_its_idea() {
    let test = Test::bundled().write(
        ".threadlings-state",
        r#"{"current":"spawn4_quiz","done":["spawn1_closure","spawn2_two_workers","spawn3_main_ends_all"]}"#,
    );
    let quiz = test.read("solutions/01_spawning/spawn4_quiz.rs");
    let test = test.write("exercises/01_spawning/spawn4_quiz.rs", &quiz);
    let mut term = Terminal::start(&test, &[], 40, 100);
    term.wait_for("✓ Passed!");
    term.send("n");
    let screen = term.wait_for("New chapter: Chapter 2: joining threads");
    assert!(
        screen.contains("exercises/02_joining/README.md")
            && screen.contains("hands you a `JoinHandle`"),
        "{screen}"
    );
    assert!(screen.contains("join1_wait"), "{screen}");
}

/// A check that waits on a deadline moves: a spinner, the elapsed time,
/// and what the hidden test waits for, in the learner's terms, never for
/// longer than the run may last (2 s in this fixture; the test itself would
/// wait 60 s).
#[test]
fn a_slow_check_shows_time_passing_and_what_it_waits_for() {
    let test = Test::new("hang").write(".threadlings-state", "{}");
    let term = Terminal::start(&test, &[], 30, 160);
    let first = term.wait_for("for `double(x)` to return");
    assert!(
        first.contains("waiting up to 2 s") || first.contains("waiting up to 1 s"),
        "{first}"
    );
    let elapsed = |screen: &str| -> f64 {
        let at = screen.find("Checking… ").expect("the checking line") + "Checking… ".len();
        screen[at..].split(' ').next().unwrap().parse().unwrap()
    };
    term.wait_until("the time moving on", |s| {
        s.contains("Checking… ") && elapsed(s) > elapsed(&first)
    });
    term.wait_for("timeout");
}

/// On a first start the welcome screen is read while the test library is
/// built: it is ready before the learner presses Enter.
#[test]
fn the_test_library_is_built_while_the_welcome_is_read() {
    let test = Test::new("two");
    let mut term = Terminal::start(&test, &[], 30, 100);
    term.wait_for("Welcome to the two-exercise fixture course.");
    term.wait_for("Ready.");
    let support = test.path().join("target/threadlings/support");
    let built = std::fs::read_dir(&support)
        .unwrap_or_else(|e| panic!("{}: {e}", support.display()))
        .flatten()
        .any(|d| {
            ["libthreadlings_support.so", "libthreadlings_support.rlib"]
                .iter()
                .any(|lib| d.path().join(lib).is_file())
        });
    assert!(built, "Ready. before the library was built");
    term.send("\r");
    term.wait_for("✗ Not yet");
}

/// A status line lasts until the next check.
#[test]
fn a_status_line_goes_away_at_the_next_check() {
    let test = Test::bundled().write(".threadlings-state", "{}");
    let file = "exercises/01_spawning/spawn1_closure.rs";
    let shipped = test.read(file);
    let mut term = Terminal::start(&test, &[], 30, 100);
    term.wait_for("does not compile");
    term.send("x");
    term.wait_for("(y/n)");
    term.send("y");
    term.wait_for("is back as shipped");
    term.wait_until("the check after the reset", |s| {
        s.contains("does not compile") && s.contains("is back as shipped")
    });
    save_by_rename(&test, file, &format!("{shipped}\n// touched\n"));
    term.wait_until("the status line gone", |s| {
        s.contains("does not compile") && !s.contains("is back as shipped")
    });
}

/// rustc's warnings on the learner's file show below the verdict, and the
/// file still passes.
#[test]
fn warnings_show_below_a_pass() {
    let test = Test::new("two").write(".threadlings-state", "{}");
    let program = solution(&test, "double").replace(
        "pub fn double(x: u64) -> u64 {",
        "pub fn double(x: u64) -> u64 {\n    let never_read_anywhere = 7;",
    );
    let test = test.write("exercises/basics/double.rs", &program);
    let term = Terminal::start(&test, &[], 40, 120);
    let screen = term.wait_for("rustc's warnings");
    assert!(
        screen.contains("✓ Passed!") && screen.contains("never_read_anywhere"),
        "{screen}"
    );
}

#[test]
fn t_shows_what_the_threads_did_and_hides_it_again() {
    let answer = std::fs::read_to_string(
        crate::harness::repo().join("checker/hidden/wrong/join1_wait/no_join.rs"),
    )
    .expect("the wrong answer");
    let test = Test::bundled()
        .write(".threadlings-state", r#"{"current":"join1_wait"}"#)
        .write("exercises/02_joining/join1_wait.rs", &answer);
    // Tall enough for the message and the picture under it.
    let mut term = Terminal::start(&test, &[], 70, 100);
    term.wait_for("Not yet");
    let screen = term.screen();
    assert!(!screen.contains("What the threads did"), "{screen}");
    term.send("t");
    let screen = term.wait_for("What the threads did:");
    assert!(screen.contains("still running when"), "{screen}");
    term.send("t");
    term.wait_until("the picture gone", |s| !s.contains("What the threads did"));
}
