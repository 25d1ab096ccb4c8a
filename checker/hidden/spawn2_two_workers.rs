//! Hidden tests for spawn2_two_workers. The test's jobs `a` and `b` meet at a
//! timed barrier: getting through it proves they ran at the same time (one
//! thread running both, one after the other, never gets through). They also
//! record their thread ids, so neither may run on the caller, and their OS
//! thread ids, so we see the OS holding one thread for each spawn. The
//! handles must be `a`'s then `b`'s: each one's thread is the thread that ran
//! its job, and a panic of `a` comes back through the first handle only.
//!
//! Promises of the exercise's text, and the tests that observe them:
//!
//! | promise | tests |
//! | --- | --- |
//! | "`start_two` must run `a` and `b` at the same time" | a_and_b_run_at_the_same_time |
//! | "each on a thread of its own" | a_and_b_run_at_the_same_time, each_worker_is_an_os_thread |
//! | "give back both handles (first `a`'s, then `b`'s)" | handles_belong_to_a_then_b |
//! | "Neither job may run on the thread that called `start_two`" | a_and_b_run_at_the_same_time |
//! | "`start_two` does not wait for them" | start_two_does_not_wait |
//! | "Every call to `thread::spawn` asks the operating system for a brand-new thread" | each_worker_is_an_os_thread |
use super::learner;
use super::support::*;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::{self, ThreadId};
use std::time::Instant;

pub const TESTS: &[Test] = &[
    Test {
        name: "a_and_b_run_at_the_same_time",
        run: a_and_b_run_at_the_same_time,
    },
    Test {
        name: "each_worker_is_an_os_thread",
        run: each_worker_is_an_os_thread,
    },
    Test {
        name: "handles_belong_to_a_then_b",
        run: handles_belong_to_a_then_b,
    },
    Test {
        name: "start_two_does_not_wait",
        run: start_two_does_not_wait,
    },
];

const START: &str = "`start_two(a, b)`";

fn a_and_b_run_at_the_same_time() -> Outcome {
    let barrier = TimedBarrier::new(2);
    let (tx, rx) = mpsc::channel::<(&'static str, ThreadId, bool)>();
    let worker = |name: &'static str| {
        let (barrier, tx) = (barrier.clone(), tx.clone());
        move || {
            record(EventKind::Started, format!("job {name}"));
            let met = barrier.wait();
            let _ = tx.send((name, thread::current().id(), met));
        }
    };
    let (a, b) = (worker("a"), worker("b"));
    drop(tx);
    // A job run by `start_two` itself waits PATIENCE at the barrier: allow
    // for that, so such code always gets the same message.
    let deadline = Instant::now() + PATIENCE * 2;
    let starting = call(START, move || learner::start_two(a, b));
    let caller = starting.thread();
    let _handles = starting.finish_within(PATIENCE * 2)?;
    let mut seen = Vec::new();
    while seen.len() < 2 {
        match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(report) => seen.push(report),
            Err(_) => break,
        }
    }
    for name in ["a", "b"] {
        let Some(&(_, thread, _)) = seen.iter().find(|r| r.0 == name) else {
            return Err(format!(
                "job `{name}` never ran: `start_two` should start a thread for it"
            )
            .into());
        };
        ensure!(
            thread != caller,
            "job `{name}` ran on the thread that called `start_two`; it needs a thread of its \
             own, started with `thread::spawn`"
        );
    }
    ensure!(
        seen.iter().all(|r| r.2),
        "`a` and `b` never ran at the same time: each waited {} s for the other in vain. \
         Running them one after the other (say, both in one spawned thread) is not enough: \
         give each its own `thread::spawn`",
        PATIENCE.as_secs()
    );
    Ok(())
}

