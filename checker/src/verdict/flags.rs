//! Flags: things in a learner's source a teacher should look at. They never
//! change a verdict by themselves.

/// A test's report held more than the harness's one record: learner code
/// wrote to it (it cannot make a pass, but a teacher should look).
pub(crate) const REPORT_TAMPERED: &str = "report_tampered";

/// The flags a source earns, by what its text contains.
pub(crate) fn of_source(source: &str) -> Vec<String> {
    let checks = [
        ("process_exit", &["process::exit", "exit("][..]),
        ("process_abort", &["abort("][..]),
        ("unsafe", &["unsafe"][..]),
        (
            "include_macro",
            &["include!", "include_str!", "include_bytes!"][..],
        ),
        ("leak", &["::leak", ".leak("][..]),
        // Reading the process's own memory or descriptors is how in-process
        // code could forge a report: no exercise needs it.
        ("proc_fs", &["/proc", "proc/self", "process_vm"][..]),
    ];
    checks
        .iter()
        .filter(|(_, needles)| needles.iter().any(|n| source.contains(n)))
        .map(|(flag, _)| (*flag).to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_name_what_a_teacher_should_look_at() {
        assert_eq!(
            of_source("fn main() { std::process::exit(0) }"),
            vec!["process_exit"]
        );
        assert_eq!(of_source("include!(\"x.rs\");"), vec!["include_macro"]);
        assert!(of_source("fn main() {}").is_empty());
    }
}
