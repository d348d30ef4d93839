//! The simulation world and its event loop. The loop pops events in (time, sequence) order and
//! hands them to the master, the frameworks and the agents; metrics observe what happened.
//!
//! External inputs (scripted events, agent joins and leaves, trace rows) enter the queue when the
//! clock reaches their instant, behind everything already scheduled for that instant: an input
//! at the same instant as an allocation tick runs after the tick, and every trace row of one
//! instant arrives before any framework answers an offer made at that instant.

use crate::allocator::{self, Allocator, RoleInfo};
use crate::cluster::agent::{Agent, AgentId, Pools, RoleId};
use crate::cluster::framework::Framework;
use crate::cluster::resources::Resources;
use crate::cluster::task::{Group, Job, Task};
use crate::error::{Error, Result};
use crate::metrics::recorder::Recorder;
use crate::scenario::{MasterConfig, Policy, Scenario, ScriptedEvent};
use crate::scheduler::{Decision, Scheduler};
use crate::sim::event::Event;
use crate::sim::queue::EventQueue;
use crate::sim::rng::{stream, Purpose};
use crate::sim::time::SimTime;
use crate::workload::{JobSource, TraceRow};
use rand_chacha::ChaCha8Rng;
use slab::Slab;
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::Arc;

/// An outstanding offer.
#[derive(Clone, Debug)]
pub struct Offer {
    pub id: u64,
    pub fw: u32,
    pub role: RoleId,
    pub agent: AgentId,
    pub pools: Pools,
    pub made: SimTime,
    /// Some task was launched from it.
    pub accepted: bool,
}

/// Framework-side state: the scheduler and what the framework still has to run.
pub struct FwSide {
    pub scheduler: Box<dyn Scheduler>,
    /// Groups with pending tasks, by submission order.
    pub pending: BTreeMap<u64, u32>,
    pub pending_tasks: u64,
    pub live_tasks: u64,
    /// Batches of offers received and not yet decided, in arrival order.
    pub inbox: VecDeque<Vec<u64>>,
    /// The decisions in progress, one per offer of the batch (their answer is scheduled).
    pub deciding: Option<Vec<(u64, Decision)>>,
    /// Runs a workload (greedy/delay) rather than scripted holding.
    pub has_workload: bool,
    /// Suppressed by itself for want of work.
    pub self_suppressed: bool,
    /// Busy time spent deciding (scheduler busyness).
    pub busy_us: i64,
}

/// A framework's executor on one agent.
#[derive(Clone, Debug)]
pub struct Executor {
    pub role: RoleId,
    pub pools: Pools,
    pub tasks: u32,
    pub epoch: u64,
}

/// Resources an agent brought in already allocated (`used` on add_agent).
#[derive(Clone, Debug)]
pub struct Preallocated {
    pub fw: u32,
    pub role: RoleId,
    pub agent: AgentId,
    pub pools: Pools,
}

/// A progress callback: (simulated time, events so far), called every [`PROGRESS_EVERY`] events.
pub type Progress = Box<dyn FnMut(SimTime, u64)>;
/// A power of two, so the check in the loop is a mask.
pub const PROGRESS_EVERY: u64 = 1 << 16;

/// Options of one run that are not in the scenario.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    pub check_invariants: bool,
    /// Where the small per-run files (frameworks.csv, utilization.csv, bins.csv) go when the
    /// per-task files are not written (`--outputs summary`).
    pub small_files_dir: Option<std::path::PathBuf>,
}

/// Builds a scheduler for a framework, or None to use the built-in one its config names.
pub type SchedulerFactory = dyn Fn(&crate::scenario::FrameworkConfig) -> Option<Box<dyn Scheduler>>;

/// Policies defined outside the crate (see examples/emptiest_agent.rs).
#[derive(Default)]
pub struct Plugins {
    /// Replaces the allocator the policy names.
    pub allocator: Option<Box<dyn Allocator>>,
    /// Consulted for every framework before the built-in schedulers.
    pub scheduler: Option<Box<SchedulerFactory>>,
}

