//! The framework side: what each framework wants to run and how it decides. It owns the
//! schedulers, the workload (jobs, task groups, pending tasks), the inboxes of offer batches, the
//! decisions in flight and their decision time, abandonment after `max_attempts`, the block
//! placement that locality is computed from, and the task ledger that the conservation
//! invariant checks.
//!
//! A framework suppresses itself when it has nothing pending and revives when work arrives
//! (`suppress_when_idle`); those calls return whether to, and the dispatcher asks the master.

use super::agent::{Agent, AgentId};
use super::event::Event;
use super::ids::{FrameworkId, GenSlab, GroupKey, JobKey, OfferId};
use super::master::{BulkKey, Master, OfferRef, Segment};
use super::placement::Placement;
use super::resources::Resources;
use super::task::{Group, Job, Locality, Prefs, Task, TaskState};
use super::tasks::TaskLife;
use crate::error::{Error, Result};
use crate::metrics::observe::{Observation, Observer};
use crate::scenario::FrameworkConfig;
use crate::scheduler::{Decision, OfferView, Scheduler, SchedulerKind, Wanted, WorkView};
use crate::sim::bitset::BitSet;
use crate::sim::engine::Ctx;
use crate::sim::{SimDuration, SimTime};
use crate::workload::TraceRow;
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::Arc;

/// Builds a scheduler for a framework, or None to use the built-in one its config names.
pub type SchedulerFactory = dyn Fn(&FrameworkConfig) -> Option<Box<dyn Scheduler>>;

/// One framework's side.
struct FwSide {
    cfg: FrameworkConfig,
    scheduler: Box<dyn Scheduler>,
    /// Groups with pending tasks, by submission order.
    pending: BTreeMap<u64, GroupKey>,
    pending_tasks: u64,
    /// Counts the changes to `pending` other than the scheduler's own launches (see
    /// `WorkView::changes`).
    pending_changes: u64,
    live_tasks: u64,
    /// Batches of offers received and not yet decided, in arrival order.
    inbox: VecDeque<Vec<Segment>>,
    /// The batch being decided (its answer is scheduled).
    deciding: Option<Deciding>,
    /// Runs a workload (greedy/delay) rather than scripted holding.
    has_workload: bool,
    /// Suppressed by itself for want of work.
    self_suppressed: bool,
    /// Time spent deciding (scheduler busyness).
    busy: SimDuration,
}

/// A batch being decided: the decisions made, offer by offer in offer order; the one-by-one
/// offers after the point where the scheduler was done; and the bulks of the batch, whatever
/// is left of which (offers looked at and not taken, and those never looked at) the answer
/// declines with the framework's filter.
#[derive(Debug, Default)]
pub(crate) struct Deciding {
    pub decided: Vec<(OfferRef, Decision)>,
    pub rest: Vec<OfferId>,
    pub bulks: Vec<BulkKey>,
}

/// Where the walk of one batch is.
#[derive(Default)]
struct Walk {
    /// The scheduler is done with the batch: the rest is declined unseen.
    done: bool,
    /// An offer that fits a pending task was shown (the first one always is).
    shown_fit: bool,
    /// The last offer skipped since then that fits a pending task.
    last_skipped_fit: Option<(OfferRef, OfferView)>,
    wanted: Wanted,
    /// `wanted.agents` as a set, for the one-by-one walk's membership questions.
    wanted_agents: BitSet,
}

/// Every submitted task is in exactly one of these states or pending, deciding or live.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Ledger {
    pub submitted: u64,
    pub finished: u64,
    pub killed: u64,
    /// Dropped: never to run (framework gone, job abandoned, run over).
    pub unscheduled: u64,
}

/// What a launched task takes from its group (the dispatcher builds the task from it).
pub(crate) struct LaunchInfo {
    pub job: JobKey,
    pub submit: SimTime,
    pub job_index: u32,
    pub shape: Resources,
    pub duration: SimDuration,
    pub attempt: u32,
    pub locality: Locality,
}

pub(crate) struct FrameworkSide {
    sides: Vec<FwSide>,
    jobs: GenSlab<JobKey, Job>,
    job_by_id: HashMap<Arc<str>, JobKey>,
    groups: GenSlab<GroupKey, Group>,
    next_seq: u64,
    placement: Placement,
    /// Agents joined or left since the placement was last rebuilt.
    placement_dirty: bool,
    factory: Option<Box<SchedulerFactory>>,
    ledger: Ledger,
    /// Bumped whenever pending work changes (an input of the fairness metrics).
    version: u64,
    /// Bumped whenever the block placement is rebuilt.
    placement_epoch: u64,
    /// For errors about trace rows.
    workload_file: String,
}

impl FrameworkSide {
    pub fn new(
        placement: Placement,
        factory: Option<Box<SchedulerFactory>>,
        workload_file: String,
    ) -> FrameworkSide {
        FrameworkSide {
            sides: Vec::new(),
            jobs: GenSlab::new(),
            job_by_id: HashMap::new(),
            groups: GenSlab::new(),
            next_seq: 0,
            placement,
            placement_dirty: false,
            factory,
            ledger: Ledger::default(),
            version: 0,
            placement_epoch: 0,
            workload_file,
        }
    }

    // ------------------------------------------------------------------------------------------
    // Reading.
    // ------------------------------------------------------------------------------------------

