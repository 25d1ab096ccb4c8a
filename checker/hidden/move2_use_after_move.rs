//! Hidden tests for move2_use_after_move. `print_all` is handed probes:
//! values that are not `Clone` (a `T: Clone` bound does not compile with
//! them), that note every thread that reads them (printing reads them) and
//! the thread that drops them.
//!
//! * The count: three calls with three different random numbers of items
//!   (1 to 12); a made-up number is wrong at least twice.
//! * The move, judged by thread id (`where_moved`): each item read by one
//!   thread, not the caller, the same thread for all, and dropped by that
//!   thread. A thread that only borrows the items (`thread::scope`), or a
//!   share of them (`Arc`) the caller keeps until after the join, leaves
//!   the last drop to the caller, every run: the caller joins before it
//!   lets go of its share.
//! * The wait: the first drop of all is held (a `Held` job; a drop comes
//!   after the printing, and a thread held while `println!` formats would
//!   hold stdout's lock) and let go only
//!   while `print_all`'s caller is parked in a join (`let_go_in_order`);
//!   the thread then ends only once it is seen being joined. Whether it was
//!   over, and whether every item was dropped, is read inside the call the
//!   instant `print_all` returns: without a join, or with a sleep, it is
//!   not over, every run.
//!
//! Promises of the exercise's text, and the tests that observe them:
//!
//! | promise | tests |
//! | --- | --- |
//! | "`print_all` hands the items to a new thread that prints them" | the_items_move_to_a_new_thread_that_prints_them |
//! | "waits until that thread is done" | print_all_waits_for_the_printing_thread |
//! | "and returns how many items were printed" | the_count_is_the_number_of_items |
//! | "Moves `items` to a new thread, which prints each of them and drops them" | the_items_move_to_a_new_thread_that_prints_them, print_all_waits_for_the_printing_thread |
//! | "Waits until that thread is done, then returns how many items were printed" | print_all_waits_for_the_printing_thread, the_count_is_the_number_of_items |
use super::learner;
use super::support::*;
use std::time::Instant;

pub const TESTS: &[Test] = &[
    Test {
        name: "the_count_is_the_number_of_items",
        run: the_count_is_the_number_of_items,
    },
    Test {
        name: "the_items_move_to_a_new_thread_that_prints_them",
        run: the_items_move_to_a_new_thread_that_prints_them,
    },
    Test {
        name: "print_all_waits_for_the_printing_thread",
        run: print_all_waits_for_the_printing_thread,
    },
];

const PRINT_ALL: &str = "`print_all(items)`";

fn the_count_is_the_number_of_items() -> Outcome {
    let mut sizes: Vec<usize> = Vec::new();
    while sizes.len() < 3 {
        let n = random_between(1, 12) as usize;
        if !sizes.contains(&n) {
            sizes.push(n);
        }
    }
    for n in sizes {
        let (items, _watches) = probes(n);
        let got = call(PRINT_ALL, move || learner::print_all(items)).finish()?;
        ensure!(
            got == n,
            "{PRINT_ALL} was given {n} items and returned {got}: it should return how many \
             items there are (take that number while `items` is still yours)"
        );
    }
    Ok(())
}

fn the_items_move_to_a_new_thread_that_prints_them() -> Outcome {
    let n = random_between(3, 8) as usize;
    let (items, watches) = probes(n);
    let running = call(PRINT_ALL, move || learner::print_all(items));
    let caller = running.thread();
    running.finish()?;
    // Not a check of the join (another test does that): let drops happen.
    poll_until(PATIENCE, || all_dropped(&watches));
    let readers = where_moved(&watches, caller).map_err(|e| e.explain(PRINT_ALL))?;
    let mut threads = readers;
    threads.dedup();
    ensure!(
        threads.len() == 1,
        "the {n} items were printed by {} different threads: `print_all` should hand all \
         the items to one new thread, and that thread should print them",
        threads.len()
    );
    Ok(())
}

fn print_all_waits_for_the_printing_thread() -> Outcome {
    let n = random_between(3, 8) as usize;
    let held = Held::new();
    let hold = hold_first_call(&held);
    let (items, watches) = probes_with(n, |_| (), move |_| hold());
    let (h, w) = (held.clone(), watches.clone());
    let before = os_thread_ids();
    let t0 = Instant::now();
    let running = call(PRINT_ALL, move || {
        learner::print_all(items);
        (h.is_over(), all_dropped(&w))
    });
    let caller = running.thread();
    let driven = let_go_in_order(&running, &before, &[held.clone()], &[0]);
    held.let_go();
    if driven.is_err() && held.thread() == Some(caller) {
        return Err(format!(
            "an item was dropped on the thread that called {PRINT_ALL}: that thread still \
             owned the items after the printing thread was done with them. They should move \
             into the new thread, which prints them and drops them"
        )
        .into());
    }
    driven?;
    let (over_at_return, dropped_at_return) = running.finish_within(t0.elapsed() + PATIENCE)?;
    ensure!(
        over_at_return,
        "{PRINT_ALL} returned while the printing thread was still running: it should wait \
         until that thread is done. What does `thread::spawn` give you for that?"
    );
    ensure!(
        dropped_at_return,
        "when {PRINT_ALL} returned, its thread was over but not every item had been \
         dropped: was one leaked or kept somewhere? The thread owns the items and drops \
         them when it is done"
    );
    Ok(())
}
