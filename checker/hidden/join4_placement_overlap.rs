//! Hidden tests for join4_placement_overlap.
//!
//! * `spawned_work` and `main_work` meet at a `TimedBarrier(2)`: getting
//!   through proves they ran at the same time. A `join` before `main_work`
//!   makes `spawned_work` wait alone until it gives up (`PATIENCE`): every
//!   run.
//! * `main_work` must run on the caller's thread, `spawned_work` elsewhere
//!   (thread ids noted by the test's closures).
//! * `spawned_work` is held back, and let go only once the caller is parked
//!   in a join of a thread (`let_go_in_order`; not a channel, lock or
//!   `park`); its thread is then held as it exits until it is seen being
//!   joined. Whether that thread was over, and `main_work` done, is read
//!   inside the call the instant `overlap` returns. A join after
//!   `main_work` passes; no join, or a sleep, returns while it is still
//!   held: every run.
//!
//! Promises of the exercise's text, and the tests that observe them:
//!
//! | promise | tests |
//! | --- | --- |
//! | "`overlap` should have `spawned_work` (on a new thread)" | each_work_on_its_own_thread |
//! | "and `main_work` (on the calling thread)" | each_work_on_its_own_thread |
//! | "running at the same time" | both_works_run_at_the_same_time |
//! | "and return only once both are done" | spawned_work_done_when_overlap_returns |
//! | "Runs `spawned_work` on a new thread and `main_work` on the calling thread" | each_work_on_its_own_thread |
//! | "both at the same time; returns once both are done" | both_works_run_at_the_same_time, spawned_work_done_when_overlap_returns |
use super::learner;
use super::support::*;
use std::time::Instant;

pub const TESTS: &[Test] = &[
    Test {
        name: "both_works_run_at_the_same_time",
        run: both_works_run_at_the_same_time,
    },
    Test {
        name: "each_work_on_its_own_thread",
        run: each_work_on_its_own_thread,
    },
    Test {
        name: "spawned_work_done_when_overlap_returns",
        run: spawned_work_done_when_overlap_returns,
    },
];

const OVERLAP: &str = "`overlap(spawned_work, main_work)`";

fn both_works_run_at_the_same_time() -> Outcome {
    let barrier = TimedBarrier::new(2);
    let outcomes = Log::new();
    let (b1, o1, b2, o2) = (
        barrier.clone(),
        outcomes.clone(),
        barrier.clone(),
        outcomes.clone(),
    );
    let running = call(OVERLAP, move || {
        learner::overlap(
            move || {
                let together = b1.wait();
                o1.note(if together {
                    "spawned together"
                } else {
                    "spawned alone"
                });
            },
            move || {
                let together = b2.wait();
                o2.note(if together {
                    "main together"
                } else {
                    "main alone"
                });
            },
        )
    });
    running.finish_within(PATIENCE * 2)?;
    // Not a check of the join (another test does that): let late work report.
    poll_until(PATIENCE, || outcomes.entries().len() >= 2);
    let labels = outcomes.labels();
    let ran = |who: &str| labels.iter().any(|l| l.starts_with(who));
    ensure!(
        ran("spawned"),
        "`spawned_work` never ran: `overlap` should start it on a new thread"
    );
    ensure!(
        ran("main"),
        "`main_work` never ran: `overlap` should call it on the calling thread"
    );
    ensure!(
        barrier.passed(),
        "`spawned_work` and `main_work` never ran at the same time: {} waited {} s for the \
         other to start, in vain. Look at where the `join` stands: what can the calling \
         thread do while the spawned thread works?",
        if labels.first().is_some_and(|l| l.starts_with("spawned")) {
            "`spawned_work`"
        } else {
            "`main_work`"
        },
        PATIENCE.as_secs()
    );
    Ok(())
}

fn each_work_on_its_own_thread() -> Outcome {
    let log = Log::new();
    let (l1, l2) = (log.clone(), log.clone());
    let running = call(OVERLAP, move || {
        learner::overlap(move || l1.note("spawned"), move || l2.note("main"))
    });
    let caller = running.thread();
    running.finish()?;
    poll_until(PATIENCE, || log.entries().len() >= 2);
    let Some(main) = log.thread_of("main") else {
        return Err("`main_work` never ran: `overlap` should call it on the calling thread".into());
    };
    let Some(spawned) = log.thread_of("spawned") else {
        return Err("`spawned_work` never ran: `overlap` should start it on a new thread".into());
    };
    ensure!(
        spawned != caller,
        "`spawned_work` ran on the thread that called {OVERLAP}: it belongs on the new \
         thread that `thread::spawn` starts"
    );
    ensure!(
        main == caller,
        "`main_work` ran on a thread other than the one that called {OVERLAP}: the calling \
         thread should do `main_work` itself, while the spawned thread does the other"
    );
    ensure!(
        log.entries().len() == 2,
        "each of the two works should run exactly once, but there were {} runs",
        log.entries().len()
    );
    Ok(())
}

fn spawned_work_done_when_overlap_returns() -> Outcome {
    let held = Held::named("spawned work");
    let (h, watched) = (held.clone(), held.clone());
    let main_done = Flag::new();
    let (m_raise, m) = (main_done.clone(), main_done.clone());
    let before = os_thread_ids();
    let t0 = Instant::now();
    let running = call(OVERLAP, move || {
        learner::overlap(
            move || h.run(),
            move || {
                record(EventKind::Note, "main work");
                m_raise.raise();
            },
        );
        // Was the spawned work's thread over, and the main work done, at
        // the instant `overlap` returned?
        (watched.is_over(), m.is_up())
    });
    let driven = let_go_in_order(&running, &before, &[held.clone()], &[0]);
    held.let_go();
    driven?;
    let (spawned_over, main_done) = running.finish_within(t0.elapsed() + PATIENCE)?;
    ensure!(
        main_done,
        "{OVERLAP} returned before `main_work` was done: the calling thread should do \
         `main_work` itself before it returns"
    );
    ensure!(
        spawned_over,
        "{OVERLAP} returned while the thread running `spawned_work` was not over yet: it \
         should return only once both works are done. Did you join the spawned thread?"
    );
    Ok(())
}
