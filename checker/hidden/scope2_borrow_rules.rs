//! Hidden tests for scope2_borrow_rules. The slots are `Probe`s (the old
//! values), a slice of random length (5 to 40) that the test owns; `make(i)`
//! returns a new `Probe` holding a random value for slot `i` (all
//! different). Writing `slots[i] = ..` drops the old probe on the thread
//! that writes, so each old probe says which thread wrote its slot, and
//! when.
//!
//! * Which threads write: every slot written, none on the caller, and the
//!   first and the last slot (one in each half, however the middle is
//!   split) on two different threads; `make` is never called on the caller.
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
//! | "Fills every slot: `slots[i] = make(i)`" | every_slot_holds_what_make_gave_for_it |
//! | "the first half of the slice on one thread and the second half on another" | each_half_is_written_on_a_thread_of_its_own |
//! | "both at the same time" | both_halves_are_written_at_the_same_time |
//! | "Returns once every slot is filled" | every_slot_is_filled_when_fill_returns |
use super::learner;
use super::support::*;
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
    let n = random_between(5, 40) as usize;
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
    let (mut slots, watches, values) = slots();
    let n = slots.len();
    let log = Log::new();
    let (make, _) = make(&values, Some(log.clone()), |_| ());
    let running = call(FILL, move || {
        learner::fill(&mut slots, make);
        slots
    });
    let caller = running.thread();
    let _slots = running.finish()?;
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
    ensure!(
        watches[0].dropped_on() != watches[n - 1].dropped_on(),
        "the first slot and the last one (index {}) were written on the same thread: the first \
         half and the second half should each get a thread of its own",
        n - 1
    );
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
