//! Hidden tests for spawn4_quiz. Three tests read the learner's answers (a
//! wrong answer gets an explanation of that one answer, not the key). The
//! fourth starts a random number of jobs with `spawn_many`, holds them all at
//! a timed barrier, and counts the process's OS threads meanwhile: with 1:1
//! threads, every job is one more thread the OS can see. The answers are
//! read by pattern matching only: the learner's enums may carry their own
//! `PartialEq` or `Debug`, and those are never asked. The handles must come
//! back at once, in order: handle `i` belongs to the thread that called
//! `job(i)`, and a panic of job `k` comes back through handle `k` only.
//!
//! Promises of the exercise's text, and the tests that observe them:
//!
//! | promise | tests |
//! | --- | --- |
//! | "Which of the two does Rust's `std::thread::spawn` use?" | q1_threading_model |
//! | "The standard library offers only one of the two models. Why?" | q2_why_one_model |
//! | "For each output below, is it possible ... or impossible?" | q3_outputs_without_join |
//! | "`spawn_many(n, job)` starts `n` threads at once" | spawn_many_gives_each_job_an_os_thread |
//! | "thread number `i` (counting from 0) calls `job(i)`" | spawn_many_gives_each_job_an_os_thread, spawn_many_handles_in_order |
//! | "It returns their handles, in order" | spawn_many_handles_in_order |
//! | "without waiting for the threads" | spawn_many_does_not_wait |
//! | "The tests count the OS's threads while all of them run" | spawn_many_gives_each_job_an_os_thread |
//! | "one `thread::spawn` per job, each with its own copy of `job`" | spawn_many_gives_each_job_an_os_thread |
use super::learner::{self, Model, Reason, Verdict};
use super::support::*;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::{Arc, Mutex};
use std::thread;

pub const TESTS: &[Test] = &[
    Test {
        name: "q1_threading_model",
        run: q1_threading_model,
    },
    Test {
        name: "q2_why_one_model",
        run: q2_why_one_model,
    },
    Test {
        name: "q3_outputs_without_join",
        run: q3_outputs_without_join,
    },
    Test {
        name: "spawn_many_gives_each_job_an_os_thread",
        run: spawn_many_gives_each_job_an_os_thread,
    },
    Test {
        name: "spawn_many_handles_in_order",
        run: spawn_many_handles_in_order,
    },
    Test {
        name: "spawn_many_does_not_wait",
        run: spawn_many_does_not_wait,
    },
];

fn q1_threading_model() -> Outcome {
    match learner::MODEL {
        Model::OneToOne => Ok(()),
        Model::Unanswered => Err("answer question 1: set `MODEL`".into()),
        Model::MToN => Err(
            "question 1: `std::thread::spawn` runs no green threads and has no \
             scheduler of its own: what does it ask the operating system for? \
             (The `spawn_many` test shows it.)"
                .into(),
        ),
    }
}

fn q2_why_one_model() -> Outcome {
    match learner::WHY {
        Reason::SmallRuntime => Ok(()),
        Reason::Unanswered => Err("answer question 2: set `WHY`".into()),
        Reason::GreenThreadsAreImpossible => Err("question 2: green threads can be written in \
            Rust, and crates do offer them. The reason is about what every Rust program would \
            have to carry with it."
            .into()),
        Reason::AlwaysFaster => Err("question 2: OS threads are not faster in every situation; \
            green threads are cheaper to start and to switch between. The reason is about what \
            every Rust program would have to carry with it."
            .into()),
    }
}

