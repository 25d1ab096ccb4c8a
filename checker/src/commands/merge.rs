//! `threadlings report merge`: shard reports in, the class's report out.
//! Every report is read and checked against the others before anything
//! is written.

use std::process::ExitCode;

use crate::plan::MergePlan;
use crate::report::class::{self, merge as joined};

pub(crate) fn merge(plan: &MergePlan) -> anyhow::Result<ExitCode> {
    let reports = plan
        .files
        .iter()
        .map(|path| Ok((path.clone(), joined::read(path)?)))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let report = joined::merge(reports)?;
    class::emit(&report, plan.format, plan.output.as_deref())?;
    Ok(ExitCode::SUCCESS)
}
