//! Hidden tests for move3_one_vec_many_threads. Each test picks a random
//! layout: 2 to 4 parts of 1 to 3 items each (`part_len`; 2 or 3 where
//! parts are told apart by position), the last part one to `part_len`
//! items long, and hands `print_in_parts` probes: values
//! that are not `Clone` (so no part can be a copy: `to_vec` does not
//! compile with them), that note every thread that reads them (printing
//! reads them) and the thread that drops them.
//!
//! * Parts, judged by thread id (`where_moved`): each item read by one
//!   thread, not the caller, and dropped by that thread; the items of one
//!   part (by position: `part_len` at a time, in order) all read by the
//!   same thread, and no two parts by the same thread. A `Vec` shared by
//!   all the threads (`Arc`) is dropped whole by one thread, so some part
//!   is dropped by a thread that did not print it, every run.
//! * At the same time: each thread's first drop waits at a `TimedBarrier`
//!   with one party per part (`meet_once_per_thread`); threads joined one
//!   before the next is spawned, or one thread for everything, never get
//!   through it. (Drops, not reads: a thread that waits while `println!`
//!   formats holds stdout's lock, and the others could never print.)
//! * The wait: the first drop of each part is held (a `Held` job per
//!   part), and they are let go one at a time, in a random order, only
//!   while the caller is parked in a join (`let_go_in_order`); each thread
//!   ends only once it is seen being joined. Which were over, and whether
//!   every item was dropped, is read inside the call the instant
//!   `print_in_parts` returns: any thread not joined is not over, every run.
//! * Sizes the random layouts may miss, every run (the text excludes no
//!   length): an empty `Vec` (with `part_len` 2 to 4) must return, no
//!   panic (a count of parts from `items.len() - 1` fails: the subtraction
//!   panics in the test binary, built without optimisation, and where it
//!   wraps it makes more parts than `usize` holds, or a start far past the
//!   end); then one item, `part_len` larger than the `Vec`, `part_len`
//!   dividing the length exactly, and a last part shorter than `part_len`,
//!   each judged as in the first point.
//!
//! Promises of the exercise's text, and the tests that observe them:
//!
//! | promise | tests |
//! | --- | --- |
//! | "Make `print_in_parts` hand each part of the items to a thread of its own" | each_part_goes_to_a_thread_of_its_own |
//! | "Cuts `items` into parts of `part_len` items each, in order (the last part may be shorter)" | each_part_goes_to_a_thread_of_its_own, parts_of_every_size_are_cut_in_order |
//! | "and moves each part to a thread of its own, which prints the items of its part and drops them" | each_part_goes_to_a_thread_of_its_own, returns_once_every_part_is_printed, parts_of_every_size_are_cut_in_order |
//! | "All the threads run at the same time" | the_parts_are_printed_at_the_same_time |
//! | "Returns once every part is printed" | returns_once_every_part_is_printed, an_empty_vec_returns_without_a_panic |
use super::learner;
use super::support::*;
use std::time::Instant;

pub const TESTS: &[Test] = &[
    Test {
        name: "each_part_goes_to_a_thread_of_its_own",
        run: each_part_goes_to_a_thread_of_its_own,
    },
    Test {
        name: "the_parts_are_printed_at_the_same_time",
        run: the_parts_are_printed_at_the_same_time,
    },
    Test {
        name: "returns_once_every_part_is_printed",
        run: returns_once_every_part_is_printed,
    },
    Test {
        name: "an_empty_vec_returns_without_a_panic",
        run: an_empty_vec_returns_without_a_panic,
    },
    Test {
        name: "parts_of_every_size_are_cut_in_order",
        run: parts_of_every_size_are_cut_in_order,
    },
];

const PRINT_IN_PARTS: &str = "`print_in_parts(items, part_len)`";

/// A random layout: (number of items, `part_len`, number of parts), with
/// `part_len` at least `shortest`.
fn layout(shortest: u64) -> (usize, usize, usize) {
    let parts = random_between(2, 4) as usize;
    let part_len = random_between(shortest, 3) as usize;
    let last = random_between(1, part_len as u64) as usize;
    ((parts - 1) * part_len + last, part_len, parts)
}

/// "items 4 to 6", "item 7": positions from 0, said from 1.
fn items_of(part: usize, part_len: usize, n: usize) -> String {
    let (first, last) = (part * part_len + 1, ((part + 1) * part_len).min(n));
    if first == last {
        format!("item {first}")
    } else {
        format!("items {first} to {last}")
    }
}

fn each_part_goes_to_a_thread_of_its_own() -> Outcome {
    // Parts of one item each would not tell consecutive parts from items
    // dealt out in turn.
    let (n, part_len, parts) = layout(2);
    cut_as_promised(n, part_len, parts)
}

