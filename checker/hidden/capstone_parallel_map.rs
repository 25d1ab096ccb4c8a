//! Hidden tests for capstone_parallel_map. Every test draws its own worker
//! count and items (random values) and passes its own `f`, which notes the
//! thread of every call; results are the test's own values, judged by value.
//!
//! * At the same time: with `w` workers and between `w + 1` and `2w - 2`
//!   items, the first `w` calls of `f` meet at a `TimedBarrier(w)` and wait
//!   at a gate while the test counts the process's threads: `w` distinct
//!   worker threads calling `f`, none the caller, and no more than `w` new
//!   threads. Sequential code never meets; a thread per item, or chunks of
//!   `len / w` items, has more than `w` threads; chunks of `len.div_ceil(w)`
//!   items leave a worker without items, and the others never meet.
//! * Order: the first `min(w, len)` calls meet, then finish largest item
//!   first, each only once the thread of the one before has moved on (called
//!   `f` again, or ended: `Turns`). Results kept in the order they finished
//!   come back out of order on every run.
//! * Exactly once: the items are `Probe`s (not `Clone`): each is read once,
//!   by a thread that is not the caller, and dropped by that thread.
//! * Joined: every call of `f` is a `Held` job that is done at once, its
//!   thread held at its exit until some thread is seen joining it
//!   (`let_go_in_order` with nothing to let go: it only lets joined threads
//!   end). Which threads were over is read inside the call, the instant
//!   `parallel_map` returns or panics: a worker nobody joined is still held
//!   there, on every run. With `thread::scope`, "over" means `f` returned.
//! * How many threads: std numbers the threads it creates one after the
//!   other, so a thread started just before `parallel_map` and one just
//!   after it (both inside the call) tell how many threads it created, the
//!   ones that never call `f` too: exactly `min(workers, items.len())`,
//!   with no items, fewer items than workers, and more (`threads_started_during`).
//!   A worker with no items (one for an empty input, or `workers` of them
//!   whatever the number of items) is a thread too many, on every run.
//! * Panics: `f` panics on one random item with a payload of the test's own
//!   type, holding a random number; `parallel_map` must panic with that very
//!   payload, after every worker is over. A second test makes every call
//!   panic: every worker then ends with a panic, and code that passes on the
//!   first `Err` without joining the others leaves them held, on every run.
//!
//! Promises of the exercise's text, and the tests that observe them:
//!
//! | promise | tests |
//! | --- | --- |
//! | "Make it start `min(workers, items.len())` worker threads, no more" | workers_call_f_at_the_same_time, fewer_items_than_workers, one_worker, as_many_threads_as_workers_with_items |
//! | "each with at least one item, all of them calling `f` at the same time" | workers_call_f_at_the_same_time, fewer_items_than_workers, as_many_threads_as_workers_with_items |
//! | "and none of the work on the calling thread" | workers_call_f_at_the_same_time, every_item_once_on_a_worker |
//! | "Calls `f` on every item, spread over worker threads, and returns the results in the order of the items" | results_in_the_order_of_the_items, every_item_once_on_a_worker |
//! | "It starts `min(workers, items.len())` worker threads, no more" | workers_call_f_at_the_same_time, fewer_items_than_workers, one_worker, as_many_threads_as_workers_with_items |
//! | "each gets at least one item, and they all work at the same time" | workers_call_f_at_the_same_time, fewer_items_than_workers, as_many_threads_as_workers_with_items |
//! | "`workers` is at least 1" | one_worker |
//! | "`f` is called exactly once for every item, always on a worker thread" | every_item_once_on_a_worker, no_items |
//! | "never on the thread that called `parallel_map`" | every_item_once_on_a_worker, workers_call_f_at_the_same_time, one_worker |
//! | "Result number `i` is `f(items[i])`, whichever worker finished first" | results_in_the_order_of_the_items, fewer_items_than_workers, one_worker |
//! | "Every worker thread is joined before `parallel_map` returns" | every_worker_joined_before_return |
//! | "If `f` panics, `parallel_map` still joins every worker, then panics with the payload of that panic" | a_panic_is_passed_on_after_every_worker_ends, panics_on_every_worker_still_join_them_all |
//! | "if `f` panics more than once, any one of those payloads" | panics_on_every_worker_still_join_them_all |
use super::learner;
use super::support::*;
use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::thread::{self, ThreadId};
use std::time::Instant;

