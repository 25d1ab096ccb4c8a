//! Hidden tests for panic1_join_err. The jobs are the test's: one returns a
//! random number, the others panic (`panicking_job`) with a random message
//! as a `String` (`panic!("{x}")`) or a `&'static str` (`panic!("literal")`),
//! or with a number (a panic without text). Each notes the thread it ran
//! on, and a guard in its frame the thread its panic unwound.
//!
//! * The call runs the learner's `run_guarded` under the test's own
//!   `catch_unwind`: if it panics, the caller did not survive (the job's own
//!   payload passed on, or a panic of its own such as `unwrap`'s), and the
//!   test says which.
//! * The job must have run, and panicked, on a thread other than the
//!   caller: a `catch_unwind` around the job on the caller fails, however
//!   good its message.
//! * The value must be `Err` with exactly the job's random message, for
//!   both payload types (`Ok`, a fixed or made-up message, or a message
//!   read from only one of the two types fails); a panic without text must
//!   still give `Err` (any message) and a surviving caller.
//! * A job that returns must come back as `Ok` with its own random value.
//! * Other panics meanwhile: the job's thread starts a thread of the
//!   test's that panics (a `String`, a random message of its own) and joins
//!   it, once just before the job's own panic, and once while the job's
//!   panic unwinds its thread (`panicking_job_unwinding`): after the panic
//!   and any panic hook, before the thread can end and its `join` return. The `Err` must still carry the job's own message. A
//!   message taken from a panic hook (the last or the first panic the
//!   process saw) fails on every run, whatever the schedule, with scoped
//!   threads too: it needs no exit hold. A panic hook of the learner's
//!   that stays silent, with the message read from `join`'s payload,
//!   passes.
//! * In the last test the job is a `Held` job that then panics: let go only
//!   while the caller is parked in a join of a thread (not a channel's
//!   `recv`, a lock or a sleep; `let_go_in_order`), its thread held as it
//!   exits until seen joined; whether it was over is read inside the call
//!   the instant `run_guarded` returns. A job caught inside its thread and
//!   sent back over a channel, or waited for with a sleep, fails.
//!
//! Accepted: a `catch_unwind` inside the spawned thread whose result comes
//! back through `join` (the panic still happens, and stays, on the job's
//! thread, which is joined); it cannot be told from `join`'s own `Err`.
//!
//! The panics print their messages to the test's stderr, as any spawned
//! thread's panic does; the verdict comes from the report alone.
//!
//! Promises of the exercise's text, and the tests that observe them:
//!
//! | promise | tests |
//! | --- | --- |
//! | "Its `join` returns `Err(payload)` instead of `Ok(value)`" | a_string_panic_becomes_its_message, a_literal_panic_becomes_its_message |
//! | "To read it, try the types `panic!` uses ... leaves a `&'static str`" | a_literal_panic_becomes_its_message |
//! | "a `String` (`payload.downcast_ref::<&str>()` or `::<String>()`)" | a_string_panic_becomes_its_message, a_literal_panic_becomes_its_message |
//! | "so that a failing job cannot take the caller down with it" | a_string_panic_becomes_its_message, a_literal_panic_becomes_its_message, a_panic_without_text_is_an_err_too |
//! | "Turn the job's panic into `Err` carrying its message, and let the caller carry on" | a_string_panic_becomes_its_message, a_literal_panic_becomes_its_message |
//! | "Runs `job` on a new thread and waits for it with `join`" | the_job_panics_on_a_thread_of_its_own, waits_for_the_job_with_join |
//! | "If the job returns a value, that is `Ok(value)`" | a_returning_job_gives_ok_with_its_value |
//! | "If the job panics, the caller does not: `run_guarded` returns `Err(message)`, the panic's message" | a_string_panic_becomes_its_message, a_literal_panic_becomes_its_message, the_job_panics_on_a_thread_of_its_own, other_panics_meanwhile_are_not_the_jobs |
//! | "for a panic that carries no text, any message you like" | a_panic_without_text_is_an_err_too |
use super::learner;
use super::support::*;
use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Instant;

pub const TESTS: &[Test] = &[
    Test {
        name: "the_job_panics_on_a_thread_of_its_own",
        run: the_job_panics_on_a_thread_of_its_own,
    },
    Test {
        name: "a_string_panic_becomes_its_message",
        run: a_string_panic_becomes_its_message,
    },
    Test {
        name: "a_literal_panic_becomes_its_message",
        run: a_literal_panic_becomes_its_message,
    },
    Test {
        name: "a_panic_without_text_is_an_err_too",
        run: a_panic_without_text_is_an_err_too,
    },
    Test {
        name: "a_returning_job_gives_ok_with_its_value",
        run: a_returning_job_gives_ok_with_its_value,
    },
    Test {
        name: "other_panics_meanwhile_are_not_the_jobs",
        run: other_panics_meanwhile_are_not_the_jobs,
    },
    Test {
        name: "waits_for_the_job_with_join",
        run: waits_for_the_job_with_join,
    },
];

