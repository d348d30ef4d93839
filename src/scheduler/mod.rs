//! Framework-side policies. A scheduler sees one offer and its framework's pending work, and
//! returns a decision as data: tasks to launch, or hold the offer, and the decline filter for what
//! it does not use. The framework side and the master validate and apply the decision.
//!
//! # Writing a scheduler
//! Implement [`Scheduler`]. In `on_offer`, push [`Launch`]es naming pending tasks (a group and a
//! task index within it, from [`WorkView::pending_tasks`]) whose total fits the offer, including
//! `offer.executor` once if it is non-zero. Whatever is not launched is declined with
//! `refuse` (None: the framework's default filter). The offers of one allocation run arrive
//! together and are decided one after the other in offer order; each sees the pending work as
//! the earlier ones left it.
//!
//! A batch can hold every free agent of the cluster. A scheduler that only launches where its
//! tasks' data is can say so ([`Scheduler::wanted`]): the framework side then shows it the
//! offers on those agents only, in offer order, and skips the others, which get the empty
//! decision they would have got.

pub(crate) mod delay;
#[doc(hidden)]
pub mod fixture;
pub(crate) mod greedy;
pub(crate) mod hold;
pub(crate) mod index;

use crate::cluster::agent::{AgentId, RackId, RoleId};
use crate::cluster::ids::{GenSlab, GroupKey, JobKey, OfferId};
use crate::cluster::placement::Placement;
use crate::cluster::resources::{MinAllocatable, Resources};
use crate::cluster::task::{Group, Job, Locality, Prefs};
use crate::sim::{SimDuration, SimTime};
use std::collections::BTreeMap;

/// The built-in schedulers (`scheduler = "..."`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SchedulerKind {
    Greedy,
    Delay,
    Hold,
}

impl SchedulerKind {
    pub const NAMES: [&'static str; 3] = ["greedy", "delay", "hold"];
    pub fn parse(s: &str) -> Option<SchedulerKind> {
        Some(match s {
            "greedy" => SchedulerKind::Greedy,
            "delay" => SchedulerKind::Delay,
            "hold" => SchedulerKind::Hold,
            _ => return None,
        })
    }
}

/// The order in which a framework considers its jobs (`job_order`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobOrder {
    /// Submission order.
    Fifo,
    /// Fewest running tasks first, then submission order.
    Fair,
}

impl JobOrder {
    pub fn parse(s: &str) -> Option<JobOrder> {
        match s {
            "fifo" => Some(JobOrder::Fifo),
            "fair" => Some(JobOrder::Fair),
            _ => None,
        }
    }
}

/// Which built-in scheduler a framework runs, with its settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SchedulerSpec {
    pub kind: SchedulerKind,
    pub job_order: JobOrder,
    pub node_wait: SimDuration,
    pub rack_wait: SimDuration,
}

/// The offer as the scheduler sees it.
#[derive(Clone, Debug)]
pub struct OfferView {
    pub id: OfferId,
    pub agent: AgentId,
    pub rack: RackId,
    pub role: RoleId,
    pub resources: Resources,
    /// Executor resources the first task launched here must also fit (zero when the
    /// framework's executor already runs on this agent or it has none).
    pub executor: Resources,
}

/// What a scheduler may know of one of its task groups.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GroupInfo {
    pub key: GroupKey,
    pub job: JobKey,
    /// Resources of each task.
    pub shape: Resources,
    /// Tasks waiting to be launched.
    pub pending: u32,
    /// Its tasks prefer some agents (`input` or `preferred_nodes`).
    pub has_prefs: bool,
    /// The trace row's `priority` column (0 when absent).
    pub priority: i64,
}

/// What a scheduler may know of one of its jobs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JobInfo {
    pub key: JobKey,
    /// Submission order (unique in a run).
    pub seq: u64,
    pub running: u32,
}

/// The offers of a batch a scheduler still wants to see (see [`Scheduler::wanted`]): those on
/// these agents, or on any agent of these racks. `agents` without duplicates, in any order (a
/// scheduler may list thousands of replica holders; sorting them would cost more than the
/// framework side's lookup); `racks` sorted, without duplicates.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Wanted {
    pub agents: Vec<AgentId>,
    pub racks: Vec<RackId>,
}

