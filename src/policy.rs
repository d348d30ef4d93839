//! The stable plug-in surface: what an allocation policy or a framework scheduler written
//! outside offersim sees and returns. Everything a policy needs is here; the rest of the crate's
//! model is private to it.
//!
//! - An [`Allocator`] (master side) gets a read-only [`View`] of agents, frameworks and roles,
//!   the agents to consider and the run's seeded shuffle stream, and returns [`Grant`]s. It is
//!   told of every change to allocations through [`Change`]s, and may name running tasks to
//!   preempt ([`Allocator::preempt`], with a [`PreemptView`]).
//! - A [`Scheduler`] (framework side) gets one [`OfferView`] at a time and its framework's
//!   pending work ([`WorkView`]), and returns a [`Decision`]: [`Launch`]es, or hold, and the
//!   filter for what it declines.
//! - The master validates every grant, and the framework side every decision, before applying
//!   it: a grant that exceeds what the role may use on the agent, or a launch that names a task
//!   that is not pending or does not fit its offer, stops the run with an error naming the
//!   policy (exit code 3).
//!
//! Ids are typed: agents, roles, racks and frameworks are dense indices never reused in a run
//! ([`AgentId::idx`]); jobs, task groups and tasks have generational keys, so a key of something
//! that ended never names what took its place.
//!
//! Run a scenario with plug-ins through [`crate::experiment::simulate_with`] and
//! [`crate::experiment::Plugins`]; `examples/emptiest_agent.rs` is a complete allocator.

pub use crate::allocator::{
    Allocator, Change, Grant, OfferMode, PreemptView, RoleInfo, Run, RunGrant, RunningTask, View,
};
pub use crate::cluster::agent::{Agent, Pools};
pub use crate::cluster::framework::{Framework, FwRole};
pub use crate::cluster::ids::{
    AgentId, FrameworkId, GroupKey, JobKey, OfferId, RackId, RoleId, TaskKey,
};
pub use crate::cluster::resources::{Limits, MinAllocatable, Resources};
pub use crate::cluster::task::Locality;
pub use crate::experiment::{simulate_with, Plugins, RunOptions, RunOutcome};
pub use crate::metrics::files::SUMMARY_COLS;
pub use crate::scenario::FrameworkConfig;
pub use crate::scenario::{load as load_scenario, Scenario};
pub use crate::scheduler::{
    Decision, GroupInfo, JobInfo, JobOrder, Launch, OfferView, Scheduler, SchedulerKind,
    SchedulerSpec, Wanted, WorkView,
};
pub use crate::sim::bitset::BitSet;
pub use crate::sim::{SimDuration, SimTime};
/// The random source an allocator is handed (the run's agent-shuffle stream).
pub use rand::RngCore;
