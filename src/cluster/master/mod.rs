//! The master: it owns the agents, the roles, its records of the frameworks, the outstanding
//! offers and the decline filters. It calls the allocator, validates its grants and turns them
//! into offers; it takes resources back (declines, rescinds, task ends) and installs filters.
//! Every change to an allocation is reported to the allocator (`notify`) and to the observer.
//!
//! - `agents.rs`: agents joining and leaving, racks, the free set.
//! - `roles.rs`: the role table.
//! - `offers.rs`: the offer table, batches, rescinds, declines and filters.
//! - `whitelist.rs`: the agent whitelist (which agents a run may offer).
//! - `update.rs`: agent updates (new totals, what an agent owes, capabilities).
//! - `maintenance.rs`: maintenance windows and inverse offers.
//!
//! The master never touches tasks or pending work: the dispatcher (`cluster/mod.rs`) asks the
//! task life cycle and the framework side for what they own.

/// Builds the allocator's view from disjoint fields, so the allocator itself can stay borrowed
/// mutably beside it.
macro_rules! view {
    ($m:expr, $now:expr, $seq:expr) => {
        crate::allocator::View {
            now: $now,
            seq: $seq,
            agents: &$m.agents,
            frameworks: &$m.frameworks,
            roles: &$m.roles,
            min_allocatable: &$m.cfg.min_allocatable,
            total: $m.total,
            planned_frameworks: $m.planned_frameworks,
            offer_mode: $m.cfg.offer_mode,
            // Once agents have revocable resources, the free index and the filter index (which
            // know only what a role may use, not what each framework may be offered) are not
            // consulted: every run takes the exact per-agent path (mesos-semantics.md §17).
            free: if $m.revocable { None } else { Some(&$m.free) },
            blocked_exact: !$m.revocable && $m.offers.blocked_exact($now, $seq),
            revocable: $m.revocable,
        }
    };
}

mod agents;
mod free;
mod maintenance;
mod offers;
mod reserve;
mod roles;
mod update;
mod whitelist;

pub(crate) use agents::Preallocated;
pub(crate) use free::FreeIndex;
pub(crate) use offers::{BulkKey, DeclineGroup, Offer, OfferRef, Segment};

use super::agent::{Agent, AgentId, Pools, RoleId};
use super::event::Event;
use super::framework::{Framework, FwRole};
use super::ids::{FrameworkId, OfferId, RackId};
use super::resources::{MinAllocatable, Resources};
use super::role::RoleInfo;
use crate::allocator::{Allocator, Change, Grant, PreemptView, Run, RunGrant};
use crate::error::{Error, Result};
use crate::metrics::observe::{Observation, Observer};
use crate::scenario::{FrameworkConfig, MasterConfig, RoleConfig};
use crate::sim::bitset::BitSet;
use crate::sim::engine::Ctx;
use crate::sim::rng::{indexed_stream, Purpose};
use crate::sim::{SimDuration, SimTime};
use std::collections::BTreeMap;

pub(crate) struct Master {
    cfg: MasterConfig,
    agents: Vec<Agent>,
    agent_by_name: BTreeMap<String, AgentId>,
    racks: Vec<String>,
    rack_by_name: BTreeMap<String, RackId>,
    /// Sum of active agents' totals.
    total: Resources,
    /// Active, connected agents with free resources not offered: the candidates of a periodic
    /// run, with what they hold.
    free: free::FreeIndex,
    /// Every offer is reported to the observer (offers.csv is written).
    offer_rows: bool,

    roles: Vec<RoleInfo>,
    role_by_name: BTreeMap<String, RoleId>,
    /// Weights, priorities and quota of the roles the scenario configures.
    role_cfg: BTreeMap<String, RoleConfig>,

    frameworks: Vec<Framework>,
    fw_by_name: BTreeMap<String, FrameworkId>,
    /// Frameworks the scenario names up front (listed or in the trace).
    planned_frameworks: usize,

    allocator: Box<dyn Allocator>,
    /// The run's seed: every allocation run draws from streams of its own, keyed by its number.
    seed: u64,
    /// Allocation runs so far.
    runs: u64,
    grants: Vec<RunGrant>,
    /// Scratch: the candidates of the run being made.
    candidates: BitSet,

    offers: offers::Offers,
    /// Bumped whenever an input of the fairness metrics that the master owns changes
    /// (allocations, totals, weights, subscriptions).
    version: u64,
    /// Names of the agents that may be offered (None: all), `[master] whitelist` then
    /// `update_whitelist` events.
    whitelist: Option<std::collections::BTreeSet<String>>,
    /// Maintenance windows (`schedule_maintenance` events) and their inverse offers.
    maintenance: maintenance::Maintenance,
    /// Some agent has had revocable resources (sticky: the exact paths stay chosen, so a run
    /// never depends on when revocable resources went away).
    revocable: bool,
}

