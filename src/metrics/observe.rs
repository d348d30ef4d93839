//! The one interface through which metrics see a run: the model tells an [`Observer`] what
//! happened, in the order it happened, and never asks anything back. The model keeps its own
//! accounting (it does not read counters from here), so an observer can be swapped or dropped
//! without changing a decision.

use crate::cluster::ids::OfferId;
use crate::cluster::resources::Resources;
use crate::cluster::task::{Job, Locality, Task, TaskState};
use crate::sim::{SimDuration, SimTime};

/// What became of an offer (offers.csv's `outcome`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OfferOutcome {
    /// Some task was launched from it.
    Accepted,
    Declined,
    Rescinded,
}

impl OfferOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            OfferOutcome::Accepted => "accepted",
            OfferOutcome::Declined => "declined",
            OfferOutcome::Rescinded => "rescinded",
        }
    }
}

/// A framework's share as the fairness metrics see it at an instant.
#[derive(Clone, Debug, PartialEq)]
pub struct FairShare {
    pub framework: String,
    /// Dominant share of everything it holds (offered plus used), over the cluster totals.
    pub share: f64,
    /// The weight of its first role.
    pub weight: f64,
    /// It has tasks waiting to be launched.
    pub wants_more: bool,
}

/// One thing that happened. Borrowed data is valid for the call only.
#[derive(Clone, Copy, Debug)]
pub enum Observation<'a> {
    FrameworkSubscribed {
        framework: &'a str,
    },
    OfferMade {
        id: OfferId,
        framework: &'a str,
        role: &'a str,
        agent: &'a str,
        /// The regular part (reservations included).
        resources: &'a Resources,
        /// The revocable part (zero unless agents have revocable resources).
        revocable: &'a Resources,
    },
    OfferResolved {
        id: OfferId,
        outcome: OfferOutcome,
    },
    /// Offers made in bulk, when offers are not reported one by one (no offer rows).
    OffersMade {
        count: u64,
    },
    /// Offers resolved together, when offers are not reported one by one.
    OffersResolved {
        count: u64,
        outcome: OfferOutcome,
    },
    /// A framework's allocation (offered plus used) in a role changed.
    Share {
        framework: &'a str,
        role: &'a str,
        allocated: &'a Resources,
        share: f64,
    },
    /// The shares of the frameworks that are subscribed, whenever an input of the fairness
    /// metrics changed (shares, pending work, weights, totals); holds until the next one.
    Fairness {
        shares: &'a [FairShare],
    },
    /// Simulated time moves on to `to`; what held since the last call held until then.
    Advance {
        to: SimTime,
        total: &'a Resources,
    },
    JobSubmitted,
    TasksSubmitted {
        count: u64,
    },
    /// Tasks that will never run (their framework left, their job was abandoned, or the run
    /// ended before they launched).
    TasksUnscheduled {
        count: u64,
    },
    JobAbandoned,
    TaskLaunched {
        locality: Locality,
    },
    /// Resources started to be used by a task or an executor on an agent.
    Used {
        resources: &'a Resources,
    },
    /// Resources used by a task or an executor were released.
    Released {
        resources: &'a Resources,
    },
    /// A task attempt ended (finished, lost, killed, preempted), or is still staging or
    /// running when the run ends.
    TaskEnded {
        job_id: &'a str,
        /// The task, with its own row's submit (tasks.csv's `submit_s`).
        task: &'a Task,
        agent: &'a str,
        framework: &'a str,
        state: TaskState,
    },
    /// A job's last task ended (`end` Some), or the run ended with the job unfinished.
    JobEnded {
        job: &'a Job,
        framework: &'a str,
        end: Option<SimTime>,
    },
    /// An inverse offer for a maintenance window (numbered from 0 in the order made).
    InverseOfferMade {
        id: u64,
        framework: &'a str,
        agent: &'a str,
        start: SimTime,
        duration: SimDuration,
    },
    /// An outstanding inverse offer was rescinded (its window started or was replaced, or its
    /// framework left).
    InverseOfferRescinded {
        id: u64,
    },
    /// At the end of a run: the time a framework spent deciding.
    SchedulerBusy {
        framework: &'a str,
        busy: SimDuration,
        /// It has a decision time at all (busyness means something).
        decides: bool,
    },
}

/// Something that watches a run.
pub trait Observer {
    fn observe(&mut self, now: SimTime, o: Observation<'_>);
}

/// Watches nothing (runs whose metrics nobody reads, and tests of the model alone).
#[derive(Clone, Copy, Debug, Default)]
pub struct Nobody;

impl Observer for Nobody {
    fn observe(&mut self, _now: SimTime, _o: Observation<'_>) {}
}
