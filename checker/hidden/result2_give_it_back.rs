//! Hidden tests for result2_give_it_back. The items are probes (random,
//! distinct values; not `Clone`; they note every thread that reads them and
//! the thread that drops them), so the list that comes back can only be
//! made of the very items that went in, and the test sees where each one
//! went. `work` is the test's closure: it reads the item and notes its
//! thread and value in a `Log`.
//!
//! * The test itself joins the handle `in_background` returned: the list
//!   must come out of that `join`, with the same buffer (`as_ptr`) and
//!   length, the same items in the same order, none of them dropped.
//!   Returning an empty or a rebuilt list fails; so does losing an item.
//! * An empty list (`Vec::with_capacity(k)`, 0 items but a buffer of its
//!   own) must come back the same way: not a panic on the worker (a loop
//!   to `len() - 1`), `work` never called, the same buffer (`as_ptr`) and
//!   length 0 (a new `Vec::new()` has no buffer, so it is told apart).
//! * `work` must have run once per item, in order, all on the thread of the
//!   handle that came back (`JoinHandle::thread`), which is not the caller:
//!   work done on the caller, on another thread, or twice fails.
//! * `in_background` must return while `work` is held on the first item
//!   (`Held`; its "done" flag read inside the call the instant it returns),
//!   and straight away (its own time, see `Stopwatch`): a function that
//!   joins the worker before it returns fails. On the calling thread the
//!   hold does not happen (`Caller::once_elsewhere`), and the test says so.
//!
//! Promises of the exercise's text, and the tests that observe them:
//!
//! | promise | tests |
//! | --- | --- |
//! | "whoever joins the handle owns it again" | join_gives_back_the_very_same_vec |
//! | "Nothing is copied: the very same `Vec`, with the same items in the same place in memory" | join_gives_back_the_very_same_vec, an_empty_list_comes_back_too |
//! | "lends a list to a worker thread that changes every item" | work_runs_on_the_worker_for_every_item_in_order |
//! | "the caller gets on with other things, and later joins the handle to get the list back" | returns_while_the_worker_is_busy, join_gives_back_the_very_same_vec |
//! | "Moves `items` to a new thread, which calls `work` on each item, in order" | work_runs_on_the_worker_for_every_item_in_order |
//! | "and then gives the very same `Vec` back: it comes out of the handle's `join`" | join_gives_back_the_very_same_vec, an_empty_list_comes_back_too |
//! | "Returns the worker's handle straight away, while the worker may still be busy" | returns_while_the_worker_is_busy, returns_straight_away, work_runs_on_the_worker_for_every_item_in_order |
use super::learner;
use super::support::*;
use std::thread::{JoinHandle, ThreadId};

pub const TESTS: &[Test] = &[
    Test {
        name: "work_runs_on_the_worker_for_every_item_in_order",
        run: work_runs_on_the_worker_for_every_item_in_order,
    },
    Test {
        name: "join_gives_back_the_very_same_vec",
        run: join_gives_back_the_very_same_vec,
    },
    Test {
        name: "an_empty_list_comes_back_too",
        run: an_empty_list_comes_back_too,
    },
    Test {
        name: "returns_while_the_worker_is_busy",
        run: returns_while_the_worker_is_busy,
    },
    Test {
        name: "returns_straight_away",
        run: returns_straight_away,
    },
];

const IN_BACKGROUND: &str = "`in_background(items, work)`";

/// A random number (3 to 9) of probes with distinct random values.
fn items() -> (Vec<Probe>, Vec<ProbeWatch>) {
    let n = random_between(3, 9) as usize;
    let mut values: Vec<u64> = Vec::with_capacity(n);
    while values.len() < n {
        let v = random_between(1, 999);
        if !values.contains(&v) {
            values.push(v);
        }
    }
    values.into_iter().map(Probe::new).unzip()
}