pub const TESTS: &[Test] = &[
    Test {
        name: "workers_call_f_at_the_same_time",
        run: workers_call_f_at_the_same_time,
    },
    Test {
        name: "results_in_the_order_of_the_items",
        run: results_in_the_order_of_the_items,
    },
    Test {
        name: "every_item_once_on_a_worker",
        run: every_item_once_on_a_worker,
    },
    Test {
        name: "fewer_items_than_workers",
        run: fewer_items_than_workers,
    },
    Test {
        name: "one_worker",
        run: one_worker,
    },
    Test {
        name: "no_items",
        run: no_items,
    },
    Test {
        name: "as_many_threads_as_workers_with_items",
        run: as_many_threads_as_workers_with_items,
    },
    Test {
        name: "every_worker_joined_before_return",
        run: every_worker_joined_before_return,
    },
    Test {
        name: "a_panic_is_passed_on_after_every_worker_ends",
        run: a_panic_is_passed_on_after_every_worker_ends,
    },
    Test {
        name: "panics_on_every_worker_still_join_them_all",
        run: panics_on_every_worker_still_join_them_all,
    },
];

fn what(n: usize, workers: usize) -> String {
    let plural =
        |count: usize, word: &str| format!("{count} {word}{}", if count == 1 { "" } else { "s" });
    format!(
        "`parallel_map` with {} and {}",
        plural(n, "item"),
        plural(workers, "worker")
    )
}

/// Random item values, each different (so a result says which item it is).
fn values(n: usize) -> Vec<u64> {
    let base = random_between(1, 1_000_000) * 1000;
    let order = random_order(n);
    order.into_iter().map(|i| base + i as u64).collect()
}

/// What the test's `f` makes of an item: a value the learner cannot guess.
fn image(value: u64) -> u64 {
    value * 3 + 7
}

/// The results must be `f(items[i])` for each `i`, in order.
fn check_results(what: &str, values: &[u64], results: &[u64]) -> Outcome {
    ensure!(
        results.len() == values.len(),
        "{what} returned {} result(s) for {} items: one result per item, please (were some \
         items left out, or handed to no worker?)",
        results.len(),
        values.len()
    );
    let wanted: Vec<u64> = values.iter().map(|v| image(*v)).collect();
    if results != wanted.as_slice() {
        let mut sorted = results.to_vec();
        sorted.sort_unstable();
        let mut all = wanted.clone();
        all.sort_unstable();
        let at = (0..wanted.len())
            .find(|&i| results[i] != wanted[i])
            .unwrap_or(0);
        return Err(if sorted == all {
            format!(
                "{what} returned every result, but not in the order of the items: result number \
                 {at} is not `f(items[{at}])`. Results came back in the order the workers \
                 finished them? Keep each result in its item's place"
            )
        } else {
            format!(
                "{what}: result number {at} is not `f(items[{at}])`, nor any item's result: \
                 every result should be what `f` returned for its item"
            )
        }
        .into());
    }
    Ok(())
}

/// The distinct threads of `log`'s entries, in order of first appearance.
fn threads_of(log: &Log) -> Vec<ThreadId> {
    let mut threads = Vec::new();
    for entry in log.entries() {
        if !threads.contains(&entry.thread) {
            threads.push(entry.thread);
        }
    }
    threads
}

