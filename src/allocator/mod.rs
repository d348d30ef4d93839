//! Master-side allocation policies. An allocator sees a read-only view of the cluster and returns
//! grants as data; the master validates and applies them. Allocators keep their own bookkeeping
//! (sorters, shares) in step with the master through `notify`.
//!
//! # Writing an allocator
//! Implement [`Allocator`]. `allocate` is called with the agents to consider (all agents on a
//! tick, one agent when it joins). Return [`Grant`]s: each offers `pools` of `agent` to framework
//! `fw` under `role`. A grant must fit in the agent's free resources that the role may use,
//! minus what earlier grants of the same run took; the master rejects the run otherwise. Grants
//! you return are already yours to account for: the master does not send `Change::Allocated` for
//! them. See `examples/emptiest_agent.rs`.

pub mod drf;
#[doc(hidden)]
pub mod fixture;
pub mod hierarchical;
pub mod static_part;

use crate::cluster::agent::{Agent, AgentId, Pools, RoleId};
use crate::cluster::framework::Framework;
use crate::cluster::resources::{MinAllocatable, Resources, NRES};
use crate::scenario::{AllocatorKind, OfferMode};
use crate::sim::SimTime;
use rand_chacha::ChaCha8Rng;

/// Quota limits: `i64::MAX` (in milli-units) marks a resource without a limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits(pub [i64; NRES]);

impl Limits {
    pub const NONE: Limits = Limits([i64::MAX; NRES]);
    pub fn is_unlimited(&self) -> bool {
        self.0.iter().all(|&x| x == i64::MAX)
    }
    /// `limits - consumed`, floored at zero; unlimited stays unlimited.
    pub fn minus(&self, r: &Resources) -> Limits {
        let mut o = *self;
        for i in 0..NRES {
            if o.0[i] != i64::MAX {
                o.0[i] = (o.0[i] - r.0[i]).max(0);
            }
        }
        o
    }
    /// Shrinks `r` to fit (resources without a limit are kept whole).
    pub fn shrink(&self, r: &Resources) -> Resources {
        let mut o = *r;
        for i in 0..NRES {
            o.0[i] = o.0[i].min(self.0[i]);
        }
        o
    }
}

/// What the allocator may know about a role.
#[derive(Clone, Debug)]
pub struct RoleInfo {
    pub name: String,
    pub parent: Option<RoleId>,
    /// This role and its ancestors, self first.
    pub chain: Vec<RoleId>,
    pub top: RoleId,
    pub weight: f64,
    pub priority: i64,
    pub guarantees: Resources,
    pub limits: Limits,
    /// Reservations for exactly this role on active agents, allocated or not.
    pub reserved: Resources,
    /// Frameworks subscribed to exactly this role.
    pub frameworks: u32,
}

impl RoleInfo {
    pub fn has_quota(&self) -> bool {
        !self.guarantees.is_zero() || !self.limits.is_unlimited()
    }
}

/// A read-only view of the master's state for one allocation run.
pub struct View<'a> {
    pub now: SimTime,
    /// Sequence number of the event being handled (decline filters expire in event order).
    pub seq: u64,
    pub agents: &'a [Agent],
    pub frameworks: &'a [Framework],
    pub roles: &'a [RoleInfo],
    pub min_allocatable: &'a MinAllocatable,
    /// Sum of active agents' totals.
    pub total: Resources,
    /// Frameworks the scenario names up front (listed or in the trace), subscribed or not yet.
    pub planned_frameworks: usize,
    /// Per-agent offers (Mesos) or the whole free cell to one framework (the Omega study).
    pub offer_mode: OfferMode,
}

impl View<'_> {
    /// What of `free` the role may use: unreserved plus reservations of the role or an ancestor.
    pub fn usable_by(&self, free: &Pools, role: RoleId) -> Pools {
        let mut p = Pools::unreserved(free.unres);
        for &r in &self.roles[role as usize].chain {
            let x = free.reserved_for(r);
            if !x.is_zero() {
                p.add_reserved(r, x);
            }
        }
        p
    }

    pub fn allocatable(&self, fw: u32, role_idx: usize, offer: &Resources) -> bool {
        let f = &self.frameworks[fw as usize];
        match &f.roles[role_idx].min_allocatable {
            Some(m) => m.allows(offer),
            None => self.min_allocatable.allows(offer),
        }
    }

    /// Whether a decline filter of `fw` blocks `offer` on (role, agent) now.
    pub fn filtered(&self, fw: u32, role: RoleId, agent: AgentId, offer: &Pools) -> bool {
        self.frameworks[fw as usize].is_filtered(role, agent, offer, self.now, self.seq)
    }

    /// GPU agents go only to GPU-capable frameworks (Mesos's `--filter_gpu_resources`).
    pub fn capable(&self, fw: u32, agent: AgentId) -> bool {
        !self.agents[agent as usize].has_gpus || self.frameworks[fw as usize].gpu_capable
    }
}

/// One offer to make.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    pub fw: u32,
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
        fw: u32,
    },
    FrameworkRemoved {
        fw: u32,
    },
    /// The framework's activity or suppression in a role changed.
    ActivityChanged {
        fw: u32,
        role: RoleId,
    },
    /// Resources became allocated outside an allocation run (an agent joined with used resources).
    Allocated {
        fw: u32,
        role: RoleId,
        agent: AgentId,
        pools: &'a Pools,
    },
    /// Resources came back (decline, rescind, task end).
    Recovered {
        fw: u32,
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
    /// One allocation run over `agents` (in the order given; shuffle with `rng` if you want).
    fn allocate(
        &mut self,
        view: &View,
        agents: &[AgentId],
        rng: &mut ChaCha8Rng,
        out: &mut Vec<Grant>,
    );
    /// The allocator's belief of a framework's share in a role, for invariant checks, if it
    /// keeps one.
    fn framework_share(&self, _fw: &str, _role: &str) -> Option<f64> {
        None
    }
}

/// Builds a built-in allocator by kind.
pub fn build(kind: AllocatorKind) -> Box<dyn Allocator> {
    match kind {
        AllocatorKind::Drf => Box::new(hierarchical::Hierarchical::new(hierarchical::Order::Drf)),
        AllocatorKind::Priority => Box::new(hierarchical::Hierarchical::new(
            hierarchical::Order::Priority,
        )),
        AllocatorKind::Random => {
            Box::new(hierarchical::Hierarchical::new(hierarchical::Order::Random))
        }
        AllocatorKind::Static => Box::new(static_part::StaticPartition::new()),
    }
}
