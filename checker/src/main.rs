//! threadlings: graded exercises on Rust threads, and the checker that runs
//! them. See ARCHITECTURE.md for how the pieces fit.

mod build;
mod cli;
mod commands;
mod course;
mod engine;
mod grade;
mod plan;
#[cfg(test)]
mod protocol_agreement;
mod report;
mod sandbox;
mod shutdown;
mod state;
mod supervise;
// Not yet called by a command: the commands that draw it come next (issue 14).
mod timeline;
mod toolchain;
mod verdict;
mod watch;

use std::process::ExitCode;

use clap::Parser as _;

/// Parse, check, act. Every error (bad usage or input) exits with 2.
fn main() -> ExitCode {
    // The sandbox step before a test binary: first, and nothing else runs.
    let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    if args.first().is_some_and(|a| a == sandbox::SUBCOMMAND) {
        return sandbox::enter::main(&args[1..]);
    }
    let cli = cli::Cli::parse();
    shutdown::on_signals();
    supervise::adopt_orphans();
    let outcome = plan::check(cli).and_then(|checked| match checked {
        plan::Checked::Course(plan) => commands::execute(*plan),
        plan::Checked::Init(init) => commands::init(&init),
        plan::Checked::Merge(merge) => commands::merge(&merge),
    });
    match outcome {
        Ok(code) => code,
        Err(e) => {
            anstream::eprintln!("\x1b[1;31merror:\x1b[0m {e:#}");
            ExitCode::from(2)
        }
    }
}
