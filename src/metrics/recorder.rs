//! The recorder: the built-in [`Observer`]. It counts, writes the per-run CSV rows, and
//! integrates over time (utilization, Jain's index, shares). It is told what happened and never
//! decides anything. Write errors are kept and reported at the end, so that observing stays
//! infallible for the model.

use super::files::{fmt_f, fmt_opt, put, RunFiles};
use super::observe::{FairShare, Observation, Observer, OfferOutcome};
use super::stats::percentile;
use crate::cluster::ids::OfferId;
use crate::cluster::resources::{fmt_milli, Resources, CPUS, DISK, GPUS, MEM};
use crate::cluster::task::{Job, Locality, Task, TaskState};
use crate::error::{Error, Result};
use crate::sim::time::{fmt_secs, SimTime};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering as AtomicOrdering};
use std::sync::Arc;

/// A shares.csv row held until its allocation interval ends.
#[derive(Clone, Copy, Debug)]
struct HeldShare {
    time: i64,
    cpus: i64,
    mem: i64,
    share: f64,
    /// Order of the change, to break ties between rows of one instant.
    seq: u64,
}

struct OfferRow {
    fields: [String; 9],
    /// revocable_cpus, revocable_mem_mb (written only with the revocable columns).
    revocable: [String; 2],
    outcome: Option<OfferOutcome>,
}

/// A framework's current share, for integrating it (see `Recorder::share_now`).
struct ShareSlot {
    name: String,
    share: f64,
    /// None while the framework has no stats entry (it has not subscribed): not integrated.
    integral: Option<f64>,
}

/// Per-framework figures for frameworks.csv.
#[derive(Clone, Debug, Default)]
pub struct FwStats {
    pub share_int: f64,
    pub tasks: u64,
    pub jct_us: Vec<i64>,
    pub wait_us: Vec<i64>,
    /// Submit to the start of the job's last task, for finished jobs (Omega's "full scheduling").
    pub wait_full_us: Vec<i64>,
    /// Time spent deciding on offers, and whether the framework has a decision time at all.
    pub busy_us: i64,
    pub decides: bool,
    /// Jobs that arrived (one per job id), those given up after `max_attempts`, and those that
    /// still had tasks neither running nor finished when the run ended (never launched,
    /// dropped, or killed): the Omega study's "unscheduled jobs".
    pub jobs_submitted: u64,
    pub jobs_abandoned: u64,
    pub jobs_unscheduled: u64,
}

#[derive(Default)]
pub struct Recorder {
    files: Option<RunFiles>,
    error: Option<Error>,

    jobs: u64,
    jobs_done: u64,
    tasks_submitted: u64,
    pub(crate) tasks_finished: u64,
    tasks_lost: u64,
    tasks_killed: u64,
    tasks_preempted: u64,
    tasks_unscheduled: u64,
    /// Jobs given up on after their framework's `max_attempts` (extension).
    jobs_abandoned: u64,
    offers: u64,
    offers_declined: u64,
    offers_rescinded: u64,
    offers_accepted: u64,
    node_local: u64,
    rack_local: u64,
    off_rack: u64,

    /// Resources used by tasks and executors cluster-wide.
    cluster_used: Resources,
    /// Jain's index over the frameworks that want more, and each framework's share, as of the
    /// last `Fairness` observation.
    jain_now: Option<f64>,
    /// The current share of each subscribed framework, with its running share integral:
    /// integrated here, without a lookup by name per event, and stored back into `fw` when the
    /// slot changes framework and before `fw` is read ([`Recorder::settle_shares`]). The
    /// integral moves, it is never summed in parts, so the additions are those of integrating
    /// into `fw` directly.
    share_now: Vec<ShareSlot>,

    last: SimTime,
    util_cpu_us: f64,
    util_mem_us: f64,
    util_gpu_us: f64,
    /// The cluster had gpus at some point (util_gpus is empty otherwise).
    had_gpus: bool,
    jain_int: f64,
    jain_us: i64,
    pub makespan: SimTime,
    util_cpu_at_makespan: f64,
    util_mem_at_makespan: f64,
    util_gpu_at_makespan: f64,
    jct_us: Vec<i64>,
    wait_us: Vec<i64>,

