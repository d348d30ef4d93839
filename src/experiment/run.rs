//! One simulation: a (policy, replication) of a scenario, into its own folder when asked, with
//! its summary row. The entry point for tests, benches and plug-in policies.

use super::folder::Progress;
use crate::allocator::Allocator;
use crate::cluster::frameworks::SchedulerFactory;
use crate::cluster::Cluster;
use crate::error::{Error, Result};
use crate::metrics::files::RunFiles;
use crate::metrics::recorder::Recorder;
use crate::scenario::{Scenario, WorkloadSource};
use crate::sim::engine::{self, Ctx};
use crate::sim::SimTime;
use crate::workload::{trace::TraceSource, Empty, JobSource};
use std::ops::ControlFlow;
use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;

pub use crate::scenario::Outputs;

/// Options of one run that are not in the scenario.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    pub check_invariants: bool,
    /// Which files go into the run's folder (None: the scenario's `outputs` key, or
    /// [`Outputs::Default`]).
    pub outputs: Option<Outputs>,
}

/// Policies defined outside the crate (see examples/emptiest_agent.rs).
#[derive(Default)]
pub struct Plugins {
    /// Replaces the allocator the policy names.
    pub allocator: Option<Box<dyn Allocator>>,
    /// Consulted for every framework before the built-in schedulers.
    pub scheduler: Option<Box<SchedulerFactory>>,
}

/// What a run produced besides its files.
#[derive(Clone, Debug)]
pub struct RunOutcome {
    pub policy: String,
    pub replication: u32,
    pub seed: u64,
    /// Summary fields in DESIGN §4.4 order, after policy, replication and seed.
    pub fields: Vec<String>,
    pub events: u64,
    pub tasks_finished: u64,
    /// The simulated instant the run ended at.
    pub end: SimTime,
    pub wall_s: f64,
    /// The run thread's own CPU time (None where the platform does not tell).
    pub cpu_s: Option<f64>,
    /// Offers made (one per agent of a bulk offer).
    pub offers: u64,
    /// A bare binary-heap loop of `events` events at the run's peak queue depth, timed right
    /// after the run in the same thread (perf.csv's yardstick).
    pub bare_heap_s: f64,
    /// The process's peak resident memory when the run ended (Linux; shared by parallel runs).
    pub peak_rss_mb: Option<f64>,
}

impl RunOutcome {
    /// The summary.csv row: policy, replication, seed, then the run's fields.
    pub fn summary_row(&self) -> Vec<String> {
        let mut r = vec![
            self.policy.clone(),
            self.replication.to_string(),
            self.seed.to_string(),
        ];
        r.extend(self.fields.iter().cloned());
        r
    }
}

/// Peak resident set size of this process in MB, from /proc (None elsewhere).
pub fn peak_rss_mb() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// The workload of a run (replication seed `seed`).
pub fn open_source(s: &Scenario, seed: u64) -> Result<Box<dyn JobSource>> {
    Ok(match &s.workload {
        WorkloadSource::None => Box::new(Empty),
        WorkloadSource::Trace(p) => Box::new(TraceSource::open(p)?),
        WorkloadSource::Generator(g) => {
            Box::new(crate::workload::gen::Generator::new(g.clone(), seed))
        }
    })
}

/// Runs policy `policy` (index into `s.policies`), replication `rep`, writing per-run files into
/// `dir` when given (which ones: `opts.outputs`).
pub fn simulate(
    s: &Arc<Scenario>,
    policy: usize,
    rep: u32,
    dir: Option<&Path>,
    opts: &RunOptions,
) -> Result<RunOutcome> {
    simulate_full(s, policy, rep, dir, opts, Plugins::default(), None)
}

/// Like [`simulate`], with an allocator or schedulers defined outside the crate.
pub fn simulate_with(
    s: &Arc<Scenario>,
    policy: usize,
    rep: u32,
    dir: Option<&Path>,
    opts: &RunOptions,
    plugins: Plugins,
) -> Result<RunOutcome> {
    simulate_full(s, policy, rep, dir, opts, plugins, None)
}

/// A run's progress callback: `Break` stops the run.
pub type OnProgress<'a> = &'a mut dyn FnMut(&Progress) -> ControlFlow<()>;

/// The general form: plug-ins, and `progress` every few hundred steps; a `Break` from it stops
/// the run with [`Error::Interrupted`] (nothing of it is finished or written after that).
pub fn simulate_full(
    s: &Arc<Scenario>,
    policy: usize,
    rep: u32,
    dir: Option<&Path>,
    opts: &RunOptions,
    plugins: Plugins,
    progress: Option<OnProgress>,
) -> Result<RunOutcome> {
    let started = Instant::now();
    let cpu_started = super::speed::thread_cpu_s();
    let seed = s.seed.wrapping_add(rep as u64);
    let pol = s.policies.get(policy).cloned().ok_or_else(|| {
        Error::input(
            s.path.display().to_string(),
            0,
            "policies",
            format!("the scenario has no policy number {policy}"),
        )
    })?;
    let outputs = opts.outputs.or(s.outputs).unwrap_or_default();
    let files = match dir {
        Some(d) if outputs != Outputs::Summary => {
            let mut f = RunFiles::create(d, outputs == Outputs::All, s.uses_revocable())?;
            f.inverse_offers = s.uses_maintenance();
            Some(f)
        }
        _ => None,
    };
    let mut rec = Recorder::new(files, pol.master.allocation_interval);
    let finished = rec.finished_counter();
    let source = open_source(s, seed)?;
    let mut ctx = Ctx::new();
    let stopped = std::cell::Cell::new(false);
    let end = {
        let mut model = Cluster::new(
            s.clone(),
            pol.clone(),
            seed,
            source,
            &mut rec,
            opts.check_invariants,
            plugins.allocator,
            plugins.scheduler,
            // Offers are reported one by one only when offers.csv is written.
            dir.is_some() && outputs == Outputs::All,
        )?;
        let stopped = &stopped;
        let mut cb = progress.map(|p| {
            move |now: SimTime, events: u64| {
                let r = p(&Progress {
                    now,
                    events,
                    tasks_finished: finished.load(Ordering::Relaxed),
                });
                if r.is_break() {
                    stopped.set(true);
                }
                r
            }
        });
        let end = engine::run(
            &mut model,
            &mut ctx,
            s.end,
            cb.as_mut()
                .map(|c| c as &mut dyn FnMut(SimTime, u64) -> ControlFlow<()>),
        )?;
        drop(cb);
        if stopped.get() {
            return Err(Error::Interrupted);
        }
        model.finalize(end);
        end
    };
    let events = ctx.events();
    let fields = rec.summary_fields(events);
    if let Some(d) = dir {
        std::fs::create_dir_all(d).map_err(|e| Error::write(d, e))?;
        crate::metrics::per_run::write(&rec, d, end)?;
        if outputs == Outputs::Summary {
            crate::metrics::recorder::write_bins(d, &rec.bins)?;
        }
    }
    let rec_offers = rec.offers_made();
    let peak_pending = ctx.peak_pending();
    rec.finish()?;
    let wall_s = started.elapsed().as_secs_f64();
    let cpu_s = cpu_started.and_then(|a| super::speed::thread_cpu_s().map(|b| b - a));
    Ok(RunOutcome {
        policy: pol.name,
        replication: rep,
        seed,
        fields,
        events,
        tasks_finished: rec.tasks_finished,
        end,
        wall_s,
        cpu_s,
        offers: rec_offers,
        bare_heap_s: super::speed::bare_heap_s(events, peak_pending),
        peak_rss_mb: peak_rss_mb(),
    })
}