fn none_on_caller(what: &str, log: &Log, caller: ThreadId) -> Outcome {
    let on_caller = log.entries().iter().filter(|e| e.thread == caller).count();
    ensure!(
        on_caller == 0,
        "{what}: `f` was called {on_caller} time(s) on the thread that called `parallel_map`: \
         every call of `f` belongs on a worker thread"
    );
    Ok(())
}

fn workers_call_f_at_the_same_time() -> Outcome {
    let w = random_between(3, 5) as usize;
    let n = random_between(w as u64 + 1, 2 * w as u64 - 2) as usize;
    let what = what(n, w);
    let vals = values(n);
    let barrier = TimedBarrier::new(w);
    let gate = Gate::new();
    let log = Log::new();
    let f = {
        let (barrier, gate, log) = (barrier.clone(), gate.clone(), log.clone());
        move |v: u64| {
            log.note(v.to_string());
            if barrier.wait() {
                gate.wait();
            }
            image(v)
        }
    };
    let items = vals.clone();
    let running = call(&what, move || {
        let before = os_thread_count();
        (before, learner::parallel_map(items, w, f))
    });
    let caller = running.thread();
    // The first `w` calls, held at the gate: count the threads meanwhile.
    let all_in = poll_until(PATIENCE, || {
        barrier.arrived() >= w || running.has_returned()
    });
    let during = os_thread_count();
    gate.open();
    let (before, results) = running.finish_within(PATIENCE * 3)?;
    none_on_caller(&what, &log, caller)?;
    let threads = threads_of(&log);
    ensure!(
        threads.len() <= w,
        "{what}: `f` was called on {} different threads: at most {w} worker threads, each \
         calling `f` on all of its items",
        threads.len()
    );
    ensure!(
        all_in && barrier.passed(),
        "{what}: the {w} workers never all called `f` at the same time (the first call \
         waited {} s for the others in vain; `f` ran on {} thread(s) in all). Start all {w} \
         workers before you join any, and give each of them at least one item",
        PATIENCE.as_secs(),
        threads.len()
    );
    ensure!(
        threads.len() == w,
        "{what}: `f` was called on {} different threads: each of the {w} workers should call \
         it",
        threads.len()
    );
    if before > 0 && during > 0 {
        ensure!(
            during <= before + w,
            "{what}: while the workers were calling `f`, the process had {} more thread(s) than \
             before the call: start at most {w} worker threads",
            during - before
        );
    }
    check_results(&what, &vals, &results)
}

fn results_in_the_order_of_the_items() -> Outcome {
    let w = random_between(2, 4) as usize;
    let n = random_between(w as u64 + 1, 3 * w as u64 + 1) as usize;
    let what = what(n, w);
    let vals = values(n);
    let turns = Turns::new(w);
    // Each item's value says where it stands.
    let place: Vec<(u64, usize)> = vals.iter().copied().zip(0..).collect();
    let f = {
        let turns = turns.clone();
        move |v: u64| {
            let at = place.iter().find(|p| p.0 == v).map_or(0, |p| p.1);
            turns.enter(at);
            image(v)
        }
    };
    let items = vals.clone();
    let results = call(&what, move || learner::parallel_map(items, w, f)).finish_within(
        // A sequential answer waits once at the barrier; then it is judged.
        PATIENCE * 3,
    )?;
    check_results(&what, &vals, &results)
}

fn every_item_once_on_a_worker() -> Outcome {
    let w = random_between(2, 4) as usize;
    // Never a multiple of `w`: some worker gets one item more.
    let n = w * random_between(1, 3) as usize + random_between(1, w as u64 - 1) as usize;
    let what = what(n, w);
    let (items, watches) = probes(n);
    let log = Log::new();
    let f = {
        let log = log.clone();
        move |p: Probe| {
            let v = p.get();
            log.note(v.to_string());
            image(v)
        }
    };
    let running = call(&what, move || learner::parallel_map(items, w, f));
    let caller = running.thread();
    let results = running.finish()?;
    none_on_caller(&what, &log, caller)?;
    for (i, watch) in watches.iter().enumerate() {
        let readers = watch.readers();
        ensure!(
            !readers.is_empty(),
            "{what}: `f` was never called with item number {i}: every item should get to a \
             worker (does the last worker get the items left over?)"
        );
        ensure!(
            watch.reads() == 1,
            "{what}: item number {i} was read {} times: `f` should be called once per item",
            watch.reads()
        );
        ensure!(
            watch.dropped_on() == Some(readers[0]),
            "{what}: item number {i} was not dropped on the worker thread that handed it to \
             `f`: each item should move to its worker and be used up there"
        );
    }
    let vals: Vec<u64> = watches.iter().map(ProbeWatch::value).collect();
    check_results(&what, &vals, &results)
}