    offer_rows: BTreeMap<OfferId, OfferRow>,
    pub fw: BTreeMap<String, FwStats>,
    /// Used cpus and mem fractions, time-averaged in bounded buckets (utilization.csv).
    pub util: super::timeline::Timeline,
    /// shares.csv keeps at most one row per (framework, role) per this many microseconds (the
    /// allocation interval): the last change in each interval.
    share_step_us: i64,
    /// The interval the held share rows belong to.
    share_bucket: i64,
    /// (framework -> [(role, slot)]) into `share_held`.
    share_slots: rustc_hash::FxHashMap<String, Vec<(String, usize)>>,
    share_held: Vec<Option<HeldShare>>,
    share_seq: u64,
    /// Latest task start of each job with finished tasks, until the job's row is written.
    last_start: std::collections::HashMap<String, i64>,
    /// Locality and JCT by job size, written to bins.csv at the end of the run.
    pub bins: super::bins::BinStats,
    /// The run's inverse offers (inverse_offers.csv).
    pub inverse: super::inverse::InverseLog,
    /// `tasks_finished`, published for the progress display of a run in flight.
    finished_live: Arc<AtomicU64>,
}

impl Recorder {
    /// Offers made so far (bulk offers count one per agent, as offers.csv would list them).
    pub fn offers_made(&self) -> u64 {
        self.offers
    }

    /// `share_step` bounds shares.csv: at most a row per (framework, role) per step (the
    /// policy's allocation interval).
    pub(crate) fn new(files: Option<RunFiles>, share_step: crate::sim::SimDuration) -> Recorder {
        Recorder {
            files,
            share_step_us: share_step.us().max(1),
            ..Default::default()
        }
    }

    /// A counter of finished tasks that can be read while the run goes (progress bars).
    pub(crate) fn finished_counter(&self) -> Arc<AtomicU64> {
        self.finished_live.clone()
    }

    fn keep(&mut self, r: Result<()>) {
        if let Err(e) = r {
            if self.error.is_none() {
                self.error = Some(e);
            }
        }
    }

    /// A share slot for `name`, carrying the integral so far.
    fn load_slot(&self, name: &str, share: f64) -> ShareSlot {
        ShareSlot {
            name: name.to_string(),
            share,
            integral: self.fw.get(name).map(|f| f.share_int),
        }
    }

    /// Moves slot `k`'s integral back into its framework's stats.
    fn store_slot(&mut self, k: usize) {
        let slot = &self.share_now[k];
        if let (Some(i), Some(f)) = (slot.integral, self.fw.get_mut(&slot.name)) {
            f.share_int = i;
        }
    }

    /// Brings `fw`'s share integrals up to date (before they are read).
    pub fn settle_shares(&mut self) {
        for k in 0..self.share_now.len() {
            self.store_slot(k);
        }
    }

    fn framework_added(&mut self, name: &str) {
        let f = self.fw.entry(name.to_string()).or_default();
        for slot in &mut self.share_now {
            if slot.name == name && slot.integral.is_none() {
                slot.integral = Some(f.share_int);
            }
        }
    }

    fn fairness(&mut self, shares: &[FairShare]) {
        // Shares change with nearly every event and the frameworks rarely do: keep the names
        // where they match instead of cloning every framework's name per change.
        for k in shares.len()..self.share_now.len() {
            self.store_slot(k);
        }
        self.share_now.truncate(shares.len());
        let mut xs = Vec::new();
        for (k, s) in shares.iter().enumerate() {
            match self.share_now.get(k) {
                Some(slot) if slot.name == s.framework => self.share_now[k].share = s.share,
                Some(_) => {
                    self.store_slot(k);
                    self.share_now[k] = self.load_slot(&s.framework, s.share);
                }
                None => {
                    let slot = self.load_slot(&s.framework, s.share);
                    self.share_now.push(slot);
                }
            }
            if s.wants_more {
                xs.push(s.share / s.weight);
            }
        }
        self.jain_now = (xs.len() >= 2).then(|| super::stats::jain(&xs));
    }

