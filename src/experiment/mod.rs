//! Experiments: a scenario's grid of runs (policies x replications, sweeps already expanded into
//! policies) and the results folder they go to. It plans the grid, runs it on threads or one
//! shard of it, writes into a temporary folder and commits it only when every run succeeded,
//! merges shards, and checks a rerun against a committed baseline. The CLI only turns
//! arguments into these calls and prints.
//!
//! - `run.rs`: one simulation.
//! - `folder.rs`: running a plan into a results folder (temporary folder, summary, commit).
//! - `owned.rs`: which files of a results folder are offersim's (the manifest), and replacing
//!   only those.
//! - `cancel.rs`: Ctrl-C and SIGTERM: stop the runs, remove temporary files.
//! - `merge.rs`: joining the folders of `--shard` runs.
//! - `check.rs`: comparing a rerun with a baseline summary.
//! - `lint.rs`: names that match nothing, found before anything runs.
//! - `speed.rs`: what perf.csv measures besides wall time (CPU time, a bare-heap yardstick).

pub mod cancel;
mod check;
mod folder;
pub mod lint;
mod merge;
pub mod owned;
mod run;
mod speed;

pub use check::{check, CheckReport};
pub use folder::{
    execute, run_plan, write_perf, write_summary, Progress, Quiet, RunWatch, Watch, SHARD_FILE,
};
pub use merge::merge;
pub use run::{
    open_source, peak_rss_mb, simulate, simulate_full, simulate_with, Outputs, Plugins, RunOptions,
    RunOutcome,
};

use crate::error::Error;
use crate::scenario::{self, Scenario};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What a user asks of a scenario before it runs (the CLI's flags, typed).
#[derive(Clone, Debug, Default)]
pub struct PlanOptions {
    pub out: Option<PathBuf>,
    pub seed: Option<u64>,
    pub replications: Option<u32>,
    /// Run only these policies (by name).
    pub policies: Vec<String>,
    pub check_invariants: bool,
    /// None: the scenario's `outputs` key, or the default.
    pub outputs: Option<Outputs>,
    /// Runs at once (None: the number of cores).
    pub jobs: Option<usize>,
    /// (I, N), 1-based: run the grid items whose index is I-1 modulo N.
    pub shard: Option<(usize, usize)>,
}

/// A validated run request.
pub struct RunPlan {
    pub scenario: Arc<Scenario>,
    pub out: PathBuf,
    pub policies: Vec<usize>,
    pub outputs: Outputs,
    pub opts: RunOptions,
    pub jobs: usize,
    /// (I, N), 1-based: this run does the grid items whose index is I-1 modulo N.
    pub shard: Option<(usize, usize)>,
    /// The option `out` came from, for messages (`--out`, `--baseline`).
    pub out_flag: String,
    /// When a run is expected to end in simulated time (progress bars): `end_s`, or the last
    /// submit of the workload.
    pub horizon: Option<crate::sim::SimTime>,
    /// Names that match nothing (see `lint.rs`), one line each.
    pub warnings: Vec<String>,
}

/// One (policy, replication) of the grid, with its index in summary order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GridItem {
    pub index: usize,
    pub policy: usize,
    pub replication: u32,
}

impl RunPlan {
    /// The full (policy, replication) grid in summary order.
    pub fn grid(&self) -> Vec<GridItem> {
        let mut g = Vec::new();
        for &policy in &self.policies {
            for replication in 0..self.scenario.replications {
                g.push(GridItem {
                    index: g.len(),
                    policy,
                    replication,
                });
            }
        }
        g
    }

    /// The grid items this run executes.
    pub fn items(&self) -> Vec<GridItem> {
        match self.shard {
            None => self.grid(),
            Some((i, n)) => self
                .grid()
                .into_iter()
                .filter(|g| g.index % n == i - 1)
                .collect(),
        }
    }
}

/// Parses `I/N` (1 <= I <= N).
pub fn parse_shard(s: &str) -> Result<(usize, usize), Error> {
    let bad = || {
        Error::input(
            "--shard",
            0,
            "shard",
            format!("expected I/N with 1 <= I <= N, got \"{s}\""),
        )
    };
    let (i, n) = s.split_once('/').ok_or_else(bad)?;
    let (i, n): (usize, usize) = (
        i.trim().parse().map_err(|_| bad())?,
        n.trim().parse().map_err(|_| bad())?,
    );
    if i == 0 || n == 0 || i > n {
        return Err(bad());
    }
    Ok((i, n))
}

/// Loads a scenario and validates a request against it.
pub fn plan(path: &Path, o: &PlanOptions) -> Result<RunPlan, Error> {
    let mut s = scenario::load(path)?;
    if let Some(seed) = o.seed {
        s.seed = seed;
    }
    if let Some(r) = o.replications {
        if r == 0 {
            return Err(Error::input(
                "--replications",
                0,
                "replications",
                "expected an integer >= 1",
            ));
        }
        s.replications = r;
    }
    let mut policies = Vec::new();
    for name in &o.policies {
        match s.policies.iter().position(|p| &p.name == name) {
            Some(i) => policies.push(i),
            None => {
                let names: Vec<&str> = s.policies.iter().map(|p| p.name.as_str()).collect();
                return Err(Error::input(
                    "--policy",
                    0,
                    "policy",
                    format!(
                        "the scenario has no policy \"{name}\"{} (it has: {})",
                        crate::error::nearest(name, names.iter().copied())
                            .map(|n| format!("; did you mean \"{n}\"?"))
                            .unwrap_or_default(),
                        names.join(", ")
                    ),
                ));
            }
        }
    }
    if policies.is_empty() {
        policies = (0..s.policies.len()).collect();
    }
    let out = o
        .out
        .clone()
        .unwrap_or_else(|| Path::new("results").join(&s.name));
    let jobs = match o.jobs {
        Some(0) => {
            return Err(Error::input(
                "--jobs",
                0,
                "jobs",
                "expected an integer >= 1",
            ))
        }
        Some(j) => j,
        None => std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1),
    };
    let found = lint::lint(&s)?;
    let s_end = s.end.or(found.last_submit);
    let s_outputs = s.outputs;
    Ok(RunPlan {
        scenario: Arc::new(s),
        out,
        policies,
        outputs: o.outputs.or(s_outputs).unwrap_or_default(),
        opts: RunOptions {
            check_invariants: o.check_invariants,
            ..Default::default()
        },
        jobs,
        shard: o.shard,
        out_flag: "--out".into(),
        horizon: s_end,
        warnings: found.warnings,
    })
}
