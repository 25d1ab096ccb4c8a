//! Hidden tests for spawn3_main_ends_all. `run` gets the test's own `beat`
//! (counts beats, records their thread) and `work` (waits until the
//! heartbeat has beaten, at most `PATIENCE`, records its thread, raises a
//! flag, and starts a stopwatch): the heartbeat must beat while the work
//! runs, `run` must come back straight after the work is done (its own time
//! from the end of the work to its return, see `Stopwatch`), and the
//! heartbeat must go on beating, on a thread of its own, after `run` has
//! returned. Then the learner's whole program is run a few times: it must
//! end by itself, with exit code 0 and all of its own lines.
//!
//! Promises of the exercise's text, and the tests that observe them:
//!
//! | promise | tests |
//! | --- | --- |
//! | "`run` starts the heartbeat" | heartbeat_beats_during_the_work, heartbeat_outlives_run |
//! | "does the work" | run_returns_once_the_work_is_done |
//! | "then does `work` on this thread" | run_returns_once_the_work_is_done |
//! | "Starts a heartbeat that calls `beat`, then does `work`" | heartbeat_beats_during_the_work |
//! | "and returns as soon as the work is done" | run_returns_once_the_work_is_done, run_returns_straight_after_the_work |
//! | "leaving the heartbeat beating" | heartbeat_outlives_run |
//! | "a thread that calls `beat` again and again, forever" | heartbeat_outlives_run |
//! | "The heartbeat ends when the program ends" | program_ends_by_itself |
//! | "Leave `main` as it is: the tests run it too" | program_ends_by_itself |
use super::learner;
use super::support::*;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, ThreadId};

pub const TESTS: &[Test] = &[
    Test {
        name: "run_returns_once_the_work_is_done",
        run: run_returns_once_the_work_is_done,
    },
    Test {
        name: "heartbeat_beats_during_the_work",
        run: heartbeat_beats_during_the_work,
    },
    Test {
        name: "run_returns_straight_after_the_work",
        run: run_returns_straight_after_the_work,
    },
    Test {
        name: "heartbeat_outlives_run",
        run: heartbeat_outlives_run,
    },
    Test {
        name: "program_ends_by_itself",
        run: program_ends_by_itself,
    },
];

/// Whole-program runs, and how long each may take (it needs ~50 ms).
const RUNS: usize = 3;
const LIMIT: std::time::Duration = PATIENCE.saturating_mul(2);
/// Beats the heartbeat must go on beating after `run` returned (it beats
/// every 10 ms: a quarter of a second on an idle machine). "Forever" cannot
/// be waited for; a heartbeat that stops, or ends the program, within this
/// many beats is caught.
const MORE_BEATS: usize = 25;

struct Observed {
    beats: Arc<AtomicUsize>,
    log: Log,
    caller: ThreadId,
    work_done_at_return: bool,
    beats_at_return: usize,
    /// Whether the heartbeat beat while the work was running.
    beat_during_work: bool,
    /// `run`'s own time from the end of the work to its return.
    after_work: Option<std::time::Duration>,
}

/// Calls `run(beat, work)` with the test's closures; fails unless it returns.
fn call_run() -> Result<Observed, Failure> {
    let beats = Arc::new(AtomicUsize::new(0));
    let (log, work_done, beat_during_work) = (Log::new(), Flag::new(), Flag::new());
    let (counter, beat_log, noted) = (beats.clone(), log.clone(), Flag::new());
    let beat = move || {
        // Noted before it is counted: whoever sees a beat counted also
        // finds the thread it beat on, however the threads are scheduled.
        if !noted.is_up() {
            noted.raise();
            beat_log.note("beat");
        }
        counter.fetch_add(1, Ordering::SeqCst);
    };
    let stopwatch: Arc<Mutex<Option<(ThreadId, Stopwatch)>>> = Arc::default();
    let (work_log, work_flag, during, watch) = (
        log.clone(),
        work_done.clone(),
        beat_during_work.clone(),
        stopwatch.clone(),
    );
    let seen_beats = beats.clone();
    let work = move || {
        work_log.note("work");
        if poll_until(PATIENCE, || seen_beats.load(Ordering::SeqCst) > 0) {
            during.raise();
        }
        work_flag.raise();
        *watch.lock().unwrap() = Some((thread::current().id(), Stopwatch::start()));
    };
    let (done, counted) = (work_done.clone(), beats.clone());
    let running = call("`run(beat, work)`", move || {
        learner::run(beat, work);
        // Measured on the thread the work ran on, if that is this one.
        let after_work = match &*stopwatch.lock().unwrap() {
            Some((on, watch)) if *on == thread::current().id() => watch.own_time(),
            _ => None,
        };
        (done.is_up(), counted.load(Ordering::SeqCst), after_work)
    });
    let caller = running.thread();
    if !poll_until(PATIENCE * 2, || running.has_returned()) {
        return Err(Failure::timeout(format!(
            "`run` did not return within {} s{}. Is it waiting (`join`) for the heartbeat? \
             A heartbeat never ends, and nobody needs to wait for it: a spawned thread stops \
             when the program ends",
            (PATIENCE * 2).as_secs(),
            if work_done.is_up() {
                ", although the work was done"
            } else {
                ""
            }
        )));
    }
    let (work_done_at_return, beats_at_return, after_work) = running.finish()?;
    Ok(Observed {
        beats,
        log,
        caller,
        work_done_at_return,
        beats_at_return,
        beat_during_work: beat_during_work.is_up(),
        after_work,
    })
}

