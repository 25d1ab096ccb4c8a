//! Hidden tests for move1_borrowed_vec. Each test hands `show_all` a random
//! number (3 to 8) of probes: values that are not `Clone`, that note every
//! thread that reads them (printing reads them) and the thread that drops
//! them.
//!
//! The first drop of all is held (a `Held` job) until the test lets it go,
//! so the printing thread is still busy when `show_all` should return (the
//! drop, not a read: a thread held while `println!` formats would hold
//! stdout's lock): whether the job was done is read inside the call the
//! instant `show_all` returns (a `show_all` that joins cannot return before
//! it is let go), and
//! its own time must be short (a sleep fails). In the other tests the hold
//! lasts until `show_all` has returned, so that the caller has let go of
//! everything it owned before the thread goes on, on every run. Then the
//! returned handle is joined by the test (on a watched thread): the job is
//! let go only while that thread is parked in a join (`let_go_in_order`),
//! and the printing thread ends only once it is seen being joined, so a
//! handle of some other thread returns with the printing thread not over,
//! every run. Reads and drops are judged by thread id (`where_read`,
//! `where_moved`): each item read by one thread, not the caller, the same
//! thread for all, in order of position (the read hook notes each read);
//! each dropped by that thread (leaked or kept: never dropped; borrowed:
//! dropped on the caller).
//!
//! The text excludes no length: `no_items_and_one_item_are_fine` hands
//! `show_all` an empty `Vec`, then a `Vec` of one probe; each time the
//! handle must join `Ok` (a thread that panics on an empty `Vec`, e.g. on
//! `items.len() - 1`, fails whether the subtraction panics, as in the test
//! binary, built without optimisation, or wraps), and the one item must be
//! printed and dropped on the new thread.
//!
//! Known limit: a `show_all` that puts the items in an `Arc` and keeps a
//! clone on the caller until it returns (say, to log the length) is caught
//! only when the printing thread lets go of its share first (the caller
//! then drops the items: five runs in six measured). When the caller lets go
//! first, every probe event is what a real move gives, and nothing the test
//! controls runs on the caller between the spawn and the return.
//!
//! Promises of the exercise's text, and the tests that observe them:
//!
//! | promise | tests |
//! | --- | --- |
//! | "`show_all` starts a thread that prints every item, in order" | the_items_are_printed_in_order_on_one_new_thread, no_items_and_one_item_are_fine |
//! | "and returns that thread's handle at once, while the thread may still be printing" | show_all_returns_while_the_thread_prints, show_all_returns_straight_away, the_handle_is_the_printing_thread_s |
//! | "Starts a new thread that prints every item of `items`, in order" | the_items_are_printed_in_order_on_one_new_thread, no_items_and_one_item_are_fine |
//! | "and returns its handle straight away" | show_all_returns_while_the_thread_prints, show_all_returns_straight_away, the_handle_is_the_printing_thread_s |
//! | "The thread owns the items: it prints them and drops them" | the_items_are_dropped_on_the_printing_thread, the_handle_is_the_printing_thread_s, no_items_and_one_item_are_fine |
//! | "give the thread's closure the items to keep" | the_items_are_dropped_on_the_printing_thread |
use super::learner;
use super::support::*;
use std::thread::{JoinHandle, ThreadId};
use std::time::Instant;

pub const TESTS: &[Test] = &[
    Test {
        name: "the_items_are_printed_in_order_on_one_new_thread",
        run: the_items_are_printed_in_order_on_one_new_thread,
    },
    Test {
        name: "the_items_are_dropped_on_the_printing_thread",
        run: the_items_are_dropped_on_the_printing_thread,
    },
    Test {
        name: "show_all_returns_while_the_thread_prints",
        run: show_all_returns_while_the_thread_prints,
    },
    Test {
        name: "show_all_returns_straight_away",
        run: show_all_returns_straight_away,
    },
    Test {
        name: "the_handle_is_the_printing_thread_s",
        run: the_handle_is_the_printing_thread_s,
    },
    Test {
        name: "no_items_and_one_item_are_fine",
        run: no_items_and_one_item_are_fine,
    },
];

