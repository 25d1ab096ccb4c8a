//! Hidden tests for spawn3_main_ends_all. `run` gets the test's own `beat`
//! (counts beats, records their thread) and `work` (raises a flag): `run`
//! must come back once the work is done, while the heartbeat goes on beating
//! on a thread of its own. Then the learner's whole program is run a few
//! times: it must end by itself, with exit code 0 and all of its own lines.
use super::learner;
use super::support::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

pub const TESTS: &[Test] = &[
    Test {
        name: "run_returns_once_the_work_is_done",
        run: run_returns_once_the_work_is_done,
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

struct Observed {
    beats: Arc<AtomicUsize>,
    log: Log,
    caller: std::thread::ThreadId,
    work_done_at_return: bool,
    beats_at_return: usize,
}

/// Calls `run(beat, work)` with the test's closures; fails unless it returns.
fn call_run() -> Result<Observed, Failure> {
    let beats = Arc::new(AtomicUsize::new(0));
    let (log, work_done) = (Log::new(), Flag::new());
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
    let (work_log, work_flag) = (log.clone(), work_done.clone());
    let work = move || {
        work_log.note("work");
        work_flag.raise();
    };
    let (done, counted) = (work_done.clone(), beats.clone());
    let running = call("`run(beat, work)`", move || {
        learner::run(beat, work);
        (done.is_up(), counted.load(Ordering::SeqCst))
    });
    let caller = running.thread();
    if !poll_until(PATIENCE, || running.has_returned()) {
        return Err(Failure::timeout(format!(
            "`run` did not return within {} s{}. Is it waiting (`join`) for the heartbeat? \
             A heartbeat never ends, and nobody needs to wait for it: a spawned thread stops \
             when the program ends",
            PATIENCE.as_secs(),
            if work_done.is_up() {
                ", although the work was done"
            } else {
                ""
            }
        )));
    }
    let (work_done_at_return, beats_at_return) = running.finish()?;
    Ok(Observed {
        beats,
        log,
        caller,
        work_done_at_return,
        beats_at_return,
    })
}

fn run_returns_once_the_work_is_done() -> Outcome {
    let seen = call_run()?;
    ensure!(
        seen.work_done_at_return,
        "`run` returned before the work was done: it should do the work itself, then return"
    );
    Ok(())
}

fn heartbeat_outlives_run() -> Outcome {
    let seen = call_run()?;
    let (beats, at_return) = (seen.beats.clone(), seen.beats_at_return);
    // The heartbeat may not have beaten at all yet: give it time to.
    let beat_again = poll_until(PATIENCE, || beats.load(Ordering::SeqCst) > at_return);
    let Some(beat_thread) = seen.log.thread_of("beat") else {
        return Err("the heartbeat never beat: `run` should start it (`start_heartbeat`)".into());
    };
    ensure!(
        beat_thread != seen.caller,
        "the heartbeat beat on the thread that called `run`: it needs a thread of its own, \
         which `start_heartbeat` gives it"
    );
    ensure!(
        beat_again,
        "after `run` returned, the heartbeat did not beat again within {} s. It should go on \
         beating until the program ends: did it stop after a few beats so that it could be \
         waited for?",
        PATIENCE.as_secs()
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
