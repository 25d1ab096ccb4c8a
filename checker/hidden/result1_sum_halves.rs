//! Hidden tests for result1_sum_halves. The items are probes (random values,
//! not `Clone`, noting every thread that reads them), and `value` is
//! `Probe::get`, so the test sees on which thread each item was added up.
//!
//! * The total must be the sum of the probes' random values, for an odd and
//!   an even number of items: a made-up number, one half's sum, or the 0 of
//!   a sum that stayed on its thread fails. Also for the short lists of 0,
//!   1, 2 and 3 items (in a random order), whose first half may be empty:
//!   the sum is promised over all `items`, so a split that panics on a
//!   short list (`chunks(len / 2)`, `len - 1`) fails, saying for which
//!   length. Only the total is judged there: an empty half reads no probe,
//!   so its thread cannot be observed; the thread tests below use 3 to 16
//!   items, where both halves have some.
//! * Every item of `items[..len / 2]` must have been read by one thread,
//!   every item of the rest by another, neither of them the caller: the
//!   split, the threads and the halves' owners are read from the probes, for
//!   an odd and an even length (a split off by one puts an item on the wrong
//!   thread in one of the two).
//! * The first and the last item (one in each half, however it is split)
//!   carry a hook that waits at a `TimedBarrier(2)`: getting through proves
//!   that both halves were being added up at the same time. Joining the first thread before starting
//!   the second makes the first wait alone until it gives up (`PATIENCE`):
//!   every run.
//! * In the last test those two hooks run `Held` jobs instead: let go only
//!   while the caller is parked in a join of a thread (not a channel's
//!   `recv`, a lock or a sleep; `let_go_in_order`, in a random order), their
//!   threads held as they exit until seen joined; whether both were over is
//!   read inside the call the instant `sum_halves` returns, with the total.
//!
//! A hook that finds itself on the calling thread (`Caller`, noted by the
//! call before the learner's code runs) neither waits nor holds: it notes
//! it, and the test fails at once, saying so.
//!
//! Not observable, and not judged (a known limit): whether each sum
//! travelled through `join` or, with both threads still joined, through a
//! lock or an atomic the caller reads afterwards (threads that add into a
//! shared `AtomicU64`, return `()`, and are both joined before the caller
//! reads it, pass). A `u64` has no identity to follow. Making the sum a type
//! of the test's (`value: fn(&T) -> S`) would rule out the atomic, but not
//! a `Mutex<Vec<S>>` the threads push into: a value moved into a lock and
//! one moved through `join` look the same to safe code, and the exercise
//! would carry `Sum`/`Add` bounds for no observable gain, so the signature
//! stays. A wait on a channel instead of a join fails.
//!
//! Promises of the exercise's text, and the tests that observe them:
//!
//! | promise | tests |
//! | --- | --- |
//! | "`handle.join()` gives it back as `Ok(value)`" | returns_the_sum_of_every_item, waits_for_both_threads_with_join |
//! | "has two threads add up one half each, at the same time, while the calling thread waits" | each_half_on_a_thread_of_its_own, both_halves_at_the_same_time, waits_for_both_threads_with_join |
//! | "Let each thread return its sum, and add up what the two `join`s give back" | returns_the_sum_of_every_item, waits_for_both_threads_with_join |
//! | "Adds up `value(item)` over all `items`" | returns_the_sum_of_every_item, short_lists_add_up_too |
//! | "on two new threads at the same time" | each_half_on_a_thread_of_its_own, both_halves_at_the_same_time |
//! | "one adds up the first half, `items[..items.len() / 2]`, the other the rest" | each_half_on_a_thread_of_its_own |
//! | "Each thread returns its sum; `sum_halves` joins both threads" | waits_for_both_threads_with_join |
//! | "and returns the two sums added together" | returns_the_sum_of_every_item, short_lists_add_up_too |
use super::learner;
use super::support::*;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::thread::ThreadId;
use std::time::Instant;

pub const TESTS: &[Test] = &[
    Test {
        name: "each_half_on_a_thread_of_its_own",
        run: each_half_on_a_thread_of_its_own,
    },
    Test {
        name: "returns_the_sum_of_every_item",
        run: returns_the_sum_of_every_item,
    },
    Test {
        name: "short_lists_add_up_too",
        run: short_lists_add_up_too,
    },
    Test {
        name: "both_halves_at_the_same_time",
        run: both_halves_at_the_same_time,
    },
    Test {
        name: "waits_for_both_threads_with_join",
        run: waits_for_both_threads_with_join,
    },
];

