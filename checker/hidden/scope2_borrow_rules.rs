//! Hidden tests for scope2_borrow_rules. The slots are `Probe`s (the old
//! values), a slice of random length (5 to 40) that the test owns; `make(i)`
//! returns a new `Probe` holding a random value for slot `i` (all
//! different). Writing `slots[i] = ..` drops the old probe on the thread
//! that writes, so each old probe says which thread wrote its slot, and
//! when.
//!
//! * Which threads write: every slot written, none on the caller, the
//!   first half (`slots[..n / 2]`) all on one thread and the rest all on
//!   one other thread (so no third thread for an odd slot, and the middle
//!   slot of an odd length with the rest); `make` is never called on the
//!   caller: on an odd and an even random length, and on 2 and 3 slots,
//!   every run.
//! * Slices of 0 to 3 slots: no panic, every slot holds `make(i)`. With
//!   fewer than 2 slots a half is empty, so only the values can be checked.
//! * At the same time: each thread's first call of `make` (`FirstTouch`)
//!   waits at a `TimedBarrier(2)`. One thread writing everything, a thread
//!   joined before the next starts, or a `Mutex` around the whole slice that
//!   the threads take turns to hold, wait `PATIENCE` in vain: every run.
//! * Every slot must hold what `make` gave for its own index (a second
//!   half that forgets where it starts holds `make(0)`, `make(1)`... and the
//!   message says so).
//! * Done when it returns: each of the first two threads to call `make` is
//!   held there (a `Held` job; the caller is left alone) until the caller
//!   waits in a join or at the end of the scope (`let_go_in_order`); whether
//!   each held thread was done, and how many slots were written, is read
//!   the instant `fill` returns.
//!
//! Promises of the exercise's text, and the tests that observe them:
//!
//! | promise | tests |
//! | --- | --- |
//! | "Let the first thread fill the first half and the second thread the second half" | each_half_is_written_on_a_thread_of_its_own, every_slot_holds_what_make_gave_for_it |
//! | "each through a `&mut` to its own half only" | both_halves_are_written_at_the_same_time |
//! | "Fills every slot: `slots[i] = make(i)`" | every_slot_holds_what_make_gave_for_it, short_slices_are_filled_too |
//! | "the first half of the slice, `slots[..slots.len() / 2]`, on one thread and the rest on another" | each_half_is_written_on_a_thread_of_its_own |
//! | "both at the same time" | both_halves_are_written_at_the_same_time |
//! | "Returns once every slot is filled" | every_slot_is_filled_when_fill_returns |
use super::learner;
use super::support::*;
use std::thread::ThreadId;
use std::time::Instant;

pub const TESTS: &[Test] = &[
    Test {
        name: "each_half_is_written_on_a_thread_of_its_own",
        run: each_half_is_written_on_a_thread_of_its_own,
    },
    Test {
        name: "both_halves_are_written_at_the_same_time",
        run: both_halves_are_written_at_the_same_time,
    },
    Test {
        name: "every_slot_holds_what_make_gave_for_it",
        run: every_slot_holds_what_make_gave_for_it,
    },
    Test {
        name: "short_slices_are_filled_too",
        run: short_slices_are_filled_too,
    },
    Test {
        name: "every_slot_is_filled_when_fill_returns",
        run: every_slot_is_filled_when_fill_returns,
    },
];

const FILL: &str = "`fill(slots, make)`";

/// Old values are at least this; new ones are below it.
const OLD: u64 = 1 << 40;

/// A slice of old probes of random length (5 to 40), their watches, and
/// the values `make` gives, one for each index, all different and random.
fn slots() -> (Vec<Probe>, Vec<ProbeWatch>, Vec<u64>) {
    slots_of(random_between(5, 40) as usize)
}

/// [`slots`] of length `n`.
fn slots_of(n: usize) -> (Vec<Probe>, Vec<ProbeWatch>, Vec<u64>) {
    let (slots, watches) = (0..n).map(|i| Probe::new(OLD + i as u64)).unzip();
    let (start, step) = (random_between(1, 1 << 30), random_between(1, 1000));
    let values = (0..n as u64).map(|i| start + i * step).collect();
    (slots, watches, values)
}

/// A `make` that runs `first` on each thread's first call, notes each call
/// in `log` (if any), and returns a new probe holding `values[i]`.
fn make(
    values: &[u64],
    log: Option<Log>,
    first: impl Fn(usize) + Send + Sync + 'static,
) -> (impl Fn(usize) -> Probe + Send + Sync + 'static, FirstTouch) {
    let touch = FirstTouch::new();
    let (t, values) = (touch.clone(), values.to_vec());
    let make = move |i: usize| {
        if let Some(k) = t.first_touch() {
            first(k);
        }
        if let Some(log) = &log {
            log.note(i.to_string());
        }
        Probe::new(values.get(i).copied().unwrap_or(0)).0
    };
    (make, touch)
}

