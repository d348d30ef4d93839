//! Master-side allocation policies. An allocator sees a read-only [`View`] of the cluster and
//! returns grants as data; the master validates and applies them. Allocators keep their own
//! bookkeeping (sorters, shares) in step with the master through `notify`.
//!
//! # Writing an allocator
//! Implement [`Allocator`]. `allocate` is called with the agents to consider (all agents with
//! free resources on a tick, one agent when it joins). Return [`Grant`]s: each offers `pools` of
//! `agent` to framework `fw` under `role`. A grant must fit in the agent's free resources that
//! the role may use, minus what earlier grants of the same run took; the master rejects the run
//! otherwise; a grant may hold revocable resources (`Pools::rev`) only for a framework with the
//! `revocable_resources` capability, so grant [`View::offer_for`] rather than
//! [`View::usable_by`] when agents may have them. Grants you return are already yours to account for: the master does not send
//! `Change::Allocated` for them. Preemption is a decision too: [`Allocator::preempt`] names
//! running tasks to kill, and the master kills them (none by default). See
//! `examples/emptiest_agent.rs`.

pub(crate) mod drf;
#[doc(hidden)]
pub mod fixture;
pub(crate) mod hierarchical;
pub(crate) mod static_part;

#[cfg(test)]
mod capability_tests;
#[cfg(test)]
mod test_support;

use crate::cluster::agent::{Agent, AgentId, Pools, RoleId};
use crate::cluster::framework::Framework;
use crate::cluster::ids::{FrameworkId, TaskKey};
pub use crate::cluster::resources::Limits;
use crate::cluster::resources::{MinAllocatable, Resources};
pub use crate::cluster::role::RoleInfo;
use crate::sim::bitset::BitSet;
use crate::sim::permutation::KeyedOrder;
use crate::sim::{SimDuration, SimTime};
use rand::RngCore;
use rand_chacha::ChaCha8Rng;

/// The built-in allocators (`allocator = "..."` in a policy).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AllocatorKind {
    Drf,
    Priority,
    Random,
    Static,
}

impl AllocatorKind {
    pub const NAMES: [&'static str; 4] = ["drf", "priority", "random", "static"];
    pub fn parse(s: &str) -> Option<AllocatorKind> {
        Some(match s {
            "drf" => AllocatorKind::Drf,
            "priority" => AllocatorKind::Priority,
            "random" => AllocatorKind::Random,
            "static" => AllocatorKind::Static,
            _ => return None,
        })
    }
}

/// How an allocation run hands out the free resources (`[master] offer_mode`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OfferMode {
    /// Mesos 1.11: agent by agent, the frameworks re-sorted after every grant.
    #[default]
    PerAgent,
    /// The Omega study's Mesos model: the first framework in the allocator's order that can
    /// take anything gets every agent it can take; the others get nothing from that run.
    Cell,
}

impl OfferMode {
    pub const NAMES: [&'static str; 2] = ["per_agent", "cell"];
    pub fn parse(s: &str) -> Option<OfferMode> {
        Some(match s {
            "per_agent" => OfferMode::PerAgent,
            "cell" => OfferMode::Cell,
            _ => return None,
        })
    }
}

/// A read-only view of the master's state for one allocation run.
pub struct View<'a> {
    pub(crate) now: SimTime,
    /// Sequence number of the event being handled (decline filters expire in event order).
    pub(crate) seq: u64,
    pub(crate) agents: &'a [Agent],
    pub(crate) frameworks: &'a [Framework],
    pub(crate) roles: &'a [RoleInfo],
    pub(crate) min_allocatable: &'a MinAllocatable,
    /// Sum of active agents' totals.
    pub(crate) total: Resources,
    /// Frameworks the scenario names up front (listed or in the trace), subscribed or not yet.
    pub(crate) planned_frameworks: usize,
    pub(crate) offer_mode: OfferMode,
    /// The master's index of free agents (None in fixtures: every agent is then looked at).
    pub(crate) free: Option<&'a crate::cluster::master::FreeIndex>,
    /// Every framework's blocked-agent index is exact at (now, seq): nothing changed since the
    /// master's last refresh and no filter expired since (false in fixtures).
    pub(crate) blocked_exact: bool,
    /// Some agent has had revocable resources: the bulk and whole-agent shortcuts are off.
    pub(crate) revocable: bool,
}

