//! Hidden tests for join5_placement_order.
//!
//! * `first` and `side` meet at a `TimedBarrier(2)`: they ran at the same
//!   time. Each job notes its thread: three distinct threads, none the
//!   caller's.
//! * `second` starts only after `first` has finished, on every run, for
//!   this reason. `first` and `side` are held back; `second` is not, and
//!   notes at its start whether `first` was done. The test lets `side` go,
//!   then `first`, each step only when the caller is parked in a join (a
//!   wait on a thread, not a channel, lock or `park`) and every thread of
//!   the process is accounted for: there before the call, the caller, a
//!   thread that has started one of the jobs, or a thread that is itself
//!   parked (`let_go_in_order`). `first` is done only after it is let go.
//!   So when `first` is let go, `second` has either started already (it saw
//!   `first` unfinished: wrong code, and nothing left to chance), or no
//!   thread exists that is about to start it; the caller and any parked
//!   thread can wake only when a thread they wait for ends, and the held
//!   `first` cannot end before it is let go. Code that joins `first` before
//!   it spawns `second` (or starts `second` from `first`'s own thread once
//!   `first` has run) can start `second` only after `first` is done: always
//!   "after". Code that spawns `second` before that join (all at once, joins
//!   at the end), or that sleeps instead of joining, or runs `second` on the
//!   caller without the join, starts `second` while `first` is held: always
//!   "before".
//! * Every job is over when `pipeline` returns: all three are held and let
//!   go one at a time as above, in two rounds, each in a random order, and
//!   each job's thread is held as it exits until some thread is seen
//!   joining it; which jobs' threads were over is read inside the call the
//!   instant `pipeline` returns. A missing join of any of them fails, in
//!   every order: every run.
//!
//! Promises of the exercise's text, and the tests that observe them:
//!
//! | promise | tests |
//! | --- | --- |
//! | "`second` uses what `first` produced, so it must not start before `first` has finished" | second_starts_after_first_is_done |
//! | "Each job runs on a thread of its own" | each_job_on_a_thread_of_its_own |
//! | "`first` and `side` should run at the same time (`side` waits for nobody)" | first_and_side_run_at_the_same_time |
//! | "and `pipeline` returns only once all three jobs are done" | every_job_done_when_pipeline_returns |
//! | "Make `second` wait for `first`, without holding up `side`" | second_starts_after_first_is_done, first_and_side_run_at_the_same_time |
//! | "Runs `first`, `second` and `side`, each on a thread of its own" | each_job_on_a_thread_of_its_own |
//! | "`first` and `side` at the same time, `second` only after `first` has finished" | first_and_side_run_at_the_same_time, second_starts_after_first_is_done |
//! | "Returns once all three are done" | every_job_done_when_pipeline_returns |
use super::learner;
use super::support::*;
use std::time::Instant;

pub const TESTS: &[Test] = &[
    Test {
        name: "first_and_side_run_at_the_same_time",
        run: first_and_side_run_at_the_same_time,
    },
    Test {
        name: "each_job_on_a_thread_of_its_own",
        run: each_job_on_a_thread_of_its_own,
    },
    Test {
        name: "second_starts_after_first_is_done",
        run: second_starts_after_first_is_done,
    },
    Test {
        name: "every_job_done_when_pipeline_returns",
        run: every_job_done_when_pipeline_returns,
    },
];

const PIPELINE: &str = "`pipeline(first, second, side)`";
const NAMES: [&str; 3] = ["`first`", "`second`", "`side`"];

fn first_and_side_run_at_the_same_time() -> Outcome {
    let barrier = TimedBarrier::new(2);
    let log = Log::new();
    let (b1, l1, b2, l2, l3) = (
        barrier.clone(),
        log.clone(),
        barrier.clone(),
        log.clone(),
        log.clone(),
    );
    let running = call(PIPELINE, move || {
        learner::pipeline(
            move || {
                let together = b1.wait();
                l1.note(if together {
                    "first together"
                } else {
                    "first alone"
                });
            },
            move || l3.note("second"),
            move || {
                let together = b2.wait();
                l2.note(if together {
                    "side together"
                } else {
                    "side alone"
                });
            },
        )
    });
    running.finish_within(PATIENCE * 2)?;
    // Not a check of the joins (another test does that): let late jobs report.
    poll_until(PATIENCE, || log.entries().len() >= 3);
    let labels = log.labels();
    for who in ["first", "second", "side"] {
        ensure!(
            labels.iter().any(|l| l.starts_with(who)),
            "`{who}` never ran: each of the three jobs should run once, on a thread of its own"
        );
    }
    ensure!(
        barrier.passed(),
        "`first` and `side` never ran at the same time: {} waited {} s for the other, in \
         vain. `side` depends on nobody: start it so that it can work alongside `first`",
        if labels
            .iter()
            .find(|l| !l.starts_with("second"))
            .is_some_and(|l| l.starts_with("first"))
        {
            "`first`"
        } else {
            "`side`"
        },
        PATIENCE.as_secs()
    );
    Ok(())
}