fn each_half_is_written_on_a_thread_of_its_own() -> Outcome {
    // An odd and an even length every run, and the two shortest slices
    // whose halves both hold a slot.
    let odd = random_between(2, 19) as usize * 2 + 1;
    let even = random_between(3, 20) as usize * 2;
    for n in [odd, even, 2, 3] {
        halves_on_threads_of_their_own(n)?;
    }
    Ok(())
}

/// The threads that wrote the slots of `watches`, in order of slot.
fn writers(watches: &[ProbeWatch]) -> Vec<ThreadId> {
    let mut threads = Vec::new();
    for t in watches.iter().filter_map(ProbeWatch::dropped_on) {
        if !threads.contains(&t) {
            threads.push(t);
        }
    }
    threads
}

/// Fills `n` slots (at least 2), and checks that each half was written on
/// a single thread of its own: `slots[..n / 2]` on one, the rest on another.
fn halves_on_threads_of_their_own(n: usize) -> Outcome {
    let (mut slots, watches, values) = slots_of(n);
    let log = Log::new();
    let (make, _) = make(&values, Some(log.clone()), |_| ());
    let running = call(FILL, move || {
        learner::fill(&mut slots, make);
        slots
    });
    let caller = running.thread();
    let _slots = running.finish_within(PATIENCE * 3)?;
    let made_on_caller = log.entries().iter().filter(|e| e.thread == caller).count();
    ensure!(
        made_on_caller == 0,
        "`make` was called {made_on_caller} times on the thread that called {FILL}: the two \
         threads should make the values of their halves themselves"
    );
    let unwritten: Vec<usize> = (0..n).filter(|&i| !watches[i].is_dropped()).collect();
    ensure!(
        unwritten.is_empty(),
        "when {FILL} returned, {} of the {n} slots had never been written (index {}): every slot \
         should get `make(i)`",
        unwritten.len(),
        a_few(&unwritten)
    );
    let on_caller: Vec<usize> = (0..n)
        .filter(|&i| watches[i].dropped_on() == Some(caller))
        .collect();
    ensure!(
        on_caller.is_empty(),
        "{} of the {n} slots were written on the thread that called {FILL} (index {}): each \
         thread should write its own half, through its own `&mut` part",
        on_caller.len(),
        a_few(&on_caller)
    );
    let mid = n / 2;
    let (first, rest) = watches.split_at(mid);
    let (first_threads, rest_threads) = (writers(first), writers(rest));
    if first_threads.len() == 1 && first_threads == rest_threads {
        return Err(format!(
            "all {n} slots were written on one and the same thread: the first half and the \
             second half should each get a thread of its own"
        )
        .into());
    }
    // Slots of the rest written on a thread of the first half's.
    let crossed: Vec<usize> = (mid..n)
        .filter(|&i| {
            watches[i]
                .dropped_on()
                .is_some_and(|t| first_threads.contains(&t))
        })
        .collect();
    if crossed == [mid] {
        return Err(format!(
            "of {n} slots, `slots[{mid}]` (the first of `slots[{mid}..]`, the rest) was written \
             on the thread of the first half: the first half is `slots[..slots.len() / 2]`, \
             and the middle slot of an odd length belongs to the rest"
        )
        .into());
    }
    ensure!(
        crossed.is_empty(),
        "of {n} slots, `slots[{}]` was written on the thread of the first half \
         (`slots[..slots.len() / 2]`, index 0 to {}): the rest (index {mid} to {}) belongs to \
         the other thread",
        a_few(&crossed),
        mid - 1,
        n - 1
    );
    for (what, threads) in [
        (
            format!("the first half (index 0 to {})", mid - 1),
            &first_threads,
        ),
        (
            format!("the rest (index {mid} to {})", n - 1),
            &rest_threads,
        ),
    ] {
        ensure!(
            threads.len() == 1,
            "of {n} slots, {what} were written on {} different threads: {FILL} should give the \
             first half, `slots[..slots.len() / 2]`, one thread, and the rest one other thread, \
             two in all",
            threads.len()
        );
    }
    Ok(())
}

