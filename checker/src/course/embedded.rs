//! The course as built into the binary (see build.rs).

mod generated {
    include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
}

/// Access to the embedded course files, by path inside the course.
pub(crate) struct Embedded;

impl Embedded {
    /// Every embedded file: (path inside the course, contents).
    pub fn files() -> impl Iterator<Item = (&'static str, &'static str)> {
        generated::FILES.iter().copied()
    }

    /// One embedded file by its path, e.g. `exercises/01_spawning/spawn1_closure.rs`.
    pub fn get(path: &str) -> Option<&'static str> {
        generated::FILES
            .iter()
            .find(|(p, _)| *p == path)
            .map(|(_, text)| *text)
    }
}