    /// Integrates the state held since the last call up to `t`.
    fn advance(&mut self, t: SimTime, total: &Resources) {
        self.had_gpus |= total.0[GPUS] > 0;
        let jain = self.jain_now;
        let dt = t.us() - self.last.us();
        if dt > 0 {
            let dtf = dt as f64;
            let cpu = frac(&self.cluster_used, total, CPUS);
            let mem = frac(&self.cluster_used, total, MEM);
            self.util_cpu_us += cpu * dtf;
            self.util_mem_us += mem * dtf;
            self.util_gpu_us += frac(&self.cluster_used, total, GPUS) * dtf;
            if let Some(j) = jain {
                self.jain_int += j * dtf;
                self.jain_us += dt;
            }
            for slot in &mut self.share_now {
                if let Some(i) = slot.integral.as_mut() {
                    *i += slot.share * dtf;
                }
            }
            self.util.add(self.last.us(), t.us(), [cpu, mem]);
        }
        self.last = t;
    }

    /// A framework's allocation in a role changed: shares.csv keeps the last change per
    /// (framework, role) per allocation interval, so the file does not grow with the number of
    /// offers one run makes and answers.
    fn share(&mut self, now: SimTime, fw: &str, role: &str, alloc: &Resources, share: f64) {
        if self.files.is_none() {
            return;
        }
        let bucket = now.us() / self.share_step_us;
        if bucket != self.share_bucket {
            self.flush_shares();
            self.share_bucket = bucket;
        }
        let slots = match self.share_slots.get_mut(fw) {
            Some(s) => s,
            None => self.share_slots.entry(fw.to_string()).or_default(),
        };
        let slot = match slots.iter().find(|(r, _)| r == role) {
            Some(&(_, k)) => k,
            None => {
                let k = self.share_held.len();
                slots.push((role.to_string(), k));
                self.share_held.push(None);
                k
            }
        };
        self.share_seq += 1;
        self.share_held[slot] = Some(HeldShare {
            time: now.us(),
            cpus: alloc.0[CPUS],
            mem: alloc.0[MEM],
            share,
            seq: self.share_seq,
        });
    }