fn both_halves_are_written_at_the_same_time() -> Outcome {
    let (mut slots, _watches, values) = slots();
    let barrier = TimedBarrier::new(2);
    let b = barrier.clone();
    // Each thread, on its first call of `make`, waits for a second thread
    // to be making values too.
    let (make, touch) = make(&values, None, move |_| {
        b.wait();
    });
    let running = call(FILL, move || {
        learner::fill(&mut slots, make);
        slots
    });
    running.finish_within(PATIENCE * 3)?;
    ensure!(
        barrier.passed(),
        "the two halves were never filled at the same time: {}, and the first thread to call \
         `make` waited {} s for a second one, in vain. Give each thread its own `&mut` half \
         (`split_at_mut`), so that neither has to wait for the other",
        match touch.threads().len() {
            0 => "`make` was never called".to_string(),
            1 => "a single thread called `make` for every slot".to_string(),
            k => format!("{k} threads called `make`, but one after another"),
        },
        PATIENCE.as_secs()
    );
    Ok(())
}

fn every_slot_holds_what_make_gave_for_it() -> Outcome {
    let (mut slots, _watches, values) = slots();
    let n = slots.len();
    let (make, _) = make(&values, None, |_| ());
    let running = call(FILL, move || {
        learner::fill(&mut slots, make);
        slots
    });
    let slots = running.finish()?;
    ensure!(
        slots.len() == n,
        "the slice has {} slots after {FILL}, but it had {n}",
        slots.len()
    );
    for (i, slot) in slots.iter().enumerate() {
        let held = slot.get();
        if held == values[i] {
            continue;
        }
        let what = if held >= OLD {
            "its old value: it was never written. Each thread should write every slot of its \
             part"
                .to_string()
        } else if let Some(j) = values.iter().position(|&v| v == held) {
            format!(
                "`make({j})`. Within a part of the slice, positions start again at 0: the \
                 second half's first slot is slot `half` of the whole"
            )
        } else {
            "a value `make` never gave".to_string()
        };
        return Err(format!(
            "after {FILL}, `slots[{i}]` (of {n} slots) should hold `make({i})`, but it holds \
             {what}"
        )
        .into());
    }
    Ok(())
}

fn short_slices_are_filled_too() -> Outcome {
    for n in [0, 1, 2, 3] {
        let (mut slots, _watches, values) = slots_of(n);
        let (make, _) = make(&values, None, |_| ());
        let running = call(FILL, move || {
            learner::fill(&mut slots, make);
            slots
        });
        let slots = running
            .finish_within(PATIENCE * 3)
            .map_err(|failure| Failure {
                timed_out: failure.timed_out,
                message: format!(
                    "for a slice of {n} slot{}: {} (no length is left out: with fewer than 2 \
                     slots a half is empty, and its thread has nothing to fill)",
                    if n == 1 { "" } else { "s" },
                    failure.message
                ),
            })?;
        let wrong: Vec<usize> = (0..n)
            .filter(|&i| slots.get(i).is_none_or(|slot| slot.get() != values[i]))
            .collect();
        ensure!(
            slots.len() == n && wrong.is_empty(),
            "for a slice of {n} slot{}, after {FILL} `slots[{}]` does not hold `make(i)` for its \
             own index",
            if n == 1 { "" } else { "s" },
            a_few(&wrong)
        );
    }
    Ok(())
}

fn every_slot_is_filled_when_fill_returns() -> Outcome {
    let (mut slots, watches, values) = slots();
    let n = slots.len();
    let held = [Held::new(), Held::new()];
    let h = held.clone();
    // The first call of `make` on each of the first two threads is held
    // until the test lets it go; the caller, left alone, is never held.
    let (make, touch) = make(&values, None, move |k| {
        if let Some(job) = h.get(k) {
            job.run();
        }
    });
    let (watched, written) = (held.clone(), watches.clone());
    let before = os_thread_ids();
    let t0 = Instant::now();
    let running = call(FILL, move || {
        touch.leave_this_thread_alone();
        learner::fill(&mut slots, make);
        // At the instant `fill` returned: which held threads were not done
        // yet, and how many slots were written.
        let busy: Vec<bool> = watched
            .iter()
            .map(|h| h.has_started() && !h.is_done())
            .collect();
        let written = written.iter().filter(|w| w.is_dropped()).count();
        (busy, written, slots)
    });
    let driven = let_go_in_order(&running, &before, &held, &random_order(held.len()));
    let_all_go(&held);
    driven?;
    let (busy, written, _slots) = running.finish_within(t0.elapsed() + PATIENCE)?;
    ensure!(
        !busy.contains(&true),
        "{FILL} returned while a thread of its own was still filling ({written} of the {n} \
         slots were written by then): it should return only once every slot is filled. Join \
         the threads, or let the scope end, before you return"
    );
    ensure!(
        written == n,
        "when {FILL} returned, {written} of the {n} slots had been written: every slot should \
         be filled by then"
    );
    Ok(())
}