impl Master {
    pub fn new(
        cfg: MasterConfig,
        role_cfg: BTreeMap<String, RoleConfig>,
        allocator: Box<dyn Allocator>,
        seed: u64,
        planned_frameworks: usize,
    ) -> Master {
        let mut allocator = allocator;
        allocator.set_fairness_exclusion(cfg.fair_exclusion);
        let whitelist = cfg.whitelist.as_ref().map(|w| w.iter().cloned().collect());
        let mut m = Master {
            whitelist,
            maintenance: maintenance::Maintenance::default(),
            cfg,
            agents: Vec::new(),
            agent_by_name: BTreeMap::new(),
            racks: Vec::new(),
            rack_by_name: BTreeMap::new(),
            total: Resources::ZERO,
            free: free::FreeIndex::default(),
            offer_rows: false,
            roles: Vec::new(),
            role_by_name: BTreeMap::new(),
            role_cfg,
            frameworks: Vec::new(),
            fw_by_name: BTreeMap::new(),
            planned_frameworks,
            allocator,
            seed,
            runs: 0,
            grants: Vec::new(),
            candidates: BitSet::default(),
            offers: offers::Offers::default(),
            version: 0,
            revocable: false,
        };
        // Roles named in the scenario exist from the start (weights, quota).
        let names: Vec<String> = m.role_cfg.keys().cloned().collect();
        for name in names {
            m.ensure_role(&name);
        }
        m
    }

    // ------------------------------------------------------------------------------------------
    // Reading.
    // ------------------------------------------------------------------------------------------

    pub fn cfg(&self) -> &MasterConfig {
        &self.cfg
    }
    pub fn agents(&self) -> &[Agent] {
        &self.agents
    }
    pub fn agent(&self, a: AgentId) -> &Agent {
        &self.agents[a.idx()]
    }
    pub fn agent_named(&self, name: &str) -> Option<AgentId> {
        self.agent_by_name.get(name).copied()
    }
    pub fn frameworks(&self) -> &[Framework] {
        &self.frameworks
    }
    pub fn framework(&self, fw: FrameworkId) -> &Framework {
        &self.frameworks[fw.idx()]
    }
    pub fn framework_named(&self, name: &str) -> Option<FrameworkId> {
        self.fw_by_name.get(name).copied()
    }
    pub fn role(&self, r: RoleId) -> &RoleInfo {
        &self.roles[r.idx()]
    }
    pub fn role_named(&self, name: &str) -> Option<RoleId> {
        self.role_by_name.get(name).copied()
    }
    pub fn total(&self) -> &Resources {
        &self.total
    }
    /// The total that shares are computed against: `total` without the resources of
    /// `fair_sharing_excluded_resource_names`, so shares.csv and the fairness metrics agree with
    /// the DRF sorters.
    pub fn share_total(&self) -> Resources {
        self.cfg.fair_exclusion.share_total(&self.total)
    }
    pub fn free_agents(&self) -> &BitSet {
        self.free.set()
    }

    /// Raw access for the invariant tests' deliberate bugs (`cluster::sabotage`): nothing
    /// outside tests may bypass the master's bookkeeping.
    #[cfg(test)]
    pub(crate) fn agents_mut_for_tests(&mut self) -> &mut [Agent] {
        // The caller may change any agent's free resources behind the master's back.
        for a in 0..self.agents.len() {
            self.offers.note_changed(AgentId::new(a as u32));
        }
        &mut self.agents
    }
    #[cfg(test)]
    pub(crate) fn frameworks_mut_for_tests(&mut self) -> &mut [Framework] {
        &mut self.frameworks
    }
    /// Drops an agent from the free set without changing what it holds (a stale index).
    #[cfg(test)]
    pub(crate) fn forget_free_for_tests(&mut self, a: AgentId) {
        let free = self.agents[a.idx()].free.clone();
        self.free.refresh(a, false, &free, false);
    }

    /// Agents offered whole in bulk (their free resources are what they offer).
    pub fn held_agents(&self) -> &BitSet {
        self.offers.held()
    }

