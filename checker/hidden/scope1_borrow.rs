//! Hidden tests for scope1_borrow. The items are `Probe`s (not `Clone`, so
//! a copy of the slice does not compile) with random weights, in a slice of
//! random length (5 to 40) that the test owns; `weight` is `Probe::get`, so
//! every weighing notes its thread.
//!
//! * Which threads read: every item must be read, none on the caller, the
//!   first half (`items[..n / 2]`) all on one thread and the rest all on
//!   one other thread (so no thread per item, no third thread for the odd
//!   item, and the middle item of an odd length with the rest): on an odd
//!   and an even random length, and on 2 and 3 items, every run.
//! * Slices of 0 to 3 items: no panic, the right total. With fewer than 2
//!   items a half is empty, so only the total can be checked.
//! * At the same time: each thread's first read (`FirstTouch`) waits at a
//!   `TimedBarrier(2)`: getting through proves two threads were reading at
//!   once. One thread, or threads joined one before the next starts, wait
//!   `PATIENCE` in vain: every run.
//! * The total must be the sum of the random weights (a result ignored, or a
//!   half left out, misses at least one weight of 1 or more), and after the
//!   call the test still owns every item, none dropped.
//! * Done when it returns: each of the first two threads to read is held on
//!   its first read (a `Held` job; the caller is left alone) and let go only
//!   while the caller waits in a join or at the end of the scope
//!   (`let_go_in_order`). Whether each held thread was done, and every item
//!   weighed, is read the instant `total_weight` returns.
//!
//! Promises of the exercise's text, and the tests that observe them:
//!
//! | promise | tests |
//! | --- | --- |
//! | "Give each half a thread of its own" | each_half_is_weighed_on_a_thread_of_its_own |
//! | "both running at the same time" | both_halves_are_weighed_at_the_same_time |
//! | "and add up what they hand back" | the_total_is_right_and_the_items_stay_with_the_caller |
//! | "Adds up `weight(item)` for every item of `items`" | the_total_is_right_and_the_items_stay_with_the_caller, short_slices_are_weighed_too |
//! | "the first half of the slice, `items[..items.len() / 2]`, on one thread and the rest on another" | each_half_is_weighed_on_a_thread_of_its_own |
//! | "both at the same time" | both_halves_are_weighed_at_the_same_time |
//! | "while the items stay where they are, borrowed" | the_total_is_right_and_the_items_stay_with_the_caller |
//! | "Returns the total once both threads are done" | both_threads_are_done_when_total_weight_returns |
use super::learner;
use super::support::*;
use std::thread::ThreadId;
use std::time::Instant;

pub const TESTS: &[Test] = &[
    Test {
        name: "each_half_is_weighed_on_a_thread_of_its_own",
        run: each_half_is_weighed_on_a_thread_of_its_own,
    },
    Test {
        name: "both_halves_are_weighed_at_the_same_time",
        run: both_halves_are_weighed_at_the_same_time,
    },
    Test {
        name: "the_total_is_right_and_the_items_stay_with_the_caller",
        run: the_total_is_right_and_the_items_stay_with_the_caller,
    },
    Test {
        name: "short_slices_are_weighed_too",
        run: short_slices_are_weighed_too,
    },
    Test {
        name: "both_threads_are_done_when_total_weight_returns",
        run: both_threads_are_done_when_total_weight_returns,
    },
];

const TOTAL: &str = "`total_weight(items, weight)`";

/// How many items: enough for two halves, odd or even.
fn how_many() -> usize {
    random_between(5, 40) as usize
}

/// `n` probes whose every read first runs `hook`, and their watches.
fn hooked_probes(
    n: usize,
    hook: impl Fn() + Clone + Send + Sync + 'static,
) -> (Vec<Probe>, Vec<ProbeWatch>) {
    (0..n)
        .map(|_| Probe::with_hook(random_between(1, 999), hook.clone()))
        .unzip()
}

/// The weight the test hands in: reading the probe.
fn weigh(item: &Probe) -> u64 {
    item.get()
}

/// The numbers of the items (from 1) that `pick` picks, for a message.
fn numbers(watches: &[ProbeWatch], pick: impl Fn(&ProbeWatch) -> bool) -> Vec<usize> {
    (0..watches.len())
        .filter(|&i| pick(&watches[i]))
        .map(|i| i + 1)
        .collect()
}