/// The test's `work`: reads the item, notes its value on the current
/// thread, and runs `hook` on its first call off the caller.
fn work(log: &Log, hook: impl Fn() + Send + 'static) -> impl FnMut(&mut Probe) + Send + 'static {
    let log = log.clone();
    move |item: &mut Probe| {
        hook();
        log.note(item.get().to_string());
    }
}

/// Calls `in_background(items, work)`, the caller noted first; `after`
/// runs on the caller the instant it returns.
fn in_background<A: Send + 'static>(
    items: Vec<Probe>,
    work: impl FnMut(&mut Probe) + Send + 'static,
    caller: &Caller,
    after: impl FnOnce() -> A + Send + 'static,
) -> Call<(JoinHandle<Vec<Probe>>, A)> {
    let caller = caller.clone();
    call(IN_BACKGROUND, move || {
        caller.note();
        let handle = learner::in_background(items, work);
        (handle, after())
    })
}

/// Joins the handle `in_background` gave back, at most `PATIENCE`.
fn join(handle: JoinHandle<Vec<Probe>>) -> Result<Vec<Probe>, Failure> {
    let joined = call("`handle.join()`", move || join_seen(handle)).finish()?;
    joined.map_err(|payload| {
        format!("the worker thread panicked: {}", panic_message(&*payload)).into()
    })
}

/// The values `work` was called on, and the threads it ran on.
fn worked(log: &Log) -> (Vec<u64>, Vec<ThreadId>) {
    log.entries()
        .into_iter()
        .map(|e| (e.label.parse().unwrap_or(0), e.thread))
        .unzip()
}

fn work_runs_on_the_worker_for_every_item_in_order() -> Outcome {
    let (items, watches) = items();
    let log = Log::new();
    let running = in_background(items, work(&log, || ()), &Caller::new(), || ());
    let caller = running.thread();
    let (handle, ()) = running.finish()?;
    let worker = handle.thread().id();
    let back = join(handle)?;
    let (values, threads) = worked(&log);
    let want: Vec<u64> = watches.iter().map(ProbeWatch::value).collect();
    ensure!(
        !threads.contains(&caller),
        "`work` ran on the thread that called {IN_BACKGROUND}: the items should be worked on \
         by the new thread, while the caller gets on with other things"
    );
    ensure!(
        worker != caller,
        "the handle {IN_BACKGROUND} returned is the calling thread's own: it should be the \
         handle of the new thread that works on the items"
    );
    ensure!(
        threads.iter().all(|t| *t == worker),
        "`work` ran on a thread other than the one whose handle {IN_BACKGROUND} returned: the \
         thread that gets the items should work on them and give them back through its own \
         handle"
    );
    ensure!(
        values == want,
        "`work` was called on the items with the values {values:?}, but the list held {want:?}: \
         it should be called once on each item, in the list's order"
    );
    drop(back);
    Ok(())
}

fn join_gives_back_the_very_same_vec() -> Outcome {
    let (items, watches) = items();
    let (n, buffer) = (items.len(), items.as_ptr() as usize);
    let log = Log::new();
    let (handle, ()) = in_background(items, work(&log, || ()), &Caller::new(), || ()).finish()?;
    let back = join(handle)?;
    let dropped = watches.iter().filter(|w| w.is_dropped()).count();
    ensure!(
        !back.is_empty() || dropped == 0,
        "joining the handle gave back an empty list, and the {dropped} items that went in \
         were dropped on the way: the worker's closure should end with the list itself, so \
         that `join` hands it back"
    );
    ensure!(
        dropped == 0,
        "of the {n} items that went in, {} came back and {dropped} {} dropped on the way: \
         every item that went in should come back out of `join`",
        back.len(),
        if dropped == 1 { "was" } else { "were" }
    );
    ensure!(
        back.len() == n,
        "joining the handle gave back {} items, but {n} went in",
        back.len()
    );
    let got: Vec<u64> = back.iter().map(Probe::get).collect();
    let want: Vec<u64> = watches.iter().map(ProbeWatch::value).collect();
    ensure!(
        got == want,
        "the items came back in the order {got:?}, but went in as {want:?}: the very same \
         list should come back, in its own order"
    );
    ensure!(
        back.as_ptr() as usize == buffer,
        "the items came back in a new list, not in the one that went in (its buffer is \
         somewhere else in memory): the items were moved into another `Vec` on the way. \
         Nothing needs copying: give back the `Vec` the thread was given"
    );
    Ok(())
}

