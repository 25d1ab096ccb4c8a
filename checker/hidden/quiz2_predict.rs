//! Hidden tests for quiz2_predict. One test per program reads the learner's
//! answer by pattern matching only (the learner's `Answer` may carry its own
//! `PartialEq` or `Debug`; they are never asked), and a wrong answer gets a
//! pointer to the idea, never the key: which program, whether it is the
//! "does it compile" part or the list of outputs, and for a list, whether it
//! holds an output that cannot happen or misses one that can, never which.
//!
//! The answers, as recorded when the exercise was written (rustc 1.95.0,
//! `rustc --edition 2024` on each program as the whole of `main`):
//! 1 compiles; (a), (b), (d) were each seen in 6000 runs (plain and pinned to
//! one CPU), (c) needs `main` to end without printing `m`, (e) needs `a2`
//! without `a1` before it. 2 compiles; (a), (c), (e) seen, (b) and (d) need a
//! line of the spawned thread still to come after its `join` returned.
//! 3 does not compile (E0373: "closure may outlive the current function, but
//! it borrows `v`"). 4 does not compile (E0382: "borrow of moved value:
//! `v`"). 5 compiles; (a), (b) seen, the others need the scope to end before
//! both of its threads are over. 6 compiles; (a) in 3000 runs of 3000, the
//! others need `join` to return anything but `Err` for the thread that
//! panicked, or `main` to print out of its order, or to stop early.
//!
//! `in_order(a, b, m)`: `a` and `b` note their threads and `m` the caller's,
//! and `b` and `a` are `Held` jobs let go (`b` first) only while the caller
//! is parked in a join, each thread held at its exit until some thread is
//! seen joining it. `a` notes at its start whether the thread of `b` was
//! over, `m` whether the threads of both were: code that starts `a` before
//! joining `b`'s thread, or that runs `m` before joining `a`'s, finds a
//! thread still held there, on every run.
//!
//! Promises of the exercise's text, and the tests that observe them:
//!
//! | promise | tests |
//! | --- | --- |
//! | "decide first whether `rustc` accepts it" | program_1_two_threads_no_join, program_2_join_in_the_middle, program_3_borrowed_vec, program_4_vec_after_move, program_5_scoped_borrows, program_6_what_join_hands_back |
//! | "say which of the outputs listed under it are possible" | program_1_two_threads_no_join, program_2_join_in_the_middle, program_5_scoped_borrows, program_6_what_join_hands_back |
//! | "List every possible output, each letter once, in any order" | program_1_two_threads_no_join, program_2_join_in_the_middle, program_5_scoped_borrows, program_6_what_join_hands_back |
//! | "runs `b` on a new thread, then `a` on another new thread, then `m` on the calling thread" | in_order_runs_each_where_it_should |
//! | "each one only once the one before it is over" | in_order_waits_for_each_thread |
//! | "`a` starts only after the thread that ran `b` has ended" | in_order_waits_for_each_thread |
//! | "and `m` only after the thread that ran `a` has ended" | in_order_waits_for_each_thread |
//! | "Runs `b` on a new thread, then `a` on another new thread, then `m` here" | in_order_runs_each_where_it_should |
use super::learner::{self, Answer};
use super::support::*;
use std::sync::{Arc, Mutex};
use std::thread::{self, ThreadId};
use std::time::Instant;

pub const TESTS: &[Test] = &[
    Test {
        name: "program_1_two_threads_no_join",
        run: program_1_two_threads_no_join,
    },
    Test {
        name: "program_2_join_in_the_middle",
        run: program_2_join_in_the_middle,
    },
    Test {
        name: "program_3_borrowed_vec",
        run: program_3_borrowed_vec,
    },
    Test {
        name: "program_4_vec_after_move",
        run: program_4_vec_after_move,
    },
    Test {
        name: "program_5_scoped_borrows",
        run: program_5_scoped_borrows,
    },
    Test {
        name: "program_6_what_join_hands_back",
        run: program_6_what_join_hands_back,
    },
    Test {
        name: "in_order_runs_each_where_it_should",
        run: in_order_runs_each_where_it_should,
    },
    Test {
        name: "in_order_waits_for_each_thread",
        run: in_order_waits_for_each_thread,
    },
];

/// What is true of one program, and the pointers a wrong answer gets
/// (each says where to look, none says what the answer is).
struct Key {
    number: usize,
    answer: Answer,
    /// `None`: does not compile; `Some(letters)`: compiles, these possible.
    possible: Option<&'static str>,
    /// For a wrong "does it compile".
    compile_hint: &'static str,
    /// For a list holding an output that cannot happen.
    impossible_hint: &'static str,
    /// For a list missing an output that can happen.
    missing_hint: &'static str,
}

