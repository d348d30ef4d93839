//! The command line: each subcommand has its own file and turns raw arguments into a validated
//! configuration before anything runs.

pub mod check;
pub mod gen;
pub mod import;
pub mod merge;
pub mod plot;
mod progress;
pub mod run;
mod say;

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
    /// Rerun a scenario and compare its summary with the committed baseline (exit 1 on a
    /// regression).
    Check(check::CheckArgs),
    /// Redraw the plots, compare.csv and report.html of a results folder from its CSV files.
    Plot(plot::PlotArgs),
    /// Convert a public trace (google2011, alibaba2018, alibaba2017, alibaba-gpu2023, swim, swf) to the native trace.
    Import(Box<import::ImportArgs>),
    /// Join the results folders of `run --shard I/N` into one.
    Merge(merge::MergeArgs),
    /// Write a synthetic workload trace (facebook2009, poisson).
    Gen(gen::GenArgs),
}

/// Runs a subcommand; returns the process exit code.
pub fn dispatch(cli: Cli) -> anyhow::Result<i32> {
    // Ctrl-C and SIGTERM remove offersim's temporary files before the process goes.
    crate::experiment::cancel::install();
    match cli.cmd {
        Command::Run(a) => run::main(a),
        Command::Check(a) => check::main(a),
        Command::Plot(a) => plot::main(a),
        Command::Import(a) => import::main(*a),
        Command::Gen(a) => gen::main(a),
        Command::Merge(a) => merge::main(a),
    }
}