fn each_worker_is_an_os_thread() -> Outcome {
    let before = os_thread_count();
    // a, b and this test: all three through it means a and b are both running.
    let barrier = TimedBarrier::new(3);
    let gate = Gate::new();
    let tids = Arc::new(Mutex::new(Vec::new()));
    let worker = |name: &'static str| {
        let (barrier, gate, tids) = (barrier.clone(), gate.clone(), tids.clone());
        move || {
            record(EventKind::Started, format!("job {name}"));
            tids.lock().unwrap().push((name, os_thread_id()));
            if barrier.wait() {
                gate.wait();
            }
        }
    };
    let (a, b) = (worker("a"), worker("b"));
    let panicked = Flag::new();
    let raise = panicked.clone();
    let starting = call(START, move || {
        let started = catch_unwind(AssertUnwindSafe(|| learner::start_two(a, b)));
        started.unwrap_or_else(|payload| {
            raise.raise();
            resume_unwind(payload)
        })
    });
    // Wait for a and b (or a panic, so `todo!()` gets its answer at once).
    poll_until(PATIENCE, || barrier.arrived() >= 2 || panicked.is_up());
    if panicked.is_up() {
        return starting.finish().map(drop);
    }
    let met = barrier.arrived() >= 2 && barrier.wait();
    let now = os_thread_count();
    // While `a` and `b` are held: their threads are still alive.
    let held = tids.lock().unwrap().clone();
    let all_alive = held.iter().all(|t| t.1.is_none_or(thread_is_alive));
    gate.open();
    if !met {
        return Err(format!(
            "`a` and `b` were never both running: in {} s they never met (one after the \
             other does not count). Give each its own `thread::spawn`",
            PATIENCE.as_secs()
        )
        .into());
    }
    let tids = tids.lock().unwrap().clone();
    let (Some((_, Some(ta))), Some((_, Some(tb)))) = (
        tids.iter().find(|t| t.0 == "a"),
        tids.iter().find(|t| t.0 == "b"),
    ) else {
        return Ok(()); // This OS does not show its threads: the barrier has to do.
    };
    ensure!(
        ta != tb && all_alive && now >= before + 2,
        "while `a` and `b` were both running, the OS saw {} thread(s) in this process \
         ({} before `start_two`): each `thread::spawn` should be an OS thread of its own",
        now,
        before
    );
    Ok(())
}

/// A panic payload only this test makes.
struct APanics(String);

fn handles_belong_to_a_then_b() -> Outcome {
    let log = Log::new();
    let message = format!("`a` panics on purpose ({})", random_word());
    let (la, lb, m) = (log.clone(), log.clone(), message.clone());
    let a = move || {
        la.note("a");
        resume_unwind(Box::new(APanics(m)));
    };
    let b = move || lb.note("b");
    let (first, second) = call(START, move || learner::start_two(a, b)).finish()?;
    let handle_threads = (first.thread().id(), second.thread().id());
    let joined = call("joining the handles from `start_two`", move || {
        (join_seen(first), join_seen(second))
    })
    .finish()?;
    poll_until(PATIENCE, || log.entries().len() >= 2);
    let (Some(ran_a), Some(ran_b)) = (log.thread_of("a"), log.thread_of("b")) else {
        return Err("`a` or `b` never ran: `start_two` should start a thread for each".into());
    };
    ensure!(
        handle_threads != (ran_b, ran_a),
        "`start_two` gave back `b`'s handle first: give back `a`'s handle, then `b`'s"
    );
    ensure!(
        handle_threads.0 == ran_a && handle_threads.1 == ran_b,
        "a handle from `start_two` belongs to a thread that did not run its job, so joining it \
         would not wait for that job. Give back the handles `thread::spawn` returned for `a` \
         and for `b`"
    );
    let a_panicked = match &joined.0 {
        Err(payload) => payload
            .downcast_ref::<APanics>()
            .is_some_and(|p| p.0 == message),
        Ok(()) => false,
    };
    ensure!(
        a_panicked,
        "`a` panicked, but joining its handle did not report that panic. A handle reports the \
         panic of its own thread: let `a` run on its thread as it is"
    );
    ensure!(
        joined.1.is_ok(),
        "joining `b`'s handle reported a panic, but `b` never panics (only `a` did)"
    );
    Ok(())
}

fn start_two_does_not_wait() -> Outcome {
    let gate = Gate::new();
    let job = |name: &'static str| {
        let gate = gate.clone();
        move || {
            record(EventKind::Started, format!("job {name}"));
            gate.wait();
        }
    };
    let (a, b) = (job("a"), job("b"));
    // The jobs wait for a gate opened only once `start_two` is back: one
    // that waits for them comes back only when they give up.
    let starting = call(START, move || learner::start_two(a, b));
    let outcome = starting.finish_straight_away(PATIENCE * 2);
    gate.open();
    let (a, b) = outcome?;
    call("joining the handles from `start_two`", move || {
        let _ = (join_seen(a), join_seen(b));
    })
    .finish()?;
    Ok(())
}
