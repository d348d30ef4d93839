//! Agent updates after registration (Mesos's `updateSlave`): new total resources, where an
//! agent may end up owing resources it no longer has (`updateSlaveTotal`, the
//! UpdateSlaveTotalResources test), and new agent capabilities. Kept apart from `agents.rs`
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
            // Unreserved resources in use (offered or used by tasks), owed part included.
            let used = old.unres + ag.owed - ag.free.unres;
            ag.free.unres = new_unres.saturating_sub(&used);
            ag.owed = used.saturating_sub(&new_unres);
            ag.total.unres = new_unres;
            ag.has_gpus = total.0[crate::cluster::resources::GPUS] > 0;
        }
        let has_gpus = self.agents[a.idx()].has_gpus;
        self.free.register(a, !old.res.is_empty(), has_gpus);
        if active {
            self.total -= old.unres;
            self.total += new_unres;
            let new = self.agents[a.idx()].total.clone();
            // The sorters' totals, as `updateSlaveTotal` does: remove the old, add the new.
            self.notify(
                now,
                seq,
                Change::AgentRemoved {
                    agent: a,
                    total: &old,
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
        Ok(true)
    }

    /// Resources just came back to the agent's free pools: they pay off what it owes first.
    pub(super) fn settle_owed(&mut self, a: AgentId) {
        let ag = &mut self.agents[a.idx()];
        if ag.owed.is_zero() {
            return;
        }
        let paid = ag.owed.min(&ag.free.unres);
        ag.owed -= paid;
        ag.free.sub(&Pools::unreserved(paid));
    }
}