const RUN: &str = "`run_guarded(job)`";

/// What the call gave: `run_guarded`'s value, or the payload of the panic
/// that came out of it, and what `after` read the instant it returned.
type Guarded<T, A> = (Result<Result<T, String>, Box<dyn Any + Send>>, A);

/// Calls `run_guarded(job)` under the test's own `catch_unwind`, the caller
/// noted first; `after` runs on the caller the instant it returns (or
/// panics).
fn run_guarded<T: Send + 'static, A: Send + 'static>(
    job: impl FnOnce() -> T + Send + 'static,
    caller: &Caller,
    after: impl FnOnce() -> A + Send + 'static,
) -> Call<Guarded<T, A>> {
    let caller = caller.clone();
    call(RUN, move || {
        caller.note();
        let got = catch_unwind(AssertUnwindSafe(|| learner::run_guarded(job)));
        (got, after())
    })
}

/// What `run_guarded` returned for a panicking job, once it is sure the
/// caller survived and the job panicked on a thread of its own.
fn survived(
    got: Result<Result<u64, String>, Box<dyn Any + Send>>,
    watch: &PanicWatch,
    caller: std::thread::ThreadId,
) -> Result<Result<u64, String>, Failure> {
    let got = match got {
        Ok(got) => got,
        Err(payload) if watch.is_payload(&*payload) => {
            return Err(format!(
                "{RUN} panicked itself, with the job's own panic (\"{}\"): the panic was passed \
                 on to the caller. `run_guarded` should keep the caller alive and return the \
                 message as `Err`",
                watch.message()
            )
            .into());
        }
        Err(payload) => {
            return Err(format!(
                "the job panicked, and then {RUN} panicked too: \"{}\". The caller should carry \
                 on: `join` hands you the job's panic as `Err(payload)`, and `unwrap` (or \
                 `expect`) on that `Err` starts a panic of its own",
                panic_message(&*payload)
            )
            .into());
        }
    };
    let Some(ran_on) = watch.ran_on() else {
        return Err(format!(
            "the job never ran: {RUN} should run it on a new thread and wait for that thread"
        )
        .into());
    };
    ensure!(
        ran_on != caller && watch.unwound_on() != Some(caller),
        "the job ran, and panicked, on the thread that called {RUN}, where its panic was \
         caught: it should run on a new thread of its own, so that its panic ends that thread \
         only, and that thread's `join` tells you about it"
    );
    Ok(got)
}

/// A job that panics with `payload`: `run_guarded` must give `Err` with its
/// message, and the caller must survive.
fn panics_become_err(payload: Payload) -> Outcome {
    let (job, watch) = panicking_job::<u64>(payload, || ());
    let running = run_guarded(job, &Caller::new(), || ());
    let caller = running.thread();
    let (got, ()) = running.finish()?;
    let got = survived(got, &watch, caller)?;
    let message = watch.message();
    match got {
        Ok(value) => Err(format!(
            "the job panicked with \"{message}\", but {RUN} returned Ok({value}): a panic \
             should come back as `Err` with its message"
        )
        .into()),
        Err(_) if payload == Payload::NotText => Ok(()),
        Err(got) if got == message => Ok(()),
        Err(got) => Err(format!(
            "the job panicked with \"{message}\", but {RUN} returned Err({got:?}): the `Err` \
             should carry the panic's own message, read from `join`'s payload. This job's \
             panic was like {}, so its payload is a {}",
            match payload {
                Payload::Str => "`panic!(\"a literal\")`",
                _ => "`panic!(\"{x} went wrong\")`",
            },
            match payload {
                Payload::Str => "`&'static str`",
                _ => "`String`",
            }
        )
        .into()),
    }
}

fn the_job_panics_on_a_thread_of_its_own() -> Outcome {
    let (job, watch) = panicking_job::<u64>(Payload::String, || ());
    let running = run_guarded(job, &Caller::new(), || ());
    let caller = running.thread();
    let (got, ()) = running.finish()?;
    survived(got, &watch, caller)?;
    ensure!(
        watch.unwound_on() == watch.ran_on(),
        "the job's panic did not unwind the thread it ran on"
    );
    Ok(())
}

fn a_string_panic_becomes_its_message() -> Outcome {
    panics_become_err(Payload::String)
}

fn a_literal_panic_becomes_its_message() -> Outcome {
    panics_become_err(Payload::Str)
}