fn fewer_items_than_workers() -> Outcome {
    let w = random_between(4, 7) as usize;
    let n = random_between(1, w as u64 - 1) as usize;
    let what = what(n, w);
    let vals = values(n);
    let barrier = TimedBarrier::new(n);
    let log = Log::new();
    let f = {
        let (barrier, log) = (barrier.clone(), log.clone());
        move |v: u64| {
            log.note(v.to_string());
            barrier.wait();
            image(v)
        }
    };
    let items = vals.clone();
    let running = call(&what, move || learner::parallel_map(items, w, f));
    let caller = running.thread();
    let results = running.finish_within(PATIENCE * 3)?;
    none_on_caller(&what, &log, caller)?;
    let threads = threads_of(&log).len();
    ensure!(
        threads <= n,
        "{what}: `f` was called on {threads} different threads, but {n} items need no more \
         than {n} workers"
    );
    ensure!(
        barrier.passed() && threads == n,
        "{what}: the calls of `f` did not all run at the same time, each on a worker of its \
         own (they ran on {threads} thread(s)): with fewer items than workers, every item \
         gets a worker"
    );
    check_results(&what, &vals, &results)
}

fn one_worker() -> Outcome {
    let n = random_between(3, 6) as usize;
    let what = what(n, 1);
    let vals = values(n);
    let log = Log::new();
    let f = {
        let log = log.clone();
        move |v: u64| {
            log.note(v.to_string());
            image(v)
        }
    };
    let items = vals.clone();
    let running = call(&what, move || learner::parallel_map(items, 1, f));
    let caller = running.thread();
    let results = running.finish()?;
    none_on_caller(&what, &log, caller)?;
    let threads = threads_of(&log).len();
    ensure!(
        threads == 1,
        "{what}: `f` was called on {threads} different threads: one worker is one thread, \
         which calls `f` on every item"
    );
    check_results(&what, &vals, &results)
}

fn no_items() -> Outcome {
    let w = random_between(1, 4) as usize;
    let what = what(0, w);
    let log = Log::new();
    let f = {
        let log = log.clone();
        move |v: u64| {
            log.note(v.to_string());
            image(v)
        }
    };
    let results = call(&what, move || learner::parallel_map(Vec::new(), w, f)).finish()?;
    ensure!(
        results.is_empty() && log.entries().is_empty(),
        "{what} returned {} result(s) and called `f` {} time(s): no items, no calls, no results",
        results.len(),
        log.entries().len()
    );
    Ok(())
}

/// Runs `parallel_map` on `n` items with `w` workers and counts the threads
/// it created, idle ones too: exactly `min(w, n)`.
fn threads_started(n: usize, w: usize) -> Outcome {
    let what = what(n, w);
    let vals = values(n);
    let log = Log::new();
    let f = {
        let log = log.clone();
        move |v: u64| {
            log.note(v.to_string());
            image(v)
        }
    };
    let items = vals.clone();
    // Counted on the caller, so the caller itself is not among them.
    let running = call(&what, move || {
        threads_started_during(|| learner::parallel_map(items, w, f))
    });
    let caller = running.thread();
    let (results, started) = running.finish()?;
    none_on_caller(&what, &log, caller)?;
    check_results(&what, &vals, &results)?;
    let Some(started) = started else {
        return Ok(());
    };
    let wanted = w.min(n) as u64;
    let calling = threads_of(&log).len();
    ensure!(
        started == wanted,
        "{what} started {started} thread(s) ({calling} of them called `f`): \
         `min(workers, items.len())` is {wanted} here, so it should start exactly {wanted}. \
         {}",
        if started > wanted && n == 0 {
            "No items, no threads: a thread with nothing to do is one too many"
        } else if started > wanted {
            "Every worker needs at least one item: a thread with nothing to do is one too many"
        } else {
            "Every item goes to a worker thread, and there are that many of them"
        }
    );
    Ok(())
}

