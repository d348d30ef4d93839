//! Deliberate bugs, for tests only: each breaks one piece of the model's bookkeeping the way a
//! real bug would, so that the test of each invariant in `invariants.rs` can show that the check
//! fires, with its own message, through the whole run (engine, dispatcher, error). Plug-in
//! policies cannot do this: the master and the framework side validate every decision they
//! return, so only the sorter-share check can be reached from outside (tests/integration/
//! invariants.rs does that one).

use super::resources::Resources;
use super::{AgentId, Cluster, Event};
use crate::sim::engine::Ctx;
use crate::sim::SimTime;
use std::cell::Cell;

/// One bug per invariant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Bug {
    /// A live task's state says it finished.
    LiveTaskEnded,
    /// An agent running a task is marked removed without its task being lost.
    RemovedAgentHolds,
    /// An agent's free resources go below zero.
    OverAllocated,
    /// An agent gains free resources from nowhere.
    FreeFromNowhere,
    /// An agent with free resources drops out of the free set.
    StaleFreeSet,
    /// A framework's allocation drifts from its offers and tasks.
    FrameworkDrift,
    /// One of a framework's role allocations drifts from the framework's.
    RoleDrift,
    /// A framework holding an offer is deactivated without its offers being rescinded.
    OfferToInactive,
    /// The master disconnects an agent with an outstanding offer without rescinding it.
    OfferOnDisconnected,
    /// An agent held whole by a bulk offer is disconnected without the bulk being rescinded.
    BulkOnDisconnected,
    /// The fault model disconnects an agent the master still takes as connected.
    FaultsDisagree,
    /// The fault model marks a registered agent down.
    DownButRegistered,
    /// A submitted task is forgotten.
    TaskForgotten,
    /// The live-task count drifts from the task table.
    LiveCountDrift,
    /// An event is scheduled in the past.
    PastEvent,
}

thread_local! {
    /// The bug to inject in this thread's next run, from the given instant on (a run happens
    /// in the thread that calls `simulate`).
    static BUG: Cell<Option<(Bug, SimTime)>> = const { Cell::new(None) };
}

/// Arms `bug` for the runs of this thread, to be injected at the first step at or after `at`
/// where it applies.
pub(crate) fn arm(bug: Bug, at: SimTime) {
    BUG.with(|b| b.set(Some((bug, at))));
}

impl Cluster<'_> {
    /// Injects the armed bug if its time has come and the state allows it (an agent with a
    /// task, a framework with an offer...); otherwise it stays armed for a later step.
    pub(super) fn sabotage(&mut self, ctx: &mut Ctx<Event>) {
        let Some((bug, at)) = BUG.with(|b| b.get()) else {
            return;
        };
        if ctx.now() < at || !self.inject(bug, ctx) {
            return;
        }
        BUG.with(|b| b.set(None));
    }

    fn inject(&mut self, bug: Bug, ctx: &mut Ctx<Event>) -> bool {
        let n = self.master.agents().len();
        let agents = (0..n).map(|i| AgentId::new(i as u32));
        let offered: Vec<AgentId> = self.master.offers().map(|o| o.agent).collect();
        let with_task: Vec<AgentId> = self.tasks.iter().map(|(_, t)| t.agent).collect();
        let one_cpu = Resources::cpus_mem(1.0, 0.0);
        match bug {
            Bug::LiveTaskEnded => self.tasks.end_first_for_tests(),
            Bug::RemovedAgentHolds => with_task.first().is_some_and(|&a| {
                self.master.agents_mut_for_tests()[a.idx()].active = false;
                true
            }),
            Bug::OverAllocated => agents.clone().next().is_some_and(|a| {
                let ag = &mut self.master.agents_mut_for_tests()[a.idx()];
                let mut minus = super::agent::Pools::unreserved(ag.total.total());
                minus.add(&super::agent::Pools::unreserved(one_cpu));
                ag.free.sub(&minus);
                true
            }),
            Bug::FreeFromNowhere => agents.clone().next().is_some_and(|a| {
                let ag = &mut self.master.agents_mut_for_tests()[a.idx()];
                ag.free.add(&super::agent::Pools::unreserved(one_cpu));
                true
            }),
            Bug::StaleFreeSet => {
                let free = self.master.free_agents().iter().next();
                free.is_some_and(|a| {
                    self.master.forget_free_for_tests(AgentId::new(a));
                    true
                })
            }
            Bug::FrameworkDrift => {
                !self.master.frameworks().is_empty() && {
                    self.master.frameworks_mut_for_tests()[0].allocated += one_cpu;
                    true
                }
            }
            Bug::RoleDrift => {
                !self.master.frameworks().is_empty() && {
                    self.master.frameworks_mut_for_tests()[0].roles[0].allocated += one_cpu;
                    true
                }
            }
            Bug::OfferToInactive => {
                let fw = self.master.offers().map(|o| o.fw).next();
                fw.is_some_and(|fw| {
                    self.master.frameworks_mut_for_tests()[fw.idx()].active = false;
                    true
                })
            }
            Bug::OfferOnDisconnected => {
                // An agent offered whole, one by one, so that the free-set check stays quiet.
                let a = offered
                    .iter()
                    .copied()
                    .find(|a| self.master.agent(*a).free.is_empty());
                a.is_some_and(|a| {
                    self.master.agents_mut_for_tests()[a.idx()].disconnected = true;
                    true
                })
            }
            Bug::BulkOnDisconnected => {
                let a = self.master.held_agents().iter().next();
                a.is_some_and(|a| {
                    self.master.agents_mut_for_tests()[a as usize].disconnected = true;
                    true
                })
            }
            Bug::FaultsDisagree => {
                let a = agents.clone().find(|a| !offered.contains(a));
                a.is_some_and(|a| {
                    self.faults.mark_for_tests(a, true, false);
                    true
                })
            }
            Bug::DownButRegistered => agents.clone().next().is_some_and(|a| {
                self.faults.mark_for_tests(a, false, true);
                true
            }),
            Bug::TaskForgotten => {
                self.fws.miscount_for_tests(1, 0);
                true
            }
            Bug::LiveCountDrift => {
                // Both counts move, so the ledger still adds up and only the table disagrees.
                self.fws.miscount_for_tests(1, 1);
                true
            }
            Bug::PastEvent => {
                ctx.now() > SimTime::ZERO && {
                    let t = SimTime::from_us(ctx.now().us() - 1);
                    ctx.at(t, Event::Tick);
                    true
                }
            }
        }
    }
}

/// Disarms this thread's bug (a test that expected it to fire and saw it not fire must not
/// leave it for the next test in the thread).
pub(crate) fn disarm() {
    BUG.with(|b| b.set(None));
}
