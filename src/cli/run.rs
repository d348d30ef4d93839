//! `offersim run SCENARIO`: turns the flags into a plan, runs it into the results folder
//! (`experiment::run_plan`), and prints the comparison table.

use super::say::sayln;
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
    /// Which files each run writes: summary (the small per-run files), default (also tasks,
    /// jobs and shares), all (also offers.csv, a row per offer). Default: the scenario's
    /// `outputs` key, or default.
    #[arg(long, value_parser = ["summary", "default", "all"])]
    pub outputs: Option<String>,
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
            outputs: self.outputs.as_deref().and_then(Outputs::parse),
            jobs: self.jobs,
            shard: self
                .shard
                .as_deref()
                .map(experiment::parse_shard)
                .transpose()?,
        })
    }
}

/// Prints the warnings of a plan on stderr.
pub fn warn(warnings: &[String]) {
    for w in warnings {
        eprintln!("warning: {w}");
    }
}

pub fn main(a: RunArgs) -> anyhow::Result<i32> {
    let p = experiment::plan(&a.scenario, &a.options()?)?;
    warn(&p.warnings);
    let watch = super::progress::Terminal::new(a.quiet);
    let outcomes = experiment::run_plan(&p, &watch)
        .with_context(|| format!("running {}", a.scenario.display()))?;
    let rows: Vec<(String, Vec<String>)> = outcomes
        .iter()
        .map(|o| (o.policy.clone(), o.summary_row()))
        .collect();
    sayln!("{}", crate::report::table::render(&rows));
    sayln!("results: {}", p.out.display());
    sayln!("open {}", p.out.join("report.html").display());
    if !p.warnings.is_empty() {
        // Said before the run too; repeated so that it is not lost above the progress lines.
        eprintln!(
            "{} warning(s) about the scenario (see above):",
            p.warnings.len()
        );
        warn(&p.warnings);
    }
    Ok(0)
}
