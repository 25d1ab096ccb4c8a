//! Hidden tests for builder1_named. Every run uses a random thread name and
//! a random, ordinary stack size (256 KiB to 2 MiB).
//!
//! * The job notes `thread::current()`'s id and name: it must run on a new
//!   thread, not the caller, and that thread must carry exactly the name
//!   asked for (`thread::spawn` cannot name it; a fixed or decorated name
//!   fails, as does a random name that differs every run).
//! * The job waits at a gate the test opens only once `spawn_named` is back,
//!   and notes when it is done: a `spawn_named` that waits for its job
//!   (joins it, runs it itself) is back only when the job gives up, past
//!   `STRAIGHT_AWAY`, every run. The handle given back must belong to the
//!   thread that ran the job, and its `join` must give the job's random
//!   value.
//! * A thread that starts gets the stack it was asked for: the job is
//!   asked for a random 1 to 2 GiB stack (whole pages) and held at a gate
//!   while the test reads the process's address space (`VmSize`) before the
//!   call and while the job waits. A stack is mapped in whole when its
//!   thread starts but backed only where written, so the job's stack shows
//!   there untouched (resident memory, what the limits watch, hardly
//!   moves): the growth must be within 128 MiB below and 512 MiB above
//!   the size asked (other threads' stacks and allocator arenas, a few MiB
//!   to 64 MiB each, may come or go meanwhile). An ignored size grows it by about 2 MiB; a size
//!   taken for KiB (x1024, 1 to 2 TiB) is refused by the OS, or, where it
//!   is not, grows it a thousandfold.
//! * A stack of about 2^60 bytes (random pages on top) is one the OS refuses:
//!   the test asks `Builder::spawn` itself first, and expects exactly that
//!   error back (kind and OS error code), without a panic (`unwrap`,
//!   `expect`), without an `Ok` (stack size ignored, or `thread::spawn`),
//!   and without an error made up by the learner's code.
//!
//! Promises of the exercise's text, and the tests that observe them:
//!
//! | promise | tests |
//! | --- | --- |
//! | "Start `job` on a thread with that name and that stack size" | the_job_runs_on_a_thread_named_as_asked, the_thread_gets_the_stack_size_asked, a_refused_spawn_comes_back_as_err |
//! | "and give back what `Builder::spawn` says" | the_handle_belongs_to_the_job_and_gives_its_value, a_refused_spawn_comes_back_as_err |
//! | "Starts `job` on a new thread called `name`" | the_job_runs_on_a_thread_named_as_asked |
//! | "with a stack of `stack_size` bytes" | the_thread_gets_the_stack_size_asked, a_refused_spawn_comes_back_as_err |
//! | "returns its handle straight away, while the job runs" | returns_the_handle_straight_away |
//! | "If the OS refuses to start that thread, returns its `Err` instead" | a_refused_spawn_comes_back_as_err |
//! | "(and does not panic)" | a_refused_spawn_comes_back_as_err |
use super::learner;
use super::support::*;
use std::io;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc;
use std::thread::{self, JoinHandle, ThreadId};

pub const TESTS: &[Test] = &[
    Test {
        name: "the_job_runs_on_a_thread_named_as_asked",
        run: the_job_runs_on_a_thread_named_as_asked,
    },
    Test {
        name: "returns_the_handle_straight_away",
        run: returns_the_handle_straight_away,
    },
    Test {
        name: "the_handle_belongs_to_the_job_and_gives_its_value",
        run: the_handle_belongs_to_the_job_and_gives_its_value,
    },
    Test {
        name: "the_thread_gets_the_stack_size_asked",
        run: the_thread_gets_the_stack_size_asked,
    },
    Test {
        name: "a_refused_spawn_comes_back_as_err",
        run: a_refused_spawn_comes_back_as_err,
    },
];

const SPAWN: &str = "`spawn_named(name, stack_size, job)`";

/// A thread name that differs on every run.
fn a_name() -> String {
    format!("{}-{}", random_word(), random_between(10, 99))
}

/// An ordinary stack size, 256 KiB to 2 MiB, in whole pages.
fn a_stack_size() -> usize {
    random_between(64, 512) as usize * 4096
}

/// The handle from a spawn the OS had no reason to refuse.
fn expect_started<T>(
    spawned: io::Result<JoinHandle<T>>,
    name: &str,
    stack_size: usize,
) -> Result<JoinHandle<T>, Failure> {
    spawned.map_err(|e| {
        format!(
            "{SPAWN} returned `Err({e})` for a thread called {name:?} with a stack of {} KiB, \
             which the OS gives out readily: start the thread with exactly that name and stack \
             size, and return what `Builder::spawn` returns",
            stack_size / 1024
        )
        .into()
    })
}

