//! Running scenarios: one simulation per (policy, replication), each into its own folder, with a
//! summary row per run. This is the library entry point the CLI and the tests use.

use crate::error::Result;
use crate::metrics::recorder::Recorder;
use crate::report::csv_out::RunFiles;
use crate::scenario::{Scenario, WorkloadSource};
use crate::sim::engine::{Plugins, RunOptions, World};
use crate::workload::{trace::TraceSource, Empty, JobSource};
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

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
    pub wall_s: f64,
    /// The process's peak resident memory when the run ended (Linux; shared by parallel runs).
    pub peak_rss_mb: Option<f64>,
}

/// Peak resident set size of this process in MB, from /proc (None elsewhere).
pub fn peak_rss_mb() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Which files a run writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Outputs {
    #[default]
    All,
    /// Only the summary (scale runs): no per-task files.
    Summary,
}

pub fn open_source(s: &Scenario, seed: u64) -> Result<Box<dyn JobSource>> {
    Ok(match &s.workload {
        WorkloadSource::None => Box::new(Empty),
        WorkloadSource::Trace(p) => Box::new(TraceSource::open(p)?),
        WorkloadSource::Generator(g) => {
            let origin = crate::workload::gen::Origin {
                file: s.path.display().to_string(),
                text: std::fs::read_to_string(&s.path).unwrap_or_default(),
                prefix: "workload.generator".into(),
            };
            Box::new(crate::workload::gen::Generator::from_table(
                g, &origin, seed,
            )?)
        }
    })
}

/// Runs policy `policy` (index into `s.policies`), replication `rep`, writing per-run files into
/// `dir` when given.
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

/// [`simulate`], calling `progress(simulated time, events so far)` now and then (progress bars).
pub fn simulate_with_progress(
    s: &Arc<Scenario>,
    policy: usize,
    rep: u32,
    dir: Option<&Path>,
    opts: &RunOptions,
    progress: Option<crate::sim::engine::Progress>,
) -> Result<RunOutcome> {
    simulate_full(s, policy, rep, dir, opts, Plugins::default(), progress)
}

fn simulate_full(
    s: &Arc<Scenario>,
    policy: usize,
    rep: u32,
    dir: Option<&Path>,
    opts: &RunOptions,
    plugins: Plugins,
    progress: Option<crate::sim::engine::Progress>,
) -> Result<RunOutcome> {
    let started = Instant::now();
    let seed = s.seed.wrapping_add(rep as u64);
    let pol = s.policies[policy].clone();
    let files = match dir {
        Some(d) => Some(RunFiles::create(d)?),
        None => None,
    };
    let rec = Recorder::new(files);
    let source = open_source(s, seed)?;
    let mut w = World::new(
        s.clone(),
        pol.clone(),
        seed,
        source,
        rec,
        opts.clone(),
        plugins,
    )?;
    w.progress = progress;
    w.run()?;
    w.finalize();
    let events = w.events;
    let fields = w.rec.summary_fields(events);
    // Issue 5: per-framework figures and the utilization timeline.
    for (f, side) in w.frameworks.iter().zip(&w.fw_side) {
        if let Some(st) = w.rec.fw.get_mut(&f.name) {
            st.busy_us += side.busy_us;
            st.decides |= f.cfg.decision.0 > 0 || f.cfg.decision_per_task.0 > 0;
        }
    }
    if let Some(d) = dir {
        crate::metrics::per_run::write(&w.rec, d, w.now)?;
    } else if let Some(d) = &opts.small_files_dir {
        std::fs::create_dir_all(d).map_err(|e| crate::error::Error::write(d, e))?;
        crate::metrics::per_run::write(&w.rec, d, w.now)?;
        crate::metrics::recorder::write_bins(d, &w.rec.bins)?;
    }
    w.rec.finish()?;
    Ok(RunOutcome {
        policy: pol.name,
        replication: rep,
        seed,
        fields,
        events,
        tasks_finished: w.rec.tasks_finished,
        wall_s: started.elapsed().as_secs_f64(),
        peak_rss_mb: peak_rss_mb(),
    })
}