/// What `role` may use of `free`: unreserved plus reservations of the role or an ancestor,
/// revocable resources included (Mesos's `allocatableTo`; [`View::strip_incapable`] takes them
/// out for frameworks that may not have them).
pub(crate) fn usable_by(roles: &[RoleInfo], free: &Pools, role: RoleId) -> Pools {
    let mut p = Pools::unreserved(free.unres);
    p.rev = free.rev;
    for &r in &roles[role.idx()].chain {
        let x = free.reserved_for(r);
        if !x.is_zero() {
            p.add_reserved(r, x);
        }
    }
    p
}

impl<'a> View<'a> {
    pub fn now(&self) -> SimTime {
        self.now
    }
    /// Every agent ever registered, by id (check [`Agent::is_active`]).
    pub fn agents(&self) -> &'a [Agent] {
        self.agents
    }
    pub fn agent(&self, a: AgentId) -> &'a Agent {
        &self.agents[a.idx()]
    }
    /// Every framework ever subscribed, by id (check [`Framework::is_active`]).
    pub fn frameworks(&self) -> &'a [Framework] {
        self.frameworks
    }
    pub fn framework(&self, f: FrameworkId) -> &'a Framework {
        &self.frameworks[f.idx()]
    }
    pub fn roles(&self) -> &'a [RoleInfo] {
        self.roles
    }
    pub fn role(&self, r: RoleId) -> &'a RoleInfo {
        &self.roles[r.idx()]
    }
    /// The cluster's totals (active agents).
    pub fn total(&self) -> &Resources {
        &self.total
    }
    /// Frameworks the scenario names up front, subscribed or not yet.
    pub fn planned_frameworks(&self) -> usize {
        self.planned_frameworks
    }
    pub fn offer_mode(&self) -> OfferMode {
        self.offer_mode
    }

    /// What of `free` the role may use: unreserved plus reservations of the role or an ancestor.
    pub fn usable_by(&self, free: &Pools, role: RoleId) -> Pools {
        usable_by(self.roles, free, role)
    }

    /// Whether the scenario has given some agent revocable resources (then the built-in
    /// allocators take their exact per-agent paths only).
    pub fn revocable(&self) -> bool {
        self.revocable
    }

    /// Mesos's `stripIncapableResources`: revocable resources are not offered to a framework
    /// without the REVOCABLE_RESOURCES capability.
    pub fn strip_incapable(&self, fw: FrameworkId, offer: &mut Pools) {
        if !self.frameworks[fw.idx()].revocable {
            offer.rev = Resources::ZERO;
        }
    }

    /// What the framework may be offered of `free` under `role`: [`View::usable_by`] without
    /// what the framework is not capable of.
    pub fn offer_for(&self, fw: FrameworkId, free: &Pools, role: RoleId) -> Pools {
        let mut p = self.usable_by(free, role);
        self.strip_incapable(fw, &mut p);
        p
    }

    /// Whether `offer` is worth offering to the framework's `role_idx`-th role
    /// (min_allocatable: the framework's own for that role, or the master's).
    pub fn allocatable(&self, fw: FrameworkId, role_idx: usize, offer: &Resources) -> bool {
        let f = &self.frameworks[fw.idx()];
        match &f.roles[role_idx].min_allocatable {
            Some(m) => m.allows(offer),
            None => self.min_allocatable.allows(offer),
        }
    }

    /// Whether a decline filter of `fw` blocks `offer` on (role, agent) now, or the agent's
    /// capabilities rule the (framework, role) out (Mesos's `isFiltered` does both).
    pub fn filtered(&self, fw: FrameworkId, role: RoleId, agent: AgentId, offer: &Pools) -> bool {
        if !self.agent_capable(fw, role, agent) {
            return true;
        }
        let f = &self.frameworks[fw.idx()];
        if !self.blocked_exact {
            return f.is_filtered(role, agent, offer, self.now, self.seq);
        }
        // The index knows which (role, agent) have per-agent filters at all, and which of them
        // block everything the role may use there now, hence (subset rule) any part of it.
        let answer = f.bulk_filtered(role, agent, self.now, self.seq)
            || (f.index.has(role, agent)
                && ((f.index.is_blocked(role, agent)
                    && self
                        .usable_by(&self.agents[agent.idx()].free, role)
                        .contains(offer))
                    || f.per_agent_filtered((role, agent), offer, (self.now, self.seq))));
        debug_assert_eq!(
            answer,
            f.is_filtered(role, agent, offer, self.now, self.seq),
            "filter index of {} on agent {agent}",
            f.name
        );
        answer
    }

    /// The agent capabilities rule (Mesos's `isFiltered`, "implicitly filtering"): an agent
    /// without MULTI_ROLE is not offered to a multi-role framework, one without
    /// HIERARCHICAL_ROLE not to a nested role. Both paths of [`View::eligible`] call it.
    pub fn agent_capable(&self, fw: FrameworkId, role: RoleId, agent: AgentId) -> bool {
        let caps = self.agents[agent.idx()].capabilities;
        if caps.is_all() {
            return true;
        }
        if self.frameworks[fw.idx()].multi_role && !caps.multi_role {
            return false;
        }
        caps.hierarchical_role || self.roles[role.idx()].parent.is_none()
    }

    /// Removes from `out` the agents of `limited` (agents lacking some capability) that
    /// [`View::agent_capable`] rules out for (fw, role): the fast path's form of the rule.
    fn drop_incapable(&self, limited: &BitSet, fw: FrameworkId, role: RoleId, out: &mut BitSet) {
        if limited.is_empty() || !limited.intersects(out) {
            return;
        }
        for a in limited.iter() {
            if out.contains(a) && !self.agent_capable(fw, role, AgentId::new(a)) {
                out.remove(a);
            }
        }
    }

    /// GPU agents go only to GPU-capable frameworks (Mesos's `--filter_gpu_resources`).
    pub fn capable(&self, fw: FrameworkId, agent: AgentId) -> bool {
        !self.agents[agent.idx()].has_gpus || self.frameworks[fw.idx()].gpu_capable
    }

    /// The agents of `agents` that the framework's `role_idx`-th role could be offered: capable,
    /// and not filtered for what the role may use of their free resources.
    pub fn eligible(&self, fw: FrameworkId, role_idx: usize, agents: &BitSet) -> BitSet {
        if let Some(ix) = self.free {
            return self.eligible_fast(ix, fw, role_idx, agents);
        }
        self.scan(fw, role_idx, agents, false)
    }

    /// The eligible agents whose usable free resources are also worth offering
    /// (non-empty and allocatable for that role).
    pub fn offerable(&self, fw: FrameworkId, role_idx: usize, agents: &BitSet) -> BitSet {
        if let Some(ix) = self.free {
            return self.offerable_fast(ix, fw, role_idx, agents);
        }
        self.scan(fw, role_idx, agents, true)
    }

    /// [`View::eligible`] (or, with `worth`, [`View::offerable`]) agent by agent, without the
    /// free index.
    fn scan(&self, fw: FrameworkId, role_idx: usize, agents: &BitSet, worth: bool) -> BitSet {
        let role = self.frameworks[fw.idx()].roles[role_idx].role;
        let mut out = BitSet::default();
        for a in agents.iter().map(AgentId::new) {
            if !self.capable(fw, a) {
                continue;
            }
            let offer = self.offer_for(fw, &self.agents[a.idx()].free, role);
            let worth_it =
                !worth || (!offer.is_empty() && self.allocatable(fw, role_idx, &offer.total()));
            if worth_it && !self.filtered(fw, role, a, &offer) {
                out.insert(a.raw());
            }
        }
        out
    }

    /// What `role` may use of the free resources of `agents`, summed: (everything, the
    /// unreserved part).
    pub fn usable_total(&self, role: RoleId, agents: &BitSet) -> (Resources, Resources) {
        let mut total = Resources::ZERO;
        let mut unres = Resources::ZERO;
        let reserved = match self.free {
            // Agents without reservations: the role may use all of their free resources, summed
            // a word at a time.
            Some(ix) => {
                let mut plain = agents.clone();
                plain.subtract(ix.reserved());
                let r = ix.sum(&plain);
                total += r;
                unres += r;
                agents.and(ix.reserved())
            }
            None => agents.clone(),
        };
        for a in reserved.iter() {
            let p = self.usable_by(&self.agents[a as usize].free, role);
            total += p.total();
            unres += p.unres;
        }
        (total, unres)
    }

    /// [`View::eligible`] a word at a time: gpus and bulk filters by set operations, per-agent
    /// filters by the agents they name.
    fn eligible_fast(
        &self,
        ix: &crate::cluster::master::FreeIndex,
        fw: FrameworkId,
        role_idx: usize,
        agents: &BitSet,
    ) -> BitSet {
        let f = &self.frameworks[fw.idx()];
        let role = f.roles[role_idx].role;
        let mut out = agents.clone();
        if !f.gpu_capable {
            out.subtract(ix.gpus());
        }
        self.drop_incapable(ix.limited(), fw, role, &mut out);
        // A live bulk record covers agents unchanged since their decline: filtered.
        for b in &f.bulk_filters {
            if b.role == role && b.live(self.now, self.seq) {
                out.subtract(&b.agents);
            }
        }
        if f.filters.is_empty() {
            return out;
        }
        if !self.blocked_exact {
            return self.filter_one_by_one(ix, fw, role, out);
        }
        // Per-agent filters: the framework's index of the agents they block now, as a set.
        #[cfg(debug_assertions)]
        let before = out.clone();
        if let Some(b) = f.index.blocked(role) {
            out.subtract(b);
        }
        #[cfg(debug_assertions)]
        assert_eq!(
            out,
            self.filter_one_by_one(ix, fw, role, before),
            "filter index of {} disagrees with its filters",
            f.name
        );
        out
    }

    /// The per-agent filter step of [`View::eligible_fast`] filter by filter: removes from
    /// `out` the agents a per-agent filter of `fw`'s `role` blocks now (what the index answers
    /// as a set; debug builds compare the two on every call). The loop over the filter map only
    /// removes members, so its order does not matter.
    fn filter_one_by_one(
        &self,
        ix: &crate::cluster::master::FreeIndex,
        fw: FrameworkId,
        role: RoleId,
        mut out: BitSet,
    ) -> BitSet {
        let f = &self.frameworks[fw.idx()];
        let mut check = out.and(ix.reserved());
        if f.filters.len() < out.len() {
            for &(r, a) in f.filters.keys() {
                if r == role && out.contains(a.raw()) {
                    check.insert(a.raw());
                }
            }
        } else if !f.filters.is_empty() {
            for a in out.iter() {
                if f.filters.contains_key(&(role, AgentId::new(a))) {
                    check.insert(a);
                }
            }
        }
        for a in check.iter().map(AgentId::new) {
            let offer = self.offer_for(fw, &self.agents[a.idx()].free, role);
            if f.is_filtered(role, a, &offer, self.now, self.seq) {
                out.remove(a.raw());
            }
        }
        out
    }

    /// [`View::offerable`] a word at a time.
    fn offerable_fast(
        &self,
        ix: &crate::cluster::master::FreeIndex,
        fw: FrameworkId,
        role_idx: usize,
        agents: &BitSet,
    ) -> BitSet {
        let mut out = self.eligible_fast(ix, fw, role_idx, agents);
        let f = &self.frameworks[fw.idx()];
        let role = f.roles[role_idx].role;
        let own_min = f.roles[role_idx].min_allocatable.is_some();
        // Agents without reservations offer their free resources (never empty in the free set);
        // whether that is allocatable under the master's minimum is kept per agent.
        if !own_min && ix.reserved().is_empty() {
            out.intersect_with(ix.allocatable());
            return out;
        }
        let mut check = out.and(ix.reserved());
        if own_min {
            check = out.clone();
        } else {
            let mut plain = out.clone();
            plain.subtract(ix.reserved());
            let mut not_allocatable = plain.clone();
            not_allocatable.subtract(ix.allocatable());
            out.subtract(&not_allocatable);
        }
        for a in check.iter().map(AgentId::new) {
            let offer = self.offer_for(fw, &self.agents[a.idx()].free, role);
            if offer.is_empty() || !self.allocatable(fw, role_idx, &offer.total()) {
                out.remove(a.raw());
            }
        }
        out
    }
}