/// Joins `handle` on a watched thread: the job's result, or its panic.
fn join_watched<T: Send + 'static>(handle: JoinHandle<T>) -> Result<thread::Result<T>, Failure> {
    call("joining the handle from `spawn_named`", move || {
        join_seen(handle)
    })
    .finish()
}

fn the_job_runs_on_a_thread_named_as_asked() -> Outcome {
    let (name, stack_size) = (a_name(), a_stack_size());
    let (tx, rx) = mpsc::channel::<(ThreadId, Option<String>)>();
    let job = move || {
        let me = thread::current();
        let _ = tx.send((me.id(), me.name().map(str::to_string)));
    };
    let asked = name.clone();
    let running = call(SPAWN, move || learner::spawn_named(asked, stack_size, job));
    let caller = running.thread();
    let handle = expect_started(running.finish()?, &name, stack_size)?;
    let _ = join_watched(handle)?;
    let Ok((ran_on, seen)) = rx.recv_timeout(PATIENCE) else {
        return Err(format!("the job never ran: {SPAWN} should start it on a new thread").into());
    };
    ensure!(
        ran_on != caller,
        "the job ran on the thread that called {SPAWN}: it belongs on the new thread that \
         `spawn_named` starts"
    );
    match seen {
        Some(seen) if seen == name => Ok(()),
        Some(seen) => Err(format!(
            "the job's thread was called {seen:?}, but {SPAWN} was asked for {name:?}: give the \
             thread exactly the name it is given"
        )
        .into()),
        None => Err(format!(
            "the job's thread had no name (`thread::current().name()` was `None`), but {SPAWN} \
             was asked for {name:?}. `thread::spawn` cannot name a thread: `thread::Builder` can"
        )
        .into()),
    }
}

fn returns_the_handle_straight_away() -> Outcome {
    let (name, stack_size) = (a_name(), a_stack_size());
    let gate = Gate::new();
    let done = Flag::new();
    let (g, d, watched) = (gate.clone(), done.clone(), done.clone());
    // The job goes on only once `spawn_named` is back: code that waits for
    // it is back only when the job gives up waiting.
    let job = move || {
        g.wait();
        d.raise();
    };
    let asked = name.clone();
    let running = call(SPAWN, move || {
        let spawned = learner::spawn_named(asked, stack_size, job);
        // Was the job done at the instant `spawn_named` returned?
        (spawned, watched.is_up())
    });
    let outcome = running.finish_straight_away(PATIENCE * 2);
    gate.open();
    let (spawned, done_at_return) = outcome?;
    let handle = expect_started(spawned, &name, stack_size)?;
    let _ = join_watched(handle)?;
    ensure!(
        !done_at_return,
        "the job was already done when {SPAWN} returned: it should return the handle while the \
         job still runs, and leave waiting for it (`join`) to its caller"
    );
    Ok(())
}

fn the_handle_belongs_to_the_job_and_gives_its_value() -> Outcome {
    let (name, stack_size) = (a_name(), a_stack_size());
    let value = random();
    let (tx, rx) = mpsc::channel::<ThreadId>();
    let job = move || {
        let _ = tx.send(thread::current().id());
        value
    };
    let asked = name.clone();
    let running = call(SPAWN, move || learner::spawn_named(asked, stack_size, job));
    let handle = expect_started(running.finish()?, &name, stack_size)?;
    let handle_thread = handle.thread().id();
    let joined = join_watched(handle)?;
    let Ok(ran_on) = rx.recv_timeout(PATIENCE) else {
        return Err(format!("the job never ran: {SPAWN} should start it on a new thread").into());
    };
    ensure!(
        handle_thread == ran_on,
        "the handle from {SPAWN} belongs to a thread that did not run the job, so joining it \
         does not wait for the job. Give back the handle that `Builder::spawn` returned for \
         `job`"
    );
    match joined {
        Ok(got) if got == value => Ok(()),
        Ok(got) => Err(format!(
            "joining the handle from {SPAWN} gave {got}, but the job returned {value}: the \
             handle's `join` should give back exactly what the job returned"
        )
        .into()),
        Err(payload) => Err(format!(
            "joining the handle from {SPAWN} reported a panic ({}), but the job never panics",
            panic_message(&*payload)
        )
        .into()),
    }
}

/// A big stack, 1 to 2 GiB in whole pages: mapped, never touched.
fn a_big_stack_size() -> usize {
    random_between(1 << 18, 1 << 19) as usize * 4096
}

/// How much more than the stack asked for the address space may grow while
/// the job waits: the new thread's guard page, an allocator arena (64 MiB),
/// the stacks of the test's own threads.
const SLACK: u64 = 512 << 20;