pub struct World {
    pub now: SimTime,
    pub queue: EventQueue<Event>,
    pub master: MasterConfig,
    pub scenario: Arc<Scenario>,
    pub policy: Policy,
    pub seed: u64,
    pub opts: RunOptions,

    pub agents: Vec<Agent>,
    pub agent_by_name: BTreeMap<String, AgentId>,
    pub racks: Vec<String>,
    pub rack_by_name: BTreeMap<String, u32>,
    pub total: Resources,
    /// Active agents with free resources: the candidates of a periodic run.
    pub free_agents: crate::sim::bitset::BitSet,

    pub roles: Vec<RoleInfo>,
    pub role_by_name: BTreeMap<String, RoleId>,

    pub frameworks: Vec<Framework>,
    pub fw_by_name: BTreeMap<String, u32>,
    pub fw_side: Vec<FwSide>,

    pub allocator: Box<dyn Allocator>,
    pub rng_shuffle: ChaCha8Rng,
    pub grants: Vec<allocator::Grant>,
    /// Offer batches in flight to frameworks (one per framework per allocation run).
    pub batches: Slab<Vec<u64>>,
    pub candidates: Vec<AgentId>,

    pub offers: BTreeMap<u64, Offer>,
    pub next_offer: u64,

    pub jobs: Slab<Job>,
    pub job_by_id: HashMap<Arc<str>, u32>,
    pub groups: Slab<Group>,
    pub tasks: Slab<Task>,
    pub executors: BTreeMap<(u32, AgentId), Executor>,
    pub preallocated: Vec<Preallocated>,
    pub next_seq: u64,

    // Inputs.
    pub source: Box<dyn JobSource>,
    pub next_row: Option<TraceRow>,
    pub script: Vec<ScriptedEvent>,
    pub script_pos: usize,
    /// Agent joins and leaves from the cluster table: (time, join?, config index), time-sorted.
    pub agent_changes: Vec<(SimTime, bool, usize)>,
    pub agent_change_pos: usize,
    pub fw_joins: Vec<(SimTime, String)>,
    pub fw_join_pos: usize,
    pub inputs_queued: bool,

    pub rec: Recorder,
    pub events: u64,
    pub last_progress: SimTime,
    pub stopped: bool,
    /// Block placement cache: input name -> per-block replica agents, filled on demand.
    pub placement: crate::cluster::placement::Placement,
    /// Agents joined or left since the placement was last rebuilt.
    pub placement_dirty: bool,
    /// Filter id -> (framework, role, agent), so an expiring filter is found directly.
    /// Sequence number of the event being handled.
    pub cur_seq: u64,
    pub filters_installed: u64,
    pub filters_live_after_sweep: u64,
    pub scheduler_factory: Option<Box<SchedulerFactory>>,
    /// Preemption: when each waiting top-level role last launched a task or started waiting.
    pub role_progress: BTreeMap<RoleId, SimTime>,
    share_cache: Vec<(String, f64)>,
    jain_cache: Option<f64>,
    /// Observes progress only (a progress bar); never affects the run.
    pub progress: Option<Progress>,
    /// Failed, disconnected and failed-over agents and frameworks (src/cluster/faults.rs).
    pub faults: crate::cluster::faults::FaultState,
}