    /// Writes the held share rows (the last change of each (framework, role) in the interval
    /// that just ended), in the order of those changes.
    fn flush_shares(&mut self) {
        let Some(files) = self.files.as_mut() else {
            return;
        };
        let mut names: Vec<(&str, &str)> = vec![("", ""); self.share_held.len()];
        for (fw, roles) in &self.share_slots {
            for (role, k) in roles {
                names[*k] = (fw.as_str(), role.as_str());
            }
        }
        let mut rows: Vec<(usize, HeldShare)> = self
            .share_held
            .iter_mut()
            .enumerate()
            .filter_map(|(k, h)| h.take().map(|h| (k, h)))
            .collect();
        rows.sort_by_key(|(_, h)| h.seq);
        for (k, h) in rows {
            let r = put(
                &mut files.shares,
                &files.dir,
                "shares.csv",
                [
                    fmt_secs(h.time),
                    names[k].0.to_string(),
                    names[k].1.to_string(),
                    fmt_milli(h.cpus),
                    fmt_milli(h.mem),
                    fmt_f(h.share),
                ],
            );
            if let Err(e) = r {
                self.error.get_or_insert(e);
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn offer_made(
        &mut self,
        now: SimTime,
        id: OfferId,
        fw: &str,
        role: &str,
        agent: &str,
        r: &Resources,
        rev: &Resources,
    ) {
        self.offers += 1;
        if self.files.as_ref().is_some_and(|f| f.offers.is_some()) {
            self.offer_rows.insert(
                id,
                OfferRow {
                    fields: [
                        fmt_secs(now.us()),
                        id.to_string(),
                        fw.to_string(),
                        role.to_string(),
                        agent.to_string(),
                        fmt_milli(r.0[CPUS]),
                        fmt_milli(r.0[MEM]),
                        fmt_milli(r.0[DISK]),
                        fmt_milli(r.0[GPUS]),
                    ],
                    revocable: [fmt_milli(rev.0[CPUS]), fmt_milli(rev.0[MEM])],
                    outcome: None,
                },
            );
        }
    }

    fn offer_resolved(&mut self, id: OfferId, outcome: OfferOutcome) {
        match outcome {
            OfferOutcome::Declined => self.offers_declined += 1,
            OfferOutcome::Rescinded => self.offers_rescinded += 1,
            OfferOutcome::Accepted => self.offers_accepted += 1,
        }
        if let Some(row) = self.offer_rows.get_mut(&id) {
            row.outcome = Some(outcome);
        }
        self.flush_offers(false);
    }

    /// Writes offer rows in offer order as soon as every earlier offer is resolved.
    fn flush_offers(&mut self, all: bool) {
        while let Some(entry) = self.offer_rows.first_entry() {
            if entry.get().outcome.is_none() && !all {
                break;
            }
            let row = entry.remove();
            if let Some(files) = self.files.as_mut() {
                if let Some(offers) = files.offers.as_mut() {
                    let mut rec: Vec<String> = row.fields.to_vec();
                    rec.push(row.outcome.map_or("held", OfferOutcome::as_str).to_string());
                    if files.revocable_cols {
                        rec.extend(row.revocable);
                    }
                    let r = put(offers, &files.dir, "offers.csv", rec);
                    self.keep(r);
                }
            }
        }
    }

    fn task_launched(&mut self, loc: Locality) {
        match loc {
            Locality::NodeLocal => self.node_local += 1,
            Locality::RackLocal => self.rack_local += 1,
            Locality::OffRack => self.off_rack += 1,
            Locality::None => {}
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn task_row(
        &mut self,
        job_id: &str,
        t: &Task,
        agent: &str,
        fw: &str,
        now: SimTime,
        state: TaskState,
    ) {
        match state {
            TaskState::Lost => self.tasks_lost += 1,
            TaskState::Killed => self.tasks_killed += 1,
            TaskState::Preempted => self.tasks_preempted += 1,
            _ => {}
        }
        if state == TaskState::Finished {
            self.tasks_finished += 1;
            self.finished_live
                .store(self.tasks_finished, AtomicOrdering::Relaxed);
            if now >= self.makespan {
                self.makespan = now;
                self.util_cpu_at_makespan = self.util_cpu_us;
                self.util_mem_at_makespan = self.util_mem_us;
                self.util_gpu_at_makespan = self.util_gpu_us;
            }
            if let Some(f) = self.fw.get_mut(fw) {
                f.tasks += 1;
            }
            if let Some(s) = t.start {
                match self.last_start.get_mut(job_id) {
                    Some(v) => *v = (*v).max(s.us()),
                    None => {
                        self.last_start.insert(job_id.to_string(), s.us());
                    }
                }
            }
        }
        if let Some(files) = self.files.as_mut() {
            let end = if matches!(state, TaskState::Running | TaskState::Staging) {
                String::new()
            } else {
                fmt_secs(now.us())
            };
            let r = put(
                &mut files.tasks,
                &files.dir,
                "tasks.csv",
                [
                    job_id.to_string(),
                    t.job_index.to_string(),
                    fw.to_string(),
                    agent.to_string(),
                    fmt_secs(t.submit.us()),
                    t.start.map(|s| fmt_secs(s.us())).unwrap_or_default(),
                    end,
                    t.locality.as_str().to_string(),
                    state.as_str().to_string(),
                    t.attempt.to_string(),
                ],
            );
            self.keep(r);
        }
    }

    /// A job row: at completion (`end` Some) or, for unfinished jobs, at the end of the run.
    fn job_row(&mut self, j: &Job, fw: &str, end: Option<SimTime>) {
        let last_start = self.last_start.remove(&*j.id);
        if let Some(f) = self.fw.get_mut(fw) {
            // Every job is reported exactly once, when it ends or when the run does.
            f.jobs_submitted += 1;
            f.jobs_abandoned += j.abandoned as u64;
            f.jobs_unscheduled += (end.is_none() && j.ended + j.running < j.tasks) as u64;
            if let (Some(ls), Some(_)) = (last_start, end) {
                f.wait_full_us.push(ls - j.submit.us());
            }
        }
        self.bins.job(j, end);
        if let Some(e) = end {
            self.jobs_done += 1;
            let jct = e.us() - j.submit.us();
            self.jct_us.push(jct);
            if let Some(f) = self.fw.get_mut(fw) {
                f.jct_us.push(jct);
            }
        }
        if let Some(s) = j.first_start {
            self.wait_us.push(s.us() - j.submit.us());
            if let Some(f) = self.fw.get_mut(fw) {
                f.wait_us.push(s.us() - j.submit.us());
            }
        }
        if let Some(files) = self.files.as_mut() {
            let with_prefs = (j.node_local + j.rack_local + j.off_rack) as f64;
            let loc = |x: u32| {
                if with_prefs > 0.0 {
                    fmt_f(x as f64 / with_prefs)
                } else {
                    String::new()
                }
            };
            let r = put(
                &mut files.jobs,
                &files.dir,
                "jobs.csv",
                [
                    j.id.to_string(),
                    fw.to_string(),
                    fmt_secs(j.submit.us()),
                    j.first_start.map(|s| fmt_secs(s.us())).unwrap_or_default(),
                    end.map(|e| fmt_secs(e.us())).unwrap_or_default(),
                    j.tasks.to_string(),
                    loc(j.node_local),
                    loc(j.rack_local),
                    loc(j.off_rack),
                ],
            );
            self.keep(r);
        }
    }

    /// Closes the files; returns the first write error of the run, if any.
    pub fn finish(&mut self) -> Result<()> {
        self.flush_offers(true);
        self.flush_shares();
        if let Some(f) = self.files.as_mut() {
            let r = f.flush().and_then(|_| write_bins(&f.dir, &self.bins));
            let r = r.and_then(|_| match f.inverse_offers {
                true => self.inverse.write(&f.dir),
                false => Ok(()),
            });
            self.keep(r);
        }
        self.files = None;
        match self.error.take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// The summary columns after the policy, replication and seed (DESIGN §4.4 order).
    pub fn summary_fields(&mut self, events: u64) -> Vec<String> {
        self.settle_shares();
        let s = |us: i64| us as f64 / 1e6;
        let jct_mean = (!self.jct_us.is_empty())
            .then(|| self.jct_us.iter().map(|&x| s(x)).sum::<f64>() / self.jct_us.len() as f64);
        let wait_mean = (!self.wait_us.is_empty())
            .then(|| self.wait_us.iter().map(|&x| s(x)).sum::<f64>() / self.wait_us.len() as f64);
        let p = |v: &mut Vec<i64>, q: f64| percentile(v, q).map(s);
        let with_prefs = (self.node_local + self.rack_local + self.off_rack) as f64;
        let loc = |x: u64| (with_prefs > 0.0).then(|| x as f64 / with_prefs);
        let span = self.makespan.us() as f64;
        // Utilization is averaged over [0, makespan]; the integrals run to the end of the run,
        // which is at least the makespan, so this is exact when the run ends at the makespan.
        let util = |int: f64| (span > 0.0).then(|| (int / span).min(1.0));
        let mut jct = std::mem::take(&mut self.jct_us);
        let mut wait = std::mem::take(&mut self.wait_us);
        let out = vec![
            self.jobs.to_string(),
            self.tasks_submitted.to_string(),
            self.tasks_finished.to_string(),
            self.tasks_lost.to_string(),
            self.tasks_unscheduled.to_string(),
            fmt_secs(self.makespan.us()),
            fmt_opt(jct_mean),
            fmt_opt(p(&mut jct, 50.0)),
            fmt_opt(p(&mut jct, 95.0)),
            fmt_opt(p(&mut jct, 99.0)),
            fmt_opt(wait_mean),
            fmt_opt(p(&mut wait, 95.0)),
            fmt_opt(loc(self.node_local)),
            fmt_opt(loc(self.rack_local)),
            fmt_opt(loc(self.off_rack)),
            fmt_opt((self.jain_us > 0).then(|| self.jain_int / self.jain_us as f64)),
            fmt_opt(util(self.util_cpu_at_makespan)),
            fmt_opt(util(self.util_mem_at_makespan)),
            self.offers.to_string(),
            self.offers_declined.to_string(),
            self.offers_rescinded.to_string(),
            events.to_string(),
            self.tasks_preempted.to_string(),
            self.jobs_abandoned.to_string(),
            fmt_opt(util(self.util_gpu_at_makespan).filter(|_| self.had_gpus)),
        ];
        self.jct_us = jct;
        self.wait_us = wait;
        out
    }
}

impl Observer for Recorder {
    fn observe(&mut self, now: SimTime, o: Observation<'_>) {
        match o {
            Observation::FrameworkSubscribed { framework } => self.framework_added(framework),
            Observation::OfferMade {
                id,
                framework,
                role,
                agent,
                resources,
                revocable,
            } => self.offer_made(now, id, framework, role, agent, resources, revocable),
            Observation::OfferResolved { id, outcome } => self.offer_resolved(id, outcome),
            Observation::OffersMade { count } => self.offers += count,
            Observation::OffersResolved { count, outcome } => match outcome {
                OfferOutcome::Declined => self.offers_declined += count,
                OfferOutcome::Rescinded => self.offers_rescinded += count,
                OfferOutcome::Accepted => self.offers_accepted += count,
            },
            Observation::Share {
                framework,
                role,
                allocated,
                share,
            } => self.share(now, framework, role, allocated, share),
            Observation::Fairness { shares } => self.fairness(shares),
            Observation::Advance { to, total } => self.advance(to, total),
            Observation::JobSubmitted => self.jobs += 1,
            Observation::TasksSubmitted { count } => self.tasks_submitted += count,
            Observation::TasksUnscheduled { count } => self.tasks_unscheduled += count,
            Observation::JobAbandoned => self.jobs_abandoned += 1,
            Observation::TaskLaunched { locality } => self.task_launched(locality),
            Observation::Used { resources } => self.cluster_used += *resources,
            Observation::Released { resources } => self.cluster_used -= *resources,
            Observation::TaskEnded {
                job_id,
                task,
                agent,
                framework,
                state,
            } => self.task_row(job_id, task, agent, framework, now, state),
            Observation::JobEnded {
                job,
                framework,
                end,
            } => self.job_row(job, framework, end),
            Observation::InverseOfferMade {
                id,
                framework,
                agent,
                start,
                duration,
            } => self
                .inverse
                .made(now, id, framework, agent, start, duration),
            Observation::InverseOfferRescinded { id } => self.inverse.rescinded(now, id),
            Observation::SchedulerBusy {
                framework,
                busy,
                decides,
            } => {
                if let Some(st) = self.fw.get_mut(framework) {
                    st.busy_us += busy.us();
                    st.decides |= decides;
                }
            }
        }
    }
}

pub(crate) fn write_bins(dir: &std::path::Path, bins: &super::bins::BinStats) -> Result<()> {
    let path = dir.join("bins.csv");
    let mut w = super::files::create(&path, &super::bins::BINS_COLS)?;
    for row in bins.rows() {
        put(&mut w, dir, "bins.csv", row)?;
    }
    w.flush().map_err(|e| Error::write(&path, e))
}

fn frac(used: &Resources, total: &Resources, i: usize) -> f64 {
    if total.0[i] > 0 {
        used.get(i) / total.get(i)
    } else {
        0.0
    }
}