/// The outputs of question 3: letter, answer, whether possible, and why the
/// other answer fails (in words that do not say which answer is right).
fn candidates() -> [(char, Verdict, bool, &'static str); 6] {
    [
        (
            'a',
            learner::OUTPUT_A,
            true,
            "nothing makes the spawned thread run before `main` ends; if it has not printed yet \
             when `main` returns, its lines are never printed",
        ),
        (
            'b',
            learner::OUTPUT_B,
            true,
            "the new thread may get a CPU core at once and print both its lines before `main` \
             prints anything",
        ),
        (
            'c',
            learner::OUTPUT_C,
            true,
            "the two threads may take turns at any point, and the spawned one is stopped \
             wherever it is when the program ends",
        ),
        (
            'd',
            learner::OUTPUT_D,
            false,
            "one thread prints its own lines in the order of its code: `s2` never comes out \
             without `s1` before it",
        ),
        (
            'e',
            learner::OUTPUT_E,
            false,
            "the program ends only when `main` returns, and `main` prints `m2` before it returns",
        ),
        (
            'f',
            learner::OUTPUT_F,
            true,
            "`main` printing its last line is not yet the end of the process: ending takes a \
             moment, and the spawned thread may still print in it",
        ),
    ]
}

fn q3_outputs_without_join() -> Outcome {
    for (letter, answer, possible, why) in candidates() {
        let word = |p: bool| if p { "possible" } else { "impossible" };
        // A pattern, never the learner's `==`.
        let said_possible = match answer {
            Verdict::Possible => true,
            Verdict::Impossible => false,
            Verdict::Unanswered => {
                return Err(format!(
                    "answer question 3 ({letter}): set `OUTPUT_{}`",
                    letter.to_ascii_uppercase()
                )
                .into());
            }
        };
        // Why the learner's choice fails, never the right choice itself:
        // the explanation leads there.
        ensure!(
            said_possible == possible,
            "question 3 ({letter}): you answered `{}` for `OUTPUT_{}`, but {why}",
            word(said_possible),
            letter.to_ascii_uppercase()
        );
    }
    Ok(())
}

fn spawn_many_gives_each_job_an_os_thread() -> Outcome {
    let n = random_between(3, 7) as usize;
    let before = os_thread_count();
    // The n jobs and this test: all through it means all n jobs run at once.
    let barrier = TimedBarrier::new(n + 1);
    let gate = Gate::new();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let job = {
        let (barrier, gate, seen) = (barrier.clone(), gate.clone(), seen.clone());
        move |i: usize| {
            record(EventKind::Started, format!("job {i}"));
            seen.lock()
                .unwrap()
                .push((i, thread::current().id(), os_thread_id()));
            if barrier.wait() {
                gate.wait();
            }
        }
    };
    let panicked = Flag::new();
    let raise = panicked.clone();
    let what = format!("`spawn_many({n}, job)`");
    let starting = call(&what, move || {
        catch_unwind(AssertUnwindSafe(|| learner::spawn_many(n, job))).unwrap_or_else(|payload| {
            raise.raise();
            resume_unwind(payload)
        })
    });
    let caller = starting.thread();
    // Wait for the n jobs (or a panic, so `todo!()` gets its answer at once).
    poll_until(PATIENCE, || barrier.arrived() >= n || panicked.is_up());
    if panicked.is_up() {
        return starting.finish().map(drop);
    }
    let met = barrier.arrived() >= n && barrier.wait();
    let now = os_thread_count();
    let seen = seen.lock().unwrap().clone();
    // While the jobs are held: each one's thread is still alive.
    let all_alive = seen.iter().all(|s| s.2.is_none_or(thread_is_alive));
    gate.open();
    ensure!(
        seen.iter().all(|s| s.1 != caller),
        "a job ran on the thread that called `spawn_many`: each job needs a thread of its own, \
         started with `thread::spawn`"
    );
    ensure!(
        met,
        "the {n} jobs were never all running at the same time (in {} s they never met): \
         `spawn_many` should start one thread per job, all of them before any has to finish",
        PATIENCE.as_secs()
    );
    let mut numbers: Vec<usize> = seen.iter().map(|s| s.0).collect();
    numbers.sort();
    ensure!(
        numbers == (0..n).collect::<Vec<_>>(),
        "with n = {n}, the jobs were called with {numbers:?}: thread `i` should call `job(i)`, \
         for each `i` from 0 to {} once",
        n - 1
    );
    let tids: Vec<u32> = seen.iter().filter_map(|s| s.2).collect();
    if tids.len() == n {
        let mut distinct = tids.clone();
        distinct.sort();
        distinct.dedup();
        ensure!(
            distinct.len() == n && all_alive && now >= before + n,
            "while the {n} jobs were all running, the OS saw {now} thread(s) in this process \
             ({before} before `spawn_many`): each `thread::spawn` should be an OS thread"
        );
    }
    let handles = starting.finish()?;
    ensure!(
        handles.len() == n,
        "`spawn_many({n}, job)` returned {} handle(s): one per job, please",
        handles.len()
    );
    let joined = call("joining the handles from `spawn_many`", move || {
        handles.into_iter().all(|h| join_seen(h).is_ok())
    })
    .finish()?;
    ensure!(
        joined,
        "a thread started by `spawn_many` panicked, but the jobs never panic"
    );
    Ok(())
}

/// A panic payload only this test makes.
struct JobPanics(usize);

fn spawn_many_handles_in_order() -> Outcome {
    let n = random_between(3, 7) as usize;
    let panics = random_between(0, n as u64 - 1) as usize;
    let log = Log::named("job");
    let l = log.clone();
    let job = move |i: usize| {
        l.note(i.to_string());
        if i == panics {
            resume_unwind(Box::new(JobPanics(i)));
        }
    };
    let what = format!("`spawn_many({n}, job)`");
    let handles = call(&what, move || learner::spawn_many(n, job)).finish()?;
    ensure!(
        handles.len() == n,
        "`spawn_many({n}, job)` returned {} handle(s): one per job, please",
        handles.len()
    );
    let threads: Vec<_> = handles.iter().map(|h| h.thread().id()).collect();
    let joined = call("joining the handles from `spawn_many`", move || {
        handles.into_iter().map(join_seen).collect::<Vec<_>>()
    })
    .finish()?;
    poll_until(PATIENCE, || log.entries().len() >= n);
    for (i, thread) in threads.iter().enumerate() {
        let Some(ran) = log.thread_of(&i.to_string()) else {
            return Err(format!("with n = {n}, `job({i})` was never called").into());
        };
        // Every thread is joined: every call has been made.
        let calls = log.labels().iter().filter(|l| **l == i.to_string()).count();
        ensure!(
            calls == 1,
            "with n = {n}, `job({i})` was called {calls} times: thread `i` should call `job(i)` \
             once"
        );
        ensure!(
            ran == *thread,
            "with n = {n}, handle number {i} does not belong to the thread that called `job({i})`: \
             `spawn_many` should return the handles in order, each the one `thread::spawn` gave \
             for that job"
        );
    }
    for (i, result) in joined.iter().enumerate() {
        let reported = match result {
            Err(payload) => payload.downcast_ref::<JobPanics>().map(|p| p.0),
            Ok(()) => None,
        };
        if i == panics {
            ensure!(
                reported == Some(i),
                "`job({i})` panicked, but joining handle number {i} did not report that panic. A \
                 handle reports the panic of its own thread: let each job run on its thread as \
                 it is"
            );
        } else {
            ensure!(
                result.is_ok(),
                "joining handle number {i} reported a panic, but only `job({panics})` panicked"
            );
        }
    }
    Ok(())
}

fn spawn_many_does_not_wait() -> Outcome {
    let n = random_between(3, 7) as usize;
    let gate = Gate::new();
    let g = gate.clone();
    let job = move |i: usize| {
        record(EventKind::Started, format!("job {i}"));
        g.wait();
    };
    // The jobs wait for a gate opened only once `spawn_many` is back.
    let what = format!("`spawn_many({n}, job)`");
    let outcome =
        call(&what, move || learner::spawn_many(n, job)).finish_straight_away(PATIENCE * 2);
    gate.open();
    let handles = outcome?;
    call("joining the handles from `spawn_many`", move || {
        for handle in handles {
            let _ = join_seen(handle);
        }
    })
    .finish()?;
    Ok(())
}
