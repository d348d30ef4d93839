//! The cluster model: a set of owned parts, each behind private fields in its own file, and the
//! dispatcher that routes every event to them. Parts never call each other's handlers: a part
//! changes its own state and returns what the others must do, and the dispatcher (this file,
//! `script.rs` for scripted events) calls the next part.
//!
//! | part | file | owns |
//! |---|---|---|
//! | master | `master/` | agents, roles, the master's framework records, offers, filters, the allocator |
//! | framework side | `frameworks.rs` | schedulers, jobs and pending tasks, inboxes, decisions, abandonment, placement |
//! | task life cycle | `tasks.rs` | launched tasks, executors, preallocated resources |
//! | inputs | `inputs.rs` | the cluster table, subscriptions, the script, the trace stream |
//! | faults | `faults.rs` | failure, repair, ping and failover timers |
//! | invariants | `invariants.rs` | checks of all of the above after every event |
//!
//! Value types: `resources.rs`, `agent.rs`, `framework.rs`, `role.rs`, `task.rs`, `ids.rs`.
//! Metrics see the run only through [`crate::metrics::observe::Observer`].

pub mod agent;
pub mod event;
pub mod faults;
pub mod filter_index;
pub mod framework;
pub mod frameworks;
pub mod ids;
mod inputs;
mod invariants;
mod maintenance;
pub mod master;
pub mod placement;
pub mod resources;
pub mod role;
#[cfg(test)]
pub(crate) mod sabotage;
mod script;
pub mod task;
pub mod tasks;
#[cfg(test)]
mod testkit;

pub use agent::{AgentId, RoleId};
pub use ids::{FrameworkId, TaskKey};

use crate::allocator::Allocator;
use crate::error::{Error, Result};
use crate::metrics::observe::{FairShare, Observation, Observer};
use crate::scenario::{FrameworkConfig, Policy, Scenario};
use crate::sim::engine::{Ctx, Model, Step};
use crate::sim::{SimDuration, SimTime};
use crate::workload::{JobSource, TraceRow};
use event::Event;
use faults::{Down, FaultAction, Faults};
use frameworks::{FrameworkSide, SchedulerFactory};
use inputs::{Input, Inputs};
use master::{Master, OfferRef};
use std::sync::Arc;
use task::{Task, TaskState};
use tasks::{ExecutorNeed, Held, TaskLife};

/// The model of one run.
pub(crate) struct Cluster<'o> {
    scenario: Arc<Scenario>,
    policy: Policy,
    check_invariants: bool,
    master: Master,
    fws: FrameworkSide,
    tasks: TaskLife,
    inputs: Inputs,
    faults: Faults,
    obs: &'o mut dyn Observer,
    /// When something last launched, ended or arrived (stall detection).
    last_progress: SimTime,
    /// The versions of the fairness inputs last reported to the observer.
    seen_versions: (u64, u64),
    shares: Vec<FairShare>,
    /// The framework side was told that the trace's rows ran out.
    rows_ended: bool,
    /// A maintenance window was scheduled: the next inverse-offer pass must run.
    inverse_due: bool,
    /// The master's run count at the last inverse-offer pass.
    inverse_runs: u64,
}