fn an_empty_list_comes_back_too() -> Outcome {
    // Empty, but with room for a few items: a buffer of its own, which a
    // new `Vec` would not share.
    let room = random_between(1, 8) as usize;
    let items: Vec<Probe> = Vec::with_capacity(room);
    let buffer = items.as_ptr() as usize;
    let log = Log::new();
    let empty = "an empty list (`Vec::with_capacity`, 0 items)";
    let (handle, ()) = in_background(items, work(&log, || ()), &Caller::new(), || ())
        .finish()
        .map_err(|f| Failure {
            message: format!("For {empty}: {}", f.message),
            ..f
        })?;
    let back = call("`handle.join()`", move || join_seen(handle)).finish()?;
    let back = back.map_err(|payload| {
        format!(
            "{IN_BACKGROUND} was given {empty}, and its worker thread panicked: \"{}\". A list \
             with no items is a list too: there is nothing to work on, and the worker should \
             give the same empty `Vec` back through `join`",
            panic_message(&*payload)
        )
    })?;
    let (values, _) = worked(&log);
    ensure!(
        values.is_empty(),
        "{IN_BACKGROUND} was given {empty}, but `work` was called {} times: there is no item \
         to call it on",
        values.len()
    );
    ensure!(
        back.is_empty(),
        "{IN_BACKGROUND} was given {empty}, but joining the handle gave back {} items",
        back.len()
    );
    ensure!(
        back.as_ptr() as usize == buffer,
        "{IN_BACKGROUND} was given {empty}, and joining the handle gave back an empty list, \
         but not the one that went in (its buffer is somewhere else in memory): give back the \
         very `Vec` the thread was given, even when it holds nothing"
    );
    Ok(())
}

fn returns_while_the_worker_is_busy() -> Outcome {
    let (items, watches) = items();
    let held = Held::new();
    let (caller, on_caller) = (Caller::new(), Flag::new());
    let h = held.clone();
    let hook = caller.once_elsewhere(&on_caller, move || h.run());
    let log = Log::new();
    let watched = held.clone();
    let running = in_background(items, work(&log, hook), &caller, move || watched.is_done());
    let returned = poll_until(PATIENCE, || running.has_returned());
    held.let_go();
    ensure!(
        !on_caller.is_up(),
        "`work` ran on the thread that called {IN_BACKGROUND}: the items should be worked on \
         by the new thread, and the caller should get the handle back at once"
    );
    ensure!(
        returned,
        "{IN_BACKGROUND} did not return while the worker was still busy with the first item \
         (it was kept busy for {} s): it should start the worker and hand back its handle at \
         once; the waiting is for whoever joins the handle",
        PATIENCE.as_secs()
    );
    let (handle, done_at_return) = running.finish()?;
    ensure!(
        !done_at_return,
        "the worker was already done with the first item when {IN_BACKGROUND} returned, \
         although it was kept busy: `in_background` waited for it. Hand back the handle at \
         once; the waiting is for whoever joins it"
    );
    let back = join(handle)?;
    ensure!(
        back.len() == watches.len(),
        "joining the handle gave back {} items, but {} went in",
        back.len(),
        watches.len()
    );
    Ok(())
}

fn returns_straight_away() -> Outcome {
    let (items, _watches) = items();
    let log = Log::new();
    let (handle, ()) = in_background(items, work(&log, || ()), &Caller::new(), || ())
        .finish_straight_away(PATIENCE)?;
    join(handle)?;
    Ok(())
}
