//! Hidden tests for join1_wait.
//!
//! The test's `spawned_line` notes each line with its thread, and holds line
//! 9 back until `count`'s caller is parked in a join (`let_go_in_order`: a
//! wait on the joined thread itself, not a channel, lock or barrier); the
//! spawned thread is then held as it exits until it is seen being joined.
//! What had been written, and whether the spawned thread was over, is read
//! inside the call, the instant `count` returns. Correct code (join after
//! the main loop) parks in `join`, line 9 is let go, the thread ends,
//! `count` returns with all nine lines and the thread over: every run.
//! Without a join, or with a sleep, the caller never parks, so line 9 is
//! still held when `count` returns; with a channel, a lock or `park` the
//! caller never counts as joining: every run. "In the meantime": line `k` of
//! the spawned thread and line `m` of the caller (random) meet at a timed
//! barrier, so both loops must run at once. Lines written on the calling
//! thread are caught by thread id. Last, the learner's own program is run up
//! to 20 times and must print all nine spawned lines (in order) and the four
//! main lines every time (other lines may come in between).
//!
//! Promises of the exercise's text, and the tests that observe them:
//!
//! | promise | tests |
//! | --- | --- |
//! | "`count` starts a thread that writes nine lines" | lines_come_from_the_right_threads |
//! | "and writes four lines of its own in the meantime" | lines_come_from_the_right_threads, main_lines_are_written_meanwhile |
//! | "Make `count` wait for the spawned thread before it returns" | all_spawned_lines_written_when_count_returns |
//! | "Writes lines 1 to 9 with `spawned_line` on a new thread" | lines_come_from_the_right_threads, all_spawned_lines_written_when_count_returns |
//! | "and, meanwhile, lines 1 to 4 with `main_line` on the calling thread" | lines_come_from_the_right_threads, main_lines_are_written_meanwhile |
//! | "Returns once all thirteen lines are written" | all_spawned_lines_written_when_count_returns |
//! | "some of the spawned thread's lines go missing" (to be fixed) | program_prints_every_line_every_time |
use super::learner;
use super::support::*;
use std::time::{Duration, Instant};

pub const TESTS: &[Test] = &[
    Test {
        name: "all_spawned_lines_written_when_count_returns",
        run: all_spawned_lines_written_when_count_returns,
    },
    Test {
        name: "lines_come_from_the_right_threads",
        run: lines_come_from_the_right_threads,
    },
    Test {
        name: "main_lines_are_written_meanwhile",
        run: main_lines_are_written_meanwhile,
    },
    Test {
        name: "program_prints_every_line_every_time",
        run: program_prints_every_line_every_time,
    },
];

const COUNT: &str = "`count(..)`";

fn numbers(entries: &[Entry]) -> Vec<String> {
    entries.iter().map(|e| e.label.clone()).collect()
}

fn all_spawned_lines_written_when_count_returns() -> Outcome {
    let (spawned, mains, last) = (
        Log::named("spawned line"),
        Log::named("main line"),
        Held::named("spawned line 9"),
    );
    let (s, m, l, written, over) = (
        spawned.clone(),
        mains.clone(),
        last.clone(),
        spawned.clone(),
        last.clone(),
    );
    let main_lines = mains.clone();
    let before = os_thread_ids();
    let t0 = Instant::now();
    let counting = call(COUNT, move || {
        learner::count(
            move |i| {
                if i == 9 {
                    l.arrive();
                    l.hold();
                }
                s.note(i.to_string());
                if i == 9 {
                    l.finish();
                }
            },
            move |i| m.note(i.to_string()),
        );
        // What had been written, and whether the spawned thread was over,
        // at the instant `count` returned.
        (
            written.entries(),
            main_lines.entries().len(),
            over.is_over(),
        )
    });
    let caller = counting.thread();
    let driven = let_go_in_order(&counting, &before, &[last.clone()], &[0]);
    last.let_go();
    if driven.is_err() && last.thread() == Some(caller) {
        return Err(format!(
            "line 9 of the spawned lines was written by the thread that called {COUNT}: the \
             nine spawned lines must come from the new thread, the one `thread::spawn` starts"
        )
        .into());
    }
    driven?;
    let (at_return, main_written, thread_over) = counting.finish_within(t0.elapsed() + PATIENCE)?;
    let expected: Vec<String> = (1..=9).map(|i| i.to_string()).collect();
    let got = numbers(&at_return);
    ensure!(
        got.len() >= 9,
        "when {COUNT} returned, the spawned thread had written {} of its 9 lines{}. \
         The thread is cut off when the program ends: did you keep the `JoinHandle` \
         and `join` it before returning?",
        got.len(),
        if got.is_empty() {
            String::new()
        } else {
            format!(" (lines {})", got.join(", "))
        }
    );
    ensure!(
        got == expected,
        "the spawned lines should be 1 to 9 in order, each once, but they were: {}",
        got.join(", ")
    );
    ensure!(
        thread_over,
        "when {COUNT} returned, the spawned thread had written its lines but was not over \
         yet: nothing waited for the thread itself. `join` its handle before returning"
    );
    ensure!(
        main_written == 4,
        "when {COUNT} returned, only {main_written} of the calling thread's 4 lines were written"
    );
    Ok(())
}