fn each_half_is_weighed_on_a_thread_of_its_own() -> Outcome {
    // An odd and an even length every run, and the two shortest slices
    // whose halves both hold an item.
    let odd = random_between(2, 19) as usize * 2 + 1;
    let even = random_between(3, 20) as usize * 2;
    for n in [odd, even, 2, 3] {
        halves_on_threads_of_their_own(n)?;
    }
    Ok(())
}

/// The threads that read the items of `watches`, in order of first read.
fn threads_of(watches: &[ProbeWatch]) -> Vec<ThreadId> {
    let mut threads = Vec::new();
    for t in watches.iter().flat_map(ProbeWatch::readers) {
        if !threads.contains(&t) {
            threads.push(t);
        }
    }
    threads
}

/// Weighs `n` items (at least 2), and checks that each half was weighed on
/// a single thread of its own: `items[..n / 2]` on one, the rest on another.
fn halves_on_threads_of_their_own(n: usize) -> Outcome {
    let (items, watches) = probes(n);
    let running = call(TOTAL, move || {
        learner::total_weight(&items, weigh);
        items
    });
    let caller = running.thread();
    let _items = running.finish_within(PATIENCE * 3)?;
    let unread = numbers(&watches, |w| w.readers().is_empty());
    ensure!(
        unread.is_empty(),
        "of the {n} items, {} never weighed (item {}): {TOTAL} should weigh every item once",
        if unread.len() == 1 {
            "one was"
        } else {
            "some were"
        },
        a_few(&unread)
    );
    let on_caller = numbers(&watches, |w| w.readers().contains(&caller));
    ensure!(
        on_caller.is_empty(),
        "{} of the {n} items were weighed on the thread that called {TOTAL} (item {}): each \
         half belongs on a thread of its own. Start them with `thread::scope` and its `spawn`",
        on_caller.len(),
        a_few(&on_caller)
    );
    let mid = n / 2;
    let (first, rest) = watches.split_at(mid);
    let (first_threads, rest_threads) = (threads_of(first), threads_of(rest));
    if first_threads.len() == 1 && first_threads == rest_threads {
        return Err(format!(
            "all {n} items were weighed on one and the same thread: the first half and the \
             second half should each get a thread of its own"
        )
        .into());
    }
    // Items of the rest weighed on a thread of the first half's.
    let crossed: Vec<usize> = (mid..n)
        .filter(|&i| {
            watches[i]
                .readers()
                .iter()
                .any(|t| first_threads.contains(t))
        })
        .map(|i| i + 1)
        .collect();
    if crossed == [mid + 1] {
        return Err(format!(
            "of {n} items, item {} (the first of `items[{mid}..]`, the rest) was weighed on the \
             thread of the first half: the first half is `items[..items.len() / 2]`, items 1 \
             to {mid}, and the middle item of an odd length belongs to the rest",
            mid + 1
        )
        .into());
    }
    ensure!(
        crossed.is_empty(),
        "of {n} items, item {} was weighed on the thread of the first half \
         (`items[..items.len() / 2]`, items 1 to {mid}): the rest (items {} to {n}) belongs to \
         the other thread",
        a_few(&crossed),
        mid + 1
    );
    for (what, threads) in [
        (format!("the first half (items 1 to {mid})"), &first_threads),
        (
            format!("the rest (items {} to {n})", mid + 1),
            &rest_threads,
        ),
    ] {
        ensure!(
            threads.len() == 1,
            "of {n} items, {what} were weighed on {} different threads: {TOTAL} should give \
             the first half, `items[..items.len() / 2]`, one thread, and the rest one other \
             thread, two in all",
            threads.len()
        );
    }
    Ok(())
}

