//! A framework's index of the agents its per-agent decline filters block now, so that an
//! allocation run subtracts one bit set per role instead of checking filters agent by agent.
//!
//! Per role the index keeps `has` (the agents with an entry in the framework's filter map: kept
//! eagerly, a superset of the map's keys) and `blocked` (the agents a live filter blocks for
//! what the role may use of their free resources now). `blocked` is exact only after
//! `Master::refresh_blocked`, which rechecks the agents whose free resources or filters changed
//! (a log on the master) and those whose filters expired (an expiry heap on the master); the
//! master's view says whether it is exact (`View::blocked_exact`).

use super::agent::{AgentId, Pools, RoleId};
use super::framework::Filters;
use crate::sim::bitset::BitSet;
use crate::sim::SimTime;

/// One role's part of the index.
#[derive(Clone, Debug, Default)]
struct RoleIndex {
    role: RoleId,
    has: BitSet,
    blocked: BitSet,
}

/// The blocked-agent index of one framework (see the module comment).
#[derive(Clone, Debug, Default)]
pub struct FilterIndex {
    /// By role, in the order roles first got a filter (a framework has a handful of roles).
    roles: Vec<RoleIndex>,
}

impl FilterIndex {
    fn get(&self, role: RoleId) -> Option<&RoleIndex> {
        self.roles.iter().find(|r| r.role == role)
    }

    /// Agent `agent` has (or may have) a per-agent filter of `role`.
    pub fn note_filter(&mut self, role: RoleId, agent: AgentId) {
        let k = match self.roles.iter().position(|r| r.role == role) {
            Some(k) => k,
            None => {
                self.roles.push(RoleIndex {
                    role,
                    ..Default::default()
                });
                self.roles.len() - 1
            }
        };
        self.roles[k].has.insert(agent.raw());
    }

    /// The agents `role`'s filters block now (exact after a refresh), if any.
    pub fn blocked(&self, role: RoleId) -> Option<&BitSet> {
        self.get(role).map(|r| &r.blocked)
    }

    /// Whether `role` may have a per-agent filter on `agent`.
    pub fn has(&self, role: RoleId, agent: AgentId) -> bool {
        self.get(role).is_some_and(|r| r.has.contains(agent.raw()))
    }

    /// Whether `role`'s filters block `agent` now (exact after a refresh).
    pub fn is_blocked(&self, role: RoleId, agent: AgentId) -> bool {
        self.get(role)
            .is_some_and(|r| r.blocked.contains(agent.raw()))
    }

    /// The filters of `roles` (all when None) were dropped.
    pub fn clear_roles(&mut self, roles: Option<&[RoleId]>) {
        match roles {
            Some(rs) => self.roles.retain(|r| !rs.contains(&r.role)),
            None => self.roles.clear(),
        }
    }

    /// Every filter on `agent` was dropped.
    pub fn clear_agent(&mut self, agent: AgentId) {
        for r in &mut self.roles {
            r.has.remove(agent.raw());
            r.blocked.remove(agent.raw());
        }
    }

    /// Recomputes `agent`'s bits from the filter map at (now, seq); `usable(role)` is what the
    /// role may use of the agent's free resources now (it differs per role on reserved agents).
    /// Filters found expired are dropped, as a sweep would (they can never block again), so
    /// the agent costs nothing more once its last filter is gone.
    pub fn recheck(
        &mut self,
        filters: &mut Filters,
        agent: AgentId,
        now: SimTime,
        seq: u64,
        mut usable: impl FnMut(RoleId) -> Pools,
    ) {
        for r in &mut self.roles {
            if !r.has.contains(agent.raw()) {
                continue;
            }
            let key = (r.role, agent);
            let Some(v) = filters.get_mut(&key) else {
                r.has.remove(agent.raw());
                r.blocked.remove(agent.raw());
                continue;
            };
            // Newest first, as `Framework::per_agent_filtered`: the newest filter is the one
            // most likely in force, and the lists of repeatedly declined agents are long.
            let offer = usable(r.role);
            if v.iter()
                .rev()
                .any(|f| f.live(now, seq) && f.refused.contains(&offer))
            {
                r.blocked.insert(agent.raw());
                continue;
            }
            r.blocked.remove(agent.raw());
            v.retain(|f| f.live(now, seq));
            if v.is_empty() {
                filters.remove(&key);
                r.has.remove(agent.raw());
            }
        }
    }

    /// Whether any role may have a filter on `agent` (a refresh skips the framework otherwise).
    pub fn any_has(&self, agent: AgentId) -> bool {
        self.roles.iter().any(|r| r.has.contains(agent.raw()))
    }
}
