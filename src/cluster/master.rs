//! The master: validates and applies allocators' grants as offers, keeps decline filters, answers
//! framework decisions, runs the task life cycle, and applies scripted control events. Every
//! change to an allocation is reported to the allocator (`notify`) and to the metrics.

use crate::allocator::{Change, View};
use crate::cluster::agent::{Agent, AgentId, Pools, RoleId};
use crate::cluster::framework::{Filter, Framework, FwRole};
use crate::cluster::resources::{MinAllocatable, Resources};
use crate::cluster::task::{Group, Job, Locality, Prefs, Task, TaskState};
use crate::error::{Error, Result};
use crate::scenario::{
    framework_config, EventRaw, FrameworkConfig, ResSpec, SchedulerKind, ScriptedEvent,
};
use crate::scheduler::{self, Decision, OfferView, WorkView};
use crate::sim::engine::{Executor, FwSide, Offer, Preallocated, World};
use crate::sim::event::Event;
use crate::sim::time::{secs_to_us, SimTime};
use crate::workload::TraceRow;
use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

/// Filters last at most a year, as in Mesos.
const MAX_FILTER_US: i64 = 365 * 24 * 3600 * 1_000_000;

/// Builds the allocator's view from disjoint fields, so the allocator itself can stay borrowed
/// mutably beside it.
macro_rules! view {
    ($w:expr) => {
        View {
            now: $w.now,
            seq: $w.cur_seq,
            agents: &$w.agents,
            frameworks: &$w.frameworks,
            roles: &$w.roles,
            min_allocatable: &$w.master.min_allocatable,
            total: $w.total,
            planned_frameworks: $w.fw_joins.len(),
            offer_mode: $w.master.offer_mode,
        }
    };
}

/// Takes `need` out of `from`, reservations of the role chain first, then unreserved.
pub fn draw(from: &mut Pools, need: &Resources, chain: &[RoleId]) -> Option<Pools> {
    let mut left = *need;
    let mut got = Pools::default();
    for &r in chain {
        if left.is_zero() {
            break;
        }
        let have = from.reserved_for(r);
        let take = have.min(&left);
        if !take.is_zero() {
            got.add_reserved(r, take);
            left -= take;
        }
    }
    if !from.unres.contains(&left) {
        return None;
    }
    got.unres = left;
    from.sub(&got);
    Some(got)
}

impl World {
    pub(crate) fn set_free_membership(&mut self, a: AgentId) {
        let ag = &self.agents[a as usize];
        if ag.active && !ag.free.is_empty() && !self.faults.is_disconnected(a) {
            self.free_agents.insert(a);
        } else {
            self.free_agents.remove(a);
        }
    }

    pub(crate) fn notify(&mut self, change: Change) {
        let v = view!(self);
        self.allocator.notify(&v, change);
    }

    fn note_share(&mut self, fw: u32, role: RoleId) {
        let f = &self.frameworks[fw as usize];
        let alloc = f
            .roles
            .iter()
            .find(|r| r.role == role)
            .map(|r| r.allocated)
            .unwrap_or(f.allocated);
        let share = alloc.dominant_share(&self.total);
        self.rec.share(
            self.now,
            &f.name,
            &self.roles[role as usize].name,
            &alloc,
            share,
        );
        self.rec.fairness_dirty = true;
    }

    // ------------------------------------------------------------------------------------------
    // Allocation runs and offers.
    // ------------------------------------------------------------------------------------------

    pub fn allocate_all(&mut self) -> Result<()> {
        self.candidates.clear();
        self.candidates.extend(self.free_agents.iter());
        self.run_allocation()
    }

    pub fn allocate_agent(&mut self, a: AgentId) -> Result<()> {
        // A down or disconnected agent gets no offers.
        if !self.agents[a as usize].active || self.faults.is_disconnected(a) {
            return Ok(());
        }
        self.candidates.clear();
        self.candidates.push(a);
        self.run_allocation()
    }

    fn run_allocation(&mut self) -> Result<()> {
        if self.candidates.is_empty() || self.frameworks.is_empty() {
            return Ok(());
        }
        let mut grants = std::mem::take(&mut self.grants);
        grants.clear();
        {
            let v = view!(self);
            self.allocator
                .allocate(&v, &self.candidates, &mut self.rng_shuffle, &mut grants);
        }
        // One batch per framework, frameworks in the order of their first grant.
        let mut batches: Vec<(u32, Vec<u64>)> = Vec::new();
        for g in &grants {
            let id = self.apply_grant(g)?;
            match batches.iter_mut().find(|(f, _)| *f == g.fw) {
                Some((_, v)) => v.push(id),
                None => batches.push((g.fw, vec![id])),
            }
        }
        self.grants = grants;
        let at = SimTime(self.now.0 + self.master.latency.0);
        for (fw, ids) in batches {
            let batch = self.batches.insert(ids) as u32;
            self.queue.push(at, Event::Offers { fw, batch });
        }
        Ok(())
    }

    /// Validates a grant and makes it an offer; returns the offer id.
    fn apply_grant(&mut self, g: &crate::allocator::Grant) -> Result<u64> {
        let who = self.allocator.name().to_string();
        let bad = |msg: String| Error::Decision {
            who: who.clone(),
            msg,
        };
        let f = self
            .frameworks
            .get(g.fw as usize)
            .ok_or_else(|| bad(format!("unknown framework {}", g.fw)))?;
        let ridx = f.role_index(g.role).ok_or_else(|| {
            bad(format!(
                "framework {} is not subscribed to role {}",
                f.name, g.role
            ))
        })?;
        if f.removed {
            return Err(bad(format!("offer to removed framework {}", f.name)));
        }
        let ag = self
            .agents
            .get(g.agent as usize)
            .ok_or_else(|| bad(format!("unknown agent {}", g.agent)))?;
        if !ag.active {
            return Err(bad(format!("offer on removed agent {}", ag.name)));
        }
        if g.pools.is_empty() {
            return Err(bad(format!("empty offer to {} on {}", f.name, ag.name)));
        }
        let usable = view!(self).usable_by(&ag.free, g.role);
        if !usable.contains(&g.pools) {
            return Err(bad(format!(
                "offer of {} on {} to {} exceeds what role {} may use there ({})",
                g.pools.total(),
                ag.name,
                f.name,
                self.roles[g.role as usize].name,
                usable.total()
            )));
        }
        let total = g.pools.total();
        self.agents[g.agent as usize].free.sub(&g.pools);
        self.set_free_membership(g.agent);
        let f = &mut self.frameworks[g.fw as usize];
        f.allocated += total;
        f.roles[ridx].allocated += total;
        f.outstanding_offers += 1;
        let id = self.next_offer;
        self.next_offer += 1;
        self.offers.insert(
            id,
            Offer {
                id,
                fw: g.fw,
                role: g.role,
                agent: g.agent,
                pools: g.pools.clone(),
                made: self.now,
                accepted: false,
            },
        );
        self.rec.offer_made(
            self.now,
            id,
            &self.frameworks[g.fw as usize].name,
            &self.roles[g.role as usize].name,
            &self.agents[g.agent as usize].name,
            &total,
        );
        self.note_share(g.fw, g.role);

        if self.master.offer_timeout.0 > 0 {
            self.queue.push(
                SimTime(self.now.0 + self.master.offer_timeout.0),
                Event::OfferTimeout { offer: id },
            );
        }
        Ok(id)
    }

