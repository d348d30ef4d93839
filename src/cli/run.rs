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
}

impl RunPlan {
    /// The full (policy, replication) grid in summary order, each with its index.
    pub fn grid(&self) -> Vec<(usize, usize, u32)> {
        let mut g = Vec::new();
        for &pi in &self.policies {
            for rep in 0..self.scenario.replications {
                g.push((g.len(), pi, rep));
            }
        }
        g
    }

    /// The grid items this run executes.
    pub fn items(&self) -> Vec<(usize, usize, u32)> {
        match self.shard {
            None => self.grid(),
            Some((i, n)) => self
                .grid()
                .into_iter()
                .filter(|(k, _, _)| k % n == i - 1)
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
            ..Default::default()
        },
        jobs: match a.jobs {
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
        },
        shard: a.shard.as_deref().map(parse_shard).transpose()?,
    })
}

/// Runs one grid item into `dir`.
fn run_item(
    p: &RunPlan,
    dir: &Path,
    pi: usize,
    rep: u32,
    quiet: bool,
    bar: bool,
) -> Result<RunOutcome, Error> {
    let name = &p.scenario.policies[pi].name;
    let run_dir = dir.join(name).join(rep.to_string());
    let files = (p.outputs == Outputs::All).then_some(run_dir.as_path());
    let mut opts = p.opts.clone();
    if files.is_none() {
        opts.small_files_dir = Some(run_dir.clone());
    }
    let (bar, progress) =
        super::progress::RunBar::new(quiet || !bar, &format!("{name}/{rep}"), p.scenario.end);
    let o = simulate_with_progress(&p.scenario, pi, rep, files, &opts, progress);
    bar.finish();
    let o = o?;
    if let Some(d) = files {
        write_perf(&d.join("perf.csv"), std::slice::from_ref(&o))?;
    }
    if !quiet {
        eprintln!(
            "{name}/{rep}: {} events, {} tasks in {:.2} s wall ({:.0} events/s, peak RSS {} MB)",
            o.events,
            o.tasks_finished,
            o.wall_s,
            o.events as f64 / o.wall_s.max(1e-9),
            o.peak_rss_mb
                .map(|m| format!("{m:.0}"))
                .unwrap_or_else(|| "?".into()),
        );
    }
    Ok(o)
}

/// Runs the plan's items into `dir` (which must exist), on up to `p.jobs` threads; returns the
/// outcomes in grid order whatever order they finish in. Each run is a separate simulation with
/// its own seed, so results do not depend on the number of threads.
pub fn execute(p: &RunPlan, dir: &Path, quiet: bool) -> Result<Vec<RunOutcome>, Error> {
    let items = p.items();
    let jobs = p.jobs.min(items.len()).max(1);
    if jobs == 1 {
        return items
            .iter()
            .map(|&(_, pi, rep)| run_item(p, dir, pi, rep, quiet, true))
            .collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<std::sync::Mutex<Option<Result<RunOutcome, Error>>>> =
        items.iter().map(|_| Default::default()).collect();
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| loop {
                let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(&(_, pi, rep)) = items.get(k) else {
                    break;
                };
                let r = run_item(p, dir, pi, rep, quiet, false);
                let failed = r.is_err();
                *results[k].lock().expect("no panics while holding it") = Some(r);
                if failed {
                    // Stop handing out work; runs already going finish.
                    next.store(items.len(), std::sync::atomic::Ordering::Relaxed);
                }
            });
        }
    });
    let mut out = Vec::new();
    for r in results {
        match r.into_inner().expect("threads joined") {
            Some(Ok(o)) => out.push(o),
            Some(Err(e)) => return Err(e),
            None => {}
        }
    }
    Ok(out)
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
            "peak_rss_mb",
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
            o.peak_rss_mb.map(|m| format!("{m:.1}")).unwrap_or_default(),
        ])
        .map_err(|e| Error::write(path, e.into()))?;
    }
    w.flush().map_err(|e| Error::write(path, e))
}

/// The file that marks a shard's results folder: which grid items it holds.
pub const SHARD_FILE: &str = "shard.csv";

fn write_shard(path: &Path, p: &RunPlan, i: usize, n: usize) -> Result<(), Error> {
    let mut w = crate::report::csv_out::create(
        path,
        &["shard", "shards", "index", "policy", "replication"],
    )?;
    for (k, pi, rep) in p.items() {
        w.write_record([
            i.to_string(),
            n.to_string(),
            k.to_string(),
            p.scenario.policies[pi].name.clone(),
            rep.to_string(),
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
        if let Some((i, n)) = p.shard {
            write_shard(&tmp.join(SHARD_FILE), p, i, n)?;
        }
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
