//! threadlings: graded exercises on Rust threads, and the checker that runs
//! them. See ARCHITECTURE.md for how the pieces fit.

mod build;
mod cli;
mod commands;
mod course;
mod engine;
#[cfg(test)]
mod protocol_agreement;
mod sandbox;
mod state;
mod toolchain;
mod verdict;
mod watch;

fn main() -> std::process::ExitCode {
    cli::main()
}
