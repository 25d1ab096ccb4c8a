//! Hidden tests for join2_handle_is_a_value.
//!
//! The test's work notes its thread and is held back until the test lets it
//! go, then returns a random number. `start` must return while the work is
//! still held (its "done" flag, read inside the call the instant `start`
//! returns, is down; a `start` that joins cannot return before the work is
//! done), and straight away (its own time, see `Stopwatch`: a sleep of a few
//! hundred milliseconds fails). `finish` must wait with a join: the work is
//! let go only once `finish`'s caller is parked in a join of a thread (not a
//! channel, lock or `park`), and the work's thread ends only once it is seen
//! being joined, so a `finish` that returns without joining sees the thread
//! not over, and one that polls or sleeps never parks and fails after
//! `PATIENCE`; every run. The value must be the work's own (random) one,
//! and the work must run on a thread of its own.
//!
//! Promises of the exercise's text, and the tests that observe them:
//!
//! | promise | tests |
//! | --- | --- |
//! | "`start` launches some work and returns at once with a `Job`" | start_returns_while_the_work_runs, start_returns_straight_away |
//! | "the job is running; main is free in the meantime" | start_returns_while_the_work_runs |
//! | "later, `finish` waits for the work and gives back what it produced" | finish_waits_and_gives_back_the_value |
//! | "Starts `work` on a new thread" | work_runs_on_a_thread_of_its_own |
//! | "and returns straight away, while the work may still be running" | start_returns_while_the_work_runs, start_returns_straight_away |
//! | "Waits until the work is done and returns what it produced" | finish_waits_and_gives_back_the_value, work_runs_on_a_thread_of_its_own |
//! | "`join` takes the handle itself ... so after `join` the handle is gone" | finish_waits_and_gives_back_the_value |
use super::learner;
use super::support::*;
use std::time::Instant;

pub const TESTS: &[Test] = &[
    Test {
        name: "start_returns_while_the_work_runs",
        run: start_returns_while_the_work_runs,
    },
    Test {
        name: "start_returns_straight_away",
        run: start_returns_straight_away,
    },
    Test {
        name: "finish_waits_and_gives_back_the_value",
        run: finish_waits_and_gives_back_the_value,
    },
    Test {
        name: "work_runs_on_a_thread_of_its_own",
        run: work_runs_on_a_thread_of_its_own,
    },
];

const START: &str = "`start(work)`";
const FINISH: &str = "`job.finish()`";

/// The test's work: held as `held` says, then returns `value`.
fn work(held: &Held, value: u64) -> impl FnOnce() -> u64 + Send + 'static {
    let held = held.clone();
    move || {
        held.run();
        value
    }
}

/// Calls `finish`; gives back its value and whether the work's thread was
/// over at the instant it returned.
fn finish(job: learner::Job<u64>, held: &Held) -> Call<(u64, bool)> {
    let held = held.clone();
    call(FINISH, move || {
        #[allow(unused_mut)]
        let mut job = job;
        let value = job.finish();
        (value, held.is_over())
    })
}

fn start_returns_while_the_work_runs() -> Outcome {
    let held = Held::named("work");
    let (w, done) = (work(&held, random()), held.clone());
    let starting = call(START, move || {
        let job = learner::start(w);
        let done_at_return = done.is_done();
        (job, done_at_return)
    });
    let returned = poll_until(PATIENCE, || starting.has_returned());
    held.let_go();
    ensure!(
        returned,
        "{START} did not return while the work was still running (the work was kept busy \
         for {} s). `start` should launch the thread and hand back the job at once; the \
         waiting is `finish`'s business",
        PATIENCE.as_secs()
    );
    let (job, done_at_return) = starting.finish()?;
    ensure!(
        !done_at_return,
        "the work was already finished when {START} returned, although it was kept busy: \
         `start` waited for it. `start` should launch the thread and hand back the job at \
         once; the waiting is `finish`'s business"
    );
    // "Starts `work`": it runs before anybody calls `finish`.
    let started = poll_until(PATIENCE, || held.has_started());
    let finished = finish(job, &held).finish();
    ensure!(
        started,
        "the work had not started {} s after {START} returned: `start` should launch it on a \
         new thread right away, so that it runs while the caller does other things, not only \
         once `finish` is called",
        PATIENCE.as_secs()
    );
    finished?;
    Ok(())
}

fn start_returns_straight_away() -> Outcome {
    let held = Held::named("work");
    held.let_go();
    let w = work(&held, random());
    let job = call(START, move || learner::start(w)).finish_straight_away(PATIENCE)?;
    finish(job, &held).finish()?;
    Ok(())
}

fn finish_waits_and_gives_back_the_value() -> Outcome {
    let held = Held::named("work");
    let value = random();
    let w = work(&held, value);
    let job = call(START, move || learner::start(w)).finish()?;
    let before = os_thread_ids();
    let t0 = Instant::now();
    let finishing = finish(job, &held);
    let driven = let_go_in_order(&finishing, &before, &[held.clone()], &[0]);
    held.let_go();
    driven?;
    let (got, over_at_return) = finishing.finish_within(t0.elapsed() + PATIENCE)?;
    ensure!(
        over_at_return,
        "{FINISH} returned while the work's thread was still running: it must wait until the \
         thread is over. What does the handle offer for that?"
    );
    ensure!(
        got == value,
        "{FINISH} gave back {got}, but the work returned {value}: `finish` should give back \
         exactly what the work produced (`join` hands it to you)"
    );
    Ok(())
}

fn work_runs_on_a_thread_of_its_own() -> Outcome {
    let held = Held::named("work");
    held.let_go();
    let value = random();
    let w = work(&held, value);
    let starting = call(START, move || learner::start(w));
    let start_caller = starting.thread();
    let job = starting.finish()?;
    let finishing = finish(job, &held);
    let finish_caller = finishing.thread();
    let (got, _) = finishing.finish()?;
    let Some(ran_on) = held.thread() else {
        return Err(format!(
            "the work never ran: `start` should hand it to `thread::spawn`, and {FINISH} \
             should wait for that thread"
        )
        .into());
    };
    ensure!(
        ran_on != start_caller,
        "the work ran on the thread that called {START}: it must run on the new thread that \
         `thread::spawn` starts"
    );
    ensure!(
        ran_on != finish_caller,
        "the work ran on the thread that called {FINISH}: it must run on the new thread that \
         `start` launched"
    );
    ensure!(
        got == value,
        "{FINISH} gave back {got}, but the work returned {value}: `finish` should give back \
         exactly what the work produced"
    );
    Ok(())
}