impl World {
    pub fn new(
        scenario: Arc<Scenario>,
        policy: Policy,
        seed: u64,
        source: Box<dyn JobSource>,
        rec: Recorder,
        opts: RunOptions,
        plugins: Plugins,
    ) -> Result<World> {
        let master = policy.master.clone();
        let allocator = plugins
            .allocator
            .unwrap_or_else(|| allocator::build(policy.allocator));
        let scheduler_factory = plugins.scheduler;
        let mut w = World {
            now: SimTime::ZERO,
            queue: EventQueue::with_capacity(1024),
            master,
            scenario: scenario.clone(),
            policy,
            seed,
            opts,
            agents: Vec::new(),
            agent_by_name: BTreeMap::new(),
            racks: Vec::new(),
            rack_by_name: BTreeMap::new(),
            total: Resources::ZERO,
            free_agents: Default::default(),
            roles: Vec::new(),
            role_by_name: BTreeMap::new(),
            frameworks: Vec::new(),
            fw_by_name: BTreeMap::new(),
            fw_side: Vec::new(),
            allocator,
            rng_shuffle: stream(seed, Purpose::AgentShuffle),
            grants: Vec::new(),
            batches: Slab::new(),
            candidates: Vec::new(),
            offers: BTreeMap::new(),
            next_offer: 1,
            jobs: Slab::new(),
            job_by_id: HashMap::new(),
            groups: Slab::new(),
            tasks: Slab::new(),
            executors: BTreeMap::new(),
            preallocated: Vec::new(),
            next_seq: 0,
            source,
            next_row: None,
            script: scenario.events.clone(),
            script_pos: 0,
            agent_changes: Vec::new(),
            agent_change_pos: 0,
            fw_joins: Vec::new(),
            fw_join_pos: 0,
            inputs_queued: false,
            rec,
            events: 0,
            last_progress: SimTime::ZERO,
            stopped: false,
            placement: crate::cluster::placement::Placement::new(seed, scenario.block_replication),
            placement_dirty: false,
            cur_seq: 0,
            filters_installed: 0,
            filters_live_after_sweep: 0,
            scheduler_factory,
            role_progress: BTreeMap::new(),
            share_cache: Vec::new(),
            jain_cache: None,
            progress: None,
            faults: Default::default(),
        };
        w.init_faults();
        // Roles named in the scenario exist from the start (weights, quota).
        for name in scenario.roles.keys() {
            w.ensure_role(name);
        }
        // Agents of the cluster table join at their add_s (0 for most): as inputs.
        for (i, a) in scenario.agents.iter().enumerate() {
            w.agent_changes.push((a.add, true, i));
            if let Some(r) = a.remove {
                w.agent_changes.push((r, false, i));
            }
        }
        w.agent_changes.sort_by_key(|&(t, join, i)| (t, !join, i));
        // Frameworks: those listed, then those the workload names, subscribe at add_s / 0.
        let mut joins: Vec<(SimTime, String)> = Vec::new();
        let listed: BTreeSet<String> = scenario.frameworks.iter().map(|f| f.name.clone()).collect();
        for f in &scenario.frameworks {
            joins.push((
                SimTime(crate::sim::time::secs_to_us(f.add_s.unwrap_or(0.0))),
                f.name.clone(),
            ));
        }
        for name in w.source.frameworks()? {
            if !listed.contains(&name) {
                joins.push((SimTime::ZERO, name));
            }
        }
        joins.sort_by_key(|(t, _)| *t); // stable: listed first, then trace order
        w.fw_joins = joins;
        w.next_row = w.source.next_row()?;
        w.queue.push(w.master.allocation_interval, Event::Tick);
        Ok(w)
    }

    /// Role id for a name, creating it and its ancestors (with scenario settings) on first use.
    pub fn ensure_role(&mut self, name: &str) -> RoleId {
        if let Some(&r) = self.role_by_name.get(name) {
            return r;
        }
        let parent = name.rfind('/').map(|i| self.ensure_role(&name[..i]));
        let id = self.roles.len() as RoleId;
        let cfg = self.scenario.roles.get(name).cloned().unwrap_or_default();
        let mut chain = vec![id];
        if let Some(p) = parent {
            chain.extend(self.roles[p as usize].chain.iter().copied());
        }
        let top = *chain.last().expect("chain has self");
        let limits = cfg.limits.unwrap_or(allocator::Limits::NONE);
        // A configured priority is inherited by sub-roles that set none.
        let priority = if self
            .scenario
            .roles
            .get(name)
            .is_some_and(|r| r.priority != 0)
        {
            cfg.priority
        } else {
            parent.map(|p| self.roles[p as usize].priority).unwrap_or(0)
        };
        self.roles.push(RoleInfo {
            name: name.to_string(),
            parent,
            chain,
            top,
            weight: cfg.weight,
            priority,
            guarantees: cfg.guarantees,
            limits,
            reserved: Resources::ZERO,
            frameworks: 0,
        });
        self.role_by_name.insert(name.to_string(), id);
        id
    }