/// One allocation run as the allocator sees it: the agents to consider, the run's own seeded
/// random streams (so how much one run draws never shifts another), and where grants go.
pub struct Run<'a> {
    pub(crate) candidates: &'a BitSet,
    pub(crate) shuffle_rng: &'a mut ChaCha8Rng,
    pub(crate) other_rng: &'a mut ChaCha8Rng,
    pub(crate) out: &'a mut Vec<RunGrant>,
}

/// What an allocator returns for a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunGrant {
    One(Grant),
    /// Each of `agents` whole (everything `role` may use of its free resources) to `fw`, in a
    /// seeded random order of their own.
    All {
        fw: FrameworkId,
        role: RoleId,
        agents: BitSet,
    },
}

impl Run<'_> {
    /// The agents to consider (registered, connected, with free resources), in id order.
    pub fn candidates(&self) -> impl Iterator<Item = AgentId> + '_ {
        self.candidates.iter().map(AgentId::new)
    }

    /// The same, as a set.
    pub fn candidate_set(&self) -> &BitSet {
        self.candidates
    }

    /// The members of `set` in a seeded random order (the run's agent shuffle; each call draws
    /// a new order).
    pub fn shuffle(&mut self, set: &BitSet) -> Vec<AgentId> {
        crate::sim::shuffle::shuffled(set, self.shuffle_rng)
            .into_iter()
            .map(AgentId::new)
            .collect()
    }

    /// The members of `set` in the run's keyed random order (one draw of four keys from the
    /// run's agent shuffle stream), readable at any position in O(1): the built-in walks use it,
    /// so a walk that stops early has drawn nothing for the agents it did not reach.
    pub fn keyed(&mut self, set: &BitSet) -> KeyedOrder {
        KeyedOrder::from_set(set.clone(), self.shuffle_rng)
    }

    /// The run's stream for any other draw (random sorters).
    pub fn rng(&mut self) -> &mut dyn RngCore {
        self.other_rng
    }

    /// Offers `g.pools` of `g.agent` to `g.fw` under `g.role`.
    pub fn grant(&mut self, g: Grant) {
        self.out.push(RunGrant::One(g));
    }

    /// Offers each of `agents` whole (everything `role` may use of its free resources) to
    /// `fw`; the master orders them. Cheaper than one grant per agent: its cost follows what the
    /// framework looks at, not the number of agents.
    pub fn grant_all(&mut self, fw: FrameworkId, role: RoleId, agents: BitSet) {
        self.out.push(RunGrant::All { fw, role, agents });
    }
}