    /// Returns resources held by (fw, role) on an agent; installs a filter when `refuse_s` > 0.
    pub fn recover(
        &mut self,
        fw: u32,
        role: RoleId,
        agent: AgentId,
        pools: &Pools,
        refuse_s: Option<f64>,
    ) {
        if pools.is_empty() {
            return;
        }
        let total = pools.total();
        {
            let f = &mut self.frameworks[fw as usize];
            f.allocated -= total;
            if let Some(ri) = f.role_index(role) {
                f.roles[ri].allocated -= total;
            }
        }
        if self.agents[agent as usize].active {
            self.agents[agent as usize].free.add(pools);
            self.set_free_membership(agent);
        }
        self.notify(Change::Recovered {
            fw,
            role,
            agent,
            pools,
        });
        self.note_share(fw, role);
        if let Some(r) = refuse_s {
            let f = &self.frameworks[fw as usize];
            if r > 0.0 && self.agents[agent as usize].active && !f.removed {
                let dur = secs_to_us(r)
                    .max(self.master.allocation_interval.0)
                    .min(MAX_FILTER_US);
                let expires = SimTime(self.now.0 + dur);
                let seq = self.queue.reserve_seq();
                let (now, cur) = (self.now, self.cur_seq);
                let v = self.frameworks[fw as usize]
                    .filters
                    .entry((role, agent))
                    .or_default();
                v.retain(|f| f.live(now, cur));
                v.push(Filter {
                    refused: pools.clone(),
                    expires,
                    seq,
                });
                self.filters_installed += 1;
            }
        }
    }

    /// Drops expired filters once enough have been installed since the last sweep, so memory
    /// follows the live filters (expiry itself is checked lazily and exactly).
    pub fn sweep_filters(&mut self) {
        if self.filters_installed < self.filters_live_after_sweep.max(4096) {
            return;
        }
        let (now, cur) = (self.now, self.cur_seq);
        let mut live = 0u64;
        for f in self.frameworks.iter_mut() {
            f.filters.retain(|_, v| {
                v.retain(|x| x.live(now, cur));
                live += v.len() as u64;
                !v.is_empty()
            });
        }
        self.filters_live_after_sweep = live;
        self.filters_installed = 0;
    }

    pub(crate) fn clear_filters(&mut self, fw: u32, roles: Option<&[RoleId]>) {
        let f = &mut self.frameworks[fw as usize];
        match roles {
            Some(rs) if !f.roles.iter().all(|r| rs.contains(&r.role)) => {
                f.filters.retain(|(r, _), _| !rs.contains(r))
            }
            _ => f.filters.clear(),
        }
    }

    fn clear_agent_filters(&mut self, agent: AgentId) {
        for f in self.frameworks.iter_mut() {
            f.filters.retain(|(_, a), _| *a != agent);
        }
    }

    /// Takes an outstanding offer back with no filter.
    pub fn rescind(&mut self, id: u64) -> Result<()> {
        let Some(o) = self.offers.remove(&id) else {
            return Ok(());
        };
        self.frameworks[o.fw as usize].outstanding_offers -= 1;
        self.recover(o.fw, o.role, o.agent, &o.pools, None);
        self.rec
            .offer_resolved(id, if o.accepted { "accepted" } else { "rescinded" });
        Ok(())
    }

    fn rescind_all(&mut self) -> Result<()> {
        let ids: Vec<u64> = self.offers.keys().copied().collect();
        for id in ids {
            self.rescind(id)?;
        }
        Ok(())
    }

    // ------------------------------------------------------------------------------------------
    // Frameworks deciding.
    // ------------------------------------------------------------------------------------------

    pub fn offers_arrive(&mut self, fw: u32, batch: u32) -> Result<()> {
        let ids = self.batches.remove(batch as usize);
        self.fw_side[fw as usize].inbox.push_back(ids);
        if self.fw_side[fw as usize].deciding.is_none() {
            self.decide_next(fw)?;
        }
        Ok(())
    }

    fn executor_needed(&self, fw: u32, agent: AgentId) -> Resources {
        let e = self.frameworks[fw as usize].cfg.executor;
        if e.is_zero() || self.executors.contains_key(&(fw, agent)) {
            Resources::ZERO
        } else {
            e
        }
    }

    /// Decides the next batch of offers in the framework's inbox: every offer of the batch in
    /// turn, in one decision that takes `decision_s + decision_per_task_s * launched` (holding
    /// offers takes no time).
    fn decide_next(&mut self, fw: u32) -> Result<()> {
        self.refresh_placement();
        while let Some(ids) = self.fw_side[fw as usize].inbox.pop_front() {
            let mut decided: Vec<(u64, Decision)> = Vec::new();
            for id in ids {
                if let Some(d) = self.decide_offer(fw, id)? {
                    decided.push((id, d));
                }
            }
            if decided.is_empty() {
                continue;
            }
            let launched: usize = decided.iter().map(|(_, d)| d.launch.len()).sum();
            let cfg = &self.frameworks[fw as usize].cfg;
            let busy = cfg.decision.0 + cfg.decision_per_task.0 * launched as i64;
            self.fw_side[fw as usize].busy_us += busy;
            self.fw_side[fw as usize].deciding = Some(decided);
            self.count_attempts(fw);
            self.queue.push(
                SimTime(self.now.0 + busy + self.master.latency.0),
                Event::Answer { fw },
            );
            return Ok(());
        }
        Ok(())
    }

    /// The scheduler's decision on one outstanding offer (None: held, or no longer outstanding).
    fn decide_offer(&mut self, fw: u32, id: u64) -> Result<Option<Decision>> {
        {
            let Some(o) = self.offers.get(&id) else {
                return Ok(None);
            };
            let offer = OfferView {
                id,
                agent: o.agent,
                rack: self.agents[o.agent as usize].rack,
                role: o.role,
                resources: o.pools.total(),
                executor: self.executor_needed(fw, o.agent),
            };
            let mut d = Decision::default();
            {
                let groups = &self.groups;
                let placement = &self.placement;
                let mut scratch = Vec::new();
                let loc = move |g: u32, t: u32, a: AgentId| -> Locality {
                    let grp = &groups[g as usize];
                    match &grp.prefs {
                        None => Locality::None,
                        Some(Prefs::Nodes(n)) => placement.locality(n, a),
                        Some(Prefs::Input(name)) => {
                            placement.replicas(name, grp.base + t, &mut scratch);
                            placement.locality(&scratch, a)
                        }
                    }
                };
                let loc_cell = std::cell::RefCell::new(loc);
                let loc_fn = |g: u32, t: u32, a: AgentId| (loc_cell.borrow_mut())(g, t, a);
                let min_alloc = self.frameworks[fw as usize].roles[0]
                    .min_allocatable
                    .as_ref()
                    .unwrap_or(&self.master.min_allocatable);
                let pref_fn = |g: u32, t: u32, out: &mut Vec<(AgentId, u32)>| {
                    let grp = &groups[g as usize];
                    placement.preferred(grp.prefs.as_ref(), grp.base + t, out);
                };
                let side = &mut self.fw_side[fw as usize];
                let work = WorkView {
                    now: self.now,
                    pending: &side.pending,
                    groups,
                    jobs: &self.jobs,
                    min_allocatable: min_alloc,
                    locality: &loc_fn,
                    preferred: &pref_fn,
                };
                side.scheduler.on_offer(&offer, &work, &mut d);
            }
            if d.hold {
                if !d.launch.is_empty() {
                    return Err(Error::Decision {
                        who: self.fw_side[fw as usize].scheduler.name().to_string(),
                        msg: "a held offer cannot also launch tasks".into(),
                    });
                }
                return Ok(None);
            }
            self.take_launched(fw, &offer, &d)?;
            Ok(Some(d))
        }
    }