fn run_returns_once_the_work_is_done() -> Outcome {
    let seen = call_run()?;
    ensure!(
        seen.work_done_at_return,
        "`run` returned before the work was done: it should do the work itself, then return"
    );
    ensure!(
        seen.log.thread_of("work") == Some(seen.caller),
        "the work ran on a thread other than the one that called `run`: `run` should do the \
         work itself, on its own thread, while the heartbeat beats on another"
    );
    Ok(())
}

fn heartbeat_beats_during_the_work() -> Outcome {
    let seen = call_run()?;
    ensure!(
        seen.beat_during_work,
        "the heartbeat did not beat while the work was running (the work waited {} s for a \
         beat, in vain). `run` should start the heartbeat first, then do the work while it \
         beats",
        PATIENCE.as_secs()
    );
    Ok(())
}

fn run_returns_straight_after_the_work() -> Outcome {
    let seen = call_run()?;
    if let Some(took) = seen.after_work {
        ensure!(
            took <= STRAIGHT_AWAY,
            "`run` took {} ms to return after the work was done (not counting time the machine \
             kept it waiting for a CPU). It should return as soon as the work is done: does it \
             wait for some beats, or sleep?",
            took.as_millis()
        );
    }
    Ok(())
}

fn heartbeat_outlives_run() -> Outcome {
    let seen = call_run()?;
    let (beats, at_return) = (seen.beats.clone(), seen.beats_at_return);
    // The heartbeat may not have beaten at all yet: give it time to.
    let beat_on = poll_until(PATIENCE * 2, || {
        beats.load(Ordering::SeqCst) >= at_return + MORE_BEATS
    });
    let Some(beat_thread) = seen.log.thread_of("beat") else {
        return Err("the heartbeat never beat: `run` should start it (`start_heartbeat`)".into());
    };
    ensure!(
        beat_thread != seen.caller,
        "the heartbeat beat on the thread that called `run`: it needs a thread of its own, \
         which `start_heartbeat` gives it"
    );
    ensure!(
        beat_on,
        "after `run` returned, the heartbeat beat only {} more time(s) in {} s. It should go \
         on beating until the program ends: did it stop after a few beats so that it could be \
         waited for?",
        beats.load(Ordering::SeqCst).saturating_sub(at_return),
        (PATIENCE * 2).as_secs()
    );
    Ok(())
}

fn program_ends_by_itself() -> Outcome {
    for program in run_programs(RUNS, LIMIT, LIMIT)? {
        ensure!(
            !program.timed_out,
            "your program did not end by itself within {} s: its `main` must be waiting for \
             something, probably for the heartbeat, which never ends",
            LIMIT.as_secs()
        );
        ensure!(
            program.code == Some(0),
            "your program ended with {} instead of exit code 0{}",
            match program.code {
                Some(code) => format!("exit code {code}"),
                None => "a signal".to_string(),
            },
            last_words(&program.stderr)
        );
        let lines: Vec<&str> = program.stdout.lines().collect();
        let mut at = 0;
        for step in 1..=4 {
            let wanted = format!("working: step {step}");
            let Some(found) = lines[at..].iter().position(|l| *l == wanted) else {
                return Err(format!(
                    "your program ended (exit code 0) without printing `{wanted}`: `main` \
                     should run all the work before it ends. Leave `main` as it was given"
                )
                .into());
            };
            at += found + 1;
        }
        ensure!(
            lines[at..].iter().any(|l| l.starts_with("work done")),
            "your program ended without printing its last line (`work done: ...`) after the \
             work: does `run` return to `main`? Leave `main` as it was given"
        );
    }
    Ok(())
}

/// The last line the program wrote to stderr, to show with a failure.
fn last_words(stderr: &str) -> String {
    match stderr.lines().rev().find(|l| !l.trim().is_empty()) {
        Some(line) => format!(": it said `{}`", line.trim()),
        None => String::new(),
    }
}
