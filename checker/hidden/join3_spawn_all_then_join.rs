//! Hidden tests for join3_spawn_all_then_join. Each test uses a random
//! number n (3 to 6) of jobs.
//!
//! * All n jobs meet at a `TimedBarrier(n)`: getting through proves they were
//!   all running at once. Joining inside the spawn loop runs them one at a
//!   time, so the first job gives up after `PATIENCE`: every run.
//! * Each job notes its thread: n distinct threads, none the caller's.
//! * Every job is held back and let go one at a time, in a random order,
//!   only while the caller is parked in a join (a wait on a thread, not a
//!   channel, lock, barrier or `park`) with every thread accounted for
//!   (`let_go_in_order`); each job's thread is then held as it exits until
//!   some thread is seen joining it. Which jobs' threads were over is read
//!   inside the call the instant `run_all` returns. Joining every handle
//!   returns with all n over. Any thread left unjoined (the last, the first,
//!   every other one...) is still held at its exit when `run_all` returns,
//!   whatever the order: every run. No join, or a sleep, never parks:
//!   nothing is let go.
//!
//! Promises of the exercise's text, and the tests that observe them:
//!
//! | promise | tests |
//! | --- | --- |
//! | "Make all the jobs run at the same time" | all_jobs_run_at_the_same_time |
//! | "start every thread first ... and only then ... wait for each one" | all_jobs_run_at_the_same_time, every_job_done_when_run_all_returns |
//! | "while `run_all` still returns only once every job is done" | every_job_done_when_run_all_returns |
//! | "Runs every job in `jobs` on a thread of its own" | each_job_on_a_thread_of_its_own |
//! | "all at the same time" | all_jobs_run_at_the_same_time |
//! | "and returns once all of them are finished" | every_job_done_when_run_all_returns |
use super::learner;
use super::support::*;
use std::time::Instant;

pub const TESTS: &[Test] = &[
    Test {
        name: "all_jobs_run_at_the_same_time",
        run: all_jobs_run_at_the_same_time,
    },
    Test {
        name: "each_job_on_a_thread_of_its_own",
        run: each_job_on_a_thread_of_its_own,
    },
    Test {
        name: "every_job_done_when_run_all_returns",
        run: every_job_done_when_run_all_returns,
    },
];

const RUN_ALL: &str = "`run_all(jobs)`";

type Job = Box<dyn FnOnce() + Send + 'static>;

fn all_jobs_run_at_the_same_time() -> Outcome {
    let n = random_between(3, 6) as usize;
    let barrier = TimedBarrier::new(n);
    let outcomes = Log::new();
    let jobs: Vec<Job> = (0..n)
        .map(|_| {
            let (barrier, outcomes) = (barrier.clone(), outcomes.clone());
            Box::new(move || {
                let together = barrier.wait();
                outcomes.note(if together { "together" } else { "alone" });
            }) as Job
        })
        .collect();
    let running = call(RUN_ALL, move || learner::run_all(jobs));
    running.finish_within(PATIENCE * 2)?;
    // Not a check of the joins (another test does that): let late jobs report.
    poll_until(PATIENCE, || outcomes.entries().len() >= n);
    let ran = outcomes.entries().len();
    ensure!(
        ran > 0,
        "none of the {n} jobs ran: `run_all` should start each job on a thread of its own"
    );
    ensure!(
        barrier.passed(),
        "the {n} jobs were never all running at the same time: the first one waited {} s \
         for the others, in vain. Does {RUN_ALL} wait for each thread before it starts the \
         next? Start them all first, then join them.",
        PATIENCE.as_secs()
    );
    ensure!(
        ran == n,
        "only {ran} of the {n} jobs ran: every job should run once"
    );
    Ok(())
}

fn each_job_on_a_thread_of_its_own() -> Outcome {
    let n = random_between(3, 6) as usize;
    let log = Log::named("job");
    let jobs: Vec<Job> = (0..n)
        .map(|i| {
            let log = log.clone();
            Box::new(move || log.note(i.to_string())) as Job
        })
        .collect();
    let running = call(RUN_ALL, move || learner::run_all(jobs));
    let caller = running.thread();
    running.finish()?;
    poll_until(PATIENCE, || log.entries().len() >= n);
    let entries = log.entries();
    let mut labels = log.labels();
    labels.sort();
    labels.dedup();
    ensure!(
        entries.len() == n && labels.len() == n,
        "{n} jobs were given, but {} job runs were seen ({} different jobs): every job \
         should run exactly once",
        entries.len(),
        labels.len()
    );
    let on_caller = entries.iter().filter(|e| e.thread == caller).count();
    ensure!(
        on_caller == 0,
        "{on_caller} of the {n} jobs ran on the thread that called {RUN_ALL}: each job \
         should run on a new thread of its own"
    );
    ensure!(
        log.distinct_threads() == n,
        "the {n} jobs ran on {} threads: each job should get a thread of its own",
        log.distinct_threads()
    );
    Ok(())
}

fn every_job_done_when_run_all_returns() -> Outcome {
    let n = random_between(3, 6) as usize;
    let held: Vec<Held> = (0..n).map(|_| Held::new()).collect();
    let jobs: Vec<Job> = held
        .iter()
        .map(|h| {
            let h = h.clone();
            Box::new(move || h.run()) as Job
        })
        .collect();
    let watched = held.clone();
    let before = os_thread_ids();
    let t0 = Instant::now();
    let running = call(RUN_ALL, move || {
        learner::run_all(jobs);
        // Which jobs' threads were over at the instant `run_all` returned.
        watched.iter().map(Held::is_over).collect::<Vec<bool>>()
    });
    let driven = let_go_in_order(&running, &before, &held, &random_order(n));
    let_all_go(&held);
    driven?;
    let done = running.finish_within(t0.elapsed() + PATIENCE)?;
    let unfinished: Vec<String> = (0..n)
        .filter(|&i| !done[i])
        .map(|i| (i + 1).to_string())
        .collect();
    ensure!(
        unfinished.is_empty(),
        "when {RUN_ALL} returned, the threads of {} of the {n} jobs {} not over yet ({} {}): \
         nothing had joined them. Keep every handle, and join every one of them before \
         returning",
        unfinished.len(),
        if unfinished.len() == 1 { "was" } else { "were" },
        if unfinished.len() == 1 { "job" } else { "jobs" },
        unfinished.join(", ")
    );
    Ok(())
}
