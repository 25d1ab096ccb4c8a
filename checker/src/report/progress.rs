//! A `done/total` bar while many jobs run (check, verify), on stderr;
//! indicatif hides it when stderr is not a terminal.

use indicatif::{ProgressBar, ProgressStyle};

use crate::engine::{Event, Reporter};

pub(crate) struct Progress {
    bar: ProgressBar,
}

impl Progress {
    /// A bar for `total` jobs, labelled `what` ("checking", "verifying").
    pub fn new(total: usize, what: &str) -> Progress {
        let bar = ProgressBar::new(total as u64);
        bar.set_style(
            ProgressStyle::with_template(&format!("{what} [{{bar:30}}] {{pos}}/{{len}} {{msg}}"))
                .expect("a valid template")
                .progress_chars("=> "),
        );
        Progress { bar }
    }

    /// Removes the bar, before the command prints its results.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl Reporter for Progress {
    fn report(&self, event: &Event<'_>) {
        match event {
            Event::Started { job } => self.bar.set_message(job.exercise.clone()),
            Event::Test {
                job,
                test,
                repetition,
            } => self.bar.set_message(format!(
                "{}: {} (run {repetition})",
                job.exercise, test.name
            )),
            Event::Finished { job, verdict } => {
                self.bar.inc(1);
                self.bar
                    .set_message(format!("{}: {}", job.exercise, verdict.status.as_str()));
            }
            Event::Compiling { job } => {
                self.bar.set_message(format!("{}: compiling", job.exercise))
            }
            Event::Running { job, test, .. } => {
                self.bar.set_message(format!("{}: {test}", job.exercise))
            }
        }
    }
}
