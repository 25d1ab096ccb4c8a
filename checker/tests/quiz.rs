//! spawn4_quiz's wrong answers: each message names the question, explains
//! why the learner's choice fails, and never gives away the right choice.

use crate::harness::{Test, repo};

const FILE: &str = "exercises/01_spawning/spawn4_quiz.rs";

/// One wrong answer: the solution's line and what it becomes, the test
/// that judges it, how its message must start, words its explanation must
/// hold, and words that would give the right choice away.
struct Wrong {
    right: String,
    wrong: String,
    test: &'static str,
    question: String,
    explains: &'static str,
    gives_away: &'static [&'static str],
}

/// Whether `word` stands in `text` as a word of its own (so "possible"
/// is not found in "impossible").
fn has_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

fn q1() -> Wrong {
    Wrong {
        right: "MODEL: Model = Model::OneToOne;".into(),
        wrong: "MODEL: Model = Model::MToN;".into(),
        test: "q1_threading_model",
        question: "question 1:".into(),
        explains: "operating system",
        gives_away: &["OneToOne", "1:1", "one-to-one"],
    }
}

fn q2(wrong: &str, explains: &'static str) -> Wrong {
    Wrong {
        right: "WHY: Reason = Reason::SmallRuntime;".into(),
        wrong: format!("WHY: Reason = Reason::{wrong};"),
        test: "q2_why_one_model",
        question: "question 2:".into(),
        explains,
        gives_away: &["SmallRuntime", "small runtime", "runtime"],
    }
}

/// Output `letter` of question 3 answered the other way round.
fn q3(letter: char, possible: bool, explains: &'static str) -> Wrong {
    let (right, wrong) = if possible {
        ("Possible", "Impossible")
    } else {
        ("Impossible", "Possible")
    };
    Wrong {
        right: format!("OUTPUT_{letter}: Verdict = Verdict::{right};"),
        wrong: format!("OUTPUT_{letter}: Verdict = Verdict::{wrong};"),
        test: "q3_outputs_without_join",
        question: format!("question 3 ({}):", letter.to_ascii_lowercase()),
        explains,
        gives_away: if possible {
            &["Possible", "possible"]
        } else {
            &["Impossible", "impossible"]
        },
    }
}

#[test]
fn each_wrong_answer_is_explained_without_the_right_one() {
    // One run per output of question 3, some with question 1 or 2 wrong as
    // well: each question is its own test, and stops at its first wrong
    // answer.
    let runs = [
        vec![q1(), q3('A', true, "never printed")],
        vec![q2("AlwaysFaster", "cheaper"), q3('B', true, "CPU core")],
        vec![
            q2("GreenThreadsAreImpossible", "crates"),
            q3('C', true, "take turns"),
        ],
        vec![q3('D', false, "order of its code")],
        vec![q3('E', false, "before it returns")],
        vec![q3('F', true, "not yet the end")],
    ];
    let solution = std::fs::read_to_string(repo().join("solutions/01_spawning/spawn4_quiz.rs"))
        .expect("the solution");
    let test = Test::bundled();
    for run in runs {
        let mut answer = solution.clone();
        for wrong in &run {
            assert!(answer.contains(&wrong.right), "{}", wrong.right);
            answer = answer.replace(&wrong.right, &wrong.wrong);
        }
        std::fs::write(test.path().join(FILE), answer).expect("write the answer");
        let assert = test.run_args(["run", "spawn4_quiz", "--json"]).code(1);
        let json: serde_json::Value =
            serde_json::from_slice(&assert.get_output().stdout).expect("valid JSON");
        for wrong in &run {
            let result = json["tests"]
                .as_array()
                .expect("tests")
                .iter()
                .find(|t| t["name"] == wrong.test)
                .unwrap_or_else(|| panic!("no {} in {json}", wrong.test));
            assert_eq!(result["status"], "fail", "{}: {result}", wrong.wrong);
            let message = result["message"].as_str().expect("a message");
            assert!(message.starts_with(&wrong.question), "{message}");
            assert!(message.contains(wrong.explains), "{message}");
            for away in wrong.gives_away {
                assert!(!has_word(message, away), "gives {away:?} away: {message}");
            }
        }
    }
}

#[test]
fn whole_words_are_told_apart() {
    // The check above relies on it: "impossible" holds no word "possible".
    assert!(!has_word("you answered `impossible`", "possible"));
    assert!(has_word("it is possible: yes", "possible"));
    assert!(has_word("Possible", "Possible"));
}