fn a_panic_without_text_is_an_err_too() -> Outcome {
    panics_become_err(Payload::NotText)
}

fn a_returning_job_gives_ok_with_its_value() -> Outcome {
    let value = random();
    let log = Log::new();
    let l = log.clone();
    let job = move || {
        l.note("job");
        value
    };
    let running = run_guarded(job, &Caller::new(), || ());
    let caller = running.thread();
    let (got, ()) = running.finish()?;
    let got = match got {
        Ok(got) => got,
        Err(payload) => {
            return Err(format!(
                "{RUN} panicked, although the job returned {value}: \"{}\"",
                panic_message(&*payload)
            )
            .into());
        }
    };
    let Some(ran_on) = log.thread_of("job") else {
        return Err(format!(
            "the job never ran: {RUN} should run it on a new thread and wait for it"
        )
        .into());
    };
    ensure!(
        ran_on != caller,
        "the job ran on the thread that called {RUN}: it should run on a new thread of its own"
    );
    match got {
        Ok(got) if got == value => Ok(()),
        Ok(got) => Err(format!(
            "the job returned {value}, but {RUN} returned Ok({got}): give back the job's own \
             value, which `join` hands you as `Ok(value)`"
        )
        .into()),
        Err(message) => Err(format!(
            "the job returned {value} without panicking, but {RUN} returned Err({message:?}): \
             a job that returns should come back as `Ok(value)`"
        )
        .into()),
    }
}

/// Spawns a thread of the test's that panics with `message` (a `String`),
/// and joins it: its panic is over when this returns.
fn other_panic(message: String) {
    let _ = std::thread::spawn(move || std::panic::panic_any(message)).join();
}

fn other_panics_meanwhile_are_not_the_jobs() -> Outcome {
    let payload = if random() % 2 == 0 {
        Payload::Str
    } else {
        Payload::String
    };
    let decoy = || {
        format!(
            "another thread's panic, not the job's: {} {}",
            random_word(),
            random_word()
        )
    };
    let (before, after) = (decoy(), decoy());
    let (b, a) = (before.clone(), after.clone());
    // On the job's thread: one panic elsewhere just before the job's own,
    // one while the job's panic unwinds its thread (so before its `join`
    // can return). Both are over before the job's thread ends.
    let (job, watch) =
        panicking_job_unwinding::<u64>(payload, move || other_panic(b), move || other_panic(a));
    let running = run_guarded(job, &Caller::new(), || ());
    let caller = running.thread();
    let (got, ()) = running.finish()?;
    let got = survived(got, &watch, caller)?;
    let message = watch.message();
    match got {
        Err(got) if got == message => Ok(()),
        Err(got) if got == before || got == after => Err(format!(
            "the job panicked with \"{message}\", but {RUN} returned Err({got:?}): that is the \
             message of another panic, on another thread of the program, which panicked {} the \
             job's did. Panics on other threads can happen at any time; the `Err` should carry \
             this job's own panic, the payload its thread's `join` hands you",
            if got == before { "just before" } else { "just after" }
        )
        .into()),
        Err(got) => Err(format!(
            "the job panicked with \"{message}\" (while other threads of the program panicked \
             too), but {RUN} returned Err({got:?}): the `Err` should carry the job's own \
             message, read from `join`'s payload"
        )
        .into()),
        Ok(value) => Err(format!(
            "the job panicked with \"{message}\", but {RUN} returned Ok({value}): a panic \
             should come back as `Err` with its message"
        )
        .into()),
    }
}

fn waits_for_the_job_with_join() -> Outcome {
    let held = Held::new();
    let h = held.clone();
    // On the caller the job is not held (see `Caller`): `survived` then
    // says that it ran there.
    let (caller, on_caller) = (Caller::new(), Flag::new());
    let hold = caller.once_elsewhere(&on_caller, move || h.run());
    let (job, watch) = panicking_job::<u64>(Payload::String, hold);
    let watched = held.clone();
    let before = os_thread_ids();
    let t0 = Instant::now();
    let running = run_guarded(job, &caller, move || watched.is_over());
    let caller = running.thread();
    let driven = let_go_in_order(&running, &before, &[held.clone()], &[0]);
    held.let_go();
    driven?;
    let (got, over) = running.finish_within(t0.elapsed() + PATIENCE)?;
    let got = survived(got, &watch, caller)?;
    ensure!(
        over,
        "{RUN} returned while the job's thread was not over yet: it should wait for the \
         thread with `join`, which is also what tells you that the job panicked"
    );
    ensure!(
        got.as_ref().err() == Some(&watch.message()),
        "the job panicked with \"{}\", but {RUN} returned {got:?}",
        watch.message()
    );
    Ok(())
}