fn main_lines_are_written_meanwhile() -> Outcome {
    // Spawned line `k` and main line `m` meet: both loops run at once.
    let (k, m) = (random_between(1, 8) as u32, random_between(1, 4) as u32);
    let barrier = TimedBarrier::new(2);
    let (bs, bm) = (barrier.clone(), barrier.clone());
    let counting = call(COUNT, move || {
        learner::count(
            move |i| {
                record(EventKind::Note, format!("spawned line {i}"));
                if i == k {
                    bs.wait();
                }
            },
            move |i| {
                record(EventKind::Note, format!("main line {i}"));
                if i == m {
                    bm.wait();
                }
            },
        )
    });
    counting.finish_within(PATIENCE * 3)?;
    ensure!(
        barrier.passed(),
        "the calling thread's lines were not written while the spawned thread was writing \
         its own (spawned line {k} waited {} s for main line {m}, or the other way round, \
         in vain). Start the thread first, write the four lines meanwhile, and only then wait \
         for the thread",
        PATIENCE.as_secs()
    );
    Ok(())
}

fn lines_come_from_the_right_threads() -> Outcome {
    let (spawned, mains) = (Log::named("spawned line"), Log::named("main line"));
    let (s, m) = (spawned.clone(), mains.clone());
    let counting = call(COUNT, move || {
        learner::count(
            move |i| s.note(i.to_string()),
            move |i| m.note(i.to_string()),
        )
    });
    let caller = counting.thread();
    counting.finish()?;
    // Not a check of the join (the first test does that): give late lines a moment.
    poll_until(PATIENCE, || spawned.entries().len() >= 9);
    let main_entries = mains.entries();
    let expected: Vec<String> = (1..=4).map(|i| i.to_string()).collect();
    ensure!(
        numbers(&main_entries) == expected,
        "`main_line` should be called with 1, 2, 3, 4 in order, but it got: {}",
        numbers(&main_entries).join(", ")
    );
    ensure!(
        main_entries.iter().all(|e| e.thread == caller),
        "`main_line` was called on a thread other than the one that called {COUNT}: \
         the main thread's four lines belong on the calling thread"
    );
    let spawned_entries = spawned.entries();
    ensure!(
        !spawned_entries.is_empty(),
        "`spawned_line` was never called: the new thread should write lines 1 to 9"
    );
    ensure!(
        spawned_entries.iter().all(|e| e.thread != caller),
        "the spawned lines were written by the thread that called {COUNT}: they must come \
         from the new thread, the one `thread::spawn` starts"
    );
    let first = spawned_entries[0].thread;
    ensure!(
        spawned_entries.iter().all(|e| e.thread == first),
        "the spawned lines came from more than one thread: one spawned thread should write \
         all nine"
    );
    Ok(())
}

/// How many times the program is run, at most...
const RUNS: usize = 20;
/// ...and no new run starts after this much time (a loaded machine gets
/// fewer runs, never a failure: the first test is the one that proves the
/// join, on every run).
const BUDGET: Duration = Duration::from_millis(2500);
/// The limit of one run: generous, since the program takes milliseconds.
const ONE_RUN: Duration = Duration::from_secs(5);

fn program_prints_every_line_every_time() -> Outcome {
    let spawned: Vec<String> = (1..=9)
        .map(|i| format!("spawned thread: line {i} of 9"))
        .collect();
    let main: Vec<String> = (1..=4)
        .map(|i| format!("main thread: line {i} of 4"))
        .collect();
    for (index, program) in run_programs(RUNS, ONE_RUN, BUDGET)?.into_iter().enumerate() {
        let run = index + 1;
        ensure!(
            !program.timed_out,
            "your program did not finish within {} s (run {run} of {RUNS}): does it wait for \
             something that never ends?",
            ONE_RUN.as_secs()
        );
        ensure!(
            program.code == Some(0),
            "your program ended with exit code {:?} on run {run} of {RUNS}; stderr: {}",
            program.code,
            program.stderr.trim()
        );
        let lines: Vec<&str> = program.stdout.lines().collect();
        let seen = |wanted: &[String]| -> Vec<String> {
            lines
                .iter()
                .filter(|l| wanted.iter().any(|w| w == *l))
                .map(|l| l.to_string())
                .collect()
        };
        ensure!(
            !lines.is_empty(),
            "on run {run} of {RUNS}, your program printed nothing at all (keep `main` as it \
             was given). Does something end the program early?"
        );
        let got = seen(&spawned);
        ensure!(
            got.len() >= 9,
            "on run {run} of {RUNS}, your program printed only {} of the spawned thread's 9 \
             lines: the rest were cut off when `main` ended. Does `count` wait for its thread?",
            got.len()
        );
        ensure!(
            got == spawned,
            "on run {run} of {RUNS}, the spawned thread's lines were not 1 to 9, in order, \
             once each (keep `main` as it was given). Output:\n{}",
            program.stdout.trim_end()
        );
        ensure!(
            seen(&main) == main,
            "on run {run} of {RUNS}, the main thread's lines were not 1 to 4, in order, once \
             each (keep `main` as it was given). Output:\n{}",
            program.stdout.trim_end()
        );
    }
    Ok(())
}