    pub fn rack_id(&mut self, name: Option<&str>, agent_name: &str) -> u32 {
        // An agent without a rack is its own rack, so locality still means something.
        let key = match name {
            Some(n) => n.to_string(),
            None => format!("~{agent_name}"),
        };
        if let Some(&r) = self.rack_by_name.get(&key) {
            return r;
        }
        let id = self.racks.len() as u32;
        self.racks.push(key.clone());
        self.rack_by_name.insert(key, id);
        id
    }

    fn next_input_time(&self) -> Option<SimTime> {
        let mut t: Option<SimTime> = None;
        let mut consider = |x: SimTime| t = Some(t.map_or(x, |y: SimTime| y.min(x)));
        if let Some(e) = self.script.get(self.script_pos) {
            consider(e.at);
        }
        if let Some(&(at, _, _)) = self.agent_changes.get(self.agent_change_pos) {
            consider(at);
        }
        if let Some((at, _)) = self.fw_joins.get(self.fw_join_pos) {
            consider(*at);
        }
        if let Some(r) = &self.next_row {
            consider(r.submit);
        }
        t
    }

    pub fn inputs_done(&self) -> bool {
        self.next_input_time().is_none()
    }

    /// Runs the simulation to its end.
    pub fn run(&mut self) -> Result<()> {
        let end = self.scenario.end;
        loop {
            if self.stopped {
                break;
            }
            // Inputs due no later than the next queued event enter the queue now.
            if !self.inputs_queued {
                if let Some(t) = self.next_input_time() {
                    if self.queue.peek_time().is_none_or(|q| t <= q) {
                        if end.is_some_and(|e| t > e) {
                            // Inputs past the horizon never arrive.
                            self.script_pos = self.script.len();
                            self.agent_change_pos = self.agent_changes.len();
                            self.fw_join_pos = self.fw_joins.len();
                            self.next_row = None;
                            continue;
                        }
                        self.queue.push(t, Event::Inputs);
                        self.inputs_queued = true;
                    }
                }
            }
            let Some(t) = self.queue.peek_time() else {
                break;
            };
            if end.is_some_and(|e| t > e) {
                break;
            }
            let (t, seq, ev) = self.queue.pop_with_seq().expect("peeked");
            self.cur_seq = seq;
            if t < self.now {
                return Err(
                    self.invariant(ev, format!("time went back from {} to {}", self.now, t))
                );
            }
            if t > self.now {
                self.advance_metrics(t);
                self.now = t;
            }
            self.events += 1;
            if self.events & (PROGRESS_EVERY - 1) == 0 {
                if let Some(p) = self.progress.as_mut() {
                    p(self.now, self.events);
                }
            }
            self.handle(ev).map_err(|e| self.name_event(e, ev))?;
            if self.opts.check_invariants {
                self.check_invariants(ev)?;
            }
            if self.finished() {
                break;
            }
        }
        let end_time = match end {
            Some(e) if !self.finished() => e.max(self.now),
            _ => self.now,
        };
        if end_time > self.now {
            self.advance_metrics(end_time);
            self.now = end_time;
        }
        Ok(())
    }