const SHOW_ALL: &str = "`show_all(items)`";
const JOIN: &str = "`handle.join()` on the handle that `show_all` returned";

/// What the test watches of one `show_all` call: probes whose first drop
/// is held (a drop comes after the printing: see `probe.rs` on holding in
/// a read), and every read noted (by position) in `reads`.
struct Watched {
    caller: ThreadId,
    watches: Vec<ProbeWatch>,
    held: Held,
    reads: Log,
}

/// The call gives back the handle, and whether the held drop was done at
/// the instant `show_all` returned.
type Running = Call<(JoinHandle<()>, bool)>;

fn start() -> (Running, Watched) {
    let n = random_between(3, 8) as usize;
    let (held, reads) = (Held::new(), Log::new());
    let (hold, noted) = (hold_first_call(&held), reads.clone());
    let (items, watches) = probes_with(n, move |i| noted.note(i.to_string()), move |_| hold());
    let h = held.clone();
    let running = call(SHOW_ALL, move || {
        let handle = learner::show_all(items);
        (handle, h.is_done())
    });
    let caller = running.thread();
    let watched = Watched {
        caller,
        watches,
        held,
        reads,
    };
    (running, watched)
}

/// Lets the held drop go once `show_all` has returned (or after
/// `PATIENCE`); gives back whether it had returned by then, the handle,
/// and whether the held drop was done at the return.
fn let_go_after_return(
    running: Running,
    w: &Watched,
) -> Result<(bool, JoinHandle<()>, bool), Failure> {
    let returned = poll_until(PATIENCE, || running.has_returned());
    w.held.let_go();
    if !returned && w.held.thread() == Some(w.caller) {
        return Err(dropped_on_caller());
    }
    // Its patience counts from the start of the call: the hold is part of it.
    let (handle, done_at_return) = running.finish_within(PATIENCE * 2)?;
    Ok((returned, handle, done_at_return))
}

fn dropped_on_caller() -> Failure {
    format!(
        "an item was dropped on the thread that called {SHOW_ALL}, before it returned: that \
         thread still owned the items. They should move into the new thread, which prints \
         them and drops them"
    )
    .into()
}

fn waited() -> Failure {
    format!(
        "{SHOW_ALL} did not return while its thread was still busy (the thread was kept busy \
         for {} s): it waited for the thread. `show_all` should start the thread and hand \
         back its handle at once; waiting is up to whoever holds the handle",
        PATIENCE.as_secs()
    )
    .into()
}

/// Joins the learner's handle on a watched thread.
fn join(handle: JoinHandle<()>) -> Outcome {
    let joined = call(JOIN, move || {
        join_seen(handle).map_err(|e| panic_message(&*e))
    })
    .finish()?;
    joined
        .map_err(|message| format!("the thread that `show_all` started panicked: {message}").into())
}

/// `show_all`, its thread let go once it has returned, its handle joined.
fn run_through() -> Result<Watched, Failure> {
    let (running, w) = start();
    let (_, handle, _) = let_go_after_return(running, &w)?;
    join(handle)?;
    Ok(w)
}