impl Wanted {
    pub fn clear(&mut self) {
        self.agents.clear();
        self.racks.clear();
    }

    /// Whether an offer on `agent` (in `rack`) is wanted (linear in `agents`: for one
    /// question; the framework side indexes `agents` once per answer instead).
    pub fn has(&self, agent: AgentId, rack: RackId) -> bool {
        self.agents.contains(&agent) || self.racks.binary_search(&rack).is_ok()
    }
}

/// The framework's pending work, read-only.
pub struct WorkView<'a> {
    pub(crate) now: SimTime,
    /// Groups with pending tasks, by submission order (seq -> group key).
    pub(crate) pending: &'a BTreeMap<u64, GroupKey>,
    pub(crate) groups: &'a GenSlab<GroupKey, Group>,
    pub(crate) jobs: &'a GenSlab<JobKey, Job>,
    /// The minimum an offer remainder must hold to be worth scanning further.
    pub(crate) min_allocatable: &'a MinAllocatable,
    pub(crate) placement: &'a Placement,
    /// Identifies the pending work: two views with the same version and placement epoch at
    /// the same `now` show the same work (None: unknown, nothing may be reused; see `stamp`).
    pub(crate) version: Option<u64>,
    /// Counts the changes to this framework's pending work other than its scheduler's own
    /// launches (arrivals, tasks back to pending, abandoned jobs): between two views with the
    /// same count, the pending work differs exactly by the tasks the scheduler launched (None:
    /// unknown).
    pub(crate) changes: Option<u64>,
    /// Counts the rebuilds of `placement` (agents joined or left, so replicas moved): an index
    /// of preferred agents built under another count is stale.
    pub(crate) placement_epoch: u64,
}

impl<'a> WorkView<'a> {
    /// A view that promises nothing to reuse: no stamp, no change count, placement epoch 0.
    pub(crate) fn new(
        now: SimTime,
        pending: &'a BTreeMap<u64, GroupKey>,
        groups: &'a GenSlab<GroupKey, Group>,
        jobs: &'a GenSlab<JobKey, Job>,
        min_allocatable: &'a MinAllocatable,
        placement: &'a Placement,
    ) -> WorkView<'a> {
        WorkView {
            now,
            pending,
            groups,
            jobs,
            min_allocatable,
            placement,
            version: None,
            changes: None,
            placement_epoch: 0,
        }
    }

    /// The pending work's version and the placement epoch together, if the version is known.
    pub(crate) fn stamp(&self) -> Option<(u64, u64)> {
        self.version.map(|v| (v, self.placement_epoch))
    }

    pub fn now(&self) -> SimTime {
        self.now
    }

    /// Groups with pending tasks, in submission order.
    pub fn pending_groups(&self) -> impl Iterator<Item = GroupKey> + '_ {
        self.pending.values().copied()
    }

    /// Nothing is pending.
    pub fn is_idle(&self) -> bool {
        self.pending.is_empty()
    }

    /// Some pending task fits the offer (with the executor it would need). An offer that fits
    /// none is no free slot: the built-in schedulers ignore it.
    pub fn fits_some(&self, offer: &OfferView) -> bool {
        self.pending.values().any(|&g| {
            offer
                .resources
                .contains(&(self.groups[g].shape + offer.executor))
        })
    }

    pub fn group(&self, g: GroupKey) -> GroupInfo {
        let grp = &self.groups[g];
        GroupInfo {
            key: g,
            job: grp.job,
            shape: grp.shape,
            pending: grp.pending(),
            has_prefs: grp.prefs.is_some(),
            priority: grp.priority,
        }
    }

    pub fn job(&self, j: JobKey) -> JobInfo {
        let job = &self.jobs[j];
        JobInfo {
            key: j,
            seq: job.seq,
            running: job.running,
        }
    }

    /// Pending task indices of a group, resubmitted ones first.
    pub fn pending_tasks(&self, group: GroupKey) -> impl Iterator<Item = u32> + '_ {
        let g = &self.groups[group];
        g.requeued.iter().copied().chain(g.next..g.count)
    }

    /// The minimum an offer (or what is left of it) must hold to be allocatable.
    pub fn min_allocatable(&self) -> &MinAllocatable {
        self.min_allocatable
    }

    /// Locality of a group's task on an agent (node-local, rack-local, off-rack or none).
    pub fn locality(&self, group: GroupKey, task: u32, agent: AgentId) -> Locality {
        let grp = &self.groups[group];
        match &grp.prefs {
            None => Locality::None,
            Some(Prefs::Nodes(n)) => self.placement.locality(n, agent),
            Some(Prefs::Input(name)) => {
                let v = self.placement.replica_set(name, grp.base + task);
                self.placement.locality(&v, agent)
            }
        }
    }

    /// The preferred agents of a group's task, each with its rack (replica holders of its
    /// block, or the row's `preferred_nodes`); left empty when the task has no preference.
    /// Schedulers that index pending tasks by agent call it once per task instead of asking
    /// `locality` for every (task, offer) pair.
    pub fn preferred(&self, group: GroupKey, task: u32, out: &mut Vec<(AgentId, RackId)>) {
        let grp = &self.groups[group];
        self.placement
            .preferred(grp.prefs.as_ref(), grp.base + task, out);
    }
}