/// Checks one answer against its key.
fn judge(key: Key) -> Outcome {
    let n = key.number;
    let listed = match key.answer {
        Answer::Unanswered => {
            return Err(format!("answer program {n}: set `SNIPPET_{n}`").into());
        }
        Answer::DoesNotCompile => None,
        Answer::Compiles(letters) => Some(letters),
    };
    let Some(possible) = key.possible else {
        ensure!(
            listed.is_none(),
            "program {n}: you answered that `rustc` accepts it. Look again: {}",
            key.compile_hint
        );
        return Ok(());
    };
    let Some(listed) = listed else {
        return Err(format!(
            "program {n}: you answered that `rustc` rejects it. Look again: {}",
            key.compile_hint
        )
        .into());
    };
    let mut letters: Vec<char> = Vec::new();
    for c in listed.chars().filter(|c| !c.is_whitespace() && *c != ',') {
        let c = c.to_ascii_lowercase();
        ensure!(
            ('a'..='e').contains(&c),
            "program {n}: `Compiles({listed:?})` holds `{c}`, but the outputs are (a) to (e): \
             list the letters of the possible ones, e.g. `Compiles(\"bd\")`"
        );
        ensure!(
            !letters.contains(&c),
            "program {n}: `Compiles({listed:?})` names `{c}` twice: each letter once, please"
        );
        letters.push(c);
    }
    let extra = letters.iter().any(|c| !possible.contains(*c));
    let missing = possible.chars().any(|c| !letters.contains(&c));
    let mut why = Vec::new();
    if extra {
        why.push(format!(
            "your list holds an output that this program can never print: {}",
            key.impossible_hint
        ));
    }
    if missing {
        why.push(format!(
            "an output that this program can print is missing from your list: {}",
            key.missing_hint
        ));
    }
    ensure!(why.is_empty(), "program {n}: {}", why.join(". And "));
    Ok(())
}

fn program_1_two_threads_no_join() -> Outcome {
    judge(Key {
        number: 1,
        answer: learner::SNIPPET_1,
        possible: Some("abd"),
        compile_hint: "what does each closure use from `main`, and could the compiler object to \
                       that?",
        impossible_hint: "`main` prints its line before it returns, and the process ends only \
                          after that; one thread prints its own lines in the order of its code",
        missing_hint: "nothing makes a spawned thread run before `main` ends, nor in the order \
                       of the `spawn` calls; a thread still printing when the process ends is \
                       cut off where it is",
    })
}

fn program_2_join_in_the_middle() -> Outcome {
    judge(Key {
        number: 2,
        answer: learner::SNIPPET_2,
        possible: Some("ace"),
        compile_hint: "what does the closure use from `main`, and could the compiler object to \
                       that?",
        impossible_hint: "when `join` returns, the thread is over: every line it prints is out \
                          before anything `main` prints after the `join`",
        missing_hint: "before the `join`, the two threads run side by side: their lines can \
                       come in any mix that keeps each thread's own order",
    })
}

fn program_3_borrowed_vec() -> Outcome {
    judge(Key {
        number: 3,
        answer: learner::SNIPPET_3,
        possible: None,
        compile_hint: "`thread::spawn` accepts only a closure that could outlive the function \
                       that spawned it. What does this closure hold: `v` itself, or a borrow of \
                       it? The compiler does not look at where the `join` stands",
        impossible_hint: "",
        missing_hint: "",
    })
}

fn program_4_vec_after_move() -> Outcome {
    judge(Key {
        number: 4,
        answer: learner::SNIPPET_4,
        possible: None,
        compile_hint: "after a `move` closure has taken `v`, who owns `v`, and what may `main` \
                       still do with it?",
        impossible_hint: "",
        missing_hint: "",
    })
}

fn program_5_scoped_borrows() -> Outcome {
    judge(Key {
        number: 5,
        answer: learner::SNIPPET_5,
        possible: Some("ab"),
        compile_hint: "inside `thread::scope`, threads may borrow from `main`; the borrow rules \
                       still hold. Which variable does each thread borrow, and how?",
        impossible_hint: "`thread::scope` returns only once every thread spawned in it is over",
        missing_hint: "the two scoped threads run side by side, in either order",
    })
}

fn program_6_what_join_hands_back() -> Outcome {
    judge(Key {
        number: 6,
        answer: learner::SNIPPET_6,
        possible: Some("a"),
        compile_hint: "what does `join` return, and does the `match` cover it?",
        impossible_hint: "a panic ends only the thread it happens on; `join` then returns `Err`, \
                          and `main` goes on in the order of its own code",
        missing_hint: "what does `join` return for a thread that panicked, and what does `main` \
                       do next?",
    })
}

const IN_ORDER: &str = "`in_order(a, b, m)`";