/// What an allocator may read when it decides on preemption: the master's view, each
/// framework's waiting work, and the running tasks.
pub struct PreemptView<'a> {
    pub(crate) base: View<'a>,
    pub(crate) work: &'a crate::cluster::frameworks::FrameworkSide,
    pub(crate) tasks: &'a crate::cluster::tasks::TaskLife,
}

/// A task that runs (or stages) on an agent, as a preemption policy sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunningTask {
    pub key: TaskKey,
    pub fw: FrameworkId,
    pub role: RoleId,
    pub agent: AgentId,
    pub launched: SimTime,
    pub resources: Resources,
}

impl<'a> PreemptView<'a> {
    pub fn base(&self) -> &View<'a> {
        &self.base
    }
    pub fn now(&self) -> SimTime {
        self.base.now
    }
    /// Tasks waiting to be launched by `fw`, and the shape of its oldest waiting task group.
    pub fn waiting(&self, fw: FrameworkId) -> Option<(u64, Resources)> {
        self.work.waiting(fw)
    }
    /// Live tasks in task-key order.
    pub fn running(&self) -> impl Iterator<Item = RunningTask> + '_ {
        self.tasks.running()
    }
}

/// One offer to make.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    pub fw: FrameworkId,
    pub role: RoleId,
    pub agent: AgentId,
    pub pools: Pools,
}

