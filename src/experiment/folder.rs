//! Running a plan into its results folder: every run writes into a temporary folder inside the
//! target, then summary.csv, perf.csv, the inputs and the report are added, and the files move
//! into place only when everything succeeded, so a failed run never clobbers earlier results.

use super::cancel::{stop_requested, Cooperating};
use super::owned::Staging;
use super::run::{simulate_full, Outputs, Plugins, RunOutcome};
use super::{GridItem, RunPlan};
use crate::error::Error;
use crate::metrics::files::{create, SUMMARY_COLS};
use crate::sim::SimTime;
use std::ops::ControlFlow;
use std::path::Path;

/// The file that marks a shard's results folder: which grid items it holds.
pub const SHARD_FILE: &str = "shard.csv";

/// Watches runs as they go (progress bars, a line per finished run). Never affects results.
/// Runs may go on several threads at once: each has its own [`RunWatch`].
pub trait Watch: Sync {
    /// The plan starts: `runs` runs in all, `jobs` at a time.
    fn begin(&self, _runs: usize, _jobs: usize) {}
    /// A run starts. `horizon` is when it is expected to end in simulated time (the scenario's
    /// `end_s`, or the last submit of its trace), when known.
    fn start(&self, label: &str, horizon: Option<SimTime>) -> Box<dyn RunWatch>;
    /// Every run of the plan has ended (or the plan failed).
    fn end(&self) {}
}

/// Watches one run.
pub trait RunWatch: Send {
    /// Often during the run (every few hundred steps): where it is. Keep it cheap: refresh a
    /// display by wall time, not on every call.
    fn progress(&mut self, p: &Progress);
    /// The run ended (None: it failed).
    fn done(self: Box<Self>, outcome: Option<&RunOutcome>);
}

/// Where a run is, for [`RunWatch::progress`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    pub now: SimTime,
    /// Steps of the engine so far.
    pub events: u64,
    pub tasks_finished: u64,
}

/// Watches nothing.
pub struct Quiet;

struct QuietRun;

impl RunWatch for QuietRun {
    fn progress(&mut self, _p: &Progress) {}
    fn done(self: Box<Self>, _outcome: Option<&RunOutcome>) {}
}

impl Watch for Quiet {
    fn start(&self, _: &str, _: Option<SimTime>) -> Box<dyn RunWatch> {
        Box::new(QuietRun)
    }
}

/// Policies defined outside the crate for the runs of a plan (the Python package's). Runs may
/// go on several threads: the plug-ins of a run are made on the thread that runs it.
pub trait PluginSource: Sync {
    /// The plug-ins of one grid item ([`Plugins::default`]: the scenario's own policy).
    fn plugins(&self, item: &GridItem) -> Plugins;
    /// Asked before each run, often during it, and before the folder is committed: true stops
    /// the plan with [`Error::Interrupted`] and nothing is written (a plug-in failed, and its
    /// owner holds the reason).
    fn stop(&self) -> bool {
        false
    }
}

/// The scenario's own policies only.
pub struct NoPlugins;

impl PluginSource for NoPlugins {
    fn plugins(&self, _item: &GridItem) -> Plugins {
        Plugins::default()
    }
}

