//! Running a plan into its results folder: every run writes into a temporary folder beside the
//! target, then summary.csv, perf.csv, the inputs and the report are added, and the folder is
//! renamed into place only when everything succeeded, so a failed run never clobbers earlier
//! results.

use super::run::{simulate_full, Outputs, Plugins, RunOutcome};
use super::{GridItem, RunPlan};
use crate::error::Error;
use crate::metrics::files::{create, SUMMARY_COLS};
use crate::sim::SimTime;
use std::path::{Path, PathBuf};

/// The file that marks a shard's results folder: which grid items it holds.
pub const SHARD_FILE: &str = "shard.csv";

/// Watches runs as they go (progress bars, a line per finished run). Never affects results.
pub trait Watch: Sync {
    /// A run starts; `parallel` when other runs go at the same time.
    fn start(&self, label: &str, horizon: Option<SimTime>, parallel: bool) -> Box<dyn RunWatch>;
}

/// Watches one run.
pub trait RunWatch {
    /// Now and then during the run: simulated time and steps so far.
    fn progress(&mut self, now: SimTime, events: u64);
    /// The run ended (None: it failed).
    fn done(self: Box<Self>, outcome: Option<&RunOutcome>);
}

/// Watches nothing.
pub struct Quiet;

struct QuietRun;

impl RunWatch for QuietRun {
    fn progress(&mut self, _now: SimTime, _events: u64) {}
    fn done(self: Box<Self>, _outcome: Option<&RunOutcome>) {}
}

impl Watch for Quiet {
    fn start(&self, _: &str, _: Option<SimTime>, _: bool) -> Box<dyn RunWatch> {
        Box::new(QuietRun)
    }
}

/// Runs one grid item into `dir`.
fn run_item(
    p: &RunPlan,
    dir: &Path,
    item: GridItem,
    watch: &dyn Watch,
    parallel: bool,
) -> Result<RunOutcome, Error> {
    let name = &p.scenario.policies[item.policy].name;
    let run_dir = dir.join(name).join(item.replication.to_string());
    let files = (p.outputs == Outputs::All).then_some(run_dir.as_path());
    let mut opts = p.opts.clone();
    if files.is_none() {
        opts.small_files_dir = Some(run_dir.clone());
    }
    let mut w = watch.start(
        &format!("{name}/{}", item.replication),
        p.scenario.end,
        parallel,
    );
    let o = {
        let mut cb = |t: SimTime, ev: u64| w.progress(t, ev);
        simulate_full(
            &p.scenario,
            item.policy,
            item.replication,
            files,
            &opts,
            Plugins::default(),
            Some(&mut cb),
        )
    };
    w.done(o.as_ref().ok());
    let o = o?;
    if let Some(d) = files {
        write_perf(&d.join("perf.csv"), std::slice::from_ref(&o))?;
    }
    Ok(o)
}

/// Runs the plan's items into `dir` (which must exist), on up to `p.jobs` threads; returns the
/// outcomes in grid order whatever order they finish in. Each run is a separate simulation with
/// its own seed, so results do not depend on the number of threads.
pub fn execute(p: &RunPlan, dir: &Path, watch: &dyn Watch) -> Result<Vec<RunOutcome>, Error> {
    let items = p.items();
    let jobs = p.jobs.min(items.len()).max(1);
    if jobs == 1 {
        return items
            .iter()
            .map(|&it| run_item(p, dir, it, watch, false))
            .collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<std::sync::Mutex<Option<Result<RunOutcome, Error>>>> =
        items.iter().map(|_| Default::default()).collect();
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| loop {
                let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(&it) = items.get(k) else {
                    break;
                };
                let r = run_item(p, dir, it, watch, true);
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

pub fn write_summary(path: &Path, outcomes: &[RunOutcome]) -> Result<(), Error> {
    let mut w = create(path, &SUMMARY_COLS)?;
    for o in outcomes {
        w.write_record(o.summary_row())
            .map_err(|e| Error::write(path, e.into()))?;
    }
    w.flush().map_err(|e| Error::write(path, e))
}

pub fn write_perf(path: &Path, outcomes: &[RunOutcome]) -> Result<(), Error> {
    let mut w = create(
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

fn write_shard(path: &Path, p: &RunPlan, i: usize, n: usize) -> Result<(), Error> {
    let mut w = create(path, &["shard", "shards", "index", "policy", "replication"])?;
    for it in p.items() {
        w.write_record([
            i.to_string(),
            n.to_string(),
            it.index.to_string(),
            p.scenario.policies[it.policy].name.clone(),
            it.replication.to_string(),
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
pub fn run_plan(p: &RunPlan, watch: &dyn Watch) -> Result<Vec<RunOutcome>, Error> {
    let tmp = temp_dir_for(&p.out)?;
    let result = (|| {
        let outcomes = execute(p, &tmp, watch)?;
        write_summary(&tmp.join("summary.csv"), &outcomes)?;
        write_perf(&tmp.join("perf.csv"), &outcomes)?;
        if let Some((i, n)) = p.shard {
            write_shard(&tmp.join(SHARD_FILE), p, i, n)?;
        }
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
