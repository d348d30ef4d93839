//! `offersim run SCENARIO`: turns the flags into a plan, runs it into the results folder
//! (`experiment::run_plan`), and prints the comparison table.

use crate::experiment::{self, Outputs, PlanOptions};
use anyhow::Context;
use std::path::PathBuf;

#[derive(clap::Args, Debug, Clone)]
pub struct RunArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// Results folder (default: results/NAME, NAME the scenario's name).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Override the scenario's seed.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Override the number of replications.
    #[arg(long)]
    pub replications: Option<u32>,
    /// Run only these policies (by name; repeatable).
    #[arg(long = "policy")]
    pub policies: Vec<String>,
    /// Check the simulation invariants after every event (slow).
    #[arg(long)]
    pub check_invariants: bool,
    /// Which files to write: all, or summary (no per-task files).
    #[arg(long, default_value = "all", value_parser = ["all", "summary"])]
    pub outputs: String,
    /// Runs at once (default: the number of cores). Results are identical to a sequential run.
    #[arg(long, short = 'j')]
    pub jobs: Option<usize>,
    /// Run only slice I of N of the (policy x replication) grid, for running a scenario across
    /// machines; join the slices with `offersim merge`.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    /// No progress output.
    #[arg(long, short)]
    pub quiet: bool,
}

impl RunArgs {
    /// The flags as a typed request.
    pub fn options(&self) -> Result<PlanOptions, crate::Error> {
        Ok(PlanOptions {
            out: self.out.clone(),
            seed: self.seed,
            replications: self.replications,
            policies: self.policies.clone(),
            check_invariants: self.check_invariants,
            outputs: if self.outputs == "summary" {
                Outputs::Summary
            } else {
                Outputs::All
            },
            jobs: self.jobs,
            shard: self
                .shard
                .as_deref()
                .map(experiment::parse_shard)
                .transpose()?,
        })
    }
}

pub fn main(a: RunArgs) -> anyhow::Result<i32> {
    let p = experiment::plan(&a.scenario, &a.options()?)?;
    let watch = super::progress::Terminal::new(a.quiet);
    let outcomes = experiment::run_plan(&p, &watch)
        .with_context(|| format!("running {}", a.scenario.display()))?;
    let rows: Vec<(String, Vec<String>)> = outcomes
        .iter()
        .map(|o| (o.policy.clone(), o.summary_row()))
        .collect();
    println!("{}", crate::report::table::render(&rows));
    println!("results: {}", p.out.display());
    println!("open {}", p.out.join("report.html").display());
    Ok(0)
}