impl<'o> Cluster<'o> {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        scenario: Arc<Scenario>,
        policy: Policy,
        seed: u64,
        source: Box<dyn JobSource>,
        obs: &'o mut dyn Observer,
        check_invariants: bool,
        allocator: Option<Box<dyn Allocator>>,
        factory: Option<Box<SchedulerFactory>>,
        offer_rows: bool,
    ) -> Result<Cluster<'o>> {
        let allocator = allocator
            .unwrap_or_else(|| crate::allocator::build(policy.allocator, policy.preempt_after));
        let inputs = Inputs::new(scenario.clone(), source)?;
        let mut master = Master::new(
            policy.master.clone(),
            scenario.roles.clone(),
            allocator,
            seed,
            inputs.planned_frameworks(),
        );
        master.report_offer_rows(offer_rows);
        let fws = FrameworkSide::new(
            placement::Placement::new(seed, scenario.block_replication),
            factory,
            scenario.workload_file(),
        );
        Ok(Cluster {
            tasks: TaskLife::new(scenario.locality.clone(), policy.master.executor_idle),
            faults: Faults::new(&scenario.faults, seed),
            scenario,
            policy,
            check_invariants,
            master,
            fws,
            inputs,
            obs,
            last_progress: SimTime::ZERO,
            seen_versions: (u64::MAX, u64::MAX),
            shares: Vec::new(),
            rows_ended: false,
            inverse_due: false,
            inverse_runs: 0,
        })
    }

    // ------------------------------------------------------------------------------------------
    // The dispatcher.
    // ------------------------------------------------------------------------------------------

    fn dispatch(&mut self, ctx: &mut Ctx<Event>, ev: Event) -> Result<()> {
        match ev {
            Event::Tick => {
                ctx.after(self.master.cfg().allocation_interval, Event::Tick);
                self.master.sweep_filters(ctx.now(), ctx.seq());
                self.preempt(ctx)?;
                self.master.allocate_all(ctx, self.obs)?;
            }
            Event::Offers { fw, batch } => {
                let ids = self.master.take_batch(batch);
                if self.fws.offers_arrive(fw, ids) {
                    self.fws
                        .decide_next(fw, &mut self.master, &self.tasks, ctx, self.obs)?;
                }
            }
            Event::Answer { fw } => self.answer(ctx, fw)?,
            Event::TaskStart { task } => self.start_task(ctx, task),
            Event::TaskEnd { task } => {
                if let Some(t) = self.tasks.end(task, ctx.now()) {
                    self.end_task(ctx, t, TaskState::Finished)?;
                }
            }
            Event::OfferTimeout { from, to } => self.master.time_out(from, to, ctx, self.obs)?,
            Event::ExecutorIdle { fw, agent, epoch } => {
                if let Some(h) = self.tasks.executor_idle(fw, agent, epoch) {
                    self.release_held(ctx, h);
                }
            }
            Event::AgentFail { .. }
            | Event::AgentRepair { .. }
            | Event::AgentPingTimeout { .. }
            | Event::FailoverTimeout { .. } => match self.faults.on_timer(ev) {
                Some(FaultAction::Fail(a)) => {
                    self.take_down(ctx, a, Down::Failed)?;
                    self.faults.failed(a, ctx);
                }
                Some(FaultAction::Repair(a)) => self.rejoin_agent(ctx, a)?,
                Some(FaultAction::Unreachable(a)) => self.take_down(ctx, a, Down::Unreachable)?,
                Some(FaultAction::FailoverTimeout(fw)) => self.remove_framework(ctx, fw)?,
                None => {}
            },
        }
        Ok(())
    }

    /// Applies every input due now, in the inputs' order.
    fn take_inputs(&mut self, ctx: &mut Ctx<Event>) -> Result<()> {
        let now = ctx.now();
        while let Some(input) = self.inputs.pop_due(now)? {
            match input {
                Input::AgentJoins(i) => {
                    let cfg = self.scenario.agents[i].clone();
                    self.add_agent(
                        ctx,
                        &cfg.name,
                        cfg.rack.as_deref(),
                        cfg.total,
                        &cfg.reserved,
                        cfg.attributes.clone(),
                        &[],
                        agent::AgentCapabilities::ALL,
                        resources::Resources::ZERO,
                    )?;
                }
                Input::AgentLeaves(i) => {
                    if let Some(a) = self.master.agent_named(&self.scenario.agents[i].name) {
                        self.remove_agent(ctx, a)?;
                    }
                }
                Input::FrameworkJoins(name) => {
                    if self.master.framework_named(&name).is_none() {
                        self.add_workload_framework(ctx, &name)?;
                    }
                }
                Input::Script(e) => {
                    self.last_progress = now;
                    self.apply_script(ctx, &e)?;
                }
                Input::Row(row) => {
                    self.last_progress = now;
                    self.arrive(ctx, row)?;
                }
            }
        }
        if !self.rows_ended && self.inputs.rows_exhausted() {
            self.rows_ended = true;
            self.fws.rows_ended(now, self.obs);
        }
        Ok(())
    }

    // ------------------------------------------------------------------------------------------
    // Work arriving and frameworks deciding.
    // ------------------------------------------------------------------------------------------

    fn arrive(&mut self, ctx: &mut Ctx<Event>, row: TraceRow) -> Result<()> {
        let fw = match self.master.framework_named(&row.framework) {
            Some(f) => f,
            None => self.add_workload_framework(ctx, &row.framework)?,
        };
        let gone = self.master.framework(fw).is_removed();
        let master = &self.master;
        let revive = self.fws.arrive(
            row,
            fw,
            gone,
            |n| master.agent_named(n),
            ctx.now(),
            self.obs,
        )?;
        if revive {
            let roles = self.master.fw_roles(fw);
            self.master.revive(fw, &roles, ctx, self.obs)?;
        }
        Ok(())
    }

    /// A framework's answer arrives: each decided offer is applied (or, if it vanished
    /// meanwhile, its launches go back to pending); then the framework may suppress itself, and
    /// decides its next batch.
    fn answer(&mut self, ctx: &mut Ctx<Event>, fw: FrameworkId) -> Result<()> {
        let Some(deciding) = self.fws.take_deciding(fw) else {
            return Ok(());
        };
        let none = crate::scheduler::Decision::default();
        let refuse = self.fws.refuse_for(fw, &none, self.master.cfg().refuse);
        // Offers declined whole go back in groups: a group installs one filter record. A
        // group ends before anything launches, so filters and launches keep their order.
        let mut group = master::DeclineGroup::default();
        for (r, d) in deciding.decided {
            self.fws.answered(&d);
            let plain = d.launch.is_empty() && d.refuse.is_none() && d.reserve.is_none();
            if let OfferRef::InBulk { bulk, agent, .. } = r {
                if plain && self.master.bulk_contains(bulk, agent) {
                    group.add_in_bulk(bulk, agent);
                    continue;
                }
            }
            if !d.launch.is_empty() {
                self.master
                    .flush_declines(&mut group, refuse, ctx, self.obs);
            }
            let offer = match r {
                OfferRef::One(id) => self.master.take_offer(id),
                OfferRef::InBulk { bulk, agent, id } => self
                    .master
                    .take_from_bulk(bulk, agent, id)
                    .or_else(|| self.master.take_offer(id)),
            };
            match offer {
                None => self.fws.launches_failed(fw, &d, ctx.now(), self.obs),
                Some(o) if plain => self
                    .master
                    .decline_grouped(o, refuse, &mut group, ctx, self.obs),
                Some(o) => self.apply_answer(ctx, fw, o, &d)?,
            }
        }
        for id in deciding.rest {
            if let Some(o) = self.master.take_offer(id) {
                self.master
                    .decline_grouped(o, refuse, &mut group, ctx, self.obs);
            }
        }
        self.master
            .flush_declines(&mut group, refuse, ctx, self.obs);
        for k in deciding.bulks {
            self.master.return_bulk(k, Some(refuse), ctx, self.obs);
        }
        let removed = self.master.framework(fw).is_removed();
        if self.fws.should_suppress(fw, removed) {
            let roles = self.master.fw_roles(fw);
            self.master.suppress(fw, &roles, ctx.now(), ctx.seq());
        }
        self.fws
            .decide_next(fw, &mut self.master, &self.tasks, ctx, self.obs)
    }

    /// Launches a decision's tasks on its offer and declines the rest with the framework's
    /// filter.
    fn apply_answer(
        &mut self,
        ctx: &mut Ctx<Event>,
        fw: FrameworkId,
        mut o: master::Offer,
        d: &crate::scheduler::Decision,
    ) -> Result<()> {
        let now = ctx.now();
        if let Some(r) = &d.reserve {
            if let Err(msg) = self.master.reserve_in_taken_offer(&mut o, r, ctx) {
                return Err(Error::Decision {
                    who: self.fws.scheduler_name(fw).to_string(),
                    msg,
                });
            }
        }
        let mut remaining = o.pools.clone();
        let chain = self.master.role(o.role).chain().to_vec();
        let latency = self.master.cfg().latency;
        let exec = self.fws.cfg(fw).executor;
        let exec_start = self.fws.cfg(fw).executor_start;
        for l in &d.launch {
            let mut start_delay = latency;
            match self
                .tasks
                .executor_for(fw, o.role, o.agent, &exec, &mut remaining, &chain)
            {
                Err(()) => {
                    return Err(Error::Decision {
                        who: "master".into(),
                        msg: "executor does not fit the offer".into(),
                    })
                }
                Ok(ExecutorNeed::Started(r)) => {
                    self.obs.observe(now, Observation::Used { resources: &r });
                    start_delay += exec_start;
                }
                Ok(ExecutorNeed::None | ExecutorNeed::Running) => {}
            }
            let info = self
                .fws
                .launch_info(l.group, l.task, o.agent, self.master.agents());
            let shape = info.shape;
            let pools =
                master::draw(&mut remaining, &shape, &chain).ok_or_else(|| Error::Decision {
                    who: "master".into(),
                    msg: format!(
                        "task {shape} does not fit what is left of offer {id}",
                        id = o.id
                    ),
                })?;
            let task = Task {
                group: l.group,
                job: info.job,
                submit: info.submit,
                index: l.task,
                job_index: info.job_index,
                fw,
                role: o.role,
                agent: o.agent,
                pools,
                launched: now,
                start: None,
                duration: info.duration,
                locality: info.locality,
                state: TaskState::Staging,
                attempt: info.attempt,
                due: now + start_delay,
            };
            self.fws.launched(fw, l.group, info.job, info.locality, now);
            self.obs
                .observe(now, Observation::Used { resources: &shape });
            self.obs.observe(
                now,
                Observation::TaskLaunched {
                    locality: info.locality,
                },
            );
            let k = self.tasks.insert(task, start_delay, ctx);
            if start_delay.is_zero() {
                self.start_task(ctx, k);
            }
        }
        if !remaining.is_empty() {
            let refuse = self.fws.refuse_for(fw, d, self.master.cfg().refuse);
            self.master
                .recover(fw, o.role, o.agent, &remaining, Some(refuse), ctx, self.obs);
        }
        let outcome = if d.launch.is_empty() {
            crate::metrics::observe::OfferOutcome::Declined
        } else {
            crate::metrics::observe::OfferOutcome::Accepted
        };
        self.obs
            .observe(now, Observation::OfferResolved { id: o.id, outcome });
        if !d.launch.is_empty() {
            self.last_progress = now;
        }
        Ok(())
    }

    // ------------------------------------------------------------------------------------------
    // Tasks starting and ending.
    // ------------------------------------------------------------------------------------------

    fn start_task(&mut self, ctx: &mut Ctx<Event>, k: TaskKey) {
        if let Some(job) = self.tasks.start(k, ctx) {
            self.fws.job_started(job, ctx.now());
        }
    }

    /// Ends a task in `state` (finished, lost, killed or preempted): see `tasks.rs` for the
    /// steps.
    fn end_task(&mut self, ctx: &mut Ctx<Event>, t: Task, state: TaskState) -> Result<()> {
        let now = ctx.now();
        let shape = t.pools.total();
        self.obs
            .observe(now, Observation::Released { resources: &shape });
        self.master
            .recover(t.fw, t.role, t.agent, &t.pools, None, ctx, self.obs);
        if let Some(h) = self.tasks.release_executor_task(t.fw, t.agent, ctx) {
            self.release_held(ctx, h);
        }
        self.last_progress = now;
        let removed = self.master.framework(t.fw).is_removed();
        let agent_name = self.master.agent(t.agent).name().to_string();
        let revive = self
            .fws
            .task_ended(&t, state, &agent_name, removed, now, self.obs);
        if revive {
            let roles = self.master.fw_roles(t.fw);
            self.master.revive(t.fw, &roles, ctx, self.obs)?;
        }
        self.fws.after_task_end(&t, now, self.obs);
        Ok(())
    }

    /// Resources an executor or a preallocation held go back (no filter).
    fn release_held(&mut self, ctx: &mut Ctx<Event>, h: Held) {
        let total = h.pools.total();
        self.obs
            .observe(ctx.now(), Observation::Released { resources: &total });
        self.master
            .recover(h.fw, h.role, h.agent, &h.pools, None, ctx, self.obs);
    }

    /// Ends the tasks (in `state`, lost or killed) and then returns the executors' and
    /// preallocated resources of every (framework, agent) pair that `hit` selects.
    fn release_where(
        &mut self,
        ctx: &mut Ctx<Event>,
        hit: impl Fn(FrameworkId, AgentId) -> bool + Copy,
        state: TaskState,
    ) -> Result<()> {
        for k in self.tasks.keys_where(hit) {
            if let Some(t) = self.tasks.remove(k) {
                self.end_task(ctx, t, state)?;
            }
        }
        for h in self.tasks.take_held_where(hit) {
            self.release_held(ctx, h);
        }
        Ok(())
    }

    /// Strict-priority preemption: the allocator names the tasks, the master checks they run,
    /// and they are killed (and resubmitted) in that order.
    fn preempt(&mut self, ctx: &mut Ctx<Event>) -> Result<()> {
        let victims = self.master.preempt(ctx, &self.fws, &self.tasks);
        for k in victims {
            let Some(t) = self.tasks.remove(k) else {
                return Err(Error::Decision {
                    who: self.master.allocator_name().to_string(),
                    msg: format!("preempted task {k} is not running"),
                });
            };
            self.end_task(ctx, t, TaskState::Preempted)?;
        }
        Ok(())
    }

    // ------------------------------------------------------------------------------------------
    // Agents and frameworks joining and leaving.
    // ------------------------------------------------------------------------------------------

    #[allow(clippy::too_many_arguments)]
    fn add_agent(
        &mut self,
        ctx: &mut Ctx<Event>,
        name: &str,
        rack: Option<&str>,
        total: resources::Resources,
        reserved: &[(String, resources::Resources)],
        attributes: std::collections::BTreeMap<String, String>,
        used: &[(FrameworkId, RoleId, resources::Resources)],
        capabilities: agent::AgentCapabilities,
        revocable: resources::Resources,
    ) -> Result<AgentId> {
        let (id, pre) = self.master.add_agent(
            name,
            rack,
            total,
            reserved,
            attributes,
            used,
            ctx.now(),
            ctx.seq(),
            self.obs,
        );
        self.master.update_capabilities(id, capabilities);
        // Revocable resources join with the agent, before its first run (Mesos's `addSlave`
        // takes a total that holds both kinds).
        self.master
            .update_revocable(id, revocable, ctx.now(), ctx.seq());
        self.tasks.add_preallocated(pre);
        self.fws.placement_changed();
        self.faults.agent_joined(id, ctx);
        self.master.mark_disconnected(id, false);
        self.master.allocate_agent(id, ctx, self.obs)?;
        Ok(id)
    }

    fn remove_agent(&mut self, ctx: &mut Ctx<Event>, a: AgentId) -> Result<()> {
        if self.faults.agent_removed(a) {
            self.master.forget_agent_name(a);
        }
        self.master.mark_disconnected(a, false);
        if !self.master.start_agent_removal(a, ctx, self.obs)? {
            return Ok(());
        }
        self.release_where(ctx, |_, ag| ag == a, TaskState::Lost)?;
        self.master.finish_agent_removal(a, ctx.now(), ctx.seq());
        self.fws.placement_changed();
        Ok(())
    }

    /// Removes a registered agent but keeps its name known, so it can come back as itself.
    fn take_down(&mut self, ctx: &mut Ctx<Event>, a: AgentId, why: Down) -> Result<()> {
        if !self.master.agent(a).active {
            return Ok(());
        }
        self.remove_agent(ctx, a)?;
        self.faults.mark_down(a, why);
        self.master.keep_agent_name(a);
        Ok(())
    }

    /// A down agent registers again as itself, with nothing allocated.
    fn rejoin_agent(&mut self, ctx: &mut Ctx<Event>, a: AgentId) -> Result<()> {
        let could_hold = self.could_hold_pending(a);
        self.master.rejoin_agent(a, ctx.now(), ctx.seq());
        self.fws.refresh_placement_now(self.master.agents());
        self.faults.agent_joined(a, ctx);
        self.master.mark_disconnected(a, false);
        if could_hold {
            self.faults.came_back(a, self.last_progress, ctx.now());
        }
        self.master.refresh_free(a);
        self.master.bump_version();
        self.master.allocate_agent(a, ctx, self.obs)
    }

    /// Whether agent `a`'s total could hold some pending task (shape and GPU capability only).
    fn could_hold_pending(&self, a: AgentId) -> bool {
        let ag = self.master.agent(a);
        let total = ag.total().total();
        let gpus = ag.has_gpus();
        let m = &self.master;
        self.fws.could_hold_pending(
            &total,
            |f| m.framework(f).is_removed(),
            |f| !gpus || m.framework(f).is_gpu_capable(),
        )
    }

    /// Subscribes a framework and runs an allocation for it (it is offered resources at once
    /// unless every role is suppressed).
    fn add_framework(
        &mut self,
        ctx: &mut Ctx<Event>,
        cfg: FrameworkConfig,
        has_workload: bool,
    ) -> Result<FrameworkId> {
        let idle_suppress = has_workload && cfg.suppress_when_idle;
        let id = self
            .master
            .add_framework(&cfg, idle_suppress, ctx.now(), ctx.seq(), self.obs);
        self.fws.add(id, cfg, has_workload);
        self.master.allocate_all(ctx, self.obs)?;
        Ok(id)
    }

    /// Subscribes a framework the scenario lists or the workload names, with its layered
    /// settings.
    fn add_workload_framework(&mut self, ctx: &mut Ctx<Event>, name: &str) -> Result<FrameworkId> {
        let cfg = FrameworkConfig::layered(name, self.scenario.framework(name), &self.policy);
        let has_workload = FrameworkSide::runs_workload(cfg.scheduler.kind);
        self.add_framework(ctx, cfg, has_workload)
    }

    fn remove_framework(&mut self, ctx: &mut Ctx<Event>, fw: FrameworkId) -> Result<()> {
        if !self.master.start_framework_removal(fw, ctx, self.obs)? {
            return Ok(());
        }
        self.release_where(ctx, |f, _| f == fw, TaskState::Killed)?;
        self.fws.remove(fw, ctx.now(), self.obs);
        self.master
            .finish_framework_removal(fw, ctx.now(), ctx.seq());
        Ok(())
    }

    // ------------------------------------------------------------------------------------------
    // The end of a run.
    // ------------------------------------------------------------------------------------------

    /// Nothing left to do: every input consumed and every task ended (or unschedulable).
    fn is_finished(&self, ctx: &Ctx<Event>) -> bool {
        if self.scenario.end.is_some() || !self.inputs.done() {
            return false;
        }
        let (pending, _, live) = self.fws.task_states();
        if live > 0 || self.fws.any_deciding() {
            return false;
        }
        if pending == 0 {
            return true;
        }
        // Stalled: pending work but nothing has launched or ended for a long while, with no
        // task running. Whatever is still pending can never run.
        let since = self.last_progress.max(self.faults.last_rejoin());
        ctx.now() - since > self.stall_window()
            && !self
                .faults
                .defers_stall(self.last_progress, |a| self.could_hold_pending(a))
    }

    /// How long pending work may wait with nothing running before the run gives up on it: long
    /// enough that no filter can still be pending.
    fn stall_window(&self) -> SimDuration {
        let hour = SimDuration::from_secs(3600);
        let interval = self.master.cfg().allocation_interval;
        let refuse = self
            .master
            .cfg()
            .refuse
            .min(hour)
            .max(self.fws.max_refuse().min(hour));
        (refuse.max(interval) * 2 + interval * 3).max(SimDuration::from_secs(60))
    }

    /// Accounts for what is left at the end of the run: running tasks, tasks never launched
    /// (unscheduled), unfinished jobs, and each framework's decision time.
    pub fn finalize(&mut self, now: SimTime) {
        for t in self.tasks.drain_unfinished() {
            let state = if t.start.is_some() {
                TaskState::Running
            } else {
                TaskState::Staging
            };
            let job = self.fws.job(t.job);
            self.obs.observe(
                now,
                Observation::TaskEnded {
                    job_id: &job.id,
                    task: &t,
                    agent: self.master.agent(t.agent).name(),
                    framework: self.fws.name(t.fw),
                    state,
                },
            );
        }
        self.fws.finalize(now, self.obs);
    }

    /// Reports the fairness inputs (shares of subscribed frameworks, who wants more) if any
    /// changed since the last report.
    fn report_fairness(&mut self, now: SimTime) {
        let v = (self.master.version(), self.fws.version());
        if v == self.seen_versions {
            return;
        }
        self.seen_versions = v;
        let total = self.master.share_total();
        // Rewritten in place: the names stay allocated while the frameworks stay the same.
        let mut k = 0;
        for (i, f) in self.master.frameworks().iter().enumerate() {
            if f.is_removed() {
                continue;
            }
            let fw = FrameworkId::new(i as u32);
            let share = FairShare {
                framework: String::new(),
                share: f.allocated().dominant_share(&total),
                weight: f
                    .roles()
                    .first()
                    .map(|r| self.master.role(r.role()).weight())
                    .unwrap_or(1.0),
                wants_more: self.fws.pending_tasks(fw) > 0,
            };
            match self.shares.get_mut(k) {
                Some(s) if s.framework == f.name() => {
                    let name = std::mem::take(&mut s.framework);
                    *s = FairShare {
                        framework: name,
                        ..share
                    };
                }
                Some(s) => {
                    *s = FairShare {
                        framework: f.name().to_string(),
                        ..share
                    }
                }
                None => self.shares.push(FairShare {
                    framework: f.name().to_string(),
                    ..share
                }),
            }
            k += 1;
        }
        self.shares.truncate(k);
        self.obs.observe(
            now,
            Observation::Fairness {
                shares: &self.shares,
            },
        );
    }

    fn name_event(&self, e: Error, now: SimTime, what: &str) -> Error {
        match e {
            Error::Decision { who, msg } => Error::Decision {
                who,
                msg: format!("{msg} (at t={now}s, during {what})"),
            },
            e => e,
        }
    }
}