    /// Reports every offer to the observer one by one (offer rows are written).
    pub fn report_offer_rows(&mut self, on: bool) {
        self.offer_rows = on;
    }
    /// Allocation runs so far (a run that found nothing to do counts too).
    pub fn runs(&self) -> u64 {
        self.runs
    }
    pub fn allocator(&self) -> &dyn Allocator {
        self.allocator.as_ref()
    }
    pub fn version(&self) -> u64 {
        self.version
    }
    pub fn offers(&self) -> impl Iterator<Item = &Offer> + '_ {
        self.offers.iter()
    }
    pub fn offer(&self, id: OfferId) -> Option<&Offer> {
        self.offers.get(id)
    }

    /// The min_allocatable a framework's scheduler compares offer remainders against: its
    /// first role's own, or the master's.
    pub fn min_allocatable_of(&self, fw: FrameworkId) -> &MinAllocatable {
        self.frameworks[fw.idx()].roles[0]
            .min_allocatable
            .as_ref()
            .unwrap_or(&self.cfg.min_allocatable)
    }

    /// The roles of a framework, in subscription order.
    pub fn fw_roles(&self, fw: FrameworkId) -> Vec<RoleId> {
        self.frameworks[fw.idx()]
            .roles
            .iter()
            .map(|r| r.role)
            .collect()
    }

    // ------------------------------------------------------------------------------------------
    // Bookkeeping shared by the submodules.
    // ------------------------------------------------------------------------------------------

    fn set_free_membership(&mut self, a: AgentId) {
        // Its free resources (or whether it is up) may have changed: its filters are rechecked.
        self.offers.note_changed(a);
        let ag = &self.agents[a.idx()];
        let held = self.offers.held().contains(a.raw());
        let member = ag.active && !ag.free.is_empty() && !ag.disconnected && !held;
        let allocatable = self.cfg.min_allocatable.allows(&ag.free.total());
        self.free.refresh(a, member, &ag.free, allocatable);
    }

    fn notify(&mut self, now: SimTime, seq: u64, change: Change) {
        let v = view!(self, now, seq);
        self.allocator.notify(&v, change);
    }

    /// Reports a framework's allocation in a role to the observer.
    fn note_share(&mut self, now: SimTime, fw: FrameworkId, role: RoleId, obs: &mut dyn Observer) {
        let f = &self.frameworks[fw.idx()];
        let alloc = f
            .roles
            .iter()
            .find(|r| r.role == role)
            .map(|r| r.allocated)
            .unwrap_or(f.allocated);
        let share = alloc.dominant_share(&self.share_total());
        obs.observe(
            now,
            Observation::Share {
                framework: &f.name,
                role: &self.roles[role.idx()].name,
                allocated: &alloc,
                share,
            },
        );
        self.version += 1;
    }

    fn add_allocation(&mut self, fw: FrameworkId, ridx: Option<usize>, r: Resources) {
        let f = &mut self.frameworks[fw.idx()];
        f.allocated += r;
        if let Some(i) = ridx {
            f.roles[i].allocated += r;
        }
    }

    // ------------------------------------------------------------------------------------------
    // Allocation runs.
    // ------------------------------------------------------------------------------------------

    /// A run over every agent with free resources (a tick, a revive, a subscription).
    pub fn allocate_all(&mut self, ctx: &mut Ctx<Event>, obs: &mut dyn Observer) -> Result<()> {
        // Nobody wants offers: nothing to do, whatever the size of the cluster (the run still
        // counts: runs are numbered, and number their random streams, whatever they find).
        if !self
            .frameworks
            .iter()
            .any(|f| f.active && !f.removed && f.roles.iter().any(|r| !r.suppressed))
        {
            if !self.free.set().is_empty() && !self.frameworks.is_empty() {
                self.runs += 1;
            }
            return Ok(());
        }
        let mut candidates = std::mem::take(&mut self.candidates);
        candidates.copy_from(self.free.set());
        self.keep_whitelisted(&mut candidates);
        let r = self.run_allocation(&candidates, ctx, obs);
        self.candidates = candidates;
        r
    }

    /// A run for one agent (it joined, or its attributes changed).
    pub fn allocate_agent(
        &mut self,
        a: AgentId,
        ctx: &mut Ctx<Event>,
        obs: &mut dyn Observer,
    ) -> Result<()> {
        // A down, disconnected or fully held agent gets no offers.
        if !self.free.set().contains(a.raw()) || !self.whitelisted(a) {
            return Ok(());
        }
        self.run_allocation(&BitSet::single(a.raw()), ctx, obs)
    }

    fn run_allocation(
        &mut self,
        candidates: &BitSet,
        ctx: &mut Ctx<Event>,
        obs: &mut dyn Observer,
    ) -> Result<()> {
        if candidates.is_empty() || self.frameworks.is_empty() {
            return Ok(());
        }
        self.runs += 1;
        self.refresh_blocked(ctx.now(), ctx.seq());
        let first = self.offers.next_id();
        let mut grants = std::mem::take(&mut self.grants);
        grants.clear();
        {
            let v = view!(self, ctx.now(), ctx.seq());
            let mut shuffle_rng = indexed_stream(self.seed, Purpose::AgentShuffle, self.runs);
            let mut other_rng = indexed_stream(self.seed, Purpose::RandomSorter, self.runs);
            let mut run = Run {
                candidates,
                shuffle_rng: &mut shuffle_rng,
                other_rng: &mut other_rng,
                out: &mut grants,
            };
            self.allocator.allocate(&v, &mut run);
        }
        // One batch per framework, frameworks in the order of their first grant.
        let mut batches: Vec<(FrameworkId, Vec<Segment>)> = Vec::new();
        let mut bulk_granted = BitSet::default();
        for (k, g) in grants.iter().enumerate() {
            match g {
                RunGrant::One(g) => {
                    if bulk_granted.contains(g.agent.raw()) {
                        return Err(Error::Decision {
                            who: self.allocator.name().to_string(),
                            msg: format!("agent {} was granted in bulk already", g.agent),
                        });
                    }
                    let id = self.apply_grant(g, ctx, obs)?;
                    let batch = Self::batch_of(&mut batches, g.fw);
                    match batch.last_mut() {
                        Some(Segment::Ones(ids)) => ids.push(id),
                        _ => batch.push(Segment::Ones(vec![id])),
                    }
                }
                RunGrant::All { fw, role, agents } => {
                    if self.revocable {
                        // A bulk offer holds whole agents through the free index, which knows
                        // nothing of what each framework may be offered.
                        return Err(Error::Decision {
                            who: self.allocator.name().to_string(),
                            msg: "bulk grants are not allowed once agents have revocable \
                                  resources; grant agent by agent"
                                .to_string(),
                        });
                    }
                    self.check_bulk(*fw, *role, agents, candidates, &bulk_granted)?;
                    bulk_granted.union_with(agents);
                    let agents = agents.clone();
                    let rng = indexed_stream(
                        self.seed,
                        Purpose::OfferOrder,
                        self.runs.wrapping_mul(1 << 20).wrapping_add(k as u64),
                    );
                    let seg = self.grant_bulk(*fw, *role, agents, rng, ctx, obs);
                    Self::batch_of(&mut batches, *fw).push(seg);
                }
            }
        }
        self.grants = grants;
        let last = self.offers.next_id();
        if !self.cfg.offer_timeout.is_zero() && last > first {
            ctx.after(
                self.cfg.offer_timeout,
                Event::OfferTimeout {
                    from: first,
                    to: OfferId(last.0 - 1),
                },
            );
        }
        for (fw, ids) in batches {
            let batch = self.offers.new_batch(ids);
            ctx.after(self.cfg.latency, Event::Offers { fw, batch });
        }
        Ok(())
    }

    fn batch_of(
        batches: &mut Vec<(FrameworkId, Vec<Segment>)>,
        fw: FrameworkId,
    ) -> &mut Vec<Segment> {
        let i = match batches.iter().position(|(f, _)| *f == fw) {
            Some(i) => i,
            None => {
                batches.push((fw, Vec::new()));
                batches.len() - 1
            }
        };
        &mut batches[i].1
    }

    /// A bulk grant names candidates of the run only, each once, for a subscribed role.
    fn check_bulk(
        &self,
        fw: FrameworkId,
        role: RoleId,
        agents: &BitSet,
        candidates: &BitSet,
        granted: &BitSet,
    ) -> Result<()> {
        let bad = |msg: String| Error::Decision {
            who: self.allocator.name().to_string(),
            msg,
        };
        let f = self
            .frameworks
            .get(fw.idx())
            .ok_or_else(|| bad(format!("unknown framework {fw}")))?;
        if f.removed || f.role_index(role).is_none() {
            return Err(bad(format!(
                "bulk grant to {} under a role it is not subscribed to, or after it left",
                f.name
            )));
        }
        if !agents.is_subset(candidates) {
            return Err(bad(format!(
                "bulk grant to {} names agents that are not candidates of the run",
                f.name
            )));
        }
        if agents.intersects(granted) {
            return Err(bad(format!(
                "bulk grant to {} names agents already granted in bulk this run",
                f.name
            )));
        }
        // Agents with reservations must leave the role something to use.
        if self.free.reserved().is_empty() {
            return Ok(());
        }
        let v = view!(self, SimTime::ZERO, 0);
        for a in agents.and(self.free.reserved()).iter() {
            if v.usable_by(&self.agents[a as usize].free, role).is_empty() {
                return Err(bad(format!(
                    "bulk grant to {} of agent {}, which has nothing role {} may use",
                    f.name,
                    self.agents[a as usize].name,
                    self.roles[role.idx()].name
                )));
            }
        }
        Ok(())
    }

    /// Validates a grant and makes it an offer; returns the offer id.
    fn apply_grant(
        &mut self,
        g: &Grant,
        ctx: &mut Ctx<Event>,
        obs: &mut dyn Observer,
    ) -> Result<OfferId> {
        let who = self.allocator.name().to_string();
        let bad = |msg: String| Error::Decision {
            who: who.clone(),
            msg,
        };
        let f = self
            .frameworks
            .get(g.fw.idx())
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
            .get(g.agent.idx())
            .ok_or_else(|| bad(format!("unknown agent {}", g.agent)))?;
        if !ag.active {
            return Err(bad(format!("offer on removed agent {}", ag.name)));
        }
        if g.pools.is_empty() {
            return Err(bad(format!("empty offer to {} on {}", f.name, ag.name)));
        }
        if !g.pools.rev.is_zero() && !f.revocable {
            return Err(bad(format!(
                "offer of revocable {} on {} to {}, which lacks the revocable_resources capability",
                g.pools.rev, ag.name, f.name
            )));
        }
        let usable = view!(self, ctx.now(), ctx.seq()).usable_by(&ag.free, g.role);
        if !usable.contains(&g.pools) {
            return Err(bad(format!(
                "offer of {} on {} to {} exceeds what role {} may use there ({})",
                g.pools.total(),
                ag.name,
                f.name,
                self.roles[g.role.idx()].name,
                usable.total()
            )));
        }
        if self.offers.held().contains(g.agent.raw()) {
            return Err(bad(format!(
                "offer on {}, which is offered whole already",
                ag.name
            )));
        }
        let total = g.pools.total();
        let regular = g.pools.regular();
        self.touch(g.agent);
        self.agents[g.agent.idx()].free.sub(&g.pools);
        self.set_free_membership(g.agent);
        self.add_allocation(g.fw, Some(ridx), total);
        self.frameworks[g.fw.idx()].outstanding_offers += 1;
        let now = ctx.now();
        let id = self.offers.insert(g.fw, g.role, g.agent, g.pools.clone());
        obs.observe(
            now,
            Observation::OfferMade {
                id,
                framework: &self.frameworks[g.fw.idx()].name,
                role: &self.roles[g.role.idx()].name,
                agent: &self.agents[g.agent.idx()].name,
                resources: &regular,
                revocable: &g.pools.rev,
            },
        );
        self.note_share(now, g.fw, g.role, obs);
        Ok(id)
    }

    /// Asks the allocator which tasks to preempt before a periodic run.
    pub fn preempt(
        &mut self,
        ctx: &Ctx<Event>,
        work: &super::frameworks::FrameworkSide,
        tasks: &super::tasks::TaskLife,
    ) -> Vec<super::ids::TaskKey> {
        let mut out = Vec::new();
        self.refresh_blocked(ctx.now(), ctx.seq());
        let pv = PreemptView {
            base: view!(self, ctx.now(), ctx.seq()),
            work,
            tasks,
        };
        self.allocator.preempt(&pv, &mut out);
        out
    }

    /// The allocator's name, for errors about its decisions.
    pub fn allocator_name(&self) -> &str {
        self.allocator.name()
    }

    // ------------------------------------------------------------------------------------------
    // Taking resources back.
    // ------------------------------------------------------------------------------------------

    /// Returns resources held by (fw, role) on an agent; installs a filter when `refuse` is
    /// given and positive.
    #[allow(clippy::too_many_arguments)]
    pub fn recover(
        &mut self,
        fw: FrameworkId,
        role: RoleId,
        agent: AgentId,
        pools: &Pools,
        refuse: Option<SimDuration>,
        ctx: &mut Ctx<Event>,
        obs: &mut dyn Observer,
    ) {
        if pools.is_empty() {
            return;
        }
        let total = pools.total();
        {
            let f = &mut self.frameworks[fw.idx()];
            f.allocated -= total;
            if let Some(ri) = f.role_index(role) {
                f.roles[ri].allocated -= total;
            }
        }
        if self.agents[agent.idx()].active {
            self.touch(agent);
            self.agents[agent.idx()].free.add(pools);
            self.settle_owed(agent);
            self.set_free_membership(agent);
        }
        let (now, seq) = (ctx.now(), ctx.seq());
        self.notify(
            now,
            seq,
            Change::Recovered {
                fw,
                role,
                agent,
                pools,
            },
        );
        self.note_share(now, fw, role, obs);
        if let Some(r) = refuse {
            let f = &self.frameworks[fw.idx()];
            if !r.is_zero() && self.agents[agent.idx()].active && !f.removed {
                let dur = r.max(self.cfg.allocation_interval);
                let seq = ctx.reserve_seq();
                self.offers.install_filter(
                    &mut self.frameworks[fw.idx()],
                    role,
                    agent,
                    pools,
                    now,
                    dur,
                    seq,
                    ctx.seq(),
                );
            }
        }
    }

    // ------------------------------------------------------------------------------------------
    // Suppress and revive.
    // ------------------------------------------------------------------------------------------

    pub fn suppress(&mut self, fw: FrameworkId, roles: &[RoleId], now: SimTime, seq: u64) {
        for &r in roles {
            if let Some(ri) = self.frameworks[fw.idx()].role_index(r) {
                self.frameworks[fw.idx()].roles[ri].suppressed = true;
                self.notify(now, seq, Change::ActivityChanged { fw, role: r });
            }
        }
    }

    /// REVIVE: clears the roles' filters, un-suppresses them and runs an allocation.
    pub fn revive(
        &mut self,
        fw: FrameworkId,
        roles: &[RoleId],
        ctx: &mut Ctx<Event>,
        obs: &mut dyn Observer,
    ) -> Result<()> {
        self.clear_filters(fw, Some(roles));
        let (now, seq) = (ctx.now(), ctx.seq());
        for &r in roles {
            if let Some(ri) = self.frameworks[fw.idx()].role_index(r) {
                self.frameworks[fw.idx()].roles[ri].suppressed = false;
                self.notify(now, seq, Change::ActivityChanged { fw, role: r });
            }
        }
        self.allocate_all(ctx, obs)
    }

    /// (De)activates a framework in the allocator, role by role, as Mesos does (failover).
    pub fn set_fw_active(&mut self, fw: FrameworkId, active: bool, now: SimTime, seq: u64) {
        self.frameworks[fw.idx()].active = active;
        for role in self.fw_roles(fw) {
            self.notify(now, seq, Change::ActivityChanged { fw, role });
        }
    }

    // ------------------------------------------------------------------------------------------
    // Frameworks joining and leaving.
    // ------------------------------------------------------------------------------------------

    /// Subscribes a framework (the allocation run that follows is the caller's).
    pub fn add_framework(
        &mut self,
        cfg: &FrameworkConfig,
        idle_suppress: bool,
        now: SimTime,
        seq: u64,
        obs: &mut dyn Observer,
    ) -> FrameworkId {
        let id = FrameworkId::new(self.frameworks.len() as u32);
        let mut roles = Vec::new();
        for r in &cfg.roles {
            let rid = self.ensure_role(r);
            self.roles[rid.idx()].frameworks += 1;
            roles.push(FwRole {
                role: rid,
                suppressed: idle_suppress || cfg.suppressed_roles.contains(r),
                min_allocatable: cfg.min_allocatable.clone(),
                allocated: Resources::ZERO,
            });
        }
        self.frameworks.push(Framework {
            name: cfg.name.clone(),
            gpu_capable: cfg.gpu_capable,
            multi_role: cfg.multi_role || cfg.roles.len() > 1,
            revocable: cfg.revocable,
            roles,
            active: true,
            removed: false,
            filters: Default::default(),
            bulk_filters: Vec::new(),
            index: Default::default(),
            allocated: Resources::ZERO,
            outstanding_offers: 0,
        });
        self.fw_by_name.insert(cfg.name.clone(), id);
        obs.observe(
            now,
            Observation::FrameworkSubscribed {
                framework: &cfg.name,
            },
        );
        self.notify(now, seq, Change::FrameworkAdded { fw: id });
        id
    }

    /// First half of a framework's removal: its offers are rescinded and it is marked removed
    /// (its tasks are the caller's to kill, then [`Master::finish_framework_removal`]).
    pub fn start_framework_removal(
        &mut self,
        fw: FrameworkId,
        ctx: &mut Ctx<Event>,
        obs: &mut dyn Observer,
    ) -> Result<bool> {
        if self.frameworks[fw.idx()].removed {
            return Ok(false);
        }
        self.rescind_framework(fw, ctx, obs)?;
        let f = &mut self.frameworks[fw.idx()];
        f.removed = true;
        f.active = false;
        Ok(true)
    }

    pub fn finish_framework_removal(&mut self, fw: FrameworkId, now: SimTime, seq: u64) {
        self.clear_filters(fw, None);
        for r in self.fw_roles(fw) {
            self.roles[r.idx()].frameworks -= 1;
        }
        self.notify(now, seq, Change::FrameworkRemoved { fw });
        self.version += 1;
    }

    /// `set_min_allocatable` for some of a framework's roles.
    pub fn set_min_allocatable(&mut self, fw: FrameworkId, roles: &[RoleId], m: &MinAllocatable) {
        for &r in roles {
            if let Some(ri) = self.frameworks[fw.idx()].role_index(r) {
                self.frameworks[fw.idx()].roles[ri].min_allocatable = Some(m.clone());
            }
        }
    }

    // ------------------------------------------------------------------------------------------
    // Roles: weights and quota.
    // ------------------------------------------------------------------------------------------

    /// `set_weight`: Mesos rescinds every outstanding offer when a known role's weight changes.
    pub fn set_weight(
        &mut self,
        role: &str,
        weight: f64,
        ctx: &mut Ctx<Event>,
        obs: &mut dyn Observer,
    ) -> Result<()> {
        let r = self.ensure_role(role);
        self.roles[r.idx()].weight = weight;
        self.notify(ctx.now(), ctx.seq(), Change::WeightChanged { role: r });
        self.version += 1;
        if self.roles[r.idx()].frameworks > 0 {
            self.rescind_all(ctx, obs)?;
        }
        Ok(())
    }

    /// `set_quota` on a top-level role (Err(()) for a nested one).
    pub fn set_quota(
        &mut self,
        role: &str,
        guarantees: Resources,
        limits: super::resources::Limits,
        now: SimTime,
        seq: u64,
    ) -> std::result::Result<(), ()> {
        let r = self.ensure_role(role);
        if self.roles[r.idx()].parent.is_some() {
            return Err(());
        }
        self.roles[r.idx()].guarantees = guarantees;
        self.roles[r.idx()].limits = limits;
        self.notify(now, seq, Change::QuotaChanged { role: r });
        Ok(())
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::testkit::{agent, config, cpus_mem, framework, master, Log};

    fn secs(s: f64) -> SimTime {
        SimTime::from_secs_f64(s)
    }

    /// An allocation run, then every bulk moved into the one-by-one table so that the tests
    /// can look offers up by id (the bulk form itself is tested in offers.rs).
    fn allocate(m: &mut Master, ctx: &mut Ctx<Event>, log: &mut Log) {
        m.allocate_all(ctx, log).unwrap();
        m.materialize_all_bulks();
    }

    /// A master with one 4-cpu agent and one framework, and the agent offered to it.
    fn offered() -> (Master, Ctx<Event>, Log, AgentId, FrameworkId, OfferId) {
        let mut m = master();
        let mut ctx = Ctx::at_time(SimTime::ZERO);
        let mut log = Log::default();
        let a = agent(&mut m, &ctx, &mut log, "a1", cpus_mem(4.0, 4096.0));
        let f = framework(&mut m, &ctx, &mut log, &config("f", Default::default()));
        allocate(&mut m, &mut ctx, &mut log);
        let id = m.offers().next().expect("one offer").id;
        (m, ctx, log, a, f, id)
    }

    #[test]
    fn an_allocation_run_offers_a_free_agent_whole_and_sends_one_batch() {
        let (m, mut ctx, log, a, f, id) = offered();
        let o = m.offer(id).unwrap();
        assert_eq!((o.fw, o.agent), (f, a));
        assert_eq!(o.pools.total(), cpus_mem(4.0, 4096.0));
        assert!(m.agent(a).free().is_empty());
        assert!(!m.free_agents().contains(a.raw()));
        assert_eq!(*m.framework(f).allocated(), cpus_mem(4.0, 4096.0));
        assert_eq!(log.0, ["0 offer 1 to f on a1: <4 cpus, 4096 mem_mb>"]);
        // The batch reaches the framework after the master's latency (zero here).
        let (t, ev) = ctx.pop_event().unwrap();
        assert_eq!(t, SimTime::ZERO);
        assert!(matches!(ev, Event::Offers { fw, .. } if fw == f), "{ev:?}");
    }

    #[test]
    fn a_decline_filters_what_was_refused_until_the_filter_expires() {
        let (mut m, mut ctx, mut log, a, _, id) = offered();
        m.decline(id, None, SimDuration::from_secs(5), &mut ctx, &mut log);
        assert_eq!(log.0.last().unwrap(), "0 offer 1 declined");
        assert_eq!(m.agent(a).free().total(), cpus_mem(4.0, 4096.0));
        allocate(&mut m, &mut ctx, &mut log);
        assert_eq!(m.offers().count(), 0, "filtered at once");
        let mut later = Ctx::at_time(secs(4.9));
        allocate(&mut m, &mut later, &mut log);
        assert_eq!(m.offers().count(), 0, "still filtered before 5 s");
        let mut after = Ctx::at_time(secs(5.000001));
        allocate(&mut m, &mut after, &mut log);
        assert_eq!(
            m.offers().count(),
            1,
            "offered again once the filter expired"
        );
    }

    #[test]
    fn a_filter_blocks_only_offers_contained_in_what_was_refused() {
        let (mut m, mut ctx, mut log, a, _, id) = offered();
        // Return 1 cpu of the offer with a filter: the rest stays held.
        let part = Pools::unreserved(cpus_mem(1.0, 0.0));
        m.decline(
            id,
            Some(part),
            SimDuration::from_secs(5),
            &mut ctx,
            &mut log,
        );
        assert_eq!(m.offer(id).unwrap().pools.total(), cpus_mem(3.0, 4096.0));
        assert_eq!(m.agent(a).free().total(), cpus_mem(1.0, 0.0));
        // 1 cpu is what was refused: not offered.
        allocate(&mut m, &mut ctx, &mut log);
        assert_eq!(m.offers().count(), 1);
        // With the rest back the agent has more than was refused: offered, whole.
        m.rescind(id, &mut ctx, &mut log).unwrap();
        allocate(&mut m, &mut ctx, &mut log);
        let o: Vec<&Offer> = m.offers().collect();
        assert_eq!(o.len(), 1);
        assert_eq!(o[0].pools.total(), cpus_mem(4.0, 4096.0));
    }

    #[test]
    fn a_rescind_returns_the_offer_without_a_filter() {
        let (mut m, mut ctx, mut log, a, f, id) = offered();
        m.rescind(id, &mut ctx, &mut log).unwrap();
        assert_eq!(log.0.last().unwrap(), "0 offer 1 rescinded");
        assert!(m.offer(id).is_none());
        assert_eq!(m.framework(f).allocated, Resources::ZERO);
        assert!(m.free_agents().contains(a.raw()));
        allocate(&mut m, &mut ctx, &mut log);
        assert_eq!(
            m.offers().next().unwrap().id,
            OfferId(2),
            "re-offered at once"
        );
    }

    #[test]
    fn declining_part_then_the_rest_resolves_the_offer_once() {
        let (mut m, mut ctx, mut log, _, f, id) = offered();
        let part = Pools::unreserved(cpus_mem(1.0, 1024.0));
        m.decline(id, Some(part), SimDuration::ZERO, &mut ctx, &mut log);
        assert_eq!(log.0.len(), 1, "the offer is still outstanding");
        assert_eq!(*m.framework(f).allocated(), cpus_mem(3.0, 3072.0));
        m.decline(id, None, SimDuration::ZERO, &mut ctx, &mut log);
        assert_eq!(log.0.last().unwrap(), "0 offer 1 declined");
        assert_eq!(m.framework(f).outstanding_offers, 0);
        // No filter: everything is offered again.
        allocate(&mut m, &mut ctx, &mut log);
        assert_eq!(m.offers().count(), 1);
    }

    #[test]
    fn suppress_stops_offers_and_revive_clears_filters_and_offers_again() {
        let (mut m, mut ctx, mut log, _, f, id) = offered();
        m.decline(id, None, SimDuration::from_secs(60), &mut ctx, &mut log);
        let roles = m.fw_roles(f);
        m.suppress(f, &roles, ctx.now(), ctx.seq());
        allocate(&mut m, &mut ctx, &mut log);
        assert_eq!(m.offers().count(), 0);
        m.revive(f, &roles, &mut ctx, &mut log).unwrap();
        m.materialize_all_bulks();
        assert_eq!(
            m.offers().count(),
            1,
            "the revive ran an allocation, filter gone"
        );
    }

    #[test]
    fn removing_an_agent_rescinds_its_offers_and_takes_it_out_of_the_totals() {
        let (mut m, mut ctx, mut log, a, _, id) = offered();
        assert!(m.start_agent_removal(a, &mut ctx, &mut log).unwrap());
        assert!(m.offer(id).is_none());
        m.finish_agent_removal(a, ctx.now(), ctx.seq());
        assert_eq!(*m.total(), Resources::ZERO);
        assert!(m.agent_named("a1").is_none());
        assert!(
            !m.start_agent_removal(a, &mut ctx, &mut log).unwrap(),
            "already gone"
        );
    }
}