fn as_many_threads_as_workers_with_items() -> Outcome {
    // No items; fewer items than workers; more items than workers.
    threads_started(0, random_between(1, 4) as usize)?;
    let w = random_between(3, 6) as usize;
    threads_started(random_between(1, w as u64 - 1) as usize, w)?;
    let w = random_between(2, 4) as usize;
    threads_started(random_between(w as u64 + 1, 3 * w as u64) as usize, w)
}

/// Read on the caller the instant `parallel_map` is back: for each `Held`
/// job (a call of `f`) that started, whether it ran on the caller itself,
/// and whether its thread was over.
fn over(jobs: &[Held]) -> Vec<(bool, bool)> {
    let caller = thread::current().id();
    jobs.iter()
        .filter(|job| job.has_started())
        .map(|job| (job.thread() == Some(caller), job.is_over()))
        .collect()
}

/// What was wrong at that instant, in a message's words: calls of `f` on
/// the caller, or on worker threads that were not over.
fn left_running(over: &[(bool, bool)]) -> Option<String> {
    let on_caller = over.iter().filter(|o| o.0).count();
    let running = over.iter().filter(|o| !o.0 && !o.1).count();
    if on_caller > 0 {
        Some(format!(
            "`f` had been called {on_caller} time(s) on the thread that called `parallel_map` \
             (every call of `f` belongs on a worker thread)"
        ))
    } else {
        (running > 0).then(|| {
            format!(
                "{running} call(s) of `f` had run on worker threads that were not over yet: \
                 nothing had joined them"
            )
        })
    }
}

fn every_worker_joined_before_return() -> Outcome {
    let w = random_between(2, 4) as usize;
    let n = random_between(w as u64 + 1, 3 * w as u64) as usize;
    let what = what(n, w);
    let jobs: Vec<Held> = (0..n).map(|_| Held::new()).collect();
    let items: Vec<(usize, u64)> = values(n).into_iter().enumerate().collect();
    let vals: Vec<u64> = items.iter().map(|i| i.1).collect();
    let f = {
        let jobs = jobs.clone();
        move |(i, v): (usize, u64)| {
            jobs[i].arrive();
            jobs[i].finish();
            image(v)
        }
    };
    let watched = jobs.clone();
    let before = os_thread_ids();
    let t0 = Instant::now();
    let running = call(&what, move || {
        let results = learner::parallel_map(items, w, f);
        (over(&watched), results)
    });
    // Nothing to let go: only lets each held thread end once it is joined.
    let driven = let_go_in_order(&running, &before, &jobs, &[]);
    let outcome = running.finish_within(t0.elapsed() + PATIENCE);
    let_all_go(&jobs);
    driven?;
    let (over, results) = outcome?;
    if let Some(left) = left_running(&over) {
        return Err(
            format!("when {what} returned, {left}. Join every worker before returning").into(),
        );
    }
    check_results(&what, &vals, &results)
}

/// A panic payload only this test makes.
struct ItemPanics(u64);

/// What `parallel_map` did: returned, or panicked with a payload (ours, with
/// its number, or something else, described).
enum Ended {
    Returned,
    Panicked(Result<u64, String>),
}