    /// Nothing left to do: every input consumed and every task ended (or unschedulable).
    fn finished(&self) -> bool {
        if self.scenario.end.is_some() {
            return false;
        }
        if !self.inputs_done() || self.inputs_queued {
            return false;
        }
        let live: u64 = self.fw_side.iter().map(|f| f.live_tasks).sum();
        let pending: u64 = self.fw_side.iter().map(|f| f.pending_tasks).sum();
        let deciding = self.fw_side.iter().any(|f| f.deciding.is_some());
        if live > 0 || deciding {
            return false;
        }
        if pending == 0 {
            return true;
        }
        // Stalled: pending work but nothing has launched or ended for a long while, with no
        // task running. Whatever is still pending can never run.
        let window = self.stall_window();
        let since = self.last_progress.0.max(self.faults.last_rejoin.0);
        self.now.0 - since > window && !self.fault_defers_stall()
    }

    fn stall_window(&self) -> i64 {
        let interval = self.master.allocation_interval.0;
        let refuse = crate::sim::time::secs_to_us(self.master.refuse_s.min(3600.0));
        let fw_refuse = self
            .frameworks
            .iter()
            .filter_map(|f| f.cfg.refuse_s)
            .fold(0.0f64, f64::max)
            .min(3600.0);
        let refuse = refuse.max(crate::sim::time::secs_to_us(fw_refuse));
        (2 * refuse.max(interval) + 3 * interval).max(60_000_000)
    }

    fn handle(&mut self, ev: Event) -> Result<()> {
        match ev {
            Event::Tick => {
                let next = SimTime(self.now.0 + self.master.allocation_interval.0);
                self.queue.push(next, Event::Tick);
                self.sweep_filters();
                self.preempt()?;
                self.allocate_all()?;
            }
            Event::Inputs => {
                self.inputs_queued = false;
                self.take_inputs()?;
            }
            Event::Offers { fw, batch } => self.offers_arrive(fw, batch)?,
            Event::Answer { fw } => self.answer(fw)?,
            Event::TaskStart { task } => self.task_start(task),
            Event::TaskEnd { task } => self.task_end(task)?,
            Event::OfferTimeout { offer } => {
                if self.offers.contains_key(&offer) {
                    self.rescind(offer)?;
                }
            }
            Event::ExecutorIdle { fw, agent, epoch } => self.executor_idle(fw, agent, epoch),
            Event::AgentFail { .. }
            | Event::AgentRepair { .. }
            | Event::AgentPingTimeout { .. }
            | Event::FailoverTimeout { .. } => self.handle_fault(ev)?,
        }
        Ok(())
    }

    /// Applies every input due at `now`: agent joins/leaves of the cluster table, framework
    /// subscriptions, scripted events (file order), then trace rows; so the cluster and its
    /// frameworks exist before a scripted event of the same instant names them.
    fn take_inputs(&mut self) -> Result<()> {
        let now = self.now;
        while self
            .agent_changes
            .get(self.agent_change_pos)
            .is_some_and(|c| c.0 <= now)
        {
            let (_, join, i) = self.agent_changes[self.agent_change_pos];
            self.agent_change_pos += 1;
            let cfg = self.scenario.agents[i].clone();
            if join {
                self.add_agent(
                    &cfg.name,
                    cfg.rack.as_deref(),
                    cfg.total,
                    &cfg.reserved,
                    cfg.attributes.clone(),
                    &[],
                )?;
            } else if let Some(&a) = self.agent_by_name.get(&cfg.name) {
                self.remove_agent(a)?;
            }
        }
        while self
            .fw_joins
            .get(self.fw_join_pos)
            .is_some_and(|j| j.0 <= now)
        {
            let name = self.fw_joins[self.fw_join_pos].1.clone();
            self.fw_join_pos += 1;
            if !self.fw_by_name.contains_key(&name) {
                self.add_workload_framework(&name)?;
            }
        }
        while self
            .script
            .get(self.script_pos)
            .is_some_and(|e| e.at <= now)
        {
            let e = self.script[self.script_pos].clone();
            self.script_pos += 1;
            self.last_progress = now;
            self.apply_script(&e)?;
        }
        while self.next_row.as_ref().is_some_and(|r| r.submit <= now) {
            let row = self.next_row.take().expect("checked");
            self.next_row = self.source.next_row()?;
            self.last_progress = now;
            self.arrive(row)?;
        }
        Ok(())
    }

