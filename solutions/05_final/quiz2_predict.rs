// quiz2_predict: read a threaded program and say what it can do: does it
// compile, and which outputs can it print?
//
// Six short programs below, one per idea of this course. For each one, decide
// first whether `rustc` accepts it. If it does, say which of the outputs
// listed under it are possible: some run of the program could print exactly
// these lines, in this order, and nothing else. Each `println!` writes its
// whole line in one piece, and only what goes to standard output is shown (a
// panic's message goes to standard error, so it is never among the lines).
// Every program is the whole of `main`, with `use std::thread;` above it.
//
// Answer with one constant per program:
//
//     pub const SNIPPET_9: Answer = Answer::DoesNotCompile;
//     pub const SNIPPET_9: Answer = Answer::Compiles("bd");
//
// `Compiles("bd")` means: it compiles, and outputs (b) and (d) are possible
// while the others are not. List every possible output, each letter once, in
// any order. Outputs are listed under every program, also under those that do
// not compile: they are what it would print if it did.
//
// Then finish `in_order` at the bottom: with `join` in the right places, one
// output of program 1 becomes the only one possible.

use std::thread;

/// Your answer for one program.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    Unanswered,
    /// `rustc` rejects the program.
    DoesNotCompile,
    /// `rustc` accepts it, and these outputs (their letters) are possible.
    Compiles(&'static str),
}

// ---------------------------------------------------------------------------
// Program 1: two threads, no join.
//
//     thread::spawn(|| {
//         println!("a1");
//         println!("a2");
//     });
//     thread::spawn(|| println!("b"));
//     println!("m");
//
// (a) m                (b) b, a1, a2, m      (c) a1, a2, b
// (d) a1, b, m         (e) a2, m
// ---------------------------------------------------------------------------

// `m` always comes (main prints it before it returns), `a2` never without
// `a1` before it; the rest is up to the schedule, and the process may end
// before a spawned thread prints.
pub const SNIPPET_1: Answer = Answer::Compiles("abd");

// ---------------------------------------------------------------------------
// Program 2: a join in the middle.
//
//     let handle = thread::spawn(|| {
//         println!("s1");
//         println!("s2");
//     });
//     println!("m1");
//     handle.join().unwrap();
//     println!("m2");
//
// (a) s1, s2, m1, m2   (b) m1, m2, s1, s2    (c) m1, s1, s2, m2
// (d) m1, s1, m2       (e) s1, m1, s2, m2
// ---------------------------------------------------------------------------

// After the `join`, every line of the spawned thread is out: `m2` comes last,
// and `s1`, `s2` both come before it, in their order.
pub const SNIPPET_2: Answer = Answer::Compiles("ace");

// ---------------------------------------------------------------------------
// Program 3: a `Vec` used by the spawned thread, which is joined at once.
//
//     let v = vec![1, 2, 3];
//     let handle = thread::spawn(|| {
//         println!("{v:?}");
//     });
//     handle.join().unwrap();
//
// (a) [1, 2, 3]        (b) nothing at all    (c) [1, 2, 3], [1, 2, 3]
// (d) []               (e) [3, 2, 1]
// ---------------------------------------------------------------------------

// E0373: the closure borrows `v`, and `spawn` needs a closure that may
// outlive `main`; the `join` right after does not change what the compiler
// checks.
pub const SNIPPET_3: Answer = Answer::DoesNotCompile;

// ---------------------------------------------------------------------------
// Program 4: the `Vec` moves into the thread, and `main` asks for its length.
//
//     let v = vec![1, 2, 3];
//     let handle = thread::spawn(move || {
//         println!("sum {}", v.iter().sum::<i32>());
//     });
//     println!("len {}", v.len());
//     handle.join().unwrap();
//
// (a) sum 6, len 3     (b) len 3, sum 6      (c) len 3
// (d) len 0, sum 6     (e) sum 6
// ---------------------------------------------------------------------------

// E0382: `move` gave `v` to the thread; `main` cannot use it any more (take
// the length before the spawn).
pub const SNIPPET_4: Answer = Answer::DoesNotCompile;

// ---------------------------------------------------------------------------
// Program 5: scoped threads that borrow.
//
//     let mut words = vec!["one"];
//     let count = 5;
//     thread::scope(|s| {
//         s.spawn(|| {
//             words.push("two");
//             println!("pushed");
//         });
//         s.spawn(|| println!("count {count}"));
//     });
//     println!("{}", words.len());
//
// (a) pushed, count 5, 2     (b) count 5, pushed, 2   (c) pushed, count 5, 1
// (d) count 5, 2             (e) 2, pushed, count 5
// ---------------------------------------------------------------------------

// a scope may lend `words` to one thread mutably and `count` to another; the
// scope ends only once both threads are over.
pub const SNIPPET_5: Answer = Answer::Compiles("ab");

// ---------------------------------------------------------------------------
// Program 6: what `join` hands back.
//
//     let good = thread::spawn(|| 6 * 7);
//     let bad = thread::spawn(|| -> i32 { panic!("oops") });
//     match bad.join() {
//         Ok(n) => println!("bad gave {n}"),
//         Err(_) => println!("bad panicked"),
//     }
//     println!("good gave {}", good.join().unwrap());
//
// (a) bad panicked, good gave 42   (b) good gave 42, bad panicked
// (c) nothing at all               (d) bad panicked
// (e) bad gave 0, good gave 42
// ---------------------------------------------------------------------------

// `join` gives the closure's value, or `Err` for a thread that panicked: the
// program goes on, in `main`'s order.
pub const SNIPPET_6: Answer = Answer::Compiles("a");

// ---------------------------------------------------------------------------
// Program 1 can print its lines in many orders, or some of them not at all.
// A `join` makes an order certain. `in_order(a, b, m)` runs `b` on a new
// thread, then `a` on another new thread, then `m` on the calling thread,
// each one only once the one before it is over: `a` starts only after the
// thread that ran `b` has ended, and `m` only after the thread that ran `a`
// has ended. With `a`, `b` and `m` printing as in program 1, output (b) is
// the only one left.
// ---------------------------------------------------------------------------

/// Runs `b` on a new thread, then `a` on another new thread, then `m` here.
pub fn in_order<A, B, M>(a: A, b: B, m: M)
where
    A: FnOnce() + Send + 'static,
    B: FnOnce() + Send + 'static,
    M: FnOnce(),
{
    // Each join is where it is on purpose: `a` must not start before the
    // thread of `b` is over, nor `m` before the thread of `a`.
    thread::spawn(b).join().unwrap();
    thread::spawn(a).join().unwrap();
    m();
}

fn main() {
    let answers = [
        SNIPPET_1, SNIPPET_2, SNIPPET_3, SNIPPET_4, SNIPPET_5, SNIPPET_6,
    ];
    let open = answers
        .iter()
        .filter(|answer| matches!(answer, Answer::Unanswered))
        .count();
    println!("{open} program(s) still to answer");
    in_order(
        || {
            println!("a1");
            println!("a2");
        },
        || println!("b"),
        || println!("m"),
    );
}
