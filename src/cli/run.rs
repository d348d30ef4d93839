//! `offersim run SCENARIO`: runs every (policy, replication) of a scenario, writes the results
//! folder atomically (a temporary folder renamed into place on success), and prints a table.

use crate::error::Error;
use crate::report::csv_out::SUMMARY_COLS;
use crate::run::{simulate_with_progress, Outputs, RunOutcome};
use crate::scenario::{self, Scenario};
use crate::sim::engine::RunOptions;
use anyhow::Context;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(clap::Args, Debug, Clone)]
pub struct RunArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// Results folder (default: results/<scenario name>).
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
    /// No progress output.
    #[arg(long, short)]
    pub quiet: bool,
}

/// A validated run request.
pub struct RunPlan {
    pub scenario: Arc<Scenario>,
    pub out: PathBuf,
    pub policies: Vec<usize>,
    pub outputs: Outputs,
    pub opts: RunOptions,
}

pub fn plan(a: &RunArgs) -> Result<RunPlan, Error> {
    let mut s = scenario::load(&a.scenario)?;
    if let Some(seed) = a.seed {
        s.seed = seed;
    }
    if let Some(r) = a.replications {
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
    for name in &a.policies {
        match s.policies.iter().position(|p| &p.name == name) {
            Some(i) => policies.push(i),
            None => {
                let names: Vec<&str> = s.policies.iter().map(|p| p.name.as_str()).collect();
                return Err(Error::input(
                    "--policy",
                    0,
                    "policy",
                    format!(
                        "the scenario has no policy \"{name}\" (it has: {})",
                        names.join(", ")
                    ),
                ));
            }
        }
    }
    if policies.is_empty() {
        policies = (0..s.policies.len()).collect();
    }
    let out = a
        .out
        .clone()
        .unwrap_or_else(|| Path::new("results").join(&s.name));
    Ok(RunPlan {
        scenario: Arc::new(s),
        out,
        policies,
        outputs: if a.outputs == "summary" {
            Outputs::Summary
        } else {
            Outputs::All
        },
        opts: RunOptions {
            check_invariants: a.check_invariants,
        },
    })
}

/// Runs the plan into `dir` (which must exist); returns the outcomes in plan order.
pub fn execute(p: &RunPlan, dir: &Path, quiet: bool) -> Result<Vec<RunOutcome>, Error> {
    let mut outcomes = Vec::new();
    for &pi in &p.policies {
        for rep in 0..p.scenario.replications {
            let name = &p.scenario.policies[pi].name;
            let run_dir = dir.join(name).join(rep.to_string());
            let files = (p.outputs == Outputs::All).then_some(run_dir.as_path());
            let (bar, progress) =
                super::progress::RunBar::new(quiet, &format!("{name}/{rep}"), p.scenario.end);
            let o = simulate_with_progress(&p.scenario, pi, rep, files, &p.opts, progress);
            bar.finish();
            let o = o?;
            if !quiet {
                eprintln!(
                    "{name}/{rep}: {} events, {} tasks in {:.2} s wall ({:.0} events/s)",
                    o.events,
                    o.tasks_finished,
                    o.wall_s,
                    o.events as f64 / o.wall_s.max(1e-9)
                );
            }
            outcomes.push(o);
        }
    }
    Ok(outcomes)
}

/// A summary.csv row: policy, replication, seed, then the run's fields.
pub fn summary_row(o: &RunOutcome) -> Vec<String> {
    let mut r = vec![
        o.policy.clone(),
        o.replication.to_string(),
        o.seed.to_string(),
    ];
    r.extend(o.fields.iter().cloned());
    r
}

pub fn write_summary(path: &Path, outcomes: &[RunOutcome]) -> Result<(), Error> {
    let mut w = crate::report::csv_out::create(path, &SUMMARY_COLS)?;
    for o in outcomes {
        w.write_record(summary_row(o))
            .map_err(|e| Error::write(path, e.into()))?;
    }
    w.flush().map_err(|e| Error::write(path, e))
}

pub fn write_perf(path: &Path, outcomes: &[RunOutcome]) -> Result<(), Error> {
    let mut w = crate::report::csv_out::create(
        path,
        &[
            "policy",
            "replication",
            "wall_s",
            "events",
            "events_per_s",
            "tasks_per_s",
        ],
    )?;
    for o in outcomes {
        let wall = o.wall_s.max(1e-9);
        w.write_record([
            o.policy.clone(),
            o.replication.to_string(),
            format!("{:.3}", o.wall_s),
            o.events.to_string(),
            format!("{:.0}", o.events as f64 / wall),
            format!("{:.0}", o.tasks_finished as f64 / wall),
        ])
        .map_err(|e| Error::write(path, e.into()))?;
    }
    w.flush().map_err(|e| Error::write(path, e))
}

/// A fresh temporary folder beside `out`, so the final rename stays on one file system.
pub fn temp_dir_for(out: &Path) -> Result<PathBuf, Error> {
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| Error::write(parent, e))?;
    let base = out
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "results".into());
    let tmp = parent.join(format!(".{base}.tmp-{}", std::process::id()));
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp).map_err(|e| Error::write(&tmp, e))?;
    }
    std::fs::create_dir_all(&tmp).map_err(|e| Error::write(&tmp, e))?;
    Ok(tmp)
}