const SUM: &str = "`sum_halves(items, value)`";

/// A random number (3 to 16) of items, odd or even.
fn length(odd: bool) -> usize {
    let n = random_between(3, 15) as usize;
    if (n % 2 == 1) == odd { n } else { n + 1 }
}

/// `n` probes; the first and the last item (one in each half, wherever the
/// split) run `hook(0)` and `hook(1)` once, on their first read off the
/// calling thread (on it they raise `on_caller` instead: see `Caller`).
/// The watches come in the same order.
fn items(
    n: usize,
    caller: &Caller,
    on_caller: &Flag,
    hook: impl Fn(usize) + Send + Sync + Clone + 'static,
) -> (Vec<Probe>, Vec<ProbeWatch>) {
    (0..n)
        .map(|i| {
            let value = random_between(1, 999);
            let half = match i {
                0 => 0,
                _ if i == n - 1 => 1,
                _ => return Probe::new(value),
            };
            let hook = hook.clone();
            Probe::with_hook(value, caller.once_elsewhere(on_caller, move || hook(half)))
        })
        .unzip()
}

fn total(watches: &[ProbeWatch]) -> u64 {
    watches.iter().map(ProbeWatch::value).sum()
}

/// Calls `sum_halves(items, Probe::get)`, the caller noted first; `after`
/// runs on the caller the instant it returns.
fn sum_halves<A: Send + 'static>(
    items: Vec<Probe>,
    caller: &Caller,
    after: impl FnOnce() -> A + Send + 'static,
) -> Call<(u64, A)> {
    let caller = caller.clone();
    call(SUM, move || {
        caller.note();
        let total = learner::sum_halves(items, Probe::get);
        (total, after())
    })
}

fn on_the_caller(on_caller: &Flag) -> Outcome {
    ensure!(
        !on_caller.is_up(),
        "an item was added up on the thread that called {SUM}: each half should be added up \
         on a new thread of its own, while the calling thread only waits for the two sums"
    );
    Ok(())
}

fn returns_the_sum_of_every_item() -> Outcome {
    for odd in [true, false] {
        let n = length(odd);
        let (items, watches) = items(n, &Caller::new(), &Flag::new(), |_| ());
        let (got, ()) = sum_halves(items, &Caller::new(), || ()).finish()?;
        the_total(got, &watches)?;
    }
    Ok(())
}

/// Whether `got` is the total of the items `watches` watch; if not, says
/// what it looks like instead.
fn the_total(got: u64, watches: &[ProbeWatch]) -> Outcome {
    let n = watches.len();
    let items = count(n);
    let want = total(watches);
    if got == want {
        return Ok(());
    }
    let first = total(&watches[..n / 2]);
    let second = want - first;
    ensure!(
        got != 0,
        "{SUM} returned 0 for {items} that add up to {want}: the two sums stayed on \
         their threads. A thread's closure can return its sum, and `join` hands it to you"
    );
    ensure!(
        got != first && got != second,
        "{SUM} returned {got} for {items} that add up to {want}: that is the sum of the \
         {} half only. Add up what both threads give back",
        if got == first { "first" } else { "second" }
    );
    Err(format!(
        "{SUM} returned {got}, but the {items} add up to {want} (the first half to \
         {first}, the rest to {second}). Return the two threads' sums added together"
    )
    .into())
}

/// "1 item", "3 items".
fn count(n: usize) -> String {
    format!("{n} item{}", if n == 1 { "" } else { "s" })
}

fn short_lists_add_up_too() -> Outcome {
    // Every length, in a random order; a half of 0 items adds up to 0.
    for n in random_order(4) {
        let (items, watches) = items(n, &Caller::new(), &Flag::new(), |_| ());
        let got = call(SUM, move || {
            catch_unwind(AssertUnwindSafe(|| learner::sum_halves(items, Probe::get)))
        })
        .finish()?;
        let got = got.map_err(|payload| {
            format!(
                "{SUM} panicked for a list of {}: \"{}\". The items have a sum however \
                 few they are (0 items add up to 0), and so does each half, even an empty one: \
                 with {}, the first half `items[..items.len() / 2]` has {} and the rest {}",
                count(n),
                panic_message(&*payload),
                count(n),
                n / 2,
                n - n / 2
            )
        })?;
        the_total(got, &watches).map_err(|f| format!("For a short list: {f}"))?;
    }
    Ok(())
}