/// Runs one grid item into `dir`.
fn run_item(
    p: &RunPlan,
    dir: &Path,
    item: GridItem,
    watch: &dyn Watch,
    plugins: &dyn PluginSource,
) -> Result<RunOutcome, Error> {
    if stop_requested() || plugins.stop() {
        return Err(Error::Interrupted);
    }
    let name = &p.scenario.policies[item.policy].name;
    let run_dir = dir.join(name).join(item.replication.to_string());
    let mut opts = p.opts.clone();
    opts.outputs = Some(p.outputs);
    let mut w = watch.start(&format!("{name}/{}", item.replication), p.horizon);
    let o = {
        let mut cb = |pr: &Progress| {
            w.progress(pr);
            if stop_requested() || plugins.stop() {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        };
        simulate_full(
            &p.scenario,
            item.policy,
            item.replication,
            Some(&run_dir),
            &opts,
            plugins.plugins(&item),
            Some(&mut cb),
        )
    };
    w.done(o.as_ref().ok());
    let o = o?;
    if p.outputs != Outputs::Summary {
        write_perf(&run_dir.join("perf.csv"), std::slice::from_ref(&o))?;
    }
    Ok(o)
}

/// Runs the plan's items into `dir` (which must exist), on up to `p.jobs` threads; returns the
/// outcomes in grid order whatever order they finish in. Each run is a separate simulation with
/// its own seed, so results do not depend on the number of threads.
pub fn execute(p: &RunPlan, dir: &Path, watch: &dyn Watch) -> Result<Vec<RunOutcome>, Error> {
    execute_with(p, dir, watch, &NoPlugins)
}

fn execute_with(
    p: &RunPlan,
    dir: &Path,
    watch: &dyn Watch,
    plugins: &dyn PluginSource,
) -> Result<Vec<RunOutcome>, Error> {
    let items = p.items();
    let jobs = p.jobs.min(items.len()).max(1);
    if jobs == 1 {
        return items
            .iter()
            .map(|&it| run_item(p, dir, it, watch, plugins))
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
                let r = run_item(p, dir, it, watch, plugins);
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
            "cpu_s",
            "offers",
            "offers_per_s",
            "ns_per_offer",
            "ns_per_task",
            "bare_heap_s",
            "heap_ratio",
        ],
    )?;
    // Rates per wall second (DESIGN's columns), then the extensions documented in the README.
    let per = |n: u64, s: f64| {
        if n == 0 {
            String::new()
        } else {
            format!("{:.0}", s * 1e9 / n as f64)
        }
    };
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
            o.cpu_s.map(|c| format!("{c:.3}")).unwrap_or_default(),
            o.offers.to_string(),
            format!("{:.0}", o.offers as f64 / wall),
            per(o.offers, o.wall_s),
            per(o.tasks_finished, o.wall_s),
            format!("{:.4}", o.bare_heap_s),
            format!("{:.1}", o.wall_s / o.bare_heap_s.max(1e-9)),
        ])
        .map_err(|e| Error::write(path, e.into()))?;
    }
    w.flush().map_err(|e| Error::write(path, e))
}

/// shard.csv's columns: the grid items, then (appended) what every shard of one grid must
/// share, which `merge` compares: the effective base seed and replication count (after
/// `--seed` and `--replications`) and the digests of the scenario's contents and its trace.
pub const SHARD_COLS: [&str; 9] = [
    "shard",
    "shards",
    "index",
    "policy",
    "replication",
    "seed",
    "replications",
    "scenario_sha256",
    "trace_sha256",
];

fn write_shard(path: &Path, p: &RunPlan, i: usize, n: usize) -> Result<(), Error> {
    let (scenario_sha, trace_sha) = crate::report::inputs_sha256(&p.scenario)?;
    let mut w = create(path, &SHARD_COLS)?;
    for it in p.items() {
        w.write_record([
            i.to_string(),
            n.to_string(),
            it.index.to_string(),
            p.scenario.policies[it.policy].name.clone(),
            it.replication.to_string(),
            p.scenario.seed.to_string(),
            p.scenario.replications.to_string(),
            scenario_sha.clone(),
            trace_sha.clone(),
        ])
        .map_err(|e| Error::write(path, e.into()))?;
    }
    w.flush().map_err(|e| Error::write(path, e))
}

/// Runs a plan into its results folder: into a temporary folder inside it first, moved into
/// place only when every run succeeded (see `owned.rs`: only offersim's own files are ever
/// replaced). On failure or Ctrl-C the temporary folder goes and earlier results stay as they
/// were.
pub fn run_plan(p: &RunPlan, watch: &dyn Watch) -> Result<Vec<RunOutcome>, Error> {
    run_plan_with(p, watch, &NoPlugins)
}

/// [`run_plan`] with plug-in policies for some of its runs.
pub fn run_plan_with(
    p: &RunPlan,
    watch: &dyn Watch,
    plugins: &dyn PluginSource,
) -> Result<Vec<RunOutcome>, Error> {
    let _stop_by_itself = Cooperating::new();
    let stage = Staging::begin(&p.out, &p.out_flag, &p.scenario.name)?;
    let tmp = stage.dir().to_path_buf();
    watch.begin(p.items().len(), p.jobs);
    let result = (|| {
        let outcomes = execute_with(p, &tmp, watch, plugins)?;
        write_summary(&tmp.join("summary.csv"), &outcomes)?;
        write_perf(&tmp.join("perf.csv"), &outcomes)?;
        if let Some((i, n)) = p.shard {
            write_shard(&tmp.join(SHARD_FILE), p, i, n)?;
        }
        crate::report::save_inputs(&p.scenario, &tmp, &p.out)?;
        crate::report::finish(&tmp)?;
        if stop_requested() || plugins.stop() {
            return Err(Error::Interrupted);
        }
        Ok(outcomes)
    })();
    watch.end();
    let outcomes = result?;
    let c = stage.commit()?;
    if c.kept_unlisted > 0 {
        eprintln!(
            "note: {} had no {} (written by an older offersim); {} file(s) this run did not \
             write were left as they were",
            p.out.display(),
            super::owned::MANIFEST,
            c.kept_unlisted
        );
    }
    Ok(outcomes)
}