    /// Validates a decision against the offer and takes its tasks out of the pending set.
    fn take_launched(&mut self, fw: u32, offer: &OfferView, d: &Decision) -> Result<()> {
        let who = self.fw_side[fw as usize].scheduler.name().to_string();
        let bad = |msg: String| Error::Decision {
            who: who.clone(),
            msg,
        };
        let mut need = offer.executor;
        let mut seen = std::collections::BTreeSet::new();
        for l in &d.launch {
            let g = self
                .groups
                .get(l.group as usize)
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
            let g = &mut self.groups[l.group as usize];
            g.inflight += 1;
            if let Some(p) = g.requeued.iter().position(|&t| t == l.task) {
                g.requeued.swap_remove(p);
            } else {
                // Skipping ahead leaves the skipped tasks pending.
                for t in g.next..l.task {
                    g.requeued.push(t);
                }
                g.next = l.task + 1;
            }
            if g.pending() == 0 {
                let seq = g.seq;
                self.fw_side[fw as usize].pending.remove(&seq);
            }
        }
        self.fw_side[fw as usize].pending_tasks -= d.launch.len() as u64;
        self.rec.fairness_dirty = true;
        Ok(())
    }

    /// A decision was made: every job of the framework with tasks still pending had a scheduling
    /// attempt, and one that has had `max_attempts` is abandoned (the Omega study gives up on a
    /// job after 1,000): its pending tasks are dropped (unscheduled); its running tasks go on.
    fn count_attempts(&mut self, fw: u32) {
        let Some(max) = self.frameworks[fw as usize].cfg.max_attempts else {
            return;
        };
        // (job, group) in job order, so that a job with several pending groups counts once.
        let mut pairs: Vec<(u32, u32)> = self.fw_side[fw as usize]
            .pending
            .values()
            .map(|&g| (self.groups[g as usize].job, g))
            .collect();
        pairs.sort_unstable();
        let mut i = 0;
        while i < pairs.len() {
            let job = pairs[i].0;
            let end = i + pairs[i..].iter().take_while(|p| p.0 == job).count();
            let j = &mut self.jobs[job as usize];
            j.attempts += 1;
            if j.attempts >= max {
                j.abandoned = true;
                self.rec.jobs_abandoned += 1;
                for &(_, group) in &pairs[i..end] {
                    let g = &mut self.groups[group as usize];
                    let dropped = g.pending();
                    g.requeued.clear();
                    g.next = g.count;
                    let seq = g.seq;
                    let side = &mut self.fw_side[fw as usize];
                    side.pending.remove(&seq);
                    side.pending_tasks -= dropped as u64;
                    self.rec.tasks_unscheduled += dropped as u64;
                    self.maybe_finish_job(group, job);
                }
                self.rec.fairness_dirty = true;
            }
            i = end;
        }
    }

    /// Puts tasks back to pending (their offer vanished, or they were lost); a task of an
    /// abandoned job is dropped instead. Returns whether it is pending again.
    fn requeue(&mut self, fw: u32, group: u32, task: u32) -> bool {
        if self.jobs[self.groups[group as usize].job as usize].abandoned {
            self.rec.tasks_unscheduled += 1;
            return false;
        }
        let g = &mut self.groups[group as usize];
        g.requeued.push(task);
        let seq = g.seq;
        self.fw_side[fw as usize].pending.insert(seq, group);
        self.fw_side[fw as usize].pending_tasks += 1;
        self.rec.fairness_dirty = true;
        true
    }

    pub fn answer(&mut self, fw: u32) -> Result<()> {
        let Some(decided) = self.fw_side[fw as usize].deciding.take() else {
            return Ok(());
        };
        for (id, d) in decided {
            for l in &d.launch {
                self.groups[l.group as usize].inflight -= 1;
            }
            match self.offers.remove(&id) {
                None => {
                    // Rescinded while the framework was deciding: the launches fail.
                    for l in &d.launch {
                        if !self.requeue(fw, l.group, l.task) {
                            let job = self.groups[l.group as usize].job;
                            self.maybe_finish_job(l.group, job);
                        }
                    }
                }
                Some(o) => self.apply_answer(fw, o, &d)?,
            }
        }
        self.maybe_suppress(fw);
        self.decide_next(fw)
    }

    /// Block placement follows the active agents; rebuilt once after agents joined or left.
    fn refresh_placement(&mut self) {
        if self.placement_dirty {
            self.placement.refresh(&self.agents);
            self.placement_dirty = false;
        }
    }