/// The caller's thread, known once the call has started.
type Slot = Arc<Mutex<Option<ThreadId>>>;

fn on(slot: &Slot) -> bool {
    *slot.lock().unwrap_or_else(|e| e.into_inner()) == Some(thread::current().id())
}

fn in_order_runs_each_where_it_should() -> Outcome {
    let log = Log::new();
    let (la, lb, lm) = (log.clone(), log.clone(), log.clone());
    let running = call(IN_ORDER, move || {
        learner::in_order(
            move || la.note("a"),
            move || lb.note("b"),
            move || lm.note("m"),
        )
    });
    let caller = running.thread();
    running.finish()?;
    poll_until(PATIENCE, || log.entries().len() >= 3);
    let entries = log.entries();
    for who in ["a", "b", "m"] {
        let calls = entries.iter().filter(|e| e.label == who).count();
        ensure!(
            calls == 1,
            "`{who}` was called {calls} times: {IN_ORDER} should call each of them once"
        );
    }
    let thread_of = |who: &str| log.thread_of(who).expect("noted");
    let (a, b, m) = (thread_of("a"), thread_of("b"), thread_of("m"));
    ensure!(
        m == caller,
        "`m` ran on another thread than the one that called {IN_ORDER}: `m` runs on the \
         calling thread itself"
    );
    for (who, thread) in [("a", a), ("b", b)] {
        ensure!(
            thread != caller,
            "`{who}` ran on the thread that called {IN_ORDER}: it should run on a new thread of \
             its own"
        );
    }
    ensure!(
        a != b,
        "`a` and `b` ran on the same thread: each should get a new thread of its own"
    );
    let order: Vec<&str> = entries.iter().map(|e| e.label.as_str()).collect();
    ensure!(
        order == ["b", "a", "m"],
        "the three ran in the order {}: `b` first, then `a`, then `m`",
        order.join(", ")
    );
    Ok(())
}

fn in_order_waits_for_each_thread() -> Outcome {
    let (held_a, held_b) = (Held::new(), Held::new());
    let jobs = [held_a.clone(), held_b.clone()];
    let caller: Slot = Arc::default();
    let seen = Log::new();
    let a = {
        let (ha, hb, caller, seen) = (held_a.clone(), held_b.clone(), caller.clone(), seen.clone());
        move || {
            if on(&caller) {
                seen.note("a on caller");
                return;
            }
            seen.note(if hb.is_over() {
                "a after b"
            } else {
                "a before b"
            });
            ha.run();
        }
    };
    let b = {
        let (hb, caller, seen) = (held_b.clone(), caller.clone(), seen.clone());
        move || {
            if on(&caller) {
                seen.note("b on caller");
                return;
            }
            hb.run();
        }
    };
    let m = {
        let (ha, hb, seen) = (held_a.clone(), held_b.clone(), seen.clone());
        move || {
            seen.note(match (ha.is_over(), hb.is_over()) {
                (true, true) => "m after both",
                (false, true) => "m before a",
                (true, false) => "m before b",
                (false, false) => "m before both",
            })
        }
    };
    let slot = caller.clone();
    let before = os_thread_ids();
    let t0 = Instant::now();
    let running = call(IN_ORDER, move || {
        *slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(thread::current().id());
        learner::in_order(a, b, m);
    });
    // `b` first, then `a`: each only while the caller sits in a join.
    let driven = let_go_in_order(&running, &before, &jobs, &[1, 0]);
    let_all_go(&jobs);
    driven?;
    running.finish_within(t0.elapsed() + PATIENCE)?;
    let labels = seen.labels();
    for who in ["a", "b"] {
        ensure!(
            !labels.contains(&format!("{who} on caller")),
            "`{who}` ran on the thread that called {IN_ORDER}: it should run on a new thread of \
             its own"
        );
    }
    ensure!(
        !labels.iter().any(|l| l == "a before b"),
        "`a` started while the thread that ran `b` was still running: nothing had joined it \
         yet. Join that thread before you start the next one"
    );
    let Some(m) = labels.iter().find(|l| l.starts_with('m')) else {
        return Err(format!("{IN_ORDER} returned without calling `m`").into());
    };
    ensure!(
        m == "m after both",
        "`m` ran while {} still running: nothing had joined {}. `m` comes only once the \
         threads of `b` and `a` are over",
        match m.as_str() {
            "m before a" => "the thread that ran `a` was",
            "m before b" => "the thread that ran `b` was",
            _ => "the threads of `a` and `b` were",
        },
        if m == "m before both" { "them" } else { "it" }
    );
    ensure!(
        labels.iter().any(|l| l == "a after b"),
        "{IN_ORDER} returned without calling `a`"
    );
    Ok(())
}