fn ended(result: Result<Vec<u64>, Box<dyn Any + Send>>) -> Ended {
    match result {
        Ok(_) => Ended::Returned,
        Err(payload) => Ended::Panicked(match payload.downcast::<ItemPanics>() {
            Ok(ours) => Ok(ours.0),
            Err(other) => Err(panic_message(&*other)),
        }),
    }
}

/// Runs `parallel_map` with items that `f` panics on when `panics(i)`; what
/// it did, and which workers were over at that moment.
fn with_panics(
    what: &str,
    n: usize,
    w: usize,
    tokens: Vec<u64>,
    panics: impl Fn(usize) -> bool + Send + Sync + 'static,
) -> Result<(Ended, Vec<(bool, bool)>), Failure> {
    let jobs: Vec<Held> = (0..n).map(|_| Held::new()).collect();
    let items: Vec<(usize, u64)> = values(n).into_iter().enumerate().collect();
    let f = {
        let jobs = jobs.clone();
        move |(i, v): (usize, u64)| {
            jobs[i].arrive();
            jobs[i].finish();
            if panics(i) {
                resume_unwind(Box::new(ItemPanics(tokens[i])));
            }
            image(v)
        }
    };
    let watched = jobs.clone();
    let before = os_thread_ids();
    let t0 = Instant::now();
    let running = call(what, move || {
        let result = catch_unwind(AssertUnwindSafe(|| learner::parallel_map(items, w, f)));
        (ended(result), over(&watched))
    });
    let driven = let_go_in_order(&running, &before, &jobs, &[]);
    let outcome = running.finish_within(t0.elapsed() + PATIENCE);
    let_all_go(&jobs);
    driven?;
    outcome
}

fn passed_on(what: &str, ended: Ended, tokens: &[u64]) -> Outcome {
    match ended {
        Ended::Returned => Err(format!(
            "{what} returned, but `f` panicked on an item: `parallel_map` should panic too, \
             with the payload that `join` gave back (`std::panic::resume_unwind`)"
        )
        .into()),
        Ended::Panicked(Err(message)) => Err(format!(
            "{what} panicked, but with a panic of its own (\"{message}\"), not the one `f` \
             raised: pass on the very payload that `join` gave back, with \
             `std::panic::resume_unwind`"
        )
        .into()),
        Ended::Panicked(Ok(token)) => {
            ensure!(
                tokens.contains(&token),
                "{what} panicked with a payload that `f` never raised in this run"
            );
            Ok(())
        }
    }
}

fn a_panic_is_passed_on_after_every_worker_ends() -> Outcome {
    let w = random_between(2, 4) as usize;
    let n = random_between(w as u64 + 1, 3 * w as u64) as usize;
    let what = what(n, w);
    let bad = random_between(0, n as u64 - 1) as usize;
    let tokens: Vec<u64> = (0..n).map(|_| random()).collect();
    let (ended, over) = with_panics(&what, n, w, tokens.clone(), move |i| i == bad)?;
    passed_on(&what, ended, &[tokens[bad]])?;
    if let Some(left) = left_running(&over) {
        return Err(format!(
            "when {what} passed on the panic of `f`, {left}. Join every worker, also after one \
             of them panicked, before you pass the panic on"
        )
        .into());
    }
    Ok(())
}

fn panics_on_every_worker_still_join_them_all() -> Outcome {
    let w = random_between(2, 4) as usize;
    let n = random_between(w as u64, 3 * w as u64) as usize;
    let what = format!("{} (`f` panics on every item)", what(n, w));
    let tokens: Vec<u64> = (0..n).map(|_| random()).collect();
    let (ended, over) = with_panics(&what, n, w, tokens.clone(), |_| true)?;
    passed_on(&what, ended, &tokens)?;
    if let Some(left) = left_running(&over) {
        return Err(format!(
            "when {what} passed on a panic, {left}. The first `Err` from `join` is no reason to \
             stop joining: join every worker, then pass one panic on"
        )
        .into());
    }
    Ok(())
}