    fn apply_answer(&mut self, fw: u32, o: Offer, d: &Decision) -> Result<()> {
        self.refresh_placement();
        self.frameworks[fw as usize].outstanding_offers -= 1;
        let mut remaining = o.pools.clone();
        let chain = self.roles[o.role as usize].chain.clone();
        let latency = self.master.latency.0;
        for l in &d.launch {
            let mut start_delay = latency;
            let exec_cfg = self.frameworks[fw as usize].cfg.executor;
            if !exec_cfg.is_zero() {
                match self.executors.get_mut(&(fw, o.agent)) {
                    Some(e) => {
                        e.tasks += 1;
                        e.epoch += 1;
                    }
                    None => {
                        let pools = draw(&mut remaining, &exec_cfg, &chain).ok_or_else(|| {
                            Error::Decision {
                                who: "master".into(),
                                msg: "executor does not fit the offer".into(),
                            }
                        })?;
                        self.agents[o.agent as usize].used += exec_cfg;
                        self.rec.cluster_used += exec_cfg;
                        self.executors.insert(
                            (fw, o.agent),
                            Executor {
                                role: o.role,
                                pools,
                                tasks: 1,
                                epoch: 0,
                            },
                        );
                        start_delay += self.frameworks[fw as usize].cfg.executor_start.0;
                    }
                }
            }
            let g = &self.groups[l.group as usize];
            let shape = g.shape;
            let pools = draw(&mut remaining, &shape, &chain).ok_or_else(|| Error::Decision {
                who: "master".into(),
                msg: format!(
                    "task {shape} does not fit what is left of offer {id}",
                    id = o.id
                ),
            })?;
            let locality = self.task_locality(l.group, l.task, o.agent);
            let job = g.job;
            let duration_us = g.duration_us;
            let attempt = self.groups[l.group as usize].attempt_of(l.task);
            let task = Task {
                group: l.group,
                job,
                index: l.task,
                job_index: self.groups[l.group as usize].base + l.task,
                fw,
                role: o.role,
                agent: o.agent,
                pools,
                launched: self.now,
                start: None,
                duration_us,
                locality,
                state: TaskState::Staging,
                attempt,
                due: SimTime(self.now.0 + start_delay),
            };
            self.groups[l.group as usize].live += 1;
            self.jobs[job as usize].running += 1;
            self.fw_side[fw as usize].live_tasks += 1;
            self.agents[o.agent as usize].used += shape;
            self.rec.cluster_used += shape;
            self.rec.task_launched(locality);
            match locality {
                Locality::NodeLocal => self.jobs[job as usize].node_local += 1,
                Locality::RackLocal => self.jobs[job as usize].rack_local += 1,
                Locality::OffRack => self.jobs[job as usize].off_rack += 1,
                Locality::None => {}
            }
            self.fw_side[fw as usize]
                .scheduler
                .on_launch(job, locality, self.now);
            let tid = self.tasks.insert(task) as u32;
            if start_delay == 0 {
                self.task_start(tid);
            } else {
                self.queue.push(
                    SimTime(self.now.0 + start_delay),
                    Event::TaskStart { task: tid },
                );
            }
        }
        if !remaining.is_empty() {
            let refuse = d
                .refuse_s
                .or(self.frameworks[fw as usize].cfg.refuse_s)
                .unwrap_or(self.master.refuse_s);
            self.recover(fw, o.role, o.agent, &remaining, Some(refuse));
        }
        let outcome = if d.launch.is_empty() && !o.accepted {
            "declined"
        } else {
            "accepted"
        };
        self.rec.offer_resolved(o.id, outcome);
        self.last_progress = if d.launch.is_empty() {
            self.last_progress
        } else {
            self.now
        };
        Ok(())
    }

    fn task_locality(&self, group: u32, task: u32, agent: AgentId) -> Locality {
        let g = &self.groups[group as usize];
        match &g.prefs {
            None => Locality::None,
            Some(Prefs::Nodes(n)) => self.placement.locality(n, agent),
            Some(Prefs::Input(name)) => {
                let mut v = Vec::new();
                self.placement.replicas(name, g.base + task, &mut v);
                self.placement.locality(&v, agent)
            }
        }
    }

    fn maybe_suppress(&mut self, fw: u32) {
        let side = &self.fw_side[fw as usize];
        let f = &self.frameworks[fw as usize];
        if side.has_workload
            && f.cfg.suppress_when_idle
            && side.pending_tasks == 0
            && !side.self_suppressed
            && !f.removed
        {
            self.fw_side[fw as usize].self_suppressed = true;
            let roles: Vec<RoleId> = f.roles.iter().map(|r| r.role).collect();
            self.suppress(fw, &roles);
        }
    }

    fn suppress(&mut self, fw: u32, roles: &[RoleId]) {
        for &r in roles {
            if let Some(ri) = self.frameworks[fw as usize].role_index(r) {
                self.frameworks[fw as usize].roles[ri].suppressed = true;
                self.notify(Change::ActivityChanged { fw, role: r });
            }
        }
    }

    /// REVIVE: clears the roles' filters, un-suppresses them and runs an allocation.
    fn revive(&mut self, fw: u32, roles: &[RoleId]) -> Result<()> {
        self.clear_filters(fw, Some(roles));
        for &r in roles {
            if let Some(ri) = self.frameworks[fw as usize].role_index(r) {
                self.frameworks[fw as usize].roles[ri].suppressed = false;
                self.notify(Change::ActivityChanged { fw, role: r });
            }
        }
        self.allocate_all()
    }

    // ------------------------------------------------------------------------------------------
    // Task life cycle.
    // ------------------------------------------------------------------------------------------

    pub fn task_start(&mut self, tid: u32) {
        let Some(t) = self.tasks.get_mut(tid as usize) else {
            return;
        };
        if t.state != TaskState::Staging || t.due != self.now {
            return;
        }
        t.state = TaskState::Running;
        t.start = Some(self.now);
        let factor = match t.locality {
            Locality::RackLocal => self.scenario.locality.rack_slowdown,
            Locality::OffRack => self.scenario.locality.off_rack_slowdown,
            _ => 1.0,
        };
        let dur = if factor == 1.0 {
            t.duration_us
        } else {
            (t.duration_us as f64 * factor).round() as i64
        };
        t.due = SimTime(self.now.0 + dur);
        let job = &mut self.jobs[t.job as usize];
        if job.first_start.is_none() {
            job.first_start = Some(self.now);
        }
        self.queue
            .push(SimTime(self.now.0 + dur), Event::TaskEnd { task: tid });
    }

    pub fn task_end(&mut self, tid: u32) -> Result<()> {
        let current = self
            .tasks
            .get(tid as usize)
            .is_some_and(|t| t.state == TaskState::Running && t.due == self.now);
        if !current {
            return Ok(());
        }
        let t = self.tasks.remove(tid as usize);
        self.finish_task(t, TaskState::Finished)
    }

    /// Ends a task in `state` (finished, lost or killed), returns its resources and accounts for it.
    fn finish_task(&mut self, t: Task, state: TaskState) -> Result<()> {
        let shape = t.pools.total();
        if self.agents[t.agent as usize].active {
            self.agents[t.agent as usize].used -= shape;
        }
        self.rec.cluster_used -= shape;
        self.recover(t.fw, t.role, t.agent, &t.pools, None);
        self.release_executor_task(t.fw, t.agent);
        self.fw_side[t.fw as usize].live_tasks -= 1;
        self.groups[t.group as usize].live -= 1;
        self.jobs[t.job as usize].running -= 1;
        self.last_progress = self.now;
        {
            let job = &self.jobs[t.job as usize];
            let agent = &self.agents[t.agent as usize].name;
            let fw = &self.frameworks[t.fw as usize].name;
            self.rec
                .task_row(&job.id, job.submit, &t, agent, fw, self.now, state);
        }
        match state {
            TaskState::Finished => {
                self.jobs[t.job as usize].ended += 1;
            }
            TaskState::Lost | TaskState::Preempted => {
                // Frameworks resubmit lost and preempted tasks, as the next attempt.
                self.groups[t.group as usize].next_attempt(t.index, t.attempt);
                let fw = t.fw;
                if !self.frameworks[fw as usize].removed
                    && self.requeue(fw, t.group, t.index)
                    && self.fw_side[fw as usize].self_suppressed
                {
                    self.fw_side[fw as usize].self_suppressed = false;
                    let roles: Vec<RoleId> = self.frameworks[fw as usize]
                        .roles
                        .iter()
                        .map(|r| r.role)
                        .collect();
                    self.revive(fw, &roles)?;
                }
            }
            _ => {}
        }
        self.maybe_finish_job(t.group, t.job);
        Ok(())
    }