fn each_half_on_a_thread_of_its_own() -> Outcome {
    for odd in [true, false] {
        let n = length(odd);
        let (items, watches) = items(n, &Caller::new(), &Flag::new(), |_| ());
        let running = sum_halves(items, &Caller::new(), || ());
        let caller = running.thread();
        running.finish()?;
        let half = n / 2;
        // Each item's readers, and the thread of each half (its first item's).
        let readers: Vec<Vec<ThreadId>> = watches.iter().map(ProbeWatch::readers).collect();
        if let Some(i) = readers.iter().position(Vec::is_empty) {
            return Err(format!(
                "of {n} items, item {i} was never read: `value` must be called on every item, \
                 in one half or the other"
            )
            .into());
        }
        if let Some(i) = readers.iter().position(|r| r.contains(&caller)) {
            return Err(format!(
                "item {i} (of {n}) was added up on the thread that called {SUM}: each half \
                 should be added up on a new thread of its own"
            )
            .into());
        }
        // The first and the last item are in different halves, however the
        // list was split.
        let (first, second) = (readers[0][0], readers[n - 1][0]);
        ensure!(
            first != second,
            "both halves were added up on the same thread: each half should have a new thread \
             of its own, so that the two sums are worked out at the same time"
        );
        for (i, r) in readers.iter().enumerate() {
            let (mine, theirs, which) = if i < half {
                (first, second, "first")
            } else {
                (second, first, "second")
            };
            ensure!(
                !r.contains(&theirs),
                "of {n} items, item {i} belongs to the {which} half (the first half is \
                 `items[..{half}]`, that is `items[..items.len() / 2]`), but the thread of the \
                 other half added it up. Check where you split the list"
            );
            ensure!(
                r.iter().all(|t| *t == mine),
                "item {i} (of {n}) was read on more than one thread: each item should be \
                 added up by the one thread its half belongs to"
            );
        }
    }
    Ok(())
}

fn both_halves_at_the_same_time() -> Outcome {
    let n = length(random() % 2 == 0);
    let barrier = TimedBarrier::new(2);
    let (caller, on_caller) = (Caller::new(), Flag::new());
    let b = barrier.clone();
    let (items, watches) = items(n, &caller, &on_caller, move |_| {
        b.wait();
    });
    let (got, ()) = sum_halves(items, &caller, || ()).finish_within(PATIENCE * 2)?;
    on_the_caller(&on_caller)?;
    ensure!(
        barrier.passed(),
        "the two halves were never being added up at the same time: the {} waited {} s for \
         the other, in vain. Are both threads started before `sum_halves` waits for either?",
        if barrier.arrived() == 0 {
            "thread of neither half"
        } else {
            "thread of one half"
        },
        PATIENCE.as_secs()
    );
    ensure!(
        got == total(&watches),
        "{SUM} returned {got}, but the {n} items add up to {}",
        total(&watches)
    );
    Ok(())
}

fn waits_for_both_threads_with_join() -> Outcome {
    let n = length(random() % 2 == 0);
    let jobs = [Held::new(), Held::new()];
    let (caller, on_caller) = (Caller::new(), Flag::new());
    let hooked = jobs.clone();
    let (items, watches) = items(n, &caller, &on_caller, move |half| hooked[half].run());
    let watched = jobs.clone();
    let before = os_thread_ids();
    let t0 = Instant::now();
    let running = sum_halves(items, &caller, move || {
        watched.each_ref().map(Held::is_over)
    });
    let driven = let_go_in_order(&running, &before, &jobs, &random_order(2));
    let_all_go(&jobs);
    driven?;
    let (got, over) = running.finish_within(t0.elapsed() + PATIENCE)?;
    on_the_caller(&on_caller)?;
    if let Some(half) = over.iter().position(|over| !over) {
        return Err(format!(
            "{SUM} returned while the thread adding up the {} half was not over yet: it \
             should wait for both threads with `join`, which also hands over each thread's \
             sum",
            ["first", "second"][half]
        )
        .into());
    }
    ensure!(
        got == total(&watches),
        "{SUM} returned {got}, but the {n} items add up to {}: return what the two `join`s \
         give back, added together",
        total(&watches)
    );
    Ok(())
}