    /// Integrates metrics over [now, t) with the current state.
    fn advance_metrics(&mut self, t: SimTime) {
        if self.rec.fairness_dirty {
            self.rec.fairness_dirty = false;
            self.share_cache.clear();
            let mut xs = Vec::new();
            for (i, f) in self.frameworks.iter().enumerate() {
                if f.removed {
                    continue;
                }
                let share = f.allocated.dominant_share(&self.total);
                self.share_cache.push((f.name.clone(), share));
                if self.fw_side[i].pending_tasks > 0 {
                    let w = f
                        .roles
                        .first()
                        .map(|r| self.roles[r.role as usize].weight)
                        .unwrap_or(1.0);
                    xs.push(share / w);
                }
            }
            self.jain_cache = (xs.len() >= 2).then(|| crate::metrics::stats::jain(&xs));
        }
        self.rec
            .advance(t, &self.total, self.jain_cache, &self.share_cache);
    }

    /// A policy's invalid decision names the event during which it was made.
    fn name_event(&self, e: Error, ev: Event) -> Error {
        match e {
            Error::Decision { who, msg } => Error::Decision {
                who,
                msg: format!("{msg} (at t={}s, during {})", self.now, ev.kind()),
            },
            e => e,
        }
    }

    pub fn invariant(&self, ev: Event, msg: String) -> Error {
        Error::Invariant {
            time_s: self.now.to_string(),
            event: ev.kind().to_string(),
            msg,
        }
    }
}

impl World {
    /// Accounts for what is left at the end of the run: unfinished jobs, running tasks, and
    /// tasks that were never launched (unscheduled).
    pub fn finalize(&mut self) {
        let mut running: Vec<(u32, Task)> = self
            .tasks
            .drain()
            .enumerate()
            .map(|(i, t)| (i as u32, t))
            .collect();
        running.sort_by_key(|(_, t)| (t.launched, t.job, t.job_index));
        for (_, t) in &running {
            let job = &self.jobs[t.job as usize];
            let state = if t.start.is_some() {
                crate::cluster::task::TaskState::Running
            } else {
                crate::cluster::task::TaskState::Staging
            };
            self.rec.task_row(
                &job.id,
                job.submit,
                t,
                &self.agents[t.agent as usize].name,
                &self.frameworks[t.fw as usize].name,
                self.now,
                state,
            );
        }
        let mut unscheduled = 0u64;
        for side in &self.fw_side {
            unscheduled += side.pending_tasks;
            for (_, d) in side.deciding.iter().flatten() {
                unscheduled += d.launch.len() as u64;
            }
        }
        self.rec.tasks_unscheduled += unscheduled;
        let mut open: Vec<&Job> = self.jobs.iter().map(|(_, j)| j).collect();
        open.sort_by_key(|j| j.seq);
        let rows: Vec<(Job, String)> = open
            .into_iter()
            .map(|j| (j.clone(), self.frameworks[j.fw as usize].name.clone()))
            .collect();
        for (j, fw) in rows {
            self.rec.job_row(&j, &fw, None);
        }
    }