    fn maybe_finish_job(&mut self, group: u32, job: u32) {
        let g = &self.groups[group as usize];
        if g.pending() == 0
            && g.live == 0
            && g.inflight == 0
            && !self.fw_side[g.fw as usize].pending.contains_key(&g.seq)
        {
            let done_group = g.next == g.count;
            if done_group {
                self.groups.remove(group as usize);
                let j = &mut self.jobs[job as usize];
                j.groups_live -= 1;
            }
        }
        let j = &self.jobs[job as usize];
        if j.ended == j.tasks && j.groups_live == 0 {
            let j = self.jobs.remove(job as usize);
            self.job_by_id.remove(&j.id);
            self.rec
                .job_row(&j, &self.frameworks[j.fw as usize].name, Some(self.now));
            self.fw_side[j.fw as usize].scheduler.on_job_end(job);
        }
    }

    fn release_executor_task(&mut self, fw: u32, agent: AgentId) {
        let idle = self.master.executor_idle;
        let Some(e) = self.executors.get_mut(&(fw, agent)) else {
            return;
        };
        e.tasks -= 1;
        if e.tasks == 0 {
            e.epoch += 1;
            let epoch = e.epoch;
            if idle.0 == 0 {
                self.executor_idle(fw, agent, epoch);
            } else {
                self.queue.push(
                    SimTime(self.now.0 + idle.0),
                    Event::ExecutorIdle { fw, agent, epoch },
                );
            }
        }
    }

    pub fn executor_idle(&mut self, fw: u32, agent: AgentId, epoch: u64) {
        let Some(e) = self.executors.get(&(fw, agent)) else {
            return;
        };
        if e.tasks > 0 || e.epoch != epoch {
            return;
        }
        let e = self.executors.remove(&(fw, agent)).expect("present");
        let total = e.pools.total();
        if self.agents[agent as usize].active {
            self.agents[agent as usize].used -= total;
        }
        self.rec.cluster_used -= total;
        self.recover(fw, e.role, agent, &e.pools, None);
    }

    /// Strict-priority preemption: a top-level role that has had pending tasks without launching
    /// any for `preempt_after` gets the most recently launched tasks of the lowest-priority role
    /// below it killed (and resubmitted) until one of its pending tasks would fit in what they
    /// free. One preemption per waiting role per tick.
    pub fn preempt(&mut self) -> Result<()> {
        let Some(after) = self.policy.preempt_after else {
            return Ok(());
        };
        // Pending work and the first pending shape per top-level role.
        let mut waiting: BTreeMap<RoleId, Resources> = BTreeMap::new();
        for (i, f) in self.frameworks.iter().enumerate() {
            let side = &self.fw_side[i];
            if f.removed || side.pending_tasks == 0 {
                continue;
            }
            let top = self.roles[f.roles[0].role as usize].top;
            if let Some((_, &g)) = side.pending.iter().next() {
                waiting.entry(top).or_insert(self.groups[g as usize].shape);
            }
        }
        let tops: Vec<RoleId> = self.role_progress.keys().copied().collect();
        for r in tops {
            if !waiting.contains_key(&r) {
                self.role_progress.remove(&r);
            }
        }
        let mut order: Vec<(i64, RoleId, Resources)> = waiting
            .iter()
            .map(|(&r, &shape)| (self.roles[r as usize].priority, r, shape))
            .collect();
        order.sort_by_key(|&(p, r, _)| (std::cmp::Reverse(p), r));
        for (prio, r, need) in order {
            let since = *self.role_progress.entry(r).or_insert(self.now);
            if self.now.0 - since.0 < after.0 {
                continue;
            }
            // Victims: tasks of the lowest-priority role below r, latest launched first.
            let mut victims: Vec<(i64, SimTime, usize)> = self
                .tasks
                .iter()
                .map(|(k, t)| {
                    (
                        self.roles[self.roles[t.role as usize].top as usize].priority,
                        t.launched,
                        k,
                    )
                })
                .filter(|&(p, _, _)| p < prio)
                .collect();
            let Some(lowest) = victims.iter().map(|v| v.0).min() else {
                continue;
            };
            victims.retain(|v| v.0 == lowest);
            victims.sort_by_key(|&(_, launched, k)| {
                (std::cmp::Reverse(launched), std::cmp::Reverse(k))
            });
            let mut freed = Resources::ZERO;
            for (_, _, k) in victims {
                if freed.contains(&need) {
                    break;
                }
                let t = self.tasks.remove(k);
                freed += t.pools.total();
                self.rec.tasks_preempted += 1;
                self.finish_task(t, TaskState::Preempted)?;
            }
            self.role_progress.insert(r, self.now);
        }
        Ok(())
    }

    // ------------------------------------------------------------------------------------------
    // Workload arrival.
    // ------------------------------------------------------------------------------------------

    pub fn arrive(&mut self, row: TraceRow) -> Result<()> {
        let fw = match self.fw_by_name.get(&row.framework) {
            Some(&f) => f,
            None => self.add_workload_framework(&row.framework)?,
        };
        self.rec.tasks_submitted += row.tasks as u64;
        if self.frameworks[fw as usize].removed || !self.fw_side[fw as usize].has_workload {
            // Nobody will ever run these tasks.
            self.rec.tasks_unscheduled += row.tasks as u64;
            return Ok(());
        }
        let id: Arc<str> = Arc::from(row.job_id.as_str());
        let job = match self.job_by_id.get(&id) {
            Some(&j) if self.jobs[j as usize].abandoned => {
                // A later row of a job given up on: nobody will run it.
                self.rec.tasks_unscheduled += row.tasks as u64;
                return Ok(());
            }
            Some(&j) => j,
            None => {
                let seq = self.next_seq;
                self.next_seq += 1;
                let j = self.jobs.insert(Job {
                    id: id.clone(),
                    fw,
                    submit: row.submit,
                    first_start: None,
                    tasks: 0,
                    ended: 0,
                    running: 0,
                    node_local: 0,
                    rack_local: 0,
                    off_rack: 0,
                    seq,
                    groups_live: 0,
                    attempts: 0,
                    abandoned: false,
                }) as u32;
                self.job_by_id.insert(id, j);
                self.rec.jobs += 1;
                j
            }
        };
        let prefs = if let Some(nodes) = &row.preferred_nodes {
            let ids: Vec<AgentId> = nodes
                .iter()
                .filter_map(|n| self.agent_by_name.get(n).copied())
                .collect();
            (!ids.is_empty()).then(|| Prefs::Nodes(ids.into()))
        } else {
            row.input.as_deref().map(|i| Prefs::Input(Arc::from(i)))
        };
        let seq = self.next_seq;
        self.next_seq += 1;
        let base = self.jobs[job as usize].tasks;
        let Some(tasks) = base.checked_add(row.tasks) else {
            let file = match &self.scenario.workload {
                crate::scenario::WorkloadSource::Trace(p) => p.display().to_string(),
                _ => "workload".to_string(),
            };
            return Err(Error::input(
                file,
                row.line,
                "tasks",
                format!("job {} has more than {} tasks", row.job_id, u32::MAX),
            ));
        };
        self.jobs[job as usize].tasks = tasks;
        self.jobs[job as usize].groups_live += 1;
        let g = self.groups.insert(Group {
            job,
            fw,
            shape: row.shape,
            duration_us: row.duration_us,
            count: row.tasks,
            base,
            next: 0,
            requeued: Vec::new(),
            live: 0,
            inflight: 0,
            prefs,
            priority: row.priority,
            seq,
            attempts: Vec::new(),
        }) as u32;
        let side = &mut self.fw_side[fw as usize];
        side.pending.insert(seq, g);
        side.pending_tasks += row.tasks as u64;
        self.rec.fairness_dirty = true;
        if side.self_suppressed {
            side.self_suppressed = false;
            let roles: Vec<RoleId> = self.frameworks[fw as usize]
                .roles
                .iter()
                .map(|r| r.role)
                .collect();
            self.revive(fw, &roles)?;
        }
        Ok(())
    }