fn the_items_are_printed_in_order_on_one_new_thread() -> Outcome {
    let s = run_through()?;
    let n = s.watches.len();
    let readers = where_read(&s.watches, s.caller).map_err(|e| e.explain(SHOW_ALL))?;
    let mut threads = readers.clone();
    threads.dedup();
    ensure!(
        threads.len() == 1,
        "the {n} items were printed by {} different threads: `show_all` should start one \
         thread, and that thread should print them all",
        threads.len()
    );
    let mut order: Vec<usize> = Vec::new();
    for label in s.reads.labels() {
        let i: usize = label.parse().unwrap_or(usize::MAX);
        if !order.contains(&i) {
            order.push(i);
        }
    }
    ensure!(
        order == (0..n).collect::<Vec<_>>(),
        "the items were printed in the order {}: the thread should print them in the order \
         they have in `items` (1 to {n})",
        order
            .iter()
            .map(|i| (i + 1).to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(())
}

fn the_items_are_dropped_on_the_printing_thread() -> Outcome {
    let s = run_through()?;
    // Not a check of the join (another test does that): let drops happen.
    poll_until(PATIENCE, || all_dropped(&s.watches));
    where_moved(&s.watches, s.caller).map_err(|e| e.explain(SHOW_ALL))?;
    Ok(())
}

fn show_all_returns_while_the_thread_prints() -> Outcome {
    let (running, watched) = start();
    let (returned, handle, done_at_return) = let_go_after_return(running, &watched)?;
    let joined = join(handle);
    if !returned || done_at_return {
        return Err(waited());
    }
    joined
}

fn show_all_returns_straight_away() -> Outcome {
    let (items, _watches) = probes(random_between(3, 8) as usize);
    let handle = call(SHOW_ALL, move || learner::show_all(items)).finish_straight_away(PATIENCE)?;
    join(handle)
}

fn the_handle_is_the_printing_thread_s() -> Outcome {
    let (running, s) = start();
    if !poll_until(PATIENCE, || running.has_returned()) {
        s.held.let_go();
        let on_caller = s.held.thread() == Some(s.caller);
        running.finish_within(PATIENCE * 2)?;
        return Err(if on_caller {
            dropped_on_caller()
        } else {
            waited()
        });
    }
    let (handle, _) = running.finish()?;
    let (held, watches) = (s.held.clone(), s.watches.clone());
    let before = os_thread_ids();
    let t0 = Instant::now();
    let joining = call(JOIN, move || {
        let joined = handle.join().map_err(|e| panic_message(&*e));
        (joined, held.is_over(), all_dropped(&watches))
    });
    let driven = let_go_in_order(&joining, &before, &[s.held.clone()], &[0]);
    s.held.let_go();
    driven?;
    let (joined, over_at_return, dropped_at_return) =
        joining.finish_within(t0.elapsed() + PATIENCE)?;
    joined.map_err(|message| format!("the thread that `show_all` started panicked: {message}"))?;
    ensure!(
        s.held.has_started(),
        "when the thread that {SHOW_ALL} started was over, no item had been dropped: were \
         the items leaked (`Vec::leak`, `mem::forget`) or kept somewhere? The thread should \
         own them and drop them when it is done"
    );
    ensure!(
        over_at_return,
        "joining the handle that {SHOW_ALL} returned came back while the printing thread was \
         still running: the handle must be the one `thread::spawn` gave for the thread that \
         prints"
    );
    ensure!(
        dropped_at_return,
        "when the printing thread was over, not every item had been dropped: the thread \
         should own the items and drop them when it is done (was one leaked or kept?)"
    );
    Ok(())
}

fn no_items_and_one_item_are_fine() -> Outcome {
    for n in [0, 1] {
        let what = if n == 0 {
            "with an empty `Vec` (no items at all)"
        } else {
            "with a `Vec` of one item"
        };
        let (items, watches) = probes(n);
        let running = call(SHOW_ALL, move || learner::show_all(items));
        let caller = running.thread();
        let handle = running.finish_within(PATIENCE * 2).map_err(|f| Failure {
            message: format!("{what}: {}", f.message),
            ..f
        })?;
        let joined = call(JOIN, move || {
            join_seen(handle).map_err(|e| panic_message(&*e))
        })
        .finish()?;
        joined.map_err(|message| {
            format!(
                "{what}, the thread should print what there is and end normally (the text \
                 excludes no length); but the thread that {SHOW_ALL} started panicked: \
                 {message}"
            )
        })?;
        poll_until(PATIENCE, || all_dropped(&watches));
        where_moved(&watches, caller).map_err(|e| format!("{what}: {}", e.explain(SHOW_ALL)))?;
    }
    Ok(())
}
