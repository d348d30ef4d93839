//! Framework-side policies. A scheduler sees one offer and its framework's pending work, and
//! returns a decision as data: tasks to launch, or hold the offer, and the decline filter for what
//! it does not use. The master validates and applies the decision.
//!
//! # Writing a scheduler
//! Implement [`Scheduler`]. In `on_offer`, push [`Launch`]es naming pending tasks (a group and a
//! task index within it, from [`WorkView::pending_tasks`]) whose total fits the offer, including
//! `offer.executor` once if it is non-zero. Whatever is not launched is declined with
//! `refuse_s` (None: the framework's default filter).

pub mod delay;
pub mod greedy;
pub mod hold;
pub mod index;

use crate::cluster::agent::{AgentId, RoleId};
use crate::cluster::resources::{MinAllocatable, Resources};
use crate::cluster::task::{Group, Job, Locality};
use crate::scenario::{FrameworkConfig, SchedulerKind};
use crate::sim::SimTime;
use slab::Slab;
use std::collections::BTreeMap;

/// The offer as the scheduler sees it.
#[derive(Clone, Debug)]
pub struct OfferView {
    pub id: u64,
    pub agent: AgentId,
    pub rack: u32,
    pub role: RoleId,
    pub resources: Resources,
    /// Executor resources the first task launched here must also fit (zero when the
    /// framework's executor already runs on this agent or it has none).
    pub executor: Resources,
}

/// Fills the (agent, rack) pairs a group's task prefers.
pub type PreferredFn<'a> = dyn Fn(u32, u32, &mut Vec<(AgentId, u32)>) + 'a;

/// The framework's pending work, read-only.
pub struct WorkView<'a> {
    pub now: SimTime,
    /// Groups with pending tasks, by submission order (seq -> group key).
    pub pending: &'a BTreeMap<u64, u32>,
    pub groups: &'a Slab<Group>,
    pub jobs: &'a Slab<Job>,
    /// The minimum an offer remainder must hold to be worth scanning further.
    pub min_allocatable: &'a MinAllocatable,
    /// Locality of a group's task on an agent (node-local, rack-local, off-rack or none).
    pub locality: &'a dyn Fn(u32, u32, AgentId) -> Locality,
    /// The preferred agents of a group's task, each with its rack (replica holders of its block,
    /// or the row's `preferred_nodes`); left empty when the task has no preference. Schedulers
    /// that index pending tasks by agent call it once per task instead of asking `locality` for
    /// every (task, offer) pair.
    pub preferred: &'a PreferredFn<'a>,
}

impl WorkView<'_> {
    /// Pending task indices of a group, resubmitted ones first.
    pub fn pending_tasks(&self, group: u32) -> impl Iterator<Item = u32> + '_ {
        let g = &self.groups[group as usize];
        g.requeued.iter().copied().chain(g.next..g.count)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Launch {
    pub group: u32,
    pub task: u32,
}

#[derive(Clone, Debug, Default)]
pub struct Decision {
    /// Keep the offer outstanding (the `hold` scheduler); `launch` must then be empty.
    pub hold: bool,
    pub launch: Vec<Launch>,
    /// Filter for the unused part; None = the framework's default.
    pub refuse_s: Option<f64>,
}

impl Decision {
    pub fn clear(&mut self) {
        self.hold = false;
        self.launch.clear();
        self.refuse_s = None;
    }
}

pub trait Scheduler {
    fn name(&self) -> &str;
    fn on_offer(&mut self, offer: &OfferView, work: &WorkView, out: &mut Decision);
    /// A task of `job` was launched with this locality.
    fn on_launch(&mut self, _job: u32, _locality: Locality, _now: SimTime) {}
    /// `job` left the framework (all its tasks ended); forget its state.
    fn on_job_end(&mut self, _job: u32) {}
}

pub fn build(cfg: &FrameworkConfig) -> Box<dyn Scheduler> {
    match cfg.scheduler {
        SchedulerKind::Greedy => Box::new(greedy::Greedy::with_order(cfg.job_order)),
        SchedulerKind::Hold => Box::new(hold::Hold),
        SchedulerKind::Delay => Box::new(delay::Delay::new(
            cfg.job_order,
            crate::sim::time::secs_to_us(cfg.node_wait_s),
            crate::sim::time::secs_to_us(cfg.rack_wait_s),
        )),
    }
}