fn step_kind(step: Step<Event>) -> &'static str {
    match step {
        Step::Inputs => "inputs",
        Step::Event(e) => e.kind(),
    }
}

impl Model for Cluster<'_> {
    type Event = Event;
    type Error = Error;

    fn start(&mut self, ctx: &mut Ctx<Event>) -> Result<()> {
        ctx.after(self.master.cfg().allocation_interval, Event::Tick);
        Ok(())
    }

    fn next_input_time(&self) -> Option<SimTime> {
        self.inputs.next_time()
    }

    fn discard_inputs(&mut self) {
        self.inputs.discard();
    }

    fn take_inputs(&mut self, ctx: &mut Ctx<Event>) -> Result<()> {
        self.take_inputs(ctx)
            .map_err(|e| self.name_event(e, ctx.now(), "inputs"))
    }

    fn handle(&mut self, ctx: &mut Ctx<Event>, ev: Event) -> Result<()> {
        self.dispatch(ctx, ev)
            .map_err(|e| self.name_event(e, ctx.now(), ev.kind()))?;
        #[cfg(test)]
        self.sabotage(ctx);
        Ok(())
    }

    fn advance(&mut self, to: SimTime) {
        self.report_fairness(to);
        let total = *self.master.total();
        self.obs
            .observe(to, Observation::Advance { to, total: &total });
    }

    fn after_step(&mut self, ctx: &Ctx<Event>, step: Step<Event>) -> Result<()> {
        self.inverse_pass(ctx.now(), step);
        if self.check_invariants {
            self.check(ctx)
                .map_err(|msg| invariants::violation(ctx.now(), step_kind(step), msg))?;
        }
        Ok(())
    }

    fn finished(&self, ctx: &Ctx<Event>) -> bool {
        self.is_finished(ctx)
    }

    fn time_went_back(&self, step: Step<Event>, from: SimTime, to: SimTime) -> Error {
        invariants::violation(
            from,
            step_kind(step),
            format!("time went back from {from} to {to}"),
        )
    }
}
