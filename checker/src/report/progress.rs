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

/// `grade`'s bar: submissions done of the class. A submission is done when
/// every distinct file it needs is checked (a file shared by several is
/// checked once, for all of them).
pub(crate) struct ClassProgress {
    bar: ProgressBar,
    /// Per distinct job (by the submission and exercise that name it),
    /// the submissions waiting for it.
    waiting: std::collections::HashMap<(String, String), Vec<usize>>,
    /// Per submission, how many of its jobs are not finished.
    left: std::sync::Mutex<Vec<usize>>,
}

impl ClassProgress {
    /// `needs[s]` lists, per exercise, the index in `jobs` of the job that
    /// checks submission `s`'s file (if any).
    pub fn new(jobs: &[crate::engine::Job], needs: &[Vec<Option<usize>>]) -> ClassProgress {
        let bar = ProgressBar::new(needs.len() as u64);
        bar.set_style(
            ProgressStyle::with_template("grading [{bar:30}] {pos}/{len} submissions {msg}")
                .expect("a valid template")
                .progress_chars("=> "),
        );
        let mut waiting: std::collections::HashMap<(String, String), Vec<usize>> =
            std::collections::HashMap::new();
        let mut left = Vec::with_capacity(needs.len());
        for (s, mine) in needs.iter().enumerate() {
            let mut distinct: Vec<usize> = mine.iter().flatten().copied().collect();
            distinct.sort_unstable();
            distinct.dedup();
            for &j in &distinct {
                let id = &jobs[j].id;
                let key = (
                    id.submission.clone().unwrap_or_default(),
                    id.exercise.clone(),
                );
                waiting.entry(key).or_default().push(s);
            }
            left.push(distinct.len());
        }
        // Submissions with nothing to check are done already.
        bar.inc(left.iter().filter(|n| **n == 0).count() as u64);
        ClassProgress {
            bar,
            waiting,
            left: std::sync::Mutex::new(left),
        }
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl Reporter for ClassProgress {
    fn report(&self, event: &Event<'_>) {
        let Event::Finished { job, .. } = event else {
            return;
        };
        let key = (
            job.submission.clone().unwrap_or_default(),
            job.exercise.clone(),
        );
        let mut left = self.left.lock().unwrap_or_else(|e| e.into_inner());
        for &s in self.waiting.get(&key).into_iter().flatten() {
            left[s] -= 1;
            if left[s] == 0 {
                self.bar.inc(1);
            }
        }
        self.bar.set_message(job.exercise.clone());
    }
}
