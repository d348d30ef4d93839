//! The master's view of a framework: its roles, suppression, decline filters and allocation.
//! (What the framework itself wants to run lives in the workload tables and its scheduler.)

use super::agent::{AgentId, Pools, RoleId};
use super::resources::{MinAllocatable, Resources};
use crate::scenario::FrameworkConfig;
use crate::sim::SimTime;

/// The filters of one framework.
/// The Fx hasher: fast on small integer keys, and unseeded, so nothing about it varies between
/// runs (the map is never iterated to decide anything anyway).
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

#[derive(Clone, Debug)]
pub struct FwRole {
    pub role: RoleId,
    pub suppressed: bool,
    /// Replaces the master's min_allocatable for this role when set.
    pub min_allocatable: Option<MinAllocatable>,
    /// Offered plus used, under this role.
    pub allocated: Resources,
}

#[derive(Clone, Debug)]
pub struct Framework {
    pub name: String,
    pub cfg: FrameworkConfig,
    pub roles: Vec<FwRole>,
    /// Subscribed and not failed over / removed.
    pub active: bool,
    pub removed: bool,
    pub gpu_capable: bool,
    /// Decline filters by (role, agent). A hash map: it is only looked up, swept and cleared,
    /// never iterated to decide anything.
    pub filters: Filters,
    pub allocated: Resources,
    pub outstanding_offers: u32,
}

impl Framework {
    pub fn role_index(&self, role: RoleId) -> Option<usize> {
        self.roles.iter().position(|r| r.role == role)
    }

    /// Whether the allocator may offer to this framework under `role` at all.
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
        if self.filters.is_empty() {
            return false;
        }
        match self.filters.get(&(role, agent)) {
            Some(v) => v
                .iter()
                .any(|f| f.live(now, seq) && f.refused.contains(offer)),
            None => false,
        }
    }
}
