//! Agent updates after registration (Mesos's `updateSlave`): new total resources, where an
//! agent may end up owing resources it no longer has (`updateSlaveTotal`, the
//! UpdateSlaveTotalResources test), new revocable (oversubscribed) totals, which follow the same
//! owed rule (`updateSlave` with oversubscribed resources, the
//! UpdateSlaveOversubscribedResources test), and new agent capabilities. Kept apart from `agents.rs`
//! so that the owed-resources bookkeeping has one home.

use super::Master;
use crate::allocator::Change;
use crate::cluster::agent::{AgentCapabilities, AgentId, Pools};
use crate::cluster::resources::Resources;
use crate::sim::SimTime;

impl Master {
    /// Replaces the agent's capabilities; true if they changed (Mesos then runs an allocation
    /// for the agent; its filters stay).
    pub fn update_capabilities(&mut self, a: AgentId, caps: AgentCapabilities) -> bool {
        if self.agents[a.idx()].capabilities == caps {
            return false;
        }
        self.agents[a.idx()].capabilities = caps;
        self.free.set_limited(a, !caps.is_all());
        true
    }

    /// Replaces the agent's total (reservations included; they stay as they are, so the new
    /// total must hold them: `Err` names the reservation total otherwise). Returns whether the
    /// total changed. What is in use stays in use: where it exceeds the new total, the
    /// difference is owed and nothing of that resource is free until it is paid off. Offers
    /// are not rescinded and filters stay, as in Mesos's `updateSlaveTotal`.
    pub fn update_total(
        &mut self,
        a: AgentId,
        total: Resources,
        now: SimTime,
        seq: u64,
    ) -> Result<bool, Resources> {
        let old = self.agents[a.idx()].total.clone();
        let reserved = old.reserved_total();
        if !total.contains(&reserved) {
            return Err(reserved);
        }
        let new_unres = total - reserved;
        if new_unres == old.unres {
            return Ok(false);
        }
        // Bulk filters and bulk offers on the agent become per-agent records first: its free
        // resources are about to change.
        self.touch(a);
        let active = self.agents[a.idx()].active;
        {
            let ag = &mut self.agents[a.idx()];
            owe(old.unres, new_unres, &mut ag.free.unres, &mut ag.owed);
            ag.total.unres = new_unres;
            ag.has_gpus = total.0[crate::cluster::resources::GPUS] > 0;
        }
        let has_gpus = self.agents[a.idx()].has_gpus;
        self.free.register(a, !old.res.is_empty(), has_gpus);
        self.retotal(a, &old, active, now, seq);
        Ok(true)
    }

    /// Replaces the agent's revocable total (Mesos's `updateSlave` with new oversubscribed
    /// resources: the master passes the regular total plus the new revocable part to
    /// `updateSlaveTotal`). Returns whether it changed. As for the regular total, what offers
    /// hold of the revocable part stays held, and what exceeds a lowered total is owed
    /// (`Agent::owed_rev`); offers are not rescinded.
    pub fn update_revocable(&mut self, a: AgentId, rev: Resources, now: SimTime, seq: u64) -> bool {
        let old = self.agents[a.idx()].total.clone();
        if old.rev == rev {
            return false;
        }
        if !rev.is_zero() {
            // From now on every run takes the exact per-agent path (docs/mesos-semantics.md §17).
            self.revocable = true;
        }
        self.touch(a);
        let active = self.agents[a.idx()].active;
        {
            let ag = &mut self.agents[a.idx()];
            owe(old.rev, rev, &mut ag.free.rev, &mut ag.owed_rev);
            ag.total.rev = rev;
        }
        self.retotal(a, &old, active, now, seq);
        true
    }

    /// The agent's total changed from `old`: an active agent's totals move in the cluster's
    /// sum and in the allocator, as `updateSlaveTotal` tells the sorters (the old total removed,
    /// the new one added); its free-set membership is refreshed.
    fn retotal(&mut self, a: AgentId, old: &Pools, active: bool, now: SimTime, seq: u64) {
        if active {
            let new = self.agents[a.idx()].total.clone();
            self.total -= old.total();
            self.total += new.total();
            self.notify(
                now,
                seq,
                Change::AgentRemoved {
                    agent: a,
                    total: old,
                },
            );
            self.notify(
                now,
                seq,
                Change::AgentAdded {
                    agent: a,
                    total: &new,
                },
            );
        }
        self.set_free_membership(a);
        self.version += 1;
    }

    /// Resources just came back to the agent's free pools: they pay off what it owes first.
    pub(super) fn settle_owed(&mut self, a: AgentId) {
        let ag = &mut self.agents[a.idx()];
        if !ag.owed.is_zero() {
            let paid = ag.owed.min(&ag.free.unres);
            ag.owed -= paid;
            ag.free.sub(&Pools::unreserved(paid));
        }
        if !ag.owed_rev.is_zero() {
            let paid = ag.owed_rev.min(&ag.free.rev);
            ag.owed_rev -= paid;
            ag.free.rev -= paid;
        }
    }
}

/// One pool's total goes from `old` to `new`: what is in use (offered or used by tasks, owed part
/// included) stays in use, so the free part is what the new total leaves beyond it and the owed
/// part what it exceeds the new total by (Mesos's non-negative `total - totalOfferedOrAllocated`).
fn owe(old: Resources, new: Resources, free: &mut Resources, owed: &mut Resources) {
    let used = old + *owed - *free;
    *free = new.saturating_sub(&used);
    *owed = used.saturating_sub(&new);
}