    /// Checks the simulation invariants (after every event in tests, or with
    /// `--check-invariants`).
    pub fn check_invariants(&self, ev: Event) -> Result<()> {
        let fail = |m: String| Err(self.invariant(ev, m));
        let n = self.agents.len();
        let mut held: Vec<Pools> = vec![Pools::default(); n];
        let mut by_fw: Vec<Resources> = vec![Resources::ZERO; self.frameworks.len()];
        for o in self.offers.values() {
            held[o.agent as usize].add(&o.pools);
            by_fw[o.fw as usize] += o.pools.total();
        }
        for (_, t) in self.tasks.iter() {
            if !matches!(
                t.state,
                crate::cluster::task::TaskState::Staging | crate::cluster::task::TaskState::Running
            ) {
                return fail(format!(
                    "task {} of job {} is live but in state {}",
                    t.job_index,
                    self.jobs[t.job as usize].id,
                    t.state.as_str()
                ));
            }
            held[t.agent as usize].add(&t.pools);
            by_fw[t.fw as usize] += t.pools.total();
        }
        for (&(fw, a), e) in &self.executors {
            held[a as usize].add(&e.pools);
            by_fw[fw as usize] += e.pools.total();
        }
        for p in &self.preallocated {
            held[p.agent as usize].add(&p.pools);
            by_fw[p.fw as usize] += p.pools.total();
        }
        for (i, a) in self.agents.iter().enumerate() {
            if !a.active {
                if !held[i].is_empty() {
                    return fail(format!(
                        "removed agent {} still holds {}",
                        a.name,
                        held[i].total()
                    ));
                }
                continue;
            }
            if !a.free.is_nonnegative() {
                return fail(format!(
                    "agent {} is over-allocated: free {:?}",
                    a.name, a.free
                ));
            }
            let mut sum = a.free.clone();
            sum.add(&held[i]);
            if sum != a.total {
                return fail(format!(
                    "agent {}: free {} + offered/used {} != total {}",
                    a.name,
                    a.free.total(),
                    held[i].total(),
                    a.total.total()
                ));
            }
            let candidate = !a.free.is_empty() && !self.faults.is_disconnected(i as AgentId);
            if candidate != self.free_agents.contains(i as AgentId) {
                return fail(format!("agent {} free-set membership is stale", a.name));
            }
        }
        for (i, f) in self.frameworks.iter().enumerate() {
            if f.allocated != by_fw[i] {
                return fail(format!(
                    "framework {} believes it holds {} but offers and tasks add up to {}",
                    f.name, f.allocated, by_fw[i]
                ));
            }
            let per_role: Resources = f.roles.iter().fold(Resources::ZERO, |s, r| s + r.allocated);
            if per_role != f.allocated {
                return fail(format!(
                    "framework {}: per-role allocations do not add up",
                    f.name
                ));
            }
            for r in &f.roles {
                if let Some(belief) = self
                    .allocator
                    .framework_share(&f.name, &self.roles[r.role as usize].name)
                {
                    let truth = r.allocated.dominant_share(&self.total);
                    if (belief - truth).abs() > 1e-9 {
                        return fail(format!(
                            "sorter share of {} in role {} is {belief} but its allocation gives {truth}",
                            f.name, self.roles[r.role as usize].name
                        ));
                    }
                }
            }
        }
        if let Err(m) = self.check_fault_invariants() {
            return fail(m);
        }
        // Every submitted task is pending, being decided, live, finished, or dropped.
        let pending: u64 = self.fw_side.iter().map(|s| s.pending_tasks).sum();
        let deciding: u64 = self
            .fw_side
            .iter()
            .flat_map(|s| s.deciding.iter().flatten())
            .map(|(_, d)| d.launch.len() as u64)
            .sum();
        let live: u64 = self.fw_side.iter().map(|s| s.live_tasks).sum();
        let accounted = pending
            + deciding
            + live
            + self.rec.tasks_finished
            + self.rec.tasks_killed
            + self.rec.tasks_unscheduled;
        if accounted != self.rec.tasks_submitted {
            return fail(format!(
                "{} tasks submitted but {} pending + {} deciding + {} live + {} finished + {} killed + {} dropped",
                self.rec.tasks_submitted, pending, deciding, live, self.rec.tasks_finished, self.rec.tasks_killed, self.rec.tasks_unscheduled
            ));
        }
        if live != self.tasks.len() as u64 {
            return fail(format!(
                "{} live tasks counted but {} in the task table",
                live,
                self.tasks.len()
            ));
        }
        Ok(())
    }
}