/// Moves `tmp` to `out`, replacing what was there only now that the run succeeded. A
/// `.gitignore` in the old folder (committed reference results that leave big files out) is kept.
pub fn commit_dir(tmp: &Path, out: &Path) -> Result<(), Error> {
    let keep = out.join(".gitignore");
    if keep.is_file() && !tmp.join(".gitignore").exists() {
        std::fs::copy(&keep, tmp.join(".gitignore")).map_err(|e| Error::write(&keep, e))?;
    }
    if out.exists() {
        let old = tmp.with_extension("old");
        std::fs::rename(out, &old).map_err(|e| Error::write(out, e))?;
        std::fs::rename(tmp, out).map_err(|e| Error::write(out, e))?;
        std::fs::remove_dir_all(&old).map_err(|e| Error::write(&old, e))?;
    } else {
        std::fs::rename(tmp, out).map_err(|e| Error::write(out, e))?;
    }
    Ok(())
}

/// Runs a plan into a temporary folder and renames it to `p.out`; on failure the temporary folder
/// is removed and earlier results stay untouched.
pub fn run_plan(p: &RunPlan, quiet: bool) -> Result<Vec<RunOutcome>, Error> {
    let tmp = temp_dir_for(&p.out)?;
    let result = (|| {
        let outcomes = execute(p, &tmp, quiet)?;
        write_summary(&tmp.join("summary.csv"), &outcomes)?;
        write_perf(&tmp.join("perf.csv"), &outcomes)?;
        // Issue 5: the inputs, compare.csv, plots and report.html.
        crate::report::save_inputs(&p.scenario, &tmp)?;
        crate::report::finish(&tmp)?;
        Ok(outcomes)
    })();
    match result {
        Ok(o) => {
            commit_dir(&tmp, &p.out)?;
            Ok(o)
        }
        Err(e) => {
            let _ = std::fs::remove_dir_all(&tmp);
            Err(e)
        }
    }
}

pub fn main(a: RunArgs) -> anyhow::Result<i32> {
    let p = plan(&a)?;
    let outcomes =
        run_plan(&p, a.quiet).with_context(|| format!("running {}", a.scenario.display()))?;
    let rows: Vec<(String, Vec<String>)> = outcomes
        .iter()
        .map(|o| (o.policy.clone(), summary_row(o)))
        .collect();
    println!("{}", crate::report::table::render(&rows));
    println!("results: {}", p.out.display());
    Ok(0)
}
