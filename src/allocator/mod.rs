//! Master-side allocation policies. An allocator sees a read-only [`View`] of the cluster and
//! returns grants as data; the master validates and applies them. Allocators keep their own
//! bookkeeping (sorters, shares) in step with the master through `notify`.
//!
//! # Writing an allocator
//! Implement [`Allocator`]. `allocate` is called with the agents to consider (all agents with
//! free resources on a tick, one agent when it joins). Return [`Grant`]s: each offers `pools` of
//! `agent` to framework `fw` under `role`. A grant must fit in the agent's free resources that
//! the role may use, minus what earlier grants of the same run took; the master rejects the run
//! otherwise. Grants you return are already yours to account for: the master does not send
//! `Change::Allocated` for them. Preemption is a decision too: [`Allocator::preempt`] names
//! running tasks to kill, and the master kills them (none by default). See
//! `examples/emptiest_agent.rs`.

pub(crate) mod drf;
#[doc(hidden)]
pub mod fixture;
pub(crate) mod hierarchical;
pub(crate) mod static_part;

use crate::cluster::agent::{Agent, AgentId, Pools, RoleId};
use crate::cluster::framework::Framework;
use crate::cluster::ids::{FrameworkId, TaskKey};
pub use crate::cluster::resources::Limits;
use crate::cluster::resources::{MinAllocatable, Resources};
pub use crate::cluster::role::RoleInfo;
use crate::sim::{SimDuration, SimTime};
use rand::RngCore;

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
        let mut p = Pools::unreserved(free.unres);
        for &r in &self.roles[role.idx()].chain {
            let x = free.reserved_for(r);
            if !x.is_zero() {
                p.add_reserved(r, x);
            }
        }
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

    /// Whether a decline filter of `fw` blocks `offer` on (role, agent) now.
    pub fn filtered(&self, fw: FrameworkId, role: RoleId, agent: AgentId, offer: &Pools) -> bool {
        self.frameworks[fw.idx()].is_filtered(role, agent, offer, self.now, self.seq)
    }

    /// GPU agents go only to GPU-capable frameworks (Mesos's `--filter_gpu_resources`).
    pub fn capable(&self, fw: FrameworkId, agent: AgentId) -> bool {
        !self.agents[agent.idx()].has_gpus || self.frameworks[fw.idx()].gpu_capable
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
    /// One allocation run over `agents` (in the order given; shuffle with `rng` if you want:
    /// it is the run's seeded agent-shuffle stream).
    fn allocate(
        &mut self,
        view: &View,
        agents: &[AgentId],
        rng: &mut dyn RngCore,
        out: &mut Vec<Grant>,
    );
    /// Before each periodic allocation run: running tasks to kill so that waiting work can
    /// run (killed tasks are resubmitted by their frameworks). The master kills them in the
    /// order given. Default: never preempt.
    fn preempt(&mut self, _view: &PreemptView, _out: &mut Vec<TaskKey>) {}
    /// The allocator's belief of a framework's share in a role, for invariant checks, if it
    /// keeps one.
    fn framework_share(&self, _fw: &str, _role: &str) -> Option<f64> {
        None
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
