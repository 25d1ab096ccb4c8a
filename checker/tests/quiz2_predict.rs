//! quiz2_predict's wrong answers: each message names the program, says
//! which part of the answer is off and points at the idea, and never gives
//! the right answer away (neither the letters nor the compiler's verdict).

use crate::harness::{Test, repo};

const FILE: &str = "exercises/05_final/quiz2_predict.rs";

/// One wrong answer: the program, what it is answered with, the test that
/// judges it, words its message must hold, and words that would give the
/// right answer away.
struct Wrong {
    program: usize,
    answer: &'static str,
    test: &'static str,
    says: &'static [&'static str],
    gives_away: &'static [&'static str],
}

const WRONG: &[Wrong] = &[
    Wrong {
        program: 1,
        answer: "Answer::Compiles(\"abcd\")",
        test: "program_1_two_threads_no_join",
        says: &["can never print", "before it returns"],
        gives_away: &["\"abd\"", "(c)", "(a)", "(b)", "(d)"],
    },
    Wrong {
        program: 1,
        answer: "Answer::Compiles(\"ab\")",
        test: "program_1_two_threads_no_join",
        says: &["missing from your list", "cut off"],
        gives_away: &["\"abd\"", "(d)"],
    },
    Wrong {
        program: 2,
        answer: "Answer::Compiles(\"ae\")",
        test: "program_2_join_in_the_middle",
        says: &["missing from your list", "side by side"],
        gives_away: &["\"ace\"", "(c)"],
    },
    Wrong {
        program: 3,
        answer: "Answer::Compiles(\"a\")",
        test: "program_3_borrowed_vec",
        says: &["accepts it", "borrow"],
        gives_away: &["E0373", "does not compile", "DoesNotCompile", "rejects"],
    },
    Wrong {
        program: 4,
        answer: "Answer::Compiles(\"b\")",
        test: "program_4_vec_after_move",
        says: &["accepts it", "owns"],
        gives_away: &["E0382", "does not compile", "DoesNotCompile", "rejects"],
    },
    Wrong {
        program: 5,
        answer: "Answer::DoesNotCompile",
        test: "program_5_scoped_borrows",
        says: &["rejects it", "borrow rules"],
        gives_away: &["\"ab\"", "compiles", "Compiles"],
    },
    Wrong {
        program: 6,
        answer: "Answer::Compiles(\"ad\")",
        test: "program_6_what_join_hands_back",
        says: &["can never print", "`Err`"],
        gives_away: &["\"a\"", "(d)", "(a)"],
    },
];

#[test]
fn each_wrong_answer_is_explained_without_the_right_one() {
    let solution = std::fs::read_to_string(repo().join("solutions/05_final/quiz2_predict.rs"))
        .expect("the solution");
    let test = Test::bundled();
    for wrong in WRONG {
        let line = solution
            .lines()
            .find(|l| l.starts_with(&format!("pub const SNIPPET_{}:", wrong.program)))
            .expect("the answer's line");
        let answer = solution.replace(
            line,
            &format!(
                "pub const SNIPPET_{}: Answer = {};",
                wrong.program, wrong.answer
            ),
        );
        std::fs::write(test.path().join(FILE), answer).expect("write the answer");
        let assert = test.run_args(["run", "quiz2_predict", "--json"]).code(1);
        let json: serde_json::Value =
            serde_json::from_slice(&assert.get_output().stdout).expect("valid JSON");
        let tests = json["tests"].as_array().expect("tests");
        for result in tests {
            let expected = if result["name"] == wrong.test {
                "fail"
            } else {
                "pass"
            };
            assert_eq!(result["status"], expected, "{}: {result}", wrong.answer);
        }
        let result = tests
            .iter()
            .find(|t| t["name"] == wrong.test)
            .expect("the test");
        let message = result["message"].as_str().expect("a message");
        let program = format!("program {}:", wrong.program);
        assert!(message.starts_with(&program), "{message}");
        for words in wrong.says {
            assert!(message.contains(words), "{words:?} in {message}");
        }
        for away in wrong.gives_away {
            assert!(!message.contains(away), "gives {away:?} away: {message}");
        }
    }
}