/// Hands `print_in_parts` n probes and `part_len`, then judges by thread
/// id: each part (by position) read and dropped by one thread of its own.
fn cut_as_promised(n: usize, part_len: usize, parts: usize) -> Outcome {
    let (items, watches) = probes(n);
    let running = call(PRINT_IN_PARTS, move || {
        learner::print_in_parts(items, part_len)
    });
    let caller = running.thread();
    running.finish_within(PATIENCE * 2).map_err(|f| Failure {
        message: format!("with {n} items and `part_len` {part_len}: {}", f.message),
        ..f
    })?;
    // Not a check of the joins (another test does that): let drops happen.
    poll_until(PATIENCE, || all_dropped(&watches));
    let readers = where_moved(&watches, caller).map_err(|e| {
        format!(
            "with {n} items and `part_len` {part_len}: {}",
            e.explain(PRINT_IN_PARTS)
        )
    })?;
    for (part, chunk) in readers.chunks(part_len).enumerate() {
        ensure!(
            chunk.iter().all(|t| *t == chunk[0]),
            "part {} ({} of {n}, with `part_len` {part_len}) was printed by more than one \
             thread: a part is `part_len` items in a row, and it should move, whole, to one \
             thread",
            part + 1,
            items_of(part, part_len, n)
        );
    }
    for a in 0..parts {
        for b in a + 1..parts {
            ensure!(
                readers[a * part_len] != readers[b * part_len],
                "parts {} and {} ({} and {} of {n}, with `part_len` {part_len}) were printed \
                 by the same thread: each part should get a thread of its own",
                a + 1,
                b + 1,
                items_of(a, part_len, n),
                items_of(b, part_len, n)
            );
        }
    }
    Ok(())
}

fn the_parts_are_printed_at_the_same_time() -> Outcome {
    let (n, part_len, parts) = layout(1);
    let barrier = TimedBarrier::new(parts);
    let meet = meet_once_per_thread(&barrier);
    let (items, _watches) = probes_with(n, |_| (), move |_| meet());
    call(PRINT_IN_PARTS, move || {
        learner::print_in_parts(items, part_len)
    })
    .finish_within(PATIENCE * 2)?;
    ensure!(
        barrier.passed(),
        "the {parts} parts ({n} items, `part_len` {part_len}) were never all being printed at \
         the same time: the first thread to print waited {} s for the others, in vain. Does \
         {PRINT_IN_PARTS} wait for each thread before it starts the next, or leave all the \
         printing to one thread? Start every thread first, then join them all",
        PATIENCE.as_secs()
    );
    Ok(())
}

fn returns_once_every_part_is_printed() -> Outcome {
    let (n, part_len, parts) = layout(1);
    let held: Vec<Held> = (0..parts).map(|_| Held::new()).collect();
    let holds: Vec<_> = held.iter().map(hold_first_call).collect();
    let (items, watches) = probes_with(
        n,
        |_| (),
        move |i| {
            if i % part_len == 0 {
                holds[i / part_len]();
            }
        },
    );
    let (h, w) = (held.clone(), watches.clone());
    let before = os_thread_ids();
    let t0 = Instant::now();
    let running = call(PRINT_IN_PARTS, move || {
        learner::print_in_parts(items, part_len);
        (
            h.iter().map(Held::is_over).collect::<Vec<bool>>(),
            all_dropped(&w),
        )
    });
    let caller = running.thread();
    let driven = let_go_in_order(&running, &before, &held, &random_order(parts));
    let_all_go(&held);
    if driven.is_err() && held.iter().any(|h| h.thread() == Some(caller)) {
        return Err(format!(
            "items were dropped on the thread that called {PRINT_IN_PARTS}: each part should \
             move to its thread, which prints it and drops it"
        )
        .into());
    }
    driven?;
    let (over, dropped) = running.finish_within(t0.elapsed() + PATIENCE)?;
    let unfinished: Vec<String> = (0..parts)
        .filter(|&p| !over[p])
        .map(|p| (p + 1).to_string())
        .collect();
    ensure!(
        unfinished.is_empty(),
        "when {PRINT_IN_PARTS} returned, the threads of {} of the {parts} parts were not over \
         yet (part {}): nothing had joined them. Keep every handle, and join each of them \
         before returning",
        unfinished.len(),
        unfinished.join(", ")
    );
    ensure!(
        dropped,
        "when {PRINT_IN_PARTS} returned, every thread was over but not every item had been \
         dropped: was one leaked or kept somewhere? Each thread owns its part and drops it \
         when it is done"
    );
    Ok(())
}

fn an_empty_vec_returns_without_a_panic() -> Outcome {
    let part_len = random_between(2, 4) as usize;
    let (items, _watches) = probes(0);
    call(
        &format!("{PRINT_IN_PARTS} with an empty `items` and `part_len` {part_len}"),
        move || learner::print_in_parts(items, part_len),
    )
    .finish_within(PATIENCE * 2)
    .map_err(|f| Failure {
        message: format!(
            "no items make no parts, and the call should simply return (the text excludes \
             no length); but {}",
            f.message
        ),
        ..f
    })
}

fn parts_of_every_size_are_cut_in_order() -> Outcome {
    // One item; `part_len` larger than the `Vec`; `part_len` dividing the
    // length exactly; a last part shorter than `part_len`.
    let small = random_between(2, 4) as usize;
    let (parts, part_len) = (random_between(2, 3) as usize, random_between(2, 3) as usize);
    let short = random_between(1, part_len as u64 - 1) as usize;
    let layouts = [
        (1, random_between(1, 3) as usize, 1),
        (small, small + random_between(1, 3) as usize, 1),
        (parts * part_len, part_len, parts),
        ((parts - 1) * part_len + short, part_len, parts),
    ];
    for (n, part_len, parts) in layouts {
        cut_as_promised(n, part_len, parts)?;
    }
    Ok(())
}