/// Changes the master tells allocators about, so they can keep sorters in step.
#[derive(Clone, Debug)]
pub enum Change<'a> {
    AgentAdded {
        agent: AgentId,
        total: &'a Pools,
    },
    AgentRemoved {
        agent: AgentId,
        total: &'a Pools,
    },
    /// A framework subscribed (roles, activity and suppression are in the view).
    FrameworkAdded {
        fw: FrameworkId,
    },
    FrameworkRemoved {
        fw: FrameworkId,
    },
    /// The framework's activity or suppression in a role changed.
    ActivityChanged {
        fw: FrameworkId,
        role: RoleId,
    },
    /// Resources became allocated outside an allocation run (an agent joined with used resources).
    Allocated {
        fw: FrameworkId,
        role: RoleId,
        agent: AgentId,
        pools: &'a Pools,
    },
    /// Resources came back (decline, rescind, task end).
    Recovered {
        fw: FrameworkId,
        role: RoleId,
        agent: AgentId,
        pools: &'a Pools,
    },
    WeightChanged {
        role: RoleId,
    },
    QuotaChanged {
        role: RoleId,
    },
}

/// A master-side allocation policy.
pub trait Allocator {
    fn name(&self) -> &str;
    /// Keeps the allocator's own state in step with the master. Called after the master applied
    /// the change to the view.
    fn notify(&mut self, view: &View, change: Change);
    /// One allocation run over the run's candidate agents. Grants must be to frameworks
    /// subscribed to the role, and fit what the role may use of each agent's free resources
    /// minus what earlier grants of the run took.
    fn allocate(&mut self, view: &View, run: &mut Run);
    /// Before each periodic allocation run: running tasks to kill so that waiting work can
    /// run (killed tasks are resubmitted by their frameworks). The master kills them in the
    /// order given. Default: never preempt.
    fn preempt(&mut self, _view: &PreemptView, _out: &mut Vec<TaskKey>) {}
    /// The allocator's belief of a framework's share in a role, for invariant checks, if it
    /// keeps one.
    fn framework_share(&self, _fw: &str, _role: &str) -> Option<f64> {
        None
    }
    /// `[master] fair_sharing_excluded_resource_names`, given once before anything is added
    /// (Mesos's `initialize`). Allocators that keep no shares ignore it.
    fn set_fairness_exclusion(&mut self, _exclusion: crate::cluster::resources::FairnessExclusion) {
    }
}

/// Builds a built-in allocator by kind; `preempt_after` turns on the `priority` allocator's
/// preemption.
pub fn build(kind: AllocatorKind, preempt_after: Option<SimDuration>) -> Box<dyn Allocator> {
    use hierarchical::{Hierarchical, Order};
    match kind {
        AllocatorKind::Drf => Box::new(Hierarchical::new(Order::Drf)),
        AllocatorKind::Priority => {
            Box::new(Hierarchical::new(Order::Priority).with_preemption(preempt_after))
        }
        AllocatorKind::Random => Box::new(Hierarchical::new(Order::Random)),
        AllocatorKind::Static => Box::new(static_part::StaticPartition::new()),
    }
}