    pub fn version(&self) -> u64 {
        self.version
    }
    /// The invariant tests' deliberate bugs (`cluster::sabotage`): counts that drift from the
    /// tasks they count.
    #[cfg(test)]
    pub(crate) fn miscount_for_tests(&mut self, submitted: u64, live: u64) {
        self.ledger.submitted += submitted;
        if let Some(s) = self.sides.first_mut() {
            s.live_tasks += live;
        }
    }
    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }
    pub fn cfg(&self, fw: FrameworkId) -> &FrameworkConfig {
        &self.sides[fw.idx()].cfg
    }
    /// The name of the framework's scheduler (errors about its decisions name it).
    pub fn scheduler_name(&self, fw: FrameworkId) -> &str {
        self.sides[fw.idx()].scheduler.name()
    }
    pub fn name(&self, fw: FrameworkId) -> &str {
        &self.sides[fw.idx()].cfg.name
    }
    pub fn pending_tasks(&self, fw: FrameworkId) -> u64 {
        self.sides[fw.idx()].pending_tasks
    }
    pub fn job(&self, j: JobKey) -> &Job {
        &self.jobs[j]
    }
    pub fn any_deciding(&self) -> bool {
        self.sides.iter().any(|s| s.deciding.is_some())
    }
    /// Tasks pending, being decided (launches whose answer is on its way) and live, over all
    /// frameworks.
    pub fn task_states(&self) -> (u64, u64, u64) {
        let pending = self.sides.iter().map(|s| s.pending_tasks).sum();
        let deciding = self
            .sides
            .iter()
            .flat_map(|s| s.deciding.iter().flat_map(|d| &d.decided))
            .map(|(_, d)| d.launch.len() as u64)
            .sum();
        let live = self.sides.iter().map(|s| s.live_tasks).sum();
        (pending, deciding, live)
    }
    /// The framework's pending task count and the shape of its oldest pending group.
    pub fn waiting(&self, fw: FrameworkId) -> Option<(u64, Resources)> {
        let side = self.sides.get(fw.idx())?;
        if side.pending_tasks == 0 {
            return None;
        }
        let (_, &g) = side.pending.iter().next()?;
        Some((side.pending_tasks, self.groups[g].shape))
    }
    /// The longest filter any framework asks for (for the stall window).
    pub fn max_refuse(&self) -> SimDuration {
        self.sides
            .iter()
            .filter_map(|s| s.cfg.refuse)
            .max()
            .unwrap_or(SimDuration::ZERO)
    }
    /// Whether some framework that has not left could run a pending task on an agent of this
    /// size (`gpu_ok(fw)`: the framework may use the agent's GPUs).
    pub fn could_hold_pending(
        &self,
        total: &Resources,
        removed: impl Fn(FrameworkId) -> bool,
        gpu_ok: impl Fn(FrameworkId) -> bool,
    ) -> bool {
        self.sides.iter().enumerate().any(|(f, side)| {
            let fw = FrameworkId::new(f as u32);
            !removed(fw)
                && gpu_ok(fw)
                && side
                    .pending
                    .values()
                    .any(|&g| total.contains(&self.groups[g].shape))
        })
    }

    /// The block placement, rebuilt first if agents joined or left since.
    fn refresh_placement(&mut self, agents: &[Agent]) {
        if self.placement_dirty {
            self.placement.refresh(agents);
            self.placement_epoch += 1;
            self.placement_dirty = false;
        }
    }
    /// Agents joined or left: rebuild the placement before it is next used.
    pub fn placement_changed(&mut self) {
        self.placement_dirty = true;
    }
    /// Rebuilds the placement now (an agent came back as itself).
    pub fn refresh_placement_now(&mut self, agents: &[Agent]) {
        self.placement.refresh(agents);
        self.placement_epoch += 1;
    }

    // ------------------------------------------------------------------------------------------
    // Subscribing and leaving.
    // ------------------------------------------------------------------------------------------

    /// The framework side of a new framework; `fw` is the id the master gave it.
    pub fn add(&mut self, fw: FrameworkId, cfg: FrameworkConfig, has_workload: bool) {
        assert_eq!(fw.idx(), self.sides.len(), "ids are dense");
        let scheduler = self
            .factory
            .as_ref()
            .and_then(|f| f(&cfg))
            .unwrap_or_else(|| crate::scheduler::build(&cfg.scheduler));
        let idle_suppress = has_workload && cfg.suppress_when_idle;
        self.sides.push(FwSide {
            cfg,
            scheduler,
            pending: BTreeMap::new(),
            pending_tasks: 0,
            pending_changes: 0,
            live_tasks: 0,
            inbox: VecDeque::new(),
            deciding: None,
            has_workload,
            self_suppressed: idle_suppress,
            busy: SimDuration::ZERO,
        });
    }

    /// The framework left: its pending tasks will never run and its inbox is dropped.
    pub fn remove(&mut self, fw: FrameworkId, now: SimTime, obs: &mut dyn Observer) {
        let side = &mut self.sides[fw.idx()];
        let dropped = side.pending_tasks;
        side.pending.clear();
        side.pending_tasks = 0;
        side.pending_changes += 1;
        side.inbox.clear();
        self.ledger.unscheduled += dropped;
        obs.observe(now, Observation::TasksUnscheduled { count: dropped });
        self.version += 1;
    }

    /// Whether it should revive: it had suppressed itself and has work again.
    fn wake(&mut self, fw: FrameworkId) -> bool {
        let side = &mut self.sides[fw.idx()];
        if side.self_suppressed {
            side.self_suppressed = false;
            true
        } else {
            false
        }
    }

    /// A scripted revive: it is no longer suppressed by itself.
    pub fn revived(&mut self, fw: FrameworkId) {
        self.sides[fw.idx()].self_suppressed = false;
    }

    /// After an answer: whether it should suppress itself (nothing left to run).
    pub fn should_suppress(&mut self, fw: FrameworkId, removed: bool) -> bool {
        let side = &mut self.sides[fw.idx()];
        if side.has_workload
            && side.cfg.suppress_when_idle
            && side.pending_tasks == 0
            && !side.self_suppressed
            && !removed
        {
            side.self_suppressed = true;
            true
        } else {
            false
        }
    }

    // ------------------------------------------------------------------------------------------
    // Work arriving.
    // ------------------------------------------------------------------------------------------

    /// A trace row arrives for framework `fw` (`gone`: it was removed). Returns whether the
    /// framework should revive.
    pub fn arrive(
        &mut self,
        row: TraceRow,
        fw: FrameworkId,
        gone: bool,
        agent_named: impl Fn(&str) -> Option<AgentId>,
        now: SimTime,
        obs: &mut dyn Observer,
    ) -> Result<bool> {
        self.ledger.submitted += row.tasks as u64;
        obs.observe(
            now,
            Observation::TasksSubmitted {
                count: row.tasks as u64,
            },
        );
        if gone || !self.sides[fw.idx()].has_workload {
            // Nobody will ever run these tasks. A job they belong to is not finished: they are
            // its tasks too.
            if let Some(&j) = self.job_by_id.get(row.job_id.as_str()) {
                let job = &mut self.jobs[j];
                job.tasks = job.tasks.saturating_add(row.tasks);
                job.complete |= row.last_of_job;
            }
            self.drop_tasks(row.tasks as u64, now, obs);
            return Ok(false);
        }
        let id: Arc<str> = Arc::from(row.job_id.as_str());
        let job = match self.job_by_id.get(&id) {
            Some(&j) if self.jobs[j].abandoned => {
                // A later row of a job given up on: nobody will run it (and the job, with
                // tasks never run, does not finish).
                self.jobs[j].complete |= row.last_of_job;
                self.drop_tasks(row.tasks as u64, now, obs);
                return Ok(false);
            }
            Some(&j) => j,
            None => {
                let seq = self.next_seq;
                self.next_seq += 1;
                let j = self.jobs.insert(Job::new(id.clone(), fw, row.submit, seq));
                self.job_by_id.insert(id, j);
                obs.observe(now, Observation::JobSubmitted);
                j
            }
        };
        let prefs = if let Some(nodes) = &row.preferred_nodes {
            let ids: Vec<AgentId> = nodes.iter().filter_map(|n| agent_named(n)).collect();
            (!ids.is_empty()).then(|| Prefs::Nodes(ids.into()))
        } else {
            row.input.as_deref().map(|i| Prefs::Input(Arc::from(i)))
        };
        let seq = self.next_seq;
        self.next_seq += 1;
        let base = self.jobs[job].tasks;
        let Some(tasks) = base.checked_add(row.tasks) else {
            return Err(Error::input(
                &self.workload_file,
                row.line,
                "tasks",
                format!("job {} has more than {} tasks", row.job_id, u32::MAX),
            ));
        };
        let j = &mut self.jobs[job];
        j.tasks = tasks;
        j.groups_live += 1;
        j.complete |= row.last_of_job;
        let g = self.groups.insert(Group {
            base,
            prefs,
            priority: row.priority,
            seq,
            ..Group::new(job, fw, row.submit, row.shape, row.duration, row.tasks)
        });
        let side = &mut self.sides[fw.idx()];
        side.pending.insert(seq, g);
        side.pending_tasks += row.tasks as u64;
        side.pending_changes += 1;
        self.version += 1;
        Ok(self.wake(fw))
    }

    fn drop_tasks(&mut self, n: u64, now: SimTime, obs: &mut dyn Observer) {
        self.ledger.unscheduled += n;
        obs.observe(now, Observation::TasksUnscheduled { count: n });
    }

    // ------------------------------------------------------------------------------------------
    // Deciding.
    // ------------------------------------------------------------------------------------------

    /// A batch of offers reaches the framework; it decides at once unless it is deciding.
    pub fn offers_arrive(&mut self, fw: FrameworkId, batch: Vec<Segment>) -> bool {
        let side = &mut self.sides[fw.idx()];
        side.inbox.push_back(batch);
        side.deciding.is_none()
    }

    /// Decides the next batch of offers in the framework's inbox: every offer of the batch in
    /// turn, in one decision that takes `decision_s + decision_per_task_s * launched` (holding
    /// offers takes no time), then schedules the answer.
    ///
    /// Offers the scheduler says it does not want ([`Scheduler::wanted`]) are skipped: they
    /// are declined with the offers never looked at, after the decided ones. That moves their
    /// filters' sequence numbers after the task starts this answer schedules, which nothing
    /// can tell: a filter's number only orders it against events at its expiry, and a task
    /// start consults no filter.
    pub fn decide_next(
        &mut self,
        fw: FrameworkId,
        master: &mut Master,
        tasks: &TaskLife,
        ctx: &mut Ctx<Event>,
        obs: &mut dyn Observer,
    ) -> Result<()> {
        self.refresh_placement(master.agents());
        let now = ctx.now();
        while let Some(batch) = self.sides[fw.idx()].inbox.pop_front() {
            let mut d = Deciding::default();
            let mut walk = Walk::default();
            let mut segments: VecDeque<Segment> = batch.into();
            while let Some(seg) = segments.pop_front() {
                match seg {
                    Segment::Ones(ids) => {
                        self.walk_ones(fw, ids, master, tasks, now, &mut walk, &mut d)?
                    }
                    Segment::Bulk(k) => {
                        if let Some(rest) =
                            self.walk_bulk(fw, k, master, tasks, now, &mut walk, &mut d)?
                        {
                            segments.push_front(Segment::Ones(rest));
                        }
                    }
                }
            }
            if let Some((r, view)) = walk.last_skipped_fit.take() {
                // The walk would have ended on this offer: show it, so that the scheduler
                // ends as the walk would leave it. It launches nothing (the scheduler said so).
                if let Some(dec) = self.decide_view(fw, &view, master, now)? {
                    if !dec.launch.is_empty() {
                        return Err(Error::Decision {
                            who: self.sides[fw.idx()].scheduler.name().to_string(),
                            msg: format!(
                                "launched on offer {} on an agent it did not want",
                                view.id
                            ),
                        });
                    }
                    d.decided.push((r, dec));
                }
            }
            if d.decided.is_empty() && d.rest.is_empty() && d.bulks.is_empty() {
                continue;
            }
            let launched: usize = d.decided.iter().map(|(_, d)| d.launch.len()).sum();
            let side = &mut self.sides[fw.idx()];
            let busy = side.cfg.decision + side.cfg.decision_per_task * launched as i64;
            side.busy += busy;
            side.deciding = Some(d);
            self.count_attempts(fw, ctx.now(), obs);
            ctx.after(busy + master.cfg().latency, Event::Answer { fw });
            return Ok(());
        }
        Ok(())
    }

    /// Whether the scheduler wants only some of the `left` offers still to come, and which
    /// (in `walk.wanted`). Not before an offer that fits a pending task was shown, and not
    /// when it wants so many that showing every offer is as cheap.
    fn wants_some(
        &mut self,
        fw: FrameworkId,
        master: &Master,
        now: SimTime,
        walk: &mut Walk,
        left: usize,
    ) -> bool {
        if !walk.shown_fit {
            return false;
        }
        let mut wanted = std::mem::take(&mut walk.wanted);
        wanted.clear();
        let some = self.with_scheduler(fw, master, now, |s, work| s.wanted(work, &mut wanted));
        let rack_agents: usize = wanted
            .racks
            .iter()
            .map(|&r| self.placement.agents_in(r).len())
            .sum();
        walk.wanted = wanted;
        some && (walk.wanted.agents.len() + rack_agents) * 4 <= left
    }

    /// Shows the offer to the scheduler; keeps its decision (None: held).
    #[allow(clippy::too_many_arguments)]
    fn show(
        &mut self,
        fw: FrameworkId,
        r: OfferRef,
        view: &OfferView,
        master: &Master,
        now: SimTime,
        walk: &mut Walk,
        d: &mut Deciding,
    ) -> Result<bool> {
        if self.fits_some(fw, master, now, view) {
            walk.shown_fit = true;
            walk.last_skipped_fit = None;
        }
        match self.decide_view(fw, view, master, now)? {
            Some(dec) => {
                d.decided.push((r, dec));
                Ok(true)
            }
            None => Ok(false),
        }
    }

    fn fits_some(&mut self, fw: FrameworkId, master: &Master, now: SimTime, v: &OfferView) -> bool {
        self.with_scheduler(fw, master, now, |_, work| work.fits_some(v))
    }

    /// The one-by-one offers of a batch, in order.
    #[allow(clippy::too_many_arguments)]
    fn walk_ones(
        &mut self,
        fw: FrameworkId,
        ids: Vec<OfferId>,
        master: &Master,
        tasks: &TaskLife,
        now: SimTime,
        walk: &mut Walk,
        d: &mut Deciding,
    ) -> Result<()> {
        let mut i = 0;
        while i < ids.len() {
            if !walk.done && self.scheduler_done(fw, master, now) {
                walk.done = true;
            }
            if walk.done {
                d.rest
                    .extend(ids[i..].iter().filter(|&&id| master.offer(id).is_some()));
                return Ok(());
            }
            let next = if self.wants_some(fw, master, now, walk, ids.len() - i) {
                // Indexed here, not in `wants_some`: the bulk walk only iterates the list.
                walk.wanted_agents.clear();
                for &a in &walk.wanted.agents {
                    walk.wanted_agents.insert(a.idx() as u32);
                }
                let placement = &self.placement;
                let (agents, racks) = (&walk.wanted_agents, &walk.wanted.racks);
                (i..ids.len()).find(|&j| {
                    master.offer(ids[j]).is_some_and(|o| {
                        agents.contains(o.agent.idx() as u32)
                            || racks.binary_search(&placement.rack_of(o.agent)).is_ok()
                    })
                })
            } else {
                Some(i)
            };
            let stop = next.unwrap_or(ids.len());
            for j in (i..stop).rev() {
                let Some(o) = master.offer(ids[j]) else {
                    continue;
                };
                // Only the last skipped offer that fits matters.
                let view = self.offer_view(fw, ids[j], o.agent, o.role, &o.pools, master, tasks);
                if self.fits_some(fw, master, now, &view) {
                    walk.last_skipped_fit = Some((OfferRef::One(ids[j]), view));
                    break;
                }
            }
            d.rest.extend(
                ids[i..stop]
                    .iter()
                    .filter(|&&id| master.offer(id).is_some()),
            );
            let Some(j) = next else {
                return Ok(());
            };
            i = j + 1;
            let Some(o) = master.offer(ids[j]) else {
                continue;
            };
            let view = self.offer_view(fw, ids[j], o.agent, o.role, &o.pools, master, tasks);
            self.show(fw, OfferRef::One(ids[j]), &view, master, now, walk, d)?;
        }
        Ok(())
    }

    /// The offers of a bulk, in order. Returns the ids of the offers still to decide one by
    /// one when the scheduler held an offer (the bulk is then kept one by one).
    #[allow(clippy::too_many_arguments)]
    fn walk_bulk(
        &mut self,
        fw: FrameworkId,
        k: BulkKey,
        master: &mut Master,
        tasks: &TaskLife,
        now: SimTime,
        walk: &mut Walk,
        d: &mut Deciding,
    ) -> Result<Option<Vec<OfferId>>> {
        let Some((_, role)) = master.bulk_owner(k) else {
            return Ok(None);
        };
        let len = master.bulk_len(k);
        let mut cursor = 0u32;
        let mut rest = None;
        while !walk.done {
            if self.scheduler_done(fw, master, now) {
                walk.done = true;
                break;
            }
            let left = (len - cursor) as usize;
            let next = if self.wants_some(fw, master, now, walk, left) {
                let mut best: Option<u32> = None;
                let mut consider = |a: AgentId| {
                    if let Some(p) = master.bulk_position(k, a) {
                        if p >= cursor && best.is_none_or(|b| p < b) {
                            best = Some(p);
                        }
                    }
                };
                for &a in &walk.wanted.agents {
                    consider(a);
                }
                for &r in &walk.wanted.racks {
                    for &a in self.placement.agents_in(r) {
                        consider(a);
                    }
                }
                // The offers skipped up to there: only the last that fits matters.
                let stop = best.unwrap_or(len);
                let mut p = stop;
                while p > cursor {
                    p -= 1;
                    let Some((id, agent, pools)) = master.bulk_at(k, p) else {
                        continue;
                    };
                    let view = self.offer_view(fw, id, agent, role, &pools, master, tasks);
                    if self.fits_some(fw, master, now, &view) {
                        walk.last_skipped_fit =
                            Some((OfferRef::InBulk { bulk: k, agent, id }, view));
                        break;
                    }
                }
                best
            } else {
                let mut c = cursor;
                master.bulk_next(k, &mut c).map(|_| c - 1)
            };
            let Some(p) = next else {
                break;
            };
            cursor = p + 1;
            let Some((id, agent, pools)) = master.bulk_at(k, p) else {
                continue;
            };
            let view = self.offer_view(fw, id, agent, role, &pools, master, tasks);
            let r = OfferRef::InBulk { bulk: k, agent, id };
            if !self.show(fw, r, &view, master, now, walk, d)? {
                // Held: from here on the bulk's offers are kept one by one (what was looked
                // at stays decided).
                rest = Some(
                    master
                        .materialize_bulk(k)
                        .into_iter()
                        .filter(|&(pos, _)| pos >= cursor)
                        .map(|(_, id)| id)
                        .collect(),
                );
                break;
            }
        }
        if master.bulk_owner(k).is_some() {
            d.bulks.push(k);
        }
        Ok(rest)
    }

    /// Whether the framework's scheduler is done with whatever offers are left.
    fn scheduler_done(&mut self, fw: FrameworkId, master: &Master, now: SimTime) -> bool {
        self.with_scheduler(fw, master, now, |s, work| s.done(work))
    }

    /// Runs `f` on the framework's scheduler with the view of its pending work.
    fn with_scheduler<R>(
        &mut self,
        fw: FrameworkId,
        master: &Master,
        now: SimTime,
        f: impl FnOnce(&mut dyn Scheduler, &WorkView) -> R,
    ) -> R {
        let side = &mut self.sides[fw.idx()];
        let work = WorkView {
            version: Some(self.version),
            changes: Some(side.pending_changes),
            placement_epoch: self.placement_epoch,
            ..WorkView::new(
                now,
                &side.pending,
                &self.groups,
                &self.jobs,
                master.min_allocatable_of(fw),
                &self.placement,
            )
        };
        f(side.scheduler.as_mut(), &work)
    }

    /// The offer as the framework's scheduler sees it.
    #[allow(clippy::too_many_arguments)]
    fn offer_view(
        &self,
        fw: FrameworkId,
        id: OfferId,
        agent: AgentId,
        role: super::agent::RoleId,
        pools: &super::agent::Pools,
        master: &Master,
        tasks: &TaskLife,
    ) -> OfferView {
        let exec = self.sides[fw.idx()].cfg.executor;
        OfferView {
            id,
            agent,
            rack: master.agent(agent).rack(),
            role,
            // Tasks launch on regular resources only: revocable ones are left in the offer and
            // return with its rest (docs/mesos-semantics.md §17, a known limitation).
            resources: pools.regular(),
            executor: if exec.is_zero() || tasks.has_executor(fw, agent) {
                Resources::ZERO
            } else {
                exec
            },
        }
    }

    /// The scheduler's decision on one outstanding offer (None: held).
    fn decide_view(
        &mut self,
        fw: FrameworkId,
        offer: &OfferView,
        master: &Master,
        now: SimTime,
    ) -> Result<Option<Decision>> {
        let offer = offer.clone();
        let mut d = Decision::default();
        self.with_scheduler(fw, master, now, |s, work| s.on_offer(&offer, work, &mut d));
        if d.hold {
            if !d.launch.is_empty() || d.reserve.is_some() {
                return Err(Error::Decision {
                    who: self.sides[fw.idx()].scheduler.name().to_string(),
                    msg: "a held offer cannot also launch tasks or reserve".into(),
                });
            }
            return Ok(None);
        }
        self.take_launched(fw, &offer, &d)?;
        Ok(Some(d))
    }

    /// Validates a decision against the offer and takes its tasks out of the pending set.
    fn take_launched(&mut self, fw: FrameworkId, offer: &OfferView, d: &Decision) -> Result<()> {
        let scheduler = &self.sides[fw.idx()].scheduler;
        let bad = |msg: String| Error::Decision {
            who: scheduler.name().to_string(),
            msg,
        };
        // The executor is needed only with a task to run: a decision that launches nothing
        // (declines the whole offer) fits any offer, even one too small for the executor.
        let mut need = if d.launch.is_empty() {
            Resources::ZERO
        } else {
            offer.executor
        };
        let mut seen = BTreeSet::new();
        for l in &d.launch {
            let g = self
                .groups
                .get(l.group)
                .ok_or_else(|| bad(format!("unknown task group {}", l.group)))?;
            if g.fw != fw {
                return Err(bad(format!(
                    "task group {} belongs to another framework",
                    l.group
                )));
            }
            let pending = g.requeued.contains(&l.task) || (l.task >= g.next && l.task < g.count);
            if !pending || !seen.insert((l.group, l.task)) {
                return Err(bad(format!(
                    "task {} of group {} is not pending",
                    l.task, l.group
                )));
            }
            need += g.shape;
        }
        if !offer.resources.contains(&need) {
            return Err(bad(format!(
                "launched {} on an offer of {}",
                need, offer.resources
            )));
        }
        for l in &d.launch {
            let g = &mut self.groups[l.group];
            g.take_pending(l.task);
            if g.pending() == 0 {
                let seq = g.seq;
                self.sides[fw.idx()].pending.remove(&seq);
            }
        }
        self.sides[fw.idx()].pending_tasks -= d.launch.len() as u64;
        self.version += 1;
        Ok(())
    }

    /// A decision was made: every job of the framework with tasks still pending had a scheduling
    /// attempt, and one that has had `max_attempts` is abandoned (the Omega study gives up on a
    /// job after 1,000): its pending tasks are dropped (unscheduled); its running tasks go on.
    fn count_attempts(&mut self, fw: FrameworkId, now: SimTime, obs: &mut dyn Observer) {
        let Some(max) = self.sides[fw.idx()].cfg.max_attempts else {
            return;
        };
        // (job, group) in job order, so that a job with several pending groups counts once.
        let mut pairs: Vec<(JobKey, GroupKey)> = self.sides[fw.idx()]
            .pending
            .values()
            .map(|&g| (self.groups[g].job, g))
            .collect();
        pairs.sort_unstable();
        let mut i = 0;
        while i < pairs.len() {
            let job = pairs[i].0;
            let end = i + pairs[i..].iter().take_while(|p| p.0 == job).count();
            let j = &mut self.jobs[job];
            j.attempts += 1;
            if j.attempts >= max {
                j.abandoned = true;
                obs.observe(now, Observation::JobAbandoned);
                for &(_, group) in &pairs[i..end] {
                    let g = &mut self.groups[group];
                    let dropped = g.pending();
                    g.requeued.clear();
                    g.next = g.count;
                    let seq = g.seq;
                    let side = &mut self.sides[fw.idx()];
                    side.pending.remove(&seq);
                    side.pending_tasks -= dropped as u64;
                    side.pending_changes += 1;
                    self.drop_tasks(dropped as u64, now, obs);
                    self.maybe_finish_job(group, job, now, obs);
                }
                self.version += 1;
            }
            i = end;
        }
    }

    /// The decisions whose answer arrives now (None: there are none, say the framework left).
    pub fn take_deciding(&mut self, fw: FrameworkId) -> Option<Deciding> {
        self.sides[fw.idx()].deciding.take()
    }

    /// The answer for these launches arrived: they are no longer in flight.
    pub fn answered(&mut self, d: &Decision) {
        for l in &d.launch {
            self.groups[l.group].inflight -= 1;
        }
    }

    /// The filter a decision's unused part is declined with.
    pub fn refuse_for(
        &self,
        fw: FrameworkId,
        d: &Decision,
        master_default: SimDuration,
    ) -> SimDuration {
        d.refuse
            .or(self.sides[fw.idx()].cfg.refuse)
            .unwrap_or(master_default)
    }

    /// Launches that failed (their offer vanished while the framework decided) go back to
    /// pending, or are dropped when their job was abandoned.
    pub fn launches_failed(
        &mut self,
        fw: FrameworkId,
        d: &Decision,
        now: SimTime,
        obs: &mut dyn Observer,
    ) {
        for l in &d.launch {
            if !self.requeue(fw, l.group, l.task, now, obs) {
                let job = self.groups[l.group].job;
                self.maybe_finish_job(l.group, job, now, obs);
            }
        }
    }

    /// Puts a task back to pending (its offer vanished, or it was lost); a task of an abandoned
    /// job is dropped instead. Returns whether it is pending again.
    fn requeue(
        &mut self,
        fw: FrameworkId,
        group: GroupKey,
        task: u32,
        now: SimTime,
        obs: &mut dyn Observer,
    ) -> bool {
        if self.jobs[self.groups[group].job].abandoned {
            self.drop_tasks(1, now, obs);
            return false;
        }
        let g = &mut self.groups[group];
        g.requeued.push(task);
        let seq = g.seq;
        let side = &mut self.sides[fw.idx()];
        side.pending.insert(seq, group);
        side.pending_tasks += 1;
        side.pending_changes += 1;
        self.version += 1;
        true
    }

    // ------------------------------------------------------------------------------------------
    // Launching and ending.
    // ------------------------------------------------------------------------------------------

    /// What a launch of task `task` of `group` on `agent` takes from the group.
    pub fn launch_info(
        &mut self,
        group: GroupKey,
        task: u32,
        agent: AgentId,
        agents: &[Agent],
    ) -> LaunchInfo {
        self.refresh_placement(agents);
        let g = &self.groups[group];
        let locality = match &g.prefs {
            None => Locality::None,
            Some(Prefs::Nodes(n)) => self.placement.locality(n, agent),
            Some(Prefs::Input(name)) => {
                let v = self.placement.replica_set(name, g.base + task);
                self.placement.locality(&v, agent)
            }
        };
        LaunchInfo {
            job: g.job,
            submit: g.submit,
            job_index: g.base + task,
            shape: g.shape,
            duration: g.duration,
            attempt: g.attempt_of(task),
            locality,
        }
    }

    /// A task was launched: its group, job and framework count it, and the scheduler hears of
    /// it.
    pub fn launched(
        &mut self,
        fw: FrameworkId,
        group: GroupKey,
        job: JobKey,
        locality: Locality,
        now: SimTime,
    ) {
        self.groups[group].live += 1;
        let j = &mut self.jobs[job];
        j.running += 1;
        match locality {
            Locality::NodeLocal => j.node_local += 1,
            Locality::RackLocal => j.rack_local += 1,
            Locality::OffRack => j.off_rack += 1,
            Locality::None => {}
        }
        let side = &mut self.sides[fw.idx()];
        side.live_tasks += 1;
        side.scheduler.on_launch(job, locality, now);
    }

    /// A task started to run: its job may have started now.
    pub fn job_started(&mut self, job: JobKey, now: SimTime) {
        let j = &mut self.jobs[job];
        if j.first_start.is_none() {
            j.first_start = Some(now);
        }
    }

    /// A task ended in `state` (its resources are back already): it is counted and reported,
    /// and a lost or preempted task is resubmitted (`fw_removed`: unless its framework left).
    /// Returns whether the framework should revive; [`FrameworkSide::after_task_end`] follows.
    pub fn task_ended(
        &mut self,
        t: &Task,
        state: TaskState,
        agent_name: &str,
        fw_removed: bool,
        now: SimTime,
        obs: &mut dyn Observer,
    ) -> bool {
        self.sides[t.fw.idx()].live_tasks -= 1;
        self.groups[t.group].live -= 1;
        self.jobs[t.job].running -= 1;
        {
            let job = &self.jobs[t.job];
            obs.observe(
                now,
                Observation::TaskEnded {
                    job_id: &job.id,
                    task: t,
                    agent: agent_name,
                    framework: &self.sides[t.fw.idx()].cfg.name,
                    state,
                },
            );
        }
        match state {
            TaskState::Finished => {
                self.ledger.finished += 1;
                let j = &mut self.jobs[t.job];
                j.ended += 1;
                j.last_end = j.last_end.max(now);
                false
            }
            TaskState::Lost | TaskState::Preempted => {
                // Frameworks resubmit lost and preempted tasks, as the next attempt.
                self.groups[t.group].next_attempt(t.index, t.attempt);
                !fw_removed && self.requeue(t.fw, t.group, t.index, now, obs) && self.wake(t.fw)
            }
            TaskState::Killed => {
                self.ledger.killed += 1;
                false
            }
            TaskState::Staging | TaskState::Running => false,
        }
    }

    /// The last step of a task's end: its group and job end if nothing of them is left.
    pub fn after_task_end(&mut self, t: &Task, now: SimTime, obs: &mut dyn Observer) {
        self.maybe_finish_job(t.group, t.job, now, obs);
    }

    fn maybe_finish_job(
        &mut self,
        group: GroupKey,
        job: JobKey,
        now: SimTime,
        obs: &mut dyn Observer,
    ) {
        let g = &self.groups[group];
        if g.pending() == 0
            && g.live == 0
            && g.inflight == 0
            && !self.sides[g.fw.idx()].pending.contains_key(&g.seq)
            && g.next == g.count
        {
            self.groups.remove(group);
            self.jobs[job].groups_live -= 1;
        }
        self.maybe_end_job(job, now, obs);
    }

    /// A job ends when its last row has arrived and every task of it has ended; it ended when
    /// its latest task did. Until then it stays, whatever the gaps between its rows, so a late
    /// row joins it rather than starting a second job of the same id.
    fn maybe_end_job(&mut self, job: JobKey, now: SimTime, obs: &mut dyn Observer) {
        let j = &self.jobs[job];
        if j.complete && j.ended == j.tasks && j.groups_live == 0 {
            let j = self.jobs.remove(job);
            self.job_by_id.remove(&j.id);
            let side = &mut self.sides[j.fw.idx()];
            obs.observe(
                now,
                Observation::JobEnded {
                    job: &j,
                    framework: &side.cfg.name,
                    end: Some(j.last_end),
                },
            );
            side.scheduler.on_job_end(job);
        }
    }

    /// The rows ran out: every job has had its last row (a source that could not tell which row
    /// was a job's last relies on this), and those with nothing left end now, at their latest
    /// task's end.
    pub fn rows_ended(&mut self, now: SimTime, obs: &mut dyn Observer) {
        let mut open: Vec<(u64, JobKey)> = self
            .jobs
            .iter()
            .filter(|(_, j)| !j.complete)
            .map(|(k, j)| (j.seq, k))
            .collect();
        open.sort_unstable();
        for (_, k) in open {
            self.jobs[k].complete = true;
            self.maybe_end_job(k, now, obs);
        }
    }

    // ------------------------------------------------------------------------------------------
    // The end of a run.
    // ------------------------------------------------------------------------------------------

    /// What is left when the run ends: tasks never launched count as unscheduled, unfinished
    /// jobs are reported, and each framework's decision time.
    pub fn finalize(&mut self, now: SimTime, obs: &mut dyn Observer) {
        let mut unscheduled = 0u64;
        for side in &self.sides {
            unscheduled += side.pending_tasks;
            for (_, d) in side.deciding.iter().flat_map(|d| &d.decided) {
                unscheduled += d.launch.len() as u64;
            }
        }
        self.drop_tasks(unscheduled, now, obs);
        let mut open: Vec<&Job> = self.jobs.iter().map(|(_, j)| j).collect();
        open.sort_by_key(|j| j.seq);
        for j in open {
            obs.observe(
                now,
                Observation::JobEnded {
                    job: j,
                    framework: &self.sides[j.fw.idx()].cfg.name,
                    end: None,
                },
            );
        }
        for side in &self.sides {
            obs.observe(
                now,
                Observation::SchedulerBusy {
                    framework: &side.cfg.name,
                    busy: side.busy,
                    decides: !side.cfg.decision.is_zero() || !side.cfg.decision_per_task.is_zero(),
                },
            );
        }
    }

    /// The hold scheduler: a scripted framework runs no workload.
    pub fn runs_workload(kind: SchedulerKind) -> bool {
        kind != SchedulerKind::Hold
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::testkit::{agent, config, cpus_mem, framework, master, Log};
    use crate::scenario::{FrameworkDefaults, Locality as Slowdowns};

    fn row(job: &str, tasks: u32, cpus: f64) -> TraceRow {
        TraceRow {
            job_id: job.into(),
            framework: "f".into(),
            submit: SimTime::ZERO,
            tasks,
            shape: cpus_mem(cpus, 0.0),
            duration: SimDuration::from_secs(10),
            priority: 0,
            input: None,
            preferred_nodes: None,
            line: 0,
            last_of_job: true,
        }
    }

    struct World {
        m: Master,
        fws: FrameworkSide,
        tasks: TaskLife,
        ctx: Ctx<Event>,
        log: Log,
        f: FrameworkId,
    }

    fn world(d: FrameworkDefaults) -> World {
        let mut m = master();
        let ctx = Ctx::at_time(SimTime::ZERO);
        let mut log = Log::default();
        let cfg = config("f", d);
        let f = framework(&mut m, &ctx, &mut log, &cfg);
        let mut fws = FrameworkSide::new(Placement::new(1, 3), None, "t.csv".into());
        fws.add(f, cfg, true);
        let tasks = TaskLife::new(
            Slowdowns {
                rack_slowdown: 1.0,
                off_rack_slowdown: 1.0,
            },
            SimDuration::ZERO,
        );
        World {
            m,
            fws,
            tasks,
            ctx,
            log,
            f,
        }
    }

    impl World {
        /// Adds an agent, runs an allocation, and hands the batch to the framework side.
        fn offer_agent(&mut self, name: &str, cpus: f64) -> bool {
            agent(
                &mut self.m,
                &self.ctx,
                &mut self.log,
                name,
                cpus_mem(cpus, 1024.0),
            );
            self.m.allocate_all(&mut self.ctx, &mut self.log).unwrap();
            loop {
                match self.ctx.pop_event() {
                    Some((_, Event::Offers { fw, batch })) => {
                        let ids = self.m.take_batch(batch);
                        return self.fws.offers_arrive(fw, ids);
                    }
                    Some(_) => continue,
                    None => panic!("no batch"),
                }
            }
        }
        /// Decides the batch the framework holds and runs every launched task to its end at
        /// `end`; returns the launched tasks' indices within their job.
        fn launch_and_finish(&mut self, end: SimTime) -> Vec<u32> {
            self.decide();
            let d = self.fws.take_deciding(self.f).unwrap();
            let mut ran = Vec::new();
            for (_, dec) in &d.decided {
                self.fws.answered(dec);
                for l in &dec.launch {
                    let agent = AgentId::new(0);
                    let info = self
                        .fws
                        .launch_info(l.group, l.task, agent, self.m.agents());
                    self.fws
                        .launched(self.f, l.group, info.job, info.locality, SimTime::ZERO);
                    let t = Task {
                        group: l.group,
                        job: info.job,
                        submit: info.submit,
                        index: l.task,
                        job_index: info.job_index,
                        fw: self.f,
                        role: crate::cluster::agent::RoleId::new(0),
                        agent,
                        pools: crate::cluster::agent::Pools::unreserved(info.shape),
                        launched: SimTime::ZERO,
                        start: Some(SimTime::ZERO),
                        duration: info.duration,
                        locality: info.locality,
                        state: TaskState::Running,
                        attempt: info.attempt,
                        due: end,
                    };
                    ran.push(t);
                }
            }
            for t in &ran {
                self.fws
                    .task_ended(t, TaskState::Finished, "a1", false, end, &mut self.log);
                self.fws.after_task_end(t, end, &mut self.log);
            }
            ran.iter().map(|t| t.job_index).collect()
        }
        fn arrive_at(&mut self, mut r: TraceRow, at: SimTime, last: bool) {
            r.submit = at;
            r.last_of_job = last;
            self.fws
                .arrive(r, self.f, false, |_| None, at, &mut self.log)
                .unwrap();
        }
        fn ended(&self) -> Vec<&String> {
            self.log.0.iter().filter(|l| l.contains(" job ")).collect()
        }
        fn decide(&mut self) {
            self.fws
                .decide_next(
                    self.f,
                    &mut self.m,
                    &self.tasks,
                    &mut self.ctx,
                    &mut self.log,
                )
                .unwrap();
        }
    }

    #[test]
    fn arriving_work_is_pending_and_wakes_a_framework_that_suppressed_itself() {
        let mut w = world(Default::default());
        let revive = w
            .fws
            .arrive(
                row("j1", 3, 1.0),
                w.f,
                false,
                |_| None,
                SimTime::ZERO,
                &mut w.log,
            )
            .unwrap();
        assert!(revive, "it subscribed suppressed, for want of work");
        assert_eq!(w.fws.pending_tasks(w.f), 3);
        let again = w
            .fws
            .arrive(
                row("j1", 2, 1.0),
                w.f,
                false,
                |_| None,
                SimTime::ZERO,
                &mut w.log,
            )
            .unwrap();
        assert!(!again, "awake already");
        assert_eq!(w.fws.pending_tasks(w.f), 5);
        assert_eq!(w.fws.ledger().submitted, 5);
        // Work for a framework that left is dropped at once.
        w.fws
            .arrive(
                row("j2", 4, 1.0),
                w.f,
                true,
                |_| None,
                SimTime::ZERO,
                &mut w.log,
            )
            .unwrap();
        assert_eq!(w.fws.ledger().unscheduled, 4);
        assert_eq!(w.log.0.last().unwrap(), "0 4 unscheduled");
    }

    #[test]
    fn a_job_whose_last_row_comes_after_its_first_tasks_ended_stays_one_job() {
        let mut w = world(Default::default());
        let t = SimTime::from_us;
        w.arrive_at(row("j1", 2, 1.0), t(0), false);
        w.offer_agent("a1", 4.0);
        assert_eq!(w.launch_and_finish(t(10_000_000)), [0, 1]);
        assert!(w.ended().is_empty(), "rows of j1 are still to come");
        // The second row joins the job: its tasks are numbered after the first row's and keep
        // their own submit time.
        w.arrive_at(row("j1", 3, 1.0), t(100_000_000), true);
        assert_eq!(w.fws.pending_tasks(w.f), 3);
        let (_, &g) = w.fws.sides[w.f.idx()].pending.iter().next().unwrap();
        assert_eq!(w.fws.groups[g].submit, t(100_000_000));
        w.fws.take_deciding(w.f);
        w.offer_agent("a2", 4.0);
        assert_eq!(w.launch_and_finish(t(110_000_000)), [2, 3, 4]);
        assert_eq!(w.ended(), ["110 job j1 ended at 110"]);
        let job = w.fws.job_by_id.get("j1");
        assert!(job.is_none(), "an ended job is forgotten");
    }

    #[test]
    fn when_the_rows_run_out_a_job_not_known_to_be_over_ends_at_its_last_task_end() {
        let mut w = world(Default::default());
        w.arrive_at(row("j1", 1, 1.0), SimTime::ZERO, false);
        w.arrive_at(row("j2", 1, 1.0), SimTime::ZERO, false);
        w.offer_agent("a1", 1.0);
        assert_eq!(w.launch_and_finish(SimTime::from_us(10_000_000)), [0]);
        assert!(w.ended().is_empty());
        w.fws.rows_ended(SimTime::from_us(50_000_000), &mut w.log);
        // j1 is over (it ended at its task's end); j2 has a task pending, so it goes on.
        assert_eq!(w.ended(), ["50 job j1 ended at 10"]);
        w.fws.take_deciding(w.f);
        w.offer_agent("a2", 1.0);
        assert_eq!(w.launch_and_finish(SimTime::from_us(60_000_000)), [0]);
        assert_eq!(w.ended()[1], "60 job j2 ended at 60");
    }

    #[test]
    fn a_decision_launches_what_fits_and_answers_after_its_decision_time() {
        let mut w = world(FrameworkDefaults {
            decision: Some(SimDuration::from_secs(1)),
            decision_per_task: Some(SimDuration::from_us(500_000)),
            ..Default::default()
        });
        w.fws
            .arrive(
                row("j1", 6, 1.0),
                w.f,
                false,
                |_| None,
                SimTime::ZERO,
                &mut w.log,
            )
            .unwrap();
        assert!(w.offer_agent("a1", 4.0), "not deciding: it decides at once");
        w.decide();
        assert_eq!(
            w.fws.pending_tasks(w.f),
            2,
            "4 of 6 one-cpu tasks fit 4 cpus"
        );
        assert_eq!(w.fws.task_states(), (2, 4, 0));
        // 1 s + 4 x 0.5 s.
        let (t, ev) = w.ctx.pop_event().unwrap();
        assert_eq!(
            (t, ev),
            (SimTime::from_us(3_000_000), Event::Answer { fw: w.f })
        );
        let d = w.fws.take_deciding(w.f).unwrap();
        assert_eq!(d.decided.len(), 1);
        assert_eq!(d.decided[0].1.launch.len(), 4);
        assert!(d.rest.is_empty());
    }

    #[test]
    fn a_job_still_pending_after_max_attempts_decisions_is_abandoned() {
        let mut w = world(FrameworkDefaults {
            max_attempts: Some(2),
            ..Default::default()
        });
        w.fws
            .arrive(
                row("j1", 3, 1.0),
                w.f,
                false,
                |_| None,
                SimTime::ZERO,
                &mut w.log,
            )
            .unwrap();
        w.offer_agent("a1", 1.0);
        w.decide();
        assert_eq!(w.fws.pending_tasks(w.f), 2, "one decision, one attempt");
        assert!(
            !w.offer_agent("a2", 1.0),
            "deciding: the batch waits in the inbox"
        );
        // The first answer arrives (not applied here); the framework decides the next batch.
        w.fws.take_deciding(w.f).unwrap();
        w.decide();
        assert!(
            w.log.0.contains(&"0 job abandoned".to_string()),
            "{:?}",
            w.log.0
        );
        assert_eq!(w.fws.pending_tasks(w.f), 0);
        assert_eq!(w.fws.ledger().unscheduled, 1, "the third task is dropped");
    }

    #[test]
    fn a_decision_naming_a_task_that_is_not_pending_is_rejected() {
        struct Twice;
        impl Scheduler for Twice {
            fn name(&self) -> &str {
                "twice"
            }
            fn on_offer(&mut self, _o: &OfferView, work: &WorkView, out: &mut Decision) {
                let g = work.pending_groups().next().unwrap();
                for _ in 0..2 {
                    out.launch
                        .push(crate::scheduler::Launch { group: g, task: 0 });
                }
            }
        }
        let mut w = world(Default::default());
        w.fws.sides[w.f.idx()].scheduler = Box::new(Twice);
        w.fws
            .arrive(
                row("j1", 3, 1.0),
                w.f,
                false,
                |_| None,
                SimTime::ZERO,
                &mut w.log,
            )
            .unwrap();
        w.offer_agent("a1", 4.0);
        let e = w
            .fws
            .decide_next(w.f, &mut w.m, &w.tasks, &mut w.ctx, &mut w.log)
            .unwrap_err();
        assert!(
            e.to_string().contains("twice") && e.to_string().contains("not pending"),
            "{e}"
        );
    }
}