    // ------------------------------------------------------------------------------------------
    // Agents and frameworks joining and leaving.
    // ------------------------------------------------------------------------------------------

    #[allow(clippy::too_many_arguments)]
    pub fn add_agent(
        &mut self,
        name: &str,
        rack: Option<&str>,
        total: Resources,
        reserved: &[(String, Resources)],
        attributes: BTreeMap<String, String>,
        used: &[(u32, RoleId, Resources)],
    ) -> Result<AgentId> {
        let rack = self.rack_id(rack, name);
        let mut pools = Pools::unreserved(total);
        for (role, r) in reserved {
            let rid = self.ensure_role(role);
            pools.unres -= *r;
            pools.add_reserved(rid, *r);
            self.roles[rid as usize].reserved += *r;
        }
        let id = self.agents.len() as AgentId;
        self.agents.push(Agent::new(
            name.to_string(),
            rack,
            pools.clone(),
            attributes,
        ));
        self.agent_by_name.insert(name.to_string(), id);
        self.total += total;
        self.placement_dirty = true;
        self.notify(Change::AgentAdded {
            agent: id,
            total: &pools,
        });
        for &(fw, role, r) in used {
            let chain = self.roles[role as usize].chain.clone();
            let mut free = self.agents[id as usize].free.clone();
            let Some(p) = draw(&mut free, &r, &chain) else {
                continue;
            };
            self.agents[id as usize].free = free;
            self.agents[id as usize].used += r;
            self.rec.cluster_used += r;
            let f = &mut self.frameworks[fw as usize];
            f.allocated += r;
            if let Some(ri) = f.role_index(role) {
                f.roles[ri].allocated += r;
            }
            self.notify(Change::Allocated {
                fw,
                role,
                agent: id,
                pools: &p,
            });
            self.note_share(fw, role);
            self.preallocated.push(Preallocated {
                fw,
                role,
                agent: id,
                pools: p,
            });
        }
        self.set_free_membership(id);
        self.rec.fairness_dirty = true;
        self.fault_agent_joined(id);
        self.allocate_agent(id)?;
        Ok(id)
    }

    pub fn remove_agent(&mut self, a: AgentId) -> Result<()> {
        self.fault_agent_removed(a);
        if !self.agents[a as usize].active {
            return Ok(());
        }
        // Offers on it are rescinded, tasks lost, executors and preallocated resources gone.
        let offers: Vec<u64> = self
            .offers
            .values()
            .filter(|o| o.agent == a)
            .map(|o| o.id)
            .collect();
        self.agents[a as usize].active = false;
        self.free_agents.remove(a);
        for id in offers {
            self.rescind(id)?;
        }
        self.release_where(|_, ag| ag == a, TaskState::Lost)?;
        let total = self.agents[a as usize].total.clone();
        self.total -= total.total();
        for (r, amt) in &total.res {
            self.roles[*r as usize].reserved -= *amt;
        }
        self.agents[a as usize].used = Resources::ZERO;
        self.clear_agent_filters(a);
        self.notify(Change::AgentRemoved {
            agent: a,
            total: &total,
        });
        self.placement_dirty = true;
        self.agent_by_name
            .remove(&self.agents[a as usize].name.clone());
        self.rec.fairness_dirty = true;
        Ok(())
    }

    /// Ends the tasks (in `state`, counted as lost or killed) and returns the executors' and
    /// preallocated resources of every (framework, agent) pair that `hit` selects, in task and
    /// key order. Resources on an agent that is gone leave with it.
    fn release_where(
        &mut self,
        hit: impl Fn(u32, AgentId) -> bool,
        state: TaskState,
    ) -> Result<()> {
        let tasks: Vec<usize> = self
            .tasks
            .iter()
            .filter(|(_, t)| hit(t.fw, t.agent))
            .map(|(k, _)| k)
            .collect();
        for k in tasks {
            let t = self.tasks.remove(k);
            match state {
                TaskState::Lost => self.rec.tasks_lost += 1,
                TaskState::Killed => self.rec.tasks_killed += 1,
                _ => {}
            }
            self.finish_task(t, state)?;
        }
        let execs: Vec<(u32, AgentId)> = self
            .executors
            .keys()
            .copied()
            .filter(|&(f, a)| hit(f, a))
            .collect();
        let mut held: Vec<(u32, RoleId, AgentId, Pools)> = Vec::new();
        for k in execs {
            let e = self.executors.remove(&k).expect("present");
            held.push((k.0, e.role, k.1, e.pools));
        }
        let (pre, keep): (Vec<Preallocated>, Vec<Preallocated>) =
            std::mem::take(&mut self.preallocated)
                .into_iter()
                .partition(|p| hit(p.fw, p.agent));
        self.preallocated = keep;
        held.extend(pre.into_iter().map(|p| (p.fw, p.role, p.agent, p.pools)));
        for (fw, role, agent, pools) in held {
            if self.agents[agent as usize].active {
                self.agents[agent as usize].used -= pools.total();
            }
            self.rec.cluster_used -= pools.total();
            self.recover(fw, role, agent, &pools, None);
        }
        Ok(())
    }

