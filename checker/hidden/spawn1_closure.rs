//! Hidden tests for spawn1_closure. The test's own job records which thread
//! ran it and waits at a gate only the test opens: so we see that the job
//! ran on a thread other than the caller's, that `start` returned while the
//! job was still waiting (it did not run the job itself), and that the
//! returned handle is the handle of the job's own thread: its thread id,
//! its `join` waiting for the job, and the job's own panic coming back
//! through it.
//!
//! Promises of the exercise's text, and the tests that observe them:
//!
//! | promise | tests |
//! | --- | --- |
//! | "make `start` hand `job` to a new thread" | job_runs_on_a_new_thread |
//! | "and return that thread's `JoinHandle`" | handle_belongs_to_the_job, handle_reports_the_job_s_panic |
//! | "`start` must return straight away" | start_returns_straight_away |
//! | "while the job may still be running over there" | start_returns_before_the_job_is_done |
//! | "`start` itself never runs the job" | job_runs_on_a_new_thread, start_returns_before_the_job_is_done |
//! | "Starts `job` on a new thread and returns the new thread's handle" | job_runs_on_a_new_thread, handle_belongs_to_the_job |
use super::learner;
use super::support::*;
use std::panic::resume_unwind;
use std::thread::JoinHandle;

pub const TESTS: &[Test] = &[
    Test {
        name: "job_runs_on_a_new_thread",
        run: job_runs_on_a_new_thread,
    },
    Test {
        name: "start_returns_before_the_job_is_done",
        run: start_returns_before_the_job_is_done,
    },
    Test {
        name: "handle_belongs_to_the_job",
        run: handle_belongs_to_the_job,
    },
    Test {
        name: "start_returns_straight_away",
        run: start_returns_straight_away,
    },
    Test {
        name: "handle_reports_the_job_s_panic",
        run: handle_reports_the_job_s_panic,
    },
];

const START: &str = "`start(job)`";
const JOIN: &str = "joining the handle from `start`";

/// The job given to `start`: notes "job" with its thread, waits for `gate`,
/// then raises `done` (or notes "gave up" if the gate stayed shut).
fn job(log: &Log, gate: &Gate, done: &Flag) -> impl FnOnce() + Send + 'static {
    let (log, gate, done) = (log.clone(), gate.clone(), done.clone());
    move || {
        log.note("job");
        if gate.wait() {
            done.raise();
        } else {
            log.note("gave up");
        }
    }
}

fn job_runs_on_a_new_thread() -> Outcome {
    let (log, gate, done) = (Log::new(), Gate::new(), Flag::new());
    gate.open();
    let job = job(&log, &gate, &done);
    let starting = call(START, move || learner::start(job));
    let caller = starting.thread();
    let handle = starting.finish()?;
    let joined = call(JOIN, move || join_seen(handle)).finish()?;
    ensure!(
        joined.is_ok(),
        "the thread started by `start` panicked, but the job never panics"
    );
    // The job may run on yet another thread that the joined one started.
    poll_until(PATIENCE, || log.thread_of("job").is_some());
    let Some(ran_on) = log.thread_of("job") else {
        return Err(
            "the job never ran: `start` must hand it to `thread::spawn`, and the new \
             thread calls it. Is the job called anywhere?"
                .into(),
        );
    };
    ensure!(
        ran_on != caller,
        "the job ran on the thread that called `start`, not on a new thread. Did you call the \
         job yourself (`job()`) instead of handing it over to `spawn`?"
    );
    Ok(())
}

/// Calls `start` with a job held at a shut gate; checks that `start` came
/// back while the job was still held, and gives back the handle.
fn start_held(log: &Log, gate: &Gate, done: &Flag) -> Result<JoinHandle<()>, Failure> {
    let job = job(log, gate, done);
    // A job run by `start` itself gives up at the gate after PATIENCE: wait
    // longer than that, so such code always gets the same message.
    let starting = call(START, move || learner::start(job));
    let caller = starting.thread();
    let outcome = starting.finish_within(PATIENCE * 2);
    let finished_early = done.is_up();
    let handle = outcome?;
    ensure!(
        !finished_early && !log.labels().iter().any(|l| l == "gave up"),
        "`start` returned only after the job itself had run (the job waits for a signal that \
         comes only once `start` has returned). `start` should hand the job to a new thread \
         and return at once: did you call `job()` yourself?"
    );
    ensure!(
        log.thread_of("job") != Some(caller),
        "the job started on the thread that called `start`: hand it to `thread::spawn` instead \
         of calling it"
    );
    Ok(handle)
}

fn start_returns_before_the_job_is_done() -> Outcome {
    let (log, gate, done) = (Log::new(), Gate::new(), Flag::new());
    let result = start_held(&log, &gate, &done);
    gate.open();
    result.map(drop)
}

fn handle_belongs_to_the_job() -> Outcome {
    let (log, gate, done) = (Log::new(), Gate::new(), Flag::new());
    let handle = match start_held(&log, &gate, &done) {
        Ok(handle) => handle,
        Err(message) => {
            gate.open();
            return Err(message);
        }
    };
    poll_until(PATIENCE, || log.thread_of("job").is_some());
    let job_thread = log.thread_of("job");
    let handle_thread = handle.thread().id();
    gate.open();
    let Some(job_thread) = job_thread else {
        return Err(
            "the job never ran: `start` must hand it to `thread::spawn`, and the new \
             thread calls it"
                .into(),
        );
    };
    ensure!(
        handle_thread == job_thread,
        "the handle that `start` returned belongs to a thread that is not the one running \
         the job, so joining it would not wait for the job. Return the handle that \
         `thread::spawn` gives you for the job's own thread"
    );
    let watch = done.clone();
    let (ok, done_at_return) = call(JOIN, move || {
        let result = join_seen(handle);
        (result.is_ok(), watch.is_up())
    })
    .finish()?;
    ensure!(
        ok,
        "the thread started by `start` panicked, but the job never panics"
    );
    ensure!(
        done_at_return,
        "joining the handle that `start` returned did not wait for the job to finish"
    );
    Ok(())
}

fn start_returns_straight_away() -> Outcome {
    let (log, gate, done) = (Log::new(), Gate::new(), Flag::new());
    // The job is free to run: only `start`'s own time is judged here.
    gate.open();
    let job = job(&log, &gate, &done);
    let handle = call(START, move || learner::start(job)).finish_straight_away(PATIENCE)?;
    let _ = call(JOIN, move || join_seen(handle)).finish()?;
    Ok(())
}

/// A panic payload only this test makes: the job's panic must come back
/// through the handle, as it is.
struct JobPanic(String);

fn handle_reports_the_job_s_panic() -> Outcome {
    let message = format!("the job panics on purpose ({})", random_word());
    let m = message.clone();
    let job = move || {
        record(EventKind::Note, "job panics");
        resume_unwind(Box::new(JobPanic(m)))
    };
    let handle = call(START, move || learner::start(job)).finish()?;
    let joined = call(JOIN, move || join_seen(handle)).finish()?;
    let Err(payload) = joined else {
        return Err(
            "the job panicked, but joining the handle from `start` said all went well. \
             A handle reports the panic of its own thread: return the handle of the thread \
             that runs the job, and let the job run there as it is"
                .into(),
        );
    };
    ensure!(
        payload
            .downcast_ref::<JobPanic>()
            .is_some_and(|p| p.0 == message),
        "the job panicked, and joining the handle from `start` did report a panic, but not the \
         job's own ({}). Return the handle of the thread that runs the job itself",
        panic_message(&*payload)
    );
    Ok(())
}
