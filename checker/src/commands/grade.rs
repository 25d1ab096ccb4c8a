//! `threadlings grade`: every submission's files against the course's
//! hidden tests, each distinct file checked once, then one report in the
//! format asked for. Exit 0 once the report is written, whatever the
//! students scored.

use std::collections::HashMap;
use std::process::ExitCode;

use crate::course::Course;
use crate::engine::{Engine, Job, Mode};
use crate::grade::{self, Expected, Found};
use crate::plan::GradePlan;
use crate::report::class;
use crate::report::progress::ClassProgress;

pub(crate) fn grade(course: &Course, plan: GradePlan) -> anyhow::Result<ExitCode> {
    let overrides = &plan.overrides;
    // Each exercise's hidden tests, read once and lent to its every job.
    let hidden: Vec<std::borrow::Cow<'static, str>> = course
        .exercises
        .iter()
        .map(|ex| {
            course
                .hidden_source(ex)
                .ok_or_else(|| anyhow::anyhow!("the hidden tests of `{}` are missing", ex.name))
        })
        .collect::<anyhow::Result<_>>()?;
    // Identical files (byte for byte) of an exercise are one job: the
    // first submission that handed it in names it.
    let mut distinct: HashMap<(usize, &str), usize> = HashMap::new();
    let mut jobs: Vec<Job> = Vec::new();
    // For each submission, per exercise, the job that checks its file.
    let mut needs: Vec<Vec<Option<usize>>> = Vec::new();
    for sub in &plan.submissions {
        let mut mine = Vec::new();
        for (at, found) in sub.files.iter().enumerate() {
            let Found::Source(source) = found else {
                mine.push(None);
                continue;
            };
            let ex = &course.exercises[at];
            let index = *distinct.entry((at, source.as_str())).or_insert_with(|| {
                let mut job = Job::new(
                    ex,
                    ex.path(),
                    source.clone(),
                    std::borrow::Cow::Borrowed(&hidden[at]),
                    overrides.limits(ex),
                    overrides.compile_timeout(),
                );
                job.id.submission = Some(sub.id.clone());
                job.mode = Mode::Batch;
                jobs.push(job);
                jobs.len() - 1
            });
            mine.push(Some(index));
        }
        needs.push(mine);
    }
    let engine = Engine::for_course(course, plan.jobs)?;
    let progress = ClassProgress::new(&jobs, &needs);
    let verdicts = engine.check_all(&jobs, &progress);
    progress.finish();
    let rustc = engine.confirm_toolchain()?;
    let expected = Expected::of(course);
    let sandbox_missing = crate::sandbox::protections().missing_sentence().is_some();
    let submissions = plan
        .submissions
        .iter()
        .zip(&needs)
        .map(|(sub, mine)| {
            let theirs: Vec<_> = mine.iter().map(|j| j.map(|j| &verdicts[j])).collect();
            grade::submission_report(course, &expected, sub, &theirs, sandbox_missing)
        })
        .collect();
    let report = grade::class_report(
        course,
        rustc,
        grade::report_limits(
            &overrides.base_limits(),
            overrides.compile_timeout().as_secs(),
        ),
        plan.shard,
        submissions,
    );
    class::emit(&report, plan.format, plan.output.as_deref())?;
    Ok(ExitCode::SUCCESS)
}