fn each_job_on_a_thread_of_its_own() -> Outcome {
    let log = Log::new();
    let (l1, l2, l3) = (log.clone(), log.clone(), log.clone());
    let running = call(PIPELINE, move || {
        learner::pipeline(
            move || l1.note("first"),
            move || l2.note("second"),
            move || l3.note("side"),
        )
    });
    let caller = running.thread();
    running.finish()?;
    poll_until(PATIENCE, || log.entries().len() >= 3);
    let mut threads = Vec::new();
    for who in ["first", "second", "side"] {
        let Some(thread) = log.thread_of(who) else {
            return Err(
                format!("`{who}` never ran: each of the three jobs should run once").into(),
            );
        };
        ensure!(
            thread != caller,
            "`{who}` ran on the thread that called {PIPELINE}: each job should run on a new \
             thread of its own"
        );
        threads.push(thread);
    }
    ensure!(
        threads[0] != threads[1] && threads[1] != threads[2] && threads[0] != threads[2],
        "two of the jobs ran on the same thread: each job should get a thread of its own"
    );
    ensure!(
        log.entries().len() == 3,
        "each job should run exactly once, but there were {} runs",
        log.entries().len()
    );
    Ok(())
}

fn second_starts_after_first_is_done() -> Outcome {
    let (first, second, side) = (
        Held::named("first"),
        Held::named("second"),
        Held::named("side"),
    );
    // `second` is never held: it only notes whether `first` was done.
    second.let_go();
    let seen = Log::new();
    let (f, s, d, first_done, saw) = (
        first.clone(),
        second.clone(),
        side.clone(),
        first.clone(),
        seen.clone(),
    );
    let jobs = [first.clone(), second.clone(), side.clone()];
    let before = os_thread_ids();
    let t0 = Instant::now();
    let running = call(PIPELINE, move || {
        learner::pipeline(
            move || f.run(),
            move || {
                s.arrive();
                saw.note(if first_done.is_done() {
                    "after"
                } else {
                    "before"
                });
                s.finish();
            },
            move || d.run(),
        )
    });
    // `side` first, then `first`.
    let driven = let_go_in_order(&running, &before, &jobs, &[2, 0]);
    let_all_go(&jobs);
    if seen.labels().first().is_some_and(|l| l == "before") {
        return Err(early().into());
    }
    driven?;
    running.finish_within(t0.elapsed() + PATIENCE)?;
    poll_until(PATIENCE, || !seen.entries().is_empty());
    match seen.labels().first().map(String::as_str) {
        None => Err("`second` never ran: each of the three jobs should run once".into()),
        Some("before") => Err(early().into()),
        _ => Ok(()),
    }
}

fn early() -> String {
    "`second` started while `first` was still running, so it could not find what `first` \
     produces. Make sure `first` is over before `second` even starts: which handle tells you \
     that, and where must its `join` stand?"
        .to_string()
}

fn every_job_done_when_pipeline_returns() -> Outcome {
    round(&random_order(3))?;
    round(&random_order(3))
}

/// One call of `pipeline` with all three jobs held, let go in `order`.
fn round(order: &[usize]) -> Outcome {
    let jobs = [
        Held::named("first"),
        Held::named("second"),
        Held::named("side"),
    ];
    let (f, s, d, watched) = (
        jobs[0].clone(),
        jobs[1].clone(),
        jobs[2].clone(),
        jobs.clone(),
    );
    let before = os_thread_ids();
    let t0 = Instant::now();
    let running = call(PIPELINE, move || {
        learner::pipeline(move || f.run(), move || s.run(), move || d.run());
        // Which jobs' threads were over at the instant `pipeline` returned.
        watched.iter().map(Held::is_over).collect::<Vec<bool>>()
    });
    let driven = let_go_in_order(&running, &before, &jobs, order);
    let_all_go(&jobs);
    driven?;
    let done = running.finish_within(t0.elapsed() + PATIENCE)?;
    let unfinished: Vec<&str> = (0..3).filter(|&i| !done[i]).map(|i| NAMES[i]).collect();
    ensure!(
        unfinished.is_empty(),
        "when {PIPELINE} returned, the thread of {} {} not over yet: nothing had joined \
         it. `pipeline` should return only once all three jobs are done: join every thread you \
         start",
        unfinished.join(" and "),
        if unfinished.len() == 1 { "was" } else { "were" }
    );
    Ok(())
}
