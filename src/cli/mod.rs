//! The command line: each subcommand has its own file and turns raw arguments into a validated
//! configuration before anything runs.

pub mod gen;
pub mod run;

use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "offersim",
    version,
    about = "Deterministic simulator of a Mesos-style offer-based cluster"
)]
pub struct Cli {
    #[command(subcommand)]
    pub cmd: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run a scenario under each of its policies and write results.
    Run(run::RunArgs),
    /// Write a synthetic workload trace (facebook2009, poisson).
    Gen(gen::GenArgs),
}

/// Runs a subcommand; returns the process exit code.
pub fn dispatch(cli: Cli) -> anyhow::Result<i32> {
    match cli.cmd {
        Command::Run(a) => run::main(a),
        Command::Gen(a) => gen::main(a),
    }
}
