//! The master's record of a framework: its roles, suppression, decline filters and allocation.
//! (What the framework itself wants to run lives on the framework side, `frameworks.rs`.)

use super::agent::{AgentId, Pools, RoleId};
use super::filter_index::FilterIndex;
use super::resources::{MinAllocatable, Resources};
use crate::sim::bitset::BitSet;
use crate::sim::SimTime;

/// The filters of one framework, by (role, agent). The Fx hasher: fast on small integer keys,
/// and unseeded, so nothing about it varies between runs (the map is only looked up, swept and
/// cleared, never iterated to decide anything).
pub type Filters = rustc_hash::FxHashMap<(RoleId, AgentId), smallvec::SmallVec<[Filter; 1]>>;

/// A decline filter: offers on (framework, role, agent) contained in `refused` are not made.
/// Its expiry is a timer checked lazily: `seq` is the sequence number its expiry event would have
/// had, so it expires before exactly the events that such an event would have preceded.
#[derive(Clone, Debug)]
pub struct Filter {
    pub refused: Pools,
    pub expires: SimTime,
    pub seq: u64,
}

impl Filter {
    /// Still in force for the event at (now, seq)?
    #[inline]
    pub fn live(&self, now: SimTime, seq: u64) -> bool {
        (self.expires, self.seq) > (now, seq)
    }
}

/// A decline filter on many agents at once: the framework declined each of them whole (every
/// free resource of an agent without reservations) under `role`. While an agent is unchanged
/// since, what it could be offered is contained in what was refused, so the record blocks it
/// exactly as a per-agent filter would; before an agent's free resources change, the master
/// turns its part of the record into a per-agent filter with the refused amount
/// (`Master::touch`), so the record only ever covers unchanged agents.
#[derive(Clone, Debug)]
pub struct BulkFilter {
    pub(crate) role: RoleId,
    pub(crate) agents: BitSet,
    pub(crate) expires: SimTime,
    pub(crate) seq: u64,
}

impl BulkFilter {
    #[inline]
    pub fn live(&self, now: SimTime, seq: u64) -> bool {
        (self.expires, self.seq) > (now, seq)
    }
}

/// A framework's subscription to one role.
#[derive(Clone, Debug)]
pub struct FwRole {
    pub(crate) role: RoleId,
    pub(crate) suppressed: bool,
    /// Replaces the master's min_allocatable for this role when set.
    pub(crate) min_allocatable: Option<MinAllocatable>,
    /// Offered plus used, under this role.
    pub(crate) allocated: Resources,
}

impl FwRole {
    pub fn role(&self) -> RoleId {
        self.role
    }
    pub fn is_suppressed(&self) -> bool {
        self.suppressed
    }
    /// Offered plus used under this role.
    pub fn allocated(&self) -> &Resources {
        &self.allocated
    }
}

#[derive(Clone, Debug)]
pub struct Framework {
    pub(crate) name: String,
    pub(crate) roles: Vec<FwRole>,
    /// Subscribed and not failed over / removed.
    pub(crate) active: bool,
    pub(crate) removed: bool,
    pub(crate) gpu_capable: bool,
    /// Mesos's MULTI_ROLE framework capability: declared, or implied by several roles (Mesos
    /// requires it for those). Agents without MULTI_ROLE are not offered to it.
    pub(crate) multi_role: bool,
    /// Mesos's REVOCABLE_RESOURCES capability: revocable resources are offered to it only.
    pub(crate) revocable: bool,
    pub(crate) filters: Filters,
    pub(crate) bulk_filters: Vec<BulkFilter>,
    /// The agents `filters` block now, per role (exact after `Master::refresh_blocked`).
    pub(crate) index: FilterIndex,
    pub(crate) allocated: Resources,
    pub(crate) outstanding_offers: u32,
}

impl Framework {
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn roles(&self) -> &[FwRole] {
        &self.roles
    }

    /// Offered plus used, over all its roles.
    pub fn allocated(&self) -> &Resources {
        &self.allocated
    }

    pub fn is_gpu_capable(&self) -> bool {
        self.gpu_capable
    }

    pub fn is_multi_role(&self) -> bool {
        self.multi_role
    }

    pub fn is_revocable_capable(&self) -> bool {
        self.revocable
    }

    /// Subscribed and connected (not failed over, not removed).
    pub fn is_active(&self) -> bool {
        self.active && !self.removed
    }

    pub fn is_removed(&self) -> bool {
        self.removed
    }

    pub fn role_index(&self, role: RoleId) -> Option<usize> {
        self.roles.iter().position(|r| r.role == role)
    }

    /// Whether the allocator may offer to this framework under its `role_idx`-th role at all.
    pub fn wants_offers(&self, role_idx: usize) -> bool {
        self.active && !self.removed && !self.roles[role_idx].suppressed
    }

    /// Mesos's subset rule: filtered if a filter still in force at (now, seq) refused a
    /// superset of `offer`.
    pub fn is_filtered(
        &self,
        role: RoleId,
        agent: AgentId,
        offer: &Pools,
        now: SimTime,
        seq: u64,
    ) -> bool {
        self.bulk_filtered(role, agent, now, seq)
            || self.per_agent_filtered((role, agent), offer, (now, seq))
    }

    /// Whether a live bulk record of `role` covers `agent` (it blocks any offer there).
    pub fn bulk_filtered(&self, role: RoleId, agent: AgentId, now: SimTime, seq: u64) -> bool {
        self.bulk_filters
            .iter()
            .any(|b| b.role == role && b.agents.contains(agent.raw()) && b.live(now, seq))
    }

    /// Whether a live per-agent filter on `key` (role, agent) refused a superset of `offer` at
    /// (now, seq).
    pub fn per_agent_filtered(
        &self,
        key: (RoleId, AgentId),
        offer: &Pools,
        (now, seq): (SimTime, u64),
    ) -> bool {
        if self.filters.is_empty() {
            return false;
        }
        match self.filters.get(&key) {
            // Newest first: a repeated decline of an agent appends to its list, and the newest
            // filter is the one most likely still in force.
            Some(v) => v
                .iter()
                .rev()
                .any(|f| f.live(now, seq) && f.refused.contains(offer)),
            None => false,
        }
    }
}
