//! The ready-made grading setups in grading/: the README shows each as it
//! is, and Gradescope's run_autograder really grades an upload.

use serde_json::Value;

use crate::harness::{Test, fixtures, repo};

/// Every setup under grading/ appears in the README word for word, so the
/// README never shows a setup that is not the one in the repository.
#[test]
fn the_readme_shows_each_setup_as_it_is() {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let setups = [
        "grading/github-actions/grade-class.yml",
        "grading/classroom/classroom.yml",
        "grading/gradescope/setup.sh",
        "grading/gradescope/run_autograder",
    ];
    for rel in setups {
        let text = std::fs::read_to_string(repo().join(rel)).unwrap();
        assert!(
            readme.contains(text.trim_end()),
            "README.md does not show {rel} as it is"
        );
    }
}

/// run_autograder, as Gradescope runs it, in a temporary "/autograder":
/// loose files uploaded by a student land in their exercise's place, and
/// results.json carries the grade.
#[test]
fn gradescopes_run_autograder_grades_an_upload() {
    let root = tempfile::tempdir().unwrap();
    let course = Test::new("class");
    crate::harness::copy_dir(course.path(), &root.path().join("course"));
    let upload = root.path().join("submission/my work");
    std::fs::create_dir_all(&upload).unwrap();
    // The solution of double (1 point); triple left out.
    std::fs::copy(
        fixtures().join("class/solutions/basics/double.rs"),
        upload.join("double.rs"),
    )
    .unwrap();
    let bin = assert_cmd::cargo::cargo_bin("threadlings");
    let status = std::process::Command::new("bash")
        .arg(repo().join("grading/gradescope/run_autograder"))
        .env("AUTOGRADER", root.path())
        .env("THREADLINGS", &bin)
        .status()
        .unwrap();
    assert!(status.success());
    let results: Value = serde_json::from_str(
        &std::fs::read_to_string(root.path().join("results/results.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(results["score"], 1.0, "{results}");
    let double = results["tests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "double")
        .unwrap();
    assert_eq!(double["status"], "passed");
    let triple = results["tests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "triple")
        .unwrap();
    assert_eq!(triple["status"], "failed");
}