    /// Subscribes a framework. It is offered resources at once unless every role is suppressed.
    pub fn add_framework(&mut self, cfg: FrameworkConfig, has_workload: bool) -> Result<u32> {
        let id = self.frameworks.len() as u32;
        let idle_suppress = has_workload && cfg.suppress_when_idle;
        let mut roles = Vec::new();
        for r in &cfg.roles {
            let rid = self.ensure_role(r);
            self.roles[rid as usize].frameworks += 1;
            roles.push(FwRole {
                role: rid,
                suppressed: idle_suppress || cfg.suppressed_roles.contains(r),
                min_allocatable: cfg.min_allocatable.clone(),
                allocated: Resources::ZERO,
            });
        }
        let scheduler = self
            .scheduler_factory
            .as_ref()
            .and_then(|f| f(&cfg))
            .unwrap_or_else(|| scheduler::build(&cfg));
        self.frameworks.push(Framework {
            name: cfg.name.clone(),
            gpu_capable: cfg.gpu_capable,
            cfg,
            roles,
            active: true,
            removed: false,
            filters: Default::default(),
            allocated: Resources::ZERO,
            outstanding_offers: 0,
        });
        self.fw_side.push(FwSide {
            scheduler,
            pending: BTreeMap::new(),
            pending_tasks: 0,
            live_tasks: 0,
            inbox: VecDeque::new(),
            deciding: None,
            has_workload,
            self_suppressed: idle_suppress,
            busy_us: 0,
        });
        self.fw_by_name
            .insert(self.frameworks[id as usize].name.clone(), id);
        self.rec.framework_added(&self.frameworks[id as usize].name);
        self.notify(Change::FrameworkAdded { fw: id });
        self.allocate_all()?;
        Ok(id)
    }

    pub fn add_workload_framework(&mut self, name: &str) -> Result<u32> {
        let own = self
            .scenario
            .frameworks
            .iter()
            .find(|f| f.name == name)
            .cloned();
        let cfg = framework_config(name, own.as_ref(), &self.policy);
        let has_workload = cfg.scheduler != SchedulerKind::Hold;
        self.add_framework(cfg, has_workload)
    }

    pub fn remove_framework(&mut self, fw: u32) -> Result<()> {
        if self.frameworks[fw as usize].removed {
            return Ok(());
        }
        let offers: Vec<u64> = self
            .offers
            .values()
            .filter(|o| o.fw == fw)
            .map(|o| o.id)
            .collect();
        for id in offers {
            self.rescind(id)?;
        }
        self.frameworks[fw as usize].removed = true;
        self.frameworks[fw as usize].active = false;
        self.release_where(|f, _| f == fw, TaskState::Killed)?;
        let side = &mut self.fw_side[fw as usize];
        self.rec.tasks_unscheduled += side.pending_tasks;
        side.pending.clear();
        side.pending_tasks = 0;
        side.inbox.clear();
        self.clear_filters(fw, None);
        for r in self.frameworks[fw as usize]
            .roles
            .iter()
            .map(|r| r.role)
            .collect::<Vec<_>>()
        {
            self.roles[r as usize].frameworks -= 1;
        }
        self.notify(Change::FrameworkRemoved { fw });
        self.rec.fairness_dirty = true;
        Ok(())
    }

    // ------------------------------------------------------------------------------------------
    // Scripted events (DESIGN §4.3).
    // ------------------------------------------------------------------------------------------

    pub(crate) fn script_err(&self, e: &ScriptedEvent, field: &str, msg: String) -> Error {
        Error::input(self.scenario.path.display().to_string(), e.line, field, msg)
    }

    pub(crate) fn fw_named(&self, e: &ScriptedEvent, name: &str) -> Result<u32> {
        match self.fw_by_name.get(name) {
            Some(&f) if !self.frameworks[f as usize].removed => Ok(f),
            _ => Err(self.script_err(
                e,
                "framework",
                format!("no subscribed framework named \"{name}\" at {} s", self.now),
            )),
        }
    }

    pub(crate) fn agent_named(&self, e: &ScriptedEvent, name: &str) -> Result<AgentId> {
        self.agent_by_name.get(name).copied().ok_or_else(|| {
            self.script_err(
                e,
                "agent",
                format!("no agent named \"{name}\" at {} s", self.now),
            )
        })
    }

    fn fw_roles(
        &mut self,
        e: &ScriptedEvent,
        fw: u32,
        roles: &Option<Vec<String>>,
    ) -> Result<Vec<RoleId>> {
        match roles {
            None => Ok(self.frameworks[fw as usize]
                .roles
                .iter()
                .map(|r| r.role)
                .collect()),
            Some(names) => {
                let mut out = Vec::new();
                for n in names {
                    let rid = self.role_by_name.get(n).copied();
                    match rid.filter(|r| self.frameworks[fw as usize].role_index(*r).is_some()) {
                        Some(r) => out.push(r),
                        None => {
                            return Err(self.script_err(
                                e,
                                "roles",
                                format!(
                                    "framework \"{}\" is not subscribed to role \"{n}\"",
                                    self.frameworks[fw as usize].name
                                ),
                            ))
                        }
                    }
                }
                Ok(out)
            }
        }
    }

