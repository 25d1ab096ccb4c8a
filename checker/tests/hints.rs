//! Hints point at the idea and never spell out the code (CURRICULUM.md):
//! no statements or call chains, no code blocks, and no piece of code that
//! the solution has and the shipped exercise does not (that is the fix).
//! Prose that walks through the fix cannot be told apart by a program:
//! that part is for a reviewer; this test keeps the code out.

use crate::harness::repo;

/// (name, dir, hint) of each exercise in the bundled info.toml.
fn hints() -> Vec<(String, String, String)> {
    let text = std::fs::read_to_string(repo().join("info.toml")).expect("info.toml");
    let info: toml::Table = toml::from_str(&text).expect("valid TOML");
    info["exercises"]
        .as_array()
        .expect("exercises")
        .iter()
        .map(|e| {
            let field = |k: &str| e[k].as_str().expect(k).to_string();
            (field("name"), field("dir"), field("hint"))
        })
        .collect()
}

/// The `backticked` pieces of a text.
fn code_spans(text: &str) -> Vec<&str> {
    text.split('`').skip(1).step_by(2).collect()
}

/// Why `hint` gives code away, if it does, for an exercise shipped as
/// `exercise` and solved as `solution`.
fn gives_code_away(hint: &str, exercise: &str, solution: &str) -> Option<String> {
    if hint.contains("```") || hint.lines().any(|l| l.starts_with("    ")) {
        return Some("a code block".into());
    }
    // `.join()`, `.unwrap()`, `h.join().unwrap()`: calls on a value are
    // code, with or without backticks (`JoinHandle::join` is a name).
    if let Some(at) = hint.find(").") {
        return Some(format!("a call chain: {}", &hint[at.saturating_sub(12)..]));
    }
    if hint.contains(".join(") {
        return Some("a `.join(..)` call".into());
    }
    for span in code_spans(hint) {
        // Statements, blocks, closures, bindings, loops, signatures.
        for mark in [";", "{", "|", "let ", "for ", "fn ", "->", " = ", "move "] {
            if span.contains(mark) {
                return Some(format!("code with {mark:?}: `{span}`"));
            }
        }
        // What only the solution has is the fix itself.
        if solution.contains(span) && !exercise.contains(span) {
            return Some(format!("`{span}` is in the solution, not in the exercise"));
        }
    }
    None
}

#[test]
fn no_hint_spells_out_the_code() {
    let hints = hints();
    assert!(hints.len() >= 9, "{} hints", hints.len());
    for (name, dir, hint) in hints {
        let read = |top: &str| {
            std::fs::read_to_string(repo().join(top).join(&dir).join(format!("{name}.rs")))
                .unwrap_or_else(|e| panic!("{top}/{dir}/{name}.rs: {e}"))
        };
        if let Some(why) = gives_code_away(&hint, &read("exercises"), &read("solutions")) {
            panic!("the hint of {name} gives code away ({why}):\n{hint}");
        }
    }
}

#[test]
fn the_check_catches_recipes() {
    let exercise = "fn finish(&self) -> T { self.handle.join() }";
    let solution = "fn finish(self) -> T { self.handle.join() }\nlet handles: Vec<_> = spawned;";
    for recipe in [
        "keep each handle: `let handle = thread::spawn(job);`",
        "then `for h in handles { h.join().unwrap(); }`",
        "call handle.join().unwrap() at the end",
        "write `fn finish(self) -> T`",
        "wrap it: `spawn(move || job())`",
        "like this:\n    let x = spawn(job);",
        "```\nspawn(job)\n```",
        "change `&self` to `finish(self)`",
        "collect them in `handles`",
    ] {
        assert!(
            gives_code_away(recipe, exercise, solution).is_some(),
            "not caught: {recipe}"
        );
    }
    // Names, and code the learner already has, are how a hint points.
    let idea = "`JoinHandle::join` takes `self`: what does `finish` own, with `&self`?";
    assert_eq!(gives_code_away(idea, exercise, solution), None);
}
