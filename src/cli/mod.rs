//! The command line: each subcommand has its own file and turns raw arguments into a validated
//! configuration before anything runs.

pub mod import;
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
    /// Convert a public trace (google2011, alibaba2018, alibaba-gpu2023, swim, swf) to the native trace.
    Import(Box<import::ImportArgs>),
}

/// Runs a subcommand; returns the process exit code.
pub fn dispatch(cli: Cli) -> anyhow::Result<i32> {
    match cli.cmd {
        Command::Run(a) => run::main(a),
        Command::Import(a) => import::main(*a),
    }
}