/// How much less: a thread of the test's that ended meanwhile, its stack or
/// an allocator heap (64 MiB) given back.
const SHORT: u64 = 128 << 20;

fn the_thread_gets_the_stack_size_asked() -> Outcome {
    let (name, stack_size) = (a_name(), a_big_stack_size());
    let Some(before) = virtual_size() else {
        record(
            EventKind::Note,
            "the size of the address space cannot be read here: nothing to check",
        );
        return Ok(());
    };
    let gate = Gate::new();
    let (tx, rx) = mpsc::channel::<()>();
    let g = gate.clone();
    // The job says it runs, then waits at the gate: while it waits, its
    // stack is mapped.
    let job = move || {
        let _ = tx.send(());
        g.wait();
    };
    let asked = name.clone();
    let running = call(SPAWN, move || learner::spawn_named(asked, stack_size, job));
    let spawned = running.finish();
    let running_job = rx.recv_timeout(PATIENCE).is_ok();
    let during = virtual_size();
    gate.open();
    let handle = expect_started(spawned?, &name, stack_size)?;
    let _ = join_watched(handle)?;
    ensure!(
        running_job,
        "the job never ran: {SPAWN} should start it on a new thread"
    );
    let Some(during) = during else {
        return Ok(());
    };
    let grown = during.saturating_sub(before);
    let (asked_mib, grown_mib) = (stack_size >> 20, grown >> 20);
    ensure!(
        grown + SHORT >= stack_size as u64,
        "{SPAWN} was asked for a stack of {stack_size} bytes ({asked_mib} MiB), but while the \
         job ran, the process had grown by {grown_mib} MiB only: the thread did not get that \
         stack. Pass `stack_size` on to `Builder::stack_size` as it is: it counts bytes"
    );
    ensure!(
        grown < stack_size as u64 + SLACK,
        "{SPAWN} was asked for a stack of {stack_size} bytes ({asked_mib} MiB), but while the \
         job ran, the process had grown by {grown_mib} MiB: the thread got a far bigger stack \
         than asked. Pass `stack_size` on to `Builder::stack_size` as it is: it counts bytes"
    );
    Ok(())
}

/// About 2^60 bytes (an exbibyte), a different number of pages every run.
fn a_refused_stack_size() -> usize {
    (1 << 60) + random_between(0, 1 << 20) as usize * 4096
}

fn a_refused_spawn_comes_back_as_err() -> Outcome {
    let name = a_name();
    let stack_size = a_refused_stack_size();
    // What the OS says to such a stack, asked by the test itself.
    let refusal = match thread::Builder::new().stack_size(stack_size).spawn(|| ()) {
        Err(refusal) => refusal,
        Ok(handle) => {
            // This machine hands out such stacks: there is nothing to refuse.
            let _ = handle.join();
            record(
                EventKind::Note,
                "the OS gave a thread a 2^60-byte stack: nothing to check",
            );
            return Ok(());
        }
    };
    let ran = Flag::new();
    let r = ran.clone();
    let job = move || r.raise();
    let running = call(SPAWN, move || {
        catch_unwind(AssertUnwindSafe(|| {
            learner::spawn_named(name, stack_size, job)
        }))
    });
    let spawned = match running.finish()? {
        Ok(spawned) => spawned,
        Err(payload) => {
            return Err(format!(
                "{SPAWN} panicked when the OS refused to start the thread ({}). A refused \
                 thread should come back to the caller as `Err`: `unwrap` and `expect` turn \
                 that `Err` into a panic. Return the `Result` of `Builder::spawn` as it is \
                 (or use `?`)",
                panic_message(&*payload)
            )
            .into());
        }
    };
    match spawned {
        Ok(handle) => {
            let _ = join_watched(handle)?;
            Err(format!(
                "{SPAWN} returned `Ok` when asked for a stack of about 2^60 bytes, a stack no OS \
                 hands out (it says: {refusal}). The thread it started did not get that stack \
                 size: pass `stack_size` on with `Builder::stack_size`, and return what \
                 `Builder::spawn` returns"
            )
            .into())
        }
        Err(e) => {
            ensure!(
                e.kind() == refusal.kind() && e.raw_os_error() == refusal.raw_os_error(),
                "{SPAWN} returned `Err({e})`, but that is not what the OS said when it refused \
                 the thread (`{refusal}`): give back the very `Err` that `Builder::spawn` \
                 returns, rather than one of your own"
            );
            ensure!(
                !ran.is_up(),
                "{SPAWN} returned `Err`, yet the job ran: when the thread cannot be started, \
                 the job should not run at all"
            );
            Ok(())
        }
    }
}