fn both_halves_are_weighed_at_the_same_time() -> Outcome {
    let n = how_many();
    let touch = FirstTouch::new();
    let barrier = TimedBarrier::new(2);
    let (t, b) = (touch.clone(), barrier.clone());
    // Each thread, on its first weighing, waits for a second thread to be
    // weighing too.
    let (items, _watches) = hooked_probes(n, move || {
        if t.first_touch().is_some() {
            b.wait();
        }
    });
    let running = call(TOTAL, move || {
        learner::total_weight(&items, weigh);
        items
    });
    running.finish_within(PATIENCE * 3)?;
    let threads = touch.threads().len();
    ensure!(
        barrier.passed(),
        "the two halves were never weighed at the same time: {}, and the first thread to weigh \
         waited {} s for a second one, in vain. Start both threads before you join either (in \
         one `thread::scope`, then join them or let the scope end), and let neither wait for \
         the other (no lock held over a whole half)",
        match threads {
            0 => "no thread weighed anything".to_string(),
            1 => "a single thread weighed every item".to_string(),
            k => format!("{k} threads weighed items, but one after another"),
        },
        PATIENCE.as_secs()
    );
    Ok(())
}

fn the_total_is_right_and_the_items_stay_with_the_caller() -> Outcome {
    let n = how_many();
    let (items, watches) = probes(n);
    let expected: u64 = watches.iter().map(ProbeWatch::value).sum();
    let running = call(TOTAL, move || {
        let total = learner::total_weight(&items, weigh);
        // The items are still the caller's: none dropped during the call.
        let kept = items.len();
        (total, kept, items)
    });
    let (total, kept, items) = running.finish()?;
    let dropped = numbers(&watches, ProbeWatch::is_dropped);
    ensure!(
        dropped.is_empty() && kept == n,
        "{TOTAL} dropped items of the caller's (item {}): it should only borrow them",
        a_few(&dropped)
    );
    ensure!(
        total == expected,
        "{TOTAL} returned {total}, but the weights of the {n} items add up to {expected}: add \
         up the totals that both threads hand back (their `join`s)"
    );
    drop(items);
    Ok(())
}

fn short_slices_are_weighed_too() -> Outcome {
    for n in [0, 1, 2, 3] {
        let (items, watches) = probes(n);
        let expected: u64 = watches.iter().map(ProbeWatch::value).sum();
        let running = call(TOTAL, move || {
            let total = learner::total_weight(&items, weigh);
            (total, items)
        });
        let (total, _items) = running
            .finish_within(PATIENCE * 3)
            .map_err(|failure| Failure {
                timed_out: failure.timed_out,
                message: format!(
                    "for a slice of {n} item{}: {} (no length is left out: with fewer than 2 \
                     items a half is empty, and its thread adds up to 0)",
                    if n == 1 { "" } else { "s" },
                    failure.message
                ),
            })?;
        ensure!(
            total == expected,
            "for a slice of {n} item{}, {TOTAL} returned {total}, but the weights add up to \
             {expected}",
            if n == 1 { "" } else { "s" }
        );
    }
    Ok(())
}

fn both_threads_are_done_when_total_weight_returns() -> Outcome {
    let n = how_many();
    let touch = FirstTouch::new();
    let held = [Held::new(), Held::new()];
    let (t, h) = (touch.clone(), held.clone());
    // The first read of each of the first two threads is held until the
    // test lets it go; the caller, left alone, is never held.
    let (items, watches) = hooked_probes(n, move || {
        if let Some(job) = t.first_touch().and_then(|k| h.get(k)) {
            job.run();
        }
    });
    let (watched, weighed) = (held.clone(), watches.clone());
    let before = os_thread_ids();
    let t0 = Instant::now();
    let running = call(TOTAL, move || {
        touch.leave_this_thread_alone();
        learner::total_weight(&items, weigh);
        // At the instant `total_weight` returned: which held threads were
        // not done yet, and how many items were weighed.
        let busy: Vec<bool> = watched
            .iter()
            .map(|h| h.has_started() && !h.is_done())
            .collect();
        let weighed = weighed.iter().filter(|w| w.reads() > 0).count();
        (busy, weighed, items)
    });
    let driven = let_go_in_order(&running, &before, &held, &random_order(held.len()));
    let_all_go(&held);
    driven?;
    let (busy, weighed, _items) = running.finish_within(t0.elapsed() + PATIENCE)?;
    ensure!(
        !busy.contains(&true),
        "{TOTAL} returned while a thread of its own was still weighing ({weighed} of the {n} \
         items were weighed by then): it should return the total only once both threads are \
         done. Join them, or let the scope end, before you return"
    );
    ensure!(
        weighed == n,
        "when {TOTAL} returned, {weighed} of the {n} items had been weighed: every item should \
         be weighed by then"
    );
    drop(watches);
    Ok(())
}