/// A task to launch: task `task` of group `group`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Launch {
    pub group: GroupKey,
    pub task: u32,
}

#[derive(Clone, Debug, Default)]
pub struct Decision {
    /// Keep the offer outstanding (the `hold` scheduler); `launch` must then be empty.
    pub hold: bool,
    pub launch: Vec<Launch>,
    /// Filter for the unused part; None = the framework's default.
    pub refuse: Option<SimDuration>,
    /// RESERVE this much of the offer's unreserved resources for the offer's role before the
    /// launches (Mesos's RESERVE offer operation in an ACCEPT); the master checks that the offer
    /// holds it. Not with `hold`.
    pub reserve: Option<crate::cluster::resources::Resources>,
}

impl Decision {
    pub fn clear(&mut self) {
        self.hold = false;
        self.launch.clear();
        self.refuse = None;
        self.reserve = None;
    }
}

/// A framework-side policy.
pub trait Scheduler {
    fn name(&self) -> &str;
    fn on_offer(&mut self, offer: &OfferView, work: &WorkView, out: &mut Decision);
    /// Asked before each offer of a batch: true when no further offer of the batch could make
    /// this scheduler launch, hold or remember anything (say, nothing is pending). The rest of
    /// the batch is then declined, as `on_offer` returning an empty decision for each would.
    /// Default: never (every offer is shown).
    fn done(&self, _work: &WorkView) -> bool {
        false
    }
    /// Asked between the offers of a batch, after the first one that fits a pending task
    /// ([`WorkView::fits_some`]): which of the remaining offers could make it launch. False
    /// (the default): any, show them all. True: only those `out` names (it comes cleared).
    ///
    /// Answering true promises, for every other offer: `on_offer` would decide it empty, and
    /// what it would change in the scheduler is changed again by the next offer shown that
    /// fits a pending task (for `delay`: the skip marks, which every such offer resets). The
    /// framework side skips those offers (they are declined as empty decisions are) and, when
    /// no later offer fitting a pending task is shown, shows the last skipped one that fits at
    /// the end of the batch, so the scheduler ends in the state the whole walk leaves.
    fn wanted(&mut self, _work: &WorkView, _out: &mut Wanted) -> bool {
        false
    }
    /// A task of `job` was launched with this locality.
    fn on_launch(&mut self, _job: JobKey, _locality: Locality, _now: SimTime) {}
    /// `job` left the framework (all its tasks ended); forget its state.
    fn on_job_end(&mut self, _job: JobKey) {}
}

/// Builds a built-in scheduler.
pub fn build(spec: &SchedulerSpec) -> Box<dyn Scheduler> {
    match spec.kind {
        SchedulerKind::Greedy => Box::new(greedy::Greedy::with_order(spec.job_order)),
        SchedulerKind::Hold => Box::new(hold::Hold),
        SchedulerKind::Delay => Box::new(delay::Delay::new(
            spec.job_order,
            spec.node_wait,
            spec.rack_wait,
        )),
    }
}