    pub fn apply_script(&mut self, e: &ScriptedEvent) -> Result<()> {
        match &e.action {
            EventRaw::AddAgent {
                name,
                cpus,
                mem_mb,
                disk_mb,
                gpus,
                rack,
                attributes,
                reserved,
                used,
                ..
            } => {
                if self.agent_by_name.contains_key(name) {
                    return Err(self.script_err(
                        e,
                        "name",
                        format!("an agent named \"{name}\" is already registered"),
                    ));
                }
                let total = Resources::new(*cpus, *mem_mb, *disk_mb, *gpus);
                let res: Vec<(String, Resources)> = reserved
                    .iter()
                    .flat_map(|r| r.to_vec())
                    .map(|r| {
                        (
                            r.role.clone(),
                            Resources::new(r.cpus, r.mem_mb, r.disk_mb, r.gpus),
                        )
                    })
                    .collect();
                let mut u = Vec::new();
                for x in used.iter().flat_map(|u| u.to_vec()) {
                    let fw = self.fw_named(e, &x.framework)?;
                    let role = match self.role_by_name.get(&x.role).copied() {
                        Some(r) if self.frameworks[fw as usize].role_index(r).is_some() => r,
                        _ => {
                            return Err(self.script_err(
                                e,
                                "used.role",
                                format!(
                                    "framework \"{}\" is not subscribed to role \"{}\"",
                                    x.framework, x.role
                                ),
                            ))
                        }
                    };
                    u.push((
                        fw,
                        role,
                        Resources::new(x.cpus, x.mem_mb, x.disk_mb, x.gpus),
                    ));
                }
                self.add_agent(
                    name,
                    rack.as_deref(),
                    total,
                    &res,
                    attributes.clone().unwrap_or_default(),
                    &u,
                )?;
            }
            EventRaw::FailFramework { .. }
            | EventRaw::ReregisterFramework { .. }
            | EventRaw::DisconnectAgent { .. }
            | EventRaw::ReconnectAgent { .. } => self.apply_fault_script(e)?,
            EventRaw::RemoveAgent { agent, .. } => {
                let a = self.agent_named(e, agent)?;
                self.remove_agent(a)?;
            }
            EventRaw::UpdateAgent {
                agent, attributes, ..
            } => {
                let a = self.agent_named(e, agent)?;
                let new = attributes.clone().unwrap_or_default();
                if self.agents[a as usize].attributes != new {
                    self.agents[a as usize].attributes = new;
                    self.clear_agent_filters(a);
                    self.allocate_agent(a)?;
                }
            }
            EventRaw::AddFramework {
                name,
                roles,
                scheduler,
                capabilities,
                suppressed_roles,
                min_allocatable,
                ..
            } => {
                if self
                    .fw_by_name
                    .get(name)
                    .is_some_and(|&f| !self.frameworks[f as usize].removed)
                {
                    return Err(self.script_err(
                        e,
                        "name",
                        format!("a framework named \"{name}\" is already subscribed"),
                    ));
                }
                let own = self
                    .scenario
                    .frameworks
                    .iter()
                    .find(|f| &f.name == name)
                    .cloned();
                let mut cfg = framework_config(name, own.as_ref(), &self.policy);
                cfg.scheduler = scheduler
                    .as_deref()
                    .and_then(SchedulerKind::parse)
                    .unwrap_or(SchedulerKind::Hold);
                if let Some(r) = roles {
                    cfg.roles = r.clone();
                }
                if let Some(c) = capabilities {
                    cfg.gpu_capable = c.iter().any(|c| c == "gpu");
                }
                if let Some(s) = suppressed_roles {
                    cfg.suppressed_roles = s.clone();
                }
                if let Some(m) = min_allocatable {
                    cfg.min_allocatable = Some(MinAllocatable(
                        m.iter().map(ResSpec::to_resources).collect(),
                    ));
                }
                let has_workload = cfg.scheduler != SchedulerKind::Hold;
                self.add_framework(cfg, has_workload)?;
            }
            EventRaw::RemoveFramework { framework, .. } => {
                let fw = self.fw_named(e, framework)?;
                self.remove_framework(fw)?;
            }
            EventRaw::Suppress {
                framework, roles, ..
            } => {
                let fw = self.fw_named(e, framework)?;
                let rs = self.fw_roles(e, fw, roles)?;
                self.suppress(fw, &rs);
            }
            EventRaw::Revive {
                framework, roles, ..
            } => {
                let fw = self.fw_named(e, framework)?;
                let rs = self.fw_roles(e, fw, roles)?;
                self.fw_side[fw as usize].self_suppressed = false;
                self.revive(fw, &rs)?;
            }
            EventRaw::Decline {
                framework,
                agent,
                role,
                refuse_s,
                resources,
                ..
            } => {
                let fw = self.fw_named(e, framework)?;
                let agent = match agent {
                    Some(a) => Some(self.agent_named(e, a)?),
                    None => None,
                };
                let role = match role {
                    Some(r) => Some(self.role_by_name.get(r).copied().ok_or_else(|| {
                        self.script_err(e, "role", format!("no role named \"{r}\""))
                    })?),
                    None => None,
                };
                let refuse = refuse_s.unwrap_or(self.master.refuse_s);
                let ids: Vec<u64> = self
                    .offers
                    .values()
                    .filter(|o| {
                        o.fw == fw
                            && agent.is_none_or(|a| o.agent == a)
                            && role.is_none_or(|r| o.role == r)
                    })
                    .map(|o| o.id)
                    .collect();
                let part = match resources {
                    None => None,
                    Some(r) => {
                        let amt = Resources::new(r.cpus, r.mem_mb, r.disk_mb, r.gpus);
                        let mut p = Pools::default();
                        match &r.reserved_for {
                            Some(rr) => {
                                let rid = self.role_by_name.get(rr).copied().ok_or_else(|| {
                                    self.script_err(
                                        e,
                                        "resources.reserved_for",
                                        format!("no role named \"{rr}\""),
                                    )
                                })?;
                                p.add_reserved(rid, amt);
                            }
                            None => p.unres = amt,
                        }
                        Some(p)
                    }
                };
                match part {
                    // The whole of every matching offer.
                    None => {
                        for id in ids {
                            self.decline_offer(e, id, None, refuse)?;
                        }
                    }
                    // A part: from the first matching offer (oldest first) that holds it.
                    Some(_) if ids.is_empty() => {}
                    Some(p) => {
                        let Some(id) = ids
                            .iter()
                            .copied()
                            .find(|id| self.offers[id].pools.contains(&p))
                        else {
                            return Err(self.script_err(
                                e,
                                "resources",
                                format!(
                                    "no outstanding offer of \"{framework}\" matching the event holds the declined {}",
                                    p.total()
                                ),
                            ));
                        };
                        self.decline_offer(e, id, Some(p), refuse)?;
                    }
                }
            }
            EventRaw::SetWeight { role, weight, .. } => {
                let r = self.ensure_role(role);
                self.roles[r as usize].weight = *weight;
                self.notify(Change::WeightChanged { role: r });
                self.rec.fairness_dirty = true;
                // Mesos rescinds every outstanding offer when a known role's weight changes.
                if self.roles[r as usize].frameworks > 0 {
                    self.rescind_all()?;
                }
            }
            EventRaw::SetQuota {
                role,
                guarantees,
                limits,
                ..
            } => {
                let r = self.ensure_role(role);
                if self.roles[r as usize].parent.is_some() {
                    return Err(self.script_err(
                        e,
                        "role",
                        "quota can only be set on top-level roles, as in Mesos".into(),
                    ));
                }
                let g = guarantees
                    .as_ref()
                    .map(ResSpec::to_resources)
                    .unwrap_or_default();
                self.roles[r as usize].guarantees = g;
                self.roles[r as usize].limits = match limits {
                    None => crate::allocator::Limits::NONE,
                    Some(l) => l.to_limits(),
                };
                self.notify(Change::QuotaChanged { role: r });
            }
            EventRaw::SetMinAllocatable {
                framework,
                role,
                min_allocatable,
                ..
            } => {
                let fw = self.fw_named(e, framework)?;
                let roles = role.clone().map(|r| vec![r]);
                let rs = self.fw_roles(e, fw, &roles)?;
                let m = MinAllocatable(min_allocatable.iter().map(ResSpec::to_resources).collect());
                for r in rs {
                    if let Some(ri) = self.frameworks[fw as usize].role_index(r) {
                        self.frameworks[fw as usize].roles[ri].min_allocatable = Some(m.clone());
                    }
                }
            }
        }
        Ok(())
    }

    fn decline_offer(
        &mut self,
        e: &ScriptedEvent,
        id: u64,
        part: Option<Pools>,
        refuse_s: f64,
    ) -> Result<()> {
        let Some(o) = self.offers.get(&id) else {
            return Ok(());
        };
        let (fw, role, agent) = (o.fw, o.role, o.agent);
        let give = match part {
            None => o.pools.clone(),
            Some(p) => {
                if !o.pools.contains(&p) {
                    return Err(self.script_err(
                        e,
                        "resources",
                        format!(
                            "offer {id} holds {}, which does not contain the declined {}",
                            o.pools.total(),
                            p.total()
                        ),
                    ));
                }
                p
            }
        };
        let o = self.offers.get_mut(&id).expect("present");
        o.pools.sub(&give);
        let emptied = o.pools.is_empty();
        let accepted = o.accepted;
        if emptied {
            self.offers.remove(&id);
            self.frameworks[fw as usize].outstanding_offers -= 1;
            self.rec
                .offer_resolved(id, if accepted { "accepted" } else { "declined" });
        }
        self.recover(fw, role, agent, &give, Some(refuse_s));
        Ok(())
    }
}
